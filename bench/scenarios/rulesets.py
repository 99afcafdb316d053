"""The rulesets scenario: FineWeb's heuristic rule sets, sparkops against datatrove 0.10.1.

The rule sets are ``recipe.RULESETS`` (bench/runners/recipe.py), in FineWeb's order (datatrove's
examples/fineweb.py): Gopher repetition, Gopher quality, C4 quality (``filter_no_terminal_punct``
False, as FineWeb sets it; it also rewrites a kept document's text to the lines that pass) and
FineWeb quality, every other parameter at datatrove's default.

- ``fineweb_rules``: ``bench/runners/spark_job.py --mode rulesets``: ``sparkops.fused(df, RULESETS)`` on
  Spark ``local[2]``, the kept rows' input fields (with the text the ops left) written as JSON;
- ``datatrove_rules``: ``bench/runners/datatrove_rules_job.py`` with the datatrove venv
  (``.peers/datatrove``, the dedup scenario's): one ``LocalPipelineExecutor``, JsonlReader ->
  the four filters, each with an exclusion writer -> JsonlWriter of the kept documents.

bench/run.py times both (alternating, like every scenario); this module holds the scenario's
commands and everything read after the runs (untimed): the kept ids of both tools, why a
document one tool kept was removed by the other (sparkops' ``_dropped_by`` and statistics from
an untimed analysis pass, datatrove's filter and ``filter_reason`` from its exclusion files),
the removed counts per filter side by side, and whether the texts both kept are byte-identical.

Stdlib, plus pyarrow to read the analysis pass's Parquet; run.py imports it.
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from pathlib import Path

from bench.harness import proctree
from bench.harness.common import SPARK_PY, WORK, log, spark_env
from bench.harness.report import (RESULTS_LEGEND, all_runs_table, cpu_role_table, failure_lines, machine_lines,
                                  ratio_lines, results_table, run_lines)
from bench.runners import dedup_peers, recipe
from bench.scenarios.dedup import _f
from bench.scenarios.recipes import last_ok, pair_ratios

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "runners"

NAME = "rulesets"
SPARK_TOOL, PEER_TOOL = "fineweb_rules", "datatrove_rules"
TOOLS = {
    SPARK_TOOL: "sparkops fused pass: FineWeb's 4 rule sets (Gopher rep., Gopher quality, C4, FineWeb), local[2]",
    PEER_TOOL: "datatrove 0.10.1: the same 4 filters, LocalPipelineExecutor, 2 tasks / 2 workers",
}
SCENARIOS = {NAME: [SPARK_TOOL, PEER_TOOL]}
PEER_TOOLS = (PEER_TOOL,)
PAIRS = ((SPARK_TOOL, PEER_TOOL),)
# the dedup peer whose venv (.peers/datatrove: datatrove[processing] 0.10.1 and spaCy) runs datatrove_rules
PEER_VENV_TOOL = "datatrove_minhash"
SECTION_TITLES = {NAME: "FineWeb rule sets: sparkops fused pass vs datatrove"}
ANALYSIS = "fineweb_rules_analysis"  # bench/work/out/<this>: the untimed analysis pass's Parquet
EXAMPLES = 3
KEPT = "kept"
NOT_READ = "not read"  # datatrove's JsonlReader skips a document without text (no filter sees it)
UNKNOWN = "unknown"


# --------------------------------------------------------------------------- inputs


def command(tool: str, spark_py: Path, corpus: Path, out_dir: Path, result: Path, master: str,
            np: int) -> list[str]:
    """A timed run's command line: kept rows to out_dir/data (where run.py counts them);
    datatrove's removed documents to out_dir/removed/<op>/, its scratch to out_dir/work."""
    if tool == SPARK_TOOL:
        return [str(spark_py), str(HERE / "spark_job.py"), "--mode", "rulesets", "--corpus", str(corpus),
                "--out", str(out_dir / "data"), "--result", str(result), "--master", master, "--sink", "json"]
    return [str(dedup_peers.python(PEER_VENV_TOOL)), str(HERE / "datatrove_rules_job.py"), "--corpus", str(corpus),
            "--out", str(out_dir / "data"), "--removed", str(out_dir / "removed"), "--work", str(out_dir / "work"),
            "--result", str(result), "--tasks", str(np), "--workers", str(np)]


