"""The timed runs: one run of a tool as its own measured process tree (run_one), a disturbed
run repeated (run_attempts), every repetition with the tools alternating (run_reps), and
reading what each tool left: its result JSON, Data-Juicer's log lines, the kept rows."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from bench.harness import proctree
from bench.harness.common import ROOT, WORK, log
from bench.harness.machine import sparkops_fingerprint
from bench.harness.quiet import disturbance, wait_quiet
from bench.scenarios import job as job_scenario
from bench.scenarios import recipes as recipe_scenario

# run by bench/runners/dj_job.py in the Data-Juicer venv
DJ_TOOLS = ("dj", "dj_job", "dj_minhash", *recipe_scenario.DJ_TOOLS)


def run_one(tool: str, rep: int, args, corpus: Path, n_docs: int, label: str | None = None) -> dict:
    """One timed run of `tool`; `label` (default: the tool) names its output folder and log,
    so that e.g. the dedup scaling runs do not overwrite the scenario's outputs."""
    from bench.scenarios import web as web_scenario  # imports rulesets -> dedup, which imports this module
    from bench.scenarios.catalog import ALL_TOOLS, tool_command  # the catalog imports every scenario, some this module

    label = label or tool
    out_dir = WORK / "out" / label
    logs = WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    result_path = WORK / "out" / f"{label}.result.json"
    result_path.unlink(missing_ok=True)
    log_path = logs / f"{label}-rep{rep}.log"
    cmd, env = tool_command(tool, args, corpus, out_dir, result_path)

    quiet = wait_quiet(args.quiet_wait, args.quiet_threshold) if args.quiet_wait > 0 else {}
    log(f"rep {rep} {label}: {ALL_TOOLS[tool]}" + (f" (machine busy {quiet['busy_cores_before']} cores before"
                                                  f", waited {quiet['waited_s']} s)" if quiet else ""))
    code = sparkops_fingerprint()
    started = time.strftime("%H:%M:%S")
    # `sparkops run --json`: its stdout is the result
    cli = tool == "job" or tool in recipe_scenario.CLI_TOOLS or tool == web_scenario.SPARK_TOOL
    m = proctree.run_measured(cmd, env=env, cwd=str(ROOT), log_path=str(log_path), interval=args.interval,
                              timeout=args.timeout, stdout_path=str(result_path) if cli else None)
    if code != sparkops_fingerprint():
        code += " (changed during the run)"
    if tool in DJ_TOOLS:
        shutil.rmtree(WORK / "dj_ds_cache", ignore_errors=True)
    row = {"tool": tool, "rep": rep, "docs": n_docs, **m.as_dict(), **quiet,
           "log": str(log_path.relative_to(ROOT)), "sparkops_py_sha256": code, "started": started}
    row["docs_per_s"] = n_docs / m.wall_s
    if tool in recipe_scenario.CLI_TOOLS:
        return recipe_scenario.cli_row(row, m.returncode, log_path, out_dir, log, result_path)
    if tool == web_scenario.SPARK_TOOL:
        return web_scenario.cli_row(row, m.returncode, log_path, out_dir, result_path)
    if tool == "job":
        inner = job_scenario.read_run_json(result_path)
        if m.returncode == 1 and inner.get("gate_failure"):
            # a gate that fails is the job's answer, not a harness error: record it, go on
            row.update(kept=None, inner=inner, failed=inner["gate_failure"])
            log(f"rep {rep} {tool}: FAILED (exit 1) after {m.wall_s:.1f} s: {inner['gate_failure'].splitlines()[0]}")
            return row
    if m.returncode != 0 or (tool != "job" and not result_path.is_file()):
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"{tool} rep {rep} failed (exit {m.returncode}); log {log_path}:\n{tail}")
    if tool == "job":
        if "run_s" not in inner:  # the report needs it: better stop than print a table of NaN
            raise RuntimeError(f"job rep {rep}: no JSON document from `sparkops run --json` in {result_path}")
        inner["kept"] = job_scenario.delta_kept(out_dir / "warehouse" / job_scenario.FINAL_STAGE)
    else:
        inner = json.loads(result_path.read_text())
    if tool in DJ_TOOLS:
        inner["per_op"] = parse_dj_log(log_path)
    kept = inner.get("kept")
    if kept is None:
        kept = count_kept(tool, out_dir)
        inner["kept"] = kept
    row.update(kept=kept, inner=inner)
    log(f"rep {rep} {label}: wall {m.wall_s:.1f} s, {row['docs_per_s']:.0f} docs/s, CPU {m.cpu_s:.1f} s, "
        f"peak RSS {m.peak_rss_bytes / 2**30:.2f} GiB, kept {kept}, other load {m.other_load_cpu_s:.1f} CPU-s")
    return row


