"""The web scenario: WARC files of real pages to FineWeb text, sparkops against datatrove 0.10.1.

- corpus: ``bench/scenarios/web_corpus.py`` (built once under ``bench/work/web/``): tens of
  thousands of real HTML pages as WARC request/response records, some image and style-sheet
  responses, ~4% of the pages on hosts from datatrove's UT1 block list, in 8 gzipped files;
- ``sparkops_web``: ``sparkops run --json`` on a per-run copy of ``bench/recipes/web_job.yaml``
  (input ``format: warc`` over the folder, one stage: url_filter, html_extract_mapper
  (trafilatura), language_filter (datatrove's), the four rule sets), Spark ``local[2]``;
- ``datatrove_web``: ``bench/runners/datatrove_web_job.py`` in the datatrove venv: FineWeb's
  published first stage (datatrove's ``examples/fineweb.py``), 2 tasks / 2 workers over the files.

*docs* = the HTML responses of the corpus (the pages either tool may keep), so docs/s is pages
in / wall. After the runs (untimed): the kept URLs of both tools as sets (both differences with
their causes and examples) and, for the URLs both kept, the share of identical texts.

The sparkops venv (stdlib, pyyaml, pyarrow); run.py imports it.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from collections import Counter
from pathlib import Path

import yaml

from bench.harness import proctree
from bench.harness.common import LID_MODEL, ROOT, WORK, last_ok, log, spark_env
from bench.harness.report import (RESULTS_LEGEND, all_runs_table, cpu_role_table, failure_lines, machine_lines,
                                  ratio_lines, results_table)
from bench.runners import dedup_peers
from bench.scenarios import job as job_scenario
from bench.scenarios import web_corpus
from bench.scenarios.recipes import pair_ratios, read_table
from bench.scenarios.rulesets import _label as sp_label  # `op:rule` -> `op`, `error:op: msg` -> `error:op`
from bench.scenarios.rulesets import _text_diff, no_comparison_line, peer_line

NAME = "web"
SPARK_TOOL, PEER_TOOL = "sparkops_web", "datatrove_web"
TOOLS = {
    SPARK_TOOL: "sparkops run bench/recipes/web_job.yaml (WARC, URL filter, Trafilatura, fastText, 4 rule sets), local[2]",
    PEER_TOOL: "datatrove 0.10.1: FineWeb's WARC pipeline (examples/fineweb.py), LocalPipelineExecutor, 2 tasks / 2 workers",
}
SCENARIOS = {NAME: [SPARK_TOOL, PEER_TOOL]}
PEER_TOOLS = (PEER_TOOL,)
PAIRS = ((SPARK_TOOL, PEER_TOOL),)
PEER_VENV_TOOL = "datatrove_minhash"  # .peers/datatrove, shared with the dedup and rulesets scenarios
SECTION_TITLES = {NAME: "Web pages (WARC) to FineWeb text: sparkops vs datatrove's FineWeb pipeline"}
SPEC = ROOT / "bench" / "recipes" / "web_job.yaml"
STAGE = "fineweb"  # the spec's one stage: its Delta table holds the kept rows
SPARKOPS_CLI = ROOT / ".venv" / "bin" / "sparkops"
WEB_WORK = WORK / "web"
SHARED_HTML = Path("/work/shared/data/html")
# what datatrove's WarcReader, Trafilatura and URLFilter import beyond datatrove[processing]
PEER_PIP = ["trafilatura==2.3.1", "lxml_html_clean==0.4.7", "warcio==1.8.1", "faust-cchardet==2.1.19",
            "python-magic==0.4.27", "tldextract==5.4.0"]
PEER_IMPORTS = ["trafilatura", "lxml_html_clean", "warcio", "cchardet", "magic", "tldextract"]
FILTERS = ["url_filter", "language_filter", "gopher_repetition_filter", "gopher_quality_filter",
           "c4_quality_filter", "fineweb_quality_filter"]  # datatrove's steps with an exclusion writer
SPARK_OPS = ["url_filter", "html_extract_mapper", "language_filter", "gopher_repetition_filter",
             "gopher_quality_filter", "c4_quality_filter", "fineweb_quality_filter"]
DT_NOT_KEPT = "no text"  # neither kept nor in an exclusion file: not HTML, undecodable, or Trafilatura gave nothing
UNKNOWN = "unknown"
EXAMPLES = 3


# --------------------------------------------------------------------------- inputs


def blocklist_tar() -> Path:
    """datatrove's UT1 block lists (the tarball its URLFilter reads), in its venv."""
    py = dedup_peers.python(PEER_VENV_TOOL)
    found = sorted(py.parent.parent.glob("lib/python*/site-packages/datatrove/assets/url_filterblacklistsv0_3_0.tar.gz"))
    if not found:
        raise SystemExit(f"datatrove's url_filterblacklistsv0_3_0.tar.gz not found under {py.parent.parent}")
    return found[0]


