"""pii_redaction_mapper: our record kernel against what Data-Juicer 1.6.1 itself output
(tests/fixtures/dj_pii_redaction.json.gz, written by tools/dj_parity/gen_pii_fixture.py over
tests/pii_corpus.py), the linear finders against Data-Juicer's regexes, parameter errors and
bad input."""

from __future__ import annotations

import copy
import gzip
import json
import random
import time
from pathlib import Path

import pytest

import parity_corpus
import pii_corpus as pc
from sparkops.core import OpError
from sparkops.ops.safety import pii_patterns as P
from sparkops.ops.safety.pii_redaction import apply_records, prepare, redact_record, redact_text

FIXTURE = Path(__file__).parent / "fixtures" / "dj_pii_redaction.json.gz"


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def plain(value):
    return json.loads(json.dumps(value, ensure_ascii=True))


def ours(record, params):
    return plain(redact_record(copy.deepcopy(record), prepare(params)))


def _check(cases, records, variants):
    bad = []
    for case in cases:
        record = records[case["id"]]
        assert "error" not in case, f"Data-Juicer raised on {case['variant']} {case['id']}: {case['error']}"
        want = plain(record) if case["output"] is None else case["output"]
        got = ours(record, variants[case["variant"]])
        if got != want:
            bad.append(f"{case['variant']} {case['id']}:\n  ours {json.dumps(got)[:600]}\n  dj   {json.dumps(want)[:600]}")
    assert not bad, f"{len(bad)} differences:\n" + "\n".join(bad[:5])


def test_fixture_is_data_juicers(fixture):
    assert fixture["data_juicer"] == "1.6.1" and fixture["python"].startswith("3.11")
    assert fixture["variants"] == {**pc.VARIANTS, **pc.ERROR_VARIANTS}
    assert fixture["hard"] == plain(dict(pc.hard_records())), "hand-written records changed since the fixture"


@pytest.mark.parametrize("variant", list(pc.VARIANTS))
def test_hand_written_records_equal_data_juicers(variant, fixture):
    cases = [c for c in fixture["cases"] if c["variant"] == variant and c["id"].startswith("hard:")]
    assert len(cases) == len(fixture["hard"])
    _check(cases, fixture["hard"], fixture["variants"])


def test_sft_records_equal_data_juicers(fixture, shared_data):
    sft = pc.sft_records()
    assert [r for r, _ in sft] == fixture["sft"]["ids"], "SFT selection changed since the fixture was made"
    assert [pc.record_digest(r) for _, r in sft] == fixture["sft"]["digests"], "SFT records changed"
    cases = [c for c in fixture["cases"] if c["id"].startswith("sft:")]
    assert len(cases) == 4 * len(sft) and sum(c["output"] is not None for c in cases) > 10
    _check(cases, dict(sft), fixture["variants"])


@pytest.mark.parametrize("variant", pc.CORPUS_VARIANTS)
def test_parity_corpus_equals_data_juicers(variant, fixture, shared_data):
    docs = parity_corpus.documents()
    assert [d for d, _ in docs] == fixture["corpus"]["ids"], "corpus changed since the fixture was made"
    assert [pc.sha16(t) for _, t in docs] == fixture["corpus"]["sha16"], "corpus texts changed"
    p = prepare(pc.VARIANTS[variant])
    want = fixture["corpus"]["variants"][variant]
    bad = []
    for (doc_id, text), expected in zip(docs, want):
        out = redact_text(text, p)
        got = None if out == text else pc.text_value(out)
        if got != expected:
            bad.append(f"{doc_id}: ours {got!r:.300} dj {expected!r:.300}")
    assert not bad, f"{len(bad)} differences:\n" + "\n".join(bad[:5])
    assert sum(v is not None for v in want) > 50  # the corpus does exercise the patterns


# ------------------------------------------------------------------ deliberate differences


def test_invalid_extra_regex_is_an_error_where_data_juicer_skips_it(fixture):
    params = pc.ERROR_VARIANTS["bad_regex"]
    with pytest.raises(OpError, match=r"'extra_patterns' item 0: invalid regex '\(unclosed'"):
        prepare(params)
    # Data-Juicer dropped the pattern silently and applied the others: the same as without it
    kept = {"extra_patterns": [p for p in params["extra_patterns"] if p[0] != "(unclosed"]}
    cases = [c for c in fixture["cases"] if c["variant"] == "bad_regex"]
    assert any(c["output"] and "OK" in json.dumps(c["output"]) for c in cases)
    _check(cases, fixture["hard"], {"bad_regex": kept})


@pytest.mark.parametrize("variant,param", [("bad_template", "path_replacement"), ("bad_group", "email_replacement")])
def test_bad_replacement_is_an_error_at_bind(variant, param, fixture):
    # Data-Juicer accepts it and raises re.error on the first non-empty text
    errors = {c["id"]: c.get("error") for c in fixture["cases"] if c["variant"] == variant}
    assert errors["hard:text0"].startswith("error: ")
    assert errors["hard:text20"] is None  # "" is returned before any substitution
    with pytest.raises(OpError, match=rf"parameter '{param}' is not a valid replacement"):
        prepare(pc.ERROR_VARIANTS[variant])
    # a flag that is off never uses its replacement: no error, as in Data-Juicer
    flag = {"path_replacement": "mask_paths", "email_replacement": "mask_emails"}[param]
    prepare({**pc.ERROR_VARIANTS[variant], flag: False})


