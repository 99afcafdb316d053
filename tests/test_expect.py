"""The quality gate: shipped GX suites on real C4 text through GX's Spark engine, failure reports, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark import StorageLevel
from pyspark.sql import functions as F

import sparkops
from sparkops.gate import GateResult, SuiteError, load_suite, validate

pytestmark = pytest.mark.spark

EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"

# the quality stage the shipped web_quality suite is written for
QUALITY_RECIPE = [
    {"language_id_score_filter": {"lang": "en", "min_score": 0.8}},
    {"alphanumeric_filter": {"min_ratio": 0.25}},
    {"special_characters_filter": {"max_ratio": 0.25}},
    {"character_repetition_filter": {"max_ratio": 0.5}},
    {"word_repetition_filter": {"max_ratio": 0.5}},
    {"text_length_filter": {"min_len": 100}},
]
# the clean stage of jobs/web_refine.yaml
CLEAN_RECIPE = ["fix_unicode_mapper", "punctuation_normalization_mapper", "whitespace_normalization_mapper",
                "clean_email_mapper", "clean_links_mapper", "clean_ip_mapper", "remove_repeat_sentences_mapper"]


@pytest.fixture(scope="module")
def c4(spark, c4_path):
    """The 300 real C4 documents with the job runner's position columns (_source, _line)."""
    df = (spark.read.json(str(c4_path)).coalesce(1)
          .withColumn("_source", F.lit("c4_sample.jsonl"))
          .withColumn("_line", F.monotonically_increasing_id() + 1))
    df = df.persist(StorageLevel.MEMORY_AND_DISK)
    assert df.count() == 300
    yield df
    df.unpersist()


@pytest.fixture(scope="module")
def quality(c4):
    """The quality stage's output: the kept rows with their `stats` struct."""
    out = sparkops.apply(c4, QUALITY_RECIPE).persist(StorageLevel.MEMORY_AND_DISK)
    yield out
    out.unpersist()


def _suite_json(name: str) -> dict:
    return json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _persistent_rdds(spark) -> int:
    return spark.sparkContext._jsc.getPersistentRDDs().size()


# --------------------------------------------------------------------------- shipped suites pass


def test_shipped_quality_suite_passes_on_the_quality_stage(spark, quality, tmp_path):
    kept = quality.count()
    assert 0 < kept < 300  # the filters did drop documents: the suite checks real filter output
    cached_before = _persistent_rdds(spark)
    result = validate(quality, load_suite(EXPECTATIONS / "web_quality.json"), stage="quality",
                      report_dir=tmp_path / "report")
    assert isinstance(result, GateResult)
    assert result.success, result.summary()
    assert result.failures == [] and result.warnings == [] and result.skipped == []
    assert result.row_count == kept
    assert all(r["status"] == "passed" for r in result.results)
    assert len(result.results) == len(_suite_json("web_quality")["expectations"])
    # observed values are the data's, computed by GX on Spark
    mean = quality.select(F.mean("stats.alnum_ratio")).first()[0]
    by_type = {r["type"]: r for r in result.results}
    assert by_type["expect_column_mean_to_be_between"]["observed_value"] == pytest.approx(mean)
    assert by_type["expect_table_row_count_to_be_between"]["observed_value"] == kept
    lang = by_type["expect_column_values_to_be_in_set"]
    assert lang["column"] == "stats.lang" and lang["unexpected_count"] == 0 and lang["element_count"] == kept
    # the report is written and the flat copy GX validated is no longer cached
    assert result.report_path == tmp_path / "report" / "report.md"
    assert "Gate 'quality': PASSED" in result.report_path.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "report" / "report.json").read_text())["success"] is True
    assert (tmp_path / "report" / "gx_validation_result.json").is_file()
    assert _persistent_rdds(spark) == cached_before
    assert result.summary().startswith(f"gate 'quality': all {len(result.results)} expectations passed")


def test_a_flattened_view_validates_like_the_struct(quality, tmp_path):
    suite = load_suite(EXPECTATIONS / "web_quality.json")
    stats = [f.name for f in quality.schema["stats"].dataType.fields]
    double_underscore = quality.select("text", *[F.col(f"stats.{s}").alias(f"stats__{s}") for s in stats])
    promoted = quality.select("text", "stats.*")
    for view in (double_underscore, promoted):
        result = validate(view, suite, stage="quality")
        assert result.success, result.summary()
        assert result.report_path is None  # no report_dir, no files


