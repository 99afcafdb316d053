"""The full-job scenario: ``sparkops run jobs/web_refine.yaml`` vs Data-Juicer on
``jobs/web_refine_dj.yaml`` (the same 7 mappers, 9 filters and ``document_deduplicator``).

bench/run.py times both tools; this module holds what is specific to the scenario:

- the inputs: the job spec and the Data-Juicer config, each the shipped file with only
  its input/output paths switched (and, for Data-Juicer, ``np`` and the offline word lists);
- reading the results after a run, outside the timed region: the rows kept by the
  ``dedup`` Delta table (from the Delta log and the Parquet files of its latest version; no
  Spark), the run's JSON document (``sparkops run --json``: per stage and per op counts and
  times), Data-Juicer's exported JSONL;
- the same-answer check, including how many differences the one intended difference
  explains: sparkops' ``document_deduplicator`` collapses whitespace runs before hashing,
  Data-Juicer's does not.

Stdlib, pyyaml, pyarrow and sparkops' own dedup key: the sparkops venv (run.py imports this module).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote

import yaml

from bench.harness import proctree
from bench.harness.common import WORK, last_ok, log
from bench.harness.report import (RESULTS_LEGEND, all_runs_table, cpu_role_table, failure_lines, fmt_int,
                                  machine_lines, ratio_lines, results_table, run_lines)

ROOT = Path(__file__).resolve().parents[2]
JOB_SPEC = ROOT / "jobs" / "web_refine.yaml"
DJ_RECIPE = ROOT / "jobs" / "web_refine_dj.yaml"
SPARKOPS_CLI = ROOT / ".venv" / "bin" / "sparkops"
FINAL_STAGE = "dedup"

SECTION_TITLES = {'job': 'Full job: web_refine vs the equivalent Data-Juicer recipe'}
TOOLS = {
    "job": "sparkops run jobs/web_refine.yaml (3 gated stages, Delta), local[2]",
    "dj_job": "Data-Juicer 1.6.1 DefaultExecutor, jobs/web_refine_dj.yaml, np=2",
    "job_floor": "Spark floor: read the corpus, write the job's 7 Delta tables (no ops, no gates), local[2]",
}


# --------------------------------------------------------------------------- inputs


def write_job_spec(corpus: Path, warehouse: Path, spec_path: Path) -> Path:
    """jobs/web_refine.yaml reading `corpus` and writing under `warehouse`; ops, thresholds
    and suites unchanged. The spec lives elsewhere than jobs/, so its relative `expect:`
    paths (relative to the spec's folder) are made absolute."""
    spec = yaml.safe_load(JOB_SPEC.read_text(encoding="utf-8"))
    spec["input"]["path"] = str(corpus)
    spec["output"]["path"] = str(warehouse)
    for stage in spec["stages"]:
        if stage.get("expect"):
            stage["expect"] = str((JOB_SPEC.parent / stage["expect"]).resolve())
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return spec_path


def job_command(spec_path: Path, master: str) -> list[str]:
    """The CLI with --json: its stdout (the harness keeps it as the run's result file) is the
    run's JSON document, the log gets its stderr."""
    return [str(SPARKOPS_CLI), "run", str(spec_path), "--fresh", "--master", master, "--json"]


def write_dj_config(corpus: Path, export_path: Path, np: int, wordlists: Path, cfg_path: Path) -> Path:
    """jobs/web_refine_dj.yaml with its dataset/export paths and np switched, and the word
    lists given offline (the same files sparkops uses; what tools/dj_parity does too)."""
    cfg = yaml.safe_load(DJ_RECIPE.read_text(encoding="utf-8"))
    cfg.update(dataset_path=str(corpus), export_path=str(export_path), np=np)
    for entry in cfg["process"]:
        (op, params), = entry.items()
        if op == "stopwords_filter":
            params["stopwords_dir"] = str(wordlists)
        elif op == "flagged_words_filter":
            params["flagged_words_dir"] = str(wordlists)
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return cfg_path


def stage_suites() -> list[tuple[str, str | None]]:
    """(stage, suite file name) of each stage of jobs/web_refine.yaml."""
    spec = yaml.safe_load(JOB_SPEC.read_text(encoding="utf-8"))
    return [(st["name"], Path(st["expect"]).name if st.get("expect") else None) for st in spec["stages"]]


def inside_rows(s: dict, tools: dict[str, str]) -> list[str]:
    """The rows of an "outside processing / processing" table for `tools` (name -> description)
    from a scenario summary `s`; tools without runs are left out."""
    L = ["| run | outside processing | processing | processing docs/s |", "|---|---|---|---|"]
    for tool, desc in tools.items():
        t = s.get(tool)
        if not t or not t["reps"]:
            continue
        L.append(f"| {desc} | {t['wall_s']['median'] - t['process_s']['median']:.1f} | "
                 f"{t['process_s']['median']:.1f} | {t['process_docs_per_s']['median']:.0f} |")
    return L + [""]


def dj_op_names() -> list[str]:
    return [next(iter(e)) if isinstance(e, dict) else e
            for e in yaml.safe_load(DJ_RECIPE.read_text(encoding="utf-8"))["process"]]


# --------------------------------------------------------------------------- sparkops' output

RUN_JSON = "--json"  # inner["source"] of a run read from the JSON document (older runs: the summary table)


def read_run_json(path: Path) -> dict:
    """The JSON document `sparkops run --json` printed (its stdout, in `path`), in the shape the
    harness records: run id, input rows, quarantined, run time, and per stage its rows, seconds,
    gate or reuse note and per op its rows in/out (the shape of the summary-table parser this
    replaced, so that older results render alike), plus each stage's phases and each op's
    dropped, errors and worker seconds; the gate's error if a gate stopped the run. A run that
    failed has no `run_s`; a run that printed no document (it crashed) has only `stages: []`."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    if not text.strip():
        return {"stages": []}
    doc = json.loads(text)
    notes = {"reused": "reused", "gate_failed": "gate failed"}
    out: dict = {"source": RUN_JSON, "stages": [{
        "stage": st["name"],
        "note": notes.get(st["status"]) or (f"gate {st['gate']['result']}" if st["gate"] else None),
        "rows_in": st["rows_in"], "rows_out": st["rows_out"], "s": st["seconds"], "phases": st["phases"],
        "ops": [{"op": op["name"], "rows_in": op["rows_in"], "rows_out": op["rows_out"], "dropped": op["dropped"],
                 "errors": op["errors"], "worker_s": op["worker_seconds"]} for op in st["ops"]],
    } for st in doc["stages"]]}
    if doc["status"] == "ok":
        out.update(run_id=doc["run_id"], input_rows=doc["input_rows"], quarantined=doc["quarantine"]["rows"],
                   run_s=doc["seconds"])
    elif doc["error"]:
        out["error"] = doc["error"]
        if doc["error"]["kind"] == "gate_failed":
            out["gate_failure"] = f"error: gate failed: {doc['error']['message']}"
    return out


def delta_snapshot(table: Path) -> tuple[list[Path], dict]:
    """The Parquet files of a Delta table's latest version, and that version's commitInfo.

    Replays the JSON commits of `_delta_log` in order (add/remove actions). The harness
    deletes the warehouse before every run, so the log starts at version 0 and never needs a
    checkpoint; a table that has one is refused rather than read wrongly."""
    log_dir = table / "_delta_log"
    if (log_dir / "_last_checkpoint").exists():
        raise RuntimeError(f"{table}: has a Delta checkpoint; the benchmark expects a fresh table")
    files: dict[str, dict] = {}
    info: dict = {}
    for commit in sorted(log_dir.glob("[0-9]*.json")):
        for line in commit.read_text(encoding="utf-8").splitlines():
            action = json.loads(line)
            if "add" in action:
                files[action["add"]["path"]] = action["add"]
            elif "remove" in action:
                files.pop(action["remove"]["path"], None)
            elif "commitInfo" in action:
                info = action["commitInfo"]
    info["_adds"] = list(files.values())
    return [table / unquote(p) for p in files], info


def delta_rows(table: Path) -> int | None:
    """Rows of the table's latest version from the numRecords statistics Delta writes with
    every file; None if a file has none."""
    _, info = delta_snapshot(table)
    stats = [json.loads(a["stats"]) for a in info["_adds"] if a.get("stats")]
    if len(stats) != len(info["_adds"]):
        return None
    return sum(s["numRecords"] for s in stats)


def delta_kept(table: Path) -> int:
    """Rows of the table's latest version: the count the runner commits in userMetadata,
    checked against the file statistics."""
    _, info = delta_snapshot(table)
    committed = json.loads(info["userMetadata"])["rows_out"]
    in_files = delta_rows(table)
    if in_files is not None and in_files != committed:
        raise RuntimeError(f"{table}: commit metadata says {committed} rows, file statistics {in_files}")
    return committed


def gate_seconds(warehouse: Path, run_id: str) -> dict[str, float]:
    """Stage -> seconds its Great Expectations gate took, from the gate reports of the run."""
    out = {}
    for report in sorted((warehouse / "_reports" / run_id).glob("*/report.json")):
        out[report.parent.name] = json.loads(report.read_text(encoding="utf-8"))["seconds"]["total"]
    return out


def job_kept_records(warehouse: Path) -> dict[str, str]:
    """id -> final text of the rows in the `dedup` table (the id is a field of the input
    record, kept verbatim in `_record`)."""
    import pyarrow.parquet as pq

    files, _ = delta_snapshot(warehouse / FINAL_STAGE)
    out = {}
    for f in files:
        t = pq.read_table(f, columns=["_record", "text"]).to_pydict()
        for rec, text in zip(t["_record"], t["text"]):
            out[json.loads(rec)["id"]] = text
    return out


def dj_kept_records(export_path: Path) -> dict[str, str]:
    out = {}
    with open(export_path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["id"]] = rec["text"]
    return out


# --------------------------------------------------------------------------- same answer?


def dj_dedup_key(text: str) -> str:
    """Data-Juicer 1.6.1 document_deduplicator(lowercase=True).compute_hash: md5 of
    text.lower().strip(); whitespace inside the text counts."""
    return hashlib.md5(text.lower().strip().encode("utf-8")).hexdigest()


def sparkops_dedup_key(text: str) -> bytes:
    """sparkops' own key (whitespace runs collapsed to one space), from sparkops itself."""
    from sparkops.ops.dedup.document import exact_key

    return exact_key(text, lowercase=True, ignore_non_character=False)


def whitespace_explained(only_dj: list[str], job: dict[str, str], dj: dict[str, str]) -> dict[str, str]:
    """For each id Data-Juicer kept and sparkops did not: the id of a document both kept
    that is the same text up to whitespace runs (same sparkops key, different Data-Juicer
    key). Such a pair is the intended difference: sparkops keeps only the first of the two."""
    by_key: dict[bytes, list[str]] = {}
    for i, text in dj.items():
        by_key.setdefault(sparkops_dedup_key(text), []).append(i)
    explained = {}
    for i in only_dj:
        for j in by_key[sparkops_dedup_key(dj[i])]:
            if j != i and j in job and dj_dedup_key(dj[j]) != dj_dedup_key(dj[i]):
                explained[i] = j
                break
    return explained


def compare(job: dict[str, str], dj: dict[str, str]) -> dict:
    """Kept id sets, texts of the common ids, and how much of a difference whitespace explains."""
    only_job, only_dj = sorted(job.keys() - dj.keys()), sorted(dj.keys() - job.keys())
    common = job.keys() & dj.keys()
    text_differs = sorted(i for i in common if job[i] != dj[i])
    explained = whitespace_explained(only_dj, job, dj)
    return {
        "job_kept": len(job), "dj_kept": len(dj), "identical": not only_job and not only_dj,
        "only_in_job": only_job[:50], "n_only_in_job": len(only_job),
        "only_in_dj": only_dj[:50], "n_only_in_dj": len(only_dj),
        "whitespace_explained": len(explained),
        "whitespace_examples": dict(list(explained.items())[:5]),
        "common": len(common), "n_text_differs": len(text_differs), "text_differs": text_differs[:20],
    }


def _examples(ids: list[str]) -> str:
    return f" (e.g. {', '.join(ids[:5])})" if ids else ""


def compare_lines(c: dict) -> list[str]:
    """The Markdown lines of the same-answer check."""
    head = f"`dj_job` kept {c['dj_kept']:,} docs, `job` (the `{FINAL_STAGE}` Delta table) {c['job_kept']:,}: "
    if c["identical"]:
        lines = [head + "**identical id sets**"]
    else:
        lines = [head + f"**differ**: {c['n_only_in_job']:,} only in `job`{_examples(c['only_in_job'])}, "
                 f"{c['n_only_in_dj']:,} only in `dj_job`{_examples(c['only_in_dj'])}"]
        if c["n_only_in_dj"]:
            ex = ", ".join(f"{a} (a copy of {b})" for a, b in c["whitespace_examples"].items())
            lines.append(f"Of the {c['n_only_in_dj']:,} documents only Data-Juicer kept, "
                         f"{c['whitespace_explained']:,} are explained by the intended difference: each is "
                         f"the same text, lower-cased, as a document both kept except for runs of whitespace, "
                         f"which sparkops' `document_deduplicator` collapses before hashing and Data-Juicer's "
                         f"does not" + (f" (e.g. {ex})" if ex else "") + "; "
                         + (f"{c['n_only_in_dj'] - c['whitespace_explained']:,} are not explained."
                            if c["n_only_in_dj"] > c["whitespace_explained"] else "no other cause."))
        if c["n_only_in_job"]:
            lines.append(f"The {c['n_only_in_job']:,} documents only sparkops kept are **not** explained by "
                         f"whitespace (collapsing can only merge more documents, never keep more).")
    lines.append(f"Text of the {c['common']:,} documents both kept: "
                 + ("**identical**." if not c["n_text_differs"] else
                    f"**{c['n_text_differs']:,} differ** (e.g. {', '.join(c['text_differs'][:5])})."))
    return lines


# --------------------------------------------------------------------------- per op


def per_op_rows(job_inner: dict, dj_per_op: list[dict]) -> list[dict]:
    """One row per op in recipe order: sparkops' rows in/left (its run's JSON document) next to
    Data-Juicer's rows left and seconds (its log lines). Ops are matched by name, which is
    unique in this recipe."""
    dj = {d["op"]: d for d in dj_per_op}
    rows = []
    for st in job_inner.get("stages", []):
        for op in st["ops"]:
            d = dj.get(op["op"], {})
            rows.append({"stage": st["stage"], "op": op["op"], "rows_in": op["rows_in"],
                         "rows_out": op["rows_out"], "dj_left": d.get("left"), "dj_s": d.get("s"),
                         **({"worker_s": op["worker_s"]} if "worker_s" in op else {})})
    seen = {r["op"] for r in rows}
    for d in dj_per_op:  # ops sparkops did not report (a run stopped by a gate)
        if d["op"] not in seen:
            rows.append({"stage": "", "op": d["op"], "rows_in": None, "rows_out": None,
                         "dj_left": d["left"], "dj_s": d["s"]})
    return rows


# --------------------------------------------------------------------------- report and untimed part


def job_section(res: dict) -> list[str]:
    s = res["summary"]
    tools = TOOLS
    L = [f"## {SECTION_TITLES['job']}", ""]
    L.append("`job`: the real CLI, `sparkops run SPEC --fresh --master " + res["master"] + "`, where SPEC is "
             "`jobs/web_refine.yaml` with only `input.path` (the corpus below), `output.path` (a scratch "
             "folder) and its `expect:` paths (made absolute) changed: 3 stages clean → quality → dedup, each "
             "gated by its Great Expectations suite. `dj_job`: Data-Juicer's `DefaultExecutor` "
             "(`bench/dj_job.py`) on `jobs/web_refine_dj.yaml` (the same 7 mappers, 9 filters and "
             "`document_deduplicator`, one stage, no gates) with only `dataset_path`, `export_path`, `np` and "
             "the offline word-list folders changed. *kept* = rows of the final `dedup` Delta table (its "
             "commit's counts, checked against Delta's per-file `numRecords`) / lines of Data-Juicer's export.")
    L.append("")
    L += run_lines(res)
    L += machine_lines(res, sink=False)
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += job_inside_table(s)
    L += cpu_role_table(s, tools)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratio (medians)", ""] + ratios
    L += ["### Same answer?", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    L += job_per_op_table(res)
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    L += ["### What each side does that the other does not", "", job_sides_paragraph(res), ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def job_inside_table(s: dict) -> list[str]:
    n_ops = len(dj_op_names())
    L = ["Inside each process (medians, s): *processing* = for `job` the run time `sparkops run` reports "
         "itself (input read, the stages with their gates and Delta commits), for `dj_job` the executor "
         f"(load, {n_ops} ops, export); *outside* = wall − processing (imports, Spark session or DJ "
         "config, `spark.stop()`, process exit).", ""]
    return L + inside_rows(s, TOOLS)


def job_per_op_table(res: dict, n_ops: int | None = None) -> list[str]:
    """Rows left per op, sparkops beside Data-Juicer (also the recipe scenarios', whose one stage
    is `process`; `n_ops` = their recipe's op count)."""
    rows = res.get("per_op") or []
    if not rows:
        return []
    n_ops = n_ops or len(dj_op_names())
    # runs recorded before `sparkops run --json` had their counts from its summary table, no op times
    from_json = any((r.get("inner") or {}).get("source") == RUN_JSON for r in res.get("runs", []))
    L = ["### Per operator (rows left)", "",
         "Rows after each op, last repetition: sparkops from "
         + ("its run's JSON document (`sparkops run --json`)" if from_json else "the summary table `sparkops run` prints")
         + f", Data-Juicer from its log lines (`[i/{n_ops}] OP [name] Done in Xs. Left N samples.`). *same*: "
         "`yes`, or sparkops' rows left minus Data-Juicer's. *DJ s*: Data-Juicer's time for the op, "
         "including its per-op pool start and cache writes."
         + (" *sparkops worker s*: the op's kernel time in Spark's Python workers, summed over the tasks of "
            f"the fused pass (they run in parallel on `{res['master']}`; none for a deduplicator)." if from_json else ""),
         "",
         "| stage | # | operator | sparkops rows in | sparkops rows left | Data-Juicer rows left | same | DJ s |"
         + (" sparkops worker s |" if from_json else ""),
         "|---|---|---|---|---|---|---|---|" + ("---|" if from_json else "")]
    for i, r in enumerate(rows, 1):
        same = "" if r["rows_out"] is None or r["dj_left"] is None else (
            "yes" if r["rows_out"] == r["dj_left"] else f"**{r['rows_out'] - r['dj_left']:+,}**")
        worker = r.get("worker_s")
        L.append(f"| {r['stage']} | {i} | `{r['op']}` | {fmt_int(r['rows_in'])} | {fmt_int(r['rows_out'])} | "
                 f"{fmt_int(r['dj_left'])} | {same} | {'' if r['dj_s'] is None else r['dj_s']} |"
                 + (f" {'' if worker is None else format(worker, '.1f')} |" if from_json else ""))
    L.append("")
    stages = res.get("stages") or []
    if stages:
        dj_s = {st["stage"]: sum(r["dj_s"] or 0 for r in rows if r["stage"] == st["stage"]) for st in stages}
        gates = res.get("gate_s") or {}
        L.append("Per stage, last repetition: sparkops ("
                 + ("the stage's *seconds* in its JSON document" if from_json else "its summary's *time s*")
                 + ": the ops, the gate and the Delta commits; the gate's own time from its report) "
                 + ", ".join(f"`{st['stage']}` {st['s']:.1f} s ({st['note'] or 'no gate'}"
                             + (f", gate {gates[st['stage']]:.1f} s" if st["stage"] in gates else "") + ")"
                             for st in stages)
                 + "; Data-Juicer (sum of its op lines) " + ", ".join(f"`{k}` ops {v:.1f} s" for k, v in dj_s.items())
                 + ".")
        L.append("")
    return L


def job_sides_paragraph(res: dict) -> str:
    """What each tool produces beyond the kept rows, from what the last runs left on disk."""
    tables = res.get("warehouse_tables") or []
    dj_files = res.get("dj_outputs") or []
    suites = [suite for _, suite in stage_suites() if suite]
    sp = ("**sparkops** (`job`) reads the input once with a quarantine for unreadable records, runs each "
          "stage's ops as one fused pass, validates the stage's kept rows with Great Expectations before "
          f"publishing anything ({len(suites)} validations: " + ", ".join(f"`{x}`" for x in suites)
          + ", each writing a report), and commits Delta tables: the kept rows of each stage with their `stats` and the "
          "input record's other fields, the removed rows in `<stage>_rejected` with `_dropped_by` (and the `stats` that removed "
          "them), and `_quarantine`; each commit carries the stage hash and counts, which lets a re-run "
          "resume at the first changed stage (`--fresh` here turns that off)")
    if tables:
        sp += (". Tables the last run committed: " + ", ".join(
            f"`{t['table']}` ({fmt_int(t['rows'])} rows)" for t in tables))
    sp += ". It writes no single JSONL export (the job spec has no `export_path`). "
    n_ops = len(dj_op_names())
    dj = (f"**Data-Juicer** (`dj_job`) runs the {n_ops} ops as one stage of `datasets` map/filter calls with np "
          "processes and writes one JSONL export of the kept rows, plus a file of their stats; removed rows are "
          "not kept, nothing validates the result, and a re-run starts over (its HF cache is fresh per run "
          "here)")
    if dj_files:
        dj += ". Files the last run wrote: " + ", ".join(f"`{f['file']}` ({f['bytes'] / 1e6:.1f} MB)" for f in dj_files)
    return sp + dj + "."


def interpret_job(res: dict) -> list[str]:
    """A few lines on the job scenario, every number from its runs."""
    s = res["summary"]
    j, d = s.get("job"), s.get("dj_job")
    out = []
    failed = [x for x in res["runs"] if x.get("failed")]
    if failed:
        out.append(f"- **{len(failed)} `{failed[0]['tool']}` run(s) failed**: a gate stopped the job (exit 1; "
                   f"see the failure above). Its suites were not changed for the benchmark.")
    ok = lambda t: t and t["reps"]  # noqa: E731
    if ok(j) and ok(d):
        out.append(f"- CPU: the sparkops job used {j['cpu_s']['median']:.0f} CPU-s for {j['docs']:,} docs, "
                   f"Data-Juicer {d['cpu_s']['median']:.0f} CPU-s (sparkops / Data-Juicer = "
                   f"{j['cpu_s']['median'] / d['cpu_s']['median']:.2f}x); peak RSS of the tree "
                   f"{j['peak_rss_gib']['median']:.2f} GiB vs {d['peak_rss_gib']['median']:.2f} GiB.")
        by = j.get("cpu_by_role", {})
        if by:
            out.append(f"- Where the sparkops job's CPU goes (polled, by process): the JVM "
                       f"{by.get('JVM', 0):.0f} CPU-s (all but the Python UDFs: reading, shuffles, Delta "
                       f"writes, the GX validations' Spark jobs), "
                       f"Spark's Python workers {by.get('Spark Python workers', 0):.0f} CPU-s (the operators, "
                       f"plus Arrow (de)serialisation), the driver {by.get('main process', 0):.0f} CPU-s.")
        jo = j["wall_s"]["median"] - j["process_s"]["median"]
        do = d["wall_s"]["median"] - d["process_s"]["median"]
        out.append(f"- Fixed cost outside the processing: sparkops {jo:.1f} s of its {j['wall_s']['median']:.1f} s "
                   f"(Python imports, Spark session with Delta, `spark.stop()`, JVM exit), "
                   f"Data-Juicer {do:.1f} s of {d['wall_s']['median']:.1f} s.")
    f = s.get("job_floor")
    if ok(j) and ok(f):
        fp, jp = f["process_s"]["median"], j["process_s"]["median"]
        out.append(f"- **The floor** (`job_floor`: Spark alone reading the corpus and writing the job's 7 Delta "
                   f"tables, as many rows each): {f['wall_s']['median']:.1f} s whole process, {fp:.1f} s of "
                   f"processing, peak RSS {f['peak_rss_gib']['median']:.2f} GiB. The job's ops, gates and its "
                   f"own reader add {jp - fp:.1f} s of processing to it "
                   f"({f['wall_s']['median'] / j['wall_s']['median']:.0%} of the job's whole process is the floor).")
    if res.get("stages"):
        out.append("- sparkops by stage (last repetition, each including its gate and Delta commits; in brackets "
                   "its phases from the run's JSON: the ops' pass with the stage's counts, the gate, the Delta "
                   "commits): " + ", ".join(f"`{st['stage']}` {st['s']:.1f} s" + _phases(st) for st in res["stages"])
                   + ".")
        ops = [(st["stage"], op) for st in res["stages"] for op in st.get("ops") or [] if op.get("worker_s")]
        if ops:
            total = sum(op["worker_s"] for _, op in ops)
            top = sorted(ops, key=lambda x: -x[1]["worker_s"])[:4]
            out.append(f"- sparkops' costliest ops (last repetition; kernel seconds in the Python workers, "
                       f"{total:.1f} s for all, on 2 cores): "
                       + ", ".join(f"`{op['op']}` {op['worker_s']:.1f} s" for _, op in top) + ".")
    dj_ops = [r for r in res.get("per_op") or [] if r.get("dj_s") is not None]
    if dj_ops:
        top = sorted(dj_ops, key=lambda r: -r["dj_s"])[:3]
        total = sum(r["dj_s"] for r in dj_ops)
        out.append(f"- Data-Juicer's costliest ops by its own log (last repetition; {total:.1f} s for all "
                   f"{len(dj_ops)}): " + ", ".join(f"`{r['op']}` {r['dj_s']:.1f} s" for r in top) + ".")
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    return out


def _phases(stage: dict) -> str:
    ph = stage.get("phases") or {}
    return f" ({', '.join(f'{k} {v:.1f}' for k, v in ph.items())})" if ph else ""


def job_ratios(summary: dict) -> dict:
    j, d = summary.get("job"), summary.get("dj_job")
    if not j or not d or not j["reps"] or not d["reps"]:
        return {}
    return {
        "sparkops job vs Data-Juicer (docs/s, whole process)": j["docs_per_s"]["median"] / d["docs_per_s"]["median"],
        "sparkops job vs Data-Juicer (docs/s, processing only)": d["process_s"]["median"] / j["process_s"]["median"],
    }


def job_verification(rows: list[dict]) -> dict:
    """Kept ids and texts of the last `job` and `dj_job` runs (untimed, read from their outputs)."""
    job, dj = last_ok(rows, "job"), last_ok(rows, "dj_job")
    lines = []
    if job:
        lines.append(f"`job` read {job['inner']['input_rows']:,} records ({job['inner']['quarantined']:,} "
                     f"quarantined); its `{FINAL_STAGE}` table holds {job['kept']:,} rows "
                     f"(commit counts = Delta file statistics).")
    if not job or not dj:
        failed = [t for t, r in (("job", job), ("dj_job", dj)) if r is None and any(x["tool"] == t for x in rows)]
        lines.append(f"No comparison: the last run of {', '.join(f'`{t}`' for t in failed)} failed."
                     if failed else "No comparison: only one of the two tools ran.")
        return {"lines": lines}
    log("same answer? reading the dedup table and Data-Juicer's export (untimed)")
    c = compare(job_kept_records(WORK / "out" / "job" / "warehouse"),
                             dj_kept_records(WORK / "out" / "dj_job" / "kept.jsonl"))
    return {"lines": lines + compare_lines(c), "compare": c}


def warehouse_tables(warehouse: Path) -> list[dict]:
    """The Delta tables a job run committed, with their row counts."""
    out = []
    for table in sorted(p.parent for p in warehouse.glob("*/_delta_log")):
        out.append({"table": table.name, "rows": delta_rows(table)})
    return out


def output_files(folder: Path) -> list[dict]:
    return [{"file": p.name, "bytes": p.stat().st_size} for p in sorted(folder.iterdir()) if p.is_file()]


def finish_job(res: dict) -> None:
    """The job scenario's untimed part: same answer, per-op counts, what each side wrote."""
    rows = res["runs"]
    res["verification"] = job_verification(rows)
    log("verification: " + "; ".join(res["verification"]["lines"]))
    job, dj = last_ok(rows, "job"), last_ok(rows, "dj_job")
    dj_rows = [r for r in rows if r["tool"] == "dj_job" and not r.get("failed")]
    warehouse = WORK / "out" / "job" / "warehouse"
    res.update(
        ratios=job_ratios(res["summary"]),
        stages=job["inner"]["stages"] if job else None,
        gate_s=gate_seconds(warehouse, job["inner"]["run_id"]) if job else None,
        per_op=per_op_rows(job["inner"] if job else {}, dj["inner"].get("per_op", []) if dj else []),
        warehouse_tables=warehouse_tables(warehouse) if job else None,
        dj_outputs=output_files(WORK / "out" / "dj_job") if dj else None,
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )
