"""End-to-end jobs on real data: input quarantine, Delta per stage, rejected rows, resume."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from delta.tables import DeltaTable

from sparkops.jobs import reader
from sparkops.jobs.runner import committed_hash, run
from sparkops.jobs.spec import InputSpec, load
from sparkops.core import bind

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def c4_lines(c4_path):
    return c4_path.read_bytes().splitlines()


@pytest.fixture(scope="module")
def bad_input(tmp_path_factory, c4_lines):
    """The peers' failure cases (../shared/bench/gen_bad_inputs.py) around real C4 documents."""
    folder = tmp_path_factory.mktemp("bad")
    good = c4_lines[:20]
    bad = [
        b'{"text": null, "id": "null"}',
        b'{"id": "missing"}',
        b'{"text": 12345}',
        b'{"text": ["a", "b"]}',
        '{"text": "caf\u00e9 latin-1"}'.encode("latin-1"),
        b'{"text": "lone \\ud800 surrogate"}',
        b'{"text": "truncated rec',
        b'["not", "an", "object"]',
    ]
    lines = good[:10] + bad + [b"", b"   "] + good[10:] + [b'{"text": "", "id": "empty"}']
    path = folder / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines))  # no final newline: the last record must survive too
    return path, len(good) + 1, len(bad)


def test_reader_keeps_every_good_record_and_quarantines_each_bad_one(spark, bad_input):
    path, n_good, n_bad = bad_input
    rows = reader.read(spark, InputSpec("jsonl", str(path))).collect()
    good = [r for r in rows if r._reason is None]
    bad = sorted((r._line, r._reason) for r in rows if r._reason is not None)
    assert len(good) == n_good and len(bad) == n_bad
    assert bad == [
        (11, "text is null"), (12, "missing text field 'text'"), (13, "text is int, not a string"),
        (14, "text is list, not a string"), (15, "invalid UTF-8: byte 0xe9 at offset 13"),
        (16, "text holds an unpaired surrogate U+D800 at offset 5"),
        (17, "invalid JSON: Unterminated string starting at (column 10)"),
        (18, "not a JSON object (list)"),
    ]
    assert all(r._source == str(path) for r in rows)
    assert {r._line for r in good} == set(range(1, 11)) | set(range(21, 32))
    # the record keeps every field in its place, the text only in `text`
    lines = path.read_bytes().split(b"\n")
    for r in good:
        original, record = json.loads(lines[r._line - 1]), json.loads(r._record)
        assert list(record) == list(original) and r.text == original["text"]
        assert record == {**original, "text": None}


@pytest.mark.parametrize("on_driver", [True, False], ids=["counted-on-the-driver", "counted-in-tasks"])
def test_splits_of_a_large_file_number_lines_exactly(spark, tmp_path, c4_lines, monkeypatch, on_driver):
    path = tmp_path / "big.jsonl"
    lines = c4_lines * 3 + [b'{"broken": ']
    path.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(reader, "SPLIT_BYTES", 100_000)  # ~20 splits, most boundaries mid-line
    # a local master counts the splits' line breaks on the driver; a cluster in Spark tasks
    monkeypatch.setattr(reader, "_count_on_driver", lambda _spark: on_driver)
    rows = reader.read(spark, InputSpec("jsonl", str(path))).select("_line", "_reason", "text").collect()
    assert sorted(r._line for r in rows) == list(range(1, len(lines) + 1))
    assert [r._line for r in rows if r._reason] == [len(lines)]
    texts = {r._line: r.text for r in rows}
    assert texts[301] == json.loads(c4_lines[0])["text"]


