"""Regenerate tests/fixtures/dj_embd_similarity.json with Data-Juicer 1.6.1's own
``TextEmbdSimilarityFilter`` class, WordLlama put in as its model.

    /work/main/.peers/dj/bin/pip install wordllama==0.4.0.post1
    /work/main/.peers/dj/bin/python tools/dj_parity/gen_embd_fixture.py

Data-Juicer embeds through an API or a Hugging Face model, neither reachable here; its Hugging
Face path calls ``get_model(...).encode(text)``. The op module's ``prepare_model`` / ``get_model``
are replaced by wordllama's own ``WordLlamaInference.embed`` (not sparkops' pooling, which the
test thereby checks too). Data-Juicer's only other dependency here is ``torch``, for one call:
``torch.nn.functional.cosine_similarity(x.view(1, -1), valid).mean()``; torch is not installable
in this venv, so that call is given a numpy stand-in that computes what torch documents
(x.y / max(|x| |y|, 1e-8) per validation row, then the mean). Everything else is Data-Juicer's
code: ``prepare_valid_feature`` over ``valid_dataset``, ``_sample_to_text`` (the template, and
the messages fallback), the per-sample statistic and ``process_single``'s keep rule.

Inputs: 24 documents of data/c4_sample.jsonl (ODC-BY, in the repository) as rows; 6 others as
validation records: four with ``text`` and two given only as ``messages`` (Data-Juicer's Dataset
gives those ``text: None``, embedded as the string 'None'), then all six as ``messages`` only (its
fallback to the messages' contents).
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT_FILE = ROOT / "tests" / "fixtures" / "dj_embd_similarity.json"


def _wordllama():
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
        table = f.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer)


class _Encoder:
    def __init__(self):
        self.model = _wordllama()

    def encode(self, text):
        return self.model.embed([text])[0]


def _torch_stand_in():
    """The three torch calls the op makes, in numpy (torch's documented cosine_similarity)."""

    class T:
        def __init__(self, a):
            self.a = np.asarray(a, dtype=np.float64)

        def view(self, *shape):
            return T(self.a.reshape(*shape))

        def mean(self):
            return T(self.a.mean())

        def item(self):
            return float(self.a)

    def cosine_similarity(x, y, dim=1, eps=1e-8):
        nx, ny = np.linalg.norm(x.a, axis=dim), np.linalg.norm(y.a, axis=dim)
        return T((x.a * y.a).sum(axis=dim) / np.maximum(nx * ny, eps))

    torch = types.SimpleNamespace(tensor=T, from_numpy=T, no_grad=lambda: _Null(),
                                  nn=types.SimpleNamespace(functional=types.SimpleNamespace(
                                      cosine_similarity=cosine_similarity)))
    return torch


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def main() -> None:
    from data_juicer.ops.filter import text_embd_similarity_filter as mod
    from data_juicer.utils.constant import Fields

    encoder = _Encoder()
    mod.prepare_model = lambda **kwargs: "wordllama"
    mod.get_model = lambda key, rank=None, use_cuda=False: encoder
    mod.torch = _torch_stand_in()

    with open(ROOT / "data" / "c4_sample.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for line in f][:30]
    rows, valid_texts = docs[:24], docs[24:]
    valid = [{"text": t} for t in valid_texts[:4]] + [{"messages": [{"role": "user", "content": t}]}
                                                       for t in valid_texts[4:]]
    only_messages = [{"messages": [{"role": "user", "content": t}]} for t in valid_texts]
    cases = []
    for params, records in (({"min_score": 0.03, "max_score": 1.0}, valid),
                            ({"min_score": 0.05, "max_score": 0.2, "input_template": "Document: {text}"}, valid),
                            ({"min_score": 0.1, "max_score": 0.3, "reversed_range": True}, valid),
                            ({"min_score": 0.03, "max_score": 1.0}, only_messages)):
        op = mod.TextEmbdSimilarityFilter(api_or_hf_model="wordllama", is_hf_model=True, valid_dataset=records,
                                          **params)
        out = []
        for text in rows:
            sample = {"text": text, Fields.stats: {}}
            sample = op.compute_stats_single(sample)
            out.append({"stat": sample[Fields.stats]["text_embd_similarity"], "keep": bool(op.process_single(sample))})
        cases.append({"params": params, "valid": records, "rows": out})
    OUT_FILE.write_text(json.dumps({
        "generator": "tools/dj_parity/gen_embd_fixture.py", "data_juicer": "1.6.1", "model": "wordllama 0.4.0.post1",
        "rows": "data/c4_sample.jsonl documents 0-23", "cases": cases}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    print(f"wrote {OUT_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
