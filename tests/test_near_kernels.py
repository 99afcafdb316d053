"""The numpy pieces of near-dedup that run inside Spark's Python workers, each against a plain
form of the same rule (no Spark): LSH buckets, the greedy choice of survivors, exact Jaccard
similarity, shingle sets packed as binary columns."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sparkops.spark.dedup.minhash import _binary, _binary_slices, _hash_sets, _passing_pairs
from sparkops.spark.dedup.near import DOC, _bucket_blobs, _bucket_stars, _select_in_cluster, _select_in_partition
from sparkops.text.shingles import batch_shingle_hashes, document_sets, jaccard, shingle_hashes


def test_exact_jaccard_equals_the_set_formula():
    rng = np.random.default_rng(7)
    for _ in range(2000):
        a = np.unique(rng.integers(0, 60, rng.integers(0, 40)).astype(np.uint64))
        b = np.unique(rng.integers(0, 60, rng.integers(0, 40)).astype(np.uint64))
        union = len(set(a.tolist()) | set(b.tolist()))
        expected = 1.0 if union == 0 else len(set(a.tolist()) & set(b.tolist())) / union
        assert jaccard(a, b) == expected == jaccard(b, a)
    top = np.array([np.iinfo(np.uint64).max], dtype=np.uint64)  # the largest hash, past every other
    assert jaccard(np.array([1, 2], dtype=np.uint64), top) == 0.0


def test_document_sets_are_each_documents_sorted_distinct_shingles(c4_path):
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")][:300]
    texts += ["", "one", "two words", "a a a a a a a a a a a"]  # no shingle, short ones, repeats
    doc, h = batch_shingle_hashes(texts)
    values, bounds = document_sets(doc, h, len(texts))
    assert len(bounds) == len(texts) + 1 and bounds[-1] == len(values)
    for i, t in enumerate(texts):
        assert np.array_equal(values[bounds[i]:bounds[i + 1]], shingle_hashes(t))


def _triples_batch(docs, keys):
    return pa.RecordBatch.from_arrays([pa.array(docs, pa.int64()), pa.array(keys, pa.list_(pa.int64()))],
                                      names=[DOC, "keys"])


def _stars(batches, parts):
    blobs = [b for batch in batches for b in _bucket_blobs([batch], parts)]
    table = pa.Table.from_batches(blobs)
    out = set()
    for p in set(table.column("part").to_pylist()):  # one reduce task per part, as after the shuffle
        mine = table.filter(pa.compute.equal(table.column("part"), p)).to_batches()
        for batch in _bucket_stars(iter(mine)):
            out |= set(zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()))
    return out


@pytest.mark.parametrize("parts", [1, 3, 8])
def test_bucket_stars_link_each_bucket_to_its_smallest_member(parts):
    """Buckets are (band, key): the same key in two bands is two buckets (forced here: the real
    keys mix in their band, so the fast path sorts by key alone and must notice the clash)."""
    rng = np.random.default_rng(3)
    n_docs, bands = 400, 5
    keys = rng.integers(0, 40, (n_docs, bands))  # few distinct keys: big buckets, clashes across bands
    keys[rng.random(n_docs) < 0.1] = rng.integers(-2**63, 2**63 - 1, bands)  # some unique, negative too
    docs = rng.permutation(n_docs * 7)[:n_docs]  # ids not in input order
    batches = [_triples_batch(docs[i:i + 64].tolist(), keys[i:i + 64].tolist()) for i in range(0, n_docs, 64)]
    buckets: dict = {}
    for d, row in zip(docs.tolist(), keys.tolist()):
        for slot, k in enumerate(row):
            buckets.setdefault((slot, k), []).append(d)
    expected = {(d, min(m)) for m in buckets.values() for d in m if d != min(m)}
    assert _stars(batches, parts) == expected
    # band-mixed keys (no clash): the one-key sort path, the same stars
    mixed = (keys * 1000 + np.arange(bands)).tolist()
    batches = [_triples_batch(docs[i:i + 64].tolist(), mixed[i:i + 64]) for i in range(0, n_docs, 64)]
    assert _stars(batches, parts) == expected


def _greedy_rows(rng, n_clusters):
    """Random clusters (pairs most of the time, as in real LSH graphs; some reference documents,
    ids < 0) as the rows _select_in_partition reads, and each cluster's own arrays."""
    rows, clusters, next_id = [], [], 0
    for c in range(n_clusters):
        size = 2 if rng.random() < 0.7 else int(rng.integers(2, 7))
        doc = np.arange(next_id, next_id + size, dtype=np.int64)
        next_id += size
        if rng.random() < 0.2:
            doc[0] = -1 - doc[0]  # a reference document
        rank = np.where(doc < 0, np.nan, rng.integers(0, 3, size).astype(float))
        # a spanning tree plus a few extra edges: every cluster is connected
        src = [int(doc[i]) for i in range(1, size)]
        dst = [int(doc[rng.integers(0, i)]) for i in range(1, size)]
        for _ in range(int(rng.integers(0, size))):
            i, j = rng.choice(size, 2, replace=False)
            if (int(doc[i]), int(doc[j])) not in zip(src, dst) and (int(doc[j]), int(doc[i])) not in zip(src, dst):
                src.append(int(doc[i]))
                dst.append(int(doc[j]))
        score = rng.random(len(src)).round(3)
        clusters.append((c * 10, doc, rank, np.array(src), np.array(dst), score))
        rows += [(c * 10, 0, int(d), None, r) for d, r in zip(doc, rank)]
        rows += [(c * 10, 1, s, t, v) for s, t, v in zip(src, dst, score)]
    return rows, clusters


