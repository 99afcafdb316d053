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

ROOT = Path(__file__).resolve().parents[1]
JOB_SPEC = ROOT / "jobs" / "web_refine.yaml"
DJ_RECIPE = ROOT / "jobs" / "web_refine_dj.yaml"
SPARKOPS_CLI = ROOT / ".venv" / "bin" / "sparkops"
FINAL_STAGE = "dedup"

TOOLS = {
    "job": "sparkops run jobs/web_refine.yaml (3 gated stages, Delta), local[2]",
    "dj_job": "Data-Juicer 1.6.1 DefaultExecutor, jobs/web_refine_dj.yaml, np=2",
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
    from sparkops.ops.dedup_keys import exact_key

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
