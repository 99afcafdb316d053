"""Run NeMo Curator's own ``TaskDecontamination`` over ``tests/decontamination_corpus`` and write
``tests/fixtures/nemo_decontamination.json.gz``.

NeMo Curator 0.x does not install here with its dependencies (RAPIDS, dask-cuda, ...), and the
decontamination code needs none of them: its three modules (``utils/text_utils.py``,
``tasks/downstream_task.py``, ``modules/task.py``) are loaded from a NeMo Curator checkout at a
release tag, with empty stand-ins for the imports only ``TaskDecontamination.call`` uses (dask,
``DocumentDataset``, ``BaseModule``). The module's own methods then run on pandas partitions
exactly as ``call`` runs them per partition:

1. ``DownstreamTask._update_ngrams`` over every GSM8K test question and answer;
2. ``_find_ngrams`` over every document, counts merged (``_merge_counts``),
   ``_threshold_ngram_count`` (``max_matches``);
3. ``_remove_ngrams_partition`` over the whole corpus as one partition.

Documents are not stored (``tests/decontamination_corpus`` rebuilds them; ``corpus_sha256`` pins
them); a document's pieces are stored as ``[start, end]`` offsets into it (``pieces``: the kept
documents after the whole algorithm; ``per_row_pieces``: ``_remove_ngrams`` of every document
against all task n-grams, the per-row kernel without corpus counts).

Usage (any Python with pandas; the lead's venv will do)::

    python tools/nemo_parity/gen_decontamination_fixture.py \\
        --git-dir /path/to/NeMo-Curator/.git --tag v0.8.0
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import decontamination_corpus as corpus  # noqa: E402

SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
MODULES = ("nemo_curator/utils/text_utils.py", "nemo_curator/tasks/downstream_task.py",
           "nemo_curator/modules/task.py")


def _stub(name: str, **attrs) -> types.ModuleType:
    mod = sys.modules.get(name) or types.ModuleType(name)
    mod.__path__ = []  # a package, so submodules import
    for k, v in attrs.items():
        setattr(mod, k, v)
    sys.modules[name] = mod
    return mod


def load_nemo(git_dir: str, tag: str):
    """NeMo's TaskDecontamination and DownstreamTask classes, from ``tag`` of ``git_dir``."""

    class BaseModule:  # stand-in: only its __init__(input_backend=...) is used
        def __init__(self, *args, **kwargs):
            pass

    _stub("dask", delayed=lambda f: f)
    _stub("dask.dataframe")
    _stub("nemo_curator")
    _stub("nemo_curator.datasets", DocumentDataset=object)
    _stub("nemo_curator.modules")
    _stub("nemo_curator.modules.base", BaseModule=BaseModule)
    _stub("nemo_curator.tasks")
    _stub("nemo_curator.utils")
    _stub("nemo_curator.utils.distributed_utils", single_partition_write_with_filename=None)
    loaded = {}
    for path in MODULES:
        source = subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{path}"], check=True,
                                capture_output=True, text=True).stdout
        name = path[:-3].replace("/", ".")
        mod = types.ModuleType(name)
        mod.__file__ = path
        sys.modules[name] = mod
        exec(compile(source, f"{tag}:{path}", "exec"), mod.__dict__)
        loaded[name] = mod
    return loaded["nemo_curator.modules.task"].TaskDecontamination, \
        loaded["nemo_curator.tasks.downstream_task"].DownstreamTask


def encode_pieces(text: str, pieces: list[str]) -> list[list[int]]:
    """Each piece as [start, end] in its document (NeMo's pieces are disjoint substrings, in order)."""
    out, cursor = [], 0
    for piece in pieces:
        start = text.find(piece, cursor)
        assert start >= 0, "a piece that is not a substring of its document"
        out.append([start, start + len(piece)])
        cursor = start + len(piece)
    return out


def run(git_dir: str, tag: str) -> dict:
    import pandas as pd

    TaskDecontamination, DownstreamTask = load_nemo(git_dir, tag)

    class Gsm8kTest(DownstreamTask):
        def __init__(self, texts):
            super().__init__()
            self._task_name = "gsm8k_test"
            self._texts = texts

        def generate_ngrams(self):
            for t in self._texts:
                self._update_ngrams(t, 8, 13)  # NeMo's task defaults
            return self.ngrams

    docs = corpus.documents(ROOT / "data" / "c4_sample.jsonl", SHARED / "sft" / "gsm8k_test.jsonl",
                            SHARED / "sft" / "gsm8k_test_socratic.jsonl")
    task_texts = corpus.task_texts(SHARED / "sft" / "gsm8k_test.jsonl")
    task_ngrams = Gsm8kTest(task_texts).generate_ngrams()
    out = {"nemo_tag": tag, "corpus_sha256": corpus.corpus_sha256(docs), "task_ngram_count": len(task_ngrams),
           "configs": {}}
    for name, kwargs in corpus.CONFIGS.items():
        td = TaskDecontamination([], **kwargs)
        freq = td._compute_ngram_freq_sorted(task_ngrams)
        partition = pd.DataFrame({"id": [d["id"] for d in docs], "text": [d["text"] for d in docs]})
        with contextlib.redirect_stdout(io.StringIO()):  # NeMo prints every hit
            counts = td._find_ngrams_partition(partition, task_ngrams, freq)
            kept = td._threshold_ngram_count(dict(counts))
            rows = td._remove_ngrams_partition(partition.copy(), kept, freq)
            # the per-document kernel alone, against every task n-gram (no corpus counts)
            per_row = {d["id"]: td._remove_ngrams(d["text"], task_ngrams, freq) for d in docs}
        texts = {d["id"]: d["text"] for d in docs}
        pieces: dict[str, list[str]] = {}
        for doc_id, text in zip(rows["id"], rows["text"]):
            pieces.setdefault(doc_id, []).append(text)
        pieces = {k: encode_pieces(texts[k], v) for k, v in pieces.items()}
        per_row = {k: encode_pieces(texts[k], v) for k, v in per_row.items()}
        out["configs"][name] = {
            "kwargs": kwargs, "lengths": [n for n, _ in freq],
            "counts": dict(sorted(counts.items())), "removable": sorted(kept),
            "pieces": pieces, "per_row_pieces": per_row,
        }
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--tag", default="v0.8.0")
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "nemo_decontamination.json.gz"))
    a = ap.parse_args()
    data = run(a.git_dir, a.tag)
    with gzip.open(a.out, "wt", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True)
    print(f"wrote {a.out}: {data['task_ngram_count']} task n-grams, configs {list(data['configs'])}")


if __name__ == "__main__":
    main()
