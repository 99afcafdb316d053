"""specified_field_filter: keep rows whose field value is one of ``target_value``.

Data-Juicer 1.6.1 reads the field, keeps it in the row's stats under the field key's own name,
and keeps the row when every value of it (the value itself, or each element of a list) is
``in target_value`` (Python's ``in``: equality, so 1, 1.0 and True are one value and a list
or object element compares by content); ``reversed_range`` negates that. An empty
``field_key`` or ``target_value`` keeps every row.
"""

from __future__ import annotations

import datetime
import decimal
import json

from sparkops.core import Example, Op, Param, Stat, declare
from sparkops.ops.fields.common import FAMILY, FIELD_KEY, check_field_key, field_values

STAT = "field_value"


def _plain(value):
    """What JSON cannot hold, as the closest value it can (typed Spark columns)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def as_json(value) -> str | None:
    """The value as the statistic holds it: JSON (None for null), so that '1', 1, 1.0 and true
    stay apart and the keep decision reads back the value itself."""
    if value is None:
        return None
    out = json.dumps(value, ensure_ascii=False, default=_plain)
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON input may hold one): Arrow strings cannot
        out = json.dumps(value, default=_plain)
    return out


def matches(value, targets) -> bool:
    """Data-Juicer's rule: every value (each element of a list) is one of the targets."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v in targets for v in values)


def _compute(docs, p, fields=None):
    return {STAT: [as_json(v) for v in field_values(docs, p, fields)]}


def _keep(stats, p) -> bool:
    if not (p["field_key"] and p["target_value"]):
        return True
    raw = stats[STAT]
    value = None if raw is None else json.loads(raw)
    return matches(value, p["target_value"]) != p["reversed_range"]


declare(Op(
    name="specified_field_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose record field (`field_key`, dotted for a nested one) holds one of `target_value` "
        "(for a list, every element must be one).",
    params=(
        FIELD_KEY,
        Param("target_value", "list[str|number|null]", [], "The values to keep (strings match exactly, "
              "numbers equal numbers: 1, 1.0 and true are one value); empty or null keeps every row.",
              nullable=True),
    ),
    stats=(Stat(STAT, "string", "The field's value as JSON (`\"en\"`, `1`, `[\"a\", \"b\"]`); null when "
                "it is missing or null."),),
    compute=_compute, prepare=check_field_key, keep=_keep, reads=("field_key",),
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_field_filters.py`), with these "
          "differences. The statistic has a fixed name, `field_value`, and holds the value as JSON text "
          "(the keep decision reads it back), where Data-Juicer copies the raw value under the field "
          "key's own name. A record without the field reads as null, like a null value: it is dropped "
          "(kept when `target_value` holds null, or with `reversed_range`), where Data-Juicer raises "
          "AssertionError (AttributeError where a parent field is null or not an object), even with an "
          "empty `target_value`. A list value is kept when every element is a target, so an empty list "
          "is kept; an object value matches no target. `reversed_range` negates the decision; "
          "`min_closed_interval` / `max_closed_interval` do nothing. Targets are strings, numbers or null "
          "(Data-Juicer would also take lists or objects). Values JSON cannot hold (decimals, dates of a "
          "typed column) are compared as a float and ISO text. With an empty `field_key` or `target_value` "
          "every row is kept (Data-Juicer 1.6.1 raises AssertionError for an empty `field_key` before "
          "deciding); with an empty `field_key` the statistic is the text as JSON, which is what the SQL "
          "function computes from its argument.",
    examples=(
        Example("field_value('en')", '"en"', "the argument as the JSON the statistic holds"),
        Example("field_value(NULL)", None),
    ),
))
