"""MinHash signatures and LSH band keys (numpy and a C kernel; the Spark algorithm is sparkops.spark.dedup).

Signature: one-permutation hashing (Li, Owen & Zhang 2012) with optimal densification
(Shrivastava 2017). Each shingle hash is mixed once; its high bits pick one of ``K =
num_permutations`` bins and its low 32 bits are its value; a bin keeps its smallest value.
An empty bin (a document with fewer shingles than bins leaves some) copies a filled bin
chosen by a fixed probe order of its own, so two documents with the same shingles get the
same signature and, as with K independent permutations, two signatures agree at a position
with probability equal to the Jaccard similarity of the shingle sets. Cost: O(shingles + K)
per document instead of Data-Juicer's O(shingles x K): a 2,000-shingle document needs one
pass instead of 256.

Bands: the first ``num_bands * num_rows_per_band`` values, cut in bands of
``num_rows_per_band``; each band is hashed to 64 bits together with its index, so equal band
keys mean equal bands of the same index (up to a 2**-64 collision). When the band layout is
not given it is chosen as Data-Juicer chooses it: the (bands, rows) pair minimising
0.5 * P(false positive) + 0.5 * P(false negative) around ``jaccard_threshold``.

Where a C compiler is present, the signatures come from a kernel (``sparkops/native/minhash.c``,
loaded by ``sparkops.text.shingles``), bit for bit the numpy code's, which stays as the reference
and the fallback (tests/test_minhash_kernel.py compares them): one pass over the shingles and
one over the bins, where numpy's ``minimum.at`` and densification cost several times more.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from sparkops.text.shingles import mix64, native_minhash

_EMPTY = np.uint64(1 << 32)  # above every 32-bit value
_LOW32 = np.uint64(0xFFFFFFFF)
_SEED = np.uint64(0x2545F4914F6CDD1D)


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """Data-Juicer's (num_bands, num_rows_per_band) choice, by numerical integration: the pair
    minimising fp_weight * P(false positive) + fn_weight * P(false negative)."""
    grid = 4001
    best, best_err = (0, 0), np.inf
    lo = np.linspace(0.0, threshold, grid)
    hi = np.linspace(threshold, 1.0, grid)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1.0 - (1.0 - lo ** r) ** b, lo)
            fn = np.trapezoid((1.0 - hi ** r) ** b, hi)
            err = fp_weight * fp + fn_weight * fn
            if err < best_err - 1e-12:
                best, best_err = (b, r), err
    return best


def signatures(doc: np.ndarray, shingles: np.ndarray, n_docs: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """K 32-bit MinHash values per document from batch shingle hashes (``batch_shingle_hashes``).

    Returns (signatures as an (n_docs, k) uint32 matrix, a bool mask of the documents that
    have shingles; the other rows are meaningless).
    """
    kernel = native_minhash()
    if kernel is not None and k >= 1:
        out = kernel.signatures(doc, shingles, n_docs, k, _probe_order(k), _probe_rank_by_bin(k),
                                _kernel_sparse_bins(k))
        if out is not None:
            return out
    return _signatures_numpy(doc, shingles, n_docs, k)


def _signatures_numpy(doc: np.ndarray, shingles: np.ndarray, n_docs: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    h = mix64(shingles ^ _SEED)
    bins = (((h >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)).astype(np.int64)
    sig = np.full(n_docs * k, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, doc * k + bins, h & _LOW32)
    sig = sig.reshape(n_docs, k)
    filled = sig != _EMPTY
    has = filled.any(axis=1)
    _densify(sig, filled, has, k)
    return sig.astype(np.uint32), has


@lru_cache(maxsize=4)
def _probe_order(k: int) -> np.ndarray:
    """probe[i]: the order in which an empty bin i looks at the bins, a fixed random
    permutation of 0..K-1 per i (K x K; the same for every document)."""
    i = np.arange(k, dtype=np.uint64)[:, None] * np.uint64(0x9E3779B97F4A7C15)
    j = np.arange(k, dtype=np.uint64)[None, :] * np.uint64(0xD1B54A32D192ED03)
    return np.argsort(mix64(i ^ j), axis=1).astype(np.int32)


@lru_cache(maxsize=4)
def _probe_rank_by_bin(k: int) -> np.ndarray:
    """rank[j, i]: the position of bin j in bin i's probe order (the inverse permutations,
    transposed so that the ranks of one filled bin are one contiguous row), as uint8 up to
    K = 256 (uint16 above): a sparse document's look-ups copy whole rows of small integers."""
    probe = _probe_order(k)
    rank = np.empty((k, k), dtype=np.uint8 if k <= 256 else np.uint16)
    rank[probe, np.arange(k)[:, None]] = np.arange(k)[None, :]
    return rank


