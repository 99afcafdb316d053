"""spaCy's blank (rule-based) pipelines, one per language per process, on the model cache.

``spacy.blank(code)`` needs no model download: the language's tokenizer rules come with the
spaCy wheel. A ``sentencizer`` is added (datatrove's sentence splitter). Used by the words and
sentences of ``sparkops.text.spacy_words``.
"""

from __future__ import annotations

import re

from sparkops.models.cache import models

KIND = "spacy.blank"

# datatrove's language codes for English (its ``Languages.english`` is "eng"; FineWeb's
# configs use "eng_Latn"); spaCy's code is "en"
_ALIASES = {"eng": "en", "eng_Latn": "en"}


_CODES_HINT = "use a spaCy language code such as en, de, fr, es, it, pt, nl, ru (or datatrove's eng / eng_Latn)"


class TokenizerUnavailable(ValueError):
    """No spaCy tokenizer for a language (unknown code, or its extra package is missing)."""


def spacy_code(language: str) -> str:
    return _ALIASES.get(language, language)


def pipeline(language: str):
    """``spacy.blank(language)`` with a sentencizer, built once per process (and again when its
    vocabulary has grown past MAX_STRINGS)."""
    code = spacy_code(language)
    return models.get(KIND, code, lambda: _build(language, code))


def _quiet_jieba() -> None:
    """jieba logs "Building prefix dict ..." to stderr in every worker that loads it."""
    import logging

    try:
        import jieba
    except ImportError:
        return  # spacy.blank says so below
    jieba.setLogLevel(logging.WARNING)


def _build(language: str, code: str):
    import spacy  # imported here: a worker that runs no rule set never pays for it

    if not _spacy_has_language(code):
        raise TokenizerUnavailable(f"no spaCy tokenizer for language '{language}'; {_CODES_HINT}")
    if code == "ja":
        raise TokenizerUnavailable(
            "datatrove tokenizes Japanese with its own spaCy tokenizer, which sparkops does not have; "
            "use the rule sets on languages with spaCy's blank pipeline")
    # datatrove segments Chinese with jieba (spaCy's default splits characters)
    config = {"nlp": {"tokenizer": {"segmenter": "jieba"}}} if code == "zh" else None
    if code == "zh":
        _quiet_jieba()
    try:
        nlp = spacy.blank(code, config=config) if config else spacy.blank(code)
    except ImportError as err:  # e.g. zh needs jieba, vi pyvi
        raise TokenizerUnavailable(
            f"spaCy's '{code}' tokenizer needs a package that is not installed ({err}); "
            "pip install it into the environment of the Spark workers") from None
    except Exception as err:  # spaCy raises its own error type for unknown codes
        raise TokenizerUnavailable(
            f"no spaCy tokenizer for language '{language}' ({str(err).splitlines()[0][:200]}); {_CODES_HINT}") from None
    nlp.add_pipe("sentencizer")
    _tune(nlp)
    return nlp


# The lexeme flags the words and sentences of sparkops.text.spacy_words read: IS_SPACE (which
# tokens are words) and IS_PUNCT (the sentencizer's rule). spaCy computes every lexical
# attribute it knows (shape, norm, like_num, stop word ...) in Python for each new word,
# about a third of tokenizing a page of technical text; tokens do not depend on them
# (spaCy's tokenizer reads strings only), so this private pipeline computes just these.
_LEXEME_FLAGS = ("IS_SPACE", "IS_PUNCT")


def _tune(nlp) -> None:
    """Make the pipeline tokenize faster with the same tokens: only the lexeme flags we read,
    and an end-anchored suffix search that starts where a suffix can start."""
    from spacy import attrs

    keep = {getattr(attrs, name) for name in _LEXEME_FLAGS}
    getters = nlp.vocab.lex_attr_getters or {}
    nlp.vocab.lex_attr_getters = {k: f for k, f in getters.items() if k in keep}
    search = getattr(nlp.tokenizer, "suffix_search", None)  # jieba's Chinese tokenizer has none
    if search is not None:
        bounded = bounded_suffix_search(search)
        if bounded is not search:
            nlp.tokenizer.suffix_search = bounded


def bounded_suffix_search(search):
    """The tokenizer's suffix search, starting where the longest suffix could start.

    spaCy's suffix regex is one alternation of ``...$`` branches, and ``re.search`` tries it at
    every position of a word. Every branch of the languages' rules but a run of dots (``\.\.+$``)
    matches at most K characters, so a match can start no earlier than K + 1 characters from
    the end (``$`` also matches before a final newline); ``search(s, pos)`` still lets the
    look-behinds see the characters before ``pos``, and the first match found is the same
    leftmost one. A word that ends in two dots, or a pattern whose branches we cannot bound
    (any form other than one top-level alternation, a branch with an unbounded repeat that is
    not a run of one character at the end), is searched whole: the same answer, as before."""
    pattern = getattr(search, "__self__", None)
    if not isinstance(pattern, re.Pattern) or pattern.flags & re.MULTILINE:  # `$` at every line end
        return search
    longest = _bounded_width(pattern)
    if longest is None:
        return search
    reach = longest + 1

    def suffix_search(string, _search=search, _reach=reach):
        n = len(string)
        if n <= _reach or string.endswith(("..", "..\n")):
            return _search(string)
        return _search(string, n - _reach)

    suffix_search.__wrapped__ = search
    return suffix_search


def _bounded_width(pattern: re.Pattern) -> int | None:
    """The longest match of every branch of ``pattern`` but ``\.\.+$``; None when some other
    branch is unbounded or the pattern is not one alternation of ``$``-anchored branches."""
    from re import _parser

    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except re.error:
        return None
    items = list(tree.data)
    if len(items) != 1 or items[0][0] != _parser.BRANCH:
        return None
    longest = 0
    for branch in items[0][1][1]:
        body = list(branch.data)
        if not body or body[-1] != (_parser.AT, _parser.AT_END):
            return None  # not anchored at the end: a match could start anywhere
        low, high = branch.getwidth()
        if high < _parser.MAXREPEAT:
            longest = max(longest, high)
        elif repr(body) != _DOT_RUN:  # re's parse trees compare by repr (SubPattern has no ==)
            return None
    return longest


def _dot_run() -> str:
    from re import _parser

    return repr(list(_parser.parse(r"\.\.+$").data))


_DOT_RUN = _dot_run()  # the branch ``\.\.+$`` as re's parser reads it


def _spacy_has_language(code: str) -> bool:
    import importlib.util

    try:
        return code.isidentifier() and importlib.util.find_spec(f"spacy.lang.{code}") is not None
    except (ImportError, ValueError):
        return False


def check_language(language: str) -> str | None:
    """An error message when ``language`` has no usable tokenizer here, else None."""
    try:
        pipeline(language)
    except TokenizerUnavailable as err:
        return str(err)
    return None


# A pipeline's vocabulary keeps every new word it meets (a lexeme and its string): that is
# spaCy's cache, and tokenizing with it is much faster than inside the memory zones datatrove
# opens per document (docs/decisions/spacy-vocabulary.md). So we let it grow and start a fresh
# pipeline past this many strings: each costs a worker some RSS, a new blank pipeline little.
MAX_STRINGS = 200_000


def done_with(nlp, language: str) -> None:
    """Call after a document: renews the language's pipeline once its vocabulary is too large."""
    if len(nlp.vocab.strings) > MAX_STRINGS:
        models.evict(KIND, spacy_code(language))