def test_web_clean_passes_on_the_clean_stage_and_catches_unclean_text(spark, c4, tmp_path):
    suite = load_suite(EXPECTATIONS / "web_clean.json")
    clean = sparkops.apply(c4, CLEAN_RECIPE)
    result = validate(clean, suite, stage="clean", report_dir=tmp_path / "clean")
    assert result.success, result.summary()
    assert result.row_count == 300

    # the raw documents, 30 of them with no-break and zero-width spaces added: the suite fails
    raw = c4.withColumn("text", F.when(F.col("_line") % 10 == 0,
                                       F.concat(F.lit("\u00a0"), F.col("text"), F.lit("\u200bend")))
                        .otherwise(F.col("text")))
    failed = validate(raw, suite, stage="clean", report_dir=tmp_path / "raw")
    assert not failed.success
    (whitespace,) = failed.failures
    assert whitespace["type"] == "expect_column_values_to_not_match_regex"
    # the 30 padded rows, plus the raw documents that had such whitespace already (cleaning removed it)
    dirty = raw.where(F.col("text").rlike(whitespace["kwargs"]["regex"])).count()
    assert whitespace["unexpected_count"] == dirty > 30
    assert 0 < len(whitespace["sample_rows"]) <= 5
    report = failed.report_path.read_text(encoding="utf-8")
    assert "not matching /[\\x09\\x84-" in report  # invisible characters are shown escaped


def test_web_dedup_passes_after_dedup_and_fails_on_copies(c4, tmp_path):
    suite = load_suite(EXPECTATIONS / "web_dedup.json")
    with_copies = c4.unionByName(c4.where(F.col("_line") <= 7))
    failed = validate(with_copies, suite, stage="dedup", report_dir=tmp_path / "copies")
    assert not failed.success
    by_type = {r["type"]: r for r in failed.failures}
    assert set(by_type) == {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
    text = by_type["expect_column_values_to_be_unique"]
    assert text["column"] == "text" and text["unexpected_count"] == 14  # both copies of 7 documents
    assert all(row["_line"] <= 7 for row in text["sample_rows"])
    assert [r["column"] for r in failed.skipped] == ["id"]  # no id column: skipped, not failed

    deduped = with_copies.dropDuplicates(["text"])
    result = validate(deduped, suite, stage="dedup", report_dir=tmp_path / "dedup")
    assert result.success, result.summary()
    assert result.row_count == 300
    with_id = deduped.withColumn("id", F.col("_line") % 150)  # ids clash: the id check runs and fails
    clash = validate(with_id, suite, stage="dedup")
    assert [r["column"] for r in clash.failures] == ["id"] and not clash.skipped


def test_suites_name_fields_of_the_job_records(c4):
    """A job's tables keep the input record's fields as JSON in `_record`: `id` and `meta.lang`
    resolve there; a field no record has is missing (skipped or an error), not a null column."""
    rec = F.to_json(F.struct((F.col("_line") % 290).alias("id"), F.struct(F.lit("en").alias("lang")).alias("meta")))
    jobs = c4.select("text", "_source", "_line", rec.alias("_record"))
    suite = load_suite(EXPECTATIONS / "web_dedup.json")
    clash = validate(jobs, suite, stage="dedup")
    (failure,) = clash.failures  # ids 1..10 occur twice: the record-field check ran and failed
    assert failure["column"] == "id" and failure["unexpected_count"] == 20 and not clash.skipped
    fine = validate(jobs.where(F.col("_line") <= 290), suite, stage="dedup")
    assert fine.success, fine.summary()

    more = {"name": "t", "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "meta.lang", "value_set": ["en"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "crawl_date"},
         "meta": {"sparkops": {"skip_if_missing": True}}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "url"}},
    ]}
    result = validate(jobs, more)
    assert result.results[0]["status"] == "passed"
    assert [r["column"] for r in result.skipped] == ["crawl_date"]
    (err,) = result.failures
    assert err["status"] == "error" and "'url' not in the data" in err["error"]


# --------------------------------------------------------------------------- a failing gate explains itself


