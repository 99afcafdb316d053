"""spaCy's blank (rule-based) pipelines, one per language per process, on the model cache.

``spacy.blank(code)`` needs no model download: the language's tokenizer rules come with the
spaCy wheel. A ``sentencizer`` is added (datatrove's sentence splitter). Used by the words and
sentences of ``sparkops.text.spacy_words``.
"""

from __future__ import annotations

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
    return nlp


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