def test_deep_records_are_redacted_where_data_juicer_overflows(fixture):
    assert fixture["deep"] == {"depth": pc.DEEP_FAIL, "error": "RecursionError"}
    for depth in (pc.DEEP_FAIL, 200_000):
        record = {"text": "/home/x", "nest": pc._nested(depth)}
        out = redact_record(record, prepare({}))
        assert out["text"] == "[PATH_REDACTED]"
        inner = out["nest"]
        for _ in range(depth):
            inner = inner[0]
        assert inner == ["[PATH_REDACTED]"]


# ------------------------------------------------------------------ linear finders


FINDERS = {"email": (P.email_spans, P.EMAIL), "jwt": (P.jwt_spans, P.JWT), "pem": (P.pem_spans, P.PEM_BLOCK)}
ALPHABETS = {
    "email": ["a", "Z", "1", "_", ".", "+", "-", "@", " ", "张", "é", "b.com", "x@y.cn", "..", "@@", "١", "\n"],
    "jwt": ["eyJ", "a", "=", "-", ".", " ", "_", "9", "é", "eyJa.b.c", "==", "x"],
    "pem": ["-----BEGIN ", "-----END ", "-", "-----", "A", " ", "\n", "x", "KEY", "E", "N", "D", "B", "9"],
}


@pytest.mark.parametrize("kind", list(FINDERS))
def test_linear_finders_give_data_juicers_matches(kind):
    finder, regex = FINDERS[kind]
    rng = random.Random(kind)
    for _ in range(10000):
        text = "".join(rng.choice(ALPHABETS[kind]) for _ in range(rng.randint(0, 30)))
        assert finder(text) == [m.span() for m in regex.finditer(text)], repr(text)
    for text in pc.TEXTS:  # (the adversarial texts are in the fixture, at sizes Data-Juicer finishes)
        assert finder(text) == [m.span() for m in regex.finditer(text)], repr(text[:80])


ONE_MB = {
    "word": "a" * 1_000_000, "digits": "1" * 1_000_000, "word_at": "a" * 1_000_000 + " @",
    "domain": "a@" + "b" * 1_000_000, "pem_dashes": "-----BEGIN " + "-" * 1_000_000,
    "pem_begins": "-----BEGIN X-----\n" * 55_000 + "-----END X-----", "jwt": "eyJ-" * 250_000,
    "paths": "/home" + "/" * 1_000_000 + "!", "spaces": " " * 1_000_000, "emails": "a@b.cc " * 140_000,
    "mixed": ("ls /home/a x@y.com password=1 [::1]:80 00:11:22:33:44:55 13812345678 " * 15_000),
}


@pytest.mark.parametrize("name", list(ONE_MB))
def test_one_megabyte_strings_finish(name):
    p = prepare({"mask_urls": True})
    start = time.perf_counter()
    out = redact_text(ONE_MB[name], p)
    # Data-Juicer: about 5 s for a 40,000-letter word and quadratic growth (an hour for 1 MB)
    assert time.perf_counter() - start < 20, name
    assert isinstance(out, str)


# ------------------------------------------------------------------ parameters and odd input


@pytest.mark.parametrize("params,message", [
    ({"mask_paths": "yes"}, "parameter 'mask_paths' must be bool, got 'yes'"),
    ({"email_replacement": None}, "parameter 'email_replacement' must be str, got None"),
    ({"extra_patterns": "a"}, "parameter 'extra_patterns' must be a list of [pattern, replacement] pairs"),
    ({"extra_patterns": [["a"]]}, "parameter 'extra_patterns' item 0 must be a [pattern, replacement] pair"),
    ({"extra_patterns": [["a", "b"], [1, "b"]]}, "parameter 'extra_patterns' item 1 must be a [pattern,"),
    ({"extra_patterns": [["a", "\\9"]]}, "parameter 'extra_patterns item 0' is not a valid replacement"),
    ({"redact_keys": "text"}, "parameter 'redact_keys' must be a list of field names, got 'text'"),
    ({"redact_keys": ["text", 3]}, "parameter 'redact_keys' must be a list of field names"),
    ({"messages_key": 3}, "parameter 'messages_key' must be str or null, got 3"),
    ({"id_replacement": "0"}, "parameter 'id_replacement' is not a valid replacement"),  # r"\1" + "0" = \10
])
def test_parameter_errors(params, message):
    with pytest.raises(OpError) as err:
        prepare(params, "pii_redaction_mapper[0]")
    assert str(err.value).startswith("pii_redaction_mapper[0]: ") and message in str(err.value)


def test_defaults_are_data_juicers():
    p = prepare({})
    assert p["redact_keys"] == ["text", "query", "response", "dialog_history", "messages"]
    assert p["messages_key"] == "messages" and p["extra_patterns"] == [] and not p["mask_urls"]
    assert prepare({"text_key": "content"})["redact_keys"][0] == "content"


