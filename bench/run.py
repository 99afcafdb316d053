"""sparkops throughput benchmark against Data-Juicer 1.6.1 (and datatrove), six scenarios:

- ``filters``: 11 filters as the fused pass vs one-by-one SQL vs a Spark floor vs Data-Juicer;
- ``job``: the full ``web_refine`` job (``sparkops run``: 3 gated stages, Delta tables) vs
  the equivalent Data-Juicer recipe ``jobs/web_refine_dj.yaml``;
- ``dedup``: ``document_minhash_deduplicator`` (sparkops, with and without ``verify``) vs
  Data-Juicer's, datatrove's and text-dedup's MinHash dedup (bench/dedup_peers.py), with an
  untimed quality analysis and a 1x/2x/4x scaling run;
- ``rules``, ``ops21``: one Data-Juicer recipe YAML run by ``sparkops run`` and by Data-Juicer
  (bench/recipe_scenario.py);
- ``rulesets``: FineWeb's heuristic rule sets (Gopher repetition, Gopher quality, C4, FineWeb
  quality) as one sparkops fused pass vs datatrove 0.10.1 (bench/rulesets_scenario.py).

    make bench                          # full: whole corpus, every scenario, 3 repetitions per tool
    make bench BENCH_ARGS=--quick       # a 5,000-doc slice, 1 repetition
    .venv/bin/python bench/run.py --scenarios job      # only the job scenario
    .venv/bin/python bench/run.py --quick --scenarios dedup   # the dedup scenario on 5,000 docs
    .venv/bin/python bench/run.py --scenarios recipes  # rules + ops21: one Data-Juicer recipe YAML run
                                                       # by `sparkops run` and by Data-Juicer (recipe_scenario.py)
    .venv/bin/python bench/run.py --quick --scenarios rulesets   # FineWeb's rule sets vs datatrove
    .venv/bin/python bench/run.py --help

Every run is its own process tree (bench/spark_job.py, bench/dj_job.py or the sparkops
CLI), measured by bench/proctree.py (wall, CPU seconds and peak RSS summed over all
descendants). Tools alternate within each repetition of a scenario (the order rotates), so
drift on the machine hits all of them alike. results.json keeps one entry per scenario: a
scenario not run keeps its previous results. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# this checkout's sparkops first: .venv's editable install points at the checkout that created
# it, so a benchmark run from a git worktree (with .venv symlinked) would otherwise import
# another checkout's code, which may be edited while the benchmark runs
sys.path[:0] = [str(HERE), str(ROOT)]

import dedup_peers  # noqa: E402
import dedup_scenario  # noqa: E402
import job_scenario  # noqa: E402
import parity  # noqa: E402
import proctree  # noqa: E402
import recipe  # noqa: E402
import recipe_scenario  # noqa: E402
import rulesets_scenario  # noqa: E402

SHARED_BENCH = (ROOT / ".." / "shared" / "bench").resolve()
WORK = HERE / "work"
DEFAULT_CORPUS = WORK / "corpus" / "corpus.jsonl"
SPARK_PY = ROOT / ".venv" / "bin" / "python"
DJ_VENV = ROOT / ".peers" / "dj"
DJ_PY = DJ_VENV / "bin" / "python"
WORDLISTS = ROOT / "sparkops" / "assets" / "wordlists"
LID_MODEL = ROOT / "sparkops" / "assets" / "lid.176.ftz"
DJ_PIP_SPEC = ["py-data-juicer==1.6.1", "aiohttp", "ftfy", "fasttext-predict", "simhash-pybind", "scipy"]

# /work/shared/bench/README.md: the Debian packages gen_corpus.py reads
CORPUS_PACKAGES = (
    "python3.11-doc linux-doc-6.1 debian-reference-en debian-reference-de debian-reference-fr "
    "debian-reference-ja debian-reference-zh-cn debian-handbook developers-reference manpages "
    "manpages-dev manpages-de manpages-fr manpages-ru manpages-es manpages-pl perl-doc git-doc "
    "python-django-doc postgresql-doc-15 gnu-standards jargon-text fortunes nodejs-doc bash-doc "
    "libreoffice-help-en-us man-db groff-base"
).split()

TOOLS = {
    "floor": "Spark floor: read JSONL + count (local[2])",
    "fused": "sparkops fused pass (11 filters, one Arrow pass)",
    "sql": "sparkops one-by-one: 11 SQL predicates in one WHERE",
    "dj": "Data-Juicer 1.6.1 DefaultExecutor, np=2",
}
SCENARIOS = {"filters": list(TOOLS), "job": list(job_scenario.TOOLS), "dedup": list(dedup_scenario.TOOLS),
             **recipe_scenario.SCENARIOS, **rulesets_scenario.SCENARIOS}
ALL_TOOLS = {**TOOLS, **job_scenario.TOOLS, **dedup_scenario.TOOLS, **recipe_scenario.TOOLS,
             **rulesets_scenario.TOOLS}
# run by bench/dj_job.py in the Data-Juicer venv
DJ_TOOLS = ("dj", "dj_job", "dj_minhash", *recipe_scenario.DJ_TOOLS)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- setup


def ensure_corpus(corpus: Path) -> None:
    if corpus.is_file():
        return
    if corpus != DEFAULT_CORPUS:
        sys.exit(f"corpus {corpus} not found")
    gen = SHARED_BENCH / "gen_corpus.py"
    if not gen.is_file():
        sys.exit(f"{gen} not found: the corpus generator lives in ../shared/bench")
    running = subprocess.run(["pgrep", "-f", "gen_corpus.py"], capture_output=True, text=True).stdout.split()
    if running:
        sys.exit(f"gen_corpus.py is already running (pid {', '.join(running)}); wait for it and re-run")
    missing = [p for p in CORPUS_PACKAGES
               if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        log(f"corpus: installing {len(missing)} Debian doc package(s) gen_corpus.py reads: {' '.join(missing)}")
        cmd = sudo + ["apt-get", "update"]
        log("$ " + shlex.join(cmd))
        subprocess.run(cmd, check=True)
        cmd = sudo + ["apt-get", "install", "-y", "--no-install-recommends", *missing]
        log("$ DEBIAN_FRONTEND=noninteractive " + shlex.join(cmd))
        subprocess.run(cmd, check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    cmd = [sys.executable, str(gen), "--out", str(corpus.parent)]
    log(f"corpus: building {corpus} (~15 min the first time: groff renders the man pages)")
    log("$ " + shlex.join(cmd))
    subprocess.run(cmd, check=True, cwd=ROOT)
    if not corpus.is_file():
        sys.exit(f"gen_corpus.py did not produce {corpus}")


def ensure_dj_venv() -> None:
    if DJ_PY.is_file():
        return
    # the same throwaway venv `make parity-fixture` builds
    log(f"Data-Juicer venv missing: creating {DJ_VENV}")
    py = shutil.which("python3.11") or sys.executable
    pip = [str(DJ_VENV / "bin" / "pip"), "install", *dedup_peers.pip_constraints("dj"), *DJ_PIP_SPEC]
    for cmd in ([py, "-m", "venv", str(DJ_VENV)], pip):
        log("$ " + shlex.join(cmd))
        subprocess.run(cmd, check=True)


def ensure_assets() -> None:
    for p in (LID_MODEL, WORDLISTS / "stopwords.json", WORDLISTS / "flagged_words.json"):
        if not p.is_file():
            sys.exit(f"missing {p}: run `make setup` (python -m sparkops.assets.fetch)")


def make_slice(corpus: Path, n: int | None) -> tuple[Path, int]:
    """The first n documents (the corpus is shuffled by its generator), or the whole corpus."""
    total = sum(1 for _ in open(corpus, "rb"))
    if n is None or n >= total:
        return corpus, total
    out = WORK / "slices" / f"{corpus.stem}_first{n}.jsonl"
    if not out.is_file() or sum(1 for _ in open(out, "rb")) != n:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with open(corpus, "rb") as src, open(tmp, "wb") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
        os.replace(tmp, out)
    return out, n


def venv_freeze(py: Path) -> list[str]:
    r = subprocess.run([str(py), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                       capture_output=True, text=True)
    return sorted(r.stdout.split())


# --------------------------------------------------------------------------- machine


def _out(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"


def sparkops_fingerprint() -> str:
    """sha256 over sparkops/**/*.py: others edit the package while the benchmark runs."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((ROOT / "sparkops").rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def machine_info() -> dict:
    import psutil

    cpu_model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    os_name = platform.platform()
    if Path("/etc/os-release").is_file():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    spark_versions = json.loads(_out([str(SPARK_PY), "-c", (
        "import json, sys, importlib.metadata as m\n"
        "print(json.dumps({'python': sys.version.split()[0], **{p: m.version(p) for p in "
        "['pyspark', 'delta-spark', 'pyarrow', 'pandas', 'fasttext-numpy2', 'sparkops']}}))")]).splitlines()[-1])
    # the Data-Juicer venv exists only when a scenario with a Data-Juicer tool ran (or ran before)
    dj_versions = json.loads(_out([str(DJ_PY), "-c", (
        "import json, sys, importlib.metadata as m\n"
        "print(json.dumps({'python': sys.version.split()[0], **{p: m.version(p) for p in "
        "['py-data-juicer', 'datasets', 'pyarrow', 'multiprocess', 'fasttext-predict']}}))")]).splitlines()[-1]) \
        if DJ_PY.is_file() else {}
    java = _out(["java", "-version"]).splitlines()
    git_head = _out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _out(["git", "-C", str(ROOT), "status", "--porcelain", "--", "sparkops"]).splitlines()
    return {
        "sparkops_py_sha256": sparkops_fingerprint(),
        "cpu_model": cpu_model,
        "logical_cpus": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": os_name,
        "java": java[0] if java else "",
        "java_runtime": java[1] if len(java) > 1 else "",
        "sparkops_venv": spark_versions,
        "dj_venv": dj_versions,
        "sparkops_git": git_head + (f" + {len(dirty)} uncommitted change(s) under sparkops/" if dirty else ""),
        "hostname": platform.node(),
    }


