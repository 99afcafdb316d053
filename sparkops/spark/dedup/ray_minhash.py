"""The ``_with_uid`` MinHash deduplicators in Spark: ``document_minhash_deduplicator``'s algorithm
(``sparkops.spark.dedup.minhash``) with each cluster's survivor ranked by Data-Juicer's
``__dj__uid`` (smallest first) instead of the input order."""

from __future__ import annotations

from dataclasses import replace

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp, OpError
from sparkops.ops.dedup.ray_minhash import UID
from sparkops.spark.dedup.minhash import deduplicate

_RANK = "_dj_uid_rank"


def uid_column(df: DataFrame, op_name: str):
    """``__dj__uid`` as a long: the column, or the field of the job's input record (``_record``);
    null where it is missing or not an integer."""
    if UID in df.columns:
        return F.col(UID).cast("long")
    if "_record" in df.columns:
        raw = F.get_json_object(F.col("_record"), f"$['{UID}']")
        # an integer written as JSON: digits only (1.5, "7" and true are not uids)
        return F.when(raw.rlike(r"^-?[0-9]+$"), raw.cast("long"))
    raise OpError(f"op '{op_name}': the records have no '{UID}' (columns: {', '.join(df.columns)}); "
                  f"it needs an integer uid per record")


def deduplicate_by_uid(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    ranked = df.withColumn(_RANK, uid_column(df, bound.name))
    bad = ranked.where(F.col(_RANK).isNull()).select(*(order_cols or [text_col])).limit(1).collect()
    if bad:
        where = ":".join(str(v) for v in bad[0]) if order_cols else repr(str(bad[0][0])[:60])
        raise OpError(f"op '{bound.name}': a record without an integer '{UID}' ({where}); every record needs one")
    by_uid = replace(bound, prepared=dict(bound.prepared, keep="first", order_by=_RANK))
    return deduplicate(ranked, by_uid, text_col, order_cols, say=say).drop(_RANK)