def analysis_command(spark_py: Path, corpus: Path, out: Path, result: Path, master: str) -> list[str]:
    return [str(spark_py), str(HERE / "spark_job.py"), "--mode", "rulesets_analysis", "--corpus", str(corpus),
            "--out", str(out), "--result", str(result), "--master", master]


# --------------------------------------------------------------------------- outputs


def _jsonl(files) -> list[dict]:
    out = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def read_kept(folder: Path) -> dict[str, str]:
    """{id: text} of a tool's kept rows: Spark's part-*.json or datatrove's part-*.jsonl."""
    files = sorted(p for p in Path(folder).glob("part-*") if p.is_file() and not p.name.endswith(".crc"))
    return {r["id"]: r["text"] for r in _jsonl(files)}


def read_removed(folder: Path) -> dict[str, dict]:
    """{id: {op, reason}} from datatrove's exclusion files, removed/<op>/part-*.jsonl (a filter
    that removed nothing has no folder): the filter that removed the document and the
    ``filter_reason`` datatrove put in its metadata."""
    out = {}
    folder = Path(folder)
    subs = [folder / op for op in recipe.rulesets_names()]
    subs += sorted(p for p in folder.glob("*") if p.is_dir() and p not in subs)
    for sub in subs:
        for r in _jsonl(sorted(sub.glob("*.jsonl"))):
            out[r["id"]] = {"op": sub.name, "reason": (r.get("metadata") or {}).get("filter_reason")}
    return out


def _label(dropped_by: str | None) -> str:
    """An op name for the tables: `error:<op>: message` (a kernel that raised) becomes `error:<op>`,
    `<op>:<rule>` (the rule that removed the row) becomes `<op>`."""
    if not dropped_by:
        return UNKNOWN
    return ":".join(dropped_by.split(":")[:2]) if dropped_by.startswith("error:") else dropped_by.partition(":")[0]


def op_stat_keys(op: str) -> list[str] | None:
    """The stats-struct fields of a sparkops op (its registry entry), None if unknown."""
    try:
        from sparkops.core import get_op

        return [s.key for s in get_op(op).stats]
    except Exception:  # noqa: BLE001 - an op the registry does not know: show every statistic
        return None


def _round(v):
    return round(v, 4) if isinstance(v, float) else v