# --------------------------------------------------------------------------- runs


def spark_env(extra_conf: str | None) -> dict:
    env = dict(os.environ)
    for k in ("SPARKOPS_MASTER", "SPARKOPS_CONF", "PYSPARK_SUBMIT_ARGS", "SPARK_HOME"):
        env.pop(k, None)
    env.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=str(SPARK_PY), PYSPARK_DRIVER_PYTHON=str(SPARK_PY),
               # driver and Spark's Python workers import this checkout's sparkops (see sys.path above)
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    if extra_conf:
        env["SPARKOPS_CONF"] = extra_conf
    return env


def wait_quiet(max_wait: float, threshold: float) -> dict:
    """Wait (up to max_wait s) until the machine's other load is below threshold cores."""
    t0, last_note, window = time.time(), time.time(), 5.0
    while True:
        b0 = proctree.machine_busy_seconds()
        time.sleep(window)
        busy = (proctree.machine_busy_seconds() - b0) / window
        waited = time.time() - t0
        if busy <= threshold or waited >= max_wait:
            return {"busy_cores_before": round(busy, 2), "waited_s": round(waited, 1)}
        if time.time() - last_note >= 60:
            log(f"waiting for the machine to be idle: other processes use {busy:.1f} cores "
                f"(waited {waited:.0f} s of at most {max_wait:.0f} s)")
            last_note = time.time()


def dj_config(tool: str, args, corpus: Path, out_dir: Path) -> Path:
    """Data-Juicer's config file: the 11-filter recipe (`dj`), jobs/web_refine_dj.yaml
    (`dj_job`) or its MinHash deduplicator alone (`dj_minhash`)."""
    if tool in recipe_scenario.DJ_TOOLS:
        return recipe_scenario.write_recipe(tool, corpus, out_dir, args.np, WORDLISTS, WORK / "out")
    if tool == "dj_job":
        return job_scenario.write_dj_config(corpus, out_dir / "kept.jsonl", args.np, WORDLISTS,
                                            WORK / "out" / "dj_job_recipe.yaml")
    if tool == "dj_minhash":
        return dedup_scenario.write_dj_config(corpus, out_dir / "kept.jsonl", args.np,
                                              WORK / "out" / "dj_minhash_recipe.yaml")
    cfg = {
        "project_name": "sparkops-bench",
        "dataset_path": str(corpus),
        "export_path": str(out_dir / "kept.jsonl"),
        "np": args.np,
        "text_keys": "text",
        "executor_type": "default",
        "process": recipe.dj_process(str(WORDLISTS)),
    }
    cfg_path = WORK / "out" / "dj_recipe.yaml"
    cfg_path.write_text(json.dumps(cfg, indent=2))  # JSON is YAML
    return cfg_path


def tool_command(tool: str, args, corpus: Path, out_dir: Path, result_path: Path) -> tuple[list[str], dict]:
    """The command line and environment of one timed run."""
    if tool in DJ_TOOLS:
        cmd = [str(DJ_PY), str(HERE / "dj_job.py"), "--config", str(dj_config(tool, args, corpus, out_dir)),
               "--result", str(result_path), "--ds-cache", str(WORK / "dj_ds_cache")]
        return cmd, {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "DATA_JUICER"))}
    if tool in recipe_scenario.CLI_TOOLS:  # the recipe as `sparkops run` runs it, env as for `job`
        spec = recipe_scenario.write_recipe(tool, corpus, out_dir, args.np, WORDLISTS, WORK / "out")
        env = {**spark_env(args.spark_conf), "GX_ANALYTICS_ENABLED": "false"}
        return recipe_scenario.cli_command(spec, args.master), env
    if tool == "job":
        spec = job_scenario.write_job_spec(corpus, out_dir / "warehouse", WORK / "out" / "job_web_refine.yaml")
        # GX_ANALYTICS_ENABLED=false as the Makefile exports it: no GX telemetry during a timed run
        env = {**spark_env(args.spark_conf), "GX_ANALYTICS_ENABLED": "false"}
        return job_scenario.job_command(spec, args.master), env
    if tool in rulesets_scenario.TOOLS:
        cmd = rulesets_scenario.command(tool, SPARK_PY, corpus, out_dir, result_path, args.master, args.np)
        return cmd, (spark_env(args.spark_conf) if tool == rulesets_scenario.SPARK_TOOL else dedup_peers.offline_env())
    if tool in dedup_peers.PEERS:
        return dedup_peers.command(tool, corpus, out_dir, result_path, args.np)
    if tool in dedup_scenario.SPARK_TOOLS:
        return dedup_scenario.spark_command(tool, SPARK_PY, corpus, out_dir, result_path, args.master), \
            spark_env(args.spark_conf)
    cmd = [str(SPARK_PY), str(HERE / "spark_job.py"), "--mode", tool, "--corpus", str(corpus),
           "--out", str(out_dir / "data"), "--result", str(result_path), "--master", args.master,
           "--sink", args.sink]
    return cmd, spark_env(args.spark_conf)


def run_one(tool: str, rep: int, args, corpus: Path, n_docs: int, label: str | None = None) -> dict:
    """One timed run of `tool`; `label` (default: the tool) names its output folder and log,
    so that e.g. the dedup scaling runs do not overwrite the scenario's outputs."""
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
    cli = tool == "job" or tool in recipe_scenario.CLI_TOOLS  # `sparkops run --json`: its stdout is the result
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


def analysis_pass(args, corpus: Path) -> dict:
    """Untimed: which op dropped how many documents (sparkops fused, short circuit)."""
    import pyarrow.parquet as pq

    out_dir = WORK / "out" / "analysis"
    shutil.rmtree(out_dir, ignore_errors=True)
    result = WORK / "out" / "analysis.result.json"
    cmd = [str(SPARK_PY), str(HERE / "spark_job.py"), "--mode", "analysis", "--corpus", str(corpus),
           "--out", str(out_dir), "--result", str(result), "--master", args.master]
    log("analysis pass (untimed): drop reasons per op")
    m = proctree.run_measured(cmd, env=spark_env(args.spark_conf), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / "analysis.log"), interval=1.0)
    if m.returncode != 0:
        log(f"analysis pass failed (exit {m.returncode}), see bench/work/logs/analysis.log")
        return {}
    t = pq.read_table(out_dir, columns=["id", "_keep", "_dropped_by"]).to_pydict()
    counts: dict[str, int] = {}
    for d in t["_dropped_by"]:
        counts[d or "kept"] = counts.get(d or "kept", 0) + 1
    kept = {i for i, k in zip(t["id"], t["_keep"]) if k}
    return {"dropped_by": counts, "kept_ids": kept}


def profile_pass(args, corpus: Path, n_docs: int) -> dict | None:
    """Untimed: the fused pipeline's pure-Python cost per operator, one process, no Spark."""
    result = WORK / "out" / "profile.result.json"
    result.unlink(missing_ok=True)
    n = min(n_docs, args.profile_docs or n_docs)
    cmd = [str(SPARK_PY), str(HERE / "profile_ops.py"), "--corpus", str(corpus), "--result", str(result),
           "--docs", str(n)]
    log(f"kernel profile (untimed): the fused pipeline in one Python process on {n:,} docs, no Spark")
    m = proctree.run_measured(cmd, env=spark_env(None), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / "profile.log"), interval=1.0)
    if m.returncode != 0 or not result.is_file():
        log(f"profile failed (exit {m.returncode}), see bench/work/logs/profile.log")
        return None
    return json.loads(result.read_text())


def parity_pass(args, corpus: Path, n_docs: int) -> dict:
    """Untimed: each recipe filter alone in Data-Juicer and in sparkops, per-document keep
    decisions compared (bench/parity.py, its own process; Data-Juicer in its venv)."""
    result = WORK / "out" / "parity.result.json"
    result.unlink(missing_ok=True)
    n = min(n_docs, args.parity_docs or (1000 if args.quick else 5000))
    cmd = [str(SPARK_PY), str(HERE / "parity.py"), "--corpus", str(corpus), "--docs", str(n),
           "--result", str(result), "--dj-python", str(DJ_PY), "--work", str(WORK / "out" / "parity")]
    log(f"parity (untimed): each filter alone, Data-Juicer vs sparkops, on the first {n:,} docs")
    m = proctree.run_measured(cmd, env=spark_env(None), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / "parity.log"), interval=1.0)
    if m.returncode != 0 or not result.is_file():
        log(f"parity failed (exit {m.returncode}), see bench/work/logs/parity.log")
        return {"error": f"exit {m.returncode}, see `bench/work/logs/parity.log`"}
    return json.loads(result.read_text())


PAIRS = (("fused", "dj"), ("fused", "sql"), ("job", "dj_job"), ("minhash", "dj_minhash"),
         ("minhash_verified", "dj_minhash"), ("minhash_verified_t06", "dj_minhash"),
         *(("minhash", peer) for peer in dedup_peers.PEERS))

PAIRS += recipe_scenario.PAIRS + rulesets_scenario.PAIRS


