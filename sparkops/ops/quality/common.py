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


def no_tokenizer(value) -> str | None:
    # Data-Juicer downloads a Hugging Face / sentencepiece model for tokenization=True; we
    # never fetch models at run time, so say so instead of silently ignoring the flag
    return "True is not supported: it needs a tokenizer model downloaded from a model hub" if value else None


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


TOKENIZATION = Param("tokenization", "bool", False, "Count tokens of a model tokenizer instead of words "
                     "(not supported: needs a model download).", check=no_tokenizer)
LANG_EN = Param("lang", "str", "en", "Language of the samples (Data-Juicer uses it only with tokenization).")
REP_LEN = Param("rep_len", "int", 10, "Length of the n-grams.", check=positive)
