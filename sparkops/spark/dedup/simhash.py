"""``document_simhash_deduplicator`` in Spark: block-key candidates, exact Hamming check,
connected components, keep policy (the clustering is ``sparkops.spark.dedup.near``)."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, BooleanType, LongType, StructField, StructType

from sparkops.spark.dedup.near import DOC, deduplicate_near, pair_columns
from sparkops.text.shingles import batch_shingle_hashes
from sparkops.ops.dedup.simhash import block_keys, fingerprints
from sparkops.core import BoundOp
from sparkops.core.row import DUP_HAMMING

SCHEMA = StructType([StructField(DOC, LongType()), StructField("has", BooleanType()),
                     StructField("keys", ArrayType(LongType())), StructField("fp", LongType())])


def sketches(df: DataFrame, text_col: str, p: dict) -> DataFrame:
    """(_mh_doc, has, keys = block keys, fp = the fingerprint as a signed long)."""
    blocks, distance = p["num_blocks"], p["hamming_distance"]
    tok, window, lower, pattern = p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts = batch.column(1).to_pylist()
            n = len(texts)
            fp, has = fingerprints(*batch_shingle_hashes(texts, tok, window, lower, pattern), n)
            keys = block_keys(fp, blocks, distance)
            width = keys.shape[1]
            lists = pa.ListArray.from_arrays(pa.array(np.arange(0, n * width + 1, width, dtype=np.int32)),
                                             pa.array(keys.reshape(-1)), mask=pa.array(~has))
            yield pa.RecordBatch.from_arrays([batch.column(0), pa.array(has), lists, pa.array(fp.view(np.int64))],
                                             names=SCHEMA.fieldNames())

    return df.select(DOC, text_col).mapInArrow(run, SCHEMA)


def hamming(a: Column, b: Column) -> Column:
    return F.bit_count(a.bitwiseXOR(b))


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and ``_dup_hamming``: a document is removed only
    within ``hamming_distance`` bits of the kept document it names."""
    p = bound.prepared

    def within(edges: DataFrame, sk: DataFrame) -> DataFrame:
        both = pair_columns(edges, sk, "fp")
        return (both.select("src", "dst", hamming(F.col("a"), F.col("b")).alias("score"))
                .where(F.col("score") <= p["hamming_distance"]))

    return deduplicate_near(df, bound.name, p, text_col, order_cols,
                            reference=p["reference"], sketch=lambda rows: sketches(rows, text_col, p), check=within,
                            similarity=(DUP_HAMMING, "fp", hamming), say=say)