def paired_ratios(rows: list[dict], reps: int) -> dict:
    """a's docs/s / b's docs/s within each repetition (same docs: wall ratio), for each pair
    (a, b) of PAIRS that ran; a repetition in which either run failed has no ratio."""
    paired = {}
    tools = {r["tool"] for r in rows}
    for a, b in PAIRS:
        if a in tools and b in tools:
            per_rep = []
            for rep in range(1, reps + 1):
                ra = next(r for r in rows if r["tool"] == a and r["rep"] == rep)
                rb = next(r for r in rows if r["tool"] == b and r["rep"] == rep)
                if not ra.get("failed") and not rb.get("failed"):
                    per_rep.append(rb["wall_s"] / ra["wall_s"])
            if per_rep:
                paired[f"{a} vs {b}"] = per_rep
    return paired


def summarize(rows: list[dict]) -> dict:
    """Median/min/max per tool over its successful runs (a failed job run has no output)."""
    out = {}
    for tool in ALL_TOOLS:
        failed = [r for r in rows if r["tool"] == tool and r.get("failed")]
        rs = [r for r in rows if r["tool"] == tool and not r.get("failed")]
        if failed and not rs:
            out[tool] = {"reps": 0, "failed": len(failed), "docs": failed[0]["docs"]}
        if not rs:
            continue

        def stat(key, f=lambda r, k: r[k]):
            vals = [f(r, key) for r in rs]
            return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}

        inner = lambda r, k: r["inner"].get(k, float("nan"))  # noqa: E731
        s = {
            "reps": len(rs),
            "failed": len(failed),
            "docs": rs[0]["docs"],
            "kept": sorted({r["kept"] for r in rs}),
            "wall_s": stat("wall_s"),
            "docs_per_s": stat("docs_per_s"),
            "cpu_s": stat("cpu_s"),
            "cpu_polled_s": stat("cpu_polled_s"),
            "peak_rss_gib": stat("peak_rss_bytes", lambda r, k: r[k] / 2**30),
            "other_load_cpu_s": stat("other_load_cpu_s"),
        }
        if tool in DJ_TOOLS or tool in dedup_peers.PEERS or tool in rulesets_scenario.PEER_TOOLS:
            s["process_s"] = stat("process_s", inner)
            s["startup_s"] = stat("import_config_s" if tool in DJ_TOOLS else "import_s", inner)
        elif tool == "job":
            s["process_s"] = stat("run_s", inner)  # the job's own run time, as `sparkops run` reports it
        else:
            s["process_s"] = stat("process_s", inner)
            s["session_s"] = stat("session_s", inner)
            s["import_s"] = stat("import_s", inner)
            s["stop_s"] = stat("stop_s", inner)
        s["process_docs_per_s"] = {"median": rs[0]["docs"] / s["process_s"]["median"]}
        roles = sorted({k for r in rs for k in r.get("cpu_polled_by_role", {})})
        s["cpu_by_role"] = {k: statistics.median(r.get("cpu_polled_by_role", {}).get(k, 0.0) for r in rs)
                            for k in roles}
        rss_roles = sorted({k for r in rs for k in r.get("peak_rss_by_role", {})})  # absent in older results
        s["peak_rss_by_role_gib"] = {k: statistics.median(r.get("peak_rss_by_role", {}).get(k, 0) / 2**30 for r in rs)
                                     for k in rss_roles}
        out[tool] = s
    return out


# --------------------------------------------------------------------------- report


def fmt_range(s: dict, nd: int = 1, scale: float = 1.0) -> str:
    return (f"{s['median'] * scale:.{nd}f} ({s['min'] * scale:.{nd}f}–{s['max'] * scale:.{nd}f})")


def write_report(results: dict, path: Path) -> None:
    """RESULTS.md: one section per scenario in results['scenarios'], each from its own run."""
    sc = results["scenarios"]
    L = ["# sparkops benchmark results", ""]
    L.append("Generated by `bench/run.py`. Each section comes from one run of it, whose date, command and "
             "machine the section states, and every number in a section comes from that run; a scenario "
             f"that was not run again keeps its previous results. Raw data: `{results['json_path']}`."
             + (f" This Markdown was re-rendered on {results['rendered']}." if results.get("rendered") else ""))
    L.append("")
    for name, title in SECTION_TITLES.items():
        if name in sc:
            L.append(f"- [{title}](#{anchor(title)}): {sc[name]['date']}, {sc[name]['mode']} mode")
    L.append("")
    L += results.get("charts_md") or []
    if "filters" in sc:
        L += filters_section(sc["filters"])
    if "job" in sc:
        L += job_section(sc["job"])
    if "dedup" in sc:
        L += dedup_section(sc["dedup"])
    for name in recipe_scenario.SCENARIOS:
        if name in sc:
            L += recipe_section(sc[name], name)
    if rulesets_scenario.NAME in sc:
        L += rulesets_section(sc[rulesets_scenario.NAME])
    path.write_text("\n".join(L) + "\n")


SECTION_TITLES = {
    "filters": "11 filters: sparkops fused / one-by-one SQL / Spark floor / Data-Juicer",
    "job": "Full job: web_refine vs the equivalent Data-Juicer recipe",
    "dedup": "Dedup: MinHash vs Data-Juicer, datatrove, text-dedup",
}

SECTION_TITLES.update(recipe_scenario.SECTION_TITLES)
SECTION_TITLES.update(rulesets_scenario.SECTION_TITLES)


def anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to '-'."""
    import re

    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def run_lines(res: dict) -> list[str]:
    """When and how a scenario's numbers were produced: date, command, run time, corpus."""
    L = [f"Run on {res['date']} ({res['mode']} mode); every number in this section comes from this run.", "",
         "### Command", "", "```", res["command"], "```"]
    if res.get("make_command"):
        L.append("")
        L.append(f"(`{res['make_command']}`; Makefile exports `SPARK_LOCAL_IP=127.0.0.1`, "
                 f"`PYSPARK_PYTHON=.venv/bin/python`.)")
    L.append("")
    L.append(f"Benchmark run time: {res['bench_wall_s'] / 60:.1f} min. Corpus: `{res['corpus']}` "
             f"({res['docs']:,} docs, {res['corpus_mb']:.1f} MB JSONL"
             + (f", the first {res['docs']:,} documents of `{res['full_corpus']}`" if res['corpus'] != res['full_corpus'] else "")
             + f"). Repetitions per tool: {res['reps']}, tools alternating (order rotated each repetition).")
    L.append("")
    return L


def machine_lines(res: dict, sink: bool, peer: str | None = None, settings: str | None = None) -> list[str]:
    """The machine and versions; `peer`: a line on a peer's venv; `settings`: the last line's
    parallelism (default: Spark master and Data-Juicer's np)."""
    mi = res["machine"]
    sv, dv = mi["sparkops_venv"], mi["dj_venv"]
    L = ["### Machine", ""]
    L.append(f"- CPU: {mi['cpu_model']}, {mi['logical_cpus']} logical CPUs "
             f"({mi['physical_cores']} physical cores reported), affinity {mi['cpu_affinity']}")
    L.append(f"- RAM: {mi['ram_gib']} GiB; OS: {mi['os']}")
    L.append(f"- Java: {mi['java']} ({mi['java_runtime']})")
    L.append(f"- sparkops venv: Python {sv['python']}, pyspark {sv['pyspark']}, delta-spark {sv['delta-spark']}, "
             f"pyarrow {sv['pyarrow']}, pandas {sv['pandas']}, fasttext-numpy2 {sv['fasttext-numpy2']}, "
             f"sparkops {sv['sparkops']} (git {mi['sparkops_git']}; sha256 of sparkops/**/*.py "
             f"`{mi['sparkops_py_sha256']}`)")
    if dv:
        L.append(f"- Data-Juicer venv: Python {dv['python']}, py-data-juicer {dv['py-data-juicer']}, "
                 f"datasets {dv['datasets']}, pyarrow {dv['pyarrow']}, multiprocess {dv['multiprocess']}, "
                 f"fasttext-predict {dv['fasttext-predict']}")
    if peer:
        L.append(peer)
    codes = sorted({r.get("sparkops_py_sha256") for r in res["runs"] if r.get("sparkops_py_sha256")})
    if len(codes) > 1:
        L.append(f"- **sparkops code changed during the benchmark** (others edit it concurrently): "
                 f"fingerprints seen {', '.join(codes)}; see `runs[].sparkops_py_sha256` in the JSON")
    L.append(f"- Spark master `{res['master']}`, " + (settings or f"Data-Juicer `np: {res['np']}`")
             + (f"; Spark output sink: `{res['sink']}`" if sink else ""))
    L.append("")
    return L


RESULTS_LEGEND = ("Median (min–max) over the repetitions. *wall* = spawn of the tool's process to the end "
                  "of its last descendant; *docs/s* = docs / wall; *CPU s* = user+system of the whole process "
                  "tree (the larger of the kernel rusage of every reaped process, via a subreaper, and the polled "
                  "per-process times; see bench/README.md); *peak RSS* = max over 0.2 s samples of the RSS summed "
                  "over the tree; *other load* = CPU seconds the machine spent outside the tree during the run "
                  "(other users of the box; ~0 on a quiet machine).")