def parse_dj_log(path: Path) -> list[dict]:
    """Data-Juicer's own per-op lines: '[3/11] OP [alphanumeric_filter] Done in 1.2s. Left N samples.'"""
    import re

    pat = re.compile(r"\[(\d+)/(\d+)\] OP \[(\w+)\] Done in ([\d.]+)s\. Left (\d+) samples")
    out = []
    for line in path.read_text(errors="replace").splitlines():
        m = pat.search(line)
        if m:
            out.append({"op": m.group(3), "s": float(m.group(4)), "left": int(m.group(5))})
    return out


def spark_output_files(out_dir: Path) -> list[Path]:
    return sorted(p for p in (out_dir / "data").glob("part-*") if p.is_file())


def count_kept(tool: str, out_dir: Path) -> int:
    files = spark_output_files(out_dir)
    if not files:
        return 0
    if files[0].suffix == ".parquet" or ".parquet" in files[0].name:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return sum(1 for f in files for _ in open(f, "rb"))


def kept_ids(tool: str) -> set[str] | None:
    """The `id`s of a tool's kept rows: DJ's kept.jsonl, else out/<tool>/data/part-* (Spark's
    files, and the dedup peers' part-*.jsonl)."""
    out_dir = WORK / "out" / tool
    if tool in DJ_TOOLS:
        files = [out_dir / "kept.jsonl"]
    else:
        files = spark_output_files(out_dir)
        if files and ".parquet" in files[0].name:
            import pyarrow.parquet as pq

            return {i for f in files for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()}
    if not files or not files[0].is_file():
        return None
    ids = set()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                ids.add(json.loads(line)["id"])
    return ids


def run_attempts(tool: str, rep: int, args, corpus: Path, n_docs: int, label: str | None = None) -> list[dict]:
    """One repetition of a tool: a disturbed run is repeated (up to --retries). Returns every
    attempt; the last one counts."""
    attempts = []
    for attempt in range(args.retries + 1):
        row = run_one(tool, rep, args, corpus, n_docs, label)
        row["attempt"] = attempt
        row["other_load_cores"] = row["other_load_cpu_s"] / row["wall_s"]
        why = disturbance(row, args.max_other_load)
        row["disturbed"] = bool(why)
        attempts.append(row)
        # a failed gate fails again on the same input: repeating it measures nothing new
        if not why or row.get("failed"):
            break
        log(f"rep {rep} {label or tool}: disturbed ({why})"
            + (", repeating it" if attempt < args.retries else ", keeping it (flagged)"))
    return attempts


def run_reps(tools: list[str], args, corpus: Path, n_docs: int) -> tuple[list[dict], list[dict]]:
    """Every repetition runs each tool once, in an order rotated per repetition. A disturbed
    run is repeated (up to --retries); the last attempt counts. Returns (counted, all)."""
    rows, all_runs = [], []
    for rep in range(1, args.reps + 1):
        k = (rep - 1) % len(tools)
        for tool in tools[k:] + tools[:k]:
            attempts = run_attempts(tool, rep, args, corpus, n_docs)
            all_runs += attempts
            rows.append(attempts[-1])
    return rows, all_runs


def slim_run(row: dict) -> dict:
    """A run for `all_runs`: without the job's own result (`inner`) and the RSS series, which
    the counted run in `runs` keeps (every attempt's series would double results.json)."""
    return {k: v for k, v in row.items() if k not in ("inner", "rss_series")}
