"""sparkops throughput benchmark: the fused pass vs one-by-one SQL vs Data-Juicer 1.6.1.

    make bench                          # full: whole corpus, 3 repetitions per tool
    make bench BENCH_ARGS=--quick       # a 5,000-doc slice, 1 repetition (a few minutes)
    .venv/bin/python bench/run.py --help

Every run is its own process tree (bench/spark_job.py or bench/dj_job.py), measured by
bench/proctree.py (wall, CPU seconds and peak RSS summed over all descendants). Tools
alternate within each repetition (the order rotates), so drift on the machine hits all of
them alike. See bench/README.md.
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
sys.path.insert(0, str(HERE))

import proctree  # noqa: E402
import recipe  # noqa: E402

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
    for cmd in ([py, "-m", "venv", str(DJ_VENV)], [str(DJ_VENV / "bin" / "pip"), "install", *DJ_PIP_SPEC]):
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
    dj_versions = json.loads(_out([str(DJ_PY), "-c", (
        "import json, sys, importlib.metadata as m\n"
        "print(json.dumps({'python': sys.version.split()[0], **{p: m.version(p) for p in "
        "['py-data-juicer', 'datasets', 'pyarrow', 'multiprocess', 'fasttext-predict']}}))")]).splitlines()[-1])
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
    env.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=str(SPARK_PY), PYSPARK_DRIVER_PYTHON=str(SPARK_PY))
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


def run_one(tool: str, rep: int, args, corpus: Path, n_docs: int) -> dict:
    out_dir = WORK / "out" / tool
    logs = WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    result_path = WORK / "out" / f"{tool}.result.json"
    result_path.unlink(missing_ok=True)
    log_path = logs / f"{tool}-rep{rep}.log"

    if tool == "dj":
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
        cmd = [str(DJ_PY), str(HERE / "dj_job.py"), "--config", str(cfg_path), "--result", str(result_path),
               "--ds-cache", str(WORK / "dj_ds_cache")]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "DATA_JUICER"))}
    else:
        mode = tool
        cmd = [str(SPARK_PY), str(HERE / "spark_job.py"), "--mode", mode, "--corpus", str(corpus),
               "--out", str(out_dir / "data"), "--result", str(result_path), "--master", args.master,
               "--sink", args.sink]
        env = spark_env(args.spark_conf)

    quiet = wait_quiet(args.quiet_wait, args.quiet_threshold) if args.quiet_wait > 0 else {}
    log(f"rep {rep} {tool}: {TOOLS[tool]}" + (f" (machine busy {quiet['busy_cores_before']} cores before"
                                              f", waited {quiet['waited_s']} s)" if quiet else ""))
    code = sparkops_fingerprint()
    started = time.strftime("%H:%M:%S")
    m = proctree.run_measured(cmd, env=env, cwd=str(ROOT), log_path=str(log_path), interval=args.interval,
                              timeout=args.timeout)
    if code != sparkops_fingerprint():
        code += " (changed during the run)"
    if tool == "dj":
        shutil.rmtree(WORK / "dj_ds_cache", ignore_errors=True)
    if m.returncode != 0 or not result_path.is_file():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"{tool} rep {rep} failed (exit {m.returncode}); log {log_path}:\n{tail}")
    inner = json.loads(result_path.read_text())
    if tool == "dj":
        inner["per_op"] = parse_dj_log(log_path)
    kept = inner.get("kept")
    if kept is None:
        kept = count_kept(tool, out_dir)
        inner["kept"] = kept
    row = {"tool": tool, "rep": rep, "docs": n_docs, "kept": kept, **m.as_dict(), "inner": inner, **quiet,
           "log": str(log_path.relative_to(ROOT)), "sparkops_py_sha256": code, "started": started}
    row["docs_per_s"] = n_docs / m.wall_s
    log(f"rep {rep} {tool}: wall {m.wall_s:.1f} s, {row['docs_per_s']:.0f} docs/s, CPU {m.cpu_s:.1f} s, "
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
    out_dir = WORK / "out" / tool
    if tool == "dj":
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


def paired_ratios(rows: list[dict], reps: int) -> dict:
    """fused docs/s / other tool's docs/s within each repetition (same docs: wall ratio)."""
    paired = {}
    tools = {r["tool"] for r in rows}
    for a, b in (("fused", "dj"), ("fused", "sql")):
        if a in tools and b in tools:
            per_rep = []
            for rep in range(1, reps + 1):
                ra = next(r for r in rows if r["tool"] == a and r["rep"] == rep)
                rb = next(r for r in rows if r["tool"] == b and r["rep"] == rep)
                per_rep.append(rb["wall_s"] / ra["wall_s"])
            paired[f"{a} vs {b}"] = per_rep
    return paired


