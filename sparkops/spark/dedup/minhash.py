"""``document_minhash_deduplicator`` in Spark: MinHash LSH candidates, optional exact-Jaccard
verification, connected components, keep policy (the clustering is ``sparkops.spark.dedup.near``).

The sketch pass computes, per batch of documents, the shingles, the signature and the band
keys (``sparkops.ops.dedup.minhash``); with ``verify`` it also keeps each document's sorted shingle
hashes, so each candidate edge can be checked with the exact Jaccard similarity.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import ArrayType, BinaryType, BooleanType, DoubleType, LongType, StructField, StructType

from sparkops.spark.dedup.near import DOC, deduplicate_near, pair_columns
from sparkops.ops.dedup.minhash import band_keys, signatures
from sparkops.text.shingles import batch_shingle_hashes, jaccard, per_document_sets
from sparkops.core import BoundOp
from sparkops.core.row import DUP_JACCARD


def sketches(df: DataFrame, text_col: str, p: dict) -> DataFrame:
    """(_mh_doc, has, keys = band keys, sig[, shingles]) for every row of ``df``."""
    verify = p["verify"]
    fields = [StructField(DOC, LongType()), StructField("has", BooleanType()),
              StructField("keys", ArrayType(LongType())), StructField("sig", BinaryType())]
    if verify:
        fields.append(StructField("shingles", BinaryType()))
    schema = StructType(fields)
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
            raw = sig.tobytes()
            cols = [batch.column(0), pa.array(has), bands,
                    pa.array([raw[i * 4 * k:(i + 1) * 4 * k] for i in range(n)], pa.binary())]
            if verify:
                cols.append(pa.array([s.tobytes() for s in per_document_sets(doc, h, n)], pa.binary()))
            yield pa.RecordBatch.from_arrays(cols, names=schema.fieldNames())

    return df.select(DOC, text_col).mapInArrow(run, schema)


@pandas_udf(DoubleType())
def exact_jaccard(a: pd.Series, b: pd.Series) -> pd.Series:
    return pd.Series([None if x is None or y is None else
                      jaccard(np.frombuffer(x, dtype=np.uint64), np.frombuffer(y, dtype=np.uint64))
                      for x, y in zip(a, b)], dtype="float64")


@pandas_udf(DoubleType())
def estimated_jaccard(a: pd.Series, b: pd.Series) -> pd.Series:
    return pd.Series([None if x is None or y is None else
                      float(np.mean(np.frombuffer(x, dtype=np.uint32) == np.frombuffer(y, dtype=np.uint32)))
                      for x, y in zip(a, b)], dtype="float64")


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and ``_dup_jaccard``. With ``verify``, candidate pairs
    link only at an exact Jaccard >= the threshold, and a document is removed only if its exact
    Jaccard to the kept document it names reaches the threshold too; else the estimate of the
    signatures is reported, as Data-Juicer clusters."""
    p = bound.prepared
    threshold = p["jaccard_threshold"]

    def verified(edges: DataFrame, sk: DataFrame) -> DataFrame:
        both = pair_columns(edges, sk, "shingles")
        return (both.select("src", "dst", exact_jaccard("a", "b").alias("score"))
                .where(F.col("score") >= F.lit(threshold)))

    similarity = ((DUP_JACCARD, "shingles", exact_jaccard) if p["verify"]
                  else (DUP_JACCARD, "sig", estimated_jaccard))
    return deduplicate_near(df, bound.name, p, text_col, order_cols,
                            reference=p["reference"], sketch=lambda rows: sketches(rows, text_col, p),
                            check=verified if p["verify"] else None, similarity=similarity, say=say)
