"""The dedup scenario: sparkops' ``document_minhash_deduplicator`` vs Data-Juicer's (and
datatrove's and text-dedup's MinHash dedup: bench/runners/dedup_peers.py), on the corpus with
injected duplicates.

bench/run.py times the tools; this module holds what is specific to the scenario:

- the inputs: the Spark command (``bench/runners/spark_job.py --mode minhash[_verified]``) and the
  Data-Juicer config (only ``document_minhash_deduplicator:``, its defaults);
- the peers' published recall, read from ``../shared/bench/README.md`` (reference only:
  measured elsewhere, not in this run);
- the scaling corpora: the corpus followed by k-1 lightly edited replicas of itself;
- the report's tables and interpretation lines (run.py's shared helpers build the rest).

The quality analysis itself is ``bench/runners/dedup_quality.py`` (its own process). Stdlib only.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
from pathlib import Path

from bench.harness import proctree
from bench.harness.common import RUNNERS, SPARK_PY, WORK, log, spark_env
from bench.harness.report import (RESULTS_LEGEND, all_runs_table, cpu_role_table, machine_lines, ratio_lines,
                                  results_table, run_lines)
from bench.harness.runs import DJ_TOOLS, kept_ids, run_attempts, slim_run
from bench.runners import dedup_peers

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "runners"
PEERS_README = (ROOT / ".." / "shared" / "bench" / "README.md").resolve()
EVAL_OUTPUT = (ROOT / ".." / "shared" / "bench" / "eval_output.py").resolve()
OP = "document_minhash_deduplicator"
KINDS = ("exact", "ws_case", "near_light", "near_heavy")
# the Jaccard threshold each tool was asked for (Data-Juicer's default 0.7 unless listed): its
# removals are judged against it
THRESHOLD_OF = {"minhash_verified_t06": 0.6}
SPARK_TOOLS = ("minhash", "minhash_verified", "minhash_verified_t06")

TOOLS = {
    "minhash": "sparkops document_minhash_deduplicator (DJ defaults), local[2]",
    "minhash_verified": "sparkops document_minhash_deduplicator, verify: true, local[2]",
    # not Data-Juicer's default threshold: shows what the precise mode gives at a lower one
    "minhash_verified_t06": "sparkops document_minhash_deduplicator, verify: true, jaccard_threshold 0.6, local[2]",
    "dj_minhash": "Data-Juicer 1.6.1 document_minhash_deduplicator (defaults), np=2",
    **{tool: peer["desc"] for tool, peer in dedup_peers.PEERS.items()},
}
PEER_TOOLS = tuple(dedup_peers.PEERS)

# scaling corpora: replicas differ from their source in ~2 % of the words, so each replica
# is a near-duplicate of its source (J around 0.8 with 5-word shingles), as in real crawls
SCALING_FACTORS = (2, 4)
EDIT_RATE = 0.02
EDIT_SEED = 20240601
_SPLIT = re.compile(r"(\s+)")


# --------------------------------------------------------------------------- inputs


def spark_command(tool: str, python: Path, corpus: Path, out_dir: Path, result: Path, master: str) -> list[str]:
    """The kept rows go to out_dir/data (where run.py counts them), the removed to out_dir/removed."""
    return [str(python), str(HERE / "spark_job.py"), "--mode", tool, "--corpus", str(corpus),
            "--out", str(out_dir / "data"), "--removed", str(out_dir / "removed"), "--result", str(result),
            "--master", master, "--sink", "json"]


def write_dj_config(corpus: Path, export_path: Path, np: int, cfg_path: Path) -> Path:
    # `document_minhash_deduplicator:` with no parameters, as a recipe line of DJ's own
    # docs: tokenization space, window 5, lowercase, 256 permutations, threshold 0.7
    cfg = {"project_name": "sparkops-bench-dedup", "dataset_path": str(corpus),
           "export_path": str(export_path), "np": np, "text_keys": "text", "executor_type": "default",
           "process": [{OP: None}]}
    cfg_path.parent.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(cfg, indent=2))  # JSON is YAML
    return cfg_path


# --------------------------------------------------------------------------- published peers


def published_recall(readme: Path = PEERS_README) -> dict:
    """The 'dedup only' table of the peers' README: {peer: {wall_s, docs_per_s, peak_ram,
    recall: {kind: value}}}; empty when the file or table is missing."""
    if not readme.is_file():
        return {"source": str(readme), "rows": {}}
    rows, kinds, inside = {}, None, False
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| dedup only"):
            # '... | recall exact / ws_case / near_light / near_heavy |'
            kinds = [k.strip() for k in cells[-1].replace("recall", "").split("/")]
            inside = True
        elif inside and line.startswith("|---"):
            continue
        elif inside and line.startswith("|") and len(cells) == 5:
            values = [float(v) for v in cells[4].split("/")]
            rows[cells[0]] = {"wall_s": cells[1], "docs_per_s": cells[2], "peak_ram": cells[3],
                              "recall": dict(zip(kinds, values))}
        elif inside:
            break
    return {"source": str(readme), "rows": rows}


def best_published(published: dict) -> dict:
    """Per kind, the best published recall and which peer has it."""
    best = {}
    for peer, row in published.get("rows", {}).items():
        for kind, v in row["recall"].items():
            if kind not in best or v > best[kind][0]:
                best[kind] = (v, peer)
    return best


# --------------------------------------------------------------------------- scaling corpora


def _edit(text: str, rng: random.Random) -> str:
    """~EDIT_RATE of the words replaced by another word of the document, deleted or doubled;
    whitespace kept as it is."""
    parts = _SPLIT.split(text)
    words = [i for i in range(0, len(parts), 2) if parts[i]]
    if not words:
        return text
    n = int(len(words) * EDIT_RATE + rng.random())  # ~2 %, rounded at random: short docs too
    for i in rng.sample(words, min(n, len(words))):
        op = rng.random()
        if op < 0.5:
            parts[i] = parts[rng.choice(words)]
        elif op < 0.75:
            parts[i] = ""
        else:
            parts[i] = parts[i] + " " + parts[i]
    return "".join(parts)


def _replica_line(line: str, r: int, n: int) -> str:
    d = json.loads(line)
    rng = random.Random(f"{EDIT_SEED}:{r}:{n}")  # per replica and line: reproducible
    d["dup_of"], d["dup_kind"] = d["id"], "scaling_replica"
    d["id"] = f"{d['id']}-r{r}"
    d["text"] = _edit(d.get("text") or "", rng)
    return json.dumps(d, ensure_ascii=False) + "\n"


def build_scaled(corpus: Path, out_dir: Path, log=print, factors: tuple[int, ...] = SCALING_FACTORS) -> dict[int, Path]:
    """{k: corpus of k x the documents} for k in `factors` (each > 1): the corpus, then replicas
    1 .. k-1. Reused when the source and the settings are unchanged (the build is untimed)."""
    st = corpus.stat()
    meta = {"source": str(corpus), "bytes": st.st_size, "mtime": st.st_mtime, "rate": EDIT_RATE,
            "seed": EDIT_SEED, "factors": list(factors), "version": 1}
    paths = {k: out_dir / f"{corpus.stem}_{k}x.jsonl" for k in factors}
    meta_path = out_dir / f"{corpus.stem}.meta.json"
    if meta_path.is_file() and json.loads(meta_path.read_text()) == meta and all(p.is_file() for p in paths.values()):
        return paths
    out_dir.mkdir(parents=True, exist_ok=True)
    meta_path.unlink(missing_ok=True)
    log(f"scaling: building {', '.join(p.name for p in paths.values())} under {out_dir} (untimed)")
    outs = {k: open(p.with_suffix(".tmp"), "w", encoding="utf-8") for k, p in paths.items()}
    try:
        for r in range(max(factors)):  # replica 0 = the corpus itself, unchanged
            targets = [f for k, f in outs.items() if k > r]
            with open(corpus, encoding="utf-8") as src:
                for n, line in enumerate(src):
                    out = line if r == 0 else _replica_line(line, r, n)
                    out = out if out.endswith("\n") else out + "\n"
                    for f in targets:
                        f.write(out)
    finally:
        for f in outs.values():
            f.close()
    for k, p in paths.items():
        p.with_suffix(".tmp").replace(p)
    meta_path.write_text(json.dumps(meta))
    return paths


# --------------------------------------------------------------------------- report


def _median(rows: list[dict], key: str) -> float | None:
    vals = [r["inner"][key] for r in rows if key in r.get("inner", {})]
    return statistics.median(vals) if vals else None


def _f(v, nd=1, suffix="") -> str:
    return "–" if v is None else f"{v:.{nd}f}{suffix}"


def inside_table(res: dict) -> list[str]:
    """Where each run's wall time goes (medians)."""
    s, runs = res["summary"], res["runs"]
    L = ["Inside each process (medians, s). sparkops: *dedup* = the `stage_pass` call, which already "
         "computes the signatures, candidate pairs, (verification,) connected components and the removed "
         "rows (checkpointed eagerly); *writes* = the kept rows as JSON, then the removed rows' "
         "`id, _duplicate_of, _dup_cluster, _dup_jaccard`. Data-Juicer: *processing* = its executor (load "
         "the JSONL, hash with np processes, cluster in the main process, export). datatrove, text-dedup: "
         "*import* = their imports, *processing* = the rest of the runner (below).", "",
         "| run | import | start (Spark session / DJ import + config) | processing | of which dedup | "
         "kept write | removed write | spark.stop | processing docs/s |",
         "|---|---|---|---|---|---|---|---|---|"]
    for tool, desc in TOOLS.items():
        t = s.get(tool)
        if not t or not t["reps"]:
            continue
        rows = [r for r in runs if r["tool"] == tool and not r.get("failed")]
        if tool in SPARK_TOOLS:
            L.append(f"| {desc} | {t['import_s']['median']:.1f} | {t['session_s']['median']:.1f} | "
                     f"{t['process_s']['median']:.1f} | {_f(_median(rows, 'dedup_s'))} | "
                     f"{_f(_median(rows, 'kept_write_s'))} | {_f(_median(rows, 'removed_write_s'))} | "
                     f"{t['stop_s']['median']:.1f} | {t['process_docs_per_s']['median']:.0f} |")
        elif tool in PEER_TOOLS:  # import, then processing (their phases below)
            L.append(f"| {desc} | {t['startup_s']['median']:.1f} | – | {t['process_s']['median']:.1f} | – | – "
                     f"| – | – | {t['process_docs_per_s']['median']:.0f} |")
        else:
            L.append(f"| {desc} | – | {t['startup_s']['median']:.1f} | {t['process_s']['median']:.1f} | – | – "
                     f"| – | – | {t['process_docs_per_s']['median']:.0f} |")
    L.append("")
    return L + dedup_peers.phase_lines(res)


