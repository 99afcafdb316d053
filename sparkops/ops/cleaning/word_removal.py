"""remove_long_words_mapper and remove_words_with_incorrect_substrings_mapper: drop words, then
join what is left the way Data-Juicer 1.6.1 does (which also collapses repeated separators)."""

from __future__ import annotations

from sparkops.core import MAXSIZE, Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY
from sparkops.ops.quality.tokenization import pieces, prepare_tokenization
from sparkops.text.charsets import SPECIAL_CHARACTERS

_SPECIAL = "".join(sorted(SPECIAL_CHARACTERS))  # str.strip's argument: strip any of these


def filter_words(text: str, keep) -> str:
    """Split as Data-Juicer's ``split_on_newline_tab_whitespace`` ('\\n', then '\\t', then ' ',
    empty words dropped), keep the words ``keep`` accepts and merge back as its
    ``merge_on_whitespace_tab_newline``: empty tab pieces and empty lines disappear, so
    blank lines, runs of spaces and leading/trailing separators are lost even when no word is
    removed. Other whitespace ('\\r', U+3000, NBSP) stays inside words."""
    lines = []
    for line in text.split("\n"):
        pieces = []
        for piece in line.split("\t"):
            words = [w for w in piece.split(" ") if w and keep(w)]
            if words:
                pieces.append(" ".join(words))
        if pieces:
            lines.append("\t".join(pieces))
    return "\n".join(lines)


def _check_lengths(p, where):
    if p["min_len"] > p["max_len"]:
        raise OpError(f"{where}: parameter 'min_len' ({p['min_len']}) is greater than 'max_len' ({p['max_len']}): "
                      "every word would be removed")
    return p


def _remove_long_words(texts, p):
    lo, hi = p["min_len"], p["max_len"]

    def keep(word: str) -> bool:
        n = len(word)
        if lo <= n <= hi:
            return True
        # too long: judged again without the special characters around it (a word wrapped in
        # quotes or followed by punctuation); too short stays too short
        return n > hi and lo <= len(word.strip(_SPECIAL)) <= hi

    return [filter_words(t, keep) for t in texts]


declare(Op(
    name="remove_long_words_mapper", kind="mapper", family=FAMILY,
    doc="Remove words (split on space, tab and newline) shorter than `min_len` or longer than `max_len` "
        "characters.",
    params=(
        Param("min_len", "int", 1, "Remove words with fewer characters."),
        Param("max_len", "int", MAXSIZE, "Remove words with more characters (unless they fit once the special "
              "characters around them are stripped)."),
    ),
    apply=_remove_long_words, prepare=_check_lengths,
    notes="Data-Juicer 1.6.1's rule (a fixture it made, `tests/test_catalogue_text.py`). A word longer than "
          "`max_len` is kept when, stripped of Data-Juicer's special characters (punctuation, digits, "
          "whitespace, emoji, ...) at both ends, its length is within the range; the original word is kept. "
          "Lengths are code points. The text is rebuilt from its words: runs of spaces become one, empty "
          "lines and empty tab pieces disappear, leading/trailing spaces and newlines go, even when no word "
          "is removed; '\\r' and other spaces (NBSP, U+3000) are part of words. `min_len` > `max_len` is "
          "refused (Data-Juicer would remove every word).",
    examples=(
        Example("remove_long_words('a supercalifragilistic word', 1, 10)", "a word"),
        Example("remove_long_words('see \"verylongword\" here', 1, 12)", "see \"verylongword\" here",
                "14 characters, 12 without the quotes: kept"),
    ),
))

DEFAULT_SUBSTRINGS = ["http", "www", ".com", "href", "//"]  # Data-Juicer 1.6.1's default substrings


def _prepare_substrings(p, where):
    subs = DEFAULT_SUBSTRINGS if p["substrings"] is None else p["substrings"]
    return dict(prepare_tokenization(p, where), subs=tuple(subs))


def filter_pieces(text: str, sp: tuple, keep) -> str:
    """Data-Juicer's tokenized path: the sentencepiece pieces without their '▁' marks, those ``keep``
    refuses dropped; when one is, the text becomes the rest concatenated (no spaces at all),
    else it stays as it was."""
    words = [piece.replace("\u2581", "") for piece in pieces(text, sp)]
    kept = [w for w in words if keep(w)]
    return text if len(kept) == len(words) else "".join(kept)


def _remove_words_with_substrings(texts, p):
    subs = p["subs"]

    def keep(word: str) -> bool:
        core = word.strip(_SPECIAL)
        return not any(s in core for s in subs)

    if p["_sp"] is not None:
        return [filter_pieces(t, p["_sp"], keep) for t in texts]
    return [filter_words(t, keep) for t in texts]


declare(Op(
    name="remove_words_with_incorrect_substrings_mapper", kind="mapper", family=FAMILY,
    doc="Remove words (split on space, tab and newline) containing any of `substrings` (default: `http`, `www`, "
        "`.com`, `href`, `//`).",
    params=(
        Param("lang", "str", "en", "Language of the texts: the sentencepiece model `tokenization` uses."),
        Param("tokenization", "bool", False, "Test the pieces of the `lang` sentencepiece model (sparkops' model, "
              "or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of words."),
        Param("substrings", "list[str]", None, "Substrings that make a word go; null: Data-Juicer's default "
              "list, [] removes nothing (but still rebuilds the text).", nullable=True),
    ),
    apply=_remove_words_with_substrings, prepare=_prepare_substrings,
    notes="Data-Juicer 1.6.1's rule (a fixture it made, `tests/test_catalogue_text.py`): a word is tested "
          "after stripping Data-Juicer's special characters (punctuation, digits, whitespace, emoji, ...) "
          "from both ends, case-sensitively (`HTTP://X` stays), so `(www.a.org)` goes but `.com` alone is "
          "stripped to `com` and stays. The text is rebuilt from its words: runs of spaces become one, empty "
          "lines and tab pieces disappear, leading/trailing separators go, even when no word is removed. "
          "`tokenization: true` (Data-Juicer's rule): the pieces of the `lang` sentencepiece model "
          "(`encode_as_pieces`) are tested without their '▁' marks, and when one goes the text becomes the "
          "remaining pieces concatenated without any space (a text where none goes stays as it was). The "
          "default model is sparkops' own (sparkops/assets/perplexity/{lang}.sp.model: en, zh), so the pieces "
          "differ from Data-Juicer's unless SPARKOPS_SP_MODELS names a folder holding Data-Juicer's "
          "`{lang}.sp.model`; a lang without a model file is refused when the job is checked.",
    examples=(
        Example("remove_words_with_incorrect_substrings('see https://x.org or www.y.com now')", "see or now"),
        Example("remove_words_with_incorrect_substrings('a  b\\n\\nc')", "a b\nc",
                "the text is rebuilt: repeated separators collapse"),
        Example("remove_words_with_incorrect_substrings('see http://x.org now', 'en', true)", "see://x.orgnow",
                "sparkops' en model's pieces ▁see ▁http :// x . or g ▁now: 'http' goes, the rest is joined "
                "('://' is tested stripped of special characters, i.e. empty, so it stays)"),
    ),
))
