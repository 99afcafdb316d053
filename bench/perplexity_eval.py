"""Does perplexity_filter's statistic tell prose from word salad, and how fast is it (no Spark)?

- **Held-out AUC**: passages cut from the documents ``tools/train_perplexity.py`` holds out of
  the models' training data (a seeded hash of each document; ``passages``), each against a copy
  of itself with the same words (English) or characters (Chinese) in a seeded random order
  (``garble``). ROC AUC of ``perplexity`` with the garbled copy as the positive class
  (Mann-Whitney, ties count one half), and the paired share where the garbled copy scores higher
  than its own original. Percentiles of both sides give the scale of the numbers.
- **Speed**: docs/s of the op's kernel over the C4 sample (English) and the held-out Chinese
  passages, one process, models loaded, ``--batch`` texts per call (best of ``--repeat``).

    PYTHONPATH=. .venv/bin/python bench/perplexity_eval.py

Prints a markdown table and writes ``bench/results_perplexity.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
C4 = DATA / "web" / "c4_sample.jsonl"
THRESHOLDS = (300, 500, 1000, 1500)  # 1500: Data-Juicer's default max_ppl


def auc(labels, scores) -> float:
    """ROC AUC as the Mann-Whitney statistic (average ranks for ties)."""
    from scipy.stats import rankdata

    y = np.asarray(labels, dtype=bool)
    ranks = rankdata(np.asarray(scores, dtype=float))
    pos, neg = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def percentiles(values) -> dict[str, float]:
    qs = (5, 25, 50, 75, 95)
    return {f"p{q:02d}": round(float(v), 1) for q, v in zip(qs, np.percentile(values, qs))}


def held_out_eval(lang: str) -> dict:
    from sparkops.ops.quality.perplexity import perplexities
    from tools.train_perplexity import SPLIT_SEED, documents, garble, passages, split

    train, held = split(documents(lang, DATA))
    clean = passages(held, lang)
    shuffled = [garble(t, lang) for t in clean]
    pc, ps = perplexities(clean, lang), perplexities(shuffled, lang)
    return {"lang": lang, "split_seed": SPLIT_SEED, "train_docs": len(train), "held_out_docs": len(held),
            "passages": len(clean), "auc": auc([0] * len(pc) + [1] * len(ps), pc + ps),
            "paired_share_garbled_higher": sum(b > a for a, b in zip(pc, ps)) / len(pc),
            "clean_ppl": percentiles(pc), "garbled_ppl": percentiles(ps),
            "kept_share_at_max_ppl": {str(t): {"clean": sum(p <= t for p in pc) / len(pc),
                                               "garbled": sum(p <= t for p in ps) / len(ps)}
                                      for t in THRESHOLDS}}


def speed_eval(lang: str, texts: list[str], source: str, repeat: int, batch: int) -> dict:
    from sparkops.ops.quality.perplexity import language_model, perplexities, tokenizer

    tokenizer(lang), language_model(lang)  # load outside the timing
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            perplexities(texts[i:i + batch], lang)
        best = min(best, time.perf_counter() - started)
    return {"lang": lang, "source": source, "docs": len(texts), "chars": sum(map(len, texts)), "repeat": repeat,
            "batch": batch, "docs_per_s": len(texts) / best, "mb_per_s": sum(len(t.encode()) for t in texts) / best / 1e6}


def load_seconds(lang: str) -> float:
    from sparkops.models.arpa import ArpaModel
    from sparkops.ops.quality.perplexity import _paths

    started = time.perf_counter()
    ArpaModel.load(_paths(lang)[1])
    return time.perf_counter() - started


def model_files() -> dict:
    from sparkops.ops.quality.perplexity import languages, model_dir

    out = {}
    for lang in languages():
        for name in (f"{lang}.sp.model", f"{lang}.arpa.gz"):
            path = model_dir() / name
            out[name] = {"bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256, help="texts per kernel call (as the op's batch_size)")
    parser.add_argument("--out", type=Path, default=HERE / "results_perplexity.json")
    args = parser.parse_args(argv)
    from tools.train_perplexity import documents, passages, split

    held = {lang: held_out_eval(lang) for lang in ("en", "zh")}
    c4 = [json.loads(line)["text"] for line in C4.read_text(encoding="utf-8").splitlines() if line.strip()]
    zh = passages(split(documents("zh", DATA))[1], "zh")
    speed = [speed_eval("en", c4, "web/c4_sample.jsonl (300 docs)", args.repeat, args.batch),
             speed_eval("zh", zh, "held-out Chinese passages", args.repeat, args.batch)]
    result = {"command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count()},
              "models": model_files(), "arpa_load_seconds": {lang: load_seconds(lang) for lang in ("en", "zh")},
              "held_out": held, "speed": speed}
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("| lang | passages | AUC | paired | clean ppl p50 | garbled ppl p50 | docs/s |")
    print("|---|---|---|---|---|---|---|")
    for s in speed:
        h = held[s["lang"]]
        print(f"| {h['lang']} | {h['passages']} | {h['auc']:.4f} | {h['paired_share_garbled_higher']:.3f} | "
              f"{h['clean_ppl']['p50']} | {h['garbled_ppl']['p50']} | {s['docs_per_s']:.0f} |")
    print(f"wrote {args.out}")
    return 0


SECTION_TITLE = "Perplexity: perplexity_filter's models, prose against the same words shuffled"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded evaluation (bench/results_perplexity.json)."""
    m = record["machine"]
    size = sum(f["bytes"] for f in record["models"].values())
    L = [f"## {SECTION_TITLE}", "",
         f"Run {record['date']} on {m['platform']} ({m['cpus']} CPUs, Python {m['python']}): "
         f"`{record['command']}` (the op's kernel in one process, no Spark; models {size:,} bytes in all, "
         "trained by tools/train_perplexity.py). Held-out passages against a copy of themselves with the words "
         "(English) or characters (Chinese) shuffled.", "",
         "| lang | held-out passages | ROC AUC | garbled copy higher | ppl p50 clean / garbled | kept at max_ppl 500: "
         "clean / garbled | kept at 1500 (DJ's default) | docs/s |", "|---|---|---|---|---|---|---|---|"]
    for s in record["speed"]:
        h = record["held_out"][s["lang"]]
        k5, k15 = h["kept_share_at_max_ppl"]["500"], h["kept_share_at_max_ppl"]["1500"]
        L.append(f"| {s['lang']} | {h['passages']:,} | {h['auc']:.4f} | {h['paired_share_garbled_higher']:.3f} | "
                 f"{h['clean_ppl']['p50']:,} / {h['garbled_ppl']['p50']:,} | {k5['clean']:.1%} / {k5['garbled']:.1%} | "
                 f"{k15['clean']:.1%} / {k15['garbled']:.1%} | {s['docs_per_s']:,.0f} ({s['source']}) |")
    L += ["", "The models are not CCNet's: Data-Juicer's default thresholds do not carry over (docs/perplexity.md).",
          ""]
    return L


if __name__ == "__main__":
    sys.exit(main())