def corpus_dir(docs: int | None) -> Path:
    return WEB_WORK / ("warc" if docs is None else f"warc_first{docs}")


def ensure_corpus(docs: int | None) -> tuple[Path, dict]:
    """The WARC folder (the whole page set, or its first `docs` pages) and its manifest; built
    when missing (the Debian documentation packages of web_corpus.SITES are installed first)."""
    from bench.harness.prepare import install_packages

    out = corpus_dir(docs)
    m = web_corpus.cached(out, docs)
    if m is not None:
        return out, m
    install_packages(list(web_corpus.SITES), "web corpus")
    log(f"web corpus: building {out} (WARC records of every HTML page of {len(web_corpus.SITES)} Debian doc "
        "packages and the shared test pages; a few minutes)")
    m = web_corpus.build(out, SHARED_HTML, blocklist_tar(), limit=docs)
    log(f"web corpus: {m['records']:,} records ({m['html_responses']:,} HTML pages, {m['other_responses']:,} other "
        f"responses, {m['blocklisted']:,} on block-listed hosts), {m['bytes'] / 1e6:.1f} MB in {m['n_files']} files")
    return out, m


def ensure_peer() -> None:
    """The datatrove venv, with what its WARC reader and Trafilatura step import."""
    dedup_peers.ensure_venv(PEER_VENV_TOOL, log=log)
    py = str(dedup_peers.python(PEER_VENV_TOOL))
    # datatrove 0.10.1 asks for trafilatura < 1.12; both tools extract with 2.3.1 here, so the
    # same-text check compares the pipelines, not two versions of the extractor
    probe = ("import importlib.util as u, importlib.metadata as md, sys; sys.exit(0 if all(u.find_spec(m) for m in "
             "sys.argv[1:]) and md.version('trafilatura') == '2.3.1' else 1)")
    if subprocess.run([py, "-c", probe, *PEER_IMPORTS]).returncode != 0:
        cmd = [py, "-m", "pip", "install", *PEER_PIP]
        log("datatrove venv: installing the WARC/HTML extras: " + " ".join(cmd))
        subprocess.run(cmd, check=True)


