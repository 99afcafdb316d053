"""How well and how fast ``task_decontamination_mapper`` finds GSM8K test items in web text (no Spark).

- **Detection**: the documents of ``tests/decontamination_corpus`` (300 C4 documents, and C4
  documents with GSM8K test questions, answers, both, or the socratic variant's question or
  answer planted in them) against GSM8K test's questions and answers. A document is flagged
  when the kernel hits at least one n-gram in it. Precision and recall of the flag against
  "something was planted", overall and per plant kind, for the per-row kernel (every task
  n-gram) and for NeMo's whole algorithm (``max_matches`` 10: the question planted in 12
  documents is too common to remove, by design), and the per-row kernel with
  ``exact_offsets`` (cuts around the hit itself); with each, the verdicts (None: kept) and
  the pieces kept. "Residual": planted documents kept with a
  piece that still holds a task n-gram somewhere (NeMo does not rescan the piece before a cut,
  and its cuts drift; see ``sparkops.text.decontamination``).
- **Speed**: documents per second of the per-row kernel (``expand``), one process, best of
  ``--repeat`` passes, on the clean C4 documents and on the planted ones; the task table's
  build time.

    PYTHONPATH=. SPARKOPS_SHARED_DATA=../shared/data .venv/bin/python bench/decontamination_eval.py

Prints a markdown table and writes ``bench/results_decontamination.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import decontamination_corpus as corpus  # noqa: E402
from sparkops.core import bind  # noqa: E402
from sparkops.text import decontamination as dc  # noqa: E402

SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OP = "task_decontamination_mapper"


def _rates(flags: list[tuple[bool, bool]]) -> dict:
    tp = sum(f and t for f, t in flags)
    fp = sum(f and not t for f, t in flags)
    fn = sum(t and not f for f, t in flags)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None}


def _residual(pieces: list[str], table: dc.TaskTable) -> bool:
    """Whether a kept piece still holds a task n-gram anywhere (not only where NeMo's scan looks)."""
    for p in pieces:
        ws, _ = dc.words(p)
        for n in table.lengths:
            if any(" ".join(ws[i:i + n]) in table.ngrams for i in range(len(ws) - n + 1)):
                return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results_decontamination.json"))
    a = ap.parse_args()
    gsm8k = SHARED / "sft" / "gsm8k_test.jsonl"
    socratic = SHARED / "sft" / "gsm8k_test_socratic.jsonl"
    docs = corpus.documents(ROOT / "data" / "c4_sample.jsonl", gsm8k, socratic)
    start = time.perf_counter()
    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"]}})
    build_s = time.perf_counter() - start
    table = bound.prepared["table"]

    counts = Counter(g for d in docs for g in dc.hits(d["text"], table))
    restricted = table.restricted(g for g, c in counts.items() if c <= 10)
    results = {}
    for mode, tab, exact in (("per_row", table, False), ("whole", restricted, False),
                             ("per_row_exact_offsets", table, True)):
        by_kind: dict[str, list] = {}
        residual, dropped, pieces = 0, Counter(), 0
        for d in docs:
            cleaned = dc.remove(d["text"], tab, exact=exact)
            dropped[dc.verdict(cleaned)] += 1
            pieces += len(cleaned.pieces) if dc.verdict(cleaned) is None else 0
            flag, truth = bool(cleaned.matched), bool(d["planted"])
            by_kind.setdefault("all", []).append((flag, truth))
            kind = d["planted"][0].split(":")[0] if d["planted"] else "clean"
            group = d["id"].split("-")[0]
            by_kind.setdefault(f"{group}:{kind}", []).append((flag, truth))
            if d["planted"] and dc.verdict(cleaned) is None:
                residual += _residual(cleaned.pieces, table)
        results[mode] = {k: _rates(v) for k, v in sorted(by_kind.items())}
        results[mode]["residual_docs"] = residual
        results[mode]["verdicts"] = {str(k): v for k, v in sorted(dropped.items(), key=str)}
        results[mode]["kept_pieces"] = pieces

    speed = {}
    for name, sel in (("clean_c4", [d for d in docs if d["id"].startswith("c4-")]),
                      ("planted", [d for d in docs if d["planted"]])):
        texts = [d["text"] for d in sel]
        best = min(_timed(bound, texts) for _ in range(a.repeat))
        speed[name] = {"docs": len(texts), "chars": sum(map(len, texts)), "seconds": best,
                       "docs_per_s": len(texts) / best, "mb_per_s": sum(map(len, texts)) / best / 1e6}
    out = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                      f"Python {platform.python_version()}",
           "task_ngrams": len(table.ngrams), "task_table_build_s": build_s, "documents": len(docs),
           "detection": results, "speed": speed}
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    print("| mode | group | precision | recall | tp | fp | fn |\n|---|---|---|---|---|---|---|")
    for mode, rows in results.items():
        for k, r in rows.items():
            if isinstance(r, dict) and "precision" in r:
                prec = "-" if r["precision"] is None else f"{r['precision']:.3f}"
                rec = "-" if r["recall"] is None else f"{r['recall']:.3f}"
                print(f"| {mode} | {k} | {prec} | {rec} | {r['tp']} | {r['fp']} | {r['fn']} |")
        print(f"| {mode} | residual docs | {rows['residual_docs']} | | | | |")
        print(f"| {mode} | verdicts {rows['verdicts']}, kept pieces {rows['kept_pieces']} | | | | | |")
    for k, s in speed.items():
        print(f"speed {k}: {s['docs_per_s']:.0f} docs/s, {s['mb_per_s']:.2f} MB/s ({s['docs']} docs)")
    print(f"task table: {len(table.ngrams)} n-grams in {build_s:.2f} s")


def _timed(bound, texts) -> float:
    start = time.perf_counter()
    bound.expand(texts)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