def summarize(rows: list[dict]) -> dict:
    out = {}
    for tool in TOOLS:
        rs = [r for r in rows if r["tool"] == tool]
        if not rs:
            continue

        def stat(key, f=lambda r, k: r[k]):
            vals = [f(r, key) for r in rs]
            return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}

        inner = lambda r, k: r["inner"].get(k, float("nan"))  # noqa: E731
        s = {
            "reps": len(rs),
            "docs": rs[0]["docs"],
            "kept": sorted({r["kept"] for r in rs}),
            "wall_s": stat("wall_s"),
            "docs_per_s": stat("docs_per_s"),
            "cpu_s": stat("cpu_s"),
            "cpu_polled_s": stat("cpu_polled_s"),
            "peak_rss_gib": stat("peak_rss_bytes", lambda r, k: r[k] / 2**30),
            "other_load_cpu_s": stat("other_load_cpu_s"),
        }
        if tool == "dj":
            s["process_s"] = stat("process_s", inner)
            s["startup_s"] = stat("import_config_s", inner)
        else:
            s["process_s"] = stat("process_s", inner)
            s["session_s"] = stat("session_s", inner)
            s["import_s"] = stat("import_s", inner)
            s["stop_s"] = stat("stop_s", inner)
        s["process_docs_per_s"] = {"median": rs[0]["docs"] / s["process_s"]["median"]}
        roles = sorted({k for r in rs for k in r.get("cpu_polled_by_role", {})})
        s["cpu_by_role"] = {k: statistics.median(r.get("cpu_polled_by_role", {}).get(k, 0.0) for r in rs)
                            for k in roles}
        out[tool] = s
    return out


# --------------------------------------------------------------------------- report


def fmt_range(s: dict, nd: int = 1, scale: float = 1.0) -> str:
    return (f"{s['median'] * scale:.{nd}f} ({s['min'] * scale:.{nd}f}–{s['max'] * scale:.{nd}f})")


