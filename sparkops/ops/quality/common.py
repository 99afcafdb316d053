"""What the quality filters share: Data-Juicer's parameter shapes and the batch kernel of a
per-document statistic."""

from __future__ import annotations

from sparkops.core import MAXSIZE, Param, positive


FAMILY = "quality"


def per_doc(stat_key: str, fn, *arg_names):
    """A batch kernel from a per-document statistic."""

    def compute(docs, p):
        args = [p[a] for a in arg_names]
        return {stat_key: [fn(d, *args) for d in docs]}

    return compute


def ratio_params(lo: float, hi: float, what: str) -> tuple[Param, ...]:
    return (
        Param("min_ratio", "float", lo, f"Keep rows whose {what} is at least this."),
        Param("max_ratio", "float", hi, f"Keep rows whose {what} is at most this."),
    )


def len_params(what: str) -> tuple[Param, ...]:
    return (
        Param("min_len", "int", 10, f"Keep rows whose {what} is at least this."),
        Param("max_len", "int", MAXSIZE, f"Keep rows whose {what} is at most this."),
    )


# the words become a sentencepiece model's pieces (sparkops.ops.quality.tokenization)
TOKENIZATION = Param("tokenization", "bool", False, "Take the words from the `lang` sentencepiece model's pieces "
                     "(sparkops' model, or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead "
                     "of splitting on spaces.")
LANG_EN = Param("lang", "str", "en", "Language of the samples: the sentencepiece model `tokenization` uses.")
REP_LEN = Param("rep_len", "int", 10, "Length of the n-grams.", check=positive)
TOKENIZATION_NOTES = (
    "`tokenization: true`: the words are the pieces of the `lang` sentencepiece model "
    "(`encode_as_pieces`), refined as Data-Juicer 1.6.1 refines them; the word-start mark '▁' is not a "
    "special character, so it stays ('▁the', and '▁' alone for '▁.'). The default model is sparkops' own "
    "(sparkops/assets/perplexity/{lang}.sp.model: en, zh), so the counts differ from Data-Juicer's, which "
    "downloads its own: they equal Data-Juicer's only with Data-Juicer's model file, i.e. with "
    "SPARKOPS_SP_MODELS naming a folder that holds its `{lang}.sp.model` (tests/test_catalogue_tokenization.py "
    "checks the equality on a fixture Data-Juicer computed with the same file). A lang without a model file "
    "is refused when the job is checked. "
    "Lone surrogates become '?' before encoding (Data-Juicer's call raises on them)."
)
