"""Others share the machine: wait until it is quiet before a run, and tell a run disturbed by
other load (or by the VM being frozen) from one that measured the tool alone."""

from __future__ import annotations

import time

from bench.harness import proctree
from bench.harness.common import log


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