def write_spec(corpus: Path, warehouse: Path, spec_path: Path) -> Path:
    """bench/recipes/web_job.yaml reading `corpus`, writing under `warehouse`; ops unchanged."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec["input"]["path"] = str(corpus)
    spec["output"]["path"] = str(warehouse)
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return spec_path


def command(tool: str, corpus: Path, out_dir: Path, result: Path, args) -> tuple[list[str], dict]:
    """A timed run's command line and environment. sparkops: its JSON document on stdout (the
    harness keeps it as the result file); datatrove: kept pages to out_dir/data, what each filter
    removed to out_dir/removed/<filter>/, its scratch to out_dir/work."""
    if tool == SPARK_TOOL:
        spec = write_spec(corpus, out_dir / "warehouse", WORK / "out" / f"{SPARK_TOOL}_job.yaml")
        cmd = [str(SPARKOPS_CLI), "run", str(spec), "--fresh", "--master", args.master, "--json"]
        return cmd, {**spark_env(args.spark_conf), "GX_ANALYTICS_ENABLED": "false"}
    cmd = [str(dedup_peers.python(PEER_VENV_TOOL)), str(ROOT / "bench" / "runners" / "datatrove_web_job.py"),
           "--warc", str(corpus), "--out", str(out_dir / "data"), "--removed", str(out_dir / "removed"),
           "--work", str(out_dir / "work"), "--lid", str(LID_MODEL), "--result", str(result),
           "--tasks", str(args.np), "--workers", str(args.np)]
    return cmd, dedup_peers.offline_env()


def cli_row(row: dict, returncode: int, log_path: Path, out_dir: Path, result_path: Path) -> dict:
    """Complete the row of a timed `sparkops run`: its JSON document, kept = rows of the stage's
    Delta table. A failed run (e.g. an op the build lacks) is recorded as failed, not raised."""
    inner = job_scenario.read_run_json(result_path)
    if returncode != 0 or "run_s" not in inner:
        err = inner.get("error")
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:]) if log_path.is_file() else ""
        msg = f"error: {err['kind']}: {err['message']}" if err else (tail or f"exit {returncode}")
        row.update(kept=None, inner=inner, failed=msg)
        log(f"rep {row['rep']} {row['tool']}: FAILED (exit {returncode}) after {row['wall_s']:.1f} s: "
            f"{msg.splitlines()[0] if msg else ''}")
        return row
    kept = job_scenario.delta_kept(out_dir / "warehouse" / STAGE)
    inner.update(kept=kept, process_s=inner["run_s"])
    row.update(kept=kept, inner=inner)
    log(f"rep {row['rep']} {row['tool']}: wall {row['wall_s']:.1f} s, {row['docs_per_s']:.0f} docs/s, "
        f"CPU {row['cpu_s']:.1f} s, peak RSS {row['peak_rss_bytes'] / 2**30:.2f} GiB, kept {kept}")
    return row


# --------------------------------------------------------------------------- outputs


def _url_of(row: dict) -> str | None:
    if row.get("url"):
        return row["url"]
    rec = row.get("_record")
    if rec:
        try:
            return json.loads(rec).get("url")
        except (ValueError, AttributeError):
            return None
    return None


def read_sparkops(warehouse: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({url: text} of the stage's kept rows, {url: _dropped_by} of its rejected rows)."""
    kept = {_url_of(r): r["text"] for r in read_table(warehouse / STAGE, ["url", "_record", "text"])}
    rej_table = warehouse / f"{STAGE}_rejected"
    rejected = {}
    if (rej_table / "_delta_log").is_dir():
        rejected = {_url_of(r): r["_dropped_by"] or UNKNOWN
                    for r in read_table(rej_table, ["url", "_record", "_dropped_by"])}
    kept.pop(None, None)
    rejected.pop(None, None)
    return kept, rejected


def _jsonl_any(folder: Path):
    for f in sorted(Path(folder).rglob("*.jsonl*")):
        opener = gzip.open if f.name.endswith(".gz") else open
        with opener(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def read_datatrove(out_dir: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """({url: text} of datatrove's kept documents, {url: {op, reason}} from its exclusion files)."""
    kept = {d["metadata"]["url"]: d["text"] for d in _jsonl_any(out_dir / "data")}
    removed = {}
    for op in FILTERS:
        for d in _jsonl_any(out_dir / "removed" / op):
            md = d.get("metadata") or {}
            removed[md.get("url")] = {"op": op, "reason": md.get("filter_reason")}
    return kept, removed


# --------------------------------------------------------------------------- same answer?


def compare(sp_kept: dict[str, str], dt_kept: dict[str, str], sp_rejected: dict[str, str] | None = None,
            dt_removed: dict[str, dict] | None = None) -> dict:
    """Kept URLs as sets (both differences, each with the other tool's cause and examples), and
    for the URLs both kept the share of identical texts (and of texts equal up to whitespace)."""
    sp_rejected, dt_removed = sp_rejected or {}, dt_removed or {}
    both = sorted(set(sp_kept) & set(dt_kept))
    only_sp = sorted(set(sp_kept) - set(dt_kept))
    only_dt = sorted(set(dt_kept) - set(sp_kept))
    differ = [u for u in both if sp_kept[u] != dt_kept[u]]
    ws_only = [u for u in differ if " ".join(sp_kept[u].split()) == " ".join(dt_kept[u].split())]

    def dt_cause(u: str) -> str:
        r = dt_removed.get(u)
        return f"{r['op']} / {r['reason'] or '(no reason)'}" if r else DT_NOT_KEPT

    def group(urls: list[str], cause) -> dict:
        out: dict[str, list] = {}
        for u in urls:
            out.setdefault(cause(u), []).append(u)
        return {k: {"n": len(v), "examples": v[:EXAMPLES]}
                for k, v in sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0]))}

    union = len(set(sp_kept) | set(dt_kept))
    return {
        "sparkops_kept": len(sp_kept), "datatrove_kept": len(dt_kept), "both": len(both),
        "n_only_sparkops": len(only_sp), "n_only_datatrove": len(only_dt),
        "agreement": len(both) / union if union else 1.0,
        "only_sparkops": group(only_sp, dt_cause),  # datatrove removed them: its filter and reason
        "only_datatrove": group(only_dt, lambda u: sp_label(sp_rejected.get(u))),  # sparkops removed them
        "n_text_identical": len(both) - len(differ), "n_text_differs": len(differ),
        "n_text_whitespace_only": len(ws_only),
        "text_identical_share": (len(both) - len(differ)) / len(both) if both else None,
        "text_differs_examples": [_text_diff(u, sp_kept[u], dt_kept[u]) for u in differ[:EXAMPLES]],
        "sparkops_removed_by_op": dict(Counter(sp_label(d) for d in sp_rejected.values())) if sp_rejected else None,
        "datatrove_removed_by_filter": dict(Counter(r["op"] for r in dt_removed.values())) if dt_removed else None,
    }