ROLES = ("main process", "JVM", "Spark Python workers", "forked Python processes")


def rss_role_table(s: dict) -> list[str]:
    L = ["Peak RSS by process role (GiB, medians; each role's own peak, so they need not add up to the "
         "tree's peak): *main process* = the Python driver (`spark_job.py`) / Data-Juicer's main process.", "",
         "| run | tree | " + " | ".join(ROLES) + " |", "|---|---|" + "---|" * len(ROLES)]
    for tool, desc in TOOLS.items():
        t = s.get(tool)
        if not t or not t["reps"]:
            continue
        by = t.get("peak_rss_by_role_gib", {})
        L.append(f"| {desc} | {t['peak_rss_gib']['median']:.2f} | "
                 + " | ".join(f"{by[r]:.2f}" if r in by else "–" for r in ROLES) + " |")
    L.append("")
    return L


def _recall_cell(tool: dict, kind: str) -> str:
    v = tool["dup_recall_by_kind"].get(kind)
    pairs = tool["dup_pairs"].get(kind, {}).get("pairs", 0)
    return "–" if v is None else f"{v:.3f} ({pairs:,})"


def quality_lines(res: dict) -> list[str]:
    q = res.get("quality")
    if not q:
        return ["### Quality", "", "No quality analysis (it failed or was skipped; see "
                "`bench/work/logs/dedup_quality.log`).", ""]
    a = q["analysis"]
    L = ["### Quality (untimed, `bench/dedup_quality.py`)", "",
         "Recall per injected duplicate kind (`../shared/bench/eval_output.py`'s definition: a pair "
         "(original, injected copy) is resolved when the output keeps at most one of the two; in "
         "brackets the number of pairs whose two documents are both in this corpus). The rows marked "
         "*published, not measured here* come from `../shared/bench/README.md`: another machine and day, the "
         "whole 59,521-doc corpus.", "",
         "| tool | kept | removed | " + " | ".join(KINDS) + " | all |", "|---|---|---|" + "---|" * (len(KINDS) + 1)]
    for tool, desc in TOOLS.items():
        t = q["tools"].get(tool)
        if t:
            L.append(f"| {desc} | {t['kept_ids']:,} | {t['removed']:,} | "
                     + " | ".join(_recall_cell(t, k) for k in KINDS) + f" | {_f(t['dup_recall_all'], 3)} |")
    for peer, row in (res.get("published") or {}).get("rows", {}).items():
        L.append(f"| {peer} (published, not measured here) | – | – | "
                 + " | ".join(_f(row["recall"].get(k), 3) for k in KINDS) + " | – |")
    L.append("")
    pj = q.get("injected_pairs_jaccard") or {}
    if pj:
        L += ["Exact Jaccard of the injected pairs themselves (the shingles below): "
              + "; ".join(f"{k} median {v['median']:.2f}, 10th percentile {v['p10']:.2f}, "
                          f"{100 * v['share_ge_0_7']:.1f}% >= 0.7" for k, v in pj.items() if k in KINDS)
              + ". A pair below 0.7 is a duplicate a 0.7 threshold does not link by itself: a tool removes "
                "it only through a cluster (a chain of pairs >= 0.7) or by a similarity estimate's error.", ""]
    outside = max((t.get("pairs_with_original_outside_corpus", 0) for t in q["tools"].values()), default=0)
    if outside:
        L += [f"{outside:,} injected copies of this corpus have their original outside it (a slice of the "
              "corpus): they are left out of the recall above (eval_output.py would count them as "
              "resolved).", ""]
    L += ["Precision, judged on the text: for each removed document the highest exact Jaccard similarity "
          f"of its shingles ({a['tokenization']} tokenization, window {a['window_size']}, lower-cased: "
          "Data-Juicer's defaults, sparkops' shingle code) to any document the tool **kept**. The kept "
          f"documents to compare are LSH candidates ({a['bands']} bands x {a['rows']} rows over "
          f"{a['num_perm']} sparkops MinHash values: a pair with J = 0.5 is a candidate with probability "
          f"{a['p_candidate']['0.5']:.5f}, J = 0.7 with {a['p_candidate']['0.7']:.5f}; candidates whose "
          f"signatures agree on less than {a['prefilter']} are not checked), each checked exactly. "
          "*verified precision* = share of removed documents whose best kept match has J >= 0.7; "
          "*distinct removed* = removed documents that are not injected copies and have no kept match "
          "with J >= 0.5 (their content is gone from the output).", "",
          "| tool | removed | verified precision (J >= 0.7) | J >= 0.6 | J >= 0.5 | best kept J >= 0.9 / 0.7–0.9 / "
          "0.5–0.7 / < 0.5 | distinct removed (of them single-shingle docs) | injected copies removed "
          "with no kept match >= 0.5 |", "|---|---|---|---|---|---|---|---|"]
    for tool, desc in TOOLS.items():
        t = q["tools"].get(tool)
        if not t:
            continue
        b = t["best_kept_j_bins"]
        L.append(f"| {desc} | {t['removed']:,} | {_f(t['verified_precision'], 4)} | "
                 f"{_f(t.get('share_ge_0_6'), 4)} | {_f(t['share_ge_0_5'], 4)} | "
                 f"{b['>=0.9']:,} / {b['0.7-0.9']:,} / {b['0.5-0.7']:,} / {b['<0.5']:,} | "
                 f"{t['distinct_removed']:,} ({t['distinct_removed_single_shingle']:,}) | "
                 f"{t['injected_removed_without_kept_match']:,} |")
    L.append("")
    for tool in TOOLS:
        t = q["tools"].get(tool)
        if t and t["distinct_removed"]:
            ex = ", ".join(f"`{e['id']}` ({e['source']}, {e['shingles']} shingles, best kept J "
                           f"{e['best_kept_j']:.2f})" for e in t["distinct_removed_examples"][:8])
            by = ", ".join(f"{k} {v}" for k, v in t["distinct_removed_by_source"].items())
            L.append(f"- `{tool}` distinct documents removed, worst first: {ex}. By source: {by}.")
    for tool in SPARK_TOOLS:
        p = (q["tools"].get(tool) or {}).get("provenance")
        if p and p.get("with_similarity"):
            kind = "exact" if tool.startswith("minhash_verified") else "estimated from the signatures"
            L.append(f"- `{tool}`'s own `_dup_jaccard` ({kind}) of its {p['rows']:,} removed rows to their "
                     f"cluster's survivor: min {p['min']:.3f}, median {p['median']:.3f}, "
                     f"{100 * p['share_below_threshold']:.1f}% below 0.7 (a cluster is connected through "
                     f"pairs >= 0.7, a member need not be >= 0.7 to the survivor itself).")
    checks = {k: t["cross_check"] for k, t in q["tools"].items() if "cross_check" in t}
    if checks:
        same = [k for k, c in checks.items() if c.get("identical")]
        diff = [k for k in checks if k not in same]
        L.append("- Cross-check: `python3 ../shared/bench/eval_output.py` on each output gives "
                 + ("the same recall per kind and documents out as this analysis (its own counting) for "
                    + ", ".join(f"`{k}`" for k in same) if same else "")
                 + ("; **different** for " + ", ".join(f"`{k}`" for k in diff) if diff else "") + ".")
    L.append(f"- Analysis time: {q['sketch_s']:.0f} s to sketch the corpus, {q['total_s']:.0f} s in all.")
    L.append("")
    return L


