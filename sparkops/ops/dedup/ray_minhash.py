"""Data-Juicer's MinHash deduplicators of its Ray engine, and the ``_with_uid`` variants, on Spark.

What Data-Juicer 1.6.1 computes (``ops/deduplicator/ray_bts_minhash_deduplicator.py``):
``ray_bts_minhash_deduplicator`` shingles, hashes (sha1, seed-42 permutations) and bands
exactly as ``document_minhash_deduplicator`` does, and the same (num_bands, rows) choice; its
BTS union-find (Ray actors) joins every two documents with an equal band into one cluster and
keeps the member with the smallest uid, the uids being handed out to blocks as they are
processed (input order when they arrive in order). ``document_minhash_deduplicator`` keeps
the smallest row index of each cluster: the same clusters, the same survivor
(tests/fixtures/dj_ray_dedup.json.gz holds both runs; they remove the same rows). So here
they are ``document_minhash_deduplicator`` (``sparkops.ops.dedup.minhash``, its Spark
algorithm ``sparkops.spark.dedup.minhash``) under Data-Juicer's names, with the Ray settings
accepted (``sparkops.ops.dedup.engine``).

``_with_uid`` (both engines): the records carry an integer ``__dj__uid`` and each cluster
keeps its smallest uid, not its first row; Data-Juicer's way to deduplicate a new dataset B
against a clean dataset A in favour of A (give B's records the larger uids). Spark algorithm:
``sparkops.spark.dedup.ray_minhash``.

``ray_bts_minhash_cpp_deduplicator`` (``ray_bts_minhash_cpp_deduplicator.py``) computes its
signatures in C++ and, unlike the Python op, never applies ``lowercase`` nor
``ignore_pattern`` (its MinhashCalculator stores them and tokenizes the raw text): here both
have no effect on it either.
"""

from __future__ import annotations

import numpy as np

from sparkops.core import Example, Op, Sketch, declare
from sparkops.ops.dedup.engine import bts_settings
from sparkops.ops.dedup.minhash import near_dedup_params, prepare_minhash, signatures
from sparkops.text.shingles import batch_shingle_hashes, code_points, normalise, per_document_sets, token_spans

UID = "__dj__uid"  # Data-Juicer's HashKeys.uid


def _shingle_sets(texts: list, p: dict) -> list[np.ndarray]:
    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"])
    return per_document_sets(doc, h, len(texts))


def shingle_counts(texts: list, p: dict) -> list[int | None]:
    return [None if t is None else len(s) for t, s in zip(texts, _shingle_sets(texts, p))]


def shingle_arrays(texts: list, p: dict) -> list:
    return [None if t is None else s.view(np.int64).tolist() for t, s in zip(texts, _shingle_sets(texts, p))]


