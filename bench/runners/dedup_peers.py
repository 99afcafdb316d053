"""The dedup scenario's other peers, run by bench/run.py in the same run as sparkops and
Data-Juicer: datatrove's MinHash pipeline and text-dedup's ``text_dedup.minhash``.

Each peer has its own throwaway venv under ``.peers/<name>`` with pinned versions, created
by the harness when it is missing (``ensure_venv``), and one runner script executed with
that venv's Python (``bench/runners/datatrove_job.py``, ``bench/runners/textdedup_job.py``). A runner reads
the corpus JSONL, writes the kept rows as JSONL to ``<out>/data/part-*.jsonl`` (where
run.py counts them and ``dedup_quality.py`` reads them, like Spark's part files) and a result
JSON with its inner timings (``import_s``, ``process_s``, its own phases). Its scratch files
go to ``<out>/work``, deleted by the runner before it starts and by run.py before each run.

text-dedup's Spark script (``text_dedup.minhash_spark``) is not run: it imports
``graphframes``, whose JAR text-dedup documents as ``graphframes:graphframes:<v>-spark3.x-s_2.12``
(``--packages``), a Spark Packages coordinate that Maven Central does not serve (see
bench/README.md).

Stdlib only.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "runners"
PEERS_DIR = ROOT / ".peers"

# (the pins: the peer itself at the version of ../shared/bench/README.md; what its README
# says it needs beside it; pip resolves the rest, recorded by run.py's `pip list` of the venv)
PEERS = {
    "datatrove_minhash": {
        "desc": "datatrove 0.10.1 MinHash (4 steps, 14 buckets x 8 hashes, 5-grams of normalised words), 2 workers",
        "venv": "datatrove",
        "pip": ["datatrove[processing]==0.10.1", "spacy", "orjson", "aiohttp"],
        "script": "datatrove_job.py",
        "versions": ["datatrove", "spacy", "numpy", "xxhash", "multiprocess"],
    },
    "textdedup_minhash": {
        "desc": "text-dedup 0.4.0 text_dedup.minhash (HF datasets; 256 perms, t=0.7, 5-grams), num_proc=2",
        "venv": "textdedup",
        "pip": ["text-dedup==0.4.0"],
        "script": "textdedup_job.py",
        "versions": ["text-dedup", "datasets", "pyarrow", "numpy", "multiprocess"],
    },
}
# the peers' rows of ../shared/bench/README.md's "dedup only" table (published, other machine)
PUBLISHED_ROW_PREFIX = {"dj_minhash": "Data-Juicer", "datatrove_minhash": "datatrove minhash",
                        "textdedup_minhash": "text-dedup minhash (HF"}
NAMES = {"dj_minhash": "Data-Juicer", "datatrove_minhash": "datatrove", "textdedup_minhash": "text-dedup"}


CONSTRAINTS = ROOT / "bench" / "constraints"


def pip_constraints(venv: str) -> list[str]:
    """``-c bench/constraints/<venv>.txt``: every package of the peer's venv at the version the
    committed results ran with. The top-level pins alone leave the rest to whatever is newest
    on the day (that is how text-dedup's venv got pyspark 4.3.0 and pandas 3.1.1)."""
    path = CONSTRAINTS / f"{venv}.txt"
    return ["-c", str(path)] if path.is_file() else []


def python(tool: str) -> Path:
    return PEERS_DIR / PEERS[tool]["venv"] / "bin" / "python"


def ensure_venv(tool: str, log=print) -> None:
    """Create the peer's venv with its pinned packages when it is missing."""
    py = python(tool)
    if py.is_file():
        return
    venv = py.parent.parent
    log(f"{tool}: venv missing, creating {venv}")
    shutil.rmtree(venv, ignore_errors=True)  # a half-made one from an interrupted install
    base = shutil.which("python3.11") or sys.executable
    pip = [str(venv / "bin" / "pip"), "install", *pip_constraints(PEERS[tool]["venv"]), *PEERS[tool]["pip"]]
    for cmd in ([base, "-m", "venv", str(venv)], pip):
        log("$ " + shlex.join(cmd))
        try:
            subprocess.run(cmd, check=True)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)  # no half-made venv that would pass `is_file` next time
            raise