def scaling_lines(res: dict) -> list[str]:
    sc = res.get("scaling")
    if not sc:
        return []
    rows = sc["runs"]
    base = next((r for r in rows if r["factor"] == 1), None)
    L = ["### Scaling (sparkops `minhash`, one run per size)", "",
         f"The {len(rows)} corpora: the corpus above, then it followed by 1 and 3 replicas of itself in which "
         f"~{100 * EDIT_RATE:.0f}% of the words are replaced, deleted or doubled (seeded; new ids), so every "
         "replica is a near-duplicate of its source. Built untimed under `bench/work/scaling/`. *time vs "
         "linear* = t(k x) / (k · t(1 x)): 1.00 is linear, below is better; the target is <= 1.2. *driver* "
         "= the Python driver process; in `local[2]` the JVM is Spark's driver and executor at once.", "",
         "| size | docs | kept | wall s | processing s | CPU s | peak RSS tree GiB | driver (Python) GiB | "
         "JVM GiB | Spark Python workers GiB | wall vs linear | processing vs linear |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        by = r.get("peak_rss_by_role", {})
        g = lambda role: _f(by[role] / 2**30, 2) if role in by else "–"  # noqa: E731
        lin_w = lin_p = "–"
        if base and r["factor"] != 1:
            lin_w = f"{r['wall_s'] / (r['factor'] * base['wall_s']):.2f}"
            lin_p = f"{r['inner']['process_s'] / (r['factor'] * base['inner']['process_s']):.2f}"
        L.append(f"| {r['factor']}x | {r['docs']:,} | {r['kept']:,} | {r['wall_s']:.1f} | "
                 f"{r['inner']['process_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_bytes'] / 2**30:.2f} | "
                 f"{g('main process')} | {g('JVM')} | {g('Spark Python workers')} | {lin_w} | {lin_p} |")
    L.append("")
    disturbed = [r for r in sc["all_runs"] if r.get("disturbed")]
    if disturbed:
        L += [f"{len(disturbed)} scaling attempt(s) were disturbed by other load (see `scaling.all_runs` in "
              "the JSON); the last attempt of each size is shown.", ""]
    return L


def ratios(summary: dict) -> dict:
    out = {}
    d = summary.get("dj_minhash")
    for tool in SPARK_TOOLS:
        t = summary.get(tool)
        if t and d and t["reps"] and d["reps"]:
            out[f"{tool} vs Data-Juicer (docs/s, whole process)"] = t["docs_per_s"]["median"] / d["docs_per_s"]["median"]
            out[f"{tool} vs Data-Juicer (docs/s, processing only)"] = d["process_s"]["median"] / t["process_s"]["median"]
    out.update(dedup_peers.ratios(summary, SPARK_TOOLS))
    return out


def verification(kept: dict[str, set | None]) -> dict:
    """The tools' kept id sets side by side (they differ by design: different signatures,
    tokenization and, with verify, band layout)."""
    lines = []
    names = [n for n, ids in kept.items() if ids is not None]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            A, B = kept[a], kept[b]
            lines.append(f"`{a}` kept {len(A):,}, `{b}` {len(B):,}: {len(A & B):,} in both, {len(A - B):,} only "
                         f"in `{a}` (e.g. {', '.join(sorted(A - B)[:3]) or '–'}), {len(B - A):,} only in `{b}` "
                         f"(e.g. {', '.join(sorted(B - A)[:3]) or '–'}).")
    return {"lines": lines or ["No kept ids to compare."]}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def interpret(res: dict) -> list[str]:
    """Each target of the issue, met or not, with the numbers of this run."""
    s, r, q = res["summary"], res.get("ratios", {}), (res.get("quality") or {}).get("tools", {})
    d = s.get("dj_minhash")
    out = []
    if res["mode"] == "quick":
        out.append(f"- **Quick mode** ({res['docs']:,} docs, {res['reps']} repetition(s)): the targets are "
                   "stated for the whole corpus; these lines only show that the scenario works.")
    for tool in SPARK_TOOLS:
        t = s.get(tool)
        if not t or not t["reps"] or not d or not d["reps"]:
            continue
        whole = r.get(f"{tool} vs Data-Juicer (docs/s, whole process)")
        proc = r.get(f"{tool} vs Data-Juicer (docs/s, processing only)")
        paired = (res.get("paired_ratios") or {}).get(f"{tool} vs dj_minhash", [])
        out.append(f"- `{tool}` speed (>= 4x Data-Juicer's docs/s, same run): **{_met(whole >= 4)}** whole "
                   f"process, {whole:.2f}x ({t['docs_per_s']['median']:.0f} vs {d['docs_per_s']['median']:.0f} "
                   f"docs/s" + (f"; paired per repetition {min(paired):.2f}x–{max(paired):.2f}x" if paired else "")
                   + f"); processing only {proc:.2f}x (**{_met(proc >= 4)}**).")
        out.append(f"- `{tool}` peak RSS of the tree {t['peak_rss_gib']['median']:.2f} GiB vs Data-Juicer "
                   f"{d['peak_rss_gib']['median']:.2f} GiB: below Data-Juicer's **"
                   f"{_met(t['peak_rss_gib']['median'] < d['peak_rss_gib']['median'])}**.")
    best = best_published(res.get("published") or {})
    for tool in (*SPARK_TOOLS, "dj_minhash", *PEER_TOOLS):
        t = q.get(tool)
        if not t:
            continue
        below = [f"{k} {t['dup_recall_by_kind'][k]:.3f} < {best[k][0]:.3f} ({best[k][1]})"
                 for k in KINDS if k in best and k in t["dup_recall_by_kind"] and t["dup_recall_by_kind"][k] < best[k][0]]
        at = THRESHOLD_OF.get(tool, 0.7)
        prec = t["verified_precision"] if at == 0.7 else t.get("share_ge_0_6")
        ok = not below and prec is not None and prec >= 0.99
        out.append(f"- `{tool}` recall per kind >= the best published peer's, with verified precision >= 0.99: "
                   f"**{_met(ok)}**: " + ("every kind at or above" if not below else "below on " + "; ".join(below))
                   + f"; verified precision (best kept J >= {at}, the threshold it was given) {_f(prec, 4)}; "
                   f"{t['distinct_removed']:,} distinct documents removed"
                   + (f" ({t['distinct_removed_single_shingle']:,} of them shorter than 5 words)"
                      if t["distinct_removed_single_shingle"] else "") + ".")
    pj = (res.get("quality") or {}).get("injected_pairs_jaccard") or {}
    ceiling = [f"{k}: only {100 * pj[k]['share_ge_0_7']:.1f}% of its pairs have an exact J >= 0.7, against a best "
               f"published recall of {best[k][0]:.3f}" for k in KINDS
               if k in pj and k in best and pj[k]["share_ge_0_7"] < best[k][0]]
    if ceiling:
        out.append("- Where the recall target conflicts with the threshold: " + "; ".join(ceiling)
                   + " (sparkops shingles, Data-Juicer's default tokenization). At threshold 0.7 a tool gets "
                   "beyond that share only through clusters (chains of pairs >= 0.7) or through similarity "
                   "estimates that overshoot, and the latter is what verified precision counts against.")
    dj_pub = next((row for peer, row in (res.get("published") or {}).get("rows", {}).items()
                   if peer.lower().startswith("data-juicer")), None)
    if dj_pub and q.get("dj_minhash") and res["mode"] == "full":
        m = q["dj_minhash"]["dup_recall_by_kind"]
        out.append("- Sanity check, Data-Juicer measured here vs its published recall: "
                   + ", ".join(f"{k} {m.get(k, float('nan')):.3f} vs {dj_pub['recall'].get(k, float('nan')):.2f}"
                               for k in KINDS) + ".")
    out += dedup_peers.interpret(res, KINDS, SPARK_TOOLS)
    out += scaling_interpretation(res)
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    return out


def scaling_interpretation(res: dict) -> list[str]:
    sc = res.get("scaling")
    if not sc:
        return ["- Scaling: not run in this run (`--dedup-scaling`, off by default in `--quick`); the `scale` "
                "scenario runs MinHash dedup at 1x to 10x the corpus."]
    rows = {r["factor"]: r for r in sc["runs"]}
    if 1 not in rows or len(rows) < 2:
        return []
    b, top = rows[1], rows[max(rows)]
    k = top["factor"]
    lin_w = top["wall_s"] / (k * b["wall_s"])
    lin_p = top["inner"]["process_s"] / (k * b["inner"]["process_s"])
    drv = lambda r, role: r.get("peak_rss_by_role", {}).get(role, 0) / 2**30  # noqa: E731
    out = [f"- Scaling 1x -> {k}x ({b['docs']:,} -> {top['docs']:,} docs): time vs linear {lin_p:.2f} on "
           f"processing, {lin_w:.2f} on wall (target <= 1.2: **{_met(lin_p <= 1.2)}** on processing, "
           f"**{_met(lin_w <= 1.2)}** on wall; the wall includes ~fixed Spark start/stop costs, which flatter it)."]
    d1, dk = drv(b, "main process"), drv(top, "main process")
    j1, jk = drv(b, "JVM"), drv(top, "JVM")
    if d1:
        out.append(f"- Driver memory: the Python driver peaks at {d1:.2f} GiB at 1x and {dk:.2f} GiB at {k}x "
                   f"({dk / d1:.2f}x; flat = within 1.2x: **{_met(dk <= 1.2 * d1)}**); the JVM (driver and "
                   f"executor in local mode, heap capped by `spark.driver.memory` 4g) {j1:.2f} -> {jk:.2f} GiB.")
    return out


# --------------------------------------------------------------------------- report and untimed part

SECTION_TITLES = {'dedup': 'Dedup: MinHash vs Data-Juicer, datatrove, text-dedup'}


def dedup_section(res: dict) -> list[str]:
    s, tools = res["summary"], TOOLS
    lay = res.get("layouts") or {}
    fmt_layout = lambda k: f"{lay[k][0]} bands x {lay[k][1]} rows" if k in lay else "see the op"  # noqa: E731
    L = [f"## {SECTION_TITLES['dedup']}", ""]
    L.append("`minhash`: sparkops' `document_minhash_deduplicator` with Data-Juicer's defaults (space "
             "tokenization, window 5, lower-cased, 256 permutations, Jaccard threshold 0.7, "
             f"{fmt_layout('default')} by Data-Juicer's optimisation), run by `bench/spark_job.py` through "
             "`stage_pass` on Spark `" + res["master"] + "` (input order kept: the first document of a "
             "cluster survives, as in Data-Juicer); it writes the kept rows as JSON and the removed rows' "
             "`id, _duplicate_of, _dup_cluster, _dup_jaccard`. `minhash_verified`: the same with `verify: "
             f"true` (every candidate pair's exact Jaccard is checked before it links two documents; "
             f"{fmt_layout('verify')}, false negatives weighted 0.95), and a document is removed only if "
             "its exact Jaccard to the kept document it names reaches the threshold. `minhash_verified_t06`: "
             "the same with `jaccard_threshold: 0.6`, not Data-Juicer's default: what the precise mode gives "
             "at a lower threshold (judged at 0.6). `dj_minhash`: Data-Juicer's "
             "`DefaultExecutor` (`bench/dj_job.py`) with a config whose process is only "
             "`document_minhash_deduplicator:` (its defaults), np " + str(res["np"]) + ", exporting the kept "
             "rows as JSONL. By design the two implementations differ in: tokens (sparkops splits on every "
             "whitespace, Data-Juicer on ' ' only), documents shorter than 5 words (one shingle each in "
             "sparkops, none in Data-Juicer, where they all share one signature), and the hashing "
             "(one-permutation hashing with densification vs 256 universal hashes): the kept sets differ.")
    L.append("")
    L += [dedup_peers.description(res), ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False)
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += inside_table(res)
    L += cpu_role_table(s, tools)
    L += rss_role_table(s)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios to the peers (medians)", ""] + ratios
    L += quality_lines(res)
    L += ["### Same answer? (kept ids side by side: they differ by design, see above)", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    L += scaling_lines(res)
    L += all_runs_table(res)
    if res.get("dj_refused_installs"):
        L += [f"Data-Juicer package installs refused during the runs: {', '.join(res['dj_refused_installs'])}.", ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def dedup_quality_pass(tools: list[str], corpus: Path) -> dict | None:
    """Untimed: recall per dup kind and precision of every dedup tool's last output."""
    result = WORK / "out" / "dedup_quality.result.json"
    result.unlink(missing_ok=True)
    cmd = [str(SPARK_PY), str(RUNNERS / "dedup_quality.py"), "--corpus", str(corpus), "--result", str(result)]
    for tool in tools:
        out_dir = WORK / "out" / tool
        cmd += ["--output", f"{tool}={out_dir / ('kept.jsonl' if tool in DJ_TOOLS else 'data')}"]
        if tool in SPARK_TOOLS:
            cmd += ["--removed", f"{tool}={out_dir / 'removed'}"]
    if EVAL_OUTPUT.is_file():
        cmd += ["--cross-check", str(EVAL_OUTPUT)]
    log(f"dedup quality (untimed): recall per kind, precision on the text, for {', '.join(tools)}")
    m = proctree.run_measured(cmd, env=spark_env(None), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / "dedup_quality.log"), interval=1.0)
    if m.returncode != 0 or not result.is_file():
        log(f"dedup quality failed (exit {m.returncode}), see bench/work/logs/dedup_quality.log")
        return None
    return json.loads(result.read_text())


def dedup_scaling(args, corpus: Path, n_docs: int) -> dict:
    """The sparkops `minhash` tool once on the corpus and on its 2x and 4x versions."""
    paths = build_scaled(corpus, WORK / "scaling", log=log)
    runs, all_runs = [], []
    for k, path in [(1, corpus), *sorted(paths.items())]:
        label = f"minhash_scale{k}x"
        attempts = run_attempts("minhash", 1, args, path, n_docs * k, label=label)
        for a in attempts:
            a["factor"] = k
        runs.append(attempts[-1])
        all_runs += [slim_run(a) for a in attempts]
        shutil.rmtree(WORK / "out" / label, ignore_errors=True)  # up to 4x the corpus, read nowhere
    return {"runs": runs, "all_runs": all_runs,
            "corpora": {str(k): str(p.relative_to(ROOT)) for k, p in paths.items()}}


def finish_dedup(res: dict, args, corpus: Path, n_docs: int) -> None:
    """The dedup scenario's untimed part: kept ids side by side, quality, then scaling."""
    from sparkops.ops.dedup.minhash import optimal_bands

    tools = res["tools"]
    res["verification"] = verification({t: kept_ids(t) for t in tools})
    log("kept ids: " + "; ".join(res["verification"]["lines"]))
    dj_rows = [r for r in res["runs"] if r["tool"] == "dj_minhash"]
    res.update(
        ratios=ratios(res["summary"]),
        published=published_recall(),
        # (bands, rows) for threshold 0.7 and 256 permutations: Data-Juicer's optimisation, and
        # the recall-weighted one sparkops uses with verify
        layouts={"default": optimal_bands(0.7, 256), "verify": optimal_bands(0.7, 256, 0.05, 0.95)},
        quality=dedup_quality_pass(tools, corpus),
        peer_versions={t: dedup_peers.versions(t) for t in tools if t in dedup_peers.PEERS},
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )
    if args.dedup_scaling and "minhash" in tools:
        res["scaling"] = dedup_scaling(args, corpus, n_docs)
