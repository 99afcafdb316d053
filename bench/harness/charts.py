"""PNG charts of a benchmark's results.json (matplotlib, Agg backend: no display needed).

    .venv/bin/python -m bench.harness.charts bench/results.json --out bench/charts

bench/run.py calls ``render`` at the end of every run and with ``--render``; RESULTS.md links
the files it returns. Each chart is drawn only from what the results hold, so results
written before a measurement existed still render and the chart that needs it is skipped
(e.g. memory over time needs ``rss_series``, recorded by proctree.py since it keeps one):

- ``throughput.png``: docs/s per tool, one panel per scenario (median, min–max whiskers);
- ``per_op.png``: docs/s per operator: the filters scenario's kernel profile (sparkops, one
  core, no Spark) beside Data-Juicer's own per-op log lines; the job scenario's stages
  (sparkops' summary) beside Data-Juicer's ops of the same stage; the dedup tools' processing
  phase;
- ``memory_<scenario>.png``: RSS of the process tree over time, stacked by process role,
  for one representative run per tool (the repetition with the median wall time);
- ``scaling.png``: the dedup scenario's 1x/2x/4x runs: seconds against documents with the
  linear and linear x 1.2 lines from the 1x run, peak RSS per role, and the Python driver's
  RSS over time.

The optional extra ``bench`` (``pip install -e '.[bench]'``, what ``make bench`` installs)
provides matplotlib; it is not a dependency of sparkops itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; must precede pyplot's import

import matplotlib.pyplot as plt  # noqa: E402

GIB = 2**30
# one colour per side, the same in every chart
SPARKOPS, DJ, OTHER_PEER, NEUTRAL = "#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f"
DJ_TOOLS = ("dj", "dj_job", "dj_minhash")
# the peers' tool names start with their project's; every other tool but the floor is sparkops
# (so a new sparkops variant, e.g. minhash_verified_t06, needs no entry here)
PEER_PREFIXES = ("dj", "datatrove", "textdedup")


def is_sparkops(tool: str) -> bool:
    return tool != "floor" and not tool.startswith(PEER_PREFIXES)
ROLE_ORDER = ("main process", "JVM", "Spark Python workers", "forked Python processes", "other")
ROLE_COLORS = {"main process": "#2ca02c", "JVM": "#9467bd", "Spark Python workers": "#1f77b4",
               "forked Python processes": "#ff7f0e", "other": "#bcbd22"}


def tool_color(tool: str) -> str:
    """sparkops blue, Data-Juicer orange, any other peer (e.g. datatrove) red, the floor grey."""
    if is_sparkops(tool):
        return SPARKOPS
    if tool == "floor":
        return NEUTRAL
    return DJ if tool in DJ_TOOLS else OTHER_PEER


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _title(name: str, res: dict) -> str:
    return f"{name} ({res.get('docs', 0):,} docs, {res.get('mode', '?')} mode, {str(res.get('date', ''))[:10]})"


# --------------------------------------------------------------------------- (a) docs/s per tool


def throughput_rows(res: dict) -> list[tuple[str, float, float, float]]:
    """(tool, median, min, max docs/s) of every tool with a successful run, in the summary's order."""
    out = []
    for tool, s in (res.get("summary") or {}).items():
        if s.get("reps") and "docs_per_s" in s:
            d = s["docs_per_s"]
            out.append((tool, d["median"], d["min"], d["max"]))
    return out


def chart_throughput(results: dict, path: Path) -> Path | None:
    panels = [(name, res, throughput_rows(res)) for name, res in results["scenarios"].items()]
    panels = [p for p in panels if p[2]]
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 1.2 + 0.9 * sum(len(p[2]) + 1 for p in panels)),
                             squeeze=False)
    for ax, (name, res, rows) in zip(axes[:, 0], panels):
        tools = [r[0] for r in rows]
        med = [r[1] for r in rows]
        err = [[r[1] - r[2] for r in rows], [r[3] - r[1] for r in rows]]
        y = range(len(rows))
        ax.barh(y, med, xerr=err, color=[tool_color(t) for t in tools], capsize=4)
        ax.set_yticks(list(y), tools)
        ax.invert_yaxis()
        for yi, m in zip(y, med):
            ax.annotate(f"{m:,.0f}", (m, yi), xytext=(4, -10), textcoords="offset points", fontsize=8)
        ax.set_xlabel("docs/s (whole process; median, whiskers min–max)")
        ax.set_title(_title(name, res), fontsize=10)
    return _save(fig, path)


# --------------------------------------------------------------------------- (b) per operator


