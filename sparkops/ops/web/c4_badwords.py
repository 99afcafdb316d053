"""c4_badwords_filter: datatrove 0.10.1's C4BadWordsFilter, C4's bad-words rule per language.

A document is dropped (``document_removed_with_badwords``) when its lower-cased text holds a
word or phrase of its language's LDNOOBW list: as a whole word (flanked by a non-word
character or the text's start / end) except in Japanese, Thai and Chinese, where any
occurrence counts. The lists are the ones datatrove reads: English at LDNOOBW commit
25e679f (2016, C4's; ``sparkops/assets/ldnoobw/c4/en.txt``), every other language at 5faf2ba
(``sparkops/assets/ldnoobw/<lang>.txt``), minus the allow-listed subwords of Japanese and
Chinese (``sm``, ``グロ``, ``女の子``, ``性``), which datatrove removes from *every* language.
"""

from __future__ import annotations

import hashlib
import re

from sparkops.assets import ASSET_DIR
from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.models.cache import models

FAMILY = "web"
LDNOOBW_DIR = ASSET_DIR / "ldnoobw"
# the languages datatrove has a list for (its _BADWORDS_LANGS)
LANGUAGES = ("ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "fr-CA-u-sd-caqc", "hi", "hu",
             "it", "ja", "kab", "ko", "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh")
NO_SPACES = ("ja", "th", "zh")  # matched anywhere, not as whole words
ALLOWED = frozenset({"sm", "グロ", "女の子", "性"})  # removed from every language's list, as datatrove does
REMOVED = "document_removed_with_badwords"
MISSING = "missing_badwords_lang"


def word_list(lang: str) -> frozenset[str]:
    path = LDNOOBW_DIR / "c4" / "en.txt" if lang == "en" else LDNOOBW_DIR / f"{lang}.txt"
    with open(path, encoding="utf-8") as handle:
        # datatrove strips each line and keeps the words' case, so a list entry with an upper-case
        # letter ('MILF' in de, 'Cabrón' in es) never matches the lower-cased text
        return frozenset(line.strip() for line in handle) - ALLOWED


def _trie(words) -> str:
    """The words as one regex alternation factored by shared prefixes: the same language as
    ``a|b|...`` (so the same matches exist) but each prefix tested once."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict) -> str:
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def badwords_regex(lang: str) -> re.Pattern:
    """datatrove's pattern for ``lang``, loaded once per worker."""

    def build():
        words = _trie(word_list(lang))
        return re.compile(words if lang in NO_SPACES else rf"(?:\W|^)(?:{words})(?:\W|$)")

    return models.get("c4_badwords", lang, build)