def tokens(texts: list, p: dict) -> list:
    """The tokens of each text as the shingling cuts them (``sparkops.text.shingles``)."""
    out = []
    for t in texts:
        if t is None:
            out.append(None)
            continue
        t = normalise(t, p["lowercase"], p["_ignore"])
        if p["tokenization"] == "character":
            out.append(list(" ".join(t.split())))
            continue
        starts, ends = token_spans(code_points(t), p["tokenization"])
        out.append([t[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
    return out


def _prepare_cpp(p: dict, where: str) -> dict:
    # Data-Juicer's C++ op tokenizes the raw text: lowercase and ignore_pattern never apply
    return dict(prepare_minhash(p, where), lowercase=False, _ignore=None)


def _cpp_signatures(texts: list, p: dict) -> list:
    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], False, None)
    sig, has = signatures(doc, h, len(texts), p["num_permutations"])
    return [row.astype(np.int64).tolist() if ok else None for row, ok in zip(sig, has)]


def _without_survivor_choice(params: tuple) -> tuple:
    """A ``_with_uid`` op's survivor is its smallest uid: no ``keep`` nor ``order_by``."""
    return tuple(p for p in params if p.name not in ("keep", "order_by"))


_SAME_AS = ("Clusters and survivors are `document_minhash_deduplicator`'s (see its notes for how sparkops "
            "tokenizes and signs; the LSH band layout is Data-Juicer's), which is what Data-Juicer's Ray op "
            "computes too: the same shingles, hashes and bands, one cluster per set of documents linked by an "
            "equal band, the smallest uid kept. ")
_UID_NOTES = (f"Every record needs an integer `{UID}` (a column, or a field of the job's input record); the "
              f"smallest uid of each cluster survives, whatever the input order, so records of an earlier, clean "
              f"dataset given smaller uids than a new one's win over the new copies (incremental deduplication; "
              f"`reference` is sparkops' way to do the same without uids). A record without an integer "
              f"`{UID}` stops the op with an error naming it, as Data-Juicer fails on it. Uids should be unique, "
              f"as Data-Juicer requires; equal uids rank by input order. ")
_REMOVED = ("Removed rows go to the stage's rejected table with `_duplicate_of` (the kept document), "
            "`_dup_cluster` and `_dup_jaccard`.")
_SHINGLE_ARGS = ("tokenization", "window_size", "lowercase")


declare(Op(
    name="ray_bts_minhash_deduplicator", kind="deduplicator", family="dedup",
    doc="Data-Juicer's MinHash LSH deduplicator of its Ray engine (BTS union-find): remove near-duplicate "
        "documents, one document per cluster kept (the first in input order).",
    params=near_dedup_params() + bts_settings(gpu=True),
    prepare=prepare_minhash, frame="sparkops.spark.dedup.minhash:deduplicate",
    sketches=(
        Sketch("minhash_shingle_count", "bigint", _SHINGLE_ARGS, shingle_counts,
               "The number of distinct shingles of the text; a text with none is never a near-duplicate."),
    ),
    examples=(
        Example("minhash_shingle_count('a b c d e f')", 2, "two 5-word shingles"),
        Example("minhash_shingle_count('a b c d e f', 'space', 3)", 4, "window_size 3"),
        Example("minhash_shingle_count('a b c')", 1, "sparkops: fewer words than the window make one shingle"),
        Example("minhash_shingle_count('')", 0),
    ),
    notes=_SAME_AS + "The Ray settings (`union_find_parallel_num` ... `task_memory`) are validated (a positive "
          "integer, or 'auto' where Data-Juicer takes it) and have no effect on Spark; Data-Juicer's GPU path "
          "(character shingles on cuDF) is not offered. " + _REMOVED,
))

declare(Op(
    name="ray_bts_minhash_deduplicator_with_uid", kind="deduplicator", family="dedup",
    doc=f"`ray_bts_minhash_deduplicator` where each cluster keeps the record with the smallest `{UID}`: "
        "Data-Juicer's incremental near-deduplication.",
    params=_without_survivor_choice(near_dedup_params()) + bts_settings(gpu=True),
    prepare=prepare_minhash, frame="sparkops.spark.dedup.ray_minhash:deduplicate_by_uid",
    sketches=(
        Sketch("minhash_shingles", "array<bigint>", _SHINGLE_ARGS, shingle_arrays,
               "The distinct shingle hashes of the text, sorted; the Jaccard similarity of two texts is that "
               "of these arrays."),
    ),
    examples=(
        Example("cardinality(minhash_shingles('a b c d e f'))", 2),
        Example("minhash_shingles('A  b c d e') = minhash_shingles('a b c d e')", True,
                "lower-cased; whitespace only separates"),
        Example("size(array_intersect(minhash_shingles('a b c d e f'), minhash_shingles('a b c d e g')))", 1,
                "one shared shingle of two: Jaccard 1/3"),
    ),
    notes=_SAME_AS + _UID_NOTES + "The Ray settings are validated and have no effect on Spark. " + _REMOVED,
))

declare(Op(
    name="document_minhash_deduplicator_with_uid", kind="deduplicator", family="dedup",
    doc=f"`document_minhash_deduplicator` where each cluster keeps the record with the smallest `{UID}`: "
        "Data-Juicer's incremental near-deduplication.",
    params=_without_survivor_choice(near_dedup_params()),
    prepare=prepare_minhash, frame="sparkops.spark.dedup.ray_minhash:deduplicate_by_uid",
    sketches=(
        Sketch("minhash_tokens", "array<string>", ("tokenization", "lowercase"), tokens,
               "The tokens of the text as the shingling cuts them (shingles are `window_size` consecutive "
               "tokens)."),
    ),
    examples=(
        Example("minhash_tokens('The  cat,\\nsat.')", ["the", "cat,", "sat."], "'space': whitespace separates"),
        Example("minhash_tokens('The  cat,\\nsat.', 'punctuation')", ["the", "cat", "sat"],
                "'punctuation': punctuation separates too"),
        Example("minhash_tokens('a  b', 'character')", ["a", " ", "b"], "'character': whitespace runs are one space"),
    ),
    notes=_SAME_AS + _UID_NOTES + _REMOVED,
))

declare(Op(
    name="ray_bts_minhash_cpp_deduplicator", kind="deduplicator", family="dedup",
    doc="Data-Juicer's C++-accelerated MinHash LSH deduplicator of its Ray engine: as "
        "`ray_bts_minhash_deduplicator`, but `lowercase` and `ignore_pattern` have no effect (Data-Juicer's "
        "C++ op never applies them).",
    params=near_dedup_params() + bts_settings(gpu=False),
    prepare=_prepare_cpp, frame="sparkops.spark.dedup.minhash:deduplicate",
    sketches=(
        Sketch("cpp_minhash_signature", "array<bigint>", ("num_permutations", "tokenization", "window_size"),
               _cpp_signatures, "`minhash_signature` of the text as given: case and `ignore_pattern` matches "
               "count."),
    ),
    examples=(
        Example("cpp_minhash_signature('The cat sat on the mat') = minhash_signature('the cat sat on the mat')",
                False, "not lower-cased"),
        Example("cpp_minhash_signature('the cat sat on the mat') = minhash_signature('the cat sat on the mat')",
                True),
    ),
    notes="Data-Juicer 1.6.1's wheel ships this op's C++ and Cython parts as sources (`minhash.cpp`, "
          "`tokenize.pyx`), unbuilt, and its constructor sets a Ray module attribute Ray 2.60 no longer has, so "
          "it does not run as installed (the parity fixture builds it from those sources). Its code differs from the Python "
          "op in ways sparkops follows where they change the answer and can: `lowercase` and `ignore_pattern` "
          "are ignored. Not followed: its shingles join tokens without a separator and skip each document's "
          "last window (`range(n - window)`), so a document of exactly `window_size` tokens has none; its "
          "'space' splits on ' ' only; its hashes are djb2 and multiply-shift. sparkops shingles as "
          "`document_minhash_deduplicator`, so its clusters are that op's with `lowercase: false` and no "
          "`ignore_pattern`; the Ray settings are validated and have no effect on Spark. " + _REMOVED,
))