def test_a_tightened_suite_fails_with_observed_values_and_sample_rows(quality, tmp_path):
    data = _suite_json("web_quality")
    for e in data["expectations"]:
        kw = e["kwargs"]
        if e["type"] == "expect_column_mean_to_be_between":
            kw.update(min_value=0.99, max_value=1)
        if e["type"] == "expect_column_values_to_be_between" and kw["column"] == "stats.alnum_ratio":
            kw.update(min_value=0.8)
        if e["type"] == "expect_column_max_to_be_between":
            kw.update(max_value=0.2)
    path = _write(tmp_path, "tight.json", data)
    result = validate(quality, load_suite(path), stage="quality", report_dir=tmp_path / "report")

    assert not result.success
    assert {(r["type"], r["column"]) for r in result.failures} == {
        ("expect_column_mean_to_be_between", "stats.alnum_ratio"),
        ("expect_column_values_to_be_between", "stats.alnum_ratio"),
        ("expect_column_max_to_be_between", "stats.special_char_ratio"),
    }
    by_type = {r["type"]: r for r in result.failures}

    mean = by_type["expect_column_mean_to_be_between"]
    assert mean["observed_value"] == pytest.approx(quality.select(F.mean("stats.alnum_ratio")).first()[0])
    assert mean["observed_value"] < 0.99
    # an aggregate has no unexpected rows; the rows that pull the mean down are shown instead
    lows = [row["stats.alnum_ratio"] for row in mean["sample_rows"]]
    assert len(lows) == 5 and lows == sorted(lows)
    assert lows[0] == pytest.approx(quality.select(F.min("stats.alnum_ratio")).first()[0])

    values = by_type["expect_column_values_to_be_between"]
    below = quality.where(F.col("stats.alnum_ratio") < 0.8).count()
    assert values["unexpected_count"] == below > 0
    assert values["unexpected_percent"] == pytest.approx(100 * below / quality.count())
    assert 0 < len(values["sample_rows"]) <= 5
    for row in values["sample_rows"]:
        assert row["stats.alnum_ratio"] < 0.8
        assert len(row["text"]) <= 201  # 200 characters and an ellipsis
        assert set(row) == {"_source", "_line", "stats.alnum_ratio", "text"}

    peak = by_type["expect_column_max_to_be_between"]
    assert peak["observed_value"] > 0.2
    assert all(row["stats.special_char_ratio"] > 0.2 for row in peak["sample_rows"])

    report = result.report_path.read_text(encoding="utf-8")
    assert "Gate 'quality': FAILED" in report
    assert "## 3. expect_column_mean_to_be_between(stats.alnum_ratio): failed" in report
    assert f"observed value: {mean['observed_value']:.4g} (expected in [0.99, 1])" in report
    assert values["sample_rows"][0]["text"][:80] in report
    saved = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert saved["success"] is False and saved["statistics"]["failed"] == 3
    assert [r["status"] for r in saved["results"]].count("failed") == 3

    summary = result.summary()
    assert summary.startswith(f"gate 'quality': 3 of {len(data['expectations'])} expectations failed")
    assert f"expect_column_mean_to_be_between(stats.alnum_ratio) observed {mean['observed_value']:.4g} " \
           f"not in [0.99, 1]" in summary
    assert str(result.report_path) in summary


def test_missing_columns_error_unless_optional_and_severity_warning_does_not_block(quality):
    suite = {"name": "t", "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "stats.perplexity", "max_value": 1000}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "doc_id"},
         "meta": {"sparkops": {"skip_if_missing": True}}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "stats__lang"}, "severity": "warning"},
        {"type": "expect_column_to_exist", "kwargs": {"column": "stats.alnum_ratio"}},
    ]}
    result = validate(quality, suite)
    assert not result.success
    (err,) = result.failures
    assert err["status"] == "error" and "'stats.perplexity' not in the data" in err["error"]
    assert "stats.alnum_ratio" in err["error"]  # the available columns are listed
    assert [r["column"] for r in result.skipped] == ["doc_id"]
    (warn,) = result.warnings
    assert warn["column"] == "stats__lang" and warn["unexpected_count"] == result.row_count
    assert result.results[3]["status"] == "passed"

    suite["expectations"] = suite["expectations"][1:]
    assert validate(quality, suite).success  # a warning and a skip do not fail the gate


def test_computed_columns_let_a_suite_check_a_function_of_the_rows(quality, tmp_path):
    """meta.sparkops.columns: SQL expressions (sparkops' functions included) become columns the
    expectations name; a failure shows the offending rows; a bad expression names itself."""
    suite = {"name": "t", "meta": {"sparkops": {"columns": {
        "digits": "length(regexp_replace(text, '[^0-9]', ''))", "alnum": "alnum_ratio(text)"}}},
        "expectations": [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "alnum", "min_value": 0.25}},
            {"type": "expect_column_max_to_be_between", "kwargs": {"column": "digits", "max_value": 0}}]}
    result = validate(quality, suite, report_dir=tmp_path / "r")
    passed, failed = result.results
    assert passed["status"] == "passed" and failed["status"] == "failed"
    most = max(len("".join(ch for ch in r.text if ch in "0123456789")) for r in quality.select("text").collect())
    assert failed["observed_value"] == most > 0
    with pytest.raises(SuiteError, match="computed column 'bad'"):
        validate(quality, {"name": "t", "meta": {"sparkops": {"columns": {"bad": "no_such_fn(text)"}}},
                           "expectations": [GOOD]})
    with pytest.raises(SuiteError, match="columns must map"):
        validate(quality, {"name": "t", "meta": {"sparkops": {"columns": {"a b": "1"}}}, "expectations": [GOOD]})


