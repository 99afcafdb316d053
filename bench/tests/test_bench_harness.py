"""The benchmark harness's logic (bench/), on a tiny corpus: no timing is asserted, no Spark,
no Data-Juicer (its venv is not part of a fresh clone).

Covers: run.py's summaries, ratios and report rendering (also ``--render``), proctree's RSS
time series, the charts (real PNG files), the dedup scenario's published-recall parser and
scaling corpora, dedup_quality's recall and precision on known duplicate pairs, the
parity pass's sparkops side and comparison, and the rulesets scenario: its commands, the
datatrove runner on 50 real documents (when ``.peers/datatrove`` exists; skipped otherwise),
the readers of both tools' outputs, the same-answer comparison and its report section.
"""

from __future__ import annotations

import copy
import json
import random
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT)]

from bench.harness import charts, common, machine, proctree, quiet, runs, summary  # noqa: E402
from bench.harness import results as results_file  # noqa: E402  (`results` is a fixture below)
from bench.runners import dedup_peers, dedup_quality, parity  # noqa: E402
from bench.scenarios import catalog, filters  # noqa: E402
from bench.scenarios import dedup as dedup_scenario  # noqa: E402
from bench.scenarios import job as job_scenario  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- tiny corpus


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory, c4_path) -> Path:
    """200 records of real web text (C4 sample) in the benchmark corpus's format: 160
    originals, then 10 injected copies of each kind with their ground truth (dup_of, dup_kind)."""
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")][:160]
    recs = [{"text": t, "id": f"c4:{i}", "source": "c4", "path": "web/c4_sample.jsonl", "dup_of": None,
             "dup_kind": None} for i, t in enumerate(texts)]
    rng = random.Random(7)
    # the copies' originals: long documents, so that one edited word barely moves the Jaccard
    longs = [i for i, t in enumerate(texts) if len(t.split()) >= 150]
    for k, kind in enumerate(("exact", "ws_case", "near_light", "near_heavy")):
        for j in range(10):
            i = longs[(k * 10 + j) % len(longs)]
            t = texts[i]
            if kind == "ws_case":
                t = " ".join(t.lower().split())
            elif kind == "near_light":
                w = t.split(" ")
                w[len(w) // 2] = "changed"
                t = " ".join(w)
            elif kind == "near_heavy":
                w = t.split(" ")
                for x in rng.sample(range(len(w)), max(1, len(w) // 25)):
                    w[x] = "edited"
                t = " ".join(w) + "\nSubscribe to our newsletter."
            recs.append({"text": t, "id": f"dup:{kind}:{j}", "source": "c4", "path": "", "dup_of": f"c4:{i}",
                         "dup_kind": kind})
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- realistic results


def fake_run(tool: str, rep: int, wall: float, docs: int = 200, *, inner: dict | None = None,
             series: bool = True, factor: int | None = None) -> dict:
    """A run row as run_one() records it (numbers invented, shapes real)."""
    roles = {"main process": 150 * 2**20, "JVM": 900 * 2**20, "Spark Python workers": 300 * 2**20}
    if tool.startswith("dj"):
        roles = {"main process": 700 * 2**20, "forked Python processes": 1200 * 2**20}
        inner = inner or {"import_config_s": 3.0, "process_s": wall - 4, "kept": docs - 20}
    else:
        inner = inner or {"import_s": 0.2, "session_s": 9.0, "process_s": wall - 10, "stop_s": 0.4,
                          "kept": docs - 20, "dedup_s": wall - 12, "kept_write_s": 1.0, "removed_write_s": 0.5}
    raw = [(i * 0.2, int(sum(roles.values()) * min(1.0, i / 20)), {r: int(v * min(1.0, i / 20))
                                                                     for r, v in roles.items()})
           for i in range(int(wall / 0.2))]
    row = {"tool": tool, "rep": rep, "docs": docs, "kept": inner["kept"], "cmd": [tool], "returncode": 0,
           "wall_s": wall, "root_wall_s": wall, "cpu_s": 1.6 * wall, "cpu_rusage_s": 1.6 * wall,
           "cpu_polled_s": 1.5 * wall, "peak_rss_bytes": sum(roles.values()), "peak_procs": 4,
           "other_load_cpu_s": 0.5, "steal_s": 0.0, "samples": len(raw), "killed_leftovers": [],
           "cpu_polled_by_role": {r: wall / 3 for r in roles}, "peak_rss_by_role": roles, "shared_vm_skips": 0,
           "log": f"bench/work/logs/{tool}-rep{rep}.log", "sparkops_py_sha256": "abc", "started": "00:00:00",
           "docs_per_s": docs / wall, "inner": inner, "attempt": 0, "other_load_cores": 0.5 / wall,
           "disturbed": False}
    if series:
        row["rss_series"] = proctree.downsample(raw)
    if factor is not None:
        row["factor"] = factor
    return row


def scenario(name: str, tools: list[str], walls: dict[str, list[float]], **extra) -> dict:
    rows = [fake_run(t, rep, walls[t][rep - 1]) for rep in (1, 2, 3) for t in tools]
    machine = json.loads((BENCH / "results.json").read_text())["scenarios"]["filters"]["machine"]
    res = {"date": "2026-01-01T00:00:00+00:00", "mode": "quick", "command": "cd . && bench/run.py --quick",
           "make_command": None, "corpus": "c.jsonl", "full_corpus": "c.jsonl", "corpus_mb": 0.5, "docs": 200,
           "reps": 3, "tools": tools, "master": "local[2]", "np": 2, "spark_conf": None, "machine": machine,
           "runs": rows, "all_runs": [runs.slim_run(r) for r in rows], "max_other_load": 0.25,
           "summary": summary.summarize(rows), "paired_ratios": summary.paired_ratios(rows, 3), "json_path": "r.json",
           "bench_wall_s": 60.0, "verification": {"lines": ["ok"]}, **extra}
    return res


def old_results() -> dict:
    """The tracked bench/results.json's filters and job scenarios as recorded before RSS series
    and the parity pass existed (stripped of them, should a later run have added them)."""
    res = json.loads((BENCH / "results.json").read_text())
    res["scenarios"] = {k: v for k, v in res["scenarios"].items() if k in ("filters", "job")}
    for sc in res["scenarios"].values():
        sc.pop("parity", None)
        for row in sc["runs"]:
            row.pop("rss_series", None)
    return res


@pytest.fixture()
def results() -> dict:
    """old_results() plus a synthetic dedup scenario with series and scaling runs."""
    res = old_results()
    dd = scenario("dedup", ["minhash", "dj_minhash"], {"minhash": [30.0, 28.0, 35.0], "dj_minhash": [60.0, 62.0, 58.0]})
    dd["ratios"] = dedup_scenario.ratios(dd["summary"])
    dd["published"] = {"rows": {}}
    dd["quality"] = None
    dd["scaling"] = {"runs": [fake_run("minhash", 1, w, 200 * k, factor=k) for k, w in ((1, 30.0), (2, 45.0), (4, 80.0))],
                     "all_runs": [], "corpora": {}}
    res["scenarios"]["dedup"] = dd
    return res


# --------------------------------------------------------------------------- run.py: summaries, report


def test_summarize_medians_and_paired_ratios():
    rows = [fake_run("fused", r, w, series=False) for r, w in ((1, 50.0), (2, 40.0), (3, 60.0))]
    rows += [fake_run("dj", r, w, series=False) for r, w in ((1, 100.0), (2, 160.0), (3, 150.0))]
    s = summary.summarize(rows)
    assert s["fused"]["wall_s"] == {"median": 50.0, "min": 40.0, "max": 60.0}
    assert s["fused"]["docs_per_s"]["median"] == pytest.approx(200 / 50)
    assert s["dj"]["reps"] == 3 and s["dj"]["process_s"]["median"] == 146.0
    # paired within each repetition: dj wall / fused wall
    assert summary.paired_ratios(rows, 3)["fused vs dj"] == pytest.approx([2.0, 4.0, 2.5])
    r = filters.filter_ratios(s)
    assert r["fused vs Data-Juicer (docs/s, whole process)"] == pytest.approx((200 / 50) / (200 / 150))
    # a failed run has no ratio and no median
    rows[1]["failed"] = "gate failed"
    assert summary.paired_ratios(rows, 3)["fused vs dj"] == pytest.approx([2.0, 2.5])
    assert summary.summarize(rows)["fused"]["reps"] == 2


def test_slim_run_and_compact_json():
    row = fake_run("fused", 1, 10.0)
    slim = runs.slim_run(row)
    assert "rss_series" not in slim and "inner" not in slim and slim["wall_s"] == 10.0
    text = results_file.dump_results({"runs": [row]})
    assert json.loads(text) == {"runs": [row]}
    # the series' number lists are on one line each
    assert sum(1 for line in text.splitlines() if '"t": [' in line) == 1


def test_render_report_with_charts(results, tmp_path):
    md = tmp_path / "RESULTS.md"
    stale = tmp_path / "charts" / "memory_filters.png"  # from an earlier run that had series
    stale.parent.mkdir()
    stale.write_bytes(PNG_MAGIC)
    results_file.prepare_for_report(results)
    results_file.write_charts(results, md)
    results_file.write_report(results, md)
    text = md.read_text()
    for name in ("throughput", "per_op", "memory_dedup", "scaling"):
        png = tmp_path / "charts" / f"{name}.png"
        assert f"](charts/{name}.png)" in text
        assert_png(png)
    # filters and job were recorded without RSS series: no chart (an old one is removed), and
    # the report says so
    assert not stale.exists()
    assert "No memory series in the results of: `filters`, `job`" in text
    assert "## Dedup: MinHash vs Data-Juicer" in text and "### Scaling" in text


def test_results_are_saved_after_each_scenario(results, tmp_path):
    """save_results merges a run's finished scenarios into results.json and re-writes the
    report: a scenario finished earlier in the run, or in an earlier run, survives the next."""
    js, md = tmp_path / "results.json", tmp_path / "RESULTS.md"
    earlier = {"scenarios": {"filters": results["scenarios"]["filters"]}, "json_path": "r.json"}
    js.write_text(results_file.dump_results(earlier))
    done = {"job": results["scenarios"]["job"]}
    results_file.save_results(done, js, md)  # the first scenario of this run finished
    assert set(json.loads(js.read_text())["scenarios"]) == {"filters", "job"}
    assert "## Full job" in md.read_text() and "## Dedup" not in md.read_text()
    done["dedup"] = results["scenarios"]["dedup"]
    results_file.save_results(done, js, md)  # the second one
    saved = json.loads(js.read_text())["scenarios"]
    assert set(saved) == {"filters", "job", "dedup"}
    assert saved["dedup"]["summary"]["minhash"]["wall_s"]["median"] == 30.0
    assert "### Scaling" in md.read_text() and "## 11 filters" in md.read_text()


def test_venv_changes_are_noted_per_scenario(tmp_path):
    res = {"verification": {"lines": []}}
    py = Path(sys.executable)
    before = {"sparkops": machine.venv_freeze(py), "dj": []}
    machine.note_venv_changes(res, before, {"sparkops": py, "dj": None})
    assert res["venv_changes"] == {"sparkops": [], "dj": []}
    assert res["verification"]["lines"][-1].startswith("No venv changed")
    before["sparkops"] = before["sparkops"] + ["ghost==1.0"]  # as if uninstalled mid-run
    machine.note_venv_changes(res, before, {"sparkops": py, "dj": None})
    assert res["venv_changes"]["sparkops"] == ["ghost==1.0"]
    assert "changed during the run" in res["verification"]["lines"][-1]


def test_a_frozen_vm_disturbs_a_run():
    """A run during which the VM was frozen (realtime ahead of monotonic) is disturbed like
    one with other load, and is repeated; runs recorded before paused_s existed are caught
    by the tool's own processing time exceeding the run's wall time."""
    calm = {"other_load_cores": 0.01, "paused_s": 0.2}
    assert quiet.disturbance(calm, 0.25) == ""
    assert "frozen for 57.0 s" in quiet.disturbance({**calm, "paused_s": 57.0}, 0.25)
    both = quiet.disturbance({"other_load_cores": 0.5, "paused_s": 3.0}, 0.25)
    assert "0.50 cores" in both and "frozen for 3.0 s" in both
    old = {"runs": [{"tool": "dj_rules", "rep": 1, "wall_s": 247.1, "inner": {"process_s": 304.1}, "disturbed": False},
                    {"tool": "rules", "rep": 1, "wall_s": 105.6, "inner": {"process_s": 98.1}, "disturbed": False}]}
    quiet.infer_pauses(old)
    paused, fine = old["runs"]
    assert paused["disturbed"] and paused["paused_s"] == pytest.approx(57.0) and paused["paused_inferred"]
    assert not fine["disturbed"] and "paused_s" not in fine
    assert proctree.paused_cell(paused) == "≥ 57.0" and proctree.paused_cell(fine) == "–"
    line = proctree.disturbed_line([paused])
    assert "1 run(s) kept although disturbed" in line and "dj_rules rep 1 (≥ 57.0 s)" in line


def test_a_failing_chart_costs_only_itself(results, tmp_path):
    del results["scenarios"]["dedup"]["scaling"]["runs"][1]["wall_s"]  # a malformed run
    made = charts.render(results, tmp_path, tmp_path)
    failed = [c for c in made if "error" in c]
    assert [c["title"] for c in failed] == ["dedup scaling"] and "KeyError" in failed[0]["error"]
    assert {c["file"] for c in made if "file" in c} == {"throughput.png", "per_op.png", "memory_dedup.png"}
    assert "*dedup scaling*: not drawn (KeyError" in "\n".join(charts.markdown(made, results))


def test_render_cli_from_old_results(tmp_path):
    """`run.py --render` on results recorded before RSS series, dedup and parity existed (the
    tracked results.json, stripped of them should a later run have added them)."""
    src = tmp_path / "old.json"
    src.write_text(json.dumps(old_results()))
    md = tmp_path / "R.md"
    r = subprocess.run([sys.executable, str(BENCH / "run.py"), "--render", str(src),
                        "--results-md", str(md)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "## Charts" in md.read_text() and "## 11 filters" in md.read_text()
    assert_png(tmp_path / "charts" / "throughput.png")
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["per_op.png", "throughput.png"]


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    width, height = struct.unpack(">II", data[16:24])  # IHDR comes first
    assert data[12:16] == b"IHDR" and width > 300 and height > 200


# --------------------------------------------------------------------------- charts' data


def test_chart_data(results):
    f = results["scenarios"]["filters"]
    rates = dict((op, (sp, dj)) for op, sp, dj in charts.filter_op_rates(f))
    prof = {d["op"]: d for d in f["profile"]["per_op"]}
    assert rates["words_num_filter"][0] == pytest.approx(prof["words_num_filter"]["docs"] / prof["words_num_filter"]["s"])
    # Data-Juicer's second op sees what its first left
    dj = f["dj_per_op"]
    assert rates[dj[1]["op"]][1] == pytest.approx(dj[0]["left"] / dj[1]["s"])
    assert [charts.is_sparkops(t) for t in ("fused", "minhash_verified_t06", "floor", "dj", "datatrove_minhash")] \
        == [True, True, False, False, False]
    stages = charts.job_stage_rates(results["scenarios"]["job"])
    assert [s for s, _, _ in stages] == ["clean", "quality", "dedup"] and all(a and b for _, a, b in stages)
    dd = results["scenarios"]["dedup"]
    reps = charts.representative_runs(dd)
    assert reps["minhash"]["wall_s"] == 30.0 and reps["dj_minhash"]["wall_s"] == 60.0  # the median walls
    pts = charts.scaling_points(dd)
    lin, bound = charts.linear_bounds(pts, "wall_s")
    assert lin == pytest.approx([30.0, 60.0, 120.0]) and bound == pytest.approx([36.0, 72.0, 144.0])


# --------------------------------------------------------------------------- proctree


def test_downsample_keeps_peak_and_roles():
    series = [(i * 0.2, (i * 7919) % 1000 * 2**20, {"JVM": i * 2**20} if i % 2 else {"main process": 2**20})
              for i in range(5000)]
    d = proctree.downsample(series, points=600)
    assert len(d["t"]) == len(d["rss_mib"]) == 600
    assert max(d["rss_mib"]) == 999.0  # the run's peak survives
    assert d["t"] == sorted(d["t"])
    assert set(d["by_role_mib"]) == {"JVM", "main process"}
    assert all(len(v) == 600 for v in d["by_role_mib"].values())
    assert proctree.downsample([]) == {}
    assert len(proctree.downsample(series[:10])["t"]) == 10  # short runs are kept whole


def measured_in_child(cmd: list[str], **kwargs) -> dict:
    """proctree.run_measured(cmd, **kwargs).as_dict(), called in a fresh Python process: it counts
    every descendant of the process that calls it, and kills those left over after the command,
    so called here it would take the test session's Spark JVM for part of the run."""
    code = (f"import json, sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom bench.harness import proctree\n"
            f"print(json.dumps(proctree.run_measured({cmd!r}, **{kwargs!r}).as_dict()))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.splitlines()[-1])


def test_run_measured_records_series():
    code = "import time\nb = bytearray(60 * 2**20)\nfor i in range(0, len(b), 4096): b[i] = 1\ntime.sleep(0.4)"
    m = measured_in_child([sys.executable, "-c", code], interval=0.05)
    assert m["returncode"] == 0 and not m["killed_leftovers"]
    s = m["rss_series"]
    assert 0 < len(s["t"]) <= proctree.SERIES_POINTS and s["t"] == sorted(s["t"])
    assert max(s["rss_mib"]) == pytest.approx(m["peak_rss_bytes"] / 2**20, abs=0.1)
    assert max(s["by_role_mib"]["main process"]) >= 60
    assert 0 <= m["paused_s"] < proctree.PAUSE_LIMIT_S  # a run on a VM nobody froze


def test_run_measured_stdout_path(tmp_path):
    """With stdout_path, the command's stdout (a JSON result) is kept apart from its log."""
    code = "import sys\nprint('{\"a\": 1}')\nprint('progress', file=sys.stderr)"
    m = measured_in_child([sys.executable, "-c", code], log_path=str(tmp_path / "log"),
                          stdout_path=str(tmp_path / "out.json"), interval=0.05)
    assert m["returncode"] == 0
    assert json.loads((tmp_path / "out.json").read_text()) == {"a": 1}
    assert (tmp_path / "log").read_text() == "progress\n"


# --------------------------------------------------------------------------- job scenario


def run_document(gate_fails: bool = False) -> dict:
    """A `sparkops run --json` document, made by sparkops' own document builder."""
    from sparkops.jobs.run_document import document
    from sparkops.jobs.runner import RunResult, StageResult

    clean = StageResult("clean", 10, 10, 0, [("fix_unicode_mapper", 10, 10)], 2.5, gate="passed", suite="/s.json",
                        phases={"ops": 1.0, "gate": 1.0, "commits": 0.5}, op_errors=[0], op_seconds=[0.25],
                        table="/o/clean", table_version=0, rejected_table="/o/clean_rejected", rejected_version=0)
    quality = StageResult("quality", 10, 7, 3, [("alphanumeric_filter", 10, 8), ("document_deduplicator", 8, 7)],
                          3.25, gate="failed" if gate_fails else None, status="gate_failed" if gate_fails else "ran",
                          suite="/q.json" if gate_fails else None, op_errors=[1, 0], op_seconds=[0.5, None],
                          phases={"ops": 2.0, "gate": 1.25, "commits": 0.0})
    result = RunResult("20260101T000000-abcdef", "/o", input_rows=10, quarantined=2, stages=[clean, quality],
                       seconds=9.5, started=1.0e9, finished=1.0e9 + 10, input_read=True)
    class Spec:  # noqa: D401 - what document() reads of a JobSpec
        name, output_path = "e2e", "/o"
        input = type("Input", (), {"format": "jsonl", "path": "/in.jsonl"})
    error = ("gate_failed", "gate 'quality': 1 of 1 expectations failed\nstage 'quality' not published") \
        if gate_fails else None
    return document("job.yaml", Spec, result, error)


def test_read_run_json(tmp_path):
    """The job and recipe scenarios read `sparkops run --json`'s document into the shape the
    summary-table parser recorded (older results render alike), plus phases and op times."""
    path = tmp_path / "job.result.json"
    path.write_text(json.dumps(run_document()))
    inner = job_scenario.read_run_json(path)
    assert (inner["run_id"], inner["input_rows"], inner["quarantined"], inner["run_s"]) == \
        ("20260101T000000-abcdef", 10, 2, 9.5)
    clean, quality = inner["stages"]
    assert (clean["stage"], clean["note"], clean["rows_in"], clean["rows_out"], clean["s"]) == \
        ("clean", "gate passed", 10, 10, 2.5)
    assert quality["note"] is None and quality["phases"] == {"ops": 2.0, "gate": 1.25, "commits": 0.0}
    assert quality["ops"] == [
        {"op": "alphanumeric_filter", "rows_in": 10, "rows_out": 8, "dropped": 2, "errors": 1, "worker_s": 0.5},
        {"op": "document_deduplicator", "rows_in": 8, "rows_out": 7, "dropped": 1, "errors": 0, "worker_s": None}]
    rows = job_scenario.per_op_rows(inner, [{"op": "alphanumeric_filter", "left": 8, "s": 1.5}])
    assert rows[1] == {"stage": "quality", "op": "alphanumeric_filter", "rows_in": 10, "rows_out": 8, "dj_left": 8,
                       "dj_s": 1.5, "worker_s": 0.5}
    # a failed gate: no run time, the error as the failure message
    path.write_text(json.dumps(run_document(gate_fails=True)))
    failed = job_scenario.read_run_json(path)
    assert "run_s" not in failed and failed["stages"][1]["note"] == "gate failed"
    assert failed["gate_failure"].startswith("error: gate failed: gate 'quality': 1 of 1 expectations failed")
    # no document (the CLI crashed): no stages, no run time
    path.write_text("")
    assert job_scenario.read_run_json(path) == {"stages": []}


def test_per_op_table_from_json_runs(results):
    """The per-op table names its source: the summary table for runs recorded before --json (the
    tracked results render as before), the JSON document with the workers' op times after."""
    tracked = results["scenarios"]["job"]
    # both shapes from the tracked entry, whichever kind of run it records
    job = copy.deepcopy(tracked)
    for r in job["runs"]:
        (r.get("inner") or {}).pop("source", None)
    old = "\n".join(job_scenario.job_per_op_table(job))
    assert "sparkops from the summary table `sparkops run` prints" in old and "worker s" not in old
    job = copy.deepcopy(tracked)
    job["runs"][-1].setdefault("inner", {})["source"] = job_scenario.RUN_JSON
    job["per_op"][0]["worker_s"] = 12.34
    new = "\n".join(job_scenario.job_per_op_table(job))
    assert "its run's JSON document (`sparkops run --json`)" in new and "| sparkops worker s |" in new
    assert f"| `{job['per_op'][0]['op']}` |" in new and "| 12.3 |" in new


# --------------------------------------------------------------------------- dedup scenario


def test_published_recall_parser(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n\n| dedup only | wall s | docs/s | peak RAM | recall exact / ws_case / near_light / near_heavy |\n"
                      "|---|---|---|---|---|\n| Tool A | 67.7 | 879 | 2.3 GB | 1.00 / 0.58 / 0.77 / 0.27 |\n"
                      "| Tool B | 51.4 | 1158 | 3.4 GB | 0.99 / 0.10 / 0.84 / 0.58 |\n\nafter\n| x | y |\n")
    p = dedup_scenario.published_recall(readme)
    assert list(p["rows"]) == ["Tool A", "Tool B"]
    assert p["rows"]["Tool B"]["recall"] == {"exact": 0.99, "ws_case": 0.10, "near_light": 0.84, "near_heavy": 0.58}
    best = dedup_scenario.best_published(p)
    assert best["exact"] == (1.0, "Tool A") and best["near_heavy"] == (0.58, "Tool B")
    assert dedup_scenario.published_recall(tmp_path / "missing.md")["rows"] == {}


def test_build_scaled(tiny_corpus, tmp_path):
    paths = dedup_scenario.build_scaled(tiny_corpus, tmp_path, log=lambda m: None)
    src = tiny_corpus.read_text(encoding="utf-8").splitlines()
    for k, p in paths.items():
        lines = p.read_text(encoding="utf-8").splitlines()
        assert len(lines) == k * len(src)
        assert lines[:len(src)] == src  # the corpus first, unchanged
        recs = [json.loads(x) for x in lines[len(src):]]
        assert {r["dup_kind"] for r in recs} == {"scaling_replica"}
        assert recs[0]["id"] == json.loads(src[0])["id"] + "-r1" and recs[0]["dup_of"] == json.loads(src[0])["id"]
    # replicas are near-duplicates: a few words change, most documents differ somewhere
    orig = [json.loads(x)["text"] for x in src]
    rep = [json.loads(x)["text"] for x in paths[2].read_text(encoding="utf-8").splitlines()[len(src):]]
    changed = sum(a != b for a, b in zip(orig, rep))
    assert changed > len(src) // 2
    a, b = orig[0].split(), rep[0].split()
    assert abs(len(a) - len(b)) <= 0.05 * len(a) + 1
    # reused while the source is unchanged (same bytes, files not rewritten)
    mtimes = {k: p.stat().st_mtime_ns for k, p in paths.items()}
    again = dedup_scenario.build_scaled(tiny_corpus, tmp_path, log=lambda m: pytest.fail("rebuilt"))
    assert {k: p.stat().st_mtime_ns for k, p in again.items()} == mtimes


def test_dedup_quality_recall_and_precision(tiny_corpus):
    corpus = dedup_quality.Corpus(str(tiny_corpus))
    assert len(corpus) == 200
    kept = np.ones(len(corpus), dtype=bool)  # all kept: nothing resolved
    r = dedup_quality.recall(corpus, kept)
    assert r["dup_recall_by_kind"] == {"exact": 0.0, "near_heavy": 0.0, "near_light": 0.0, "ws_case": 0.0}
    assert r["dup_pairs"]["exact"]["pairs"] == 10
    # drop every exact and ws_case copy, and half of the near_light copies
    drop = [i for i, d in enumerate(corpus.ids) if d.startswith(("dup:exact", "dup:ws_case"))
            or d in {f"dup:near_light:{j}" for j in range(5)}]
    kept[drop] = False
    r = dedup_quality.recall(corpus, kept)
    assert r["dup_recall_by_kind"] == {"exact": 1.0, "near_heavy": 0.0, "near_light": 0.5, "ws_case": 1.0}
    assert r["dup_recall_all"] == pytest.approx(25 / 40)
    # an original dropped instead of its copy also resolves the pair
    kept2 = kept.copy()
    kept2[corpus.index["dup:near_heavy:0"]] = True
    kept2[corpus.index[corpus.dup_of[corpus.index["dup:near_heavy:0"]]]] = False
    assert dedup_quality.recall(corpus, kept2)["dup_pairs"]["near_heavy"]["one_kept"] == 1
    # the removed exact copies have their original kept: best kept J = 1, precision verified
    p = dedup_quality.precision(corpus, kept)
    assert p["removed"] == len(drop) and p["removed_injected"] == len(drop)
    assert p["verified_precision"] == 1.0 and p["distinct_removed"] == 0
    # removing a document that has no duplicate is a distinct document lost
    lonely = next(i for i, d in enumerate(corpus.ids)
                  if d.startswith("c4:") and d not in set(corpus.dup_of) and len(corpus.sets[i]) > 20)
    kept[lonely] = False
    p = dedup_quality.precision(corpus, kept)
    assert p["distinct_removed"] == 1 and p["distinct_removed_examples"][0]["id"] == corpus.ids[lonely]
    assert p["verified_precision"] == pytest.approx(len(drop) / (len(drop) + 1))


# --------------------------------------------------------------------------- parity


def test_parity_cases_cover_the_recipe():
    cs = parity.cases()
    from bench.runners import recipe

    assert [c["op"] for c in cs[:11]] == recipe.op_names()
    dj = parity.dj_cases(cs, Path("/wl"))
    assert dj[8]["params"]["stopwords_dir"] == "/wl" and "stopwords_dir" not in cs[8]["params"]


def test_parity_sparkops_side_and_compare(tiny_corpus):
    ids, texts = parity.read_docs(tiny_corpus, 60)
    cs = [c for c in parity.cases() if c["op"] in ("words_num_filter", "text_length_filter", "stopwords_filter")]
    ours = parity.sparkops_side(cs, texts, batch=25)
    wn = ours["words_num_filter"]
    assert len(wn["keep"]) == 60
    # the stat and the decision agree with the recipe's bound (min_num 10)
    assert all(k == (s["num_words"] >= 10) for s, k in zip(wn["stats"], wn["keep"]))
    assert all(s["text_len"] == len(t) for s, t in zip(ours["text_length_filter"]["stats"], texts))
    # a Data-Juicer side that agrees everywhere but on two documents, one per direction
    theirs = copy.deepcopy(wn)
    theirs["errors"] = {}
    kept_i = wn["keep"].index(True)
    theirs["keep"][kept_i] = False
    theirs["stats"][kept_i] = {"num_words": 3}
    theirs["keep"][5] = not wn["keep"][5]
    case = next(c for c in cs if c["id"] == "words_num_filter")
    row = parity.compare(case, ids, texts, wn, theirs)
    assert row["agree"] == 58 and row["dj_keeps_only"] + row["sparkops_keeps_only"] == 2
    assert row["sparkops_keeps_only"] >= 1 and row["stats_differ"] == 1
    assert row["agreement"] == pytest.approx(58 / 60)
    ex = {e["id"]: e for e in row["examples"]}
    assert ids[kept_i] in ex and ex[ids[kept_i]]["dj_stats"] == {"num_words": 3}
    assert "\n" not in ex[ids[kept_i]]["excerpt"] and len(ex[ids[kept_i]]["excerpt"]) <= parity.EXCERPT + 40
    same = parity.compare(case, ids, texts, wn, {**copy.deepcopy(wn), "errors": {"3": "ValueError: x"}})
    assert same["agree"] == 59 and same["compared"] == 59 and same["dj_errors"] == 1
    md = parity.lines({"docs": 60, "data_juicer": "1.6.1", "dj_wall_s": 1.0, "sparkops_wall_s": 1.0,
                       "tolerance": {"default": 1e-9, "lang_score": 1e-4}, "cases": [row, same]})
    text = "\n".join(md)
    assert "| `words_num_filter` | 60 | 58 |" in text and f"`{ids[kept_i]}`" in text
    assert "Data-Juicer raised `ValueError: x`" in text
    assert parity.lines({"error": "exit 1"})[-2].startswith("The parity pass failed")


# --------------------------------------------------------------------------- recipe scenarios


def test_recipe_scenarios_inputs(tmp_path):
    from bench.scenarios import recipes as rs
    import yaml

    from sparkops.jobs.spec import load

    assert rs.expand(["recipes", "rules"]) == ["rules", "ops21"]
    assert set(catalog.SCENARIOS) >= {"rules", "ops21"} and set(rs.DJ_TOOLS) <= set(runs.DJ_TOOLS)
    if not any(common.WORDLISTS.glob("*stopwords*.json")):
        pytest.skip(f"no word lists in {common.WORDLISTS} (make setup)")
    for name, n_ops in (("rules", 10), ("ops21", 21)):
        cli, dj = rs.SCENARIOS[name]
        paths = [rs.write_recipe(t, tmp_path / "c.jsonl", tmp_path / t, 2, common.WORDLISTS, tmp_path) for t in (cli, dj)]
        assert rs.recipe_diff(*paths) == ["export_path"]  # the very same recipe but for where it writes
        cfg = yaml.safe_load(paths[0].read_text())
        assert cfg["dataset_path"] == str(tmp_path / "c.jsonl") and cfg["export_path"].endswith("kept.jsonl")
        assert [op for op, _ in rs.entries(cfg)] == rs.op_names(name) and len(rs.op_names(name)) == n_ops
        # sparkops' own loader accepts the committed recipe, every op and parameter (no Spark)
        (tmp_path / "c.jsonl").write_text("")
        spec = load(paths[0])
        assert len(spec.stages) == 1 and len(spec.stages[0].ops) == n_ops
        if name == "ops21":
            params = dict(rs.entries(cfg))
            assert params["stopwords_filter"]["stopwords_dir"] == str(common.WORDLISTS)
            assert params["flagged_words_filter"]["flagged_words_dir"] == str(common.WORDLISTS)


def test_recipe_scenario_explanations():
    from bench.scenarios import recipes as rs

    params = rs.dedup_params("ops21")
    assert params["document_deduplicator"]["lowercase"] is False
    assert params["document_simhash_deduplicator"]["window_size"] == 6
    words = " ".join(f"w{i}" for i in range(40))
    dj = {"a": words, "b": words.replace(" w3 ", "  w3 "), "c": "other text " * 20}
    rejected = {"b": {"op": "document_deduplicator", "dup_of": "a", "jaccard": None, "hamming": None},
                "c": {"op": "stopwords_filter", "dup_of": None, "jaccard": None, "hamming": None}}
    causes = rs.explain_only_sparkops_removed(["b", "c"], rejected, dj, params)
    assert [k.split(":")[0] for k in causes] == ["document_deduplicator", "stopwords_filter"]
    assert "whitespace" in next(iter(causes)) and causes[next(iter(causes))] == ["b"]
    # only sparkops kept: an exact copy (Data-Juicer's key), a document with too few ' ' tokens
    sp = {"x": "Other Text " * 20, "y": "one\ntwo\nthree\nfour", "z": words}
    dj2 = {"k": "Other Text " * 20 + "  "}
    causes, detail = rs.explain_only_dj_removed(["x", "y"], sp, dj2, params)
    assert [v for v in causes.values()] == [["x"], ["y"]] and detail["y"] == {"space_tokens": 1}


# --------------------------------------------------------------------------- rulesets scenario


def test_rulesets_recipe_and_commands(tmp_path):
    import argparse

    from bench.runners import recipe

    assert recipe.rulesets_names() == ["gopher_repetition_filter", "gopher_quality_filter", "c4_quality_filter",
                                       "fineweb_quality_filter"]  # FineWeb's order
    assert set(recipe.RULESETS_DATATROVE) == set(recipe.rulesets_names())
    assert recipe.RULESETS[2] == {"c4_quality_filter": {"filter_no_terminal_punct": False}}
    assert all(not p for e in recipe.RULESETS if "c4_quality_filter" not in e for p in e.values())
    assert catalog.SCENARIOS["rulesets"] == ["fineweb_rules", "datatrove_rules"]
    assert ("fineweb_rules", "datatrove_rules") in catalog.PAIRS
    args = argparse.Namespace(master="local[2]", np=3, spark_conf=None, sink="parquet")
    cmd, env = catalog.tool_command("fineweb_rules", args, tmp_path / "c.jsonl", tmp_path / "o", tmp_path / "r.json")
    assert cmd[cmd.index("--mode") + 1] == "rulesets" and cmd[cmd.index("--sink") + 1] == "json"
    assert cmd[cmd.index("--out") + 1] == str(tmp_path / "o" / "data") and env["PYSPARK_PYTHON"]
    cmd, env = catalog.tool_command("datatrove_rules", args, tmp_path / "c.jsonl", tmp_path / "o", tmp_path / "r.json")
    assert cmd[0].endswith(".peers/datatrove/bin/python") and cmd[1].endswith("datatrove_rules_job.py")
    assert cmd[cmd.index("--tasks") + 1] == "3" and cmd[cmd.index("--workers") + 1] == "3"
    assert cmd[cmd.index("--removed") + 1] == str(tmp_path / "o" / "removed")
    assert env["HF_HUB_OFFLINE"] == "1" and "PYTHONPATH" not in env and "PYSPARK_PYTHON" not in env
    # datatrove counts as a peer: its startup is its import, its processing the rest
    rows = [fake_run("datatrove_rules", 1, 20.0, inner={"import_s": 1.5, "process_s": 17.0, "kept": 150})]
    s = summary.summarize(rows)["datatrove_rules"]
    assert s["startup_s"]["median"] == 1.5 and s["process_s"]["median"] == 17.0


@pytest.fixture(scope="module")
def c4_50(tmp_path_factory, c4_path) -> Path:
    """50 real web documents (C4 sample) in the benchmark corpus's format."""
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")][:50]
    # C4's own documents already pass C4's line rules: give every fifth one lines they drop
    texts = [f"Main menu\n{t}\n  Please enable JavaScript to view the comments.  " if i % 5 == 0 else t
             for i, t in enumerate(texts)]
    path = tmp_path_factory.mktemp("c4_50") / "corpus.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": f"c4:{i}", "source": "c4", "path": "web/c4_sample.jsonl",
                                        "dup_of": None, "dup_kind": None}, ensure_ascii=False) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    return path


def test_datatrove_rules_runner(c4_50, tmp_path):
    """bench/runners/datatrove_rules_job.py in the datatrove venv on 50 real documents: every document
    is kept or in exactly one filter's exclusion files (with datatrove's reason), the counts
    match datatrove's own statistics, and the kept texts are C4's rewrite (kept lines only)."""
    from bench.scenarios import rulesets as rs

    py = dedup_peers_python()
    if not py.is_file():
        pytest.skip(f"{py} missing (created by bench/run.py for the dedup or rulesets scenario)")
    out = tmp_path / "dt"
    cmd = rs.command("datatrove_rules", Path("unused"), c4_50, out, tmp_path / "r.json", "local[2]", 2)
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, env=dedup_peers.offline_env())
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "r.json").read_text())
    kept, removed = rs.read_kept(out / "data"), rs.read_removed(out / "removed")
    assert len(list((out / "data").glob("part-*.jsonl"))) == 2  # one per task
    assert res["kept"] == len(kept) and res["kept"] + sum(res["removed_by_filter"].values()) == 50
    assert set(kept).isdisjoint(removed) and len(kept) + len(removed) == 50
    assert res["removed_by_filter"] == {op: sum(1 for x in removed.values() if x["op"] == op)
                                        for op in res["removed_by_filter"]}
    assert all(x["reason"] for x in removed.values())  # every rule set names its reason
    # datatrove's own statistics agree with its exclusion files
    filters = [st for st in res["step_stats"] if "FILTER" in (st["name"] or "")]
    assert [st.get("dropped", 0) for st in filters] == [res["removed_by_filter"][op]
                                                         for op in rs.recipe.rulesets_names()]
    assert res["import_s"] > 0 and res["process_s"] >= res["split_s"]
    # C4's line filter kept only lines with >= 3 words, stripped: the kept text is rewritten
    orig = {json.loads(x)["id"]: json.loads(x)["text"] for x in c4_50.read_text(encoding="utf-8").splitlines()}
    assert all(len(line.split()) >= 3 and line == line.strip() for t in kept.values() for line in t.split("\n"))
    assert any(kept[i] != orig[i] for i in kept)
    assert not any("JavaScript" in t or "Main menu" in t for t in kept.values())
    line = json.loads((out / "data" / "part-00000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["metadata"]["source"] == "c4"  # the other input fields travel in metadata
    # the same answer against itself, and against a "sparkops" that differs on three documents
    same = rs.compare(kept, kept, None, None, removed)
    assert same["agreement"] == 1.0 and same["n_text_differs"] == 0 and same["analysis_matches_timed_run"] is None
    sp = dict(kept)
    gone, extra = sorted(kept)[0], sorted(removed)[0]
    del sp[gone]
    sp[extra] = orig[extra]
    sp[sorted(kept)[1]] += "!"
    c = rs.compare(sp, kept, None, None, removed)
    assert c["n_only_datatrove"] == 1 and c["n_only_sparkops"] == 1 and c["n_text_differs"] == 1
    assert next(iter(c["only_sparkops_causes"])) == f"{removed[extra]['op']} / {removed[extra]['reason']}"


def dedup_peers_python() -> Path:
    from bench.scenarios import rulesets as rs

    return dedup_peers.python(rs.PEER_VENV_TOOL)


def rulesets_inputs():
    """sparkops and datatrove answers on 12 documents (ids d0..d11), with known differences."""
    text = {f"d{i}": f"text {i}\nline two of {i}." for i in range(12)}
    sp_outcome = {"d0": "kept", "d1": "kept", "d2": "kept", "d3": "kept", "d4": "kept",
                  "d5": "gopher_repetition_filter", "d6": "gopher_quality_filter", "d7": "gopher_quality_filter",
                  "d8": "c4_quality_filter", "d9": "fineweb_quality_filter", "d10": "null_text", "d11": "kept"}
    sp_detail = {i: {"dropped_by": o, "stats": {"gopher_words": 7}} for i, o in sp_outcome.items() if o != "kept"}
    sp_kept = {i: text[i] for i, o in sp_outcome.items() if o == "kept"}
    sp_kept["d1"] = "text 1"  # C4 rewrote it differently
    dt_kept = {i: text[i] for i in ("d0", "d1", "d2", "d3", "d6")}  # d6: sparkops removed it, datatrove kept it
    dt_removed = {"d4": {"op": "c4_quality_filter", "reason": "too_few_sentences"},
                  "d5": {"op": "gopher_repetition_filter", "reason": "dup_line_frac"},
                  "d7": {"op": "gopher_quality_filter", "reason": "gopher_short_doc"},
                  "d8": {"op": "gopher_quality_filter", "reason": "gopher_enough_stop_words"},
                  "d9": {"op": "fineweb_quality_filter", "reason": "line_punct_ratio"},
                  "d11": {"op": "c4_quality_filter", "reason": "too_few_sentences"}}
    return sp_kept, dt_kept, sp_outcome, sp_detail, dt_removed  # d10: no text, datatrove never read it


def test_rulesets_compare_and_tables():
    from bench.scenarios import rulesets as rs

    sp_kept, dt_kept, sp_outcome, sp_detail, dt_removed = rulesets_inputs()
    c = rs.compare(sp_kept, dt_kept, sp_outcome, sp_detail, dt_removed)
    assert (c["both"], c["n_only_sparkops"], c["n_only_datatrove"]) == (4, 2, 1)
    assert c["agreement"] == pytest.approx(4 / 7) and c["docs_seen"] == 12
    assert c["only_sparkops_causes"] == {"c4_quality_filter / too_few_sentences": {"n": 2, "examples": ["d11", "d4"]}}
    assert c["only_datatrove_causes"] == {"gopher_quality_filter": {"n": 1, "examples": ["d6"]}}
    assert c["only_datatrove_examples"]["d6"]["stats"] == {"gopher_words": 7}
    assert c["n_text_identical"] == 3 and c["text_differs"] == ["d1"]
    assert c["text_differs_examples"][0]["offset"] == len("text 1")
    assert c["sparkops_removed_by_op"] == {"gopher_repetition_filter": 1, "gopher_quality_filter": 2,
                                           "c4_quality_filter": 1, "fineweb_quality_filter": 1, "null_text": 1}
    assert c["datatrove_removed_by_filter"] == {"c4_quality_filter": 2, "gopher_repetition_filter": 1,
                                                "gopher_quality_filter": 2, "fineweb_quality_filter": 1}
    m = {(a, b): n for a, b, n in c["matrix"]}
    assert m[("kept", "kept")] == 4 and m[("c4_quality_filter", "gopher_quality_filter")] == 1
    assert m[("null_text", rs.NOT_READ)] == 1 and m[("kept", "c4_quality_filter")] == 2
    assert c["analysis_matches_timed_run"] is True
    text = "\n".join(rs.compare_lines(c))
    assert "4 kept by both, 2 only by sparkops, 1 only by datatrove (agreement 57.14% of the 7 ids" in text
    assert "1 × `gopher_quality_filter` (e.g. `d6` (gopher_words 7))" in text
    assert "2 × `c4_quality_filter / too_few_sentences` (e.g. `d11`, `d4`)" in text
    assert "3 byte-identical, **1 differ**" in text and "`d1` at offset 6" in text
    table = "\n".join(rs.filter_tables(c))
    assert "| 2 | `gopher_quality_filter` | 2 | 2 | 0 | gopher_short_doc 1, gopher_enough_stop_words 1 |" in table
    assert "| 3 | `c4_quality_filter` | 1 | 2 | **-1** | too_few_sentences 2 |" in table
    assert "|  | `null_text` | 1 | 0 | **+1** |" in table and f"|  | `{rs.NOT_READ}` | 0 | 1 | **-1** |" in table
    assert "| | **total** | 6 | 7 | -1 | |" in table
    assert "| `kept` | **4** |" in table and f"`{rs.NOT_READ}`" in table
    # identical answers; no analysis pass
    same = rs.compare(dt_kept, dt_kept, None, None, dt_removed)
    lines = rs.compare_lines(same)
    assert "**identical id sets**" in lines[0] and "**byte-identical** in every one" in lines[1]
    assert "did not run" in lines[-1] and "| 1 | `gopher_repetition_filter` | – | 1 | – |" in "\n".join(
        rs.filter_tables(same))
    # a timed run and an analysis pass that disagree are flagged
    other = dict(sp_outcome, d0="fineweb_quality_filter")
    assert "another set of ids" in "\n".join(rs.compare_lines(rs.compare(sp_kept, dt_kept, other, {}, dt_removed)))


def test_rulesets_outputs_readers(tmp_path, monkeypatch):
    """Spark's and datatrove's output files, datatrove's exclusion files and the analysis Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from bench.scenarios import rulesets as rs

    spark = tmp_path / "sp" / "data"
    spark.mkdir(parents=True)
    (spark / "_SUCCESS").write_text("")
    (spark / ".part-00000-x.json.crc").write_text("junk")
    (spark / "part-00000-x.json").write_text('{"text":"a b c","id":"x1","source":"s"}\n{"text":"d","id":"x2"}\n')
    assert rs.read_kept(spark) == {"x1": "a b c", "x2": "d"}
    removed = tmp_path / "dt" / "removed"
    for op, rid, reason in (("c4_quality_filter", "x3", "curly_bracket"), ("gopher_quality_filter", "x4", None)):
        (removed / op).mkdir(parents=True)
        meta = {"source": "s", **({"filter_reason": reason} if reason else {})}
        (removed / op / "part-00001.jsonl").write_text(json.dumps({"text": "t", "id": rid, "metadata": meta}) + "\n")
    assert rs.read_removed(removed) == {"x3": {"op": "c4_quality_filter", "reason": "curly_bracket"},
                                        "x4": {"op": "gopher_quality_filter", "reason": None}}
    stats = pa.array([{"gopher_words": 10, "c4_sentences": None}, {"gopher_words": 3, "c4_sentences": None},
                      {"gopher_words": 80, "c4_sentences": 2}, {"gopher_words": None, "c4_sentences": None}],
                     pa.struct([("gopher_words", pa.int64()), ("c4_sentences", pa.int64())]))
    table = pa.table({"id": ["x1", "x4", "x3", "x5"], "_keep": [True, False, False, False],
                      "_dropped_by": [None, "gopher_quality_filter", "c4_quality_filter",
                                      "error:gopher_repetition_filter: ValueError: boom"], "stats": stats})
    folder = tmp_path / "analysis"
    folder.mkdir()
    pq.write_table(table, folder / "part-00000.parquet")
    monkeypatch.setattr(rs, "op_stat_keys", {"gopher_quality_filter": ["gopher_words"],
                                             "c4_quality_filter": ["c4_sentences"]}.get)
    outcome, detail = rs.read_analysis(folder)
    assert outcome == {"x1": "kept", "x4": "gopher_quality_filter", "x3": "c4_quality_filter",
                       "x5": "error:gopher_repetition_filter"}
    assert detail["x4"] == {"dropped_by": "gopher_quality_filter", "stats": {"gopher_words": 3}}
    assert detail["x3"]["stats"] == {"c4_sentences": 2}
    assert detail["x5"] == {"dropped_by": "error:gopher_repetition_filter: ValueError: boom"}


def test_rulesets_report(tmp_path):
    """The scenario's section: ratios, the same-answer part, per-filter tables, interpretation;
    saved next to another scenario's results."""
    from bench.scenarios import rulesets as rs

    dt_inner = lambda w: {"import_s": 1.2, "process_s": w - 2, "split_s": 0.1, "pipeline_s": w - 2.1,  # noqa: E731
                          "kept": 150, "step_stats": [{"name": n, "time_s": 1.0} for n in range(6)]}
    rows = []
    for rep, (a, b) in enumerate(((20.0, 60.0), (22.0, 58.0), (21.0, 65.0)), 1):
        rows.append(fake_run("fineweb_rules", rep, a))
        rows.append(fake_run("datatrove_rules", rep, b, inner=dt_inner(b)))
    res = scenario("rulesets", ["fineweb_rules"], {"fineweb_rules": [1.0] * 3})  # runs replaced below
    res.update(runs=rows, all_runs=[runs.slim_run(r) for r in rows], summary=summary.summarize(rows),
               paired_ratios=summary.paired_ratios(rows, 3))
    res["machine"] = {**res["machine"], "dj_venv": {}}  # a machine without Data-Juicer's venv
    c = rs.compare(*rulesets_inputs())
    res.update(verification={"lines": rs.compare_lines(c), "compare": c}, ratios=rs.ratios(res["summary"]),
               peer_versions={"datatrove_rules": {"python": "3.11.2", "datatrove": "0.10.1", "spacy": "3.8.18"}},
               datatrove_steps=rows[-1]["inner"]["step_stats"], recipe=rs.recipe.RULESETS)
    assert res["paired_ratios"]["fineweb_rules vs datatrove_rules"] == pytest.approx([3.0, 58 / 22, 65 / 21])
    assert res["ratios"]["sparkops vs datatrove (docs/s, whole process)"] == pytest.approx(60 / 21)
    assert res["ratios"]["sparkops vs datatrove (docs/s, processing only)"] == pytest.approx(58 / 11)
    js, md = tmp_path / "results.json", tmp_path / "RESULTS.md"
    results_file.save_results({"rulesets": res}, js, md)
    text = md.read_text()
    assert "## FineWeb rule sets: sparkops fused pass vs datatrove" in text
    assert "- datatrove venv (`.peers/datatrove`): Python 3.11.2, datatrove 0.10.1, spacy 3.8.18" in text
    assert "Data-Juicer venv" not in text and "datatrove `tasks=2`, `workers=2`" in text
    assert "sparkops vs datatrove (docs/s, whole process): **2.86x**" in text
    assert "fineweb_rules vs datatrove_rules, paired within each repetition" in text
    assert "### Removed per filter" in text and "| sparkops \\ datatrove |" in text
    assert "`c4_quality_filter` 1.0 s" in text and "| 3 | `c4_quality_filter` | `C4QualityFilter` |" in text
    assert "- Speed: sparkops 2.86x datatrove's docs/s" in text and "- Same answer: 57.14%" in text
    assert "different at `c4_quality_filter` (1 vs 2)" in text
    saved = json.loads(js.read_text())["scenarios"]["rulesets"]
    assert saved["summary"]["datatrove_rules"]["startup_s"]["median"] == 1.2
    assert_png(tmp_path / "charts" / "memory_rulesets.png")


@pytest.mark.parametrize("name, module", [("quality", "quality_eval"), ("perplexity", "perplexity_eval"),
                                          ("toxicity", "toxicity_eval")])
def test_a_recorded_evaluation_renders_its_numbers(name, module):
    """The committed record of each model evaluation renders a RESULTS.md section that carries its
    date and its AUCs (what a reader quotes), not a template."""
    import importlib

    record = json.loads((Path(__file__).resolve().parents[1] / f"results_{name}.json").read_text(encoding="utf-8"))
    text = "\n".join(importlib.import_module(f"bench.{module}").section(record))
    assert text.startswith("## ") and record["date"] in text
    aucs = [h["auc"] for h in record["held_out"].values()] if name != "toxicity" else [record["held_out"]["auc"]]
    assert all(f"{a:.3f}" in text for a in aucs)


def test_kernel_profile_times_every_operator(tmp_path):
    """bench/runners/profile_ops.py times each op of the filters recipe; a change to the ops'
    call signature once made every document an error and the profile all zeros."""
    out = tmp_path / "profile.json"
    r = subprocess.run([sys.executable, str(BENCH / "runners" / "profile_ops.py"), "--corpus",
                        str(ROOT / "data" / "c4_sample.jsonl"), "--result", str(out), "--docs", "100"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    prof = json.loads(out.read_text())
    assert prof["per_op"][0]["docs"] == 100 and all(d["s"] > 0 for d in prof["per_op"] if d["docs"])
    assert 0 < prof["kept"] < 100


def test_the_job_floor_is_reported_beside_the_job():
    """The job scenario's floor run (Spark reading and writing the job's tables) gets its own row
    and a line saying how much of the job it is."""
    res = scenario("job", ["job", "dj_job", "job_floor"],
                   {"job": [50.0, 52.0, 54.0], "dj_job": [150.0, 160.0, 170.0], "job_floor": [20.0, 22.0, 21.0]})
    for row in res["runs"]:  # `sparkops run --json` reports its own run time
        if row["tool"] == "job":
            row["inner"]["run_s"] = row["wall_s"] - 10
    res["summary"] = summary.summarize(res["runs"])
    res.update(ratios=job_scenario.job_ratios(res["summary"]), stages=None, per_op=None)
    lines = job_scenario.interpret_job(res)
    floor = next(line for line in lines if "**The floor**" in line)
    # fake_run: processing = wall - 10; medians 21 s (floor) and 52 s (job)
    assert "21.0 s whole process, 11.0 s of processing" in floor
    assert "add 31.0 s of processing" in floor and "(40% of the job's whole process" in floor
    table = "\n".join(job_scenario.job_section({**res, "interpretation": lines}))
    assert job_scenario.TOOLS["job_floor"] in table
