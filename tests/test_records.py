"""Records, not texts: operators read and rewrite the record field they name (``text_key``),
nested fields included; a record without that field, or with a non-string there, is dropped by
that op with its reason and every other row goes on."""

from __future__ import annotations

import json
import textwrap

import pytest

from sparkops.core import Param, bind
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import MISSING
from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark


def test_pipeline_reads_each_op_s_field_and_gives_row_reasons():
    ops = [bind({"clean_email_mapper": {"text_key": "answer"}}),
           bind({"words_num_filter": {"text_key": "answer", "min_num": 3}}),
           bind({"text_length_filter": {"min_len": 3}})]
    pipe = Pipeline(ops, text_field="question")
    assert pipe.fields == ["answer"]
    questions = ["Why?", "How?", "What?", "Who?", "Q"]
    answers = ["Write to a@b.com for the long answer", "Too short", MISSING, 42, "Long enough answer here"]
    result = pipe.run(questions, {"answer": answers})
    assert result.fields["answer"][0] == "Write to  for the long answer"  # the mapper rewrote its field
    assert result.texts == questions  # and left the text field alone
    assert result.dropped_by == [
        None, "words_num_filter",
        "missing_field:clean_email_mapper: no field 'answer'",
        "wrong_type:clean_email_mapper: field 'answer' is int, not a string",
        "text_length_filter",
    ]
    assert result.stats["num_words"][:2] == [6, 2] and result.stats["num_words"][2] is None