def filter_op_rates(res: dict) -> list[tuple[str, float | None, float | None]]:
    """(op, sparkops kernel docs/s, Data-Juicer docs/s) per op of the filters recipe: the kernel
    profile's docs evaluated / seconds (one core, no Spark), and Data-Juicer's documents
    entering the op (the previous op's 'left', the corpus for the first) / its logged seconds."""
    prof = {d["op"]: d for d in (res.get("profile") or {}).get("per_op", [])}
    dj = res.get("dj_per_op") or []
    dj_rate, entering = {}, res.get("docs")
    for d in dj:
        if d.get("s") and entering:
            dj_rate[d["op"]] = entering / d["s"]
        entering = d.get("left")
    ops = list(prof) + [d["op"] for d in dj if d["op"] not in prof]
    out = []
    for op in ops:
        p = prof.get(op)
        out.append((op, p["docs"] / p["s"] if p and p.get("s") else None, dj_rate.get(op)))
    return out


def job_stage_rates(res: dict) -> list[tuple[str, float | None, float | None]]:
    """(stage, sparkops docs/s, Data-Juicer docs/s) per stage of the job: sparkops' rows into
    the stage / its summary seconds (ops, gate, Delta commit); Data-Juicer's rows into the
    stage's first op / the sum of its logged op seconds."""
    per_op = res.get("per_op") or []
    out = []
    prev_left = res.get("docs")
    dj_in: dict[str, int | None] = {}
    dj_s: dict[str, float] = {}
    for r in per_op:
        dj_in.setdefault(r["stage"], prev_left)
        if r.get("dj_s") is not None:
            dj_s[r["stage"]] = dj_s.get(r["stage"], 0.0) + r["dj_s"]
        prev_left = r.get("dj_left")
    for st in res.get("stages") or []:
        sp = st["rows_in"] / st["s"] if st.get("s") and st.get("rows_in") is not None else None
        n, s = dj_in.get(st["stage"]), dj_s.get(st["stage"])
        out.append((st["stage"], sp, n / s if n and s else None))
    return out


def dedup_process_rates(res: dict) -> list[tuple[str, float | None, float | None]]:
    """(tool, sparkops docs/s, peer docs/s) of the processing phase for the dedup tools: one of
    the two is set, by who the tool is."""
    out = []
    for tool, s in (res.get("summary") or {}).items():
        if s.get("reps") and s.get("process_docs_per_s"):
            v = s["process_docs_per_s"]["median"]
            mine = is_sparkops(tool)
            out.append((tool, v if mine else None, None if mine else v))
    return out


def _paired_bars(ax, rows, labels=("sparkops", "Data-Juicer")) -> None:
    y = list(range(len(rows)))
    h = 0.4
    for k, (label, color) in enumerate(zip(labels, (SPARKOPS, DJ))):
        vals = [r[1 + k] for r in rows]
        ys = [yi + (k - 0.5) * h for yi in y]
        ax.barh([yy for yy, v in zip(ys, vals) if v], [v for v in vals if v], height=h, color=color, label=label)
        for yy, v in zip(ys, vals):
            if v:
                ax.annotate(f"{v:,.0f}", (v, yy), xytext=(3, -3), textcoords="offset points", fontsize=7)
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    vals = [v for r in rows for v in r[1:] if v]
    # per-op rates span 3 orders of magnitude (len() vs fastText); a log axis only then
    if vals and max(vals) / min(vals) > 20:
        ax.set_xscale("log")
    ax.set_xlim(right=max(vals, default=1) * (4 if ax.get_xscale() == "log" else 1.15))
    ax.legend(fontsize=8, loc="best")


def chart_per_op(results: dict, path: Path) -> Path | None:
    sc = results["scenarios"]
    panels = []
    if "filters" in sc and (rows := [r for r in filter_op_rates(sc["filters"]) if r[1] or r[2]]):
        panels.append((rows, _title("filters: docs/s per operator", sc["filters"]),
                       "docs/s; sparkops: kernel in one Python process, 1 core, no Spark; "
                       "Data-Juicer: its per-op log line, np=2", ("sparkops kernel", "Data-Juicer")))
    if "job" in sc and (rows := [r for r in job_stage_rates(sc["job"]) if r[1] or r[2]]):
        panels.append((rows, _title("job: docs/s per stage", sc["job"]),
                       "docs/s; sparkops: stage time incl. gate and Delta commit; "
                       "Data-Juicer: sum of its op log lines", ("sparkops", "Data-Juicer")))
    if "dedup" in sc and (rows := dedup_process_rates(sc["dedup"])):
        panels.append((rows, _title("dedup: docs/s of the processing phase", sc["dedup"]),
                       "docs/s; processing only (no imports / session start)", ("sparkops", "peers")))
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 1.5 + sum(0.45 * len(p[0]) + 0.8 for p in panels)),
                             squeeze=False)
    for ax, (rows, title, xlabel, labels) in zip(axes[:, 0], panels):
        _paired_bars(ax, rows, labels)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=8)
    return _save(fig, path)