def compare_lines(c: dict) -> list[str]:
    union = c["both"] + c["n_only_sparkops"] + c["n_only_datatrove"]
    same = not c["n_only_sparkops"] and not c["n_only_datatrove"]
    L = [f"`{PEER_TOOL}` kept {c['datatrove_kept']:,} pages, `{SPARK_TOOL}` {c['sparkops_kept']:,}: {c['both']:,} URLs "
         f"kept by both, {c['n_only_sparkops']:,} only by sparkops, {c['n_only_datatrove']:,} only by datatrove "
         f"(agreement {100 * c['agreement']:.2f}% of the {union:,} URLs either kept)"
         + (": **identical URL sets**." if same else ".")]
    if c["n_only_datatrove"]:
        L.append(f"Only datatrove kept {c['n_only_datatrove']:,} (sparkops' `_dropped_by` from its rejected table): "
                 + "; ".join(f"{v['n']:,} × `{k}` (e.g. {', '.join(f'`{u}`' for u in v['examples'])})"
                             for k, v in c["only_datatrove"].items()) + ".")
    if c["n_only_sparkops"]:
        L.append(f"Only sparkops kept {c['n_only_sparkops']:,} (datatrove's filter / `filter_reason` from its exclusion "
                 f"files; *{DT_NOT_KEPT}*: its reader skipped the record or Trafilatura returned nothing or timed "
                 "out): " + "; ".join(f"{v['n']:,} × `{k}` (e.g. {', '.join(f'`{u}`' for u in v['examples'])})"
                                      for k, v in c["only_sparkops"].items()) + ".")
    if c["both"]:
        L.append(f"Extracted text of the {c['both']:,} pages both kept: {c['n_text_identical']:,} identical "
                 f"({100 * c['text_identical_share']:.2f}%)"
                 + ("." if not c["n_text_differs"] else
                    f", {c['n_text_differs']:,} differ ({c['n_text_whitespace_only']:,} of them only in whitespace; "
                    "e.g. " + "; ".join(f"`{d['id']}` at offset {d['offset']} (lengths {d['len'][0]:,} / "
                                        f"{d['len'][1]:,}): sparkops {d['sparkops']!r} vs datatrove {d['datatrove']!r}"
                                        for d in c["text_differs_examples"]) + ")."))
    return L


# --------------------------------------------------------------------------- after the runs


def finish(res: dict, manifest: dict, out_root: Path = WORK / "out") -> None:
    rows = res["runs"]
    a, b = last_ok(rows, SPARK_TOOL), last_ok(rows, PEER_TOOL)
    verification: dict = {"lines": []}
    if a and b:
        log(f"{NAME}: same answer? reading both outputs (untimed)")
        sp_kept, sp_rej = read_sparkops(out_root / SPARK_TOOL / "warehouse")
        dt_kept, dt_removed = read_datatrove(out_root / PEER_TOOL)
        c = compare(sp_kept, dt_kept, sp_rej, dt_removed)
        verification = {"lines": compare_lines(c), "compare": c}
    else:
        verification["lines"].append(no_comparison_line(rows, {SPARK_TOOL: a, PEER_TOOL: b}))
    res["verification"] = verification
    log("verification: " + "; ".join(verification["lines"]))
    res.update(
        corpus_manifest={k: v for k, v in manifest.items() if k != "files"},
        corpus_files=manifest.get("files"),
        corpus_mb=manifest["bytes"] / 1e6,
        ratios=pair_ratios(res["summary"], SPARK_TOOL, PEER_TOOL, "sparkops", "datatrove"),
        peer_versions={PEER_TOOL: dedup_peers.versions(PEER_VENV_TOOL)} if b else {},
        datatrove_steps=b["inner"].get("step_stats") if b else None,
        sparkops_ops=(a["inner"].get("stages") or [{}])[0].get("ops") if a else None,
    )