def test_each_split_is_a_task_of_its_own(spark, tmp_path, c4_lines, monkeypatch):
    # 8 splits on 2 cores must be 8 tasks of one split each, not 4 of two (a round-robin
    # repartition of 8 rows does that): half the tasks would make a core wait at the end
    from pyspark.sql import functions as F

    path = tmp_path / "eight.jsonl"
    path.write_bytes(b"\n".join(c4_lines * 8) + b"\n")
    monkeypatch.setattr(reader, "SPLIT_BYTES", -(-path.stat().st_size // 8))
    monkeypatch.setattr(reader, "MIN_SPLIT_BYTES", 1)
    df = reader.read(spark, InputSpec("jsonl", str(path)))
    assert df.rdd.getNumPartitions() == 8
    firsts = df.groupBy(F.spark_partition_id().alias("p")).agg(F.min("_line").alias("first")).collect()
    assert len(firsts) == 8  # every task read rows, and each its own split
    assert sorted(r.first for r in firsts)[0] == 1


def test_gzip_and_text_inputs(spark, tmp_path, c4_lines, shared_data):
    import gzip

    gz = tmp_path / "part.jsonl.gz"
    gz.write_bytes(gzip.compress(b"\n".join(c4_lines[:50])))
    assert reader.read(spark, InputSpec("jsonl", str(tmp_path / "*.jsonl.gz"))).count() == 50
    wiki = reader.read(spark, InputSpec("text", str(shared_data / "web" / "wiki_sample.txt")))
    assert wiki.where("_reason IS NULL").count() == 30


def job(tmp_path, body: str):
    path = tmp_path / "job.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load(path)


SPEC = """
    name: e2e
    input: {{format: jsonl, path: {input}}}
    output: {{path: out}}
    stages:
      - name: clean
        process:
          - fix_unicode_mapper:
          - clean_email_mapper: {{repl: "<EMAIL>"}}
      - name: quality
        process:
          - language_id_score_filter: {{lang: en, min_score: 0.8}}
          - alphanumeric_filter: {{min_ratio: {alnum}}}
          - text_length_filter: {{min_len: 100}}
"""


def test_multi_stage_job_writes_gated_free_delta_tables_and_resumes(spark, tmp_path, bad_input):
    input_path, n_good, n_bad = bad_input
    messages = []
    spec = job(tmp_path, SPEC.format(input=input_path, alnum=0.7))
    first = run(spark, spec, say=messages.append)
    out = tmp_path / "out"
    clean = spark.read.format("delta").load(str(out / "clean"))
    quality = spark.read.format("delta").load(str(out / "quality"))
    rejected = spark.read.format("delta").load(str(out / "quality_rejected"))
    quarantine = spark.read.format("delta").load(str(out / "_quarantine"))
    assert first.input_rows == n_good and first.quarantined == n_bad == quarantine.count()
    assert clean.count() == n_good  # mappers drop nothing
    # the first stage (mappers only) read the input itself: its bad records are in the
    # quarantine, not among the stage's rows or rejected rows, and no reader column is kept
    clean_rejected = spark.read.format("delta").load(str(out / "clean_rejected"))
    assert clean_rejected.count() == 0 and first.stages[0].rows_in == n_good
    assert not {"_reason", "_raw", "_skipped"} & (set(clean.columns) | set(clean_rejected.columns))
    assert quality.count() + rejected.count() == n_good  # every row is somewhere
    assert rejected.where("_dropped_by IS NULL").count() == 0
    assert {r._dropped_by for r in rejected.collect()} <= {"language_id_score_filter", "alphanumeric_filter",
                                                          "text_length_filter"}
    assert quality.where("stats.alnum_ratio < 0.7 OR stats.lang != 'en'").count() == 0
    meta = json.loads(DeltaTable.forPath(spark, str(out / "quality")).history(1).first().userMetadata)
    assert meta["rows_out"] == quality.count() and meta["run_id"] == first.run_id
    assert [s.per_op[-1][2] for s in first.stages] == [clean.count(), quality.count()]

    # same spec again: nothing recomputed
    again = run(spark, spec, say=messages.append)
    assert all(s.reused for s in again.stages)
    assert DeltaTable.forPath(spark, str(out / "quality")).history().count() == 1

    # a changed quality stage recomputes it, and only it
    changed = job(tmp_path, SPEC.format(input=input_path, alnum=0.8))
    third = run(spark, changed, say=messages.append)
    assert [s.reused for s in third.stages] == [True, False]
    assert committed_hash(spark, out / "quality") == changed.stage_hashes()[1]
    assert spark.read.format("delta").load(str(out / "quality")).where("stats.alnum_ratio < 0.8").count() == 0

    fresh = run(spark, changed, fresh=True, say=messages.append)
    assert not any(s.reused for s in fresh.stages)


def test_exact_dedup_stage_keeps_the_first_copy_and_names_it(spark, tmp_path, c4_lines):
    docs = [json.loads(line) for line in c4_lines[:30]]
    copies = [dict(docs[3]), {"text": docs[5]["text"].replace("\n", "\n\n").replace(" ", "  ")}, dict(docs[3])]
    path = tmp_path / "dups.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs + copies) + "\n", encoding="utf-8")
    spec = job(tmp_path, f"""
        name: dedup
        input: {{format: jsonl, path: {path}}}
        output: {{path: out}}
        stages:
          - name: dedup
            process:
              - text_length_filter: {{min_len: 1}}
              - document_deduplicator:
              - alphanumeric_filter: {{min_ratio: 0.1}}
    """)
    run(spark, spec, say=lambda m: None)
    kept = spark.read.format("delta").load(str(tmp_path / "out" / "dedup"))
    rejected = spark.read.format("delta").load(str(tmp_path / "out" / "dedup_rejected"))
    removed = sorted((r._line, r._duplicate_of.rsplit(":", 1)[1]) for r in
                     rejected.where("_dropped_by = 'document_deduplicator'").collect())
    assert removed == [(31, "4"), (32, "6"), (33, "4")]  # whitespace changes do not hide a copy
    assert kept.count() + rejected.count() == 33
    assert kept.select("text").distinct().count() == kept.count()
    assert {"text_len", "alnum_ratio"} <= set(kept.schema["stats"].dataType.fieldNames())


def test_the_same_run_under_spark_submit(spark, tmp_path, c4_lines):
    """spark-submit --master local[2] sparkops/submit.py run SPEC: a separate driver JVM."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sparkops.spark.conf import ivy_dir

    root = Path(__file__).resolve().parents[1]
    data = tmp_path / "in.jsonl"
    data.write_bytes(b"\n".join(c4_lines[:40]) + b"\n")
    spec = tmp_path / "job.yaml"
    spec.write_text(SPEC.format(input=data, alnum=0.7), encoding="utf-8")
    jars = (ivy_dir() / "sparkops-resolved.txt").read_text().splitlines()[1:]  # resolved by the session
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("spark-submit")), "--master", "local[2]", "--jars", ",".join(jars),
         "--conf", "spark.ui.enabled=false", str(root / "sparkops" / "submit.py"), "run", str(spec)],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "stage 'quality'" in done.stdout and "rows in" in done.stdout
    quality = spark.read.format("delta").load(str(tmp_path / "out" / "quality"))
    assert 0 < quality.count() <= 40
    meta = json.loads(DeltaTable.forPath(spark, str(tmp_path / "out" / "quality")).history(1).first().userMetadata)
    assert meta["rows_in"] == 40


def _gated_job(tmp_path, lines) -> Path:
    """A two-stage job whose first stage's gate fails (mean alnum_ratio >= 0.99 on real text)."""
    data = tmp_path / "in.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n")
    suite = tmp_path / "strict.json"
    suite.write_text(json.dumps({"name": "strict", "expectations": [
        {"type": "expect_column_mean_to_be_between",
         "kwargs": {"column": "stats.alnum_ratio", "min_value": 0.99, "max_value": 1.0}}]}))
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: gated
        input: {{format: jsonl, path: {data}}}
        output: {{path: out}}
        stages:
          - name: quality
            process: [alphanumeric_filter: {{min_ratio: 0.5}}]
            expect: {suite}
          - name: after
            process: [text_length_filter: {{min_len: 1}}]
    """), encoding="utf-8")
    return spec


def test_a_failing_gate_publishes_nothing_downstream_and_reports(spark, tmp_path, c4_lines):
    from sparkops.cli import main

    spec = _gated_job(tmp_path, c4_lines[:60])
    out = tmp_path / "out"
    assert main(["run", str(spec)]) == 1
    assert not (out / "quality" / "_delta_log").exists()  # readers never see the failing data
    assert not (out / "quality_rejected").exists() and not (out / "after").exists()
    held = list((out / "_gate_failed" / "quality").iterdir())
    assert len(held) == 1 and spark.read.format("delta").load(str(held[0])).count() > 0
    reports = list((out / "_reports").glob("*/quality/report.md"))
    assert reports and "expect_column_mean_to_be_between" in reports[0].read_text()
    assert "0.99" in reports[0].read_text()


def test_sigkill_mid_stage_then_rerun_equals_an_uninterrupted_run(spark, tmp_path, c4_lines):
    import os
    import signal
    import subprocess
    import sys

    data = tmp_path / "in.jsonl"
    data.write_bytes(b"\n".join(c4_lines) + b"\n")
    body = SPEC.format(input=data, alnum=0.7)
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    for d in (killed_dir, clean_dir):
        d.mkdir()
        (d / "job.yaml").write_text(textwrap.dedent(body), encoding="utf-8")

    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARKOPS_MASTER": "local[2]"}
    cmd = [sys.executable, "-m", "sparkops.cli", "run", str(killed_dir / "job.yaml")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)
    for line in proc.stdout:  # kill the whole tree (driver, JVM, workers) once 'quality' is running
        if "stage 'quality':" in line and "running" in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert (killed_dir / "out" / "clean" / "_delta_log").is_dir()  # the first stage had committed

    rerun = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "stage 'clean': unchanged since its last commit, reused" in rerun.stdout

    run(spark, load(clean_dir / "job.yaml"), say=lambda m: None)  # the uninterrupted reference
    for table in ("clean", "quality", "quality_rejected", "_quarantine"):
        a = spark.read.format("delta").load(str(killed_dir / "out" / table)).drop("run_id")
        b = spark.read.format("delta").load(str(clean_dir / "out" / table)).drop("run_id")
        assert a.count() == b.count() and a.exceptAll(b).count() == 0 and b.exceptAll(a).count() == 0, table


def test_a_data_juicer_recipe_runs_and_exports_jsonl_in_input_order(spark, tmp_path, c4_lines):
    data = tmp_path / "in.jsonl"
    records = [dict(json.loads(line), id=i) for i, line in enumerate(c4_lines[:80])]
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(textwrap.dedent(f"""
        project_name: dj
        dataset_path: {data}
        export_path: {tmp_path}/outputs/processed.jsonl
        np: 4
        text_keys: text
        process:
          - whitespace_normalization_mapper:
          - alphanumeric_filter: {{min_ratio: 0.78}}
          - document_deduplicator:
    """), encoding="utf-8")
    result = run(spark, load(recipe), say=lambda m: None)
    exported = [json.loads(x) for x in (tmp_path / "outputs" / "processed.jsonl").read_text().splitlines()]
    assert result.export and 0 < len(exported) < 80
    assert [r["id"] for r in exported] == sorted(r["id"] for r in exported)  # input order, original fields
    by_id = {r["id"]: r for r in records}
    assert all(set(r) == set(by_id[r["id"]]) for r in exported)
    normalize = bind("whitespace_normalization_mapper")
    assert all(r["text"] == normalize.apply([by_id[r["id"]]["text"]])[0] for r in exported)  # mapped text


def test_run_json_is_one_document_whose_counts_are_the_delta_tables(spark, tmp_path, bad_input):
    """`sparkops run SPEC --json` in its own process (its own JVM): stdout is exactly one JSON
    document, the progress went to stderr, and every count in the document is what the Delta
    tables hold."""
    import os
    import subprocess
    import sys

    input_path, n_good, n_bad = bad_input
    suite = tmp_path / "lenient.json"
    suite.write_text(json.dumps({"name": "lenient", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "text"}}]}))
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(SPEC.format(input=input_path, alnum=0.7)) + f"    expect: {suite}\n",
                    encoding="utf-8")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run([sys.executable, "-m", "sparkops.cli", "run", str(spec), "--json", "--master", "local[2]",
                           "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=4"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(done.stdout)  # nothing else on stdout
    assert "[sparkops] stage 'quality'" in done.stderr and "rows in" in done.stderr  # progress and summary
    out = tmp_path / "out"
    assert (doc["status"], doc["error"], doc["job"], doc["spec"]) == ("ok", None, "e2e", str(spec))
    assert doc["output"] == str(out) and doc["export"] is None and doc["seconds"] > 0
    assert doc["started"] < doc["finished"]
    assert doc["input"] == {"format": "jsonl", "path": str(input_path), "read": True}
    quarantine = spark.read.format("delta").load(doc["quarantine"]["path"])
    assert doc["input_rows"] == n_good and doc["quarantine"]["rows"] == n_bad == quarantine.count()
    assert [s["name"] for s in doc["stages"]] == ["clean", "quality"]
    for st in doc["stages"]:
        kept = spark.read.format("delta").load(st["table"]["path"])
        rejected = spark.read.format("delta").load(st["rejected_table"]["path"])
        history = DeltaTable.forPath(spark, st["table"]["path"]).history(1).first()
        assert st["status"] == "ran" and st["table"]["version"] == history.version == 0
        assert st["rejected_table"]["version"] == 0
        assert json.loads(history.userMetadata)["run_id"] == doc["run_id"]
        assert (st["rows_in"], st["rows_out"], st["rejected"]) == (n_good, kept.count(), rejected.count())
        assert st["rows_out"] + st["rejected"] == st["rows_in"]
        assert st["seconds"] >= sum(st["phases"].values()) - 0.01 and set(st["phases"]) == {"ops", "gate", "commits"}
        by_op = {r._dropped_by: r["count"] for r in rejected.groupBy("_dropped_by").count().collect()}
        rows = st["rows_in"]
        for op in st["ops"]:  # each op sees what the one before it left
            assert op["rows_in"] == rows and op["rows_out"] == rows - op["dropped"]
            assert op["dropped"] == by_op.get(op["name"], 0) and op["errors"] == 0
            assert op["worker_seconds"] is not None and op["worker_seconds"] >= 0
            rows = op["rows_out"]
        assert rows == st["rows_out"]
    clean, quality = doc["stages"]
    assert clean["gate"] is None and [op["name"] for op in clean["ops"]] == ["fix_unicode_mapper", "clean_email_mapper"]
    assert quality["gate"]["suite"] == str(suite) and quality["gate"]["result"] == "passed"
    assert "expect_column_values_to_not_be_null" in open(quality["gate"]["report"], encoding="utf-8").read()
    assert quality["rejected"] > 0 and quality["ops"][0]["worker_seconds"] > 0  # fastText on 21 documents


def test_run_json_reports_a_failing_gate_and_a_spec_error(spark, tmp_path, c4_lines, capfd):
    from sparkops.cli import main

    spec = _gated_job(tmp_path, c4_lines[:40])
    capfd.readouterr()
    assert main(["run", str(spec), "--json"]) == 1  # the exit code of a failing gate, as without --json
    captured = capfd.readouterr()
    doc = json.loads(captured.out)
    assert "error: gate failed" in captured.err
    assert doc["status"] == "failed" and doc["error"]["kind"] == "gate_failed"
    assert "expect_column_mean_to_be_between" in doc["error"]["message"]
    (st,) = doc["stages"]  # the stage after it never ran
    assert st["name"] == "quality" and st["status"] == "gate_failed" and st["gate"]["result"] == "failed"
    assert st["table"]["version"] is None and st["rejected_table"]["version"] is None
    assert not (tmp_path / "out" / "quality" / "_delta_log").exists()
    held = spark.read.format("delta").load(st["held"])
    assert held.count() == st["rows_out"] and st["rows_in"] == 40 == doc["input_rows"]
    assert st["ops"] == [{"name": "alphanumeric_filter", "rows_in": 40, "rows_out": st["rows_out"],
                          "dropped": st["rejected"], "errors": 0, "worker_seconds": st["ops"][0]["worker_seconds"]}]
    assert st["gate"]["report"].endswith("report.md") and Path(st["gate"]["report"]).is_file()

    assert main(["run", str(tmp_path / "missing.yaml"), "--json"]) == 2
    doc = json.loads(capfd.readouterr().out)
    assert doc["status"] == "failed" and doc["error"]["kind"] == "spec" and "no such file" in doc["error"]["message"]
    assert doc["job"] is None and doc["stages"] == [] and doc["input_rows"] is None