def _sparse_bins(k: int) -> int:
    """Documents with at most this many filled bins are densified by ranks, the others by
    probing: about where the two cost the same (on 20,000 bench-corpus documents, K = 256:
    32 to 64 filled bins; K = 1,024: about 128)."""
    return max(16, k // 6)


def _kernel_sparse_bins(k: int) -> int:
    """The kernel's ``_sparse_bins``. Its rank minimums take 16 one-byte ranks (K <= 256) or 8
    two-byte ranks at a time, so a document with m filled bins costs m x K / lanes steps by
    ranks against about (K - m) x K / m probes, each worth about four steps: even near
    m = sqrt(4 x lanes x K). On 20,000 bench-corpus documents the fastest cuts were 96 to 128
    at K = 256 (this gives 128) and 128 to 181 at K = 1,024 (181)."""
    return math.isqrt(4 * (16 if k <= 256 else 8) * k)


def _densify(sig: np.ndarray, filled: np.ndarray, has: np.ndarray, k: int) -> None:
    """Optimal densification: an empty bin i copies the first filled bin in its own probe
    order. Two documents agree at i whenever their first filled bins in that order agree, so
    the collision probability stays the Jaccard similarity (Shrivastava 2017) and, unlike
    copying a neighbour, the copies of a sparse document spread over all its filled bins.

    Two vectorised ways to find that bin, each where it is cheap: a document with m filled
    bins needs about K / m probes per empty bin, so dense documents probe a few steps at a
    time; a sparse one (short texts) instead takes, for every bin, the smallest probe rank
    among its m filled bins (an m x K block of a rank table). Both give the same bin."""
    n_filled = filled.sum(axis=1)
    sparse = has & (n_filled <= _sparse_bins(k))
    if sparse.any():
        _densify_sparse(sig, filled, np.flatnonzero(sparse), n_filled, k)
    _densify_dense(sig, filled, has & ~sparse, k)


def _densify_dense(sig: np.ndarray, filled: np.ndarray, dense: np.ndarray, k: int) -> None:
    probe = _probe_order(k)
    rows, cols = np.nonzero(~filled & dense[:, None])
    flat = filled.reshape(-1)
    base = rows * k  # flat indexes: one gather per probe, not a 2-D fancy index
    src = np.empty(len(rows), dtype=np.int64)
    todo = np.arange(len(rows))
    step = 0
    for width in (2, 8, 32, 128, k):
        if not len(todo):
            break
        width = min(width, k)
        cand = probe[cols[todo], step:width]  # (pending, tries)
        hit = flat[base[todo][:, None] + cand]
        found = hit.any(axis=1)
        src[todo[found]] = cand[found, hit[found].argmax(axis=1)]
        todo = todo[~found]
        step = width
    sig[rows, cols] = sig[rows, src]


def _densify_sparse(sig: np.ndarray, filled: np.ndarray, docs: np.ndarray, n_filled: np.ndarray, k: int) -> None:
    """Documents grouped by their number m of filled bins, so each group is one (g, m, K)
    block: its filled bins' rows of the rank table; the smallest rank per bin is the first
    filled bin in that bin's order (for a filled bin itself the result is discarded)."""
    rank = _probe_rank_by_bin(k)
    m_of = n_filled[docs]
    order = np.argsort(m_of, kind="stable")
    docs, m_of = docs[order], m_of[order]
    starts = np.flatnonzero(np.concatenate(([True], m_of[1:] != m_of[:-1])))
    for same_m, m in zip(np.split(docs, starts[1:]), m_of[starts]):
        step = max(1, _SPARSE_BLOCK // (int(m) * k))  # a block stays small at any K (2,048: 341 x 2,048 a doc)
        for group in (same_m[i:i + step] for i in range(0, len(same_m), step)):
            sub = filled[group]
            cols = np.nonzero(sub)[1].reshape(len(group), int(m))  # each document's filled bins, in order
            src = np.take_along_axis(cols, rank[cols].argmin(axis=1), axis=1)  # (g, K)
            rows = sig[group]
            sig[group] = np.where(sub, rows, np.take_along_axis(rows, src, axis=1))


_SPARSE_BLOCK = 1 << 22  # rank look-ups per block of sparse documents (4 M: 4-8 MB of ranks)


def band_keys(sigs: np.ndarray, num_bands: int, rows: int) -> np.ndarray:
    """(n_docs, num_bands) signed 64-bit band keys (the band index is mixed in)."""
    bands = sigs[:, :num_bands * rows].astype(np.uint64).reshape(len(sigs), num_bands, rows)
    h = np.broadcast_to(np.arange(num_bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15),
                        (len(sigs), num_bands)).copy()
    for j in range(rows):
        h = mix64(h ^ bands[:, :, j])
    return h.view(np.int64)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


# --------------------------------------------------------------------------- the operator

MAX_PERMUTATIONS = 2048  # the densification tables are K x K: int32 probes and uint16 ranks (24 MB at 2,048)


def _between(lo: float, hi: float):
    return lambda v: None if lo <= v <= hi else f"must be in [{lo}, {hi}]"


def prepare_minhash(p: dict, where: str) -> dict:
    from sparkops.text.shingles import compile_ignore
    from sparkops.core import OpError

    if p["tokenization"] == "sentencepiece":
        raise OpError(f"{where}: tokenization 'sentencepiece' needs a tokenizer model from a model hub, which "
                      "sparkops does not download; use 'space', 'punctuation' or 'character'")
    if p["num_permutations"] > MAX_PERMUTATIONS:
        raise OpError(f"{where}: parameter 'num_permutations' must be <= {MAX_PERMUTATIONS}, "
                      f"got {p['num_permutations']}")
    b, r = p["num_bands"], p["num_rows_per_band"]
    if b is None or r is None:  # as Data-Juicer: both or neither, else optimise
        # verified candidates cost a join but never a wrong removal, so with `verify` the bands
        # favour recall: false negatives weigh 0.95 instead of Data-Juicer's 0.5
        weights = (0.05, 0.95) if p["verify"] else (0.5, 0.5)
        b, r = optimal_bands(p["jaccard_threshold"], p["num_permutations"], *weights)
    if b * r > p["num_permutations"]:
        raise OpError(f"{where}: num_bands x num_rows_per_band = {b * r} exceeds num_permutations "
                      f"({p['num_permutations']})")
    ignore = compile_ignore(p["ignore_pattern"], where)
    return dict(p, num_bands=b, num_rows_per_band=r, _ignore=ignore)


def _signature_rows(texts: list[str], p: dict) -> list:
    from sparkops.text.shingles import batch_shingle_hashes

    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"])
    sig, has = signatures(doc, h, len(texts), p["num_permutations"])
    return [row.astype(np.int64).tolist() if ok else None for row, ok in zip(sig, has)]


def _band_rows(texts: list[str], p: dict) -> list:
    from sparkops.text.shingles import batch_shingle_hashes

    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"])
    sig, has = signatures(doc, h, len(texts), p["num_permutations"])
    keys = band_keys(sig, p["num_bands"], p["num_rows_per_band"])
    return [row.tolist() if ok else None for row, ok in zip(keys, has)]


def near_dedup_params() -> tuple:
    """The parameters of ``document_minhash_deduplicator``: Data-Juicer's, then sparkops' own
    (``verify``, ``keep``, ``order_by``, ``reference``); the Ray-engine variants
    (``sparkops.ops.dedup.ray_minhash``) take the same and add their engine settings."""
    from sparkops.ops.dedup.reference import REFERENCE
    from sparkops.ops.dedup.survivor import KEEP, ORDER_BY
    from sparkops.core import Param, positive

    return (
        Param("tokenization", "str", "space", "How to cut tokens: 'space' (runs of non-whitespace), "
              "'punctuation' (runs of neither whitespace nor Unicode punctuation) or 'character'. "
              "'sentencepiece' is refused (it needs a model hub).",
              choices=("space", "punctuation", "character", "sentencepiece")),
        Param("window_size", "int", 5, "Tokens per shingle.", check=positive),
        Param("lowercase", "bool", True, "Lower-case the text first."),
        Param("ignore_pattern", "str", None, "Regular expression (`regex` syntax) whose matches are "
              "deleted before tokenizing.", nullable=True),
        Param("num_permutations", "int", 256, "MinHash values per document (K).", check=positive),
        Param("jaccard_threshold", "float", 0.7, "Documents at or above this Jaccard similarity are "
              "duplicates.", check=_between(0.0, 1.0)),
        Param("num_bands", "int", None, "LSH bands; with num_rows_per_band unset, both are chosen "
              "as Data-Juicer chooses them.", nullable=True, check=positive),
        Param("num_rows_per_band", "int", None, "Signature values per band.", nullable=True, check=positive),
        Param("tokenizer_model", "str", None, "Data-Juicer's sentencepiece model path (accepted, unused).",
              nullable=True),
        Param("verify", "bool", False, "sparkops: check every candidate pair's exact Jaccard similarity "
              "before linking it, and remove a document only if its exact Jaccard to the kept document "
              "it names reaches the threshold (in a chain A~B~C, C stays when it is unlike A). Unless "
              "given, bands and rows are then chosen with false negatives weighted 0.95, not 0.5."),
        KEEP, ORDER_BY,
        REFERENCE,
    )


def _declare() -> None:
    from sparkops.core import Example, Op, Sketch, declare

    declare(Op(
        name="document_minhash_deduplicator", kind="deduplicator", family="dedup",
        doc="Remove near-duplicate documents: MinHash signatures of word (or character) shingles, LSH "
            "banding to find candidates, optional exact-Jaccard verification, connected components to "
            "form clusters; one document per cluster is kept (the first in input order by default).",
        params=near_dedup_params(),
        prepare=prepare_minhash, frame="sparkops.spark.dedup.minhash:deduplicate",
        sketches=(
            Sketch("minhash_signature", "array<bigint>",
                   ("num_permutations", "tokenization", "window_size", "lowercase"), _signature_rows,
                   "The K MinHash values (0 .. 2^32-1); the share of equal positions of two signatures "
                   "estimates the Jaccard similarity of the texts. NULL for a text without tokens."),
            Sketch("minhash_bands", "array<bigint>",
                   ("jaccard_threshold", "num_permutations", "tokenization", "window_size", "lowercase"),
                   _band_rows, "The LSH band keys (Data-Juicer's band/row layout for the threshold); two "
                   "texts are candidates when a key at the same position is equal."),
        ),
        notes="Tokenization and normalisation: see `sparkops/text/shingles.py`. Documents with fewer tokens than "
              "`window_size` have one shingle (all their tokens), so distinct short documents do not collapse "
              "into one cluster as in Data-Juicer; documents without tokens are never near-duplicates. "
              "Signatures use one-permutation hashing with optimal densification, not K separate hash "
              "functions, so values differ from Data-Juicer's; the LSH band/row choice is Data-Juicer's. "
              "Removed rows go to the stage's rejected table with `_duplicate_of` (the kept document it "
              "copies), `_dup_cluster` and `_dup_jaccard` (exact with `verify`, else estimated). Without "
              "`verify`, as in Data-Juicer, every member of a cluster but its survivor is removed, also "
              "members that only a chain of similar pairs links to it.",
        examples=(
            Example("cardinality(minhash_signature('a b c d e f'))", 256, "num_permutations values"),
            Example("cardinality(minhash_signature('a b c d e f', 64))", 64),
            Example("minhash_signature('The  Cat\\nsat on the mat') = minhash_signature('the cat sat on the mat')",
                    True, "lower-cased, and whitespace only separates tokens"),
            Example("minhash_signature('a b c d e f') = minhash_signature('a b c d e g')", False,
                    "one of their two 5-word shingles differs"),
            Example("cardinality(minhash_bands('a b c d e f'))", 25, "Data-Juicer's layout for "
                    "jaccard_threshold 0.7 and 256 permutations: 25 bands of 10 rows"),
            Example("cardinality(minhash_bands('a b c d e f', 0.5))", 42, "42 bands of 6 rows"),
            Example("minhash_signature('') IS NULL", True, "sparkops: a text without tokens has no signature "
                    "(Data-Juicer gives it one of maximal values)"),
        ),
    ))


_declare()
