"""``tags_specified_field_selector``: the rows whose field value is one of the given tags."""

from __future__ import annotations

from sparkops.core import Op, OpError, Param, declare
from sparkops.ops.select.values import FIELD_KEY, group_key


def _prepare(p: dict, where: str) -> dict:
    if p["target_tags"] is None:
        raise OpError(f"{where}: parameter 'target_tags' is required (the values to select; Data-Juicer fails "
                      "without it too)")
    return dict(p, keys=sorted({group_key(v) for v in p["target_tags"]}))


declare(Op(
    name="tags_specified_field_selector", kind="selector", family="select",
    doc="Select the rows whose field value equals one of `target_tags`, in input order.",
    params=(
        FIELD_KEY,
        Param("target_tags", "list[str|number|null]", None, "Values to select (case-sensitive strings; numbers "
              "match equal numbers; null matches null).", nullable=True),
    ),
    prepare=_prepare,
    frame="sparkops.spark.select.tags:select",
    notes="A table of at most one row, or an empty `field_key`, is selected whole. A record without the nested "
          "field counts as null (Data-Juicer: AssertionError; a field no record has is an error). A list or "
          "object value is an error that names the field and counts such rows (Data-Juicer: AssertionError); "
          "sparkops does not match a tag inside a list.",
))
