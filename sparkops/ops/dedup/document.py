"""Keys for exact document deduplication (pure; the DataFrame algorithm is sparkops.spark.dedup).

Data-Juicer's document_deduplicator hashes ``text.strip()`` after optional lower-casing and
optional removal of whitespace, digits and ASCII punctuation. sparkops also collapses every
run of whitespace to one space before hashing, always: a copy whose line breaks or repeated
spaces changed is still an exact copy (Data-Juicer misses those: the benchmark's ``ws_case``
copies, bench/README.md).
"""

from __future__ import annotations

import hashlib
import re
import string

from sparkops.ops.dedup.reference import REFERENCE
from sparkops.ops.dedup.survivor import KEEP, ORDER_BY
from sparkops.core import Example, Op, Param, Sketch, declare

_WHITESPACE = re.compile(r"\s+")
_NON_CHARACTER = re.compile(rf"\s+|\d+|[{re.escape(string.punctuation)}]")


def exact_key(text: str, lowercase: bool, ignore_non_character: bool, collapse_whitespace: bool = True) -> bytes:
    """The MD5 digest of the text as compared; ``collapse_whitespace=False`` hashes
    ``text.strip()`` as Data-Juicer does (its Ray op's exact key)."""
    if lowercase:
        text = text.lower()
    if ignore_non_character:
        text = _NON_CHARACTER.sub("", text)
    elif collapse_whitespace:
        text = _WHITESPACE.sub(" ", text)
    return hashlib.md5(text.strip().encode("utf-8", "surrogatepass")).digest()


def exact_keys(texts: list[str | None], p: dict) -> list[bytes | None]:
    """Keys of a batch; ``p``: the op's prepared params (``collapse_whitespace`` defaults to True;
    ``empty_key``, when set, is the key of a null or empty text, else it has none)."""
    low, ignore = p["lowercase"], p["ignore_non_character"]
    collapse, empty = p.get("collapse_whitespace", True), p.get("empty_key")
    return [empty if (not t and empty is not None) else None if t is None else exact_key(t, low, ignore, collapse)
            for t in texts]


def key_hexes(texts: list[str], p: dict) -> list[str | None]:
    """``document_key()``: the keys in hex, as Spark's ``md5()`` spells a digest."""
    return [None if k is None else k.hex() for k in exact_keys(texts, p)]


declare(Op(
    name="document_deduplicator", kind="deduplicator", family="dedup",
    doc="Keep one document of every group of exact copies: by default the first in input order (file, "
        "line), as Data-Juicer; `keep` / `order_by` choose another. "
        "Copies are compared after collapsing whitespace runs (always), lower-casing (`lowercase`) and "
        "removing whitespace, digits and ASCII punctuation (`ignore_non_character`).",
    params=(
        Param("lowercase", "bool", False, "Compare case-insensitively."),
        Param("ignore_non_character", "bool", False, "Ignore whitespace, digits and punctuation."),
        KEEP, ORDER_BY,
        REFERENCE,
    ),
    apply=exact_keys, frame="sparkops.spark.dedup.document:deduplicate",
    sketches=(
        Sketch("document_key", "string", ("lowercase", "ignore_non_character"), key_hexes,
               "The MD5 (hex) of the text as the deduplicator compares it; two texts are exact copies when "
               "their keys are equal."),
    ),
    examples=(
        Example("document_key(' a b ') = md5('a b')", True, "the MD5 of the stripped text, as Data-Juicer's hash"),
        Example("document_key('Hello world') = document_key('hello world')", False),
        Example("document_key('Hello world', true) = document_key('hello world', true)", True, "lowercase"),
        Example("document_key('Call 555-0100!', false, true) = md5('Call')", True,
                "ignore_non_character: whitespace, digits and punctuation removed"),
    ),
    notes="Removed rows go to the stage's rejected table with `_dropped_by = 'document_deduplicator'` and "
          "`_duplicate_of` naming the kept copy (`file:line`).",
))
