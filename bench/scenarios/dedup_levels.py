"""The dedup_levels scenario: each level of dedup sparkops has, alone on the bench corpus with its
defaults (exact documents, MinHash near-duplicates, C4-style lines, datatrove-style sentence spans,
exact substrings), against datatrove's own sentence dedup in the same run: how many documents and
characters each removes, and how long it takes.

Levels the corpus cannot show are said so in the report rather than run: URL dedup (the bench
corpus has no URLs) and text-dedup's suffix-array mode (it shells out to Lee et al.'s Rust tool,
google-research/deduplicate-text-datasets, which no package index here serves)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.harness.common import RUNNERS, SPARK_PY, WORK, log, spark_env
from bench.harness.report import RESULTS_LEGEND, machine_lines, run_lines
from bench.harness.runs import spark_output_files
from bench.runners import dedup_peers

NAME = "dedup_levels"
PEER_TOOL = "datatrove_sentence"
PEER_VENV_TOOL = "datatrove_minhash"  # the dedup scenario's datatrove venv
LEVEL_OPS = {
    "level_exact": "document_deduplicator",
    "level_near": "document_minhash_deduplicator",
    "level_line": "line_deduplicator",
    "level_sentence": "sentence_deduplicator",
    "level_substring": "substring_deduplicator",
}
TOOLS = {**{t: f"sparkops `{op}` (defaults), local[2]" for t, op in LEVEL_OPS.items()},
         PEER_TOOL: "datatrove 0.10.1 sentence dedup (SentDedupConfig defaults), 2 tasks / 2 workers"}
SCENARIOS = {NAME: list(TOOLS)}
PEER_TOOLS = (PEER_TOOL,)
PAIRS = (("level_sentence", PEER_TOOL),)
SECTION_TITLES = {NAME: "Dedup by level: document, near, line, sentence, substring (and datatrove's sentence dedup)"}


def command(tool: str, corpus: Path, out_dir: Path, result: Path, args) -> tuple[list[str], dict]:
    if tool == PEER_TOOL:
        return ([str(dedup_peers.python(PEER_VENV_TOOL)), str(RUNNERS / "datatrove_sentence_job.py"),
                 "--corpus", str(corpus), "--out", str(out_dir / "data"), "--work", str(out_dir / "work"),
                 "--result", str(result), "--tasks", str(args.np), "--workers", str(args.np)],
                dedup_peers.offline_env())
    return ([str(SPARK_PY), str(RUNNERS / "spark_job.py"), "--mode", tool, "--corpus", str(corpus),
             "--out", str(out_dir / "data"), "--result", str(result), "--master", args.master, "--sink", "json"],
            spark_env(args.spark_conf))


def _chars(files) -> tuple[int, int]:
    """(documents, characters of their text) over JSON-lines files."""
    docs = chars = 0
    for f in files:
        with open(f, encoding="utf-8") as src:
            for line in src:
                if line.strip():
                    docs += 1
                    chars += len(json.loads(line).get("text") or "")
    return docs, chars


def _texts(files) -> dict[str, str]:
    out = {}
    for f in files:
        with open(f, encoding="utf-8") as src:
            for line in src:
                if line.strip():
                    r = json.loads(line)
                    out[r.get("id")] = r.get("text")
    return out


def same_answer(corpus: Path) -> dict | None:
    """Untimed: datatrove's sentence dedup again in ONE task (as its parity fixture ran it), and the
    kept texts of sparkops, datatrove in 2 tasks and datatrove in 1 task side by side."""
    ours, two = WORK / "out" / "level_sentence", WORK / "out" / PEER_TOOL
    if not (spark_output_files(ours) and spark_output_files(two)):
        return None
    one = WORK / "out" / f"{PEER_TOOL}_1task"
    log(f"{NAME}: datatrove's sentence dedup in one task, for the comparison (untimed)")
    subprocess.run([str(dedup_peers.python(PEER_VENV_TOOL)), str(RUNNERS / "datatrove_sentence_job.py"),
                    "--corpus", str(corpus), "--out", str(one / "data"), "--work", str(one / "work"),
                    "--result", str(one / "result.json"), "--tasks", "1", "--workers", "1"],
                   env=dedup_peers.offline_env(), check=True, capture_output=True)
    a, b, c = (_texts(spark_output_files(d)) for d in (ours, two, one))

    def agree(x, y):
        return {"kept_both": len(x.keys() & y.keys()), "kept_one_only": len(x.keys() ^ y.keys()),
                "texts_differ": sum(x[i] != y[i] for i in x.keys() & y.keys())}

    return {"sparkops_vs_datatrove_1task": agree(a, c), "datatrove_2tasks_vs_1task": agree(b, c),
            "sparkops_vs_datatrove_2tasks": agree(a, b)}


def finish(res: dict, corpus: Path) -> None:
    """Untimed: documents and characters in, and what each tool's kept output holds."""
    docs_in, chars_in = _chars([corpus])
    out = {}
    for tool in res["tools"]:
        files = spark_output_files(WORK / "out" / tool)  # Spark's part files and datatrove's part-<rank>.jsonl
        if not files:
            continue
        docs, chars = _chars(files)
        out[tool] = {"docs_kept": docs, "chars_kept": chars, "docs_removed": docs_in - docs,
                     "chars_removed": chars_in - chars}
        log(f"{NAME}: {tool} removed {chars_in - chars:,} chars and {docs_in - docs:,} documents")
    res.update(docs_in=docs_in, chars_in=chars_in, removed=out, ratios=ratios(res["summary"]),
               peer_versions={PEER_TOOL: dedup_peers.versions(PEER_VENV_TOOL)} if PEER_TOOL in res["tools"] else {},
               verification={"lines": []}, same_answer=same_answer(corpus))


