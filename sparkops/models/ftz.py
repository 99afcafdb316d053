"""Reading a quantized fastText supervised model (``.ftz``) into numpy arrays, for the C kernel
of ``sparkops.models.fasttext_lid``.

The file, field by field as fastText's ``FastText::loadModel`` reads it: an int32 magic and
version; ``Args::load``: twelve int32 fields and a double; ``Dictionary::load``: size, nwords,
nlabels (int32), ntokens, pruneidx size (int64), each entry a NUL-terminated word, an int64
count and an int8 type, then the pruneidx pairs (int32 bucket, int32 row); a bool (quantized
input) and ``QuantMatrix::load``: a bool qnorm, int64 rows and columns, an **int32** code size,
the codes, ``ProductQuantizer::load`` (int32 dim, nsubq, dsub, lastdsub, the float32
centroids), with qnorm the per-row norm codes and a one-dimensional quantizer of the norms;
a bool (quantized output) and ``DenseMatrix::load``: int64 rows and columns, float32 values.
Only what the kernel implements is accepted; anything else is a ``ValueError`` naming it.
"""

from __future__ import annotations

import struct

import numpy as np

MAGIC = 793712314
ARG_NAMES = ("dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket", "minn",
             "maxn", "lrUpdateRate")
SUPERVISED, HIERARCHICAL_SOFTMAX = 3, 1


class _Reader:
    def __init__(self, data: bytes):
        self.b, self.o = data, 0

    def unpack(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype, n: int) -> np.ndarray:
        a = np.frombuffer(self.b, dtype=dtype, count=n, offset=self.o)
        self.o += a.nbytes
        return a


def _need(ok: bool, what: str, path: str) -> None:
    if not ok:
        raise ValueError(f"{path}: not a model the fastText kernel handles: {what}")


def load_ftz(path: str) -> dict:
    with open(path, "rb") as f:
        r = _Reader(f.read())
    magic, version = r.unpack("ii")
    _need(magic == MAGIC and version <= 12, f"magic {magic}, version {version}", path)
    args = dict(zip(ARG_NAMES, r.unpack("12i")))
    args["t"] = r.unpack("d")
    _need(args["model"] == SUPERVISED and args["loss"] == HIERARCHICAL_SOFTMAX, "a supervised model with "
          "hierarchical softmax", path)
    _need(args["wordNgrams"] == 1 and args["dim"] == 16 and args["maxn"] > 0 and version != 11,
          "wordNgrams 1, dim 16, character n-grams", path)
    size, nwords, nlabels, _ntokens, prune_size = r.unpack("iiiqq")
    words, counts, types = [], [], []
    for _ in range(size):
        end = r.b.index(b"\0", r.o)
        words.append(r.b[r.o:end])
        r.o = end + 1
        count, kind = r.unpack("qb")
        counts.append(count)
        types.append(kind)
    _need(prune_size >= 0, "a pruned dictionary (a quantized model has one)", path)
    pairs = r.array("<i4", 2 * prune_size).reshape(-1, 2)
    _need(bool(r.unpack("?")), "a quantized input matrix", path)
    qnorm, rows, cols, codesize = r.unpack("?qqi")
    codes = r.array(np.uint8, codesize)
    pq = r.unpack("iiii")  # dim, nsubq, dsub, lastdsub
    _need(pq == (16, 8, 2, 2) and cols == 16 and codesize == rows * 8, "8 sub-quantizers of 2 dimensions", path)
    centroids = r.array("<f4", 16 * 256)
    if qnorm:  # each row's norm: a code into a one-dimensional quantizer's 256 centroids
        norm_codes = r.array(np.uint8, rows)
        _need(r.unpack("iiii") == (1, 1, 1, 1), "a one-dimensional norm quantizer", path)
        norms = r.array("<f4", 256)[norm_codes]
    else:
        norms = np.ones(rows, np.float32)
    _need(not r.unpack("?"), "a dense output matrix", path)
    out_rows, out_cols = r.unpack("qq")
    output = r.array("<f4", out_rows * out_cols)
    _need(r.o == len(r.b), "nothing after the output matrix", path)
    _need(types[:nwords] == [0] * nwords and types[nwords:] == [1] * nlabels, "words, then labels", path)
    _need(not any(w.startswith(b"__label__") for w in words[:nwords]), "no word that looks like a label", path)
    return {
        "args": args, "nwords": nwords, "nlabels": nlabels, "words": words[:nwords],
        "labels": [w.decode("utf-8") for w in words[nwords:]],
        "label_counts": np.array(counts[nwords:], np.int64),
        "prune_keys": np.ascontiguousarray(pairs[:, 0]), "prune_vals": np.ascontiguousarray(pairs[:, 1]),
        "codes": np.ascontiguousarray(codes), "norms": np.ascontiguousarray(norms, np.float32),
        "centroids": np.ascontiguousarray(centroids), "output": np.ascontiguousarray(output),
    }
