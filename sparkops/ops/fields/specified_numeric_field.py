"""specified_numeric_field_filter: keep rows whose field holds a number within [min_value, max_value].

Data-Juicer 1.6.1 reads the field, keeps it in the row's stats under the field key's own name,
and keeps the row when ``is_number(value)`` and ``get_keep_boolean(float(value), min, max)``.
Its ``is_number`` first tests the value's truth, so 0, 0.0 and False count as no number and
are dropped even inside the range: a bug we do not reproduce (see the notes).
"""

from __future__ import annotations

import math

from sparkops.core import MAXSIZE, Example, Op, Param, Stat, declare, in_range
from sparkops.ops.fields.common import FAMILY, FIELD_KEY, check_field_key, field_values

STAT = "numeric_field_value"
NOT_NUMERIC, OUT_OF_RANGE = "not_numeric", "out_of_range"


def as_number(value) -> float | None:
    """The value as Data-Juicer's rule reads it, ``float(value)``: a number, a bool, a numeric
    string (Python's syntax: ' 1e3 ', '1_000', 'nan', 'inf', other scripts' digits); None
    where float() refuses it (null, other strings, lists, objects). 0 is a number (DJ: not);
    an integer beyond a double's range is +-inf (DJ: OverflowError)."""
    if value is None:
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        return None


def _compute(docs, p, fields=None):
    return {STAT: [as_number(v) for v in field_values(docs, p, fields)]}


def _reason(stats, p):
    if not p["field_key"]:
        return None
    value = stats[STAT]
    if value is None:
        return NOT_NUMERIC
    return None if in_range(value, p["min_value"], p["max_value"], p) else OUT_OF_RANGE


declare(Op(
    name="specified_numeric_field_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose record field (`field_key`, dotted for a nested one) holds a number within "
        "[min_value, max_value].",
    params=(
        FIELD_KEY,
        Param("min_value", "float", -MAXSIZE, "Keep rows whose number is at least this."),
        Param("max_value", "float", MAXSIZE, "Keep rows whose number is at most this."),
    ),
    stats=(Stat(STAT, "double", "The field's value as a number (Python's float() of it: numbers, bools, "
                "numeric strings); null when it is missing, null or not numeric."),),
    compute=_compute, prepare=check_field_key, reason=_reason, reads=("field_key",),
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_field_filters.py`), with these "
          "differences. The statistic has a fixed name, `numeric_field_value` (a double), where Data-Juicer "
          "copies the raw value under the field key's own name. A value of 0, 0.0 or false is a number "
          "here: Data-Juicer's `is_number` tests the value's truth first and drops such rows even inside "
          "the range (a bug; the string '0' is a number for both). A row whose field is missing, null or "
          "not numeric is dropped as `specified_numeric_field_filter:not_numeric` (also with "
          "`reversed_range`, as Data-Juicer's False for a non-number), one the range rule rejects as "
          "`specified_numeric_field_filter:out_of_range`. Data-Juicer raises where we drop: AssertionError "
          "for a missing field (AttributeError where a parent field is null or not an object), TypeError "
          "for a non-empty list or object (an empty one it drops); an integer beyond a double is +-inf "
          "here (Data-Juicer: OverflowError). Numeric strings follow Python's float(): ' 12 ', '1e3', "
          "'1_000', 'inf' and 'nan' (never in range, so kept with `reversed_range`) are numbers, '1,000' "
          "and '' are not; true is 1. `reversed_range` flips the interval flags before negating, as "
          "Data-Juicer does, so a value equal to a bound is kept both ways. With an empty `field_key` every "
          "row is kept (Data-Juicer's intent; 1.6.1 raises AssertionError before deciding) and the "
          "statistic is the text's own number, which is what the SQL function computes from its argument.",
    examples=(
        Example("numeric_field_value(' 1e3 ')", 1000.0, "Python's float() syntax"),
        Example("numeric_field_value('0')", 0.0),
        Example("numeric_field_value('1,000')", None, "not numeric"),
        Example("numeric_field_value(CAST(42 AS STRING))", 42.0),
    ),
))
