"""How well sparkops' quality models separate curated from raw web text on held-out data, what
they keep, and how fast they score (no Spark: the kernels the fused pass runs).

- **Held-out**: the documents ``tools/train_quality.py`` holds out (``splits``: a seeded hash of
  the text; a zh synthetic negative goes with its source; the models never saw them), per model: ROC AUC, precision / recall / F1 at 0.5 (Spark's
  prediction rule), and keep rates: the share of held-out positives and negatives kept by the
  ``label`` method and by the ``gpt3`` method (seed 42).
- **Keep rates on real data**: the share of the C4 sample (filtered web text; part of the
  English models' negatives, so these numbers are in-sample) and of English Wikipedia passages
  kept.
- **Speed**: docs/s of each kernel over the held-out documents, one process, model loaded,
  best of ``--repeat`` passes.

    PYTHONPATH=. .venv/bin/python bench/quality_eval.py

Prints a summary and writes ``bench/results_quality.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))

import train_quality as recipe  # noqa: E402

from sparkops.ops.quality import fasttext_quality as ftq  # noqa: E402
from sparkops.ops.quality.quality_classifier import quality_model, should_keep  # noqa: E402
from sparkops.spark.quality import binary_metrics  # noqa: E402


def _rate(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0


def _speed(score, texts, repeat) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        score(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def evaluate(repeat: int = 3) -> dict:
    out: dict = {"held_out": {}, "speed_docs_per_s": {}}
    held = {}
    for lang in ("en", "zh"):
        (_, pos_held), (_, neg_held) = recipe.splits(lang)
        held[lang] = (pos_held, neg_held)
    for name, lang in (("quality_classifier:en", "en"), ("quality_classifier:zh", "zh")):
        model = quality_model(lang)
        pos, neg = held[lang]
        ps, ns = [model.score(t) for t in pos], [model.score(t) for t in neg]
        res = binary_metrics([1] * len(ps) + [0] * len(ns), ps + ns)
        res["keep_label"] = {"positive": _rate(s > 0.5 for s in ps), "negative": _rate(s > 0.5 for s in ns)}
        res["keep_gpt3"] = {"positive": _rate(should_keep(s, t, "gpt3", 42) for s, t in zip(ps, pos)),
                            "negative": _rate(should_keep(s, t, "gpt3", 42) for s, t in zip(ns, neg))}
        if lang == "zh":
            # what each kind of held-out negative scores: the synthetic ones by transformation
            kind_of = {recipe.synthetic_zh(t): recipe.synthetic_kind(t) for t in held["zh"][0]}
            by_kind: dict = {}
            for s, t in zip(ns, neg):
                by_kind.setdefault(kind_of.get(t, "web_page"), []).append(s)
            res["negatives_by_kind"] = {k: {"n": len(v), "keep_label": _rate(s > 0.5 for s in v),
                                            "mean_score": sum(v) / len(v)} for k, v in sorted(by_kind.items())}
        out["held_out"][name] = res
        out["speed_docs_per_s"][name] = _speed(lambda ts: [model.score(t) for t in ts], pos + neg, repeat)
    pos, neg = held["en"]
    ps = [s["__label__hq"] for s in ftq.label_scores(pos, "en", "")]
    ns = [s["__label__hq"] for s in ftq.label_scores(neg, "en", "")]
    res = binary_metrics([1] * len(ps) + [0] * len(ns), ps + ns)
    res["keep_hq_0.5"] = {"positive": _rate(s >= 0.5 for s in ps), "negative": _rate(s >= 0.5 for s in ns)}
    out["held_out"]["fasttext_quality:en"] = res
    out["speed_docs_per_s"]["fasttext_quality:en"] = _speed(lambda ts: ftq.label_scores(ts, "en", ""), pos + neg,
                                                            repeat)
    c4 = [json.loads(line)["text"] for line in open(recipe.DATA / "web" / "c4_sample.jsonl", encoding="utf-8")]
    en = quality_model("en")
    c4_scores = [en.score(t) for t in c4]
    ft_c4 = [s["__label__hq"] for s in ftq.label_scores(c4, "en", "")]
    out["c4_sample"] = {"docs": len(c4), "note": "in the English models' training negatives (in-sample)",
                        "quality_classifier:en keep_label": _rate(s > 0.5 for s in c4_scores),
                        "quality_classifier:en keep_gpt3": _rate(should_keep(s, t, "gpt3", 42)
                                                                 for s, t in zip(c4_scores, c4)),
                        "fasttext_quality:en keep_hq_0.5": _rate(s >= 0.5 for s in ft_c4)}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results_quality.json")
    args = parser.parse_args(argv)
    result = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "command": "PYTHONPATH=. .venv/bin/python bench/quality_eval.py",
              "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
              "recipe": "tools/train_quality.py (split_seed %d, held out %.0f%%)" % (recipe.SPLIT_SEED,
                                                                                    100 * recipe.HELD_OUT),
              **evaluate(args.repeat)}
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, res in result["held_out"].items():
        print(f"{name}: AUC {res['auc']:.4f} F1 {res['f1']:.4f} P {res['precision']:.4f} R {res['recall']:.4f} "
              f"(n={res['n']}, {res['positives']} pos) speed {result['speed_docs_per_s'][name]:.0f} docs/s")
    print(json.dumps(result["c4_sample"]))
    return 0


SECTION_TITLE = "Quality classifiers: quality_classifier_filter's and fasttext_quality_filter's models on held-out text"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded evaluation (bench/results_quality.json)."""
    m = record["machine"]
    L = [f"## {SECTION_TITLE}", "",
         f"Run {record['date']} on {m['platform']} ({m['cpus']} CPUs): `{record['command']}` (the ops' kernels in "
         f"one process, no Spark; data: {record['recipe']}).", "",
         "| model | held-out pos / neg | ROC AUC | F1 at 0.5 | kept by label: pos / neg | kept by gpt3 (Pareto): "
         "pos / neg | docs/s |", "|---|---|---|---|---|---|---|"]
    for name, h in record["held_out"].items():
        gpt3 = h.get("keep_gpt3")
        g = f"{gpt3['positive']:.1%} / {gpt3['negative']:.1%}" if gpt3 else "-"
        speed = record["speed_docs_per_s"].get(name)
        label = h.get("keep_label") or h["keep_hq_0.5"]  # fastText: label hq with score >= 0.5
        L.append(f"| {name} | {h['positives']:,} / {h['negatives']:,} | {h['auc']:.3f} | {h['f1']:.3f} | "
                 f"{label['positive']:.1%} / {label['negative']:.1%} | {g} | "
                 f"{f'{speed:,.0f}' if speed else '-'} |")
    L += ["", "The Chinese negatives are synthetic (shuffled, mojibake, boilerplate-like text made from the "
          "positives: docs/quality.md): the numbers say how well the model spots those, not real web text.", ""]
    return L


if __name__ == "__main__":
    sys.exit(main())
