"""perplexity_filter: Data-Juicer's perplexity of a text under an n-gram language model that
sparkops trains itself (a sentencepiece model and a KenLM-format ARPA model per language,
``sparkops/assets/perplexity/``, built by ``tools/train_perplexity.py``; docs/perplexity.md).

The statistic is Data-Juicer 1.6.1's, step by step: the document's sentencepiece pieces
(``encode_as_pieces``) joined by single spaces; per line of that (``str.splitlines``) the
line's kenlm score (log10, with ``<s>`` and ``</s>``) summed, and the line's word count + 1
summed; ``10 ** (-logits / length)`` rounded to one decimal, 0.0 when there is no line. The
kenlm score comes from ``sparkops.models.arpa`` (numpy, bit-exact with the kenlm module), so
the op runs in the fused pass without a C++ extension.
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkops.assets import ASSET_DIR, AssetMissing
from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.models.cache import models

MODELS_ENV = "SPARKOPS_PERPLEXITY_MODELS"
SP_FILE = "{}.sp.model"        # Data-Juicer's name pattern for the tokenizer
ARPA_FILE = "{}.arpa.gz"       # Data-Juicer loads {}.arpa.bin (kenlm binary); ours is a gzipped ARPA


def model_dir() -> Path:
    configured = os.environ.get(MODELS_ENV)
    return Path(configured) if configured else ASSET_DIR / "perplexity"


def languages() -> list[str]:
    """Languages with both model files in the model folder."""
    folder = model_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".sp.model")] for p in folder.glob("*.sp.model")
                  if (folder / ARPA_FILE.format(p.name[: -len(".sp.model")])).is_file())


def _paths(lang: str) -> tuple[Path, Path]:
    folder = model_dir()
    sp, arpa = folder / SP_FILE.format(lang), folder / ARPA_FILE.format(lang)
    for path in (sp, arpa):
        if not path.is_file():
            raise AssetMissing(f"perplexity model file {path} not found: the models ship with sparkops "
                               f"(sparkops/assets/perplexity/); rebuild them with tools/train_perplexity.py or set "
                               f"{MODELS_ENV} to a folder holding {sp.name} and {arpa.name}.")
    return sp, arpa


def tokenizer(lang: str):
    """The language's sentencepiece model, loaded once per Python worker."""
    path, _ = _paths(lang)

    def load():
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_file=os.fspath(path))

    return models.get("sentencepiece", os.fspath(path), load)


def language_model(lang: str):
    """The language's n-gram model (``sparkops.models.arpa.ArpaModel``), loaded once per worker."""
    _, path = _paths(lang)

    def load():
        from sparkops.models.arpa import ArpaModel

        return ArpaModel.load(path)

    return models.get("arpa", os.fspath(path), load)


def formula(lines: list[str], scores: list[float]) -> float:
    """Data-Juicer's perplexity from the lines of the space-joined pieces and their kenlm scores."""
    logits, length = 0.0, 0
    for line, score in zip(lines, scores):
        logits += score  # kenlm's float32 total, summed as a Python float as Data-Juicer does
        length += len(line.split()) + 1
    ppl = (10.0 ** (-logits / length)) if length != 0 else 0.0
    return round(ppl, 1)


def _clean(text: str) -> str:
    if text.isascii():
        return text
    # a lone surrogate (a Python str may hold one) cannot cross into sentencepiece: it becomes '?'
    return text.encode("utf-8", "replace").decode("utf-8")


def perplexities(texts: list[str], lang: str = "en") -> list[float]:
    """The perplexity of each text (Data-Juicer's ``perplexity`` stat), scored as one batch."""
    encode = tokenizer(lang).encode_as_pieces  # Data-Juicer's call; one thread, as a Spark task expects
    pieces = [encode(_clean(t)) for t in texts]
    lines = [" ".join(p).splitlines() for p in pieces]
    scores = language_model(lang).score_lines([line for mine in lines for line in mine])
    out, at = [], 0
    for mine in lines:
        out.append(formula(mine, scores[at:at + len(mine)]))
        at += len(mine)
    return out


def perplexity(text: str, lang: str = "en") -> float:
    return perplexities([text], lang)[0]


def _prepare(values: dict, where: str) -> dict:
    lang = values["lang"]
    available = languages()
    if lang not in available:
        raise OpError(f"{where}: lang {lang!r} has no perplexity model (available: {', '.join(available) or 'none'}; "
                      f"models in {model_dir()}, trained by tools/train_perplexity.py)")
    return values


def _compute(docs, p):
    return {"perplexity": perplexities([d.text for d in docs], p["lang"])}


declare(Op(
    name="perplexity_filter", kind="filter", family="quality",
    doc="Keep rows whose perplexity under sparkops' n-gram language model of `lang` (sentencepiece pieces, "
        "Kneser-Ney trigrams in KenLM's ARPA format) is within [min_ppl, max_ppl].",
    params=(Param("lang", "str", "en", "Language of the model that scores the text (`en`, `zh`)."),
            Param("min_ppl", "float", 0.0, "Keep rows with at least this perplexity."),
            Param("max_ppl", "float", 1500.0, "Keep rows with at most this perplexity (Data-Juicer's default, "
                  "set for CCNet's models: check the scale of ours in docs/perplexity.md).")),
    stats=(Stat("perplexity", "double", "10^(-log10 p / (pieces + 1 per line)) under the language's n-gram model, "
                "rounded to 0.1; 0 for a text without a piece."),),
    compute=_compute, prepare=_prepare, batch_size=256, range=("perplexity", "min_ppl", "max_ppl"), sql_params=("lang",),
    requires=("perplexity",),
    models=("sentencepiece unigram model + pruned modified-Kneser-Ney trigram ARPA model per language "
            "(sparkops/assets/perplexity/, trained by tools/train_perplexity.py on shared/data text)",),
    notes="Data-Juicer's statistic on models sparkops trains (Data-Juicer downloads CCNet's Wikipedia models, "
          "which are not reachable here): the same text gets a different number than in Data-Juicer, so thresholds "
          "do not carry over; docs/perplexity.md gives the scale (held-out prose vs shuffled words). sentencepiece "
          "turns line breaks into spaces, so a document is usually scored as one line; a character that survives "
          "normalisation and that `str.splitlines` splits on (U+0085) splits it, as in Data-Juicer. An empty or "
          "whitespace-only text scores 0 (no line). A lone surrogate becomes '?' (Data-Juicer's sentencepiece call "
          "raises). A huge text is scored whole (no cut, as Data-Juicer): time and memory grow linearly with it. "
          "`lang` must name a shipped model, checked when the op is bound.",
    examples=(
        Example("perplexity('')", 0.0, "no piece: Data-Juicer's 0"),
        Example("perplexity('The city is the capital of the province.') < "
                "perplexity('province capital city of is the the The.')", True, "shuffled words score higher"),
        Example("perplexity('他们在北京的大学里学习中文。', 'zh') < perplexity('学他中北在们京习的学大里文。', 'zh')", True),
    ),
))
