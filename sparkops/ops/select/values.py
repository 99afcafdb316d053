"""How Data-Juicer 1.6.1's selectors read and compare a field's values (pure; the Spark half
is ``sparkops.spark.select``).

A selector's ``field_key`` names a record field, dot-separated for a nested one (``meta.len``).
Each row's value is described once (``describe``) by:

- its kind: ``number`` (bool counts as one, as in Python), ``string``, ``null``, ``list``,
  ``object``, or ``missing`` (the record lacks the field);
- its *number* as Data-Juicer's ``stats_to_number`` gives it: a string parsed as a float, a
  number itself, a list of numbers its mean, and anything else (null, missing, ``[]``, a
  non-numeric string, a list holding a non-number) ``-sys.maxsize``, or ``+sys.maxsize``
  when the selector sorts ascending, so such values always come last in a top-k (and first,
  the smallest, in a range); a NaN counts as such a value too;
- its *raw* value (a number or a string: how a top-level field's values are compared);
- its *group*: the value as the key of frequency and tag selection (``1``, ``1.0`` and
  ``True`` are one value, as Python's dict keys; null is a value of its own).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from sparkops.core import Param
from sparkops.core.row import MISSING

SENTINEL = float(sys.maxsize)
NULL_GROUP = "null"


def kind_of(value: Any) -> str:
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    return "object"


def to_number(value: Any, reverse: bool = True) -> float:
    """Data-Juicer's ``stats_to_number``: the value as a float; the sentinel where it has none."""
    fallback = -SENTINEL if reverse else SENTINEL
    if value is None or value is MISSING or (isinstance(value, (list, tuple)) and len(value) == 0):
        return fallback
    try:
        number = float(value) if isinstance(value, str) else float(np.asarray(value).mean())
    except Exception:  # as Data-Juicer: whatever is no number (also one too large for a float)
        return fallback
    return fallback if math.isnan(number) else number


def group_key(value: Any) -> str | None:
    """The value as a group key (None for a list or an object: not a single value)."""
    if value is None or value is MISSING:
        return NULL_GROUP
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, (bool, int, float)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"n:{int(value) if isinstance(value, bool) else value!r}"
    return None


def describe(value: Any, reverse: bool = True) -> tuple[str, float, float | None, str | None, str | None]:
    """(kind, number, raw number, raw string, group) of one value."""
    kind = kind_of(value)
    try:
        raw_number = float(value) if kind == "number" else None
    except OverflowError:  # an integer beyond a double's range
        raw_number = math.inf if value > 0 else -math.inf
    raw_string = value if kind == "string" else None
    return kind, to_number(value, reverse), raw_number, raw_string, group_key(value)


# ------------------------------------------------------------------ shared parameters


def _ratio(value) -> str | None:
    return None if 0 <= value <= 1 else "must be in [0, 1]"


def _positive(value) -> str | None:
    return None if value > 0 else "must be > 0"


FIELD_KEY = Param("field_key", "str", "", "Field whose values decide (dots for a nested field: `meta.len`); "
                  "empty: every row is selected.")
TOP_RATIO = Param("top_ratio", "float", None, "Share of the rows (of the distinct values, for frequency) to "
                  "select, in [0, 1]; with `topk` too, the smaller count wins.", nullable=True, check=_ratio)
TOPK = Param("topk", "int", None, "Number of rows (of distinct values, for frequency) to select.", nullable=True,
             check=_positive)
REVERSE = Param("reverse", "bool", True, "true: the largest (most frequent) first; false: the smallest.")


def ratio_count(n: int, ratio: float | None, cap: int | None) -> int | None:
    """Data-Juicer's count from a ratio of ``n`` and a cap (``topk`` / ``select_num``): None when
    both are unset or zero (nothing to select by: every row is kept)."""
    if not ratio:
        return cap or None
    count = ratio * n
    if cap and cap < count:
        count = cap
    return int(count)
