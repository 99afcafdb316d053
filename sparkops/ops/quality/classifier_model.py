"""The quality classifier's model file and scoring kernel: Data-Juicer's quality-classifier pipeline
(tokenizer -> ``HashingTF`` -> ``LogisticRegression``) evaluated in pure Python.

A model is trained by Spark ML (``sparkops.spark.quality``) and exported as a small gzipped JSON
file: the tokenizer's name, ``numFeatures``, the intercept and the non-zero coefficients (an
index absent from the file has weight 0, as it has in Spark's dense vector). Scoring repeats
Spark's arithmetic: the hashed term counts (``sparkops.text.spark_features``), their dot product
with the coefficients in increasing index order plus the intercept, then ``1 / (1 + exp(-m))``,
Spark's ``probability[1]`` (Data-Juicer's ``doc_score``). A test checks it against the Spark
pipeline's probabilities on held-out text.

Tokenizers: ``spark`` is Spark ML's ``Tokenizer`` (Data-Juicer's ``gpt3`` model); ``zh_chars`` is
sparkops' own for Chinese (Data-Juicer tokenizes its ``chinese`` model with a sentencepiece model
we cannot get): lower-cased, split at whitespace, each CJK character a token and each pair of
adjacent CJK characters another (Chinese has no spaces; character bigrams carry most of the
word information), other runs of characters one token each.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sparkops.text.spark_features import TermIndexer, spark_tokenize

FORMAT = "sparkops.quality_classifier/1"
TOKENIZERS = ("spark", "zh_chars")
# Texts are scored on their first MAX_CHARS characters: a linear model's margin grows with the
# document, and hashing every token of a 50 MB page costs a minute and gigabytes of Python
# objects. Spark's pipeline has no cut; texts up to this length score identically.
MAX_CHARS = 1_000_000
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_ZH_PIECES = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+|"
                        r"[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")


class ModelFileError(ValueError):
    """A file that is not a sparkops quality-classifier model."""


def zh_tokenize(text: str) -> list[str]:
    """The ``zh_chars`` tokens: CJK characters and their adjacent pairs; other non-space runs."""
    out: list[str] = []
    for piece in _ZH_PIECES.findall(text.lower()):
        if _CJK.match(piece):
            out.extend(piece)
            out.extend(piece[i:i + 2] for i in range(len(piece) - 1))
        else:
            out.append(piece)
    return out


def tokenize(text: str, tokenizer: str) -> list[str]:
    if tokenizer == "spark":
        return spark_tokenize(text)
    if tokenizer == "zh_chars":
        return zh_tokenize(text)
    raise ValueError(f"unknown tokenizer {tokenizer!r} (known: {', '.join(TOKENIZERS)})")


@dataclass
class QualityModel:
    """A logistic regression over hashed term counts."""

    tokenizer: str
    num_features: int
    intercept: float
    weights: dict[int, float]
    keep_method: str = "label"  # the model's default keep method (Data-Juicer: gpt3 -> gpt3, chinese -> label)
    info: dict = field(default_factory=dict)  # how it was trained (data, sizes, settings, held-out scores)

    def __post_init__(self):
        self._indexer = TermIndexer(self.num_features)

    def margin(self, text: str) -> float:
        counts = self._indexer.features(tokenize(text[:MAX_CHARS], self.tokenizer))
        total = 0.0
        weights = self.weights
        for i in sorted(counts):  # Spark's BLAS.dot walks the sparse vector in index order
            w = weights.get(i)
            if w is not None:
                total += counts[i] * w
        return total + self.intercept

    def score(self, text: str) -> float:
        """P(high quality): Spark's ``probability[1]``."""
        m = self.margin(text)
        if m < -709.0:  # exp overflows a double: Java gives 1 / (1 + Infinity) = 0
            return 0.0
        return 1.0 / (1.0 + math.exp(-m))

    def to_json(self) -> dict:
        order = sorted(self.weights)
        return {"format": FORMAT, "tokenizer": self.tokenizer, "num_features": self.num_features,
                "intercept": self.intercept, "keep_method": self.keep_method, "info": self.info,
                "indices": order, "weights": [self.weights[i] for i in order]}

    def save(self, path: str | os.PathLike) -> None:
        """Gzipped JSON, byte-for-byte the same for the same model (floats as Python's repr, which
        reads back exactly; gzip without a timestamp)."""
        raw = json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        Path(path).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def load_model(path: str | os.PathLike) -> QualityModel:
    try:
        data = json.loads(gzip.decompress(Path(path).read_bytes()))
    except (OSError, EOFError, ValueError) as err:
        raise ModelFileError(f"{path}: not a sparkops quality-classifier model (gzipped JSON): {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a sparkops quality-classifier model (format {FORMAT!r} expected)")
    if data["tokenizer"] not in TOKENIZERS:
        raise ModelFileError(f"{path}: unknown tokenizer {data['tokenizer']!r} (known: {', '.join(TOKENIZERS)})")
    return QualityModel(data["tokenizer"], int(data["num_features"]), float(data["intercept"]),
                        dict(zip(map(int, data["indices"]), map(float, data["weights"]))),
                        data.get("keep_method", "label"), data.get("info", {}))
