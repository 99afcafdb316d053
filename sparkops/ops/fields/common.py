"""What the field filters share: the ``field_key`` parameter and reading its values.

Each filter reads the field through the core's ``reads`` (``Op.reads``): its kernel gets the
field's values, None where a record lacks the field or holds null (one case here; Data-Juicer
raises on a missing field). With ``field_key`` empty the value is the text itself: that is
what the op's SQL function computes on its argument, and a pass with an empty ``field_key``
keeps every row.
"""

from __future__ import annotations

from sparkops.core import OpError, Param
from sparkops.core.row import field_path

FAMILY = "fields"

FIELD_KEY = Param("field_key", "str", "", "Record field whose value decides (dots for a nested field: "
                  "`meta.n`; `stats.x`: a statistic of an earlier filter of the pass); empty: every row is kept.")


def check_field_key(p: dict, where: str) -> dict:
    if p["field_key"]:
        try:
            field_path(p["field_key"])
        except ValueError as err:
            raise OpError(f"{where}: parameter 'field_key' {err}") from None
    return p


def field_values(docs, p: dict, fields: dict | None) -> list:
    """Per row, the value the filter judges: the field's (None where absent or null), or the
    text's own with an empty ``field_key``."""
    if not p["field_key"]:
        return [d.text for d in docs]
    values = (fields or {}).get("field_key")
    return [None] * len(docs) if values is None else list(values)
