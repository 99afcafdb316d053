"""Paths, the log line and the Spark environment shared by the whole benchmark."""

from __future__ import annotations

import os
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
ROOT = BENCH.parent
RUNNERS = BENCH / "runners"  # the per-tool scripts, run by path as subprocesses
SHARED_BENCH = (ROOT / ".." / "shared" / "bench").resolve()
WORK = BENCH / "work"
DEFAULT_CORPUS = WORK / "corpus" / "corpus.jsonl"
SPARK_PY = ROOT / ".venv" / "bin" / "python"
DJ_VENV = ROOT / ".peers" / "dj"
DJ_PY = DJ_VENV / "bin" / "python"
WORDLISTS = ROOT / "sparkops" / "assets" / "wordlists"
LID_MODEL = ROOT / "sparkops" / "assets" / "lid.176.ftz"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def spark_env(extra_conf: str | None) -> dict:
    env = dict(os.environ)
    for k in ("SPARKOPS_MASTER", "SPARKOPS_CONF", "PYSPARK_SUBMIT_ARGS", "SPARK_HOME"):
        env.pop(k, None)
    env.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=str(SPARK_PY), PYSPARK_DRIVER_PYTHON=str(SPARK_PY),
               # driver and Spark's Python workers import this checkout's sparkops (see bench/run.py's sys.path)
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    if extra_conf:
        env["SPARKOPS_CONF"] = extra_conf
    return env


def last_ok(rows: list[dict], tool: str) -> dict | None:
    """The tool's last repetition, if it succeeded (its output is what is on disk now)."""
    mine = [r for r in rows if r["tool"] == tool]
    return mine[-1] if mine and not mine[-1].get("failed") else None