def results_table(s: dict, tools: dict) -> list[str]:
    L = ["| run | docs | kept | wall s | docs/s | CPU s | peak RSS tree GiB | other load CPU s |",
         "|---|---|---|---|---|---|---|---|"]
    for tool, desc in tools.items():
        if tool not in s:
            continue
        t = s[tool]
        if not t["reps"]:
            L.append(f"| {desc} | {t['docs']:,} | **failed** in all {t['failed']} repetition(s), see below "
                     f"| – | – | – | – | – |")
            continue
        kept = "/".join(f"{k:,}" for k in t["kept"])
        if t.get("failed"):
            kept += f" (+{t['failed']} failed run(s))"
        L.append(f"| {desc} | {t['docs']:,} | {kept} | {fmt_range(t['wall_s'])} | {fmt_range(t['docs_per_s'], 0)} | "
                 f"{fmt_range(t['cpu_s'])} | {fmt_range(t['peak_rss_gib'], 2)} | {fmt_range(t['other_load_cpu_s'])} |")
    L.append("")
    return L


def cpu_role_table(s: dict, tools: dict) -> list[str]:
    L = ["CPU seconds by process (polled, medians): the command's own process, the JVM, Spark's Python "
         "workers (forked by `pyspark.daemon`), other forked Python processes (Data-Juicer's pools).", ""]
    roles = ["main process", "JVM", "Spark Python workers", "forked Python processes", "other"]
    L.append("| run | " + " | ".join(roles) + " |")
    L.append("|---|" + "---|" * len(roles))
    for tool, desc in tools.items():
        if tool not in s or not s[tool]["reps"]:
            continue
        by = s[tool].get("cpu_by_role", {})
        L.append(f"| {desc} | " + " | ".join(f"{by[r]:.1f}" if r in by else "–" for r in roles) + " |")
    L.append("")
    return L


def ratio_lines(res: dict) -> list[str]:
    L = []
    for key, v in res.get("ratios", {}).items():
        L.append(f"- {key}: **{v:.2f}x**")
    for key, vals in (res.get("paired_ratios") or {}).items():
        L.append(f"- {key}, paired within each repetition (runs minutes apart; whole process): "
                 + ", ".join(f"{v:.2f}x" for v in vals)
                 + f" (min {min(vals):.2f}x, median {statistics.median(vals):.2f}x, max {max(vals):.2f}x)")
    return L + [""] if L else L


def all_runs_table(res: dict) -> list[str]:
    L = ["All runs (the medians above use the last attempt of each tool and repetition; a run is "
         f"*disturbed* when other processes used more than {res['max_other_load']} cores on average "
         f"during it, or when the VM was frozen for more than {proctree.PAUSE_LIMIT_S:.0f} s of it (*VM paused*: the "
         "realtime clock moved on and the monotonic one, which times the run, did not; ≥ = inferred "
         "from the tool's own clock), and is then repeated):", ""]
    L.append("| tool | rep | attempt | started | wall s | docs/s | CPU s (rusage / polled) | peak RSS GiB | "
             "other load cores | steal s | VM paused s | disturbed |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for x in res["all_runs"]:
        L.append(f"| {x['tool']}{' (**failed**)' if x.get('failed') else ''} | {x['rep']} | {x['attempt']} | "
                 f"{x.get('started', '')} | {x['wall_s']:.1f} | "
                 f"{x['docs_per_s']:.0f} | {x['cpu_s']:.1f} ({x['cpu_rusage_s']:.1f} / {x['cpu_polled_s']:.1f}) | "
                 f"{x['peak_rss_bytes'] / 2**30:.2f} | {x['other_load_cores']:.2f} | "
                 f"{format(x['steal_s'], '.1f') if 'steal_s' in x else '–'} | "
                 f"{proctree.paused_cell(x)} | {'**yes**' if x['disturbed'] else 'no'} |")
    L.append("")
    return L


def filters_section(res: dict) -> list[str]:
    s = res["summary"]
    L = [f"## {SECTION_TITLES['filters']}", ""]
    L += run_lines(res)
    L += machine_lines(res, sink=True)
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, TOOLS)
    L.append("Inside each process (medians, s): where the wall time goes.")
    L.append("")
    L.append("| run | import | start (Spark session / DJ config) | processing | spark.stop | processing docs/s |")
    L.append("|---|---|---|---|---|---|")
    for tool, desc in TOOLS.items():
        if tool not in s:
            continue
        t = s[tool]
        if tool == "dj":
            L.append(f"| {desc} | – | {t['startup_s']['median']:.1f} (import + init_configs) | "
                     f"{t['process_s']['median']:.1f} (executor: load + 11 ops + export) | – | "
                     f"{t['process_docs_per_s']['median']:.0f} |")
        else:
            L.append(f"| {desc} | {t['import_s']['median']:.1f} | {t['session_s']['median']:.1f} | "
                     f"{t['process_s']['median']:.1f} | {t['stop_s']['median']:.1f} | "
                     f"{t['process_docs_per_s']['median']:.0f} |")
    L.append("")
    L += cpu_role_table(s, TOOLS)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L.append("### Same answer?")
    L.append("")
    for line in res.get("verification", {}).get("lines", []):
        L.append(f"- {line}")
    L.append("")
    L += all_runs_table(res)
    prof = res.get("profile")
    dj_ops = {d["op"]: d for d in (res.get("dj_per_op") or [])}
    if res.get("dropped_by") or prof or dj_ops:
        L.append("### Per operator")
        L.append("")
        L.append("*dropped*: documents whose first rejecting filter is this one (sparkops fused pass, untimed "
                 "analysis run). *kernel s*: seconds inside the sparkops operator's `compute` when the fused "
                 "pipeline runs in one plain Python process without Spark (untimed profile"
                 + (f" on {prof['docs']:,} docs, batches of 2,000; whole pipeline {prof['pipeline_cpu_s']:.1f} "
                    f"CPU-s, one core" if prof else "") + "). *DJ s*: Data-Juicer's own log line per op "
                 "(`map` + `filter` with np=2, including its per-op pool start and cache writes; last repetition).")
        L.append("")
        L.append("| # | operator | dropped | docs evaluated (fused) | kernel s (1 core) | DJ left after op | DJ s |")
        L.append("|---|---|---|---|---|---|---|")
        pops = {d["op"]: d for d in (prof or {}).get("per_op", [])}
        for i, name in enumerate(recipe.op_names(), 1):
            d, pp = dj_ops.get(name, {}), pops.get(name, {})
            dropped = (res["dropped_by"].get(name, 0) if res.get("dropped_by") else None)
            L.append(f"| {i} | `{name}` | {'' if dropped is None else f'{dropped:,}'} | "
                     f"{'' if not pp else format(pp['docs'], ',')} | {'' if not pp else format(pp['s'], '.2f')} | "
                     f"{'' if not d else format(d['left'], ',')} | {'' if not d else d['s']} |")
        if res.get("dropped_by"):
            other = {k: v for k, v in res["dropped_by"].items() if k not in recipe.op_names()}
            L.append("")
            L.append("Not dropped / other: " + ", ".join(f"`{k}` {v:,}" for k, v in sorted(other.items())))
        L.append("")
    L += parity.lines(res.get("parity"))
    L.append("### Recipe (the same for every tool)")
    L.append("")
    L.append(recipe.markdown())
    L.append("")
    L.append("Data-Juicer 1.6.1 defaults except: `stopwords_filter` min_ratio 0.0 (DJ: 0.3; an English "
             "stopword threshold would otherwise do the language filter's job before it runs), "
             "`language_id_score_filter` lang en / min_score 0.8, placed last. Both tools use the same "
             "word lists (`sparkops/assets/wordlists`) and the same fastText model (`lid.176.ftz`, copied "
             "as DJ's `lid.176.bin`). The SQL run's WHERE clause:")
    L.append("")
    L.append("```sql")
    L.append("SELECT * FROM docs\nWHERE " + recipe.sql_where())
    L.append("```")
    L.append("")
    L.append("### How each tool runs")
    L.append("")
    L.append("- **Spark runs** (`bench/spark_job.py`): `sparkops.session(master=\"local[2]\")` (sparkops's "
             "default conf: Arrow batches of 2,000 rows, Delta extension), input read with an explicit "
             "all-string schema (no inference pass). `fused`: `sparkops.fused(df, recipe)` (one `mapInArrow` "
             "pass; a dropped row is not evaluated by later ops), rows with `_keep` written with their "
             "`stats` struct. `sql`: the WHERE clause above; Spark evaluates every UDF on every row. "
             "Output: Spark's JSON writer under `bench/work/out/`. `floor`: `count(*)` and "
             "`sum(length(text))` over the same read.")
    L.append("- **Data-Juicer** (`bench/dj_job.py`): its real `DefaultExecutor` (what `dj-process` runs) "
             "with the recipe as a config (`np: 2`, DJ defaults otherwise: HF-datasets cache on, in a fresh "
             "directory per run so nothing is reused; each Filter = `dataset.map(compute_stats, num_proc=2)` "
             "+ `dataset.filter(process, num_proc=2)`; export of the kept rows and their stats as JSONL). "
             "Only the import path is changed so that it cannot install packages: `data_juicer.core` and "
             "`data_juicer.core.executor` are bare namespace modules (their `__init__` would import the Ray "
             "executor, and DJ's LazyLoader would `pip install ray`), LazyLoader installs are refused "
             "(refused in this run: "
             + (", ".join(res["dj_refused_installs"]) if res.get("dj_refused_installs") else "none") +
             "), and `free_models()`'s `torch.cuda.empty_cache()` is a no-op stub (DJ would install "
             "torch for it; on a CPU-only machine with torch it does nothing). Offline: HF offline env, "
             "no sockets except AF_UNIX (the multiprocess Manager).")
    L.append("")
    L.append("### Interpretation")
    L.append("")
    for line in res.get("interpretation", []):
        L.append(line)
    L.append("")
    return L


