"""64-bit SimHash fingerprints and their LSH block keys (pure numpy; Spark side: sparkops.spark.dedup).

Fingerprint (Charikar 2002): over the document's shingles (``sparkops.text.shingles``, every
occurrence counted, as Data-Juicer does), bit i is 1 when more shingles have bit i set than
not. Documents without shingles have no fingerprint.

Candidates (Manku et al. 2007): the 64 bits are cut into ``num_blocks`` contiguous blocks;
two fingerprints within ``hamming_distance`` bits differ in at most that many blocks, so they
agree on every block of at least one choice of ``num_blocks - hamming_distance`` blocks. One
key per such choice (C(6, 2) = 15 with Data-Juicer's defaults) finds every pair within the
distance; candidates are then checked with the exact distance.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np

from sparkops.text.shingles import mix64

_CHUNK = 1 << 20  # shingles per step: bounds the 64-column bit matrix at 64 MB


def fingerprints(doc: np.ndarray, shingles: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 fingerprint per document, bool mask of documents that have shingles)."""
    votes = np.zeros((n_docs, 64), dtype=np.int64)
    for a in range(0, len(shingles), _CHUNK):
        d, h = doc[a:a + _CHUNK], shingles[a:a + _CHUNK]
        bits = np.unpackbits(h.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
        _add_votes(votes, d, bits)
    has = np.bincount(doc, minlength=n_docs) > 0
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    fp = ((votes > 0).astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    return fp, has


def _add_votes(votes: np.ndarray, d: np.ndarray, bits: np.ndarray) -> None:
    """votes[doc] += (+1 for each set bit, -1 for each clear bit) over the shingles of each doc."""
    order = np.argsort(d, kind="stable")
    d, bits = d[order], bits[order]
    starts = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))
    sums = np.add.reduceat(bits.astype(np.int64), starts, axis=0)
    counts = np.diff(np.concatenate((starts, [len(d)])))
    votes[d[starts]] += 2 * sums - counts[:, None]


@lru_cache(maxsize=16)
def block_masks(num_blocks: int, hamming_distance: int) -> np.ndarray:
    """One 64-bit mask per choice of (num_blocks - hamming_distance) blocks."""
    edges = np.linspace(0, 64, num_blocks + 1).round().astype(int)
    blocks = [sum(1 << b for b in range(edges[i], edges[i + 1])) for i in range(num_blocks)]
    return np.array([sum(blocks[i] for i in chosen)
                     for chosen in combinations(range(num_blocks), num_blocks - hamming_distance)], dtype=np.uint64)


def block_keys(fp: np.ndarray, num_blocks: int, hamming_distance: int) -> np.ndarray:
    """(n_docs, choices) signed 64-bit keys: the chosen blocks' bits, with the choice mixed in."""
    masks = block_masks(num_blocks, hamming_distance)
    choice = np.arange(len(masks), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return mix64((fp[:, None] & masks[None, :]) ^ choice[None, :]).view(np.int64)


def hamming(a: int, b: int) -> int:
    return int(a ^ b).bit_count()


# --------------------------------------------------------------------------- the operator


def _prepare(p: dict, where: str) -> dict:
    from sparkops.text.shingles import compile_ignore
    from sparkops.core import OpError

    if p["hamming_distance"] >= p["num_blocks"]:
        raise OpError(f"{where}: hamming_distance ({p['hamming_distance']}) must be less than num_blocks "
                      f"({p['num_blocks']}): the blocks are how candidates are found")
    if p["num_blocks"] > 64:
        raise OpError(f"{where}: parameter 'num_blocks' must be <= 64, got {p['num_blocks']}")
    ignore = compile_ignore(p["ignore_pattern"], where)
    return dict(p, _ignore=ignore)


def _fingerprint_rows(texts: list[str], p: dict) -> list:
    from sparkops.text.shingles import batch_shingle_hashes

    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"])
    fp, has = fingerprints(doc, h, len(texts))
    return [int(v) if ok else None for v, ok in zip(fp.view(np.int64), has)]


def _declare() -> None:
    from sparkops.ops.dedup.reference import REFERENCE
    from sparkops.ops.dedup.survivor import KEEP, ORDER_BY
    from sparkops.core import Example, Op, Param, Sketch, declare, positive

    declare(Op(
        name="document_simhash_deduplicator", kind="deduplicator", family="dedup",
        doc="Remove near-duplicate documents whose 64-bit SimHash fingerprints (over word or character "
            "shingles) differ in at most `hamming_distance` bits; candidates come from block keys, every "
            "candidate pair is checked with the exact distance, clusters are connected components, and "
            "one document per cluster is kept (the first in input order by default); a member is removed "
            "only within `hamming_distance` of the kept document it names (a chain A~B~C keeps a C far "
            "from A).",
        params=(
            Param("tokenization", "str", "space", "How to cut tokens: 'space', 'punctuation' or 'character' "
                  "(as for document_minhash_deduplicator).", choices=("space", "punctuation", "character")),
            Param("window_size", "int", 6, "Tokens per shingle.", check=positive),
            Param("lowercase", "bool", True, "Lower-case the text first."),
            Param("ignore_pattern", "str", None, "Regular expression whose matches are deleted first.",
                  nullable=True),
            Param("num_blocks", "int", 6, "Blocks the 64 bits are cut into for candidate search.", check=positive),
            Param("hamming_distance", "int", 4, "Largest number of differing bits between duplicates "
                  "(less than num_blocks).", check=positive),
            KEEP, ORDER_BY,
            REFERENCE,
        ),
        prepare=_prepare, frame="sparkops.spark.dedup.simhash:deduplicate",
        sketches=(
            Sketch("simhash", "bigint", ("tokenization", "window_size", "lowercase"), _fingerprint_rows,
                   "The 64-bit SimHash fingerprint as a signed long: "
                   "`bit_count(simhash(a) ^ simhash(b))` is the Hamming distance. NULL without tokens."),
        ),
        notes="Shingles as in `document_minhash_deduplicator` (short documents get one shingle; whitespace runs "
              "and line breaks do not matter). Every occurrence of a shingle votes, as in Data-Juicer. Removed "
              "rows carry `_duplicate_of`, `_dup_cluster` and `_dup_hamming` (bits that differ from the "
              "survivor's fingerprint; within a cluster this can exceed `hamming_distance` through chains).",
        examples=(
            Example("simhash('The  Cat\\nsat on the mat') = simhash('the cat sat on the mat')", True,
                    "lower-cased, and whitespace only separates tokens"),
            Example("bit_count(simhash('a b c d e f g') ^ simhash('A B C D E F G'))", 0,
                    "the Hamming distance of two fingerprints"),
            Example("bit_count(simhash('a b c d e f g', 'space', 6, false) ^ simhash('A B C D E F G', 'space', 6, "
                    "false)) > 0", True, "case kept: no shingle in common"),
            Example("simhash('') IS NULL", True, "sparkops: a text without tokens has no fingerprint"),
        ),
    ))


_declare()
