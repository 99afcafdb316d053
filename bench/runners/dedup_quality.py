"""Untimed quality of dedup outputs against the corpus: recall per injected duplicate kind,
and precision measured on the text itself (run by bench/run.py in the sparkops venv; no Spark).

    .venv/bin/python bench/runners/dedup_quality.py --corpus C.jsonl --output minhash=DIR \
        --output dj_minhash=kept.jsonl [--removed minhash=DIR] --result R.json \
        [--cross-check ../shared/bench/eval_output.py]

- **Recall** per ``dup_kind``: ``/work/shared/bench/eval_output.py``'s definition. A pair
  (original, injected copy) is resolved when the output keeps at most one of the two;
  recall = 1 - pairs with both kept / pairs. ``--cross-check`` runs eval_output.py itself
  (``python3``) on every output and records whether it gives the same numbers.
- **Precision**: the ground truth lists only the injected pairs, while the corpus also
  holds natural near-duplicates (translations sharing code, man pages across versions), so
  a removal is judged on the text: for each removed document, the highest exact Jaccard
  similarity of its shingle set to any document the tool *kept*. Shingles are sparkops's
  (``sparkops.text.shingles``) with Data-Juicer's default parameters: 'space' tokenization,
  window 5, lower-cased. The kept documents to compare with are found by LSH over
  sparkops MinHash signatures at a deliberately low threshold (``BANDS`` x ``ROWS``, see
  ``candidate_probability``), pre-filtered by the signatures' estimate, then checked
  exactly. *Verified precision* = share of removed documents whose best kept match has
  J >= 0.7 (the dedup threshold); also the share >= 0.5. *Distinct documents removed* =
  removed documents that are not injected duplicates and have no kept match >= 0.5: the
  content is gone from the output.
- The exact Jaccard of every injected pair itself, per kind: the share >= 0.7 is what a
  threshold of 0.7 can link directly (more only through clusters, or by error).
- ``--removed``: the removed rows sparkops writes (``id, _duplicate_of, _dup_jaccard``):
  summary of the similarity each tool reports for its own removals.

numpy + sparkops kernels + stdlib.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from sparkops.ops.dedup.minhash import band_keys, signatures
from sparkops.text.shingles import batch_shingle_hashes, jaccard, per_document_sets

# Data-Juicer's document_minhash_deduplicator defaults
TOKENIZATION, WINDOW, LOWERCASE, THRESHOLD = "space", 5, True, 0.7
NUM_PERM = 256
# LSH layout of the analysis, not of any tool: 85 bands of 3 rows make every kept document
# with J >= 0.5 to a removed one a candidate with probability > 0.99999 (see the result JSON)
BANDS, ROWS = 85, 3
# candidates whose signature agreement is below this are not checked exactly: at J = 0.5 the
# estimate from 256 values has a standard deviation of ~0.03, so 0.3 is ~6 sigmas away
PREFILTER = 0.3
BATCH = 2000
EXAMPLES = 15


def candidate_probability(j: float) -> float:
    """P(a pair with Jaccard j shares at least one band)."""
    return 1.0 - (1.0 - j ** ROWS) ** BANDS


# --------------------------------------------------------------------------- corpus


class Corpus:
    """Ground truth and sketches of every corpus document, in file order."""

    def __init__(self, path: str):
        self.ids: list[str] = []
        self.dup_of: list[str | None] = []
        self.kind: list[str | None] = []
        self.source: list[str] = []
        self.sets: list[np.ndarray] = []  # sorted distinct shingle hashes per document
        sigs, keys, has = [], [], []
        batch: list[str] = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                self.ids.append(d["id"])
                self.dup_of.append(d.get("dup_of"))
                self.kind.append(d.get("dup_kind"))
                self.source.append(d.get("source") or "")
                batch.append(d.get("text") or "")
                if len(batch) == BATCH:
                    self._sketch(batch, sigs, keys, has)
                    batch = []
        if batch:
            self._sketch(batch, sigs, keys, has)
        self.sig = np.concatenate(sigs)
        self.keys = np.concatenate(keys)
        self.has = np.concatenate(has)
        self.index = {d: i for i, d in enumerate(self.ids)}

    def _sketch(self, texts: list[str], sigs: list, keys: list, has: list) -> None:
        doc, h = batch_shingle_hashes(texts, TOKENIZATION, WINDOW, LOWERCASE)
        sig, ok = signatures(doc, h, len(texts), NUM_PERM)
        sigs.append(sig)
        keys.append(band_keys(sig, BANDS, ROWS))
        has.append(ok)
        self.sets.extend(per_document_sets(doc, h, len(texts)))

    def __len__(self) -> int:
        return len(self.ids)


# --------------------------------------------------------------------------- outputs


def output_files(path: str) -> list[str]:
    """A JSONL file, or a folder of Spark part-*.json / *.jsonl files."""
    if os.path.isfile(path):
        return [path]
    files = sorted(glob.glob(os.path.join(path, "**", "part-*.json"), recursive=True))
    return files + sorted(glob.glob(os.path.join(path, "**", "*.jsonl"), recursive=True))


def read_records(path: str) -> list[dict]:
    out = []
    for fp in output_files(path):
        with open(fp, encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f if line.strip())
    return out


def kept_mask(corpus: Corpus, path: str) -> tuple[np.ndarray, int, int]:
    """(bool mask over the corpus of the kept documents, output lines, output ids not in the corpus)."""
    mask = np.zeros(len(corpus), dtype=np.bool_)
    lines, unknown = 0, 0
    for fp in output_files(path):
        with open(fp, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                lines += 1
                i = corpus.index.get(json.loads(line).get("id"))
                if i is None:
                    unknown += 1
                else:
                    mask[i] = True
    return mask, lines, unknown


# --------------------------------------------------------------------------- recall


def recall(corpus: Corpus, kept: np.ndarray, complete_only: bool = True) -> dict:
    """eval_output.py's per-kind counts and recall (1 - both kept / pairs). On a slice of
    the corpus an injected copy's original may be missing: eval_output.py counts such a pair
    as resolved (the original is "not kept"); ``complete_only`` counts only the pairs whose
    two documents are both in the corpus given (the same on the whole corpus)."""
    per_kind: dict[str, Counter] = {}
    outside = 0
    for x, (dup_of, kind) in enumerate(zip(corpus.dup_of, corpus.kind)):
        if dup_of is None:
            continue
        d = corpus.index.get(dup_of)
        if d is None:
            outside += 1
            if complete_only:
                continue
        a, b = d is not None and bool(kept[d]), bool(kept[x])
        c = per_kind.setdefault(kind, Counter())
        c["pairs"] += 1
        c["both_kept" if a and b else "one_kept" if a or b else "none_kept"] += 1
    by_kind = {k: round(1 - v["both_kept"] / v["pairs"], 4) for k, v in sorted(per_kind.items())}
    pairs = sum(v["pairs"] for v in per_kind.values())
    both = sum(v["both_kept"] for v in per_kind.values())
    return {"dup_pairs": {k: dict(v) for k, v in sorted(per_kind.items())}, "dup_recall_by_kind": by_kind,
            "dup_recall_all": round(1 - both / pairs, 4) if pairs else None,
            "pairs_with_original_outside_corpus": outside}


def pair_similarity(corpus: Corpus) -> dict:
    """Exact Jaccard of each injected pair itself (both documents in the corpus), per kind:
    how many pairs a threshold of 0.7 can link directly, whatever the tool."""
    by_kind: dict[str, list[float]] = {}
    for x, (dup_of, kind) in enumerate(zip(corpus.dup_of, corpus.kind)):
        d = corpus.index.get(dup_of) if dup_of is not None else None
        if d is not None:
            by_kind.setdefault(kind, []).append(jaccard(corpus.sets[x], corpus.sets[d]))
    out = {}
    for kind, vals in sorted(by_kind.items()):
        v = np.array(vals)
        out[kind] = {"pairs": int(len(v)), "median": float(np.median(v)), "p10": float(np.percentile(v, 10)),
                     "share_ge_0_7": float((v >= THRESHOLD).mean()), "share_ge_0_5": float((v >= 0.5).mean())}
    return out


# --------------------------------------------------------------------------- precision


def candidate_pairs(corpus: Corpus, removed: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(removed doc, kept doc) pairs sharing at least one analysis band, each pair once."""
    n = len(corpus)
    codes = []
    for j in range(BANDS):
        k_key = corpus.keys[kept, j]
        order = np.argsort(k_key, kind="stable")
        k_sorted, k_doc = k_key[order], kept[order]
        r_key = corpus.keys[removed, j]
        lo = np.searchsorted(k_sorted, r_key, side="left")
        cnt = np.searchsorted(k_sorted, r_key, side="right") - lo
        total = int(cnt.sum())
        if not total:
            continue
        # expand each removed doc's run [lo, lo + cnt) of kept docs with the same key
        starts = np.repeat(lo, cnt)
        offsets = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        codes.append(np.repeat(removed, cnt).astype(np.int64) * n + k_doc[starts + offsets])
    if not codes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = np.unique(np.concatenate(codes))
    return codes // n, codes % n


