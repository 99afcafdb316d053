"""fasttext_quality_filter: datatrove 0.10.1's ``FastTextClassifierFilter`` (document mode), the
DCLM-style fastText quality filter, on sparkops' own model or any supervised fastText model.

datatrove's semantics (``datatrove/pipeline/filters/fasttext_filter.py``):

- the model sees ``text.strip().replace("\\n", newline_replacement)`` (default ``""``) and
  predicts every label (``k=-1``);
- ``keep_labels`` (label without ``__label__``, min score): keep when ANY of them scores at least
  its min score (``>=``); ``remove_labels``: keep when NONE does; never both; neither: keep all;
- the scores are saved per label under the model's own label names (``__label__hq``);
- a document whose text is empty after stripping is removed.

Here ``keep_labels`` / ``remove_labels`` items are ``"label"`` (min score ``threshold``) or
``"label:min_score"``. ``filter_mode`` paragraph / sentence (datatrove keeps the spans that pass
and rewrites the text) is not offered: document mode is DCLM's.

The shipped model ``en`` (``sparkops/assets/quality_fasttext_en.ftz``, labels ``hq`` / ``lq``)
is trained by ``tools/train_quality.py`` (curated text vs raw web text; docs/quality.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sparkops.assets import AssetMissing
from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.models.cache import models
from sparkops.ops.quality.quality_classifier import shipped_model

FAMILY = "quality"
SHIPPED = {"en": "quality_fasttext_en.ftz"}
PREFIX = "__label__"


def resolve_model(model: str) -> Path:
    if model in SHIPPED:
        return shipped_model(f"fastText quality model '{model}'", SHIPPED[model],
                             "tools/train_quality.py --only fasttext")
    path = Path(model)
    if not path.is_file():
        raise OpError(f"unknown fastText quality model {model!r}: use {', '.join(SHIPPED)} or the path of a "
                      "supervised fastText model (.bin / .ftz)")
    return path


def fasttext_model(model: str):
    """The fastText model, loaded once per Python worker."""
    path = resolve_model(model)
    return models.get("fasttext", os.fspath(path.resolve()), lambda: _load(path))


def _load(path: Path):
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None  # the load-time banner
    try:
        return fasttext.load_model(os.fspath(path))
    except ValueError as err:
        raise OpError(f"{path}: not a fastText model ({err})") from None


def model_input(text: str, newline_replacement: str) -> str:
    """What datatrove gives the model; a lone surrogate (possible in a Python str, impossible in
    UTF-8) becomes '?' on its way to fastText."""
    text = text.strip().replace("\n", newline_replacement)
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def label_scores(texts: list[str], model: str, newline_replacement: str) -> list[dict[str, float]]:
    """Every label's probability per text, keyed by the model's label (``__label__hq``)."""
    if not texts:
        return []
    labels, probs = fasttext_model(model).predict([model_input(t, newline_replacement) for t in texts], k=-1)
    return [{lab: float(p) for lab, p in zip(ls, ps)} for ls, ps in zip(labels, probs)]


def _parse_labels(items, threshold: float, where: str, name: str) -> tuple[tuple[str, float], ...]:
    out = []
    for item in items or ():
        label, sep, score = item.partition(":")
        label = label.removeprefix(PREFIX)
        try:
            min_score = float(score) if sep else threshold
        except ValueError:
            raise OpError(f"{where}: {name} item {item!r} must be 'label' or 'label:min_score'") from None
        if not label:
            raise OpError(f"{where}: {name} item {item!r} has no label")
        out.append((label, min_score))
    return tuple(out)


def _prepare(params: dict, where: str) -> dict:
    keep = _parse_labels(params["keep_labels"], params["threshold"], where, "keep_labels")
    remove = _parse_labels(params["remove_labels"], params["threshold"], where, "remove_labels")
    if keep and remove:
        raise OpError(f"{where}: give keep_labels or remove_labels, not both (datatrove's rule)")
    try:
        model = fasttext_model(params["model"])
    except AssetMissing as err:
        raise OpError(f"{where}: {err}") from None
    except OpError as err:
        raise OpError(f"{where}: {err}") from None
    available = [lab.removeprefix(PREFIX) for lab in model.labels]
    for label, _ in keep + remove:
        if label not in available:
            raise OpError(f"{where}: label {label!r} is not a label of model {params['model']!r} "
                          f"(labels: {', '.join(available)})")
    return {**params, "keep": keep, "remove": remove, "score_labels": tuple(lab for lab, _ in keep or remove)}


def _compute(docs, p):
    texts = [d.text for d in docs]
    live = [i for i, t in enumerate(texts) if t.strip()]
    scores: list[dict | None] = [None] * len(texts)
    for i, s in zip(live, label_scores([texts[i] for i in live], p["model"], p["newline_replacement"])):
        scores[i] = s
    # the statistic: the best score among the labels the filter looks at (the first label of the model
    # when it looks at none); every label's score in `fasttext_labels`
    best = []
    for s in scores:
        if s is None:
            best.append(None)
        elif p["score_labels"]:
            best.append(max(s.get(PREFIX + lab, 0.0) for lab in p["score_labels"]))
        else:
            best.append(max(s.values()) if s else 0.0)
    keep = [None if s is None else int(_passes(s, p)) for s in scores]
    labels = [None if s is None else json.dumps(s, sort_keys=True) for s in scores]
    return {"fasttext_score": best, "fasttext_keep": keep, "fasttext_labels": labels}


def _passes(scores: dict[str, float], p) -> bool:
    if p["keep"]:
        return any(scores.get(PREFIX + label, -9e9) >= min_score for label, min_score in p["keep"])
    return not any(scores.get(PREFIX + label, -9e9) >= min_score for label, min_score in p["remove"])


def _keep(stats, p) -> bool:
    return stats["fasttext_keep"] == 1  # null (empty text): removed, as datatrove removes it


declare(Op(
    name="fasttext_quality_filter", kind="filter", family=FAMILY,
    doc="Keep rows a supervised fastText classifier accepts (datatrove's FastTextClassifierFilter, document mode: "
        "DCLM's quality filter); the default model and labels keep what sparkops' model calls high quality.",
    params=(Param("model", "str", "en", "`en` (sparkops' model, labels hq / lq) or the path of a supervised fastText "
                  "model (.bin / .ftz; a relative path is read from the working directory)."),
            Param("keep_labels", "list[str]", ["hq"], "Keep rows where ANY of these labels scores at least its min "
                  "score: items `label` (min score `threshold`) or `label:min_score`; empty: see remove_labels.",
                  nullable=True),
            Param("remove_labels", "list[str]", None, "Remove rows where ANY of these labels scores at least its min "
                  "score (same items); only without keep_labels. Neither: every non-empty row is kept.", nullable=True),
            Param("threshold", "float", 0.5, "Min score of a label given without one."),
            Param("newline_replacement", "str", "", "What '\\n' becomes before the model sees the text (datatrove's "
                  "default: nothing, so the lines' last and first words join).")),
    stats=(Stat("fasttext_score", "double", "The highest probability among keep_labels (or remove_labels; the model's "
                "best label when neither is set); null for an empty text."),
           Stat("fasttext_keep", "long", "1 when the labels' rule keeps the row, else 0; null for an empty text."),
           Stat("fasttext_labels", "string", "Every label's probability as JSON, keyed as datatrove's metadata "
                "(`{\"__label__hq\": 0.93, \"__label__lq\": 0.07}`); null for an empty text.")),
    compute=_compute, keep=_keep, prepare=_prepare,
    sql_name="fasttext_quality",
    sql_fields=(("fasttext_score", "fasttext_score"), ("fasttext_keep", "fasttext_keep"),
                ("fasttext_labels", "fasttext_labels")),
    sql_params=("model",),
    requires=("lang",),
    models=("sparkops' fastText quality model (sparkops/assets/quality_fasttext_en.ftz, trained by "
            "tools/train_quality.py: curated text vs raw web text, DCLM-style)",),
    notes="Document mode only (datatrove's default and DCLM's). A text that is empty or whitespace-only after strip() "
          "is not scored and is removed, as datatrove removes it. The text is stripped and its newlines replaced "
          "before prediction; fastText reads the whole text (no cut). A label given in keep_labels / remove_labels "
          "that the model lacks is an error at validation (datatrove raises at its first document). Scores are "
          "fastText's softmax probabilities as datatrove stores them (they may exceed 1 by a few 1e-6). Held-out AUC / F1: bench/results_quality.json.",
    examples=(
        Example("fasttext_quality('   ').fasttext_score", None, "empty after strip: not scored"),
        Example("fasttext_quality('The committee approved the budget after a long debate about the new school "
                "buildings and the teachers.').fasttext_score > fasttext_quality('Copyright 2024 All rights "
                "reserved. Privacy Policy Terms of Use Sitemap Follow us on Facebook Twitter').fasttext_score", True),
    ),
))
