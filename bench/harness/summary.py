"""Each tool's medians over its repetitions, and the ratios paired within a repetition."""

from __future__ import annotations

import statistics

from bench.harness.runs import DJ_TOOLS
from bench.runners import dedup_peers
from bench.scenarios import rulesets as rulesets_scenario
from bench.scenarios import web as web_scenario
from bench.scenarios.catalog import ALL_TOOLS, PAIRS


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
        if (tool in DJ_TOOLS or tool in dedup_peers.PEERS or tool in rulesets_scenario.PEER_TOOLS
                or tool in web_scenario.PEER_TOOLS):
            s["process_s"] = stat("process_s", inner)
            s["startup_s"] = stat("import_config_s" if tool in DJ_TOOLS else "import_s", inner)
        elif tool in ("job", web_scenario.SPARK_TOOL):
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
