"""Near-duplicate removal with MinHash LSH, as Spark joins and aggregations.

1. One vectorised pass (``mapInArrow``) computes every document's band keys and signature
   (and, with ``verify``, its shingle set) in batches (``sparkops.ops.minhash``).
2. Documents sharing a band key are candidates: each bucket links its members to its
   smallest member (a star, n - 1 edges for n members: a bucket of 50,000 copies costs 50,000
   edges, not 1.25 billion pairs).
3. With ``verify``, every candidate edge is checked with the exact Jaccard similarity of
   the two shingle sets and kept only at or above ``jaccard_threshold``.
4. Connected components of the edges (``sparkops.dedup.components``) are the clusters.
5. In each cluster the ``keep`` policy picks the survivor; every other member is removed
   with the cluster id, the survivor's id and its Jaccard similarity to the survivor
   (exact with ``verify``, else estimated from the signatures).

Nothing is collected to the driver; the DataFrames of steps 1 and 4 are checkpointed.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import (ArrayType, BinaryType, BooleanType, LongType, StructField, StructType)

from sparkops.dedup.components import connected_components
from sparkops.ops.minhash import band_keys, signatures
from sparkops.ops.shingles import batch_shingle_hashes, jaccard, per_document_sets
from sparkops.registry import BoundOp

KEEP, DROPPED_BY, DUPLICATE_OF = "_keep", "_dropped_by", "_duplicate_of"
CLUSTER, SIMILARITY = "_dup_cluster", "_dup_jaccard"
_DOC = "_mh_doc"


def _sketch_schema(verify: bool) -> StructType:
    fields = [StructField(_DOC, LongType()), StructField("has", BooleanType()),
              StructField("bands", ArrayType(LongType())), StructField("sig", BinaryType())]
    if verify:
        fields.append(StructField("shingles", BinaryType()))
    return StructType(fields)


def sketches(df: DataFrame, text_col: str, p: dict) -> DataFrame:
    """(_mh_doc, has, bands, sig[, shingles]) for every row of ``df`` (which has ``_mh_doc``)."""
    verify = p["verify"]
    schema = _sketch_schema(verify)
    b, r, k = p["num_bands"], p["num_rows_per_band"], p["num_permutations"]
    tok, window, lower, pattern = p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts = batch.column(1).to_pylist()
            n = len(texts)
            doc, h = batch_shingle_hashes(texts, tok, window, lower, pattern)
            sig, has = signatures(doc, h, n, k)
            keys = band_keys(sig, b, r)
            bands = pa.ListArray.from_arrays(pa.array(np.arange(0, n * b + 1, b, dtype=np.int32)),
                                             pa.array(keys.reshape(-1)), mask=pa.array(~has))
            sig_bytes = sig.tobytes()
            sigs = pa.array([sig_bytes[i * 4 * k:(i + 1) * 4 * k] for i in range(n)], pa.binary())
            cols = [batch.column(0), pa.array(has), bands, sigs]
            if verify:
                cols.append(pa.array([s.tobytes() for s in per_document_sets(doc, h, n)], pa.binary()))
            yield pa.RecordBatch.from_arrays(cols, names=schema.fieldNames())

    return df.select(_DOC, text_col).mapInArrow(run, schema)


def _exact_jaccard(a: bytes | None, b: bytes | None) -> float | None:
    if a is None or b is None:
        return None
    return jaccard(np.frombuffer(a, dtype=np.uint64), np.frombuffer(b, dtype=np.uint64))


def _estimated_jaccard(a: bytes | None, b: bytes | None) -> float | None:
    if a is None or b is None:
        return None
    return float(np.mean(np.frombuffer(a, dtype=np.uint32) == np.frombuffer(b, dtype=np.uint32)))


def _similarity_udf(exact: bool):
    f = _exact_jaccard if exact else _estimated_jaccard

    @pandas_udf("double")
    def similarity(a: pd.Series, b: pd.Series) -> pd.Series:
        return pd.Series([f(x, y) for x, y in zip(a, b)], dtype="float64")

    return similarity


def _doc_ids(df: DataFrame, order_cols: list[str]) -> DataFrame:
    """A unique long per row: (file number << 40) + line in a job, else Spark's row id, pinned."""
    if order_cols == ["_source", "_line"]:
        # the input file names (not documents) are few: number them on the driver
        names = sorted(r[0] for r in df.select("_source").distinct().collect())
        files = df.sparkSession.createDataFrame(list(enumerate(names, 1)), "_mh_file long, _source string")
        return (df.join(F.broadcast(files), "_source")
                .withColumn(_DOC, F.shiftleft(F.col("_mh_file"), 40) + F.col("_line")).drop("_mh_file"))
    return df.withColumn(_DOC, F.monotonically_increasing_id()).localCheckpoint(eager=True)


