"""The scale scenario: the fused 11-filter pass and MinHash dedup on the corpus at 1x, 2x, 5x and
10x its size (about 600k documents at 10x), one run per size and tool, on this one machine.

The larger corpora are the corpus followed by lightly edited replicas of itself (the dedup
scenario's scaling corpora: every replica is a near-duplicate of its source), built untimed
under `bench/work/scale/`. What the section answers: does time grow linearly with the input, does
memory stay flat (Spark spills, it does not crash or grow with the corpus)?"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.harness.common import WORK, log
from bench.harness.report import machine_lines, run_lines
from bench.harness.runs import run_attempts, slim_run
from bench.scenarios.dedup import EDIT_RATE, build_scaled

NAME = "scale"
FACTORS = (1, 2, 5, 10)
TOOLS = {
    "fused": "sparkops fused pass (the filters scenario's 11 filters), local[2]",
    "minhash": "sparkops document_minhash_deduplicator (DJ defaults), local[2]",
}
SECTION_TITLES = {NAME: "Scale: the filters and MinHash dedup at 1x to 10x the corpus"}
ROLES = ("JVM", "Spark Python workers", "main process")
# the largest MinHash run once more on a quarter of the default driver heap: the shuffle and the
# joins must spill to disk and give the same answer, not fail
SMALL_HEAP = "spark.driver.memory=1g"


def run(args, corpus: Path, n_docs: int, factors: tuple[int, ...] = FACTORS) -> tuple[list[dict], list[dict], dict]:
    """Each tool once per size, smallest first; a disturbed run is repeated (--retries).
    Returns (counted runs, every attempt, {factor: corpus path})."""
    paths = {1: corpus, **build_scaled(corpus, WORK / NAME, log=log, factors=tuple(k for k in factors if k > 1))}
    rows, all_runs = [], []
    for k in sorted(paths):
        for tool in TOOLS:
            if tool not in args.scale_tools:
                continue
            label = f"{tool}_scale{k}x"
            attempts = run_attempts(tool, 1, args, paths[k], n_docs * k, label=label)
            for a in attempts:
                a["factor"] = k
            rows.append(attempts[-1])
            all_runs += [slim_run(a) for a in attempts]
            shutil.rmtree(WORK / "out" / label, ignore_errors=True)  # up to 10x the corpus, read nowhere
    if "minhash" in args.scale_tools:
        k = max(paths)
        label, conf = f"minhash_scale{k}x_heap1g", args.spark_conf
        args.spark_conf = ",".join(filter(None, [conf, SMALL_HEAP]))
        try:
            attempts = run_attempts("minhash", 1, args, paths[k], n_docs * k, label=label)
        finally:
            args.spark_conf = conf
        for a in attempts:
            a.update(factor=k, spark_conf=SMALL_HEAP)
        rows.append(attempts[-1])
        all_runs += [slim_run(a) for a in attempts]
        shutil.rmtree(WORK / "out" / label, ignore_errors=True)
    return rows, all_runs, paths


def _gib(v) -> str:
    return f"{v / 2**30:.2f}" if v is not None else "–"


def _linear(r: dict, base: dict | None, key) -> float | None:
    if not base or r["factor"] == 1:
        return None
    return key(r) / (r["factor"] * key(base))


def table(res: dict) -> list[str]:
    L = ["| tool | size | docs | kept | wall s | processing s | CPU s | docs/s | peak RSS tree GiB | "
         + " | ".join(f"{r} GiB" for r in ROLES) + " | wall vs linear | processing vs linear |",
         "|---|---|---|---|---|---|---|---|---|" + "---|" * len(ROLES) + "---|---|"]
    for tool in TOOLS:
        rows = sorted((r for r in res["runs"] if r["tool"] == tool), key=lambda r: (r["factor"], "spark_conf" in r))
        base = next((r for r in rows if r["factor"] == 1), None)
        for r in rows:
            by = r.get("peak_rss_by_role", {})
            lw = _linear(r, base, lambda x: x["wall_s"])
            lp = _linear(r, base, lambda x: x["inner"]["process_s"])
            heap = " (1 GiB heap)" if r.get("spark_conf") else ""
            L.append(f"| {tool}{heap} | {r['factor']}x | {r['docs']:,} | {r['kept']:,} | {r['wall_s']:.1f} | "
                     f"{r['inner']['process_s']:.1f} | {r['cpu_s']:.1f} | {r['docs_per_s']:,.0f} | "
                     f"{_gib(r['peak_rss_bytes'])} | " + " | ".join(_gib(by.get(role)) for role in ROLES)
                     + f" | {'–' if lw is None else f'{lw:.2f}'} | {'–' if lp is None else f'{lp:.2f}'} |")
    L.append("")
    return L


def interpret(res: dict) -> list[str]:
    out = []
    for tool in TOOLS:
        rows = sorted((r for r in res["runs"] if r["tool"] == tool and not r.get("spark_conf")),
                      key=lambda r: r["factor"])
        if len(rows) < 2 or rows[0]["factor"] != 1:
            continue
        base, top = rows[0], rows[-1]
        worst = max(_linear(r, base, lambda x: x["wall_s"]) for r in rows[1:])
        jvm0 = base.get("peak_rss_by_role", {}).get("JVM")
        jvm1 = top.get("peak_rss_by_role", {}).get("JVM")
        grow = (f"; peak RSS {_gib(base['peak_rss_bytes'])} GiB at 1x, {_gib(top['peak_rss_bytes'])} GiB at "
                f"{top['factor']}x (JVM {_gib(jvm0)} -> {_gib(jvm1)})")
        out.append(f"- `{tool}`: {top['factor']}x the documents ({top['docs']:,}) took "
                   f"{top['wall_s'] / base['wall_s']:.1f}x the wall time of 1x; the worst size is "
                   f"{worst:.2f} of linear (1.00 = linear; below it the fixed start-up cost is being "
                   f"amortised){grow}. " + ("Time grows linearly (<= 1.2 of linear) and"
                                            if worst <= 1.2 else "Time grows faster than linearly, and")
                   + " every size ran to the end on the same 4 GiB driver heap.")
    small = next((r for r in res["runs"] if r.get("spark_conf")), None)
    big = next((r for r in res["runs"] if r["tool"] == "minhash" and not r.get("spark_conf")
                and small and r["factor"] == small["factor"]), None)
    if small and big:
        jvm = small.get("peak_rss_by_role", {}).get("JVM")
        out.append(f"- `minhash` at {small['factor']}x again with `{small['spark_conf']}` (a quarter of the default "
                   f"heap): {small['wall_s']:.1f} s against {big['wall_s']:.1f} s, JVM peak {_gib(jvm)} GiB, "
                   + ("the same kept count" if small["kept"] == big["kept"] else
                      f"kept {small['kept']:,} against {big['kept']:,}")
                   + (": with less memory Spark spills to disk instead of failing, at about the same speed, so "
                      "the JVM's larger peak with the default heap is the heap growing because it may, not data "
                      "that needs it." if small["wall_s"] <= 1.2 * big["wall_s"] else
                      f": with less memory Spark spills to disk instead of failing, {small['wall_s'] / big['wall_s']:.2f}x "
                      "slower."))
    disturbed = [r for r in res.get("all_runs", []) if r.get("disturbed")]
    if disturbed:
        out.append(f"- {len(disturbed)} attempt(s) were disturbed by other load and repeated (see `all_runs`).")
    return out


def section(res: dict) -> list[str]:
    L = [f"## {SECTION_TITLES[NAME]}", ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False, settings="sparkops' default session (4 GiB driver heap); output "
                       "sink: JSON files (kept rows; MinHash also the removed rows' provenance)")
    L += ["### Results", "",
          f"The corpora: the bench corpus, then it followed by 1, 4 and 9 replicas of itself in which "
          f"~{100 * EDIT_RATE:.0f}% of the words are replaced, deleted or doubled (seeded; new ids), so each "
          "replica is a near-duplicate of its source: MinHash keeps about one copy of each, the filters keep "
          "about the same share at every size. Built untimed under `bench/work/scale/`. One run per tool and "
          "size. *vs linear* = t(k x) / (k · t(1 x)). RSS columns: each process role's own peak.", ""]
    L += table(res)
    L += ["### Interpretation", ""] + res.get("interpretation", interpret(res)) + [""]
    return L