def estimated(corpus: Corpus, a: np.ndarray, b: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    """The signatures' agreement for each pair, in chunks (a chunk gathers 2 x chunk x 1 KB)."""
    out = np.empty(len(a), dtype=np.float64)
    for s in range(0, len(a), chunk):
        out[s:s + chunk] = (corpus.sig[a[s:s + chunk]] == corpus.sig[b[s:s + chunk]]).mean(axis=1)
    return out


def best_kept_match(corpus: Corpus, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """For every removed document: the highest exact Jaccard to a kept document (0 when no
    candidate passes) and that document's index (-1 if none)."""
    removed_all = np.flatnonzero(~kept)
    kept_idx = np.flatnonzero(kept & corpus.has)
    removed = removed_all[corpus.has[removed_all]]
    a, b = candidate_pairs(corpus, removed, kept_idx)
    est = estimated(corpus, a, b)
    sel = est >= PREFILTER
    a, b = a[sel], b[sel]
    exact = np.fromiter((jaccard(corpus.sets[x], corpus.sets[y]) for x, y in zip(a.tolist(), b.tolist())),
                        dtype=np.float64, count=len(a))
    best = np.zeros(len(corpus), dtype=np.float64)
    match = np.full(len(corpus), -1, dtype=np.int64)
    order = np.lexsort((exact, a))  # by removed doc, then J ascending: each doc's last is its best
    a, b, exact = a[order], b[order], exact[order]
    last = np.ones(len(a), dtype=np.bool_)
    last[:-1] = a[1:] != a[:-1]
    best[a[last]] = exact[last]
    match[a[last]] = b[last]
    stats = {"candidate_pairs": int(len(sel)), "checked_exactly": int(len(a)),
             "removed_without_shingles": int(len(removed_all) - len(removed))}
    return best[removed_all], match[removed_all], stats


def example(corpus: Corpus, i: int, best: float, match: int) -> dict:
    return {"id": corpus.ids[i], "source": corpus.source[i], "shingles": int(len(corpus.sets[i])),
            "best_kept_j": round(float(best), 3), "best_kept_id": corpus.ids[match] if match >= 0 else None}


def precision(corpus: Corpus, kept: np.ndarray) -> dict:
    removed = np.flatnonzero(~kept)
    best, match, stats = best_kept_match(corpus, kept)
    injected = np.array([corpus.dup_of[i] is not None for i in removed], dtype=np.bool_)
    n = len(removed)
    distinct = np.flatnonzero(~injected & (best < 0.5))
    lost_injected = np.flatnonzero(injected & (best < 0.5))
    # the worst first: the examples a reader should look at
    worst = distinct[np.argsort(best[distinct], kind="stable")][:EXAMPLES]
    bins = {">=0.9": int((best >= 0.9).sum()), "0.7-0.9": int(((best >= 0.7) & (best < 0.9)).sum()),
            "0.5-0.7": int(((best >= 0.5) & (best < 0.7)).sum()), "<0.5": int((best < 0.5).sum())}
    return {
        "removed": n,
        "removed_injected": int(injected.sum()),
        "removed_not_injected": int((~injected).sum()),
        "verified_precision": float((best >= THRESHOLD).mean()) if n else None,
        "share_ge_0_6": float((best >= 0.6).mean()) if n else None,  # the precision of a 0.6 threshold
        "share_ge_0_5": float((best >= 0.5).mean()) if n else None,
        "best_kept_j_bins": bins,
        "distinct_removed": int(len(distinct)),
        "distinct_removed_examples": [example(corpus, removed[i], best[i], match[i]) for i in worst],
        "distinct_removed_by_source": dict(Counter(corpus.source[removed[i]] for i in distinct).most_common(10)),
        # documents with fewer than `window` tokens have a single shingle
        "distinct_removed_single_shingle": int(sum(len(corpus.sets[removed[i]]) <= 1 for i in distinct)),
        "injected_removed_without_kept_match": int(len(lost_injected)),
        **stats,
    }


# --------------------------------------------------------------------------- provenance, cross-check


def provenance(path: str) -> dict:
    """What sparkops says about its own removals: ``_dup_jaccard`` to the cluster's survivor."""
    rows = read_records(path)
    j = np.array([r["_dup_jaccard"] for r in rows if r.get("_dup_jaccard") is not None], dtype=np.float64)
    if not len(j):
        return {"rows": len(rows)}
    return {"rows": len(rows), "with_similarity": int(len(j)), "min": float(j.min()),
            "median": float(np.median(j)), "share_below_threshold": float((j < THRESHOLD).mean())}


def cross_check(script: str, corpus_path: str, output: str, ours: dict, kept_lines: int) -> dict:
    """eval_output.py itself on the same output: same recall per kind and docs out? ``ours``
    is ``recall(..., complete_only=False)``, eval_output.py's own counting."""
    r = subprocess.run(["python3", script, output, "--corpus", corpus_path], capture_output=True, text=True)
    if r.returncode != 0:
        return {"ok": False, "error": (r.stderr or r.stdout)[-2000:]}
    theirs = json.loads(r.stdout)
    same = (theirs["dup_recall_by_kind"] == ours["dup_recall_by_kind"] and theirs["docs_out"] == kept_lines)
    return {"ok": True, "identical": same, "dup_recall_by_kind": theirs["dup_recall_by_kind"],
            "docs_out": theirs["docs_out"], "dup_recall_all": theirs.get("dup_recall_all")}


def named(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            sys.exit(f"expected NAME=PATH, got {item!r}")
        out[name] = path
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--output", action="append", default=[], help="NAME=PATH of a tool's kept rows")
    ap.add_argument("--removed", action="append", default=[], help="NAME=PATH of sparkops' removed rows")
    ap.add_argument("--result", required=True)
    ap.add_argument("--cross-check", default=None, help="path of eval_output.py, run with python3")
    args = ap.parse_args()

    t0 = time.time()
    corpus = Corpus(args.corpus)
    t1 = time.time()
    print(f"sketched {len(corpus):,} docs in {t1 - t0:.1f} s", flush=True)
    res = {"corpus": args.corpus, "docs": len(corpus), "sketch_s": t1 - t0,
           "analysis": {"tokenization": TOKENIZATION, "window_size": WINDOW, "lowercase": LOWERCASE,
                        "threshold": THRESHOLD, "num_perm": NUM_PERM, "bands": BANDS, "rows": ROWS,
                        "prefilter": PREFILTER,
                        "p_candidate": {str(j): candidate_probability(j) for j in (0.4, 0.5, 0.7)}},
           "injected_pairs_jaccard": pair_similarity(corpus), "tools": {}}
    removed_paths = named(args.removed)
    for name, path in named(args.output).items():
        t = time.time()
        kept, lines, unknown = kept_mask(corpus, path)
        tool = {"output": path, "kept_lines": lines, "kept_ids": int(kept.sum()), "unknown_ids": unknown,
                **recall(corpus, kept), **precision(corpus, kept)}
        if name in removed_paths:
            tool["provenance"] = provenance(removed_paths[name])
        if args.cross_check:
            tool["cross_check"] = cross_check(args.cross_check, args.corpus, path,
                                              recall(corpus, kept, complete_only=False), lines)
        tool["analysis_s"] = time.time() - t
        res["tools"][name] = tool
        print(f"{name}: kept {tool['kept_ids']:,}, recall {tool['dup_recall_by_kind']}, verified precision "
              f"{tool['verified_precision']}, distinct removed {tool['distinct_removed']} "
              f"({tool['analysis_s']:.1f} s)", flush=True)
    res["total_s"] = time.time() - t0
    Path(args.result).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
