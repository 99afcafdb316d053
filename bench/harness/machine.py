"""The machine, the versions of every venv, and sparkops' code fingerprint, as each scenario
records them; `pip list` before and after, to show that nothing was installed mid-run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

from bench.harness.common import DJ_PY, ROOT, SPARK_PY


def venv_freeze(py: Path) -> list[str]:
    r = subprocess.run([str(py), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                       capture_output=True, text=True)
    return sorted(r.stdout.split())


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


def note_venv_changes(res: dict, before: dict, freezes: dict) -> None:
    """Record whether any venv changed between the start of the bench and the end of this
    scenario (`pip list` before vs now): a change means something installed mid-run."""
    after = {k: venv_freeze(py) if py else [] for k, py in freezes.items()}
    changed = {k: sorted(set(after[k]) ^ set(before[k])) for k in before}
    res["venv_changes"] = changed
    res["verification"]["lines"].append(
        f"**venv contents changed during the run**: {changed}" if any(changed.values()) else
        "No venv changed during the run (`pip list` of each before = after): nothing was installed.")