def write_report(res: dict, path: Path) -> None:
    s = res["summary"]
    mi = res["machine"]
    L = []
    L.append("# sparkops benchmark results")
    L.append("")
    L.append(f"Generated by `bench/run.py` on {res['date']} ({res['mode']} mode); every number below "
             f"comes from this run. Raw data: `{res['json_path']}`."
             + (f" This Markdown was re-rendered on {res['rendered']}." if res.get("rendered") else ""))
    L.append("")
    L.append("## Command")
    L.append("")
    L.append("```")
    L.append(res["command"])
    L.append("```")
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
    L.append("## Machine")
    L.append("")
    sv, dv = mi["sparkops_venv"], mi["dj_venv"]
    L.append(f"- CPU: {mi['cpu_model']}, {mi['logical_cpus']} logical CPUs "
             f"({mi['physical_cores']} physical cores reported), affinity {mi['cpu_affinity']}")
    L.append(f"- RAM: {mi['ram_gib']} GiB; OS: {mi['os']}")
    L.append(f"- Java: {mi['java']} ({mi['java_runtime']})")
    L.append(f"- sparkops venv: Python {sv['python']}, pyspark {sv['pyspark']}, delta-spark {sv['delta-spark']}, "
             f"pyarrow {sv['pyarrow']}, pandas {sv['pandas']}, fasttext-numpy2 {sv['fasttext-numpy2']}, "
             f"sparkops {sv['sparkops']} (git {mi['sparkops_git']}; sha256 of sparkops/**/*.py "
             f"`{mi['sparkops_py_sha256']}`)")
    L.append(f"- Data-Juicer venv: Python {dv['python']}, py-data-juicer {dv['py-data-juicer']}, "
             f"datasets {dv['datasets']}, pyarrow {dv['pyarrow']}, multiprocess {dv['multiprocess']}, "
             f"fasttext-predict {dv['fasttext-predict']}")
    codes = sorted({r.get("sparkops_py_sha256") for r in res["runs"] if r.get("sparkops_py_sha256")})
    if len(codes) > 1:
        L.append(f"- **sparkops code changed during the benchmark** (others edit it concurrently): "
                 f"fingerprints seen {', '.join(codes)}; see `runs[].sparkops_py_sha256` in the JSON")
    L.append(f"- Spark master `{res['master']}`, Data-Juicer `np: {res['np']}`; Spark output sink: `{res['sink']}`")
    L.append("")
    L.append("## Results")
    L.append("")
    L.append("Median (min–max) over the repetitions. *wall* = spawn of the tool's process to the end "
             "of its last descendant; *docs/s* = docs / wall; *CPU s* = user+system of the whole process "
             "tree (the larger of the kernel rusage of every reaped process, via a subreaper, and the polled "
             "per-process times; see bench/README.md); *peak RSS* = max over 0.2 s samples of the RSS summed "
             "over the tree; *other load* = CPU seconds the machine spent outside the tree during the run "
             "(other users of the box; ~0 on a quiet machine).")
    L.append("")
    L.append("| run | docs | kept | wall s | docs/s | CPU s | peak RSS tree GiB | other load CPU s |")
    L.append("|---|---|---|---|---|---|---|---|")
    for tool, desc in TOOLS.items():
        if tool not in s:
            continue
        t = s[tool]
        kept = "/".join(f"{k:,}" for k in t["kept"])
        L.append(f"| {desc} | {t['docs']:,} | {kept} | {fmt_range(t['wall_s'])} | {fmt_range(t['docs_per_s'], 0)} | "
                 f"{fmt_range(t['cpu_s'])} | {fmt_range(t['peak_rss_gib'], 2)} | {fmt_range(t['other_load_cpu_s'])} |")
    L.append("")
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
    L.append("CPU seconds by process (polled, medians): the command's own process, the JVM, Spark's Python "
             "workers (forked by `pyspark.daemon`), other forked Python processes (Data-Juicer's pools).")
    L.append("")
    roles = ["main process", "JVM", "Spark Python workers", "forked Python processes", "other"]
    L.append("| run | " + " | ".join(roles) + " |")
    L.append("|---|" + "---|" * len(roles))
    for tool, desc in TOOLS.items():
        if tool not in s:
            continue
        by = s[tool].get("cpu_by_role", {})
        L.append(f"| {desc} | " + " | ".join(f"{by[r]:.1f}" if r in by else "–" for r in roles) + " |")
    L.append("")
    r = res.get("ratios", {})
    if r:
        L.append("## Ratios (medians)")
        L.append("")
        for key, v in r.items():
            L.append(f"- {key}: **{v:.2f}x**")
        for key, vals in (res.get("paired_ratios") or {}).items():
            L.append(f"- {key}, paired within each repetition (runs minutes apart; whole process): "
                     + ", ".join(f"{v:.2f}x" for v in vals)
                     + f" (min {min(vals):.2f}x, median {statistics.median(vals):.2f}x, max {max(vals):.2f}x)")
        L.append("")
    L.append("## Same answer?")
    L.append("")
    for line in res.get("verification", {}).get("lines", []):
        L.append(f"- {line}")
    L.append("")
    L.append("All runs (the medians above use the last attempt of each tool and repetition; a run is "
             f"*disturbed* when other processes used more than {res['max_other_load']} cores on average "
             "during it, and is then repeated):")
    L.append("")
    L.append("| tool | rep | attempt | started | wall s | docs/s | CPU s (rusage / polled) | peak RSS GiB | "
             "other load cores | steal s | disturbed |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for x in res["all_runs"]:
        L.append(f"| {x['tool']} | {x['rep']} | {x['attempt']} | {x.get('started', '')} | {x['wall_s']:.1f} | "
                 f"{x['docs_per_s']:.0f} | {x['cpu_s']:.1f} ({x['cpu_rusage_s']:.1f} / {x['cpu_polled_s']:.1f}) | "
                 f"{x['peak_rss_bytes'] / 2**30:.2f} | {x['other_load_cores']:.2f} | "
                 f"{format(x['steal_s'], '.1f') if 'steal_s' in x else '–'} | "
                 f"{'**yes**' if x['disturbed'] else 'no'} |")
    L.append("")
    prof = res.get("profile")
    dj_ops = {d["op"]: d for d in (res.get("dj_per_op") or [])}
    if res.get("dropped_by") or prof or dj_ops:
        L.append("## Per operator")
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
    L.append("## Recipe (the same for every tool)")
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
    L.append("## How each tool runs")
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
    L.append("## Interpretation")
    L.append("")
    for line in res.get("interpretation", []):
        L.append(line)
    L.append("")
    path.write_text("\n".join(L) + "\n")


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
        out.append(f"- **{len(flagged)} run(s) kept although disturbed** by other load on the machine "
                   f"(see the all-runs table): their numbers are pessimistic for the tool concerned.")
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


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a 5,000-doc slice, 1 repetition, report to bench/work/quick/ (a few minutes)")
    ap.add_argument("--docs", type=int, default=None, help="use the first N documents of the corpus")
    ap.add_argument("--reps", type=int, default=None, help="repetitions per tool (default 3, --quick 1)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma list from {','.join(TOOLS)}")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="JSONL corpus (default bench/work/corpus/corpus.jsonl, built if missing)")
    ap.add_argument("--master", default="local[2]", help="Spark master for the sparkops runs")
    ap.add_argument("--np", type=int, default=2, help="Data-Juicer np")
    ap.add_argument("--sink", default="json", choices=["json", "parquet", "noop"],
                    help="Spark output format for the kept rows (Data-Juicer always writes JSONL)")
    ap.add_argument("--spark-conf", default=None, help="extra Spark conf 'k=v,k2=v2' (recorded in the results)")
    ap.add_argument("--results-md", type=Path, default=None,
                    help="default bench/RESULTS.md (--quick: bench/work/quick/RESULTS.md)")
    ap.add_argument("--results-json", type=Path, default=None,
                    help="default bench/results.json (--quick: bench/work/quick/results.json)")
    ap.add_argument("--no-analysis", action="store_true", help="skip the untimed drop-reason pass")
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
    ap.add_argument("--profile-docs", type=int, default=None,
                    help="documents for the kernel profile (default: all of the run's documents)")
    ap.add_argument("--render", type=Path, default=None, metavar="RESULTS_JSON",
                    help="only re-write the Markdown report from a results JSON of an earlier run")
    args = ap.parse_args()

    if args.render:
        res = json.loads(args.render.read_text())
        res.setdefault("paired_ratios", paired_ratios(res["runs"], res["reps"]))
        if (res.get("make_command") or "").endswith("BENCH_ARGS=''"):
            res["make_command"] = "make bench"
        res["interpretation"] = interpret(res)
        res["rendered"] = (f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} with "
                           f"`bench/run.py --render {args.render}` (numbers unchanged, from the JSON)")
        md_path = args.results_md or (WORK / "quick" / "RESULTS.md" if res["mode"] == "quick" else HERE / "RESULTS.md")
        write_report(res, md_path)
        log(f"re-wrote {md_path} from {args.render}")
        return 0

    t_bench = time.time()
    if args.quick:
        args.docs = args.docs or 5000
        args.reps = args.reps or 1
    args.reps = args.reps or 3
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        sys.exit(f"unknown tool(s) {sorted(unknown)}; choose from {list(TOOLS)}")
    out_base = WORK / "quick" if args.quick else HERE
    md_path = args.results_md or out_base / "RESULTS.md"
    json_path = args.results_json or out_base / "results.json"
    md_path.parent.mkdir(parents=True, exist_ok=True)

    ensure_assets()
    ensure_corpus(args.corpus.resolve())
    if "dj" in tools:
        ensure_dj_venv()
    corpus, n_docs = make_slice(args.corpus.resolve(), args.docs)
    log(f"corpus {corpus} ({n_docs:,} docs); tools {tools}; {args.reps} repetition(s)")
    machine = machine_info()
    freeze_before = {"sparkops": venv_freeze(SPARK_PY), "dj": venv_freeze(DJ_PY) if "dj" in tools else []}

    rows, all_runs = [], []
    for rep in range(1, args.reps + 1):
        k = (rep - 1) % len(tools)
        for tool in tools[k:] + tools[:k]:
            for attempt in range(args.retries + 1):
                row = run_one(tool, rep, args, corpus, n_docs)
                row["attempt"] = attempt
                row["other_load_cores"] = row["other_load_cpu_s"] / row["wall_s"]
                row["disturbed"] = row["other_load_cores"] > args.max_other_load
                all_runs.append(row)
                if not row["disturbed"]:
                    break
                log(f"rep {rep} {tool}: disturbed (other processes used {row['other_load_cores']:.2f} cores on "
                    f"average during the run > {args.max_other_load})"
                    + (", repeating it" if attempt < args.retries else ", keeping it (flagged)"))
            rows.append(row)

    summary = summarize(rows)
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
    paired = paired_ratios(rows, args.reps)
    if "floor" in summary and "fused" in summary:
        ratios["Spark floor vs fused (docs/s, whole process)"] = \
            summary["floor"]["docs_per_s"]["median"] / summary["fused"]["docs_per_s"]["median"]

    # ---- same answer? (outputs of the last repetition; untimed)
    verification = {"lines": []}
    ids = {t: kept_ids(t) for t in tools if t in ("fused", "sql", "dj")}
    analysis = {} if args.no_analysis else analysis_pass(args, corpus)
    if analysis.get("kept_ids") is not None:
        ids["analysis"] = analysis["kept_ids"]
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
    log("verification: " + "; ".join(verification["lines"]))

    profile = None if args.no_profile else profile_pass(args, corpus, n_docs)

    freeze_after = {"sparkops": venv_freeze(SPARK_PY), "dj": venv_freeze(DJ_PY) if "dj" in tools else []}
    changed = {k: sorted(set(freeze_after[k]) ^ set(freeze_before[k])) for k in freeze_before}
    if any(changed.values()):
        verification["lines"].append(f"**venv contents changed during the run**: {changed}")
    else:
        verification["lines"].append("Neither venv changed during the run (`pip list` before = after): "
                                     "nothing was installed.")
    dj_rows = [r for r in rows if r["tool"] == "dj"]
    argv = [os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable,
            os.path.relpath(__file__, ROOT), *sys.argv[1:]]
    res = {
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
        "sink": args.sink,
        "spark_conf": args.spark_conf,
        "recipe": recipe.RECIPE,
        "machine": machine,
        "runs": rows,
        "all_runs": [{k: v for k, v in r.items() if k != "inner"} for r in all_runs],
        "max_other_load": args.max_other_load,
        "profile": profile,
        "summary": summary,
        "ratios": ratios,
        "paired_ratios": paired,
        "verification": verification,
        "dropped_by": analysis.get("dropped_by"),
        "dj_per_op": dj_rows[-1]["inner"].get("per_op") if dj_rows else None,
        "dj_refused_installs": sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
        "venv_changes": changed,
        "json_path": str(json_path.relative_to(ROOT)) if json_path.resolve().is_relative_to(ROOT) else str(json_path),
    }
    res["bench_wall_s"] = time.time() - t_bench
    res["interpretation"] = interpret(res)
    json_path.write_text(json.dumps(res, indent=2, default=str))
    write_report(res, md_path)
    log(f"wrote {md_path} and {json_path} ({res['bench_wall_s'] / 60:.1f} min)")
    for k, v in ratios.items():
        log(f"{k}: {v:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
