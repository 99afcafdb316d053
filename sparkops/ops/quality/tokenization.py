"""``tokenization: true`` of Data-Juicer's word filters: the words are a sentencepiece model's pieces.

Data-Juicer 1.6.1 (words_num, word_repetition, stopwords and flagged_words filters, and
remove_words_with_incorrect_substrings_mapper) then loads ``{lang}.sp.model`` from its model hub
and takes ``tokenizer.encode_as_pieces(text)`` for the words, refined as usual: lower-cased
where the filter lower-cases, stripped of SPECIAL_CHARACTERS at both ends, empty ones dropped.
U+2581, the piece's word-start mark, is not a special character: '▁the' is a word, and so is
'▁' alone ('▁.' after stripping).

The model is sparkops' own (``sparkops/assets/perplexity/{lang}.sp.model``, the perplexity
filter's) unless ``SPARKOPS_SP_MODELS`` names a folder of ``{lang}.sp.model`` files, e.g.
Data-Juicer's: the counts equal Data-Juicer's only with Data-Juicer's model file.
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkops.assets import ASSET_DIR
from sparkops.core import OpError
from sparkops.models.cache import models
from sparkops.ops.quality.perplexity import PART_CHARS, _clean, parts
from sparkops.text.charsets import SPECIAL_CHARACTERS
from sparkops.text.doc import Doc, Words, code_points
from sparkops.text.hashing import string_hashes

SP_MODELS_ENV = "SPARKOPS_SP_MODELS"
SP_FILE = "{}.sp.model"  # Data-Juicer's name pattern (prepare_sentencepiece_for_lang)
_STRIP = "".join(SPECIAL_CHARACTERS)  # str.strip takes a set of single characters, as DJ's strip()
_SEPARATORS = (" ", "\n", "\t")  # where sparkops' refined words split


def sp_model_dir(configured: str | None = None) -> Path:
    """``configured`` (the driver's SPARKOPS_SP_MODELS), else this process's, else sparkops' models
    (under the assets folder, which on a cluster is each executor's own copy)."""
    configured = configured or os.environ.get(SP_MODELS_ENV)
    return Path(configured).expanduser() if configured else ASSET_DIR / "perplexity"


def sp_languages(folder: Path | None = None) -> list[str]:
    folder = sp_model_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".sp.model")] for p in folder.glob("*.sp.model") if p.is_file())


def sp_model_path(lang: str, where: str) -> str:
    """The model file of ``lang``, resolved on the driver at bind time, or OpError naming the
    languages there are models for."""
    folder = sp_model_dir()
    path = folder / SP_FILE.format(lang)
    if not path.is_file():
        source = f"{SP_MODELS_ENV}={folder}" if os.environ.get(SP_MODELS_ENV) else f"sparkops' models in {folder}"
        raise OpError(f"{where}: tokenization is true and lang {lang!r} has no sentencepiece model "
                      f"(available: {', '.join(sp_languages(folder)) or 'none'}; {source}). Set "
                      f"{SP_MODELS_ENV} to a folder holding {path.name} (e.g. Data-Juicer's model files).")
    return os.fspath(path.resolve())


def prepare_tokenization(p: dict, where: str) -> dict:
    """``_sp`` when ``tokenization`` is true: (the driver's SPARKOPS_SP_MODELS or None, lang), the
    model checked here and its file found again by each worker (``sp_model``); else None (words
    split on spaces)."""
    if not p["tokenization"]:
        return dict(p, _sp=None)
    sp_model_path(p["lang"], where)
    configured = os.environ.get(SP_MODELS_ENV)
    return dict(p, _sp=(os.fspath(Path(configured).expanduser().resolve()) if configured else None, p["lang"]))


def sp_model(sp: tuple[str | None, str]):
    """The sentencepiece model of ``_sp``, loaded once per Python worker (shared with perplexity)."""
    path = os.fspath((sp_model_dir(sp[0]) / SP_FILE.format(sp[1])).resolve())

    def load():
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_file=path)

    return models.get("sentencepiece", path, load)


def pieces(text: str, sp: tuple[str | None, str]) -> list[str]:
    """``encode_as_pieces`` of the text (a text over ``PART_CHARS`` in parts cut at whitespace, as
    the perplexity filter encodes it: the same pieces, in bounded memory)."""
    encode = sp_model(sp).encode_as_pieces
    if len(text) <= PART_CHARS:
        return encode(_clean(text))
    return [piece for part in parts(text) for piece in encode(_clean(part))]


class PieceWords:
    """Refined pieces held as strings: the exact path for a model whose pieces hold a space, tab
    or line break (sparkops' models and Data-Juicer's never do: they split on whitespace)."""

    __slots__ = ("words",)

    def __init__(self, words: list[str]):
        self.words = words

    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self):
        return iter(self.words)

    def hashes(self):
        return string_hashes(self.words)


def _refined(items: list[str], lower: bool) -> Words | PieceWords:
    joined = " ".join(items)
    if any(sep in piece for piece in items for sep in _SEPARATORS):
        refined = [(w.lower() if lower else w).strip(_STRIP) for w in items]
        return PieceWords([w for w in refined if w])
    # the pieces joined by spaces are words of sparkops' split: refining them strips each piece, and
    # lower-casing the joined text equals lower-casing each piece (a space ends Greek final-sigma context)
    if lower:
        joined = joined.lower()
    return Words(joined, code_points(joined))


def words(doc: Doc, sp: tuple | None, lower: bool) -> Words | PieceWords:
    """The refined words a filter counts: pieces of the model ``sp`` (``_sp``), or (None) the words split on
    ' ', '\\n', '\\t'; lower-cased before stripping when ``lower``."""
    if sp is None:
        return doc.refined_lower_words if lower else doc.refined_words
    return doc.shared(("sp_words", sp, lower),
                      lambda: _refined(doc.shared(("sp_pieces", sp), lambda: pieces(doc.text, sp)), lower))