def draw(seed: int | None, text: str) -> float:
    """The row's uniform draw in [0, 1) for keep_fraction: a hash of the seed and the text, so
    a row gets the same draw on every run, partitioning and order (equal texts draw alike)."""
    key = f"{0 if seed is None else seed}\x00".encode() + text.encode("utf-8", "surrogatepass")
    return (int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") >> 11) / float(1 << 53)


def compute(docs, prepared, fields=None):
    """Per row: its language, whether its text holds a bad word (null without a list for the
    language) and its draw (only for rows with bad words, when keep_fraction > 0). ``fields``:
    the values of ``language_key``'s field (the core's ``Op.reads``), None per row without one."""
    p = prepared
    languages = (fields or {}).get("language_key")
    langs, found, draws = [], [], []
    for i, doc in enumerate(docs):
        lang = p["default_language"] if languages is None or languages[i] is None else languages[i]
        hit = None
        if lang in LANGUAGES:
            hit = int(badwords_regex(lang).search(doc.text.lower()) is not None)
        langs.append(lang)
        found.append(hit)
        draws.append(draw(p["seed"], doc.text) if hit and p["keep_fraction"] > 0.0 else None)
    return {"c4_badwords_lang": langs, "c4_badwords": found, "c4_badwords_draw": draws}


def _reason(stats, p):
    if stats["c4_badwords"] is None:
        return MISSING if p["fail_on_missing_language"] else None
    if not stats["c4_badwords"]:
        return None
    if p["keep_fraction"] > 0.0 and stats["c4_badwords_draw"] < p["keep_fraction"]:
        return None
    return REMOVED


def _prepare(p, where):
    if p["language_key"] is None and p["fail_on_missing_language"] and p["default_language"] not in LANGUAGES:
        raise OpError(f"{where}: there is no bad-words list for default_language {p['default_language']!r} "
                      f"(lists: {', '.join(LANGUAGES)}); set fail_on_missing_language=false to keep such rows")
    return p


declare(Op(
    name="c4_badwords_filter", kind="filter", family=FAMILY,
    doc="Drop documents holding a word of their language's LDNOOBW bad-words list, as C4 and datatrove's "
        "C4BadWordsFilter (whole words; any occurrence in Japanese, Thai and Chinese).",
    params=(
        Param("keep_fraction", "float", 0.0, "Share of the documents with bad words to keep anyway (a "
              "reproducible per-row draw, see notes)."),
        Param("fail_on_missing_language", "bool", True, "Reject rows whose language has no list "
              "(`missing_badwords_lang`; datatrove raises); false keeps them."),
        Param("seed", "int", None, "Seed of the keep_fraction draw (null: 0).", nullable=True),
        Param("default_language", "str", "en", "Language of rows without one (every row when "
              "language_key is unset)."),
        Param("language_key", "str", None, "Record field holding each row's language code (datatrove's "
              "`metadata['language']`), e.g. `stats.lang` (language_id_score_filter's, earlier in the stage); "
              "unset: default_language for every row.", nullable=True),
    ),
    stats=(
        Stat("c4_badwords_lang", "string", "The language whose list was used."),
        Stat("c4_badwords", "long", "1 when the text holds a bad word, 0 when not, null without a list "
             "for the language."),
        Stat("c4_badwords_draw", "double", "The row's keep_fraction draw in [0, 1) (only with bad words "
             "and keep_fraction > 0)."),
    ),
    compute=compute, prepare=_prepare, reason=_reason, sql_name="c4_badwords", reads=("language_key",),
    sql_params=("default_language",),
    sql_fields=(("lang", "c4_badwords_lang"), ("found", "c4_badwords"), ("draw", "c4_badwords_draw")),
    models=("LDNOOBW word lists (shipped in sparkops/assets/ldnoobw, CC BY 4.0)",),
    notes="Decisions and the reason `document_removed_with_badwords` are datatrove 0.10.1's (pinned by a "
          "fixture datatrove made, `tests/test_web_url_filter.py`), including its quirks: list entries keep "
          "their case while the text is lower-cased (so `MILF`, `Cabrón` never match); the Japanese / "
          "Chinese allow-list is removed from every language; whole words use Python's Unicode `\\W`, so "
          "a bad word glued to a letter of another script does not count. keep_fraction: datatrove draws "
          "`numpy.random.default_rng(seed).uniform()` once per document with bad words, in the order one "
          "worker meets them, so which documents it keeps depends on order and sharding (and, with "
          "seed=None, on chance); sparkops draws per row from a hash of the seed and the text "
          "(blake2b, 53 bits), the same on every run and partitioning, with the same expected share. "
          "keep_fraction = 0 (the default) and keep_fraction >= 1 decide exactly as datatrove; in "
          "between, which rows are kept differs. A row whose language has no list is rejected as "
          "`missing_badwords_lang` with fail_on_missing_language (datatrove raises ValueError and stops), "
          "kept without. An empty text has no bad word.",
    examples=(
        Example("c4_badwords('What a load of bullshit.').found", 1),
        Example("c4_badwords('Scunthorpe is a town.').found", 0, "whole words only"),
        Example("c4_badwords('Le chat est noir.', 'fr').found", 0),
    ),
))
