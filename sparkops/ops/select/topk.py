"""``topk_specified_field_selector``: the rows with the largest (or smallest) values of a field."""

from __future__ import annotations

from sparkops.core import Op, declare
from sparkops.ops.select.values import FIELD_KEY, REVERSE, TOP_RATIO, TOPK

declare(Op(
    name="topk_specified_field_selector", kind="selector", family="select",
    doc="Select the `topk` rows (or the `top_ratio` share of them) with the largest values of a field "
        "(smallest with `reverse: false`), in that order; ties keep input order.",
    params=(FIELD_KEY, TOP_RATIO, TOPK, REVERSE),
    frame="sparkops.spark.select.topk:select",
    notes="Count: `topk`, or `int(top_ratio * rows)` capped by `topk`; a zero or unset `top_ratio` and "
          "`topk` select every row, as does a table of at most one row or an empty `field_key`. Values of a "
          "nested field (`meta.len`) are numbers as Data-Juicer's `stats_to_number` makes them (a numeric "
          "string parsed, a list its mean); null, missing, `[]` and non-numeric values come last in either "
          "direction. A top-level field's values are compared as they are (numbers, or strings by code "
          "point). The selected rows get that order (`_order`); the others go to the rejected rows with "
          "`_dropped_by` = `topk_specified_field_selector`. Where Data-Juicer stops with an error, sparkops "
          "differs: a null among a top-level field's values comes last (Data-Juicer: TypeError); a record "
          "without the nested field counts as null (Data-Juicer: AssertionError; a field no record has is "
          "an error); a top-level field mixing numbers and strings, or holding lists or objects, is an "
          "error that says so.",
))
