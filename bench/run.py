"""sparkops throughput benchmark against Data-Juicer 1.6.1 (and datatrove), nine scenarios:

- ``filters``: 11 filters as the fused pass vs one-by-one SQL vs a Spark floor vs Data-Juicer;
- ``job``: the full ``web_refine`` job (``sparkops run``: 3 gated stages, Delta tables) vs
  the equivalent Data-Juicer recipe ``jobs/web_refine_dj.yaml``;
- ``dedup``: ``document_minhash_deduplicator`` (sparkops, with and without ``verify``) vs
  Data-Juicer's, datatrove's and text-dedup's MinHash dedup (bench/runners/dedup_peers.py), with an
  untimed quality analysis and a 1x/2x/4x scaling run;
- ``rules``, ``ops21``: one Data-Juicer recipe YAML run by ``sparkops run`` and by Data-Juicer
  (bench/scenarios/recipes.py);
- ``rulesets``: FineWeb's heuristic rule sets (Gopher repetition, Gopher quality, C4, FineWeb
  quality) as one sparkops fused pass vs datatrove 0.10.1 (bench/scenarios/rulesets.py);
- ``web``: WARC files of real pages to FineWeb text (URL filter, Trafilatura, fastText, the rule
  sets), ``sparkops run`` on bench/recipes/web_job.yaml vs datatrove's own FineWeb pipeline
  (bench/scenarios/web.py; its corpus, built once: bench/scenarios/web_corpus.py);
- ``dedup_levels``: each sparkops dedup level alone (document, MinHash, line, sentence, substring)
  with the characters it removes, against datatrove's sentence dedup (bench/scenarios/dedup_levels.py);
- ``scale``: sparkops alone, the fused filters and MinHash dedup once each on the corpus at 1x, 2x,
  5x and 10x its size: linear time, flat memory (bench/scenarios/scale.py).

    make bench                          # full: whole corpus, every scenario, 3 repetitions per tool
    make bench BENCH_ARGS=--quick       # a 5,000-doc slice, 1 repetition
    .venv/bin/python bench/run.py --scenarios job      # only the job scenario
    .venv/bin/python bench/run.py --quick --scenarios dedup   # the dedup scenario on 5,000 docs
    .venv/bin/python bench/run.py --scenarios recipes  # rules + ops21: one Data-Juicer recipe YAML run
                                                       # by `sparkops run` and by Data-Juicer (scenarios/recipes.py)
    .venv/bin/python bench/run.py --quick --scenarios rulesets   # FineWeb's rule sets vs datatrove
    .venv/bin/python bench/run.py --quick --scenarios web   # WARC -> FineWeb text, 5,000 pages, vs datatrove
    .venv/bin/python bench/run.py --help

Every run is its own process tree (a script of bench/runners/ or the sparkops CLI), measured
by bench/harness/proctree.py (wall, CPU seconds and peak RSS summed over all descendants).
Tools alternate within each repetition of a scenario (the order rotates), so drift on the
machine hits all of them alike. results.json keeps one entry per scenario: a scenario not run
keeps its previous results. This file only orchestrates: the options, which scenarios and
tools run, and calling them; the rest is bench/harness/, bench/scenarios/ and bench/runners/.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# this checkout's sparkops and bench package first: .venv's editable install points at the
# checkout that created it, so a benchmark run from a git worktree (with .venv symlinked) would
# otherwise import another checkout's code, which may be edited while the benchmark runs
sys.path[:0] = [str(ROOT)]

from bench.harness.common import BENCH, DEFAULT_CORPUS, DJ_PY, SPARK_PY, WORK, log  # noqa: E402
from bench.harness.machine import machine_info, note_venv_changes, venv_freeze  # noqa: E402
from bench.harness.prepare import ensure_assets, ensure_corpus, ensure_dj_venv, make_slice  # noqa: E402
from bench.harness.results import (load_results, prepare_for_report, save_results, scenario_record,  # noqa: E402
                                   write_charts, write_report)
from bench.harness.runs import DJ_TOOLS, run_reps  # noqa: E402
from bench.runners import dedup_peers  # noqa: E402
from bench.scenarios import recipes as recipe_scenario  # noqa: E402
from bench.scenarios import rulesets as rulesets_scenario  # noqa: E402
from bench.scenarios import dedup_levels as levels_scenario  # noqa: E402
from bench.scenarios import scale as scale_scenario  # noqa: E402
from bench.scenarios import web as web_scenario  # noqa: E402
from bench.scenarios.catalog import ALL_TOOLS, SCENARIOS  # noqa: E402
from bench.scenarios.dedup import finish_dedup  # noqa: E402
from bench.scenarios.filters import finish_filters  # noqa: E402
from bench.scenarios.job import finish_job  # noqa: E402
from bench.scenarios.rulesets import finish_rulesets  # noqa: E402


def render_only(args) -> int:
    results = load_results(args.render)
    if not results["scenarios"]:
        sys.exit(f"{args.render}: no results")
    prepare_for_report(results)
    results["json_path"] = results.get("json_path") or str(args.render)
    results["rendered"] = (f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} with "
                           f"`bench/run.py --render {args.render}` (numbers unchanged, from the JSON)")
    quick = all(r["mode"] == "quick" for r in results["scenarios"].values())
    md_path = args.results_md or (WORK / "quick" / "RESULTS.md" if quick else BENCH / "RESULTS.md")
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
                         "(FineWeb's rule sets vs datatrove); web: "
                         f"{','.join(SCENARIOS['web'])} (WARC pages to FineWeb text vs datatrove; --docs: pages); "
                         "recipes = rules,ops21")
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
    out_base = WORK / "quick" if args.quick else BENCH
    md_path = args.results_md or out_base / "RESULTS.md"
    json_path = args.results_json or out_base / "results.json"
    md_path.parent.mkdir(parents=True, exist_ok=True)

    ensure_assets()
    # the web scenario reads its own WARC corpus: the text corpus is built only for the others
    reads_text_corpus = any(name != web_scenario.NAME for name in plan)
    if reads_text_corpus:
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
    if any(t in levels_scenario.PEER_TOOLS for t in all_selected):  # datatrove's venv, as for the rule sets
        dedup_peers.ensure_venv(levels_scenario.PEER_VENV_TOOL, log=log)
    web_peers = [t for t in all_selected if t in web_scenario.PEER_TOOLS]
    if web_peers:  # the same venv, with the WARC reader's and Trafilatura's imports
        web_scenario.ensure_peer()
    if reads_text_corpus:
        corpus, n_docs = make_slice(args.corpus.resolve(), args.docs)
        log(f"corpus {corpus} ({n_docs:,} docs); scenarios {plan}; {args.reps} repetition(s)")
    else:
        corpus, n_docs = None, 0
        log(f"scenarios {plan}; {args.reps} repetition(s)")
    machine = machine_info()
    freezes = {"sparkops": SPARK_PY, "dj": DJ_PY if uses_dj else None,
               **{t: dedup_peers.python(t) for t in peers},
               **{t: dedup_peers.python(rulesets_scenario.PEER_VENV_TOOL) for t in rules_peers},
               **{t: dedup_peers.python(web_scenario.PEER_VENV_TOOL) for t in web_peers}}
    freeze_before = {k: venv_freeze(py) if py else [] for k, py in freezes.items()}

    done = {}
    for name, tools in plan.items():
        t0 = time.time()
        log(f"scenario {name}: {', '.join(tools)}")
        if name == web_scenario.NAME:  # its own corpus: WARC files, --docs = HTML pages
            web_dir, manifest = web_scenario.ensure_corpus(args.docs)
            rows, all_runs = run_reps(tools, args, web_dir, manifest["html_responses"])
            res = scenario_record(args, tools, web_dir, manifest["html_responses"], machine, json_path, rows,
                                  all_runs)
        elif name == scale_scenario.NAME:  # one run per tool and corpus size, not repetitions
            args.scale_tools = tools
            rows, all_runs, paths = scale_scenario.run(args, corpus, n_docs)
            res = scenario_record(args, tools, corpus, n_docs, machine, json_path, rows, all_runs)
            res.update(summary={}, paired_ratios={}, ratios={}, reps=1, verification={"lines": []},
                       corpora={str(k): str(p) for k, p in paths.items()})
        else:
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
        elif name == web_scenario.NAME:
            web_scenario.finish(res, manifest)
        elif name == scale_scenario.NAME:
            pass
        elif name == levels_scenario.NAME:
            levels_scenario.finish(res, corpus)
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
