"""pii_redact_mapper: find PII with checksums (``sparkops.text.pii``) and tag, mask, hash or drop
it, per entity type; and ``pii_detect(text)`` for SQL.

The detector is sparkops's own: presidio's entity names, a format plus a checksum where the
format has one (see ``sparkops.text.pii`` for each type's rule and score). Spans come back
disjoint and sorted, so they are replaced from the right and every offset stays valid.

Actions: ``tag`` (``<EMAIL_ADDRESS>``), ``mask`` (each character of the span becomes
``mask_char``, so lengths and layout survive), ``hash`` (``<EMAIL_ADDRESS:3f9a0c1d2e4b5a68>``: a
keyed BLAKE2b of the type and the value under ``salt``, so the same value gets the same pseudonym
across the corpus and across runs with the same salt, and without the salt nobody can test a
guessed value) and ``drop`` (the document is rejected: ``pii_redact_mapper:<TYPE>``).
"""

from __future__ import annotations

import hashlib

from sparkops.core import Example, Op, OpError, Param, Sketch, Stat, declare
from sparkops.text.pii import DEFAULT_REGIONS, ENTITIES, detect

FAMILY = "safety"
ACTIONS = ("tag", "mask", "hash", "drop")
# URLs are everywhere in web text and rarely private: redacted only when asked for, as
# Data-Juicer's pii_redaction_mapper leaves them (mask_urls=False)
DEFAULT_ENTITIES = tuple(e for e in ENTITIES if e != "URL")
# names and places need a language model: presidio's spaCy recognizer with the small English
# model (extra `pii-ner`, sparkops.text.pii.ner), asked for by naming these types
NER_TYPES = ("PERSON", "LOCATION")
KNOWN = ENTITIES + NER_TYPES
SPANS = "array<struct<type:string,start:int,end:int,score:double>>"
COUNTS = "struct<" + ",".join(f"{e}:bigint" for e in KNOWN) + ">"


def _prepare(params: dict, where: str) -> dict:
    entities = tuple(dict.fromkeys(params["entities"])) if params["entities"] else DEFAULT_ENTITIES
    unknown = [e for e in entities if e not in KNOWN]
    if unknown:
        raise OpError(f"{where}: unknown entity type(s) {unknown} (known: {', '.join(KNOWN)})")
    if params["action"] not in ACTIONS:
        raise OpError(f"{where}: action must be one of {', '.join(ACTIONS)}, got {params['action']!r}")
    actions = {e: params["action"] for e in entities}
    for item in params["type_actions"] or ():
        etype, sep, action = item.partition(":")
        if not sep or etype not in KNOWN or action not in ACTIONS:
            raise OpError(f"{where}: type_actions item {item!r} must be TYPE:ACTION, TYPE one of "
                          f"{', '.join(KNOWN)} and ACTION one of {', '.join(ACTIONS)}")
        actions[etype] = action  # naming a type here also turns it on
    if "hash" in actions.values() and not params["salt"]:
        raise OpError(f"{where}: the hash action needs a secret `salt` (without one anybody can recompute "
                      "the pseudonym of a guessed value)")
    if len(params["mask_char"]) != 1:
        raise OpError(f"{where}: mask_char must be one character, got {params['mask_char']!r}")
    if not 0.0 <= params["min_score"] <= 1.0:
        raise OpError(f"{where}: min_score must be within [0, 1], got {params['min_score']}")
    regions = tuple(r.upper() for r in params["regions"]) if params["regions"] else DEFAULT_REGIONS
    ner = tuple(t for t in actions if t in NER_TYPES)
    if ner:
        from sparkops.core.extras import require

        require(("pii-ner",), f"{where}: entity type(s) {', '.join(ner)}")
    return {**params, "actions": actions, "wanted": tuple(t for t in actions if t in ENTITIES), "ner": ner,
            "region_hints": regions,
            "key": hashlib.blake2b((params["salt"] or "").encode("utf-8"), digest_size=32).digest()}


def pseudonym(etype: str, value: str, key: bytes) -> str:
    digest = hashlib.blake2b(f"{etype}\x00{value}".encode("utf-8", "surrogatepass"), key=key,
                             digest_size=8).hexdigest()
    return f"<{etype}:{digest}>"


