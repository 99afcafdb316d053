"""``frequency_specified_field_selector``: the rows holding a field's most (or least) frequent values."""

from __future__ import annotations

from sparkops.core import Op, declare
from sparkops.ops.select.values import FIELD_KEY, REVERSE, TOP_RATIO, TOPK

declare(Op(
    name="frequency_specified_field_selector", kind="selector", family="select",
    doc="Select every row whose field value is one of the `topk` most frequent values (or the `top_ratio` "
        "share of the distinct values; least frequent with `reverse: false`); rows come grouped by value.",
    params=(FIELD_KEY, TOP_RATIO, TOPK, REVERSE),
    frame="sparkops.spark.select.frequency:select",
    notes="Values are compared as they are (a string, a number: 1, 1.0 and true are one value; null is a value "
          "of its own); values are ranked by how many rows hold them, ties in order of first appearance. "
          "Count: `topk` values, or `int(top_ratio * distinct values)` capped by `topk`; zero or unset both, a "
          "table of at most one row or an empty `field_key`: every row. Order, as in Data-Juicer: the rows of "
          "the most frequent value first, each value's rows in input order (`_order`). A record without the "
          "nested field counts as null (Data-Juicer: AssertionError; a field no record has is an error). A "
          "list or object value is an error that names the field and counts such rows (Data-Juicer: "
          "AssertionError).",
))
