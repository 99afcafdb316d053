"""The ranking that picks the surviving copy of a group of duplicates (``keep``, ``order_by``;
see ``sparkops.ops.dedup.survivor``), as Spark sort expressions over the rows to deduplicate."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sparkops.core import OpError


def ranking(df: DataFrame, params: dict, text_col: str, op_name: str) -> list[tuple[Column, bool]]:
    """(value, descending) pairs ranking the copies before input order; empty for Data-Juicer's
    'first in input order'. The caller adds the input order as the last tie-break."""
    out: list[tuple[Column, bool]] = []
    keep = params.get("keep", "first")
    if keep in ("longest", "shortest"):
        out.append((F.length(F.col(text_col)), keep == "longest"))
    field = params.get("order_by")
    if field:
        descending = field.startswith("-")
        name = field.lstrip("-").strip()
        if name in df.columns:
            out.append((F.col(name), descending))
        elif "_record" in df.columns:
            # a record field is JSON text: a number ranks as a number ("9" before "10"), else as text
            raw = F.get_json_object(F.col("_record"), f"$['{name}']")
            out += [(raw.cast("double"), descending), (raw, descending)]
        else:
            raise OpError(f"op '{op_name}': parameter 'order_by': no column or record field '{name}' "
                          f"(columns: {', '.join(df.columns)})")
    return out


def sort_order(values: list[tuple[Column, bool]]) -> list[Column]:
    """Sort expressions for ``ranking``'s pairs: nulls last either way."""
    return [v.desc_nulls_last() if descending else v.asc_nulls_last() for v, descending in values]