def test_bad_input_never_raises():
    p = prepare({"mask_urls": True, "extra_patterns": [["x", "y"]]})
    odd = [None, "", 0, 1.5, True, [], {}, [None], {"content": None}, "\ud800", "\x00" * 10, "😀" * 10,
           [[[[]]]], {"path": 3}, {"arguments": {"path": ["x"]}}]
    for value in odd:
        assert redact_text(value, p) == value or isinstance(value, str)
        for key in ("text", "query", "response", "dialog_history", "messages", "path", "x"):
            redact_record({key: copy.deepcopy(value)}, p)
            redact_record({key: [copy.deepcopy(value)] * 2}, p)
            redact_record({"messages": [{"role": "user", "content": copy.deepcopy(value),
                                         "tool_calls": [{"function": copy.deepcopy(value), "arguments": value}]}]}, p)
    assert redact_record(None, p) is None and redact_record("x", p) == "x"
    assert apply_records([{"text": None}, {}, {"text": "a@b.com"}], p) == [{"text": None}, {}, {"text": "[EMAIL_REDACTED]"}]


def test_a_record_by_hand():
    record = {"text": "mail a@b.com", "query": "read /home/u/x", "response": ["ok", "token: t"],
              "dialog_history": [["session_id: 7", "1.2.3.4"]], "tags": ["password=pw"],
              "messages": [{"role": "assistant", "content": None,
                            "tool_calls": [{"function": {"name": "f", "arguments": "{\"path\": \"/tmp/a\"}"}},
                                           {"function": {"name": "g", "arguments": "password=pw"}}]}]}
    out = redact_record(record, prepare({}))
    # the 2-item response list and tool-call arguments are redacted twice, as Data-Juicer does
    # ("token: [REDACTED]" gains a "]" the second time: "[REDACTED" is a secret value)
    assert out == {"text": "mail [EMAIL_REDACTED]", "query": "read [PATH_REDACTED]",
                   "response": ["ok", "token: [REDACTED]]"],
                   "dialog_history": [["session_id[ID_REDACTED]", "[IP_REDACTED]"]],
                   "tags": ["password=[REDACTED]"],
                   "messages": [{"role": "assistant", "content": None, "tool_calls": [
                       {"function": {"name": "f", "arguments": "{\"path\": \"[PATH_REDACTED]\"}"}},
                       {"function": {"name": "g", "arguments": "password=[REDACTED]]"}}]}]}


# ------------------------------------------------------------------ Spark


@pytest.mark.spark
def test_dataframe_columns_redacted_in_place(spark):
    import sparkops

    df = spark.createDataFrame(
        [(1, "mail a@b.com", "read /home/u/x", "ok 13812345678",
          [{"role": "user", "content": "key api_key=sk1"}, {"role": "assistant", "content": None}]),
         (2, "nothing", None, "token: t", [])],
        "id long, text string, query string, response string, messages array<struct<role:string,content:string>>")
    rows = {r.id: r for r in sparkops.fused(df, ["pii_redaction_mapper"]).collect()}
    inputs = {r.id: r.asDict(recursive=True) for r in df.collect()}
    p = prepare({})
    for rid, row in rows.items():  # the kernel's output, column by column, types kept
        got, want = row.asDict(recursive=True), redact_record(inputs[rid], p)
        assert {k: got[k] for k in df.columns} == want
    assert rows[1].text == "mail [EMAIL_REDACTED]" and rows[1].query == "read [PATH_REDACTED]"
    assert rows[1].messages[0].content == "key api_key=[REDACTED]" and rows[1].messages[1].content is None
    assert rows[2].response == "token: [REDACTED]" and rows[2].query is None and rows[2]._keep


@pytest.mark.spark
def test_jsonl_job_redacts_nested_messages_and_tool_calls(spark, tmp_path):
    import textwrap

    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    # (a job quarantines input records without their text field)
    records = [{"id": rid, "text": "note /tmp/n", **rec} for rid, rec in pc.hard_records()
               if rid in ("hard:messages", "hard:history", "hard:qr", "hard:odd", "hard:text3")]
    path = tmp_path / "agent.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    spec = tmp_path / "pii.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: pii
        input: {{format: jsonl, path: {path}, text_key: text}}
        output: {{path: out}}
        stages:
          - name: redact
            process:
              - pii_redaction_mapper: {{mask_urls: true}}
        """))
    run(spark, load(spec), say=lambda m: None)
    out = {}
    for name in ("redact", "redact_rejected"):
        for row in spark.read.format("delta").load(str(tmp_path / "out" / name)).collect():
            record = json.loads(row._record)
            out[record["id"]] = (name, record)
    p = prepare({"mask_urls": True})
    for rec in records:
        name, got = out[rec["id"]]
        assert name == "redact" and got == plain(redact_record(copy.deepcopy(rec), p)), rec["id"]
    tool_args = out["hard:messages"][1]["messages"][2]["tool_calls"][0]["function"]["arguments"]
    assert tool_args == "{\"path\": \"[PATH_REDACTED]\"}"