# --------------------------------------------------------------------------- report


def corpus_line(res: dict) -> str:
    m = res.get("corpus_manifest") or {}
    if not m:
        return ""
    src = ", ".join(f"{k} {v:,}" for k, v in sorted(m["pages_by_source"].items(), key=lambda kv: -kv[1]))
    return (f"Corpus: `{res['corpus']}`, {m['n_files']} gzipped WARC files, {m['bytes'] / 1e6:.1f} MB: {m['records']:,} "
            f"records ({m['n_files']} warcinfo, {m['requests']:,} requests, {m['html_responses']:,} HTML responses, "
            f"{m['other_responses']:,} image / style-sheet responses), built by `bench/scenarios/web_corpus.py` "
            f"(layout {m['version']}, seed {m['seed']}" + (f", the first {m['limit']:,} pages" if m.get("limit") else "")
            + f"). {m['blocklisted']:,} pages ({100 * m['blocklisted'] / max(1, m['html_responses']):.1f}%) sit on a "
            "host taken from the UT1 block list of datatrove's URLFilter, so that the URL filter has something to "
            f"drop. Pages per source: {src}. Charsets announced: "
            + ", ".join(f"{k} {v:,}" for k, v in m["charsets"].items()) + ".")


def description(res: dict) -> str:
    np = res["np"]
    return (f"FineWeb's first stage on WARC files of real pages. `{SPARK_TOOL}`: `sparkops run --json` on "
            "`bench/recipes/web_job.yaml` (input `format: warc`; one stage `fineweb`: `url_filter`, "
            "`html_extract_mapper` (Trafilatura, `favor_precision`), `language_filter` (en, > 0.65, datatrove's), "
            "`gopher_repetition_filter`, `gopher_quality_filter`, `c4_quality_filter` "
            f"(`filter_no_terminal_punct: false`), `fineweb_quality_filter`) on Spark `{res['master']}`, the kept "
            "rows committed as a Delta table, the removed ones as its rejected table. "
            f"`{PEER_TOOL}`: `bench/datatrove_web_job.py` in datatrove's venv: datatrove's own FineWeb pipeline as "
            "its `examples/fineweb.py` publishes it, `WarcReader` -> `URLFilter` -> `Trafilatura(favour_precision="
            "True)` (1 s timeout per page, in its extractor sandbox process) -> `LanguageFilter` (lid.176, "
            "`languages=['en']`, 0.65) -> `GopherRepetitionFilter` -> `GopherQualityFilter` -> "
            "`C4QualityFilter(filter_no_terminal_punct=False)` -> `FineWebQualityFilter` -> `JsonlWriter`, every "
            "filter with its exclusion writer (gzipped JSONL, as FineWeb writes them); `LocalPipelineExecutor` "
            f"({np} tasks, {np} workers) over the WARC files; offline: its fastText model is sparkops' "
            "`lid.176.ftz` placed where datatrove's downloader looks, its URL block lists are extracted from its "
            "wheel in every run (a cold start, like sparkops'). *docs* = HTML responses of the corpus; *kept* = "
            "pages each tool kept.")


def steps_lines(res: dict) -> list[str]:
    L = []
    ops = res.get("sparkops_ops") or []
    if ops:
        L += ["sparkops per op (last repetition, `sparkops run --json`): rows in → out, seconds in Spark's Python "
              "workers:", "", "| op | rows in | rows out | dropped | errors | worker s |", "|---|---|---|---|---|---|"]
        L += [f"| `{o['op']}` | {o['rows_in']:,} | {o['rows_out']:,} | {o.get('dropped') or 0:,} | "
              f"{o.get('errors') or 0:,} | {o.get('worker_s') or 0:.1f} |" for o in ops]
        L.append("")
    steps = res.get("datatrove_steps") or []
    if steps:
        L += ["datatrove per step (last repetition, its `stats.json` summed over its tasks):", "",
              "| step | time s | in | forwarded | dropped | other counters |", "|---|---|---|---|---|---|"]
        for st in steps:
            other = ", ".join(f"{k} {v:,}" for k, v in st.items()
                              if k not in ("name", "time_s", "total", "forwarded", "dropped") and v)
            t = st.get("time_s")
            L.append(f"| {st['name']} | {'' if t is None else f'{t:.1f}'} | {st.get('total', '')} | "
                     f"{st.get('forwarded', '')} | {st.get('dropped', '')} | {other} |")
        L.append("")
    return L


