"""perplexity_filter: Data-Juicer's perplexity of a text under an n-gram language model that
sparkops trains itself (a sentencepiece model and a KenLM-format ARPA model per language,
``sparkops/assets/perplexity/``, built by ``tools/train_perplexity.py``; docs/perplexity.md).

The statistic is Data-Juicer 1.6.1's, step by step: the document's sentencepiece pieces
(``encode_as_pieces``) joined by single spaces; per line of that (``str.splitlines``) the
line's kenlm score (log10, with ``<s>`` and ``</s>``) summed, and the line's word count + 1
summed; ``10 ** (-logits / length)`` rounded to one decimal, 0.0 when there is no line. The
kenlm score comes from ``sparkops.models.arpa`` (numpy, bit-exact with the kenlm module), so
the op runs in the fused pass without a C++ extension.
A text over ``PART_CHARS`` is encoded in parts cut at whitespace and scored in windows (``_streamed``),
in bounded memory.
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


# A text longer than this goes to sentencepiece in parts cut at whitespace, and its piece lines are
# scored in windows of pieces, so its memory is bounded (a 50 MB text encoded at once held 2.3 GB).
# The parts can segment a word differently from one call on the whole text: sentencepiece sums a
# path's score in float32 from the start of its input, so far into a huge input the rounding
# breaks near-ties its own way (docs/perplexity.md, Limits).
PART_CHARS = 1 << 20
WINDOW_PIECES = 1 << 16
# nmt_nfkc maps each to a space on its own (no rule of its character map spans one), and no piece
# spans a space (split_by_whitespace): encoding the parts gives the pieces of one call, up to the
# float32 rounding above
_CUTS = (" ", "\n")


def formula(lines: list[str], scores: list[float]) -> float:
    """Data-Juicer's perplexity from the lines of the space-joined pieces and their kenlm scores."""
    logits, length = 0.0, 0
    for line, score in zip(lines, scores):
        logits += score  # kenlm's float32 total, summed as a Python float as Data-Juicer does
        length += len(line.split()) + 1
    return _rounded(logits, length)


def _rounded(logits: float, length: int) -> float:
    ppl = (10.0 ** (-logits / length)) if length != 0 else 0.0
    return round(ppl, 1)


def _clean(text: str) -> str:
    if text.isascii():
        return text
    # a lone surrogate (a Python str may hold one) cannot cross into sentencepiece: it becomes '?'
    return text.encode("utf-8", "replace").decode("utf-8")


def parts(text: str, size: int | None = None):
    """``text`` in consecutive slices of about ``size`` characters, each after the first starting
    at a space or line break (a slice without one runs on to the next)."""
    size = size or PART_CHARS
    at = 0
    while at < len(text):
        end = at + size
        if end < len(text):
            cut = max(text.rfind(c, at + 1, end + 1) for c in _CUTS)
            if cut < 0:
                found = [k for k in (text.find(c, end) for c in _CUTS) if k >= 0]
                cut = min(found) if found else len(text)
            end = cut
        yield text[at:end]
        at = end


def _streamed(text: str, encode, lm) -> float:
    """Data-Juicer's perplexity of a huge text, its pieces made and scored part by part. The
    space-joined pieces are read as ``str.splitlines`` reads them, a line's fragments going to
    one ``LineScorer``: a line's score and word count are those of the line scored whole."""
    scorer = lm.line_scorer()
    logits, length, words, open_line, started = 0.0, 0, 0, False, False
    for part in parts(text):
        pieces = encode(_clean(part))
        for i in range(0, len(pieces), WINDOW_PIECES):
            # " ".join over all the pieces puts one space between consecutive windows
            segment = (" " if started else "") + " ".join(pieces[i:i + WINDOW_PIECES])
            started = True
            for fragment in segment.splitlines(keepends=True):
                body = fragment.splitlines()[0]
                scorer.add(body)
                words += len(body.split())
                if len(body) < len(fragment):  # a line break closes the line, even an empty one
                    logits += scorer.end()
                    length += words + 1
                    words, open_line = 0, False
                else:
                    open_line = True
    if open_line:  # text after the last line break is a line when it is not empty
        logits += scorer.end()
        length += words + 1
    return _rounded(logits, length)


def perplexities(texts: list[str], lang: str = "en") -> list[float]:
    """The perplexity of each text (Data-Juicer's ``perplexity`` stat), scored as one batch
    (a text longer than ``PART_CHARS`` on its own, in parts)."""
    encode = tokenizer(lang).encode_as_pieces  # Data-Juicer's call; one thread, as a Spark task expects
    lm = language_model(lang)
    out: list[float | None] = [None] * len(texts)
    small = [i for i, t in enumerate(texts) if len(t) <= PART_CHARS]
    lines = [" ".join(encode(_clean(texts[i]))).splitlines() for i in small]
    scores = lm.score_lines([line for mine in lines for line in mine])
    at = 0
    for i, mine in zip(small, lines):
        out[i] = formula(mine, scores[at:at + len(mine)])
        at += len(mine)
    for i, text in enumerate(texts):
        if out[i] is None:
            out[i] = _streamed(text, encode, lm)
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
          "raises). A text over 2^20 characters is encoded in parts cut at a space or line break (Data-Juicer encodes it whole) and scored "
          "in windows, in bounded memory: its number can differ in the last digit, as sentencepiece's float32 path "
          "score segments some words of a huge input otherwise (docs/perplexity.md). "
          "`lang` must name a shipped model, checked when the op is bound.",
    examples=(
        Example("perplexity('')", 0.0, "no piece: Data-Juicer's 0"),
        Example("perplexity('The city is the capital of the province.') < "
                "perplexity('province capital city of is the the The.')", True, "shuffled words score higher"),
        Example("perplexity('他们在北京的大学里学习中文。', 'zh') < perplexity('学他中北在们京习的学大里文。', 'zh')", True),
    ),
))