def ratios(summary: dict) -> dict:
    a, b = summary.get("level_sentence"), summary.get(PEER_TOOL)
    if not (a and b and a.get("reps") and b.get("reps")):
        return {}
    return {"sentence dedup: sparkops vs datatrove (docs/s, whole process)":
            a["docs_per_s"]["median"] / b["docs_per_s"]["median"]}


def interpret(res: dict) -> list[str]:
    s, rm = res.get("summary") or {}, res.get("removed") or {}
    out = []
    for tool, op in LEVEL_OPS.items():
        if tool in s and s[tool].get("reps") and tool in rm:
            r = rm[tool]
            out.append(f"- `{op}`: {r['chars_removed']:,} characters ({100 * r['chars_removed'] / res['chars_in']:.1f}%) "
                       f"and {r['docs_removed']:,} documents removed in {s[tool]['wall_s']['median']:.1f} s.")
    sa = res.get("same_answer")
    if sa:
        o, d = sa["sparkops_vs_datatrove_1task"], sa["datatrove_2tasks_vs_1task"]
        out.append(f"- Same answer: sparkops' sentence dedup against datatrove's in one task: {o['kept_one_only']:,} "
                   f"documents kept by one only and {o['texts_differ']:,} kept texts that differ (of {o['kept_both']:,}). "
                   f"datatrove in 2 tasks against itself in 1: {d['kept_one_only']:,} and {d['texts_differ']:,}"
                   + (": its answer depends on how its input is split into tasks (sparkops' order is the corpus "
                      "order on any partitioning)." if d["kept_one_only"] or d["texts_differ"] else "."))
    a, b = rm.get("level_sentence"), rm.get(PEER_TOOL)
    if a and b:
        same = a["chars_removed"] == b["chars_removed"] and a["docs_removed"] == b["docs_removed"]
        out.append(f"- Sentence dedup against datatrove's: {a['chars_removed']:,} against {b['chars_removed']:,} "
                   f"characters and {a['docs_removed']:,} against {b['docs_removed']:,} documents removed"
                   + (" (the same)" if same else "") + "; "
                   + "; ".join(f"{k}: {v:.2f}x" for k, v in (res.get("ratios") or {}).items()) + ".")
    return out


def section(res: dict) -> list[str]:
    s = res["summary"]
    L = [f"## {SECTION_TITLES[NAME]}", ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False, settings="datatrove: 2 tasks, 2 workers; sparkops: local[2]",
                       peer=(f"- datatrove venv (`.peers/datatrove`): {json.dumps(res.get('peer_versions', {}).get(PEER_TOOL))}"
                             if res.get("peer_versions") else None))
    L += ["### Results", "", RESULTS_LEGEND, "",
          f"Input: {res.get('docs_in', 0):,} documents, {res.get('chars_in', 0):,} characters. Each level alone on "
          "the corpus, with its defaults, in input order (the first copy is the earliest). *removed* = "
          "documents dropped and characters gone from the kept text (cut spans plus dropped documents).", "",
          "| tool | wall s | processing s | CPU s | peak RSS GiB | docs removed | chars removed | chars removed % |",
          "|---|---|---|---|---|---|---|---|"]
    for tool, desc in TOOLS.items():
        t, r = s.get(tool), (res.get("removed") or {}).get(tool)
        if not t or not t.get("reps") or not r:
            continue
        L.append(f"| {desc} | {t['wall_s']['median']:.1f} | {t['process_s']['median']:.1f} | {t['cpu_s']['median']:.1f} | "
                 f"{t['peak_rss_gib']['median']:.2f} | {r['docs_removed']:,} | {r['chars_removed']:,} | "
                 f"{100 * r['chars_removed'] / res['chars_in']:.1f} |")
    L += ["", "Not run: URL dedup (`url_deduplicator`; the bench corpus has no URLs) and text-dedup's suffix-array "
          "mode (it runs google-research/deduplicate-text-datasets, a Rust tool no package index here serves).", ""]
    L += ["### Interpretation", ""] + res.get("interpretation", interpret(res)) + [""]
    return L
