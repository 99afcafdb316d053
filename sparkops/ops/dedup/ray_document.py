"""``ray_document_deduplicator``: Data-Juicer's exact deduplication for its Ray engine, on Spark.

Data-Juicer 1.6.1 (``ops/deduplicator/ray_document_deduplicator.py``) keys a document by the
MD5 of ``text.strip()`` after optional lower-casing and removal of whitespace, digits and
ASCII punctuation, exactly as its ``document_deduplicator``, except that a missing or empty
text gets the key ``"EMPTY"`` (so all of them are one group, and ``""`` is not a copy of
``"   "``, whose key is the MD5 of ``""``). The first document to reach the engine's hash set
with a key survives. The key is Data-Juicer's own here, whitespace included; sparkops'
``document_deduplicator`` also collapses whitespace runs. The Spark algorithm is
``document_deduplicator``'s (``sparkops.spark.dedup.document``): the first copy in input
order survives, which is what Data-Juicer's hash set gives when its blocks arrive in order.
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, Sketch, declare
from sparkops.ops.dedup.document import exact_keys
from sparkops.ops.dedup.engine import NO_EFFECT, count_or_auto
from sparkops.ops.dedup.reference import REFERENCE
from sparkops.ops.dedup.survivor import KEEP, ORDER_BY

EMPTY_KEY = b"EMPTY"  # Data-Juicer's RayBasicDeduplicator.EMPTY_HASH_VALUE, compared as the key


def _prepare(p: dict, where: str) -> dict:
    return dict(p, collapse_whitespace=False, empty_key=EMPTY_KEY)


def _key_hexes(texts: list, p: dict) -> list:
    return [None if k is None else ("EMPTY" if k == EMPTY_KEY else k.hex()) for k in exact_keys(texts, p)]


declare(Op(
    name="ray_document_deduplicator", kind="deduplicator", family="dedup",
    doc="Data-Juicer's exact deduplication of its Ray engine: keep the first document of every group with the "
        "same MD5 of the stripped text (after `lowercase` and `ignore_non_character`); a missing or empty text "
        "is keyed 'EMPTY'.",
    params=(
        Param("backend", "str", "ray_actor", "Where Data-Juicer keeps its hash set: 'ray_actor' or 'redis'." + NO_EFFECT,
              choices=("ray_actor", "redis")),
        Param("redis_address", "str", "redis://localhost:6379", "The Redis server of backend 'redis'." + NO_EFFECT),
        count_or_auto("dedup_set_num", "Hash-set actors ('auto': half the CPUs)."),
        Param("lowercase", "bool", False, "Compare case-insensitively."),
        Param("ignore_non_character", "bool", False, "Ignore whitespace, digits and ASCII punctuation."),
        KEEP, ORDER_BY,
        REFERENCE,
    ),
    prepare=_prepare, apply=exact_keys, frame="sparkops.spark.dedup.document:deduplicate",
    sketches=(
        Sketch("ray_document_key", "string", ("lowercase", "ignore_non_character"), _key_hexes,
               "Data-Juicer's key of the text (hex MD5 of the stripped text, 'EMPTY' for an empty one); two "
               "texts are copies when their keys are equal."),
    ),
    examples=(
        Example("ray_document_key(' a b ') = md5('a b')", True, "the MD5 of the stripped text"),
        Example("ray_document_key('a  b') = ray_document_key('a b')", False,
                "whitespace inside the text counts, as in Data-Juicer"),
        Example("ray_document_key('')", "EMPTY", "Data-Juicer's key of an empty text"),
        Example("ray_document_key('   ') = md5('')", True, "whitespace only: the MD5 of '', not 'EMPTY'"),
        Example("ray_document_key('Call 555-0100!', false, true) = md5('Call')", True,
                "ignore_non_character: whitespace, digits and punctuation removed"),
    ),
    notes="Data-Juicer's `backend`, `redis_address` and `dedup_set_num` choose where its hash set lives; they are "
          "validated and have no effect on Spark. Its `dedup_set_num` is an integer or 'auto'. Data-Juicer "
          "keeps whichever copy reaches its hash set first, the first in input order when blocks arrive in "
          "order; sparkops keeps the first in input order (`keep` / `order_by` choose another). A null text is "
          "keyed as an empty one, as Data-Juicer keys a missing field. Removed rows go to the stage's rejected "
          "table with `_dropped_by = 'ray_document_deduplicator'` and `_duplicate_of` naming the kept copy.",
))
