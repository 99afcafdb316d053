"""The Markdown building blocks every scenario's section uses: how and where it ran, the results
table, CPU by role, ratios, every run, failures."""

from __future__ import annotations

import statistics

from bench.harness import proctree


def fmt_range(s: dict, nd: int = 1, scale: float = 1.0) -> str:
    return (f"{s['median'] * scale:.{nd}f} ({s['min'] * scale:.{nd}f}–{s['max'] * scale:.{nd}f})")


def fmt_int(v) -> str:
    return "" if v is None else f"{v:,}"


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