def redact(text: str, p: dict, named=()) -> tuple[str, dict[str, int], str | None]:
    """(the redacted text, {type: spans found}, the first type whose action is drop, or None).
    ``named``: the text's NER spans (PERSON, LOCATION); a rule span wins over a name or place it
    overlaps (``sparkops.text.pii.ner.with_names``)."""
    spans = detect(text, p["wanted"], p["region_hints"])
    if named:
        from sparkops.text.pii.ner import with_names

        spans = with_names(spans, named)
    spans = [s for s in spans if s.score >= p["min_score"]]
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.type] = counts.get(s.type, 0) + 1
    drop = next((s.type for s in spans if p["actions"][s.type] == "drop"), None)
    if drop is not None or not spans:
        return text, counts, drop
    parts, end = [], len(text)
    for s in reversed(spans):
        action, value = p["actions"][s.type], text[s.start:s.end]
        parts.append(text[s.end:end])
        parts.append(f"<{s.type}>" if action == "tag" else p["mask_char"] * len(value) if action == "mask"
                     else pseudonym(s.type, value, p["key"]))
        end = s.start
    parts.append(text[:end])
    return "".join(reversed(parts)), counts, drop


def _apply(texts: list[str], p: dict) -> dict[str, list]:
    out = {"text": [], "pii_count": [], "pii_counts": [], "_reject": []}
    if p["ner"]:
        from sparkops.text.pii.ner import ner_spans

        named = ner_spans(texts, p["ner"])  # one spaCy pass over the batch
    else:
        named = [()] * len(texts)
    for text, found in zip(texts, named):
        new, counts, drop = redact(text, p, found)
        out["text"].append(new)
        out["pii_count"].append(sum(counts.values()))
        out["pii_counts"].append({e: counts.get(e, 0) for e in KNOWN})
        out["_reject"].append(drop)
    return out


def _detect(texts: list[str], p: dict) -> list[list[dict]]:
    return [[{"type": s.type, "start": s.start, "end": s.end, "score": s.score}
             for s in detect(t, None, p["region_hints"])] for t in texts]


declare(Op(
    name="pii_redact_mapper", kind="mapper", family=FAMILY,
    doc="Find PII (presidio's entity names, validated by checksums) and secrets; tag, mask, hash or drop per type.",
    params=(
        Param("entities", "list[str]", None, "Entity types to act on; default every type but URL: "
              + ", ".join(DEFAULT_ENTITIES) + ". Also URL, and PERSON, LOCATION (spaCy's small English "
              "model through presidio: extra `pii-ner`).", nullable=True),
        Param("action", "str", "tag", "What to do with a span: tag (`<TYPE>`), mask, hash (salted pseudonym) "
              "or drop (reject the document).", choices=ACTIONS),
        Param("type_actions", "list[str]", None, "Per-type overrides, `TYPE:ACTION` (e.g. `CREDIT_CARD:drop`); "
              "naming a type turns it on.", nullable=True),
        Param("salt", "str", None, "The secret key of the hash action (keep it out of the job spec's "
              "repository; the same salt gives the same pseudonyms).", nullable=True),
        Param("mask_char", "str", "*", "The character of the mask action."),
        Param("min_score", "float", 0.0, "Ignore spans scored below this (0.5: bare domains, 9 bare digits "
              "after an SSN word; 1.0: checksum-confirmed)."),
        Param("regions", "list[str]", None, "Region hints (ISO 3166) for national-format phone numbers; default "
              + ", ".join(DEFAULT_REGIONS) + ". International (+CC) numbers are found anyway.", nullable=True),
    ),
    apply=_apply, prepare=_prepare, sql_params=("action", "salt"),
    writes=(Stat("pii_count", "long", "How many PII spans the text held (of the types acted on)."),
            Stat("pii_counts", COUNTS, "The same, per entity type (0 for types not acted on).")),
    rejects=KNOWN,
    sketches=(Sketch("pii_detect", SPANS, (), _detect,
                     "The PII spans of the text: type, start and end (code points, end exclusive) and score, "
                     "disjoint and in order; every type including URL."),),
    examples=(
        Example("pii_redact('card 4111 1111 1111 1111, order 4111 1111 1111 1112').text",
                "card <CREDIT_CARD>, order 4111 1111 1111 1112", "the order number fails Luhn"),
        Example("pii_redact('mail jane.doe@example.com', 'mask').text", "mail ********************",
                "the mask keeps the length"),
        Example("pii_redact('ID 11010519491231002X').pii_counts.CN_ID_CARD", 1,
                "an 18-digit PRC ID with a valid birth date and check digit"),
        Example("transform(pii_detect('call +44 20 7946 0958 now'), s -> s.type)", ["PHONE_NUMBER"],
                "phone numbers through libphonenumber"),
    ),
    requires=("safety",),
    notes="Empty text: nothing found. A span is replaced as a whole; overlapping candidates are resolved by the "
          "detector (higher score, then longer). `drop` rejects the document with the first type found whose "
          "action is drop and leaves its text as it was. Linear in the text's length (no backtracking regex: "
          "a test runs 50 MB adversarial inputs). The SQL function `pii_detect` reports every type, URL "
          "included, at any score.",
))
