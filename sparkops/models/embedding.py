"""Sentence embeddings from a model that ships inside a PyPI package: WordLlama (``wordllama``
0.4.0.post1, MIT), whose wheel holds the ``l2_supercat`` token-embedding table (32,000 Llama-2
tokens x 256 dimensions, float16) and its tokenizer. Nothing is downloaded.

A text's embedding is WordLlama's: the mean of its tokens' embeddings (float32), scaled to unit
length. wordllama's own ``WordLlama.load()`` looks for the tokenizer in a folder its wheel does
not have and then tries Hugging Face, so the two files are opened here directly; and its
``embed`` pads a batch to its longest text (a 1 MB document in a batch of 64 would take
GBs), so the pooling is done here per text, in bounded pieces: equal to ``embed(norm=True)``
(tests/test_embedding.py checks it on real text).
"""

from __future__ import annotations

import numpy as np

from sparkops.core.errors import OpError
from sparkops.models.cache import models

MODELS = {"wordllama": ("l2_supercat", 256)}  # our name -> (wordllama config, dimension)
DIMENSION = 256
# a text longer than this (characters) is tokenized in parts cut at spaces (``pieces``): the same
# tokens, and the tokenizer's memory stays bounded
PIECE_CHARS = 1 << 20
_TOKENS_PER_STEP = 1 << 15  # rows of the float32 gather at a time: 32 MB at most (2^18 rows was 256 MB)


def check_model(name: str, where: str) -> str:
    if name not in MODELS:
        raise OpError(f"{where}: unknown embedding model {name!r}: sparkops embeds with a model that ships in a "
                      f"package: {', '.join(sorted(MODELS))} (wordllama, MIT, 256 dimensions)")
    return name


def _load(name: str):
    from pathlib import Path

    from safetensors import safe_open
    from tokenizers import Tokenizer

    import wordllama

    config, dim = MODELS[name]
    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / f"{config}_tokenizer_config.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with safe_open(str(root / "weights" / f"{config}_{dim}.safetensors"), framework="np") as f:
        table = np.ascontiguousarray(f.get_tensor("embedding.weight").astype(np.float32))
    return tokenizer, table


def model(name: str = "wordllama"):
    """(tokenizer, float32 token-embedding table), loaded once per Python worker."""
    return models.get("embedding", name, lambda: _load(name))


def pieces(text: str, size: int | None = None) -> list[str]:
    """``text`` cut into parts of about ``size`` characters at single spaces between two
    non-space characters, the space itself left out. A Llama tokenizer (this one: prepend '▁',
    spaces to '▁', BPE whose pieces never end in '▁') then gives the parts exactly the tokens it
    gives the whole text: each part's prepended '▁' stands for the dropped space. A text with no
    such space is one part."""
    size = size or PIECE_CHARS
    if len(text) <= size:
        return [text]
    out, start = [], 0
    while len(text) - start > size:
        cut = start + size
        while cut > start and not (text[cut] == " " and text[cut - 1] != " " and cut + 1 < len(text)
                                   and not text[cut + 1].isspace()):
            cut -= 1
        if cut <= start:  # no single space in this window: look forward instead
            cut = start + size
            while cut < len(text) - 1 and not (text[cut] == " " and text[cut - 1] != " "
                                               and not text[cut + 1].isspace()):
                cut += 1
            if cut >= len(text) - 1:
                break
        out.append(text[start:cut])
        start = cut + 1
    out.append(text[start:])
    return out


def embed(texts: list, name: str = "wordllama") -> tuple[np.ndarray, np.ndarray]:
    """(float32 array (n, 256) of unit-length embeddings, bool mask of the texts that have one).
    A text that is None, not a string, or has no token has no embedding (its row is zeros)."""
    tokenizer, table = model(name)
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    has = np.zeros(len(texts), dtype=bool)
    short = [i for i, t in enumerate(texts) if isinstance(t, str) and t and len(t) <= PIECE_CHARS]
    for i, enc in zip(short, tokenizer.encode_batch([texts[i] for i in short], add_special_tokens=False)):
        has[i] = _pool(np.asarray(enc.ids, dtype=np.int64), table, out[i])
    for i, t in enumerate(texts):
        if isinstance(t, str) and len(t) > PIECE_CHARS:
            # one piece at a time, summed as it goes: a 50 MB text's encodings at once took GBs
            total, count = np.zeros(table.shape[1], dtype=np.float64), 0
            for piece in pieces(t):
                ids = np.asarray(_encode_fast(tokenizer, piece).ids, dtype=np.int64)
                np.clip(ids, 0, len(table) - 1, out=ids)
                for a in range(0, len(ids), _TOKENS_PER_STEP):
                    total += table[ids[a:a + _TOKENS_PER_STEP]].sum(axis=0, dtype=np.float64)
                count += len(ids)
            has[i] = _unit(total, count, out[i])
    return out, has


def _encode_fast(tokenizer, text: str):
    # encode_batch_fast: the same ids without character offsets
    fast = getattr(tokenizer, "encode_batch_fast", None)
    return (fast or tokenizer.encode_batch)([text], add_special_tokens=False)[0]


def _pool(ids: np.ndarray, table: np.ndarray, into: np.ndarray) -> bool:
    """Mean of the tokens' vectors, unit length, written into ``into``; False without tokens."""
    if not len(ids):
        return False
    np.clip(ids, 0, len(table) - 1, out=ids)  # as wordllama: an id past the table is its last row
    total = np.zeros(table.shape[1], dtype=np.float64)
    for a in range(0, len(ids), _TOKENS_PER_STEP):
        total += table[ids[a:a + _TOKENS_PER_STEP]].sum(axis=0, dtype=np.float64)
    return _unit(total, len(ids), into)


def _unit(total: np.ndarray, count: int, into: np.ndarray) -> bool:
    """The mean of ``count`` token vectors summing to ``total``, unit length, into ``into``."""
    if not count:
        return False
    mean = (total / count).astype(np.float32)
    norm = float(np.linalg.norm(mean))
    if not norm or not np.isfinite(norm):
        return False
    into[:] = mean / norm
    return True
