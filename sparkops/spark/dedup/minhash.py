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
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import ArrayType, BinaryType, BooleanType, DoubleType, LongType, StructField, StructType

from sparkops.spark.dedup.near import DOC, deduplicate_near, pair_columns
from sparkops.ops.dedup.minhash import band_keys, signatures
from sparkops.text.shingles import batch_shingle_hashes, document_sets, jaccard
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
            cols = [batch.column(0), pa.array(has), bands, _binary(sig.reshape(-1), np.arange(0, n * k + 1, k))]
            if not verify:
                yield pa.RecordBatch.from_arrays(cols, names=schema.fieldNames())
                continue
            values, bounds = document_sets(doc, h, n)
            for lo, hi in _binary_slices(bounds, values.itemsize):
                part = [c.slice(lo, hi - lo) for c in cols]
                part.append(_binary(values, bounds[lo:hi + 1]))
                yield pa.RecordBatch.from_arrays(part, names=schema.fieldNames())

    return df.select(DOC, text_col).mapInArrow(run, schema)


BINARY_LIMIT = (1 << 31) - 1  # bytes of one binary column of a batch: Spark's Arrow binary has 32-bit offsets


def _binary(values: np.ndarray, bounds: np.ndarray) -> pa.Array:
    """A binary column, row i = the bytes of ``values[bounds[i]:bounds[i + 1]]``, made from
    the array's buffer as it is (no bytes object per row); its rows' bytes fit BINARY_LIMIT."""
    lo, hi = int(bounds[0]), int(bounds[-1])
    offsets = ((bounds - lo) * values.itemsize).astype(np.int32)
    return pa.Array.from_buffers(pa.binary(), len(bounds) - 1,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(values[lo:hi])])


def _binary_slices(bounds: np.ndarray, itemsize: int, limit: int = BINARY_LIMIT) -> list[tuple[int, int]]:
    """Row ranges [lo, hi) of a batch whose binary values (row i: ``bounds[i]..bounds[i + 1]``
    items) fit ``limit`` bytes each: a batch of huge documents' shingle sets is cut in several."""
    size = np.diff(bounds) * itemsize
    if len(size) and size.max() > limit:
        raise ValueError(f"a document has {size.max() // itemsize:,} distinct shingles: its set ({size.max():,} "
                         f"bytes) exceeds the {limit:,} bytes a binary value can hold")
    out, lo, total = [], 0, 0
    for i, b in enumerate(size.tolist()):
        if total + b > limit:
            out.append((lo, i))
            lo, total = i, 0
        total += b
    out.append((lo, len(size)))
    return out


def _hash_sets(column: pa.Array) -> list[np.ndarray | None]:
    """The rows of a binary column of shingle sets as uint64 arrays viewing Arrow's buffer (no
    bytes object per row); None for a null."""
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset:column.offset + len(column) + 1]
    buffer = column.buffers()[2]  # None or empty when every row is null or empty
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None and buffer.size else np.zeros(0, np.uint8)
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    return [data[lo:hi].view(np.uint64) if ok else None
            for lo, hi, ok in zip(offsets[:-1].tolist(), offsets[1:].tolist(), valid.tolist())]


def _passing_pairs(batches: Iterator[pa.RecordBatch], threshold: float) -> Iterator[pa.RecordBatch]:
    """(src, dst, a, b) -> (src, dst, score) of the pairs whose sets' exact Jaccard reaches
    ``threshold``."""
    for batch in batches:
        a, b = _hash_sets(batch.column(2)), _hash_sets(batch.column(3))
        score = np.array([np.nan if x is None or y is None else jaccard(x, y) for x, y in zip(a, b)])
        ok = score >= threshold  # NaN (a null set) never passes
        yield pa.RecordBatch.from_arrays([batch.column(0).filter(pa.array(ok)), batch.column(1).filter(pa.array(ok)),
                                          pa.array(score[ok])], names=["src", "dst", "score"])


@pandas_udf(DoubleType())
def estimated_jaccard(a: pd.Series, b: pd.Series) -> pd.Series:
    """The share of equal values of two signatures (uint32 each), for a batch of pairs in one
    numpy comparison when the signatures have one length (they do: K values each)."""
    both = (a.notna() & b.notna()).to_numpy()
    x, y = a[both], b[both]
    out = np.full(len(a), np.nan)
    sizes = set(map(len, x)) | set(map(len, y))
    if len(sizes) == 1 and 0 not in sizes:
        width = sizes.pop() // 4
        xs = np.frombuffer(b"".join(x), dtype=np.uint32).reshape(-1, width)
        ys = np.frombuffer(b"".join(y), dtype=np.uint32).reshape(-1, width)
        out[both] = (xs == ys).mean(axis=1)
    else:
        out[both] = [float(np.mean(np.frombuffer(u, dtype=np.uint32) == np.frombuffer(v, dtype=np.uint32)))
                     for u, v in zip(x, y)]
    return pd.Series(out, dtype="float64")


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and ``_dup_jaccard``. With ``verify``, candidate pairs
    link only at an exact Jaccard >= the threshold, and a document is removed only if its exact
    Jaccard to the kept document it names reaches the threshold too; else the estimate of the
    signatures is reported, as Data-Juicer clusters."""
    p = bound.prepared
    threshold = p["jaccard_threshold"]

    def verified(edges: DataFrame, sk: DataFrame) -> DataFrame:
        both = pair_columns(edges, sk, "shingles").select("src", "dst", "a", "b")
        return both.mapInArrow(lambda batches: _passing_pairs(batches, threshold), "src long, dst long, score double")

    # verified: each removed row's score is its passing edge's (no scoring function needed)
    similarity = ((DUP_JACCARD, "shingles", None) if p["verify"]
                  else (DUP_JACCARD, "sig", estimated_jaccard))
    return deduplicate_near(df, bound.name, p, text_col, order_cols,
                            reference=p["reference"], sketch=lambda rows: sketches(rows, text_col, p),
                            check=verified if p["verify"] else None, similarity=similarity, say=say)