@pytest.fixture(scope="module")
def alpaca(tmp_path_factory, shared_data):
    """The real alpaca SFT file (999 records) as JSONL, plus doctored records: `output` missing,
    null, a number, a list, and an `output` nested one level down."""
    records = json.loads((shared_data / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    doctored = [
        {"instruction": "no output at all", "input": ""},
        {"instruction": "null output", "input": "", "output": None},
        {"instruction": "numeric output", "input": "", "output": 17},
        {"instruction": "list output", "input": "", "output": ["a", "b"]},
    ]
    path = tmp_path_factory.mktemp("alpaca") / "alpaca.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for r in records[:300] + doctored + records[300:]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path, records


def test_job_filters_a_non_text_field_and_maps_another(spark, tmp_path, alpaca):
    """Input text is `instruction`; a filter reads `output`, a mapper rewrites `input`:
    the stats are those of `output`, the export carries the rewritten `input`, and the four
    doctored records are rejected with their reasons while all 999 real ones are processed."""
    path, records = alpaca
    spec = tmp_path / "sft.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: sft
        input: {{format: jsonl, path: {path}, text_key: instruction}}
        output: {{path: out}}
        stages:
          - name: refine
            process:
              - whitespace_normalization_mapper: {{text_key: input}}
              - words_num_filter: {{text_key: output, min_num: 20}}
              - text_length_filter: {{min_len: 10}}
        """))
    result = run(spark, load(spec), say=lambda m: None)
    assert result.input_rows == len(records) + 4 and result.quarantined == 0
    out = tmp_path / "out"
    # the text key's value is the text column (no mapper touches `instruction`); the record's is null
    rejected = {r.text: r._dropped_by
                for r in spark.read.format("delta").load(str(out / "refine_rejected")).collect()
                if json.loads(r._record)["instruction"] is None}
    assert rejected["no output at all"] == "missing_field:words_num_filter: no field 'output'"
    assert rejected["null output"] == "wrong_type:words_num_filter: field 'output' is null, not a string"
    assert rejected["numeric output"] == "wrong_type:words_num_filter: field 'output' is int, not a string"
    assert rejected["list output"] == "wrong_type:words_num_filter: field 'output' is list, not a string"
    kept = spark.read.format("delta").load(str(out / "refine")).collect()
    # the same decisions as the kernels give on the output texts themselves
    direct = Pipeline([bind({"words_num_filter": {"min_num": 20}})]).run([r["output"] for r in records])
    expect_kept = {r["instruction"] for r, k in zip(records, direct.keep) if k and len(r["instruction"]) >= 10}
    got = {r.text for r in kept}
    assert got == expect_kept and len(got) > 500
    by_instruction = {r["instruction"]: r for r in records}
    for row in kept[:200]:
        record = json.loads(row._record)
        assert row.stats["num_words"] == direct.stats["num_words"][records.index(by_instruction[row.text])]
        assert record["input"] == " ".join(by_instruction[row.text]["input"].split()) or \
            record["input"] == by_instruction[row.text]["input"].strip()


def test_nested_struct_field_read_and_rewritten_in_place(spark):
    from pyspark.sql import Row

    import sparkops

    df = spark.createDataFrame([
        Row(id=1, text="body one", meta=Row(title="  Mail me at x@y.org  ", lang="en")),
        Row(id=2, text="body two", meta=Row(title="ok", lang="en")),
        Row(id=3, text="body three", meta=Row(title=None, lang="en")),
    ])
    out = sparkops.fused(df, [{"clean_email_mapper": {"text_key": "meta.title"}},
                              {"text_length_filter": {"text_key": "meta.title", "min_len": 5}}])
    rows = {r.id: r for r in out.collect()}
    assert out.schema["meta"].dataType.fieldNames() == ["title", "lang"]  # the struct keeps its shape
    assert rows[1].meta.title == "  Mail me at   " and rows[1]._keep and rows[1].text == "body one"
    assert rows[2]._dropped_by == "text_length_filter" and rows[2].meta.title == "ok"
    assert rows[3]._dropped_by == "wrong_type:clean_email_mapper: field 'meta.title' is null, not a string"
    with pytest.raises(Exception, match="field 'meta.nope'"):
        sparkops.fused(df.selectExpr("id", "text", "meta.lang AS meta"),
                       [{"text_length_filter": {"text_key": "meta.nope"}}])


@pytest.fixture()
def declared():
    """Ops declared for one test and removed after it (pure Pipeline tests only: Spark's
    workers know only the catalogue's ops)."""
    from sparkops.core.catalogue import REGISTRY, declare

    names = []

    def add(op):
        names.append(op.name)
        return declare(op)

    yield add
    for name in names:
        REGISTRY.pop(name, None)


def test_ops_read_further_fields_and_write_meta(declared):
    from sparkops.core import Op, Param, Stat

    def tag(texts, p, fields):  # a mapper reading a second field and writing two meta fields
        langs = fields["lang_key"]
        if any(t == "boom" for t in texts):
            raise ValueError("boom")
        return {"text": [t.upper() for t in texts], "pair": [f"{t}/{lang}" for t, lang in zip(texts, langs)],
                "n": [len(t) for t in texts]}

    declared(Op(name="t_tag_mapper", kind="mapper", family="test", doc="test", apply=tag,
                params=(Param("lang_key", "str", None, "field", nullable=True),), reads=("lang_key",),
                writes=(Stat("pair", "string", "text/lang"), Stat("n", "long", "length"))))
    declared(Op(name="t_url_filter", kind="filter", family="test", doc="test", text_key="url",
                compute=lambda docs, p: {"url_len": [len(d.text) for d in docs]},
                stats=(Stat("url_len", "long", "length"),), range=("url_len", None, "max_len"),
                params=(Param("max_len", "int", 10, "longest URL kept"),)))
    ops = [bind({"t_tag_mapper": {"lang_key": "meta.lang"}}), bind("t_url_filter")]
    assert ops[1].params["text_key"] == "url"  # the op's own default field
    assert bind({"t_url_filter": {"text_key": "link"}}).params["text_key"] == "link"
    pipe = Pipeline(ops)
    assert pipe.fields == ["meta.lang", "url"] and list(pipe.writes) == ["pair", "n"]
    texts = ["ab", "boom", "cd", None]
    result = pipe.run(texts, {"meta.lang": ["en", "fr", MISSING, "de"],
                              "url": ["http://a.b", "http://c.d", "http://long.example", "x"]})
    assert result.texts == ["AB", "boom", "CD", None]
    # a missing read field reaches the kernel as None; a row the kernel fails on writes nothing
    assert result.meta == {"pair": ["ab/en", None, "cd/None", None], "n": [2, None, 2, None]}
    assert result.dropped_by == [None, "error:t_tag_mapper: ValueError: boom", "t_url_filter", "null_text"]
    # the declared batch size slices the read fields with the texts
    small = bind({"t_tag_mapper": {"lang_key": "lang"}})
    object.__setattr__(small.op, "batch_size", 1)
    try:
        got = small.apply(["x", "yz"], {"lang_key": ["en", "fr"]})
    finally:
        object.__setattr__(small.op, "batch_size", None)
    assert got == {"text": ["X", "YZ"], "pair": ["x/en", "yz/fr"], "n": [1, 2]}


def test_meta_writes_must_agree_and_reads_must_be_str_params(declared):
    from sparkops.core import Op, Param, Stat

    declared(Op(name="t_a_mapper", kind="mapper", family="test", doc="t", apply=lambda t, p: {"text": t, "k": t},
                writes=(Stat("k", "string", "k"),)))
    declared(Op(name="t_b_mapper", kind="mapper", family="test", doc="t", apply=lambda t, p: {"text": t, "k": t},
                writes=(Stat("k", "long", "k"),)))
    with pytest.raises(ValueError, match="writes meta.k as long, an earlier op as string"):
        Pipeline([bind("t_a_mapper"), bind("t_b_mapper")])
    with pytest.raises(AssertionError, match="reads"):
        declared(Op(name="t_c_mapper", kind="mapper", family="test", doc="t", apply=lambda t, p: t,
                    params=(Param("n", "int", 1, "n"),), reads=("n",)))
    with pytest.raises(AssertionError, match="only mappers and generators write"):
        declared(Op(name="t_d_filter", kind="filter", family="test", doc="t", compute=lambda d, p: {"x": []},
                    stats=(Stat("x", "long", "x"),), range=("x", None, None), writes=(Stat("k", "long", "k"),)))


def test_an_op_reads_a_statistic_an_earlier_op_of_the_pass_computed(declared):
    from sparkops.core import Op, Param, Stat

    declared(Op(name="t_echo_mapper", kind="mapper", family="test", doc="t",
                apply=lambda texts, p, f: {"text": texts, "seen": f["value_key"]},
                params=(Param("value_key", "str", None, "field", nullable=True),), reads=("value_key",),
                writes=(Stat("seen", "double", "the value read"),)))
    pipe = Pipeline([bind("alphanumeric_filter"), bind({"t_echo_mapper": {"value_key": "stats.alnum_ratio"}}),
                     bind({"t_echo_mapper": {"value_key": "stats.no_such_stat"}})])
    # a statistic of the pass is no record field; an unknown one is (and is absent here)
    assert pipe.fields == ["stats.no_such_stat"]
    result = pipe.run(["ab1 !", "!!!!"], {"stats.no_such_stat": [MISSING, MISSING]})
    assert result.meta["seen"] == [None, None]  # the last writer wins: the missing field
    pipe = Pipeline([bind("alphanumeric_filter"), bind({"t_echo_mapper": {"value_key": "stats.alnum_ratio"}})])
    result = pipe.run(["ab1 !", "!!!!"])
    assert result.meta["seen"] == [0.6, None]  # the second row was dropped before the mapper


def test_a_mapper_rejects_rows_it_cannot_map_with_its_rule(declared):
    from sparkops.core import Op, Stat
    from sparkops.core.row import REJECT

    def extract(texts, p):
        rules = [None if "<p>" in t else ("timeout" if "slow" in t else "empty") for t in texts]
        return {"text": [t.replace("<p>", "") if r is None else "" for t, r in zip(texts, rules)],
                "status": [r or "ok" for r in rules], REJECT: rules}

    declared(Op(name="t_extract_mapper", kind="mapper", family="test", doc="t", apply=extract,
                writes=(Stat("status", "string", "what happened"),), rejects=("timeout", "empty")))
    pipe = Pipeline([bind("t_extract_mapper"), bind({"text_length_filter": {"min_len": 1}})])
    result = pipe.run(["<p>hello", "slow page", "nav only"])
    assert result.texts == ["hello", "slow page", "nav only"]  # a rejected row keeps its input
    assert result.dropped_by == [None, "t_extract_mapper:timeout", "t_extract_mapper:empty"]
    assert result.meta["status"] == ["ok", "timeout", "empty"]
    assert result.stats["text_len"] == [5, None, None]  # later ops never see a rejected row


def test_a_record_op_rewrites_several_fields_and_later_ops_see_them(declared):
    from sparkops.core import Op

    def upper_all(records, p):
        for rec in records:
            if "boom" in rec.get("text", ""):
                raise ValueError("boom row")
            for key, value in rec.items():
                if isinstance(value, str):
                    rec[key] = value.upper()
            for msg in rec.get("messages") or []:
                msg["content"] = msg["content"].upper()
            if rec.get("text") == "GONE":
                del rec["text"]
        return records

    declared(Op(name="t_upper_mapper", kind="mapper", family="test", doc="t", apply=upper_all, record=True))
    pipe = Pipeline([bind({"clean_email_mapper": {"text_key": "query"}}), bind("t_upper_mapper"),
                     bind({"text_length_filter": {"text_key": "query", "min_len": 3}})])
    records = [{"text": "hi", "query": "mail a@b.org", "messages": [{"role": "user", "content": "yo"}], "n": 1},
               {"text": "boom", "query": "q?"}, {"text": "gone", "query": "abcd"}, None]
    result = pipe.run(["hi", "boom", "gone", "x"], {"query": ["mail a@b.org", "q?", "abcd", MISSING]},
                      records=records)
    # the record op saw the email mapper's query and the row's other fields; the filter sees its query
    assert result.texts[0] == "HI" and result.fields["query"][0] == "MAIL "
    assert result.records[0] == {"text": "HI", "query": "MAIL ", "n": 1,
                                 "messages": [{"role": "user", "content": "YO"}]}
    assert records[0]["messages"][0]["content"] == "yo"  # the caller's records are never changed
    assert result.stats["text_len"][0] == 5 and result.keep[0]
    assert result.dropped_by[1] == "error:t_upper_mapper: ValueError: boom row"  # only the culprit
    assert result.dropped_by[2] == ("wrong_type:t_upper_mapper: the record's 'text' is absent after it, "
                                    "not a string")
    assert result.dropped_by[3] == "missing_field:clean_email_mapper: no field 'query'"
    # its SQL face: a record holding only the text
    assert bind("t_upper_mapper").apply(["ab", "cd"]) == ["AB", "CD"]
    with pytest.raises(ValueError, match="record op"):
        Op(name="t_bad_mapper", kind="filter", family="test", doc="t", record=True)


def test_an_op_reads_a_meta_field_an_earlier_mapper_of_the_pass_wrote(declared):
    from sparkops.core import Op, Stat

    declared(Op(name="t_count_mapper", kind="mapper", family="test", doc="t",
                apply=lambda texts, p: {"text": texts, "n": [t.count("x") for t in texts]},
                writes=(Stat("n", "long", "x count"),)))
    declared(Op(name="t_max_filter", kind="filter", family="test", doc="t", reads=("key",),
                params=(Param("key", "str", None, "field", nullable=True),),
                stats=(Stat("seen", "double", "the field"),),
                compute=lambda docs, p, f: {"seen": [None if v is None else float(v) for v in f["key"]]},
                keep=lambda s, p: s["seen"] is not None and s["seen"] <= 1))
    pipe = Pipeline([bind("t_count_mapper"), bind({"t_max_filter": {"key": "meta.n"}})])
    result = pipe.run(["a", "xx", "x"])
    assert result.stats["seen"] == [0.0, 2.0, 1.0] and result.keep == [True, False, True]
    # before the mapper, meta.n is a field of the data: here absent
    pipe = Pipeline([bind({"t_max_filter": {"key": "meta.n"}}), bind("t_count_mapper")])
    assert pipe.run(["x"]).stats["seen"] == [None]