def job_section(res: dict) -> list[str]:
    s = res["summary"]
    tools = job_scenario.TOOLS
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


def dedup_section(res: dict) -> list[str]:
    s, tools = res["summary"], dedup_scenario.TOOLS
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
    L += dedup_scenario.inside_table(res)
    L += cpu_role_table(s, tools)
    L += dedup_scenario.rss_role_table(s)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios to the peers (medians)", ""] + ratios
    L += dedup_scenario.quality_lines(res)
    L += ["### Same answer? (kept ids side by side: they differ by design, see above)", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    L += dedup_scenario.scaling_lines(res)
    L += all_runs_table(res)
    if res.get("dj_refused_installs"):
        L += [f"Data-Juicer package installs refused during the runs: {', '.join(res['dj_refused_installs'])}.", ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def failure_lines(runs: list[dict]) -> list[str]:
    """Each distinct gate failure once, with the runs that hit it (the message names the gate)."""
    by_message: dict[str, list[dict]] = {}
    for x in runs:
        if x.get("failed"):
            by_message.setdefault(x["failed"], []).append(x)
    L = []
    for message, xs in by_message.items():
        which = ", ".join(f"rep {x['rep']} attempt {x['attempt']} (`{x['log']}`)" for x in xs)
        L += [f"**`{xs[0]['tool']}` failed** (exit {xs[0]['returncode']}) in {which}:", "", "```", message, "```", ""]
    return L


def job_inside_table(s: dict) -> list[str]:
    n_ops = len(job_scenario.dj_op_names())
    L = ["Inside each process (medians, s): *processing* = for `job` the run time `sparkops run` reports "
         "itself (input read, the stages with their gates and Delta commits), for `dj_job` the executor "
         f"(load, {n_ops} ops, export); *outside* = wall − processing (imports, Spark session or DJ "
         "config, `spark.stop()`, process exit).", ""]
    return L + job_scenario.inside_rows(s, job_scenario.TOOLS)


def job_per_op_table(res: dict, n_ops: int | None = None) -> list[str]:
    """Rows left per op, sparkops beside Data-Juicer (also the recipe scenarios', whose one stage
    is `process`; `n_ops` = their recipe's op count)."""
    rows = res.get("per_op") or []
    if not rows:
        return []
    n_ops = n_ops or len(job_scenario.dj_op_names())
    # runs recorded before `sparkops run --json` had their counts from its summary table, no op times
    from_json = any((r.get("inner") or {}).get("source") == job_scenario.RUN_JSON for r in res.get("runs", []))
    L = ["### Per operator (rows left)", "",
         "Rows after each op, last repetition: sparkops from "
         + ("its run's JSON document (`sparkops run --json`)" if from_json else "the summary table `sparkops run` prints")
         + f", Data-Juicer from its log lines (`[i/{n_ops}] OP [name] Done in Xs. Left N samples.`). *same*: "
         "`yes`, or sparkops' rows left minus Data-Juicer's. *DJ s*: Data-Juicer's time for the op, "
         "including its per-op pool start and cache writes."
         + (" *sparkops worker s*: the op's kernel time in Spark's Python workers, summed over the tasks of "
            "the fused pass (2 run at once on `local[2]`; none for a deduplicator)." if from_json else ""), "",
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


def fmt_int(v) -> str:
    return "" if v is None else f"{v:,}"


def job_sides_paragraph(res: dict) -> str:
    """What each tool produces beyond the kept rows, from what the last runs left on disk."""
    tables = res.get("warehouse_tables") or []
    dj_files = res.get("dj_outputs") or []
    suites = [suite for _, suite in job_scenario.stage_suites() if suite]
    sp = ("**sparkops** (`job`) reads the input once with a quarantine for unreadable records, runs each "
          "stage's ops as one fused pass, validates the stage's kept rows with Great Expectations before "
          f"publishing anything ({len(suites)} validations: " + ", ".join(f"`{x}`" for x in suites)
          + ", each writing a report), and commits Delta tables: the kept rows of each stage with their `stats` and original "
          "record, the removed rows in `<stage>_rejected` with `_dropped_by` (and the `stats` that removed "
          "them), and `_quarantine`; each commit carries the stage hash and counts, which lets a re-run "
          "resume at the first changed stage (`--fresh` here turns that off)")
    if tables:
        sp += (". Tables the last run committed: " + ", ".join(
            f"`{t['table']}` ({fmt_int(t['rows'])} rows)" for t in tables))
    sp += ". It writes no single JSONL export (the job spec has no `export_path`). "
    n_ops = len(job_scenario.dj_op_names())
    dj = (f"**Data-Juicer** (`dj_job`) runs the {n_ops} ops as one stage of `datasets` map/filter calls with np "
          "processes and writes one JSONL export of the kept rows, plus a file of their stats; removed rows are "
          "not kept, nothing validates the result, and a re-run starts over (its HF cache is fresh per run "
          "here)")
    if dj_files:
        dj += ". Files the last run wrote: " + ", ".join(f"`{f['file']}` ({f['bytes'] / 1e6:.1f} MB)" for f in dj_files)
    return sp + dj + "."


def recipe_section(res: dict, name: str) -> list[str]:
    """A recipe scenario (`rules`, `ops21`): one Data-Juicer recipe YAML, both tools."""
    s, tools = res["summary"], {t: recipe_scenario.TOOLS[t] for t in recipe_scenario.SCENARIOS[name]}
    L = [f"## {SECTION_TITLES[name]}", "", recipe_scenario.description(res, name), ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False)
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += recipe_scenario.inside_table(s, name)
    L += cpu_role_table(s, tools)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L += ["### Same answer?", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    L += job_per_op_table(res, len(recipe_scenario.op_names(name)))
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    if res.get("dj_refused_installs"):
        L += [f"Data-Juicer package installs refused during the runs: {', '.join(res['dj_refused_installs'])}.", ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def rulesets_section(res: dict) -> list[str]:
    """The rulesets scenario: FineWeb's four rule sets, sparkops' fused pass vs datatrove."""
    rs = rulesets_scenario
    s, tools = res["summary"], rs.TOOLS
    L = [f"## {SECTION_TITLES[rs.NAME]}", "", rs.description(res), ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False, peer=rs.peer_line(res),
                       settings=f"datatrove `tasks={res['np']}`, `workers={res['np']}`")
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += rs.inside_table(res)
    L += cpu_role_table(s, tools)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L += ["### Same answer? (untimed, the last repetition's outputs)", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    c = (res.get("verification") or {}).get("compare")
    if c:
        L += rs.filter_tables(c)
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    L += ["### Rule sets (the same list for both tools: `bench/recipe.py`, `RULESETS`)", "",
          recipe.rulesets_markdown(), ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L


def interpret(res: dict) -> list[str]:
    s, r = res["summary"], res.get("ratios", {})
    nan = float("nan")
    out = []
    if "fused" in s and "dj" in s:
        x = r.get("fused vs Data-Juicer (docs/s, whole process)", nan)
        paired = (res.get("paired_ratios") or {}).get("fused vs dj", [])
        below = [v for v in paired if v < 3.0]
        met = "met" if x >= 3.0 else "NOT met"
        line = (f"- **Target (fused pass >= 3x Data-Juicer's docs/s, whole process, local[2] vs np=2): {met}** "
                f"on the medians, {x:.2f}x")
        if paired:
            line += (f"; paired within each repetition {min(paired):.2f}x–{max(paired):.2f}x, "
                     + (f"{len(below)} of {len(paired)} repetitions below 3x" if below else "every repetition at or above 3x"))
        line += (f". Counting processing only (without the Spark session start and DJ's import/config): "
                 f"{r.get('fused vs Data-Juicer (docs/s, processing only)', nan):.2f}x.")
        out.append(line)
        f, d = s["fused"], s["dj"]
        out.append(f"- CPU: the fused run used {f['cpu_s']['median']:.0f} CPU-s for {f['docs']:,} docs, "
                   f"Data-Juicer {d['cpu_s']['median']:.0f} CPU-s "
                   f"({d['cpu_s']['median'] / f['cpu_s']['median']:.2f}x as much); "
                   f"peak RSS of the tree {f['peak_rss_gib']['median']:.2f} GiB vs {d['peak_rss_gib']['median']:.2f} GiB.")
        wall = f["wall_s"]["median"]
        fixed = f["import_s"]["median"] + f["session_s"]["median"] + f["stop_s"]["median"]
        out.append(f"- Where the fused run's wall time goes: {f['session_s']['median']:.1f} s Spark session start "
                   f"(JVM, Delta, registering the SQL functions), {f['import_s']['median']:.1f} s imports, "
                   f"{f['stop_s']['median']:.1f} s `spark.stop()`: {fixed:.0f} s of fixed cost, "
                   f"{100 * fixed / wall:.0f}% of its {wall:.0f} s; {f['process_s']['median']:.1f} s processing. "
                   f"Data-Juicer's fixed cost (import + config) is {d['startup_s']['median']:.1f} s. On a bigger "
                   f"corpus the fixed cost would weigh less and the whole-process ratio would move towards the "
                   f"processing-only one (not measured here).")
    if "fused" in s:
        f = s["fused"]
        by = f.get("cpu_by_role", {})
        fl = s.get("floor", {}).get("cpu_by_role", {})
        if by:
            line = (f"- Where the fused run's CPU goes (polled, by process): Spark's Python workers "
                    f"{by.get('Spark Python workers', 0):.0f} CPU-s (the operators, plus Arrow (de)serialisation), "
                    f"the JVM {by.get('JVM', 0):.0f} CPU-s, the driver {by.get('main process', 0):.0f} CPU-s.")
            if fl:
                line += (f" The floor run's JVM alone uses {fl.get('JVM', 0):.0f} CPU-s (JVM start, JIT, JSON "
                         f"parsing): Spark starting and reading the corpus is about "
                         f"{100 * fl.get('JVM', 0) / f['cpu_s']['median']:.0f}% of the fused run's CPU.")
            out.append(line)
    prof = res.get("profile")
    if prof and "fused" in s and prof["docs"] == s["fused"]["docs"]:
        ops = sorted(prof["per_op"], key=lambda d: -d["s"])[:3]
        out.append(f"- The operators alone (untimed profile, one plain Python process, no Spark): "
                   f"{prof['pipeline_cpu_s']:.0f} CPU-s for the whole pipeline; costliest "
                   + ", ".join(f"`{d['op']}` {d['s']:.1f} s" for d in ops) + "."
                   + (" fastText language id is the single biggest operator cost although it only sees the "
                      "documents the earlier filters kept." if ops and ops[0]["op"] == "language_id_score_filter"
                      else ""))
    dj_ops = {x["op"]: x for x in (res.get("dj_per_op") or [])}
    if dj_ops and prof:
        tl = dj_ops.get("text_length_filter")
        ptl = next((x for x in prof["per_op"] if x["op"] == "text_length_filter"), None)
        total = sum(x["s"] for x in dj_ops.values())
        if tl and ptl:
            out.append(f"- A large part of Data-Juicer's time is its executor rather than the statistics: its 11 "
                       f"ops take {total:.0f} s by its own log, and `text_length_filter` (a `len()` per document, "
                       f"{ptl['s']:.2f} s as a sparkops kernel) alone takes {tl['s']:.1f} s there. That is "
                       f"the price of one `datasets` map + filter over the dataset with np=2: a process pool "
                       f"started for each, every row converted from Arrow to Python dicts and back, a new Arrow "
                       f"cache file written per map. Eleven filters pay it eleven times; the fused pass "
                       f"converts each document once.")
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    if "sql" in s and "fused" in s:
        out.append(f"- One-by-one SQL vs fused: {r.get('fused vs one-by-one SQL (docs/s, whole process)', nan):.2f}x "
                   f"in favour of fused (processing only "
                   f"{r.get('fused vs one-by-one SQL (docs/s, processing only)', nan):.2f}x). Spark plans the "
                   f"WHERE as one `ArrowEvalPython` node holding all 11 UDFs (the text crosses to Python once "
                   f"per batch; `lang_id` is evaluated once for its two fields), then a `Filter`: every UDF "
                   f"runs on every row, with no short circuit, so the documents the early filters drop still "
                   f"pay for the repetition ratios and fastText, and each UDF builds its own word/line splits "
                   f"instead of sharing them. It still beats Data-Juicer "
                   f"({r.get('one-by-one SQL vs Data-Juicer (docs/s, whole process)', nan):.2f}x).")
    out.append("- Noise: this is a shared 2-vCPU VM. Identical runs differ by up to the min–max ranges above "
               "even with no other load measured (see the all-runs table); compare tools within a repetition "
               "(paired ratios) rather than across repetitions.")
    return out


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
                   f"(Python imports, Spark session with Delta and the SQL functions, `spark.stop()`, JVM exit), "
                   f"Data-Juicer {do:.1f} s of {d['wall_s']['median']:.1f} s.")
    if res.get("stages"):
        out.append("- sparkops by stage (last repetition, each including its gate and Delta commits): "
                   + ", ".join(f"`{st['stage']}` {st['s']:.1f} s" for st in res["stages"]) + ".")
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


# --------------------------------------------------------------------------- scenarios


def disturbance(row: dict, max_other_load: float) -> str:
    """Why a run does not measure the tool alone ('' when it does): other processes' load,
    or the VM frozen mid-run (seen here as `random: crng reseeded due to virtual machine
    fork` in dmesg: the monotonic clock stops, and the run resumes with cold caches)."""
    why = []
    if row["other_load_cores"] > max_other_load:
        why.append(f"other processes used {row['other_load_cores']:.2f} cores on average during the run "
                   f"> {max_other_load}")
    if row.get("paused_s", 0.0) > proctree.PAUSE_LIMIT_S:
        why.append(f"the VM was frozen for {row['paused_s']:.1f} s during the run")
    return "; ".join(why)


def infer_pauses(res: dict) -> None:
    """Runs recorded before `paused_s` existed: a tool's own clock-time processing longer than
    the whole run's monotonic wall time means the VM was frozen for at least the difference."""
    for x in res.get("runs", []) + res.get("all_runs", []):
        if "paused_s" in x:
            continue
        gap = ((x.get("inner") or {}).get("process_s") or 0.0) - x["wall_s"]
        if gap > proctree.PAUSE_LIMIT_S:
            x["paused_s"], x["paused_inferred"], x["disturbed"] = gap, True, True


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


def scenario_record(args, tools: list[str], corpus: Path, n_docs: int, machine: dict, json_path: Path,
                    rows: list[dict], all_runs: list[dict]) -> dict:
    """What every scenario records: when, how, on what, and the raw runs."""
    argv = [os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable,
            os.path.relpath(__file__, ROOT), *sys.argv[1:]]
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "command": f"cd {ROOT} && " + shlex.join(argv),
        "make_command": (("make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(sys.argv[1:]))}" if sys.argv[1:] else ""))
                         if os.environ.get("MAKELEVEL") else None),
        "corpus": str(corpus.relative_to(ROOT)) if corpus.is_relative_to(ROOT) else str(corpus),
        "full_corpus": (str(args.corpus.resolve().relative_to(ROOT)) if args.corpus.resolve().is_relative_to(ROOT)
                        else str(args.corpus)),
        "corpus_mb": corpus.stat().st_size / 1e6,
        "docs": n_docs,
        "reps": args.reps,
        "tools": tools,
        "master": args.master,
        "np": args.np,
        "spark_conf": args.spark_conf,
        "machine": machine,
        "runs": rows,
        "all_runs": [slim_run(r) for r in all_runs],
        "max_other_load": args.max_other_load,
        "summary": summarize(rows),
        "paired_ratios": paired_ratios(rows, args.reps),
        "json_path": str(json_path.relative_to(ROOT)) if json_path.resolve().is_relative_to(ROOT) else str(json_path),
    }


def filter_ratios(summary: dict) -> dict:
    ratios = {}
    if "fused" in summary and "dj" in summary:
        ratios["fused vs Data-Juicer (docs/s, whole process)"] = \
            summary["fused"]["docs_per_s"]["median"] / summary["dj"]["docs_per_s"]["median"]
        ratios["fused vs Data-Juicer (docs/s, processing only)"] = \
            summary["dj"]["process_s"]["median"] / summary["fused"]["process_s"]["median"]
    if "fused" in summary and "sql" in summary:
        ratios["fused vs one-by-one SQL (docs/s, whole process)"] = \
            summary["fused"]["docs_per_s"]["median"] / summary["sql"]["docs_per_s"]["median"]
        ratios["fused vs one-by-one SQL (docs/s, processing only)"] = \
            summary["sql"]["process_s"]["median"] / summary["fused"]["process_s"]["median"]
    if "sql" in summary and "dj" in summary:
        ratios["one-by-one SQL vs Data-Juicer (docs/s, whole process)"] = \
            summary["sql"]["docs_per_s"]["median"] / summary["dj"]["docs_per_s"]["median"]
    if "floor" in summary and "fused" in summary:
        ratios["Spark floor vs fused (docs/s, whole process)"] = \
            summary["floor"]["docs_per_s"]["median"] / summary["fused"]["docs_per_s"]["median"]
    return ratios


def filters_verification(ids: dict[str, set | None]) -> dict:
    """Kept id sets of each tool against the fused pass's."""
    verification = {"lines": []}
    ref_name = "fused" if ids.get("fused") is not None else next(iter(ids), None)
    for name, got in ids.items():
        if name == ref_name or got is None:
            continue
        ref = ids[ref_name]
        only_ref, only_got = sorted(ref - got), sorted(got - ref)
        same = not only_ref and not only_got
        line = (f"`{name}` kept {len(got):,} docs, `{ref_name}` {len(ref):,}: "
                + ("**identical id sets**" if same else
                   f"**differ**: {len(only_ref)} only in {ref_name} (e.g. {', '.join(only_ref[:5])}), "
                   f"{len(only_got)} only in {name} (e.g. {', '.join(only_got[:5])})"))
        verification["lines"].append(line)
        verification[name] = {"kept": len(got), "only_in_" + ref_name: only_ref[:50], "only_in_" + name: only_got[:50],
                              "identical": same}
    return verification


def finish_filters(res: dict, args, corpus: Path, n_docs: int) -> None:
    """The filter scenario's untimed part: same answer, drop reasons, kernel profile."""
    rows, tools = res["runs"], res["tools"]
    ids = {t: kept_ids(t) for t in tools if t in ("fused", "sql", "dj")}
    analysis = {} if args.no_analysis else analysis_pass(args, corpus)
    if analysis.get("kept_ids") is not None:
        ids["analysis"] = analysis["kept_ids"]
    res["verification"] = filters_verification(ids)
    log("verification: " + "; ".join(res["verification"]["lines"]))
    dj_rows = [r for r in rows if r["tool"] == "dj"]
    res.update(
        sink=args.sink,
        recipe=recipe.RECIPE,
        ratios=filter_ratios(res["summary"]),
        profile=None if args.no_profile else profile_pass(args, corpus, n_docs),
        dropped_by=analysis.get("dropped_by"),
        parity=None if args.no_parity else parity_pass(args, corpus, n_docs),
        dj_per_op=dj_rows[-1]["inner"].get("per_op") if dj_rows else None,
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )


def job_ratios(summary: dict) -> dict:
    j, d = summary.get("job"), summary.get("dj_job")
    if not j or not d or not j["reps"] or not d["reps"]:
        return {}
    return {
        "sparkops job vs Data-Juicer (docs/s, whole process)": j["docs_per_s"]["median"] / d["docs_per_s"]["median"],
        "sparkops job vs Data-Juicer (docs/s, processing only)": d["process_s"]["median"] / j["process_s"]["median"],
    }


def last_ok(rows: list[dict], tool: str) -> dict | None:
    """The tool's last repetition, if it succeeded (its output is what is on disk now)."""
    mine = [r for r in rows if r["tool"] == tool]
    return mine[-1] if mine and not mine[-1].get("failed") else None


def job_verification(rows: list[dict]) -> dict:
    """Kept ids and texts of the last `job` and `dj_job` runs (untimed, read from their outputs)."""
    job, dj = last_ok(rows, "job"), last_ok(rows, "dj_job")
    lines = []
    if job:
        lines.append(f"`job` read {job['inner']['input_rows']:,} records ({job['inner']['quarantined']:,} "
                     f"quarantined); its `{job_scenario.FINAL_STAGE}` table holds {job['kept']:,} rows "
                     f"(commit counts = Delta file statistics).")
    if not job or not dj:
        failed = [t for t, r in (("job", job), ("dj_job", dj)) if r is None and any(x["tool"] == t for x in rows)]
        lines.append(f"No comparison: the last run of {', '.join(f'`{t}`' for t in failed)} failed."
                     if failed else "No comparison: only one of the two tools ran.")
        return {"lines": lines}
    log("same answer? reading the dedup table and Data-Juicer's export (untimed)")
    c = job_scenario.compare(job_scenario.job_kept_records(WORK / "out" / "job" / "warehouse"),
                             job_scenario.dj_kept_records(WORK / "out" / "dj_job" / "kept.jsonl"))
    return {"lines": lines + job_scenario.compare_lines(c), "compare": c}


def warehouse_tables(warehouse: Path) -> list[dict]:
    """The Delta tables a job run committed, with their row counts."""
    out = []
    for table in sorted(p.parent for p in warehouse.glob("*/_delta_log")):
        out.append({"table": table.name, "rows": job_scenario.delta_rows(table)})
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
        gate_s=job_scenario.gate_seconds(warehouse, job["inner"]["run_id"]) if job else None,
        per_op=job_scenario.per_op_rows(job["inner"] if job else {}, dj["inner"].get("per_op", []) if dj else []),
        warehouse_tables=warehouse_tables(warehouse) if job else None,
        dj_outputs=output_files(WORK / "out" / "dj_job") if dj else None,
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )


def dedup_quality_pass(tools: list[str], corpus: Path) -> dict | None:
    """Untimed: recall per dup kind and precision of every dedup tool's last output."""
    result = WORK / "out" / "dedup_quality.result.json"
    result.unlink(missing_ok=True)
    cmd = [str(SPARK_PY), str(HERE / "dedup_quality.py"), "--corpus", str(corpus), "--result", str(result)]
    for tool in tools:
        out_dir = WORK / "out" / tool
        cmd += ["--output", f"{tool}={out_dir / ('kept.jsonl' if tool in DJ_TOOLS else 'data')}"]
        if tool in dedup_scenario.SPARK_TOOLS:
            cmd += ["--removed", f"{tool}={out_dir / 'removed'}"]
    if dedup_scenario.EVAL_OUTPUT.is_file():
        cmd += ["--cross-check", str(dedup_scenario.EVAL_OUTPUT)]
    log(f"dedup quality (untimed): recall per kind, precision on the text, for {', '.join(tools)}")
    m = proctree.run_measured(cmd, env=spark_env(None), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / "dedup_quality.log"), interval=1.0)
    if m.returncode != 0 or not result.is_file():
        log(f"dedup quality failed (exit {m.returncode}), see bench/work/logs/dedup_quality.log")
        return None
    return json.loads(result.read_text())


def dedup_scaling(args, corpus: Path, n_docs: int) -> dict:
    """The sparkops `minhash` tool once on the corpus and on its 2x and 4x versions."""
    paths = dedup_scenario.build_scaled(corpus, WORK / "scaling", log=log)
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
    from sparkops.ops.minhash import optimal_bands

    tools = res["tools"]
    res["verification"] = dedup_scenario.verification({t: kept_ids(t) for t in tools})
    log("kept ids: " + "; ".join(res["verification"]["lines"]))
    dj_rows = [r for r in res["runs"] if r["tool"] == "dj_minhash"]
    res.update(
        ratios=dedup_scenario.ratios(res["summary"]),
        published=dedup_scenario.published_recall(),
        # (bands, rows) for threshold 0.7 and 256 permutations: Data-Juicer's optimisation, and
        # the recall-weighted one sparkops uses with verify
        layouts={"default": optimal_bands(0.7, 256), "verify": optimal_bands(0.7, 256, 0.05, 0.95)},
        quality=dedup_quality_pass(tools, corpus),
        peer_versions={t: dedup_peers.versions(t) for t in tools if t in dedup_peers.PEERS},
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )
    if args.dedup_scaling and "minhash" in tools:
        res["scaling"] = dedup_scaling(args, corpus, n_docs)


def rulesets_analysis_pass(args, corpus: Path) -> Path | None:
    """Untimed: the rulesets' fused pass writing every row's id, _keep, _dropped_by and stats
    (Parquet), for which op removed what. Returns its folder, None if it failed."""
    out = WORK / "out" / rulesets_scenario.ANALYSIS
    shutil.rmtree(out, ignore_errors=True)
    result = WORK / "out" / f"{rulesets_scenario.ANALYSIS}.result.json"
    cmd = rulesets_scenario.analysis_command(SPARK_PY, corpus, out, result, args.master)
    log("rulesets analysis pass (untimed): _dropped_by and stats of every row")
    m = proctree.run_measured(cmd, env=spark_env(args.spark_conf), cwd=str(ROOT),
                              log_path=str(WORK / "logs" / f"{rulesets_scenario.ANALYSIS}.log"), interval=1.0)
    if m.returncode != 0:
        log(f"rulesets analysis pass failed (exit {m.returncode}), see bench/work/logs/{rulesets_scenario.ANALYSIS}.log")
        return None
    return out


def finish_rulesets(res: dict, args, corpus: Path) -> None:
    """The rulesets scenario's untimed part: sparkops' drop reasons, then the same-answer check."""
    ran_sparkops = last_ok(res["runs"], rulesets_scenario.SPARK_TOOL) is not None
    analysis = rulesets_analysis_pass(args, corpus) if ran_sparkops and not args.no_analysis else None
    rulesets_scenario.finish(res, WORK / "out", analysis, log)


# --------------------------------------------------------------------------- results file


def load_results(path: Path) -> dict:
    """{'scenarios': {name: result}} from a results JSON; a file written before there were
    scenarios holds one filter-scenario result at its top level."""
    if not path.is_file():
        return {"scenarios": {}}
    raw = json.loads(path.read_text())
    if "scenarios" in raw:
        return raw
    return {"scenarios": {"filters": raw}, "json_path": raw.get("json_path")}


def prepare_for_report(results: dict) -> None:
    """Fill what older results lack and re-derive the interpretation from the numbers."""
    for name, res in results["scenarios"].items():
        infer_pauses(res)
        res.setdefault("paired_ratios", paired_ratios(res["runs"], res["reps"]))
        if (res.get("make_command") or "").endswith("BENCH_ARGS=''"):
            res["make_command"] = "make bench"
        if name in recipe_scenario.SCENARIOS:
            res["interpretation"] = recipe_scenario.interpret(res, name)
            continue
        res["interpretation"] = {"filters": interpret, "job": interpret_job, "dedup": dedup_scenario.interpret,
                                 rulesets_scenario.NAME: rulesets_scenario.interpret}[name](res)


def dump_results(results: dict) -> str:
    """results.json text: indented, but a list of plain numbers on one line (the RSS series
    hold up to 600 numbers per list, one per line would make the file ten times longer)."""
    import re

    text = json.dumps(results, indent=2, default=str)
    return re.sub(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)


def write_charts(results: dict, md_path: Path) -> None:
    """PNG charts beside the report (`charts/`), and the report's section linking them. Without
    matplotlib (the `bench` extra) the report is written without charts."""
    try:
        import charts
    except ImportError as e:
        log(f"charts skipped: {e} (pip install -e '.[bench]', as `make bench` does)")
        results["charts_md"] = []
        return
    made = charts.render(results, md_path.parent / "charts", md_path.parent)
    results["charts_md"] = charts.markdown(made, results)
    log("charts: " + (", ".join(c.get("file") or f"{c['title']} FAILED ({c['error']})" for c in made) or "none"))


def render_only(args) -> int:
    results = load_results(args.render)
    if not results["scenarios"]:
        sys.exit(f"{args.render}: no results")
    prepare_for_report(results)
    results["json_path"] = results.get("json_path") or str(args.render)
    results["rendered"] = (f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} with "
                           f"`bench/run.py --render {args.render}` (numbers unchanged, from the JSON)")
    quick = all(r["mode"] == "quick" for r in results["scenarios"].values())
    md_path = args.results_md or (WORK / "quick" / "RESULTS.md" if quick else HERE / "RESULTS.md")
    write_charts(results, md_path)
    write_report(results, md_path)
    log(f"re-wrote {md_path} from {args.render}")
    return 0


def selected_tools(args) -> dict[str, list[str]]:
    """Scenario -> its tools to run, in the order of --tools; scenarios left with none are skipped."""
    scenarios = recipe_scenario.expand([s.strip() for s in args.scenarios.split(",") if s.strip()])
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        sys.exit(f"unknown scenario(s) {sorted(unknown)}; choose from {list(SCENARIOS)}")
    tools = [t.strip() for t in (args.tools or ",".join(ALL_TOOLS)).split(",") if t.strip()]
    unknown = set(tools) - set(ALL_TOOLS)
    if unknown:
        sys.exit(f"unknown tool(s) {sorted(unknown)}; choose from {list(ALL_TOOLS)}")
    out = {}
    for s in scenarios:
        mine = [t for t in tools if t in SCENARIOS[s]]
        if mine:
            out[s] = mine
        else:
            log(f"scenario {s}: none of its tools ({', '.join(SCENARIOS[s])}) selected by --tools; skipped")
    if not out:
        sys.exit("nothing to run")
    return out


def note_venv_changes(res: dict, before: dict, freezes: dict) -> None:
    """Record whether any venv changed between the start of the bench and the end of this
    scenario (`pip list` before vs now): a change means something installed mid-run."""
    after = {k: venv_freeze(py) if py else [] for k, py in freezes.items()}
    changed = {k: sorted(set(after[k]) ^ set(before[k])) for k in before}
    res["venv_changes"] = changed
    res["verification"]["lines"].append(
        f"**venv contents changed during the run**: {changed}" if any(changed.values()) else
        "No venv changed during the run (`pip list` of each before = after): nothing was installed.")


def save_results(done: dict, json_path: Path, md_path: Path) -> None:
    """Merge this run's scenarios into results.json (a scenario not run now keeps its previous
    results) and re-write RESULTS.md and the charts from it."""
    results = load_results(json_path)
    results["scenarios"].update(done)
    results["json_path"] = done[next(iter(done))]["json_path"]
    results.pop("rendered", None)
    prepare_for_report(results)
    json_path.write_text(dump_results(results))
    write_charts(results, md_path)
    write_report(results, md_path)


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a 5,000-doc slice, 1 repetition, report to bench/work/quick/ (a few minutes)")
    ap.add_argument("--docs", type=int, default=None, help="use the first N documents of the corpus")
    ap.add_argument("--reps", type=int, default=None, help="repetitions per tool (default 3, --quick 1)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help=f"comma list from {','.join(SCENARIOS)} (default: all). filters: "
                         f"{','.join(SCENARIOS['filters'])}; job: {','.join(SCENARIOS['job'])}; dedup: "
                         f"{','.join(SCENARIOS['dedup'])}; rules: {','.join(SCENARIOS['rules'])}; ops21: "
                         f"{','.join(SCENARIOS['ops21'])}; rulesets: {','.join(SCENARIOS['rulesets'])} "
                         "(FineWeb's rule sets vs datatrove); recipes = rules,ops21")
    ap.add_argument("--tools", default=None,
                    help=f"comma list from {','.join(ALL_TOOLS)} (default: every tool of the selected scenarios)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="JSONL corpus (default bench/work/corpus/corpus.jsonl, built if missing)")
    ap.add_argument("--master", default="local[2]", help="Spark master for the sparkops runs")
    ap.add_argument("--np", type=int, default=2,
                    help="Data-Juicer np; dedup peers: datatrove tasks and workers, text-dedup --num_proc; "
                         "rulesets: datatrove's tasks and workers")
    ap.add_argument("--sink", default="json", choices=["json", "parquet", "noop"],
                    help="filters scenario: Spark output format for the kept rows (Data-Juicer always writes JSONL)")
    ap.add_argument("--spark-conf", default=None, help="extra Spark conf 'k=v,k2=v2' (recorded in the results)")
    ap.add_argument("--results-md", type=Path, default=None,
                    help="default bench/RESULTS.md (--quick: bench/work/quick/RESULTS.md)")
    ap.add_argument("--results-json", type=Path, default=None,
                    help="default bench/results.json (--quick: bench/work/quick/results.json); scenarios not "
                         "run keep their previous results from this file")
    ap.add_argument("--no-analysis", action="store_true",
                    help="skip the untimed drop-reason pass (filters scenario; rulesets: sparkops' _dropped_by)")
    ap.add_argument("--interval", type=float, default=0.2, help="process-tree sampling interval, s")
    ap.add_argument("--timeout", type=float, default=3600, help="per-run timeout, s")
    ap.add_argument("--quiet-wait", type=float, default=120,
                    help="before each run wait up to this many s for the machine to be idle (0: never wait)")
    ap.add_argument("--quiet-threshold", type=float, default=0.3,
                    help="'idle' = other processes use at most this many cores")
    ap.add_argument("--max-other-load", type=float, default=0.25,
                    help="a run during which other processes used more cores than this on average is "
                         "'disturbed' and repeated (see --retries)")
    ap.add_argument("--retries", type=int, default=2, help="repeats of a disturbed run before keeping it flagged")
    ap.add_argument("--no-profile", action="store_true",
                    help="skip the untimed per-operator profile of the Python kernels")
    ap.add_argument("--no-parity", action="store_true",
                    help="skip the untimed parity pass (each filter alone, Data-Juicer vs sparkops)")
    ap.add_argument("--parity-docs", type=int, default=None,
                    help="documents for the parity pass (default 5000, --quick 1000)")
    ap.add_argument("--profile-docs", type=int, default=None,
                    help="documents for the kernel profile (default: all of the run's documents)")
    ap.add_argument("--dedup-scaling", action=argparse.BooleanOptionalAction, default=None,
                    help="dedup scenario: also run `minhash` once on the corpus replicated 2x and 4x "
                         "(default: on, off with --quick)")
    ap.add_argument("--render", type=Path, default=None, metavar="RESULTS_JSON",
                    help="only re-write the Markdown report from a results JSON of an earlier run")
    args = ap.parse_args()

    if args.render:
        return render_only(args)

    t_bench = time.time()
    if args.quick:
        args.docs = args.docs or 5000
        args.reps = args.reps or 1
    args.reps = args.reps or 3
    if args.dedup_scaling is None:
        args.dedup_scaling = not args.quick
    plan = selected_tools(args)
    all_selected = [t for tools in plan.values() for t in tools]
    out_base = WORK / "quick" if args.quick else HERE
    md_path = args.results_md or out_base / "RESULTS.md"
    json_path = args.results_json or out_base / "results.json"
    md_path.parent.mkdir(parents=True, exist_ok=True)

    ensure_assets()
    ensure_corpus(args.corpus.resolve())
    uses_dj = any(t in DJ_TOOLS for t in all_selected)
    if uses_dj:
        ensure_dj_venv()
    peers = [t for t in all_selected if t in dedup_peers.PEERS]
    for tool in peers:
        dedup_peers.ensure_venv(tool, log=log)
    rules_peers = [t for t in all_selected if t in rulesets_scenario.PEER_TOOLS]
    if rules_peers:  # datatrove_rules runs in the dedup scenario's datatrove venv
        dedup_peers.ensure_venv(rulesets_scenario.PEER_VENV_TOOL, log=log)
    corpus, n_docs = make_slice(args.corpus.resolve(), args.docs)
    log(f"corpus {corpus} ({n_docs:,} docs); scenarios {plan}; {args.reps} repetition(s)")
    machine = machine_info()
    freezes = {"sparkops": SPARK_PY, "dj": DJ_PY if uses_dj else None,
               **{t: dedup_peers.python(t) for t in peers},
               **{t: dedup_peers.python(rulesets_scenario.PEER_VENV_TOOL) for t in rules_peers}}
    freeze_before = {k: venv_freeze(py) if py else [] for k, py in freezes.items()}

    done = {}
    for name, tools in plan.items():
        t0 = time.time()
        log(f"scenario {name}: {', '.join(tools)}")
        rows, all_runs = run_reps(tools, args, corpus, n_docs)
        res = scenario_record(args, tools, corpus, n_docs, machine, json_path, rows, all_runs)
        if name == "filters":
            finish_filters(res, args, corpus, n_docs)
        elif name == "job":
            finish_job(res)
        elif name in recipe_scenario.SCENARIOS:
            recipe_scenario.finish(res, name, WORK / "out", log)
        elif name == rulesets_scenario.NAME:
            finish_rulesets(res, args, corpus)
        else:
            finish_dedup(res, args, corpus, n_docs)
        res["bench_wall_s"] = time.time() - t0
        done[name] = res
        # Written after every scenario, not once at the end: a full run takes hours, and one
        # stopped in its third scenario keeps the two it finished.
        note_venv_changes(res, freeze_before, freezes)
        save_results(done, json_path, md_path)
        log(f"scenario {name} done in {res['bench_wall_s'] / 60:.1f} min; results so far in {md_path}")

    log(f"wrote {md_path} and {json_path} ({(time.time() - t_bench) / 60:.1f} min)")
    for res in done.values():
        for k, v in res["ratios"].items():
            log(f"{k}: {v:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
