"""Real Spark, one shared session: Delta, SQL functions, Python column functions, fused pass."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pyspark.sql import functions as F
from pyspark.sql.utils import PythonException

import sparkops
from parity_corpus import documents
from sparkops import functions as sf
from sparkops.text.doc import Doc
from sparkops.core.pipeline import Pipeline
from sparkops.core import Sketch, bind, sql_functions
from sparkops.core.row import REJECT

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def sample(shared_data):
    """~400 real documents of every kind in the parity corpus, plus NULL."""
    docs = documents()
    picked = docs[::3]
    return [(i, doc_id, text) for i, (doc_id, text) in enumerate(picked)] + [(len(picked), "null", None)]


@pytest.fixture(scope="module")
def docs_df(spark, sample):
    df = spark.createDataFrame(sample, "i long, doc_id string, text string").repartition(3).cache()
    df.createOrReplaceTempView("docs")
    return df


def plain(v):
    """A Spark value as the kernel gives it: a Row (struct) as a dict, recursively."""
    if hasattr(v, "asDict"):
        return {k: plain(x) for k, x in v.asDict().items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def close(a, b):
    a = plain(a)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (str, list, dict)):
        return list(a) == list(b) if isinstance(a, list) else a == b
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-12)


def test_delta_write_read_and_time_travel(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.range(5).write.format("delta").save(path)
    spark.range(5, 8).write.format("delta").mode("append").save(path)
    assert spark.read.format("delta").load(path).count() == 8
    assert spark.read.format("delta").option("versionAsOf", 0).load(path).count() == 5
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").select("version").collect()
    assert sorted(r.version for r in history) == [0, 1]


# functions with no meaning without an argument (the benchmark to decontaminate against): their
# declared examples run them through SQL (test_examples.py), their own tests against the kernel
NEED_ARGUMENTS = {"task_decontaminate", "text_embd_similarity",  # + its validation file (test_embedding.py)
                  "in_context_influence", "in_context_influence_reason"}  # + validation samples
# the causal-LM scores cost forward passes of the local model per row and function (minutes over the
# sample here): their examples run through SQL (test_examples.py), their kernel is checked against
# Data-Juicer's code (test_catalogue_lm_scoring.py, with a Spark pass)
COSTLY = {"llm_perplexity", "llm_perplexity_reason", "ifd_score", "ifd_score_reason"}


def test_every_sql_function_equals_its_kernel_on_real_text(spark, docs_df, sample):
    names = [name for name, _, _ in sql_functions() if name not in NEED_ARGUMENTS | COSTLY]
    rows = spark.sql(f"SELECT i, {', '.join(f'{n}(text) AS {n}' for n in names)} FROM docs").collect()
    by_i = {r.i: r for r in rows}
    assert len(by_i) == len(sample)
    texts = [t for _, _, t in sample]
    for name, op, stat in sql_functions():
        if name in NEED_ARGUMENTS | COSTLY:
            continue
        bound = bind(op.name)
        live = [t for t in texts if t is not None]
        if isinstance(stat, Sketch):  # a deduplicator's signature or fingerprint
            expected = iter(stat.compute(live, bound.prepared))
            want = [next(expected) if t is not None else None for t in texts]
            got = [by_i[i][name] for i, _, _ in sample]
        elif op.kind == "mapper" and op.result_keys():  # a text NULL where rejected (+ meta fields)
            result = bound.apply(live)
            reject = result.get(REJECT) or [None] * len(live)
            fields = ["text", *(w.key for w in op.writes_for())]
            result = dict(result, text=[None if r is not None else t for t, r in zip(result["text"], reject)])
            rows_ = iter(zip(*(result[f] for f in fields)))
            want = [next(rows_) if t is not None else (None,) * len(fields) for t in texts]
            cell = (lambda v: tuple(v) if v is not None else (None,) * len(fields)) if op.writes_for() \
                else (lambda v: (v,))
            got = [cell(by_i[i][name]) for i, _, _ in sample]
            want = [x for row in want for x in row]
            got = [x for row in got for x in row]
        elif op.kind in ("mapper", "generator"):  # a text, or a generator's texts (an array)
            expected = iter(bound.apply(live) if op.kind == "mapper" else bound.expand(live))
            want = [next(expected) if t is not None else None for t in texts]
            got = [by_i[i][name] for i, _, _ in sample]
        elif stat is None:  # a struct of the op's stats (lang_id, the rule sets)
            computed = bound.compute([Doc(t) for t in live])
            width = len(op.sql_fields)
            it = iter(zip(*(computed[key] for _, key in op.sql_fields)))
            want = [next(it) if t is not None else (None,) * width for t in texts]
            got = [tuple(by_i[i][name][f] for f, _ in op.sql_fields) if by_i[i][name] else (None,) * width
                   for i, _, _ in sample]
            want = [x for row in want for x in row]
            got = [x for row in got for x in row]
        else:
            it = iter(bound.compute([Doc(t) for t in live])[stat.key])
            want = [next(it) if t is not None else None for t in texts]
            got = [by_i[i][name] for i, _, _ in sample]
        bad = [(k, g, w) for k, (g, w) in enumerate(zip(got, want)) if not close(g, w)]
        assert not bad, f"{name}: {len(bad)} rows differ from the kernel, first {bad[:3]}"


def test_the_issue_query_runs(spark, docs_df):
    kept = spark.sql("SELECT text FROM docs WHERE alnum_ratio(text) >= 0.25 AND lang_id(text).lang = 'en'")
    texts = [r.text for r in kept.collect()]
    assert texts and all(r for r in texts)
    zh = spark.sql("SELECT count(*) AS n FROM docs WHERE lang_id(text).lang = 'zh'").first().n
    assert zh > 50  # the corpus has Chinese novel chunks and SFT data


def test_extra_sql_arguments_change_the_statistic(spark, docs_df):
    row = spark.sql("SELECT char_rep_ratio(text) a, char_rep_ratio(text, 10) b, char_rep_ratio(text, 3) c, "
                    "stopwords_ratio(text) en, stopwords_ratio(text, 'zh') zh "
                    "FROM docs WHERE doc_id LIKE 'c4:%' ORDER BY i LIMIT 1").first()
    assert row.a == row.b and row.c > row.a > 0
    assert row.en > 0.2 and row.zh < row.en
    row = spark.sql("SELECT clean_email(text, NULL, '<EMAIL>') e FROM docs "
                    "WHERE doc_id LIKE 'presidio:%' AND text LIKE '%@%' LIMIT 1").first()
    assert "<EMAIL>" in row.e


def test_a_parameter_column_varies_per_row(spark):
    df = spark.createDataFrame([("abcabcabcabc", 3), ("abcabcabcabc", 4), ("abcabcabcabc", 12)], "t string, n int")
    got = [r.r for r in df.select(sf.char_rep_ratio("t", F.col("n")).alias("r")).collect()]
    want = [bind({"character_repetition_filter": {"rep_len": n}}).compute([Doc("abcabcabcabc")])["char_rep_ratio"][0]
            for n in (3, 4, 12)]
    assert got == want and len(set(got)) > 1


def test_wrong_sql_argument_names_the_op_and_key(spark):
    with pytest.raises(PythonException, match="op 'character_repetition_filter'.*'rep_len' must be > 0"):
        spark.sql("SELECT char_rep_ratio('abc', 0)").collect()
    with pytest.raises(PythonException, match="at most 1 extra argument"):
        spark.sql("SELECT char_rep_ratio('abc', 3, 4)").collect()
    with pytest.raises(Exception, match="'rep_len' must be > 0"):
        sf.char_rep_ratio("t", rep_len=0)  # Python API: fails on the driver, before any job


def test_a_non_string_column_gets_a_clear_error(spark):
    """An INT or BINARY argument is refused with the op's name and the fix, for every kind of SQL
    function (a plain statistic, a struct, a model-backed one); a cast string works."""
    for query in ("SELECT alnum_ratio(123)", "SELECT lang_id(id) FROM range(3)", "SELECT perplexity(CAST('a b' AS BINARY))"):
        with pytest.raises(PythonException, match=r"reads text, got a (int|bytes|bytearray) value.*CAST\(x AS STRING\)"):
            spark.sql(query).collect()
    assert spark.sql("SELECT alnum_ratio(CAST(123 AS STRING)) AS r").first().r == 1.0


def test_python_column_functions(spark, docs_df):
    out = docs_df.where("text IS NOT NULL").select(
        sf.num_words("text"), sf.lang_id("text"), sf.fix_unicode("text", normalization="NFKC"),
        sf.word_rep_ratio("text", rep_len=3)).limit(5).collect()
    assert len(out) == 5 and all(r.lang_id.lang for r in out)
    with pytest.raises(TypeError, match="unknown parameter"):
        sf.word_rep_ratio("text", rep_length=3)


def test_register_is_idempotent(spark):
    assert sparkops.register(spark) == sparkops.register(spark)


def test_fused_pass_equals_the_pipeline_and_keeps_every_row(spark, docs_df, sample, tmp_path):
    process = ["fix_unicode_mapper", "whitespace_normalization_mapper", "clean_email_mapper",
               {"language_id_score_filter": {"lang": "en", "min_score": 0.5}},
               {"alphanumeric_filter": {"min_ratio": 0.5}}, "character_repetition_filter",
               "word_repetition_filter", {"stopwords_filter": {"min_ratio": 0.1}}]
    out = sparkops.fused(docs_df, process)
    path = str(tmp_path / "fused")
    out.write.format("delta").save(path)
    rows = {r.i: r for r in spark.read.format("delta").load(path).collect()}
    assert len(rows) == len(sample)  # nothing silently disappears
    expected = Pipeline([bind(p) for p in process]).run([t for _, _, t in sample])
    for k, (i, _, _) in enumerate(sample):
        r = rows[i]
        assert r.text == expected.texts[k]
        assert r._keep == expected.keep[k] and r._dropped_by == expected.dropped_by[k]
        for name, values in expected.stats.items():
            assert close(r.stats[name], values[k]), (i, name)
    kept = sparkops.apply(docs_df, process)
    assert kept.count() == sum(expected.keep) and "_keep" not in kept.columns


def test_rule_sets_fused_rewrite_text_and_explain_drops(spark, docs_df, sample):
    """FineWeb's rule sets in one pass: C4 hands the rows it keeps on with their kept lines, the
    later filter sees that text, and every row says which rule set dropped it."""
    process = ["gopher_repetition_filter", "gopher_quality_filter",
               {"c4_quality_filter": {"filter_no_terminal_punct": False}}, "fineweb_quality_filter"]
    rows = {r.i: r for r in sparkops.fused(docs_df, process).collect()}
    expected = Pipeline([bind(p) for p in process]).run([t for _, _, t in sample])
    rewritten = 0
    for k, (i, _, text) in enumerate(sample):
        r = rows[i]
        assert (r.text, r._keep, r._dropped_by) == (expected.texts[k], expected.keep[k], expected.dropped_by[k])
        for name, values in expected.stats.items():
            assert close(r.stats[name], values[k]), (i, name)
        rewritten += r._keep and r.text != text
    assert rewritten > 10 and 20 < sum(expected.keep) < len(sample) / 2
    # each rule set removed some rows, and says which of its rules did (`<op>:<rule>`)
    assert {d.partition(":")[0] for d in expected.dropped_by if d} >= {
        "gopher_repetition_filter", "gopher_quality_filter", "c4_quality_filter", "fineweb_quality_filter"}
    assert all(":" in d for d in expected.dropped_by if d and d != "null_text")
    sql = spark.sql("SELECT count(*) n FROM docs WHERE gopher_quality(text).gopher_words >= 50 "
                    "AND c4_quality(text, true, true, false).c4_doc_flag IS NULL").first().n
    assert 0 < sql < len(sample)


def test_fused_pass_errors_before_running(spark, docs_df):
    with pytest.raises(sparkops.OpError, match="unknown parameter 'min_ratioo'"):
        sparkops.fused(docs_df, [{"alphanumeric_filter": {"min_ratioo": 0.5}}])
    with pytest.raises(sparkops.OpError, match="text column 'body' not in the data"):
        sparkops.fused(docs_df, ["text_length_filter"], text_col="body")


def test_a_50_mb_document_in_spark(spark, tmp_path, shared_data):
    words = (shared_data / "web" / "wiki_sample.txt").read_text(encoding="utf-8")
    big = (words * (50_000_000 // len(words) + 1))[:50_000_000]
    df = spark.createDataFrame([(1, big), (2, "a small normal document with enough words")], "i int, text string")
    row = df.selectExpr("i", "text_len(text) n", "num_words(text) w", "char_rep_ratio(text) c").orderBy("i").collect()
    assert row[0].n == 50_000_000 and row[0].w > 5_000_000 and 0 < row[0].c <= 1
    assert row[1].n == len("a small normal document with enough words")


def test_shipped_sql_example_runs(spark, c4_path):
    from pathlib import Path

    spark.read.json(str(c4_path)).createOrReplaceTempView("docs")
    query = (Path(__file__).parents[1] / "sql" / "quality_report.sql").read_text()
    rows = spark.sql(query).collect()
    en = next(r for r in rows if r.lang == "en")
    assert sum(r.docs for r in rows) == 300 and en.docs > 250 and 0 < en.would_keep <= en.docs


def test_the_embedded_jvm_is_tuned_for_a_few_cores_and_maps_the_class_archive(spark):
    """The shared session (local[2]) runs with sparkops' JVM flags; the class-data archive that
    `make setup` builds is not only passed but mapped (a stale one would be silently ignored)."""
    from sparkops.spark.jvm import archive_path

    jvm = spark.sparkContext._jvm
    runtime = jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    flags = [str(a) for a in runtime.getInputArguments()]
    assert {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmn128m"} <= set(flags), flags
    jars = [j for j in spark.conf.get("spark.jars", "").split(",") if j]
    archive = archive_path(jars)
    if archive is None or not archive.is_file():
        pytest.skip(f"no class-data archive at {archive}: run `python -m sparkops.spark.jvm`")
    assert f"-XX:SharedArchiveFile={archive}" in flags
    bean = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean"))
    assert bean.getVMOption("UseSharedSpaces").getValue() == "true"


def test_a_symlinked_venv_finds_the_same_archive_and_spark_home(tmp_path, monkeypatch):
    # a worktree or container whose venv is a symlink to the real one: the JVM starts from the
    # real SPARK_HOME, and the archive key reads the real jar paths, so the archive built for
    # the real venv is the one used (docs/decisions/session-start.md)
    import pyspark
    from pyspark import find_spark_home

    from sparkops.spark import jvm, launch

    real = Path(pyspark.__file__).resolve().parent
    link = tmp_path / "linked-site-packages"
    link.symlink_to(real.parent, target_is_directory=True)
    expected = jvm.archive_key([])
    jar = next(real.joinpath("jars").glob("*.jar"))
    assert jvm.archive_key([str(jar)]) != expected  # the key does read the jar list
    monkeypatch.setattr(pyspark, "__file__", str(link / "pyspark" / "__init__.py"))
    assert jvm.archive_key([]) == expected
    assert jvm.archive_key([str(link / "pyspark" / "jars" / jar.name)]) == jvm.archive_key([str(jar)])
    monkeypatch.setattr(find_spark_home, "_find_spark_home", lambda: str(link / "pyspark"))
    assert launch.spark_home() == str(real)


def test_jvm_options_follow_the_master_and_yield_to_the_user(tmp_path, monkeypatch):
    from sparkops.spark import jvm
    from sparkops.spark.session import JAVA_OPTIONS

    monkeypatch.setenv("SPARKOPS_IVY_DIR", str(tmp_path / "ivy"))
    assert jvm.local_cores("local[4,2]") == 4 and jvm.local_cores("local") == 1
    assert jvm.local_cores("local-cluster[2,1,1024]") is None and jvm.local_cores("yarn") is None
    assert jvm.java_options("spark://host:7077", []) is None  # a cluster keeps the JVM's defaults
    assert jvm.java_options("local[64]", []) is None  # so does a big local machine
    assert jvm.java_options("local[2]", []) == ("-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmn128m "
                                                "-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20")
    # the heap: 2g for a small local master, the configured default elsewhere
    assert [jvm.local_heap(m) for m in ("local", "local[4]", "local[64]", "yarn")] == ["2g", "2g", None, None]
    archive = jvm.archive_path([])
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"not really an archive")  # the JVM checks it; here only the flag matters
    assert f"-XX:SharedArchiveFile={archive}" in jvm.java_options("local[2]", [])
    # the key covers the jars: another classpath does not pick this archive
    assert jvm.archive_path([str(archive)]) != archive
    # the flags are spark.driver.defaultJavaOptions: a user's extraJavaOptions come after them
    assert JAVA_OPTIONS == "spark.driver.defaultJavaOptions"