# --------------------------------------------------------------------------- (c) memory over time


def representative_runs(res: dict) -> dict[str, dict]:
    """Per tool, the successful run with the median wall time among those with an RSS series
    (the lower middle one for an even count)."""
    out = {}
    for tool in res.get("tools") or sorted({r["tool"] for r in res.get("runs", [])}):
        rs = sorted((r for r in res.get("runs", []) if r["tool"] == tool and not r.get("failed")
                     and (r.get("rss_series") or {}).get("t")), key=lambda r: r["wall_s"])
        if rs:
            out[tool] = rs[(len(rs) - 1) // 2]
    return out


def _stack(ax, series: dict, title: str) -> None:
    by = series.get("by_role_mib") or {}
    roles = [r for r in ROLE_ORDER if r in by] + sorted(r for r in by if r not in ROLE_ORDER)
    t = series["t"]
    if roles:
        ax.stackplot(t, [[v / 1024 for v in by[r]] for r in roles], labels=roles,
                     colors=[ROLE_COLORS.get(r, NEUTRAL) for r in roles], alpha=0.8)
    ax.plot(t, [v / 1024 for v in series["rss_mib"]], color="black", lw=1, label="tree")
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("RSS GiB")
    ax.grid(alpha=0.3)
    ax.set_ylim(0, max(series["rss_mib"], default=1024) / 1024 * 1.35)  # headroom for the legend
    ax.legend(fontsize=7, loc="upper left", ncol=len(roles) + 1)


def chart_memory(name: str, res: dict, path: Path) -> Path | None:
    reps = representative_runs(res)
    if not reps:
        return None
    fig, axes = plt.subplots(len(reps), 1, figsize=(9, 0.6 + 2.3 * len(reps)), squeeze=False, sharex=True)
    for ax, (tool, run) in zip(axes[:, 0], reps.items()):
        _stack(ax, run["rss_series"], f"{tool}: rep {run['rep']}, wall {run['wall_s']:.1f} s, "
                                      f"peak {run['peak_rss_bytes'] / GIB:.2f} GiB")
    axes[-1, 0].set_xlabel("s since the process was spawned")
    fig.suptitle(_title(f"{name}: RSS of the process tree over time, by role", res), fontsize=10)
    return _save(fig, path)


# --------------------------------------------------------------------------- (d) scaling


def scaling_points(res: dict) -> list[dict]:
    """The dedup scenario's scaling runs by size: factor, docs, wall and processing s, peak RSS
    per role (GiB), and the RSS series when recorded."""
    out = []
    for r in sorted((res.get("scaling") or {}).get("runs", []), key=lambda r: r["factor"]):
        out.append({"factor": r["factor"], "docs": r["docs"], "wall_s": r["wall_s"],
                    "process_s": (r.get("inner") or {}).get("process_s"),
                    "peak_gib": r["peak_rss_bytes"] / GIB,
                    "by_role_gib": {k: v / GIB for k, v in (r.get("peak_rss_by_role") or {}).items()},
                    "series": r.get("rss_series") or {}})
    return out


def linear_bounds(points: list[dict], key: str) -> tuple[list[float], list[float]] | None:
    """k x t(1x) and 1.2 x k x t(1x) at each point's docs (the scaling target is <= 1.2)."""
    base = next((p for p in points if p["factor"] == 1 and p.get(key)), None)
    if base is None:
        return None
    lin = [p["docs"] / base["docs"] * base[key] for p in points]
    return lin, [1.2 * v for v in lin]


def chart_scaling(res: dict, path: Path, what: str = "sparkops minhash",
                  title: str = "dedup scaling (1x/2x/4x)") -> Path | None:
    pts = scaling_points(res)
    if len(pts) < 2:
        return None
    with_series = [p for p in pts if p["series"].get("t")]
    n = 2 + bool(with_series)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 4.2), squeeze=False)
    ax = axes[0, 0]
    docs = [p["docs"] for p in pts]
    for key, label, color in (("wall_s", "wall", "black"), ("process_s", "processing", SPARKOPS)):
        if all(p.get(key) for p in pts):
            ax.plot(docs, [p[key] for p in pts], "o-", color=color, label=f"{label} s")
            b = linear_bounds(pts, key)
            if b:
                ax.plot(docs, b[0], ":", color=color, lw=1, label=f"{label}: linear from 1x")
                ax.plot(docs, b[1], "--", color=color, lw=1, alpha=0.6, label=f"{label}: linear x 1.2")
    ax.set_xlabel("documents")
    ax.set_ylabel("seconds")
    ax.set_title(f"{what}: time vs size", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax = axes[0, 1]
    ax.plot(docs, [p["peak_gib"] for p in pts], "o-", color="black", label="tree")
    roles = [r for r in ROLE_ORDER if any(r in p["by_role_gib"] for p in pts)]
    for r in roles:
        ax.plot(docs, [p["by_role_gib"].get(r, 0) for p in pts], "o-", color=ROLE_COLORS[r], label=r)
    ax.set_xlabel("documents")
    ax.set_ylabel("peak RSS GiB")
    ax.set_ylim(bottom=0)
    ax.set_title("peak RSS by role vs size", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    if with_series:
        ax = axes[0, 2]
        for k, p in enumerate(with_series):
            s, color = p["series"], f"C{k}"  # one colour per size: its tree solid, its driver dashed
            drv = (s.get("by_role_mib") or {}).get("main process")
            ax.plot(s["t"], [v / 1024 for v in s["rss_mib"]], lw=1, color=color, label=f"{p['factor']}x tree")
            if drv:
                ax.plot(s["t"], [v / 1024 for v in drv], ls="--", lw=1, color=color,
                        label=f"{p['factor']}x Python driver")
        ax.set_xlabel("s since spawn")
        ax.set_ylabel("RSS GiB")
        ax.set_title("RSS over time per size", fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle(_title(title, res), fontsize=10)
    return _save(fig, path)


# --------------------------------------------------------------------------- all


def render(results: dict, out_dir: Path, link_base: Path | None = None) -> list[dict]:
    """Every chart the results allow, as PNGs in out_dir; returns [{title, file}] in report
    order (`file` relative to link_base, the report's folder, when given), plus {title, error}
    for a chart that failed: a chart must never cost the results of a benchmark run. The file
    of a chart skipped now (its data missing) is deleted, so no stale chart stays beside the report."""
    out_dir = Path(out_dir)
    sc = results.get("scenarios") or {}
    plan = [("docs/s per tool and scenario", "throughput.png", lambda p: chart_throughput(results, p)),
            ("docs/s per operator / stage", "per_op.png", lambda p: chart_per_op(results, p))]
    for name, res in sc.items():
        if name != "scale":  # its runs are of different sizes: its own charts below
            plan.append((f"memory over time: {name}", f"memory_{name}.png",
                         lambda p, name=name, res=res: chart_memory(name, res, p)))
    if "dedup" in sc:
        plan.append(("dedup scaling", "scaling.png", lambda p: chart_scaling(sc["dedup"], p)))
    if "scale" in sc:
        for tool in sc["scale"].get("tools", []):
            # chart_scaling reads the runs of one tool in the dedup scenario's shape
            one = {**sc["scale"], "scaling": {"runs": [r for r in sc["scale"]["runs"]
                                                       if r["tool"] == tool and not r.get("spark_conf")]}}
            plan.append((f"scale: {tool} at 1x-10x", f"scale_{tool}.png",
                         lambda p, one=one, tool=tool: chart_scaling(one, p, f"sparkops {tool}",
                                                                     f"scale: {tool} at 1x to 10x")))
    out = []
    for title, file, draw in plan:
        path = out_dir / file
        try:
            made = draw(path)
        except Exception as e:  # noqa: BLE001 - reported in the Markdown instead
            plt.close("all")
            out.append({"title": title, "error": f"{type(e).__name__}: {e}"})
            continue
        if made is None:
            path.unlink(missing_ok=True)
            continue
        rel = made.relative_to(link_base) if link_base and made.is_relative_to(link_base) else made
        out.append({"title": title, "file": str(rel)})
    return out


def markdown(charts: list[dict], results: dict) -> list[str]:
    """The report's chart section: a link and the image per chart, and what was skipped."""
    if not charts:
        return []
    L = ["## Charts", "",
         "Drawn by `bench/charts.py` from the raw results (the same numbers as the sections below). Memory "
         "over time is drawn for runs that recorded it (`rss_series`, at most 600 points a run; each point "
         "the highest tree RSS of its slice of samples)."]
    have = {c["title"] for c in charts}
    missing = [n for n in (results.get("scenarios") or {}) if f"memory over time: {n}" not in have]
    if missing:
        L[-1] += (" No memory series in the results of: " + ", ".join(f"`{m}`" for m in missing)
                  + " (recorded before they were kept).")
    L.append("")
    for c in charts:
        if "error" in c:
            L += [f"*{c['title']}*: not drawn ({c['error']}).", ""]
        else:
            L += [f"[![{c['title']}]({c['file']})]({c['file']})", ""]  # the image, linking to its file
    return L


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results_json", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    args = ap.parse_args()
    raw = json.loads(args.results_json.read_text())
    results = raw if "scenarios" in raw else {"scenarios": {"filters": raw}}
    for c in render(results, args.out):
        print(c.get("file") or f"{c['title']}: {c['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
