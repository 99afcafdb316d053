"""The three groupers: declarations and the group key of ``key_value_grouper`` (pure).

A grouped row holds, in every field, the list of its group's values in input order (a job's
original record becomes one record of lists: ``{"id": [...], "text": [...], ...}``, every
top-level field of the input with a null where a record lacks it). Groups come in order of
first appearance. ``naive_reverse_grouper`` turns each grouped row back into rows, one per
element of its first field's list.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from sparkops.core import Op, Param, declare

FAMILY = "group"


def nested_value(record: Mapping | None, key: str) -> Any:
    """Data-Juicer's ``nested_access``: a dot path, a numeric part indexing a list; None where
    the path does not lead anywhere."""
    node: Any = record
    for part in key.split("."):
        index: Any = int(part) if part.isdigit() else part
        try:
            node = node[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def group_key(values: Mapping[str, Any]) -> str:
    """The key of a row's group: equal when the ``str`` of the sorted (key, value) pairs is
    (so 1, 1.0 and "1" are three groups, as in Data-Juicer)."""
    return hashlib.sha256(str(sorted(values.items())).encode("utf-8")).hexdigest()


declare(Op(
    name="naive_grouper", kind="grouper", family=FAMILY, grouping="group",
    doc="Group every row into one grouped row: each field becomes the list of all its values, in input "
        "order.",
    frame="sparkops.spark.group.groupers:naive",
    notes="An empty table stays empty. The one grouped row holds the whole table (it is built on one "
          "executor). A grouper starts its process list (a job stage) or follows only groupers and aggregators; after "
          "it, only selectors, aggregators and groupers run until `naive_reverse_grouper`. In a job the grouped "
          "row's `_record` is one record of lists over every top-level field of the input (null where a "
          "record lacks the field); a nested object keeps its own keys (Data-Juicer pads it with null for "
          "keys other records have).",
))

declare(Op(
    name="key_value_grouper", kind="grouper", family=FAMILY, grouping="group",
    doc="Group rows by the values of the given fields: one grouped row per distinct combination, each "
        "field the list of its group's values in input order; groups in order of first appearance.",
    params=(Param("group_by_keys", "list[str]", None, "Fields to group by (dots for nested fields, a number "
                  "indexes a list); default: the text field.", nullable=True),),
    frame="sparkops.spark.group.groupers:key_value",
    notes="Values are equal when their Python `str` is (1, 1.0 and \"1\" differ, as in Data-Juicer); a missing "
          "field is null. Grouped rows as for `naive_grouper`; each group is built on one executor.",
))

declare(Op(
    name="naive_reverse_grouper", kind="grouper", family=FAMILY, grouping="ungroup",
    doc="Split each grouped row into rows: row i takes element i of every field's list, for i over the "
        "first field's list; `__dj__batch_meta__` is dropped (or written to `batch_meta_export_path`).",
    params=(Param("batch_meta_export_path", "str", None, "File to write each grouped row's "
                  "`__dj__batch_meta__` to, one JSON line each (null: dropped).", nullable=True, path=True),),
    frame="sparkops.spark.group.groupers:reverse",
    notes="As in Data-Juicer, a later list longer than the first is cut, and a string field is indexed "
          "character by character; a list shorter than the first is an error that names the field (Data-Juicer: "
          "IndexError), as is a field that is neither a list nor a string. Rows keep their group's order, then "
          "list order (`_order`). The batch meta file is written when the op is planned (a small Spark job), "
          "before the stage's tables.",
))
