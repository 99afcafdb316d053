"""quality_classifier_filter: Data-Juicer's quality-classifier tool (``tools/quality_classifier``,
py-data-juicer 1.6.1) as a filter, on models sparkops trains itself.

Data-Juicer scores a document with a Spark ML pipeline (tokenizer -> ``HashingTF`` ->
``LogisticRegression``), takes ``probability[1]`` as ``doc_score`` and sets ``should_keep`` by a
keep method (``qc_utils.get_keep_method_udf``):

- ``label``: ``doc_score > 0.5``;
- ``gpt3``: ``doc_score > 1 - np.random.pareto(9)`` (GPT-3's Pareto sampling: a document of score
  s is kept with probability ``(2 - s) ** -9``, e.g. 0.2% at 0, 1 at 1, 3.8% at 0.7).

Data-Juicer draws from numpy's global generator, so a re-run keeps other rows. Here the draw is
a function of ``seed`` and the row's text (a BLAKE2b hash turned into a uniform number, then
the inverse of the Pareto distribution): a re-run, any partitioning, any Spark executor keeps
the same rows; equal texts get the same draw.

Models are files (``sparkops.ops.quality.classifier_model``): ``en`` and ``zh`` ship in
``sparkops/assets/`` (Data-Juicer's names ``gpt3`` and ``chinese`` are accepted for them),
``tools/train_quality.py`` rebuilds them, and ``sparkops quality train`` makes one from any data.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

from sparkops.assets import ASSET_DIR, AssetMissing
from sparkops.core import Example, Op, OpError, Param, Sketch, Stat, declare
from sparkops.models.cache import models
from sparkops.ops.quality.classifier_model import ModelFileError, QualityModel, load_model

FAMILY = "quality"
MODELS_ENV = "SPARKOPS_QUALITY_MODELS"  # a folder holding quality_<name>.qc.json.gz files
SHIPPED = ("en", "zh")
# Data-Juicer's model names -> ours (its `code` model has no counterpart: no code corpus here)
ALIASES = {"gpt3": "en", "chinese": "zh"}
KEEP_METHODS = ("gpt3", "label")
PARETO_ALPHA = 9.0  # Data-Juicer's get_keep_method_udf: np.random.pareto(9)


def model_file(name: str) -> str:
    return f"quality_{name}.qc.json.gz"


def shipped_model(what: str, filename: str, rebuild: str) -> Path:
    """A model file that ships in sparkops/assets (or in the folder ``SPARKOPS_QUALITY_MODELS``
    names); missing, it says where it was looked for and how to rebuild it."""
    folder = Path(os.environ[MODELS_ENV]) if os.environ.get(MODELS_ENV) else ASSET_DIR
    path = folder / filename
    if not path.is_file():
        raise AssetMissing(f"{what} not found at {path}: it ships with sparkops (sparkops/assets/{filename}); "
                           f"rebuild it with {rebuild} or set {MODELS_ENV} to a folder holding it")
    return path


def resolve_model(model: str) -> Path:
    """The file of a shipped model name (or Data-Juicer's alias), or ``model`` as a path."""
    name = ALIASES.get(model, model)
    if name in SHIPPED:
        return shipped_model(f"quality model '{name}'", model_file(name), "tools/train_quality.py")
    path = Path(model)
    if model == "code":
        raise OpError("Data-Juicer's `code` quality model is not available in sparkops (it is downloaded from "
                      "Alibaba's servers); train one with `sparkops quality train` and pass its path")
    if not path.is_file():
        raise OpError(f"unknown quality model {model!r}: use one of {', '.join(SHIPPED)} (or Data-Juicer's "
                      f"{', '.join(ALIASES)}) or the path of a model file made by `sparkops quality train`")
    return path


def quality_model(model: str) -> QualityModel:
    """The model, loaded once per Python worker."""
    path = resolve_model(model)
    return models.get("quality_classifier", os.fspath(path.resolve()), lambda: load_model(path))


def pareto_draw(text: str, seed: int) -> float:
    """A Pareto(9) number (numpy's ``pareto``: Lomax, ``exp(E / 9) - 1`` with E standard
    exponential) that depends only on ``seed`` and the text."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8,
                             key=str(seed).encode("ascii")).digest()
    u = (int.from_bytes(digest, "big") >> 11) / float(1 << 53)  # uniform in [0, 1)
    return math.expm1(-math.log1p(-u) / PARETO_ALPHA)


def should_keep(score: float, text: str, keep_method: str, seed: int) -> int:
    """Data-Juicer's ``should_keep`` (1 or 0) for a row of this score."""
    if keep_method == "label":
        return int(score > 0.5)
    return int(score > 1.0 - pareto_draw(text, seed))


def _prepare(params: dict, where: str) -> dict:
    if params["keep_method"] is not None and params["keep_method"] not in KEEP_METHODS:
        raise OpError(f"{where}: keep_method must be one of {', '.join(KEEP_METHODS)}, got {params['keep_method']!r}")
    try:
        model = quality_model(params["model"])
    except OpError as err:
        raise OpError(f"{where}: {err}") from None
    except (AssetMissing, ModelFileError) as err:
        raise OpError(f"{where}: {err}") from None
    keep_method = params["keep_method"] or model.keep_method
    return {**params, "keep_method": keep_method}


def doc_scores(texts: list[str], model: str) -> list[float]:
    m = quality_model(model)
    return [m.score(t) for t in texts]


def _compute(docs, p):
    texts = [d.text for d in docs]
    scores = doc_scores(texts, p["model"])
    keep = [should_keep(s, t, p["keep_method"], p["seed"]) for s, t in zip(scores, texts)]
    return {"doc_score": scores, "should_keep": keep}


def _keep(stats, p) -> bool:
    return stats["should_keep"] == 1


def _sketch_score(texts, p):
    return doc_scores(texts, p["model"])


declare(Op(
    name="quality_classifier_filter", kind="filter", family=FAMILY,
    doc="Keep rows a quality classifier (Data-Juicer's tool: tokenizer -> HashingTF -> logistic regression) "
        "accepts: by label (score > 0.5) or by GPT-3's seeded Pareto sampling.",
    params=(Param("model", "str", "en", "A shipped model (`en`, `zh`; Data-Juicer's `gpt3`, `chinese` name them) "
                  "or the path of a model file from `sparkops quality train` (a relative path is read from the working "
                  "directory: a model name is not a file)."),
            Param("keep_method", "str", None, "`gpt3`: keep when score > 1 - Pareto(9) draw; `label`: keep when "
                  "score > 0.5; unset: the model's own (en: gpt3, zh: label, as Data-Juicer's tool sets them).",
                  nullable=True, choices=KEEP_METHODS),
            Param("seed", "int", 42, "Seed of the gpt3 draw; with the row's text it fixes the draw, so a re-run "
                  "keeps the same rows.")),
    stats=(Stat("doc_score", "double", "P(high quality) in [0, 1]: the logistic regression's probability[1] "
                "(Data-Juicer's doc_score)."),
           Stat("should_keep", "long", "1 when the keep method keeps the row, else 0 (Data-Juicer's should_keep).")),
    compute=_compute, keep=_keep, prepare=_prepare,
    sql_name="quality_classifier", sql_fields=(("doc_score", "doc_score"), ("should_keep", "should_keep")),
    sql_params=("model", "keep_method", "seed"),
    sketches=(Sketch("quality_score", "double", ("model",), _sketch_score,
                     "P(high quality) in [0, 1] of the quality classifier (`doc_score`)."),),
    models=("sparkops' quality classifiers (sparkops/assets/quality_en.qc.json.gz, quality_zh.qc.json.gz; "
            "trained by tools/train_quality.py, docs/quality.md)",),
    notes="Scores are computed in Python exactly as Spark ML's pipeline computes them (Tokenizer, HashingTF with "
          "murmur3 seed 42, the logistic function; tests compare with Spark). Spark's Tokenizer splits at each single "
          "ASCII whitespace character, so an empty text is one empty token and gets a score (the model's bias, "
          "about its prior), as in Data-Juicer. Only the first 1,000,000 characters are scored. The gpt3 draw is "
          "seeded per text (Data-Juicer draws from numpy's global generator: different rows on each run); equal "
          "texts share their draw. Data-Juicer's `code` model is not available (it lives on Alibaba's servers). "
          "Held-out AUC / F1 and keep rates: bench/results_quality.json, docs/quality.md.",
    examples=(
        Example("quality_score('') = quality_score('')", True, "an empty text scores the model's bias"),
        Example("quality_score('The committee approved the budget after a long debate about the new "
                "school buildings.') > quality_score('click here buy now cheap viagra free shipping "
                "login register cart')", True),
        Example("quality_classifier('x', 'en', 'label').should_keep "
                "= CAST(quality_classifier('x', 'en', 'label').doc_score > 0.5 AS BIGINT)", True),
    ),
))