def test_a_session_without_sql_functions_registers_what_a_gate_calls(spark, quality, tmp_path):
    """`sparkops run` starts its session without the SQL functions (Py4J calls for each);
    a gate's computed column registers the functions it calls, and only those."""
    from pyspark.errors import AnalysisException

    from sparkops.spark.functions import referenced

    assert referenced("size(filter(pii_detect(text), p -> p.type IN ('X')))") == ["pii_detect"]
    assert referenced("Alnum_Ratio (text) + length(text) + no_such_fn(text)") == ["alnum_ratio"]
    bare = spark.newSession()  # its own function registry, none of ours in it
    rows = bare.createDataFrame(quality.select("text").limit(20).collect())
    with pytest.raises(AnalysisException):
        rows.selectExpr("alnum_ratio(text)").collect()
    suite = {"name": "t", "meta": {"sparkops": {"columns": {"alnum": "alnum_ratio(text)"}}},
             "expectations": [{"type": "expect_column_values_to_be_between",
                               "kwargs": {"column": "alnum", "min_value": 0.25}}]}
    assert validate(rows, suite, report_dir=tmp_path / "r").results[0]["status"] == "passed"
    assert bare.__dict__["_sparkops_functions"] == {"alnum_ratio"}
    with pytest.raises(AnalysisException):
        rows.selectExpr("text_len(text)").collect()


# --------------------------------------------------------------------------- malformed suites


def _bad(tmp_path, expectations):
    return _write(tmp_path, "bad_suite.json", {"name": "bad", "expectations": expectations})


GOOD = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}


@pytest.mark.parametrize("entries, index, words", [
    ([GOOD, GOOD, {"type": "expect_column_values_to_be_betwen", "kwargs": {"column": "text"}}], 2,
     ["expect_column_values_to_be_betwen", "unknown expectation type",
      "did you mean 'expect_column_values_to_be_between'"]),
    ([GOOD, {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "stats.alnum_ratio",
                                                                   "min_value": "high"}}], 1,
     ["expect_column_mean_to_be_between", "min_value"]),
    ([{"type": "expect_column_values_to_not_be_null", "kwargs": {}}], 0,
     ["expect_column_values_to_not_be_null", "column"]),
    ([GOOD, {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "text"}}], 1,
     ["GX 0.x", "'type'"]),
    ([GOOD, GOOD, GOOD, {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"},
                         "meta": {"sparkops": {"skip_if_mising": True}}}], 3, ["skip_if_mising"]),
    ([GOOD, ["expect_column_values_to_be_unique"]], 1, ["must be an object"]),
])
def test_a_malformed_expectation_names_the_file_index_and_type(tmp_path, entries, index, words):
    path = _bad(tmp_path, entries)
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    assert str(path) in message and f"expectations[{index}]" in message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("text, words", [
    ('{"name": "x", "expectations": [', ["not valid JSON", "line 1"]),
    ('{"name": "x", "expecations": []}', ["unknown top-level key", "expecations"]),
    ('{"name": "x", "expectations": []}', ["no expectations"]),
    ('["expect_column_values_to_be_unique"]', ["must be a JSON object"]),
])
def test_a_malformed_suite_file_names_the_file(tmp_path, text, words):
    path = _write(tmp_path, "broken.json", text)
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    assert str(path) in str(err.value)
    for word in words:
        assert word in str(err.value)
    with pytest.raises(SuiteError, match="not found"):
        load_suite(tmp_path / "absent.json")


def test_shipped_suites_load_and_round_trip():
    for name in ("web_clean", "web_quality", "web_dedup"):
        suite = load_suite(EXPECTATIONS / f"{name}.json")
        assert suite.name == name
        assert len(suite.expectations) == len(_suite_json(name)["expectations"])
        # GX writes back the same shape load_suite reads
        again = json.loads(json.dumps(suite.to_json_dict()))
        path = EXPECTATIONS / f"{name}.json"
        from sparkops.gate.suite import suite_from_dict
        assert len(suite_from_dict(again, str(path)).expectations) == len(suite.expectations)


def test_a_python_c_program_loads_a_suite_and_goes_on(tmp_path):
    """GX imports pyspark.sql.connect, which ends the process with status 0 ("Skipping doctests")
    when grpc is missing and __main__ has no file: `python -c`, pytest-xdist's workers. Such a
    program must go on past its first suite (sparkops.gate.gx), and end with its interpreter as it
    was (not marked interactive)."""
    code = ("import sys\nfrom sparkops.gate import load_suite\n"
            f"suite = load_suite({str(EXPECTATIONS / 'web_clean.json')!r})\n"
            "print('went on', len(suite.expectations), hasattr(sys, 'ps1'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    words = done.stdout.split()
    assert words[:1] == ["went"] and int(words[2]) > 0 and words[3] == "False", (done.stdout, done.stderr[-2000:])