def candidate_edges(sk: DataFrame) -> DataFrame:
    """(src, dst): every member of an LSH bucket linked to the bucket's smallest member."""
    banded = sk.where("has").select(_DOC, F.posexplode("bands").alias("band", "key"))
    shared = (banded.groupBy("band", "key").agg(F.min(_DOC).alias("dst"), F.count(F.lit(1)).alias("n"))
              .where("n > 1").drop("n"))  # most buckets hold one document: dropped before the join
    return (banded.join(shared, ["band", "key"]).where(F.col(_DOC) != F.col("dst"))
            .select(F.col(_DOC).alias("src"), "dst").distinct())


BROADCAST_REMOVED = 1_000_000  # removed rows (ids and scores only) joined back by broadcast up to this


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by``, ``_duplicate_of``, ``_dup_cluster``
    and ``_dup_jaccard`` (the last three set on removed rows only).

    ``df`` is persisted (memory, then disk): the ops before this one run once, not once per
    pass over the rows.
    """
    from pyspark import StorageLevel

    p = bound.prepared
    verify = p["verify"]
    ided = _doc_ids(df.persist(StorageLevel.MEMORY_AND_DISK), order_cols)
    sk = sketches(ided, text_col, p).localCheckpoint(eager=True)
    edges = candidate_edges(sk)
    if verify:
        sim = _similarity_udf(exact=True)
        a, b = sk.select(F.col(_DOC).alias("src"), F.col("shingles").alias("a")), \
            sk.select(F.col(_DOC).alias("dst"), F.col("shingles").alias("b"))
        edges = (edges.join(a, "src").join(b, "dst")
                 .where(sim("a", "b") >= F.lit(p["jaccard_threshold"])).select("src", "dst"))
    labels = connected_components(edges, say=say).withColumnRenamed("node", _DOC)

    # the survivor of each cluster by the keep policy: cluster members only, narrow columns
    ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
             else F.col(_DOC).cast("string"))
    order = [F.col(c).asc_nulls_last() for c in order_cols] or [F.col(_DOC)]
    if p["keep"] == "longest":
        order = [F.col("_mh_len").desc()] + order
    elif p["keep"] == "shortest":
        order = [F.col("_mh_len").asc()] + order
    narrow = ided.select(_DOC, *order_cols, F.length(text_col).alias("_mh_len"), ident.alias("_mh_id"))
    cluster = Window.partitionBy("component").orderBy(*order)
    ranked = (narrow.join(labels, _DOC)
              .withColumn("_mh_rank", F.row_number().over(cluster))
              .withColumn("_mh_first", F.first(_DOC).over(cluster))
              .withColumn(DUPLICATE_OF, F.first("_mh_id").over(cluster)))

    # each removed row's similarity to its survivor (exact with verify, else estimated)
    column = "shingles" if verify else "sig"
    sim = _similarity_udf(exact=verify)
    mine = sk.select(F.col(_DOC), F.col(column).alias("_mh_a"))
    theirs = sk.select(F.col(_DOC).alias("_mh_first"), F.col(column).alias("_mh_b"))
    removed = (ranked.where(F.col("_mh_rank") > 1).join(mine, _DOC).join(theirs, "_mh_first")
               .select(_DOC, DUPLICATE_OF, F.col("component").alias(CLUSTER),
                       sim("_mh_a", "_mh_b").alias(SIMILARITY))
               .localCheckpoint(eager=True))
    if removed.count() <= BROADCAST_REMOVED:
        removed = F.broadcast(removed)
    return (ided.join(removed, _DOC, "left")
            .withColumn(KEEP, F.col(CLUSTER).isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(bound.name)))
            .drop(_DOC))