def removed_table(c: dict) -> list[str]:
    sp, dt = c.get("sparkops_removed_by_op"), c.get("datatrove_removed_by_filter")
    if sp is None and dt is None:
        return []
    dt_names = dict(zip(SPARK_OPS, ["url_filter", None, "language_filter", *FILTERS[2:]]))
    L = ["Pages each step removed (a page removed by one step is not seen by the next): sparkops from its "
         "rejected table's `_dropped_by`, datatrove from its exclusion files (its Trafilatura step has none: "
         "its drops are in the step table above).", "",
         "| sparkops op | sparkops removed | datatrove step | datatrove removed |", "|---|---|---|---|"]
    for op in SPARK_OPS:
        d = dt_names[op]
        L.append(f"| `{op}` | {(sp or {}).get(op, 0):,} | {f'`{d}`' if d else '–'} | "
                 + (f"{(dt or {}).get(d, 0):,}" if d else "–") + " |")
    for op in sorted(set(sp or ()) - set(SPARK_OPS)):
        L.append(f"| `{op}` | {sp[op]:,} | | |")
    return L + [""]


def interpret(res: dict) -> list[str]:
    s, r = res["summary"], res.get("ratios", {})
    a, b = s.get(SPARK_TOOL), s.get(PEER_TOOL)
    out = []
    if res["mode"] == "quick":
        out.append(f"- **Quick mode** ({res['docs']:,} pages, {res['reps']} repetition(s)): the scenario works; fixed "
                   "costs weigh more on a slice.")
    if a and b and a["reps"] and b["reps"] and r:
        out.append(f"- Speed: sparkops {r['sparkops vs datatrove (docs/s, whole process)']:.2f}x datatrove's pages/s "
                   f"on the whole process ({a['docs_per_s']['median']:.0f} vs {b['docs_per_s']['median']:.0f}), "
                   f"{r['sparkops vs datatrove (docs/s, processing only)']:.2f}x on processing only.")
        out.append(f"- CPU {a['cpu_s']['median']:.0f} vs {b['cpu_s']['median']:.0f} CPU-s "
                   f"({r['CPU s, sparkops / datatrove']:.2f}x); peak RSS {a['peak_rss_gib']['median']:.2f} vs "
                   f"{b['peak_rss_gib']['median']:.2f} GiB ({r['peak RSS, sparkops / datatrove']:.2f}x).")
    c = (res.get("verification") or {}).get("compare")
    if c:
        out.append(f"- Same answer: {100 * c['agreement']:.2f}% of the URLs either tool kept are kept by both; "
                   + (f"{100 * c['text_identical_share']:.2f}% of the texts both kept are identical."
                      if c["text_identical_share"] is not None else "no page kept by both."))
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    return out


def section(res: dict) -> list[str]:
    s = res["summary"]
    L = [f"## {SECTION_TITLES[NAME]}", "", description(res), "",
         f"Run on {res['date']} ({res['mode']} mode); every number in this section comes from this run.", "",
         "### Command", "", "```", res["command"], "```", "",
         f"Benchmark run time: {res['bench_wall_s'] / 60:.1f} min. Repetitions per tool: {res['reps']}, tools "
         "alternating (order rotated each repetition).", "", corpus_line(res), ""]
    L += machine_lines(res, sink=False, peer=peer_line(res, PEER_TOOL),
                       settings=f"datatrove `tasks={res['np']}`, `workers={res['np']}`")
    L += ["### Results", "", RESULTS_LEGEND + " Here *docs* = HTML pages.", ""]
    L += results_table(s, TOOLS)
    L += job_scenario.inside_rows(s, TOOLS)
    L += steps_lines(res)
    L += cpu_role_table(s, TOOLS)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L += ["### Same answer? (untimed, the last repetition's outputs)", ""]
    L += [f"- {line}" for line in (res.get("verification") or {}).get("lines", [])]
    L.append("")
    c = (res.get("verification") or {}).get("compare")
    if c:
        L += removed_table(c)
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L