def test_greedy_selection_of_pairs_at_once_equals_one_cluster_at_a_time():
    rng = np.random.default_rng(11)
    rows, clusters = _greedy_rows(rng, 300)
    order = rng.permutation(len(rows))  # rows arrive in any order
    frame = pd.DataFrame([rows[i] for i in order], columns=["_mh_c", "_mh_kind", "_mh_a", "_mh_b", "_mh_v"])
    got = pd.concat(list(_select_in_partition(iter([frame[:500], frame[500:]]))), ignore_index=True)
    expected = []
    for c, doc, rank, src, dst, score in clusters:
        d, lead, s = _select_in_cluster(doc, rank, src, dst, score)
        expected += [(int(x), int(y), float(z), c) for x, y, z in zip(d, lead, s)]
    assert sum(len(doc) == 2 for _, doc, *_ in clusters) > 150  # the vectorised path was taken
    assert sorted(map(tuple, got[[DOC, "_mh_lead", "_mh_score", "_dup_cluster"]].itertuples(index=False))) \
        == sorted(expected)


def test_shingle_sets_as_binary_columns_round_trip_and_split_at_the_limit():
    rng = np.random.default_rng(5)
    sets = [np.unique(rng.integers(0, 2**63, int(n)).astype(np.uint64)) for n in rng.integers(0, 50, 30)]
    values = np.concatenate(sets)
    bounds = np.concatenate(([0], np.cumsum([len(s) for s in sets])))
    column = _binary(values, bounds)
    assert [np.frombuffer(b, dtype=np.uint64).tolist() for b in column.to_pylist()] == [s.tolist() for s in sets]
    sliced = column.slice(7, 11)  # a slice's offsets start inside the buffer
    assert [s.tolist() for s in _hash_sets(sliced)] == [s.tolist() for s in sets[7:18]]
    limit = 8 * 60
    ranges = _binary_slices(bounds, 8, limit)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(sets)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all((bounds[hi] - bounds[lo]) * 8 <= limit for lo, hi in ranges)
    for lo, hi in ranges:
        part = _binary(values, bounds[lo:hi + 1])
        assert [np.frombuffer(b, dtype=np.uint64).tolist() for b in part.to_pylist()] == \
            [s.tolist() for s in sets[lo:hi]]
    empty = pa.array([None, b""], pa.binary())
    assert [None if s is None else s.tolist() for s in _hash_sets(empty)] == [None, []]
    with pytest.raises(ValueError, match="distinct shingles"):
        _binary_slices(bounds, 8, 8 * 10)


def test_passing_pairs_keep_those_at_the_threshold_and_skip_null_sets():
    a = [np.array([1, 2, 3, 4], dtype=np.uint64), np.array([1, 2], dtype=np.uint64), None]
    b = [np.array([1, 2, 3, 5], dtype=np.uint64), np.array([1, 2], dtype=np.uint64), np.array([1], dtype=np.uint64)]
    blob = [None if x is None else x.tobytes() for x in a]
    batch = pa.RecordBatch.from_arrays(
        [pa.array([10, 11, 12], pa.int64()), pa.array([1, 1, 1], pa.int64()), pa.array(blob, pa.binary()),
         pa.array([x.tobytes() for x in b], pa.binary())], names=["src", "dst", "a", "b"])
    out = pa.Table.from_batches(list(_passing_pairs(iter([batch]), 0.6)))
    assert out.to_pylist() == [{"src": 10, "dst": 1, "score": 0.6}, {"src": 11, "dst": 1, "score": 1.0}]
    out = pa.Table.from_batches(list(_passing_pairs(iter([batch]), 0.6 + 1e-9)))  # J(first) = 3/5
    assert out.column("src").to_pylist() == [11]