def versions(tool: str) -> dict:
    """The peer venv's Python and key package versions (for the report)."""
    code = ("import json, sys, importlib.metadata as m\n"
            f"pk = {PEERS[tool]['versions']!r}\n"
            "print(json.dumps({'python': sys.version.split()[0], **{p: m.version(p) for p in pk}}))")
    try:
        r = subprocess.run([str(python(tool)), "-c", code], capture_output=True, text=True, timeout=120)
        return __import__("json").loads(r.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}


def command(tool: str, corpus: Path, out_dir: Path, result: Path, np: int) -> tuple[list[str], dict]:
    """The runner's command line and environment: kept rows to out_dir/data, scratch to out_dir/work."""
    cmd = [str(python(tool)), str(HERE / PEERS[tool]["script"]), "--corpus", str(corpus),
           "--out", str(out_dir / "data"), "--work", str(out_dir / "work"), "--result", str(result)]
    cmd += ["--tasks", str(np), "--workers", str(np)] if tool == "datatrove_minhash" else ["--num-proc", str(np)]
    return cmd, offline_env()


def offline_env() -> dict:
    """A peer runner's environment: no Spark, Data-Juicer or HF settings of ours, no PYTHONPATH
    (its own venv only), and the HF offline variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "DATA_JUICER", "PYSPARK", "SPARK")) and k != "PYTHONPATH"}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


# --------------------------------------------------------------------------- report


def _med(rows: list[dict], key: str) -> float | None:
    vals = sorted(r["inner"][key] for r in rows if isinstance(r.get("inner", {}).get(key), (int, float)))
    return vals[len(vals) // 2] if vals else None


def _f(v, nd=1) -> str:
    return "–" if v is None else f"{v:.{nd}f}"


def phase_lines(res: dict) -> list[str]:
    """Where the peers' processing time goes (their runners' own phase timings, medians)."""
    runs = [r for r in res["runs"] if r["tool"] in PEERS and not r.get("failed")]
    if not runs:
        return []
    L = ["The peers' own phases (medians, s; their runners' timings):", ""]
    dt = [r for r in runs if r["tool"] == "datatrove_minhash"]
    if dt:
        L += ["| datatrove | import | split the input in 2 files | 1 signatures | 2 buckets | 3 cluster | "
              "4 filter + write | processing |", "|---|---|---|---|---|---|---|---|",
              "| " + " | ".join(["datatrove_minhash"] + [_f(_med(dt, k)) for k in (
                  "import_s", "split_s", "signatures_s", "buckets_s", "cluster_s", "filter_s", "process_s")]) + " |", ""]
    td = [r for r in runs if r["tool"] == "textdedup_minhash"]
    if td:
        phases = [k for k in ("Loading", "MinHashing", "Clustering", "Filtering", "Saving", "Cleaning")
                  if any(k in r["inner"].get("text_dedup_timer_s", {}) for r in td)]
        med = lambda k: _f(sorted(r["inner"]["text_dedup_timer_s"].get(k, 0.0) for r in td)[len(td) // 2])  # noqa: E731
        L += ["| text-dedup | import | " + " | ".join(phases) + " | JSONL export | processing |",
              "|---|---|" + "---|" * len(phases) + "---|---|",
              "| textdedup_minhash | " + _f(_med(td, "import_s")) + " | " + " | ".join(med(k) for k in phases)
              + f" | {_f(_med(td, 'export_s'))} | {_f(_med(td, 'process_s'))} |", "",
              "(text-dedup's *Loading* includes `load_dataset('json')` and its filter dropping documents "
              "under `min_length` tokens; *Saving* is `save_to_disk`.)", ""]
    return L


def description(res: dict) -> str:
    np = res["np"]
    pv = res.get("peer_versions") or {}
    ver = "; ".join(f"`.peers/{PEERS[t]['venv']}`: " + ", ".join(f"{k} {v}" for k, v in pv[t].items())
                    for t in PEERS if t in pv)
    return ("`datatrove_minhash`: datatrove's 4-step MinHash pipeline (`bench/datatrove_job.py`) on "
            f"`LocalPipelineExecutor`s with {np} workers, `MinhashConfig()` defaults (5-grams of words of the "
            "normalised text, spaCy's blank English tokenizer, 14 buckets x 8 hashes, 64-bit xxhash): the "
            f"corpus is first cut into {np} files (datatrove parallelises over files; timed), then signatures "
            f"({np} tasks), buckets (14 tasks), cluster (1 task), filter + JSONL writer ({np} tasks). "
            "`textdedup_minhash`: `python -m text_dedup.minhash --path json --data_files CORPUS --split train "
            f"--column text --num_perm 256 --threshold 0.7 --num_proc {np}` (`bench/textdedup_job.py`), every "
            "other option at its default (`--ngram 5`, `--min_length 5`: documents with fewer than 5 tokens are "
            "dropped from its output, so they count as removed below; sha1, bands/rows by its own "
            "optimisation), then its Arrow output exported as JSONL (timed). Both run offline "
            "(HF_HUB_OFFLINE=1, HF_DATASETS_OFFLINE=1), each in its own venv with pinned versions, created by "
            "`bench/run.py` when missing" + (f" ({ver})" if ver else "") + ". text-dedup's Spark script is not "
            "run: it needs the GraphFrames JAR, which Maven Central does not serve (see bench/README.md).")


def ratios(summary: dict, spark_tools: tuple) -> dict:
    """sparkops' docs/s over each measured peer's (whole process, and processing only)."""
    out = {}
    for peer in PEERS:
        p = summary.get(peer)
        for tool in spark_tools:
            t = summary.get(tool)
            if t and p and t["reps"] and p["reps"]:
                out[f"{tool} vs {NAMES[peer]} (docs/s, whole process)"] = \
                    t["docs_per_s"]["median"] / p["docs_per_s"]["median"]
                out[f"{tool} vs {NAMES[peer]} (docs/s, processing only)"] = \
                    p["process_s"]["median"] / t["process_s"]["median"]
    return out


def interpret(res: dict, kinds: tuple, spark_tools: tuple) -> list[str]:
    """sparkops against the peers measured in this run: recall per kind against the best
    measured peer, and each measured peer against its published recall."""
    q = (res.get("quality") or {}).get("tools", {})
    measured = {t: q[t] for t in ("dj_minhash", *PEERS) if t in q}
    out = []
    if not measured:
        return out
    best = {}
    for peer, t in measured.items():
        for k in kinds:
            v = t["dup_recall_by_kind"].get(k)
            if v is not None and (k not in best or v > best[k][0]):
                best[k] = (v, peer)
    for tool in spark_tools:
        t = q.get(tool)
        if not t:
            continue
        cells = []
        for k in kinds:
            if k in best and k in t["dup_recall_by_kind"]:
                v = t["dup_recall_by_kind"][k]
                cells.append(f"{k} {v:.3f} vs {best[k][0]:.3f} (`{best[k][1]}`)" + (" **below**" if v < best[k][0] else ""))
        out.append(f"- `{tool}` recall per kind vs the best peer **measured in this run**: " + "; ".join(cells) + ".")
    for peer, t in measured.items():
        if peer == "dj_minhash" or res["mode"] != "full":
            continue
        row = next((r for name, r in (res.get("published") or {}).get("rows", {}).items()
                    if name.startswith(PUBLISHED_ROW_PREFIX[peer])), None)
        if row:
            m = t["dup_recall_by_kind"]
            out.append(f"- Sanity check, {NAMES[peer]} measured here vs its published recall: "
                       + ", ".join(f"{k} {m.get(k, float('nan')):.3f} vs {row['recall'].get(k, float('nan')):.2f}"
                                   for k in kinds) + ".")
    return out