def read_analysis(folder: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """From the analysis pass's Parquet: {id: "kept" or the op that removed it} of every row,
    and {id: detail} of every removed row (the statistics of the op that removed it; with
    short circuit the ops after it computed nothing)."""
    import pyarrow.parquet as pq

    t = pq.read_table(folder)
    cols = t.column_names
    ids, keep, dropped = (t.column(c).to_pylist() for c in ("id", "_keep", "_dropped_by"))
    stats = t.column("stats").to_pylist() if "stats" in cols else [None] * len(ids)
    outcome, detail, keys = {}, {}, {}
    for i, k, d, st in zip(ids, keep, dropped, stats):
        if k:
            outcome[i] = KEPT
            continue
        op = _label(d)
        outcome[i] = op
        if op not in keys:
            keys[op] = op_stat_keys(op)
        mine = {s: _round(v) for s, v in (st or {}).items() if v is not None
                and (keys[op] is None or s in keys[op])}
        detail[i] = {"dropped_by": d, **({"stats": mine} if mine else {})}
    return outcome, detail


# --------------------------------------------------------------------------- same answer?


def _text_diff(i: str, a: str, b: str) -> dict:
    """Where two texts first differ, with a little context."""
    k = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lo = max(0, k - 30)
    return {"id": i, "offset": k, "sparkops": a[lo:k + 30], "datatrove": b[lo:k + 30], "len": [len(a), len(b)]}


def compare(sp_kept: dict[str, str], dt_kept: dict[str, str], sp_outcome: dict[str, str] | None = None,
            sp_detail: dict[str, dict] | None = None, dt_removed: dict[str, dict] | None = None) -> dict:
    """The two tools' answers side by side.

    sp_kept / dt_kept: {id: text} of the kept rows of the timed runs; sp_outcome: {id: "kept" or
    the sparkops op that removed it} (the analysis pass; None when it did not run); sp_detail:
    {id: {dropped_by, stats}}; dt_removed: {id: {op, reason}} from datatrove's exclusion files."""
    ops = recipe.rulesets_names()
    sp_detail = sp_detail or {}
    both = sorted(set(sp_kept) & set(dt_kept))
    only_sp = sorted(set(sp_kept) - set(dt_kept))  # datatrove removed them
    only_dt = sorted(set(dt_kept) - set(sp_kept))  # sparkops removed them
    differ = [i for i in both if sp_kept[i] != dt_kept[i]]

    def sp_of(i: str) -> str:
        if i in sp_kept:
            return KEPT
        return (sp_outcome or {}).get(i, UNKNOWN)

    def dt_of(i: str) -> str:
        if i in dt_kept:
            return KEPT
        if dt_removed is None:
            return UNKNOWN
        return dt_removed[i]["op"] if i in dt_removed else NOT_READ

    every = set(sp_kept) | set(dt_kept) | set(sp_outcome or ()) | set(dt_removed or ())
    matrix = Counter((sp_of(i), dt_of(i)) for i in every)
    sp_removed = Counter(o for o in (sp_outcome or {}).values() if o != KEPT)
    dt_removed_n = Counter(r["op"] for r in (dt_removed or {}).values())
    dt_reasons: dict[str, Counter] = {}
    for r in (dt_removed or {}).values():
        dt_reasons.setdefault(r["op"], Counter())[r["reason"] or "(none)"] += 1

    def cause_dt(i: str) -> str:
        r = (dt_removed or {}).get(i)
        return f"{r['op']} / {r['reason'] or '(no reason)'}" if r else dt_of(i)

    only_sp_causes: dict[str, list] = {}
    for i in only_sp:
        only_sp_causes.setdefault(cause_dt(i), []).append(i)
    only_dt_causes: dict[str, list] = {}
    for i in only_dt:
        only_dt_causes.setdefault(sp_of(i), []).append(i)
    order = lambda d: dict(sorted(d.items(), key=lambda kv: (-len(kv[1]), kv[0])))  # noqa: E731
    analysis_kept = {i for i, o in (sp_outcome or {}).items() if o == KEPT}
    return {
        "ops": ops,
        "sparkops_kept": len(sp_kept), "datatrove_kept": len(dt_kept), "both": len(both),
        "n_only_sparkops": len(only_sp), "n_only_datatrove": len(only_dt),
        "agreement": len(both) / len(set(sp_kept) | set(dt_kept)) if sp_kept or dt_kept else 1.0,
        "docs_seen": len(every),
        "only_sparkops_causes": {k: {"n": len(v), "examples": v[:EXAMPLES]} for k, v in order(only_sp_causes).items()},
        "only_sparkops_examples": {i: (dt_removed or {}).get(i, {"op": dt_of(i)})
                                   for v in only_sp_causes.values() for i in v[:EXAMPLES]},
        "only_datatrove_causes": {k: {"n": len(v), "examples": v[:EXAMPLES]} for k, v in order(only_dt_causes).items()},
        "only_datatrove_examples": {i: sp_detail.get(i, {"dropped_by": sp_of(i)})
                                    for v in only_dt_causes.values() for i in v[:EXAMPLES]},
        "n_text_identical": len(both) - len(differ), "n_text_differs": len(differ), "text_differs": differ[:20],
        "text_differs_examples": [_text_diff(i, sp_kept[i], dt_kept[i]) for i in differ[:EXAMPLES]],
        "sparkops_removed_by_op": dict(sp_removed) if sp_outcome is not None else None,
        "datatrove_removed_by_filter": dict(dt_removed_n) if dt_removed is not None else None,
        "datatrove_reasons": {op: dict(c.most_common()) for op, c in dt_reasons.items()},
        "datatrove_not_read": sum(n for (_, b), n in matrix.items() if b == NOT_READ),
        "matrix": [[a, b, n] for (a, b), n in sorted(matrix.items())],
        "analysis_matches_timed_run": (analysis_kept == set(sp_kept)) if sp_outcome is not None else None,
    }


def _sp_example(i: str, d: dict) -> str:
    stats = d.get("stats") or {}
    extra = ", ".join(f"{k} {v}" for k, v in stats.items())
    err = d.get("dropped_by") if str(d.get("dropped_by", "")).startswith("error:") else ""
    return f"`{i}`" + (f" ({extra})" if extra else "") + (f" ({err})" if err else "")


def compare_lines(c: dict) -> list[str]:
    """The Markdown bullets of the same-answer check."""
    n_union = c["both"] + c["n_only_sparkops"] + c["n_only_datatrove"]
    same = not c["n_only_sparkops"] and not c["n_only_datatrove"]
    L = [f"`{PEER_TOOL}` kept {c['datatrove_kept']:,} docs, `{SPARK_TOOL}` {c['sparkops_kept']:,}: {c['both']:,} kept "
         f"by both, {c['n_only_sparkops']:,} only by sparkops, {c['n_only_datatrove']:,} only by datatrove "
         f"(agreement {100 * c['agreement']:.2f}% of the {n_union:,} ids either kept)"
         + (": **identical id sets**." if same else ".")]
    if c["n_only_datatrove"]:
        L.append(f"Only datatrove kept {c['n_only_datatrove']:,} (sparkops removed them; the op from sparkops' "
                 "`_dropped_by` in the untimed analysis pass, with that op's statistics): " + "; ".join(
                     f"{v['n']:,} × `{k}` (e.g. "
                     + ", ".join(_sp_example(i, c["only_datatrove_examples"].get(i, {})) for i in v["examples"]) + ")"
                     for k, v in c["only_datatrove_causes"].items()) + ".")
    if c["n_only_sparkops"]:
        L.append(f"Only sparkops kept {c['n_only_sparkops']:,} (datatrove removed them; its filter / `filter_reason` "
                 "from its exclusion files): " + "; ".join(
                     f"{v['n']:,} × `{k}` (e.g. {', '.join(f'`{i}`' for i in v['examples'])})"
                     for k, v in c["only_sparkops_causes"].items()) + ".")
    L.append(f"Text of the {c['both']:,} documents both kept (after C4's line filter rewrote it): "
             + ("**byte-identical** in every one." if not c["n_text_differs"] else
                f"{c['n_text_identical']:,} byte-identical, **{c['n_text_differs']:,} differ** (e.g. " + "; ".join(
                    f"`{d['id']}` at offset {d['offset']} (lengths {d['len'][0]:,} / {d['len'][1]:,}): sparkops "
                    f"{d['sparkops']!r} vs datatrove {d['datatrove']!r}" for d in c["text_differs_examples"]) + ")."))
    m = c.get("analysis_matches_timed_run")
    if m is False:
        L.append("**The untimed analysis pass kept another set of ids than the timed `fineweb_rules` run**: its "
                 "`_dropped_by` counts below describe that pass, not the timed run.")
    elif m is None:
        L.append("sparkops' removals per op are unknown: the untimed analysis pass did not run (`--no-analysis`) "
                 "or failed.")
    return L


def filter_tables(c: dict) -> list[str]:
    """Removed documents per filter, both tools, and where each document ended in each tool."""
    ops = c["ops"]
    sp, dt = c.get("sparkops_removed_by_op"), c.get("datatrove_removed_by_filter")
    if sp is None and dt is None:
        return []
    if dt is not None and c.get("datatrove_not_read"):
        dt = {**dt, NOT_READ: c["datatrove_not_read"]}
    fmt = lambda d, k: "–" if d is None else f"{d.get(k, 0):,}"  # noqa: E731
    L = ["### Removed per filter", "",
         "Documents each filter removed, in pipeline order: sparkops from `_dropped_by` of the untimed analysis "
         "pass (the same fused pass, writing every row), datatrove from the lines of each filter's exclusion "
         "files. In both, a document removed by one filter is not seen by the next, so each document counts at "
         "the first filter that removes it. *datatrove's reasons*: its `filter_reason` counts. Below the four "
         f"filters: sparkops' other drop labels (`null_text`: no text; `error:<op>`: the op raised) and `{NOT_READ}` "
         "(documents without text, which datatrove's reader skips).", "",
         "| # | filter | sparkops removed | datatrove removed | sparkops − datatrove | datatrove's reasons |",
         "|---|---|---|---|---|---|"]
    others = sorted((set(sp or ()) | set(dt or ())) - set(ops))
    for n, op in enumerate(ops + others, 1):
        diff = "–" if sp is None or dt is None else (
            "0" if sp.get(op, 0) == dt.get(op, 0) else f"**{sp.get(op, 0) - dt.get(op, 0):+,}**")
        reasons = ", ".join(f"{r} {k:,}" for r, k in (c.get("datatrove_reasons") or {}).get(op, {}).items())
        L.append(f"| {n if op in ops else ''} | `{op}` | {fmt(sp, op)} | {fmt(dt, op)} | {diff} | {reasons} |")
    if sp is not None and dt is not None:
        L.append(f"| | **total** | {sum(sp.values()):,} | {sum(dt.values()):,} | "
                 f"{sum(sp.values()) - sum(dt.values()):+,} | |")
    L.append("")
    cols = [KEPT, *ops] + sorted({b for _, b, _ in c["matrix"]} - {KEPT, *ops})
    rows = [KEPT, *ops] + sorted({a for a, _, _ in c["matrix"]} - {KEPT, *ops})
    cell = {(a, b): n for a, b, n in c["matrix"]}
    L += [f"Where each of the {c['docs_seen']:,} documents ended: sparkops (rows: kept, or the op that removed it) "
          "× datatrove (columns). The diagonal is agreement; a document off it is kept by one tool only, or removed "
          "by both at different filters."
          + (f" *{NOT_READ}*: datatrove's reader skips a document without text." if NOT_READ in cols else ""), "",
          "| sparkops \\ datatrove | " + " | ".join(f"`{b}`" for b in cols) + " |",
          "|---|" + "---|" * len(cols)]
    for a in rows:
        if not any(cell.get((a, b)) for b in cols):
            continue
        L.append(f"| `{a}` | " + " | ".join(
            ("**" + f"{cell[(a, b)]:,}" + "**" if a == b else f"{cell[(a, b)]:,}") if cell.get((a, b)) else ""
            for b in cols) + " |")
    L.append("")
    return L


# --------------------------------------------------------------------------- after the runs


def ratios(summary: dict) -> dict:
    return pair_ratios(summary, SPARK_TOOL, PEER_TOOL, "sparkops", "datatrove")


def no_comparison_line(rows: list[dict], last: dict[str, dict | None]) -> str:
    """Why two tools' outputs were not compared; `last`: each tool's last successful run or None
    (also the web scenario's)."""
    failed = [t for t, r in last.items() if r is None and any(x["tool"] == t for x in rows)]
    return (f"No comparison: the last run of {', '.join(f'`{t}`' for t in failed)} failed."
            if failed else "No comparison: only one of the two tools ran.")


def finish(res: dict, out_root: Path, analysis_dir: Path | None, log) -> None:
    """The untimed part: same answer (kept ids, causes, per-filter counts, texts), ratios.
    analysis_dir: the analysis pass's Parquet, None when it did not run or failed."""
    rows = res["runs"]
    a, b = last_ok(rows, SPARK_TOOL), last_ok(rows, PEER_TOOL)
    verification: dict = {"lines": []}
    if a and b:
        log(f"{NAME}: same answer? reading both outputs, datatrove's exclusion files and sparkops' analysis (untimed)")
        outcome = detail = None
        if analysis_dir is not None:
            outcome, detail = read_analysis(analysis_dir)
        c = compare(read_kept(out_root / SPARK_TOOL / "data"), read_kept(out_root / PEER_TOOL / "data"),
                    outcome, detail, read_removed(out_root / PEER_TOOL / "removed"))
        verification = {"lines": compare_lines(c), "compare": c}
    else:
        verification["lines"].append(no_comparison_line(rows, {SPARK_TOOL: a, PEER_TOOL: b}))
    res["verification"] = verification
    log("verification: " + "; ".join(verification["lines"]))
    res.update(
        recipe=recipe.RULESETS,
        ratios=ratios(res["summary"]),
        peer_versions={PEER_TOOL: dedup_peers.versions(PEER_VENV_TOOL)} if b else {},
        datatrove_steps=b["inner"].get("step_stats") if b else None,
    )


# --------------------------------------------------------------------------- report


def description(res: dict) -> str:
    np = res["np"]
    return (f"FineWeb's heuristic rule sets, in FineWeb's order (datatrove's `examples/fineweb.py`), at datatrove "
            "0.10.1's defaults except `C4QualityFilter(filter_no_terminal_punct=False)` as FineWeb uses it (the "
            "C4 filter also rewrites the text of a document it keeps to the lines that pass). "
            f"`{SPARK_TOOL}`: `bench/spark_job.py --mode rulesets`, `sparkops.fused(df, RULESETS)` (one "
            f"`mapInArrow` pass over the four ops) on Spark `{res['master']}`, input read with an explicit "
            "all-string schema, the `_keep` rows' input fields (with the text the ops left) written as JSON. "
            f"`{PEER_TOOL}`: `bench/datatrove_rules_job.py` in datatrove's venv (`.peers/datatrove`): the corpus "
            f"cut into {np} files (datatrove parallelises over files; timed), then one `LocalPipelineExecutor` "
            f"({np} tasks, {np} workers): `JsonlReader` -> the four filters, **each with an `exclusion_writer`** "
            "(a `JsonlWriter` of the documents it removes, with datatrove's `filter_reason`, one folder per filter) "
            "-> `JsonlWriter` of the kept documents (uncompressed). datatrove's English words and sentences come "
            "from spaCy's blank `en` pipeline (tokenizer and rule-based sentencizer; no model download); offline "
            "(HF_HUB_OFFLINE=1, HF_DATASETS_OFFLINE=1). So datatrove's timed run also writes every removed "
            "document, which sparkops' does not (sparkops' removals come from an untimed analysis pass, below). "
            "*kept* = lines of each tool's output.")


def peer_line(res: dict, tool: str = PEER_TOOL) -> str | None:
    """The datatrove venv's versions line of `tool` (also the web scenario's)."""
    v = (res.get("peer_versions") or {}).get(tool)
    if not v or "error" in v:
        return None
    return "- datatrove venv (`.peers/datatrove`): " + ", ".join(
        f"{k} {x}" if k != "python" else f"Python {x}" for k, x in v.items())


def _median(rows: list[dict], key: str) -> float | None:
    vals = [r["inner"][key] for r in rows if isinstance(r.get("inner", {}).get(key), (int, float))]
    return statistics.median(vals) if vals else None


def inside_table(res: dict) -> list[str]:
    s, runs = res["summary"], res["runs"]
    L = ["Inside each process (medians, s). sparkops: *import* (pyspark, sparkops), *start* = "
         "`sparkops.session()` (JVM, Delta), *processing* = read, the fused pass, JSON write "
         "(including the Python workers' start), then `spark.stop()`. datatrove: *import* = its imports, "
         "*processing* = the split of the input into files, then the executor (read, the 4 filters, both "
         "writers).", "",
         "| run | import | start (Spark session) | processing | of which split | spark.stop | processing docs/s |",
         "|---|---|---|---|---|---|---|"]
    for tool, desc in TOOLS.items():
        t = s.get(tool)
        if not t or not t["reps"]:
            continue
        mine = [r for r in runs if r["tool"] == tool and not r.get("failed")]
        if tool == SPARK_TOOL:
            L.append(f"| {desc} | {t['import_s']['median']:.1f} | {t['session_s']['median']:.1f} | "
                     f"{t['process_s']['median']:.1f} | – | {t['stop_s']['median']:.1f} | "
                     f"{t['process_docs_per_s']['median']:.0f} |")
        else:
            L.append(f"| {desc} | {t['startup_s']['median']:.1f} | – | {t['process_s']['median']:.1f} | "
                     f"{_f(_median(mine, 'split_s'), 2)} | – | {t['process_docs_per_s']['median']:.0f} |")
    L.append("")
    steps = res.get("datatrove_steps") or []
    names = ["reader", *recipe.rulesets_names(), "kept writer"]
    if steps and len(steps) == len(names):
        L.append("datatrove's own time per pipeline step (last repetition, its `stats.json`, summed over its tasks; "
                 "a filter's time includes its exclusion writer): " + ", ".join(
                     f"`{n}` {st['time_s']:.1f} s" for n, st in zip(names, steps) if st.get("time_s") is not None)
                 + ". The first step to split words also loads spaCy's blank `en` pipeline in each task.")
        L.append("")
    return L


def interpret(res: dict) -> list[str]:
    """A few lines, every number from the scenario's runs."""
    s, r = res["summary"], res.get("ratios", {})
    a, b = s.get(SPARK_TOOL), s.get(PEER_TOOL)
    out = []
    if res["mode"] == "quick":
        out.append(f"- **Quick mode** ({res['docs']:,} docs, {res['reps']} repetition(s)): these lines show that the "
                   "scenario works; the fixed costs (JVM start, imports) weigh more on a slice than on the corpus.")
    if a and b and a["reps"] and b["reps"] and r:
        paired = (res.get("paired_ratios") or {}).get(f"{SPARK_TOOL} vs {PEER_TOOL}", [])
        out.append(f"- Speed: sparkops {r['sparkops vs datatrove (docs/s, whole process)']:.2f}x datatrove's docs/s on "
                   "the whole process"
                   + (f" (paired within each repetition {min(paired):.2f}x–{max(paired):.2f}x)" if paired else "")
                   + f", {r['sparkops vs datatrove (docs/s, processing only)']:.2f}x on processing only; sparkops' "
                   f"fixed cost outside processing is {a['wall_s']['median'] - a['process_s']['median']:.1f} s of its "
                   f"{a['wall_s']['median']:.1f} s, datatrove's "
                   f"{b['wall_s']['median'] - b['process_s']['median']:.1f} s of {b['wall_s']['median']:.1f} s.")
        out.append(f"- CPU {a['cpu_s']['median']:.0f} vs {b['cpu_s']['median']:.0f} CPU-s "
                   f"({r['CPU s, sparkops / datatrove']:.2f}x); peak RSS of the tree {a['peak_rss_gib']['median']:.2f} "
                   f"vs {b['peak_rss_gib']['median']:.2f} GiB ({r['peak RSS, sparkops / datatrove']:.2f}x). "
                   "datatrove's timed run also writes the removed documents (its exclusion writers).")
        by = a.get("cpu_by_role", {})
        if by:
            out.append(f"- Where sparkops' CPU goes (polled, by process): Spark's Python workers "
                       f"{by.get('Spark Python workers', 0):.0f} CPU-s (the four ops, plus Arrow (de)serialisation), "
                       f"the JVM {by.get('JVM', 0):.0f} CPU-s (JSON read and write), the driver "
                       f"{by.get('main process', 0):.0f} CPU-s.")
    c = (res.get("verification") or {}).get("compare")
    if c:
        line = (f"- Same answer: {100 * c['agreement']:.2f}% of the ids either tool kept are kept by both "
                f"({c['n_only_sparkops']:,} only by sparkops, {c['n_only_datatrove']:,} only by datatrove); of the "
                f"{c['both']:,} both kept, {c['n_text_identical']:,} have byte-identical text.")
        sp, dt = c.get("sparkops_removed_by_op"), c.get("datatrove_removed_by_filter")
        if sp is not None and dt is not None:
            off = [op for op in c["ops"] if sp.get(op, 0) != dt.get(op, 0)]
            line += (" Removed per filter: " + ("the same count at every filter." if not off else
                     "different at " + ", ".join(f"`{op}` ({sp.get(op, 0):,} vs {dt.get(op, 0):,})" for op in off)
                     + "."))
        out.append(line)
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    return out


def rulesets_section(res: dict) -> list[str]:
    """The rulesets scenario: FineWeb's four rule sets, sparkops' fused pass vs datatrove."""
    s, tools = res["summary"], TOOLS
    L = [f"## {SECTION_TITLES[NAME]}", "", description(res), ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False, peer=peer_line(res),
                       settings=f"datatrove `tasks={res['np']}`, `workers={res['np']}`")
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += inside_table(res)
    L += cpu_role_table(s, tools)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L += ["### Same answer? (untimed, the last repetition's outputs)", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    c = (res.get("verification") or {}).get("compare")
    if c:
        L += filter_tables(c)
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    L += ["### Rule sets (the same list for both tools: `bench/recipe.py`, `RULESETS`)", "",
          recipe.rulesets_markdown(), ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def rulesets_analysis_pass(args, corpus: Path) -> Path | None:
    """Untimed: the rulesets' fused pass writing every row's id, _keep, _dropped_by and stats
    (Parquet), for which op removed what. Returns its folder, None if it failed."""
    out = WORK / "out" / ANALYSIS
    shutil.rmtree(out, ignore_errors=True)
    result = WORK / "out" / f"{ANALYSIS}.result.json"
    cmd = analysis_command(SPARK_PY, corpus, out, result, args.master)
    log("rulesets analysis pass (untimed): _dropped_by and stats of every row")
    m = proctree.run_measured(cmd, env=spark_env(args.spark_conf), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / f"{ANALYSIS}.log"), interval=1.0)
    if m.returncode != 0:
        log(f"rulesets analysis pass failed (exit {m.returncode}), see bench/work/logs/{ANALYSIS}.log")
        return None
    return out


def finish_rulesets(res: dict, args, corpus: Path) -> None:
    """The rulesets scenario's untimed part: sparkops' drop reasons, then the same-answer check."""
    ran_sparkops = last_ok(res["runs"], SPARK_TOOL) is not None
    analysis = rulesets_analysis_pass(args, corpus) if ran_sparkops and not args.no_analysis else None
    finish(res, WORK / "out", analysis, log)
