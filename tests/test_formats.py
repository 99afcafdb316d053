"""SFT / preference formats (sparkops.formats) against Data-Juicer 1.6.1's own converters.

``tests/fixtures/dj_formats.json.gz`` (``tools/dj_parity/gen_formats_fixture.py``) holds, per
selected record of the real files of ``../shared/data/sft``, a hash of what Data-Juicer's
``*_to_dj`` and ``dj_to_*`` functions output. Our kernels must give the same records, except
where we depart from Data-Juicer on purpose; each departure is one named step below that
turns our record into the one Data-Juicer writes, so any other difference fails:

- ``dj_to_alpaca`` and ``dj_to_llama_factory_sharegpt`` drop every empty or false field
  (a KTO ``label: false``): we keep the record's own fields;
- ``dj_to_ms_swift_sharegpt`` writes ``system``/``instruction`` even when empty: we leave them out;
- Data-Juicer's ShareGPT export uses the tags ``user``/``assistant``; ours defaults to
  LLaMA-Factory's ``human``/``gpt`` (compared with Data-Juicer's tags here);
- message content given as text parts (``v1_sft_demo``) stays a list in Data-Juicer's record; we
  join the text;
- preference records: Data-Juicer has no preference converter; its ShareGPT reader leaves
  ``chosen``/``rejected`` as they are and ``response`` empty, we read them into
  ``response``/``rejected_response``;
- records we refuse (an empty turn) Data-Juicer converts: each refusal is checked against the
  source record;
- Alpaca records: Data-Juicer's conversational exports fail on them (``KeyError: 'history'``:
  ``alpaca_to_dj`` writes no history); ours put instruction and input in the user turn, as
  LLaMA-Factory reads Alpaca.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from pathlib import Path

import pytest

import formats_corpus as corpus
from sparkops.formats import FormatProblem, from_dj, to_dj
from sparkops.formats.dialog import content_text
from sparkops.formats.hh_rlhf import transcript_turns
from sparkops.formats.sharegpt import dj_to_sharegpt, dj_to_swift, swift_to_dj

FIXTURE = Path(__file__).parent / "fixtures" / "dj_formats.json.gz"


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def _drop_falsy(rec: dict, keep=()) -> dict:
    """What Data-Juicer's dj_to_alpaca / dj_to_llama_factory_sharegpt keep of the other fields."""
    return {k: v for k, v in rec.items() if v or k in keep}


def _as_parts(obj, source: dict):
    """Our joined message texts back as the content-part lists Data-Juicer copies."""
    msgs = source.get("messages") or []
    undo = {content_text(m["content"], "c"): m["content"] for m in msgs if isinstance(m.get("content"), list)}
    if not undo:
        return obj

    def walk(x, key=None):
        if isinstance(x, dict):
            return {k: walk(v, k) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str) and key not in ("role", "from") and x in undo:
            return undo[x]
        return x
    return walk(obj)


def _expected_exports(ours: dict, source: dict) -> dict:
    """Our exports of one intermediate record, turned into what Data-Juicer writes (see module doc)."""
    out = {}
    alpaca = from_dj("alpaca", ours)
    out["alpaca"] = _drop_falsy(alpaca, keep=("input", "output"))
    for fmt, args in (("sharegpt", ("conversations", "from", "value")), ("messages", ("messages", "role", "content"))):
        rec = dj_to_sharegpt(ours, *args, user="user", assistant="assistant")
        out[fmt] = _drop_falsy(rec, keep=(args[0],))
    swift = dj_to_swift(ours)
    swift.update({k: ours[k] for k in ("system", "instruction") if k in ours})
    out["sharegpt_swift"] = swift
    out["sharegpt_swift_to_dj"] = swift_to_dj(swift)
    return {k: _as_parts(v, source) for k, v in out.items()}


def _check_refusal(reason: str, source: dict) -> None:
    """A record we refuse and Data-Juicer converts must have the flaw our reason names."""
    m = re.fullmatch(r"(conversations|messages)\[(\d+)\]: empty (user|assistant) turn", reason)
    assert m, f"unexpected refusal: {reason}"
    msg = source[m.group(1)][int(m.group(2))]
    assert not content_text(msg.get("value", msg.get("content")), "c").strip()


@pytest.mark.parametrize("name", list(corpus.FILES))
def test_formats_match_data_juicer(name, dj, shared_data):
    entry = dj["files"][name]
    path = corpus.SFT / name
    assert corpus.file_sha256(path) == entry["sha256"], f"{name} changed since the fixture was made"
    records = corpus.load(path)
    fmt = corpus.FILES[name][0]
    mismatches, refused, compared = [], 0, 0
    for row in entry["rows"]:
        source = records[row["index"]]
        try:
            ours = to_dj(fmt, copy.deepcopy(source))
        except FormatProblem as err:
            assert "error" not in row["to_dj"]
            _check_refusal(str(err), source)
            refused += 1
            continue
        if fmt == "preference":  # Data-Juicer's ShareGPT reader: answers left as they were
            theirs = {k: v for k, v in ours.items() if k != "rejected_response"}
            theirs.update(response="", chosen=source["chosen"], rejected=source["rejected"])
        else:
            theirs = _as_parts(ours, source)
        if corpus.digest(theirs) != row["to_dj"].get("digest"):
            mismatches.append((row["index"], "to_dj"))
        compared += 1
        if fmt == "preference":
            continue
        expected = _expected_exports(ours, source)
        for target, want in expected.items():
            if target not in row:
                continue
            if "error" in row[target]:
                # Data-Juicer cannot export its own Alpaca records to conversations (no history)
                assert fmt == "alpaca" and row[target]["error"] == "KeyError: 'history'", (row["index"], target)
                conv = from_dj(target, ours)
                if target != "sharegpt_swift":
                    key, role, text = (("messages", "role", "content") if target == "messages"
                                       else ("conversations", "from", "value"))
                    user = "\n".join(t for t in (source["instruction"], source["input"]) if t)
                    assert [m[text] for m in conv[key]] == [user, source["output"]]
                    assert [m[role] for m in conv[key]] == (["user", "assistant"] if target == "messages"
                                                            else ["human", "gpt"])
                continue
            if corpus.digest(want) != row[target]["digest"]:
                mismatches.append((row["index"], target))
            if "roles" in row[target]:
                key, role = ("messages", "role") if target == "messages" else ("conversations", "from")
                assert [m[role] for m in want[key]] == row[target]["roles"]
    assert not mismatches, f"{len(mismatches)} differences from Data-Juicer, first: {mismatches[:5]}"
    assert compared + refused == len(entry["rows"]) and compared >= 100
    # the one conversation with an empty turn in sharegpt_zh_1k is the only refusal
    assert refused == (1 if name == "sharegpt_zh_1k.jsonl" else 0)


def test_kto_labels_survive_alpaca_and_sharegpt_exports(dj, shared_data):
    """Data-Juicer's dj_to_alpaca drops ``label: false`` (a false value); ours keeps the label."""
    records = corpus.load(corpus.SFT / "kto_en_demo.json")
    false = [r for r in records if r["label"] is False][:20]
    assert false
    for rec in false:
        d = to_dj("kto", rec)
        assert from_dj("alpaca", d)["label"] is False and from_dj("sharegpt", d)["label"] is False
        assert from_dj("kto", d) == {"messages": rec["messages"], "label": False}


def test_hh_rlhf_transcripts_on_the_real_file(shared_data):
    """Every converted pair rebuilds both transcripts (turns stripped); every refused one has
    the flaw its reason names."""
    path = shared_data / "sft" / "hh_rlhf_harmless_test.jsonl.gz"
    rows = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    norm = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    refused = {}
    for i, rec in enumerate(rows):
        try:
            d = to_dj("hh_rlhf", rec)
        except FormatProblem as err:
            refused[i] = str(err)
            continue
        for key, answer in (("chosen", d["response"]), ("rejected", d["rejected_response"])):
            turns = [t for q, r in d["history"] for t in (("Human", q), ("Assistant", r))]
            turns += [("Human", d["query"]), ("Assistant", answer)]
            assert norm("".join(f"\n\nHuman: {t}" if who == "Human" else f"\n\nAssistant: {t}"
                                for who, t in turns)) == norm(rec[key]), (i, key)
        assert set(d) == {"system", "instruction", "query", "response", "history", "rejected_response"}
    assert len(refused) < 30 and len(rows) - len(refused) > 2250
    for i, reason in refused.items():
        rec = rows[i]
        roles = {k: [w for w, _ in transcript_turns(rec[k], k)] for k in ("chosen", "rejected")}
        texts = {k: [t for _, t in transcript_turns(rec[k], k)] for k in ("chosen", "rejected")}
        m = re.match(r"(chosen|rejected)\[(\d+)\]: (wrong role order|empty (user|assistant) turn)", reason)
        if m:
            k, j = m.group(1), int(m.group(2))
            if m.group(3) == "wrong role order":
                assert roles[k][j] == roles[k][j - 1], (i, reason)
            else:
                assert texts[k][j] == "", (i, reason)
        else:
            assert reason.startswith("chosen and rejected differ before their last assistant turn"), reason
            assert texts["chosen"][:-1] != texts["rejected"][:-1]


@pytest.mark.parametrize("fmt, record, reason", [
    ("sharegpt", {"conversations": [{"from": "gpt", "value": "hi"}]}, "starts with an assistant turn"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "a"}, {"from": "human", "value": "b"}]},
     "conversations[1]: wrong role order: two user turns in a row ('human', 'human')"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "a"}, {"from": "bot", "value": "b"}]},
     "conversations[1]: unknown role 'bot'"),
    ("sharegpt", {"conversations": [{"from": "human", "value": 3}]}, "conversations[0].value is int, not a string"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "a"}, {"from": "system", "value": "s"}]},
     "conversations[1]: a 'system' message after the conversation started"),
    ("sharegpt", {"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": "{}"}]},
     "role 'function_call' (tool use)"),
    ("sharegpt", {"conversations": []}, "holds no user or assistant turn"),
    ("sharegpt", {"text": "x"}, "missing field 'conversations'"),
    ("messages", {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
     "messages[0].content[0] is a 'image_url' part"),
    ("alpaca", {"instruction": "a", "input": ""}, "missing field 'output'"),
    ("alpaca", {"instruction": "", "input": " ", "output": "x"}, "empty instruction and input"),
    ("alpaca", {"instruction": "a", "output": "b", "history": [["q"]]}, "history[0] is not a [query, response] pair"),
    ("sharegpt_swift", {"conversation": [{"human": "a"}, {"human": "b", "assistant": "c"}]},
     "missing field 'conversation[0].assistant'"),
    ("preference", {"prompt": "p", "chosen": "c"}, "missing field 'rejected'"),
    ("preference", {"prompt": "p", "chosen": "c", "rejected": {"role": "user", "content": "r"}},
     "rejected: role 'user' where an assistant answer is expected"),
    ("preference", {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}],
                    "chosen": "c", "rejected": "r"}, "'conversations' must end with a user turn"),
    ("preference", {"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
                    "rejected": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "b"}]},
     "chosen and rejected differ before their last assistant turn (query)"),
    ("kto", {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "label": "yes"},
     "'label' is str, not a boolean"),
    ("kto", {"messages": [{"role": "user", "content": "q"}], "label": True}, "must end with an assistant turn"),
    ("hh_rlhf", {"chosen": "Human: hi", "rejected": "\n\nHuman: hi\n\nAssistant: b"}, "'chosen' has no"),
    ("hh_rlhf", {"chosen": "\n\nHuman: q\n\nAssistant: \n\nHuman: r\n\nAssistant: a",
                 "rejected": "\n\nHuman: q\n\nAssistant: b"}, "chosen[1]: empty assistant turn"),
])
def test_malformed_records_say_why(fmt, record, reason):
    with pytest.raises(FormatProblem) as err:
        to_dj(fmt, record)
    assert reason in str(err.value)


def test_round_trips_and_text_parts():
    conv = [{"from": "system", "value": "be brief"}, {"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"},
            {"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]
    d = to_dj("sharegpt", {"id": 7, "conversations": conv})
    assert d == {"id": 7, "system": "be brief", "instruction": "", "query": "q2", "response": "a2",
                 "history": [["q1", "a1"]]}
    assert from_dj("sharegpt", d) == {"id": 7, "conversations": conv}
    assert to_dj("sharegpt_swift", from_dj("sharegpt_swift", d)) == {k: v for k, v in d.items() if k != "instruction"}
    msgs = from_dj("messages", d)["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant"]
    assert to_dj("messages", {"messages": msgs}) == {k: v for k, v in d.items() if k != "id"}
    parts = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                          {"role": "assistant", "content": "c"}]}
    assert to_dj("messages", parts)["query"] == "ab"
    pair = to_dj("preference", {"prompt": "p", "chosen": "c", "rejected": "r", "id": 1})
    assert from_dj("preference", pair) == {"id": 1, "prompt": [{"role": "user", "content": "p"}],
                                           "chosen": [{"role": "assistant", "content": "c"}],
                                           "rejected": [{"role": "assistant", "content": "r"}]}
    assert to_dj("preference", from_dj("preference", pair)) == pair
    with pytest.raises(FormatProblem, match="rejected_response' is missing"):
        from_dj("preference", d)


def test_alpaca_export_leaves_out_empty_dialog_fields_only():
    d = to_dj("sharegpt", {"score": 0, "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]})
    assert from_dj("alpaca", d) == {"score": 0, "input": "q", "output": "a"}
    src = {"instruction": "i", "input": "", "output": "o", "system": "s", "history": [["q0", "a0"]]}
    d = to_dj("alpaca", src)
    assert d == {"instruction": "i", "system": "s", "history": [["q0", "a0"]], "query": "", "response": "o"}
    assert from_dj("alpaca", d) == {"instruction": "i", "system": "s", "history": [["q0", "a0"]], "input": "",
                                    "output": "o"}
    assert from_dj("messages", d)["messages"] == [
        {"role": "system", "content": "s"}, {"role": "user", "content": "q0"}, {"role": "assistant", "content": "a0"},
        {"role": "user", "content": "i"}, {"role": "assistant", "content": "o"}]


def _run_job(spark, tmp_path, spec: dict):
    import yaml

    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = run(spark, load(path), say=lambda m: None)
    bad = spark.read.format("delta").load(str(tmp_path / "wh" / "_quarantine")).collect()
    out = [json.loads(line) for line in Path(spec["output"]["export"]).read_text(encoding="utf-8").splitlines()]
    return result, bad, out


@pytest.mark.spark
def test_job_alpaca_in_messages_out(spark, tmp_path, shared_data):
    from sparkops.formats.alpaca import alpaca_to_dj
    from sparkops.formats.messages import dj_to_messages

    records = corpus.load(shared_data / "sft" / "alpaca_en_demo.json")[:40]
    data = records[:10] + [{"instruction": "x", "input": "", "output": 5}] + records[10:]
    (tmp_path / "alpaca.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result, bad, out = _run_job(spark, tmp_path, {
        "name": "sft", "input": {"format": "alpaca", "path": str(tmp_path / "alpaca.json")},
        "output": {"path": str(tmp_path / "wh"), "export": str(tmp_path / "out.jsonl"), "export_format": "messages"},
        "stages": [{"name": "long", "process": [{"text_length_filter": {"min_len": 200}}]}]})
    assert (result.input_rows, result.quarantined) == (40, 1)
    assert [(b.reason, b._line) for b in bad] == [("alpaca: 'output' is int, not a string", 11)]
    # the ops' text is the response (Alpaca's output); the export is OpenAI messages, in input order
    kept = [r for r in records if len(r["output"]) >= 200]
    assert 0 < len(kept) < 40
    assert out == [dj_to_messages(alpaca_to_dj(r)) for r in kept]
    assert out[0]["messages"][0] == {"role": "user", "content": "\n".join(
        t for t in (kept[0]["instruction"], kept[0]["input"]) if t)}


@pytest.mark.spark
def test_job_sharegpt_in_alpaca_out(spark, tmp_path, shared_data):
    from sparkops.ops.cleaning.whitespace import normalize_whitespace

    lines = (shared_data / "sft" / "sharegpt_zh_1k.jsonl").read_text(encoding="utf-8").splitlines()
    empty = next(i for i, line in enumerate(lines)
                 if any(not m["value"].strip() for m in json.loads(line)["conversations"]))
    picked = lines[:30] + [lines[empty]] + [json.dumps({"conversations": [
        {"from": "human", "value": "a"}, {"from": "human", "value": "b"}]})]
    (tmp_path / "chats.jsonl").write_text("\n".join(picked) + "\n", encoding="utf-8")
    result, bad, out = _run_job(spark, tmp_path, {
        "name": "sft", "input": {"format": "sharegpt", "path": str(tmp_path / "chats.jsonl")},
        "output": {"path": str(tmp_path / "wh"), "export": str(tmp_path / "out.jsonl"), "export_format": "alpaca"},
        "stages": [{"name": "clean", "process": ["whitespace_normalization_mapper",
                                                 {"text_length_filter": {"text_key": "query", "min_len": 12}}]}]})
    assert (result.input_rows, result.quarantined) == (30, 2)
    reasons = sorted((b._line, b.reason) for b in bad)
    empty_at = next(j for j, m in enumerate(json.loads(lines[empty])["conversations"]) if not m["value"].strip())
    side = "user" if empty_at % 2 == 0 else "assistant"
    assert reasons == [(31, f"sharegpt: conversations[{empty_at}]: empty {side} turn"),
                       (32, "sharegpt: conversations[1]: wrong role order: two user turns in a row ('human', 'human')")]
    # the mapper rewrote the response (the ops' text), the filter read the query field
    expected = []
    for line in lines[:30]:
        d = to_dj("sharegpt", json.loads(line))
        if len(d["query"]) >= 12:
            d["response"] = normalize_whitespace([d["response"]], {})[0]
            expected.append(from_dj("alpaca", d))
    assert 0 < len(expected) < 30
    assert out == expected
    assert all(set(r) <= {"input", "output", "history"} and r["output"] == r["output"].strip() for r in out)


def test_spec_input_and_export_settings(tmp_path):
    import yaml

    from sparkops.jobs.spec import SpecError, load

    def spec(inp: dict, output: dict):
        path = tmp_path / "job.yaml"
        path.write_text(yaml.safe_dump({"name": "j", "input": inp, "output": output,
                                        "stages": [{"name": "s", "process": ["whitespace_normalization_mapper"]}]}))
        return load(path)

    s = spec({"format": "sharegpt", "path": "chats.jsonl"}, {"path": "wh", "export": "out.jsonl",
                                                              "export_format": "messages"})
    assert (s.input.text_key, s.export_path, s.export_format) == ("response", str(tmp_path / "out.jsonl"), "messages")
    assert spec({"format": "jsonl", "path": "a.jsonl"}, {"path": "wh"}).input.text_key == "text"
    assert spec({"format": "alpaca", "path": "a.json", "text_key": "instruction"}, {"path": "wh"}).input.text_key \
        == "instruction"
    with pytest.raises(SpecError, match="'export_format' needs 'export'"):
        spec({"format": "alpaca", "path": "a.json"}, {"path": "wh", "export_format": "messages"})
    with pytest.raises(SpecError, match="'export_format' must be one of alpaca, sharegpt, .*got 'chatml'"):
        spec({"format": "alpaca", "path": "a.json"}, {"path": "wh", "export": "o.jsonl", "export_format": "chatml"})
    with pytest.raises(SpecError, match="export must end in .jsonl, .json or .parquet"):
        spec({"format": "alpaca", "path": "a.json"}, {"path": "wh", "export": "o.csv"})


def test_formats_package_is_pure():
    """The reader's tasks and the export run it: no pyspark in it (as sparkops.ops)."""
    import ast

    import sparkops.formats

    for path in Path(sparkops.formats.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "pyspark" for n in names), path.name


def test_system_and_instruction_messages_both_kept():
    """Data-Juicer 1.6.1 loses the user's turn here (tools/dj_parity/README.md); we keep all four."""
    d = to_dj("sharegpt", {"conversations": [{"from": "system", "value": "S"}, {"from": "instruction", "value": "I"},
                                             {"from": "human", "value": "H"}, {"from": "gpt", "value": "A"}]})
    assert d == {"system": "S", "instruction": "I", "query": "H", "response": "A", "history": []}
    assert from_dj("messages", d)["messages"] == [{"role": "system", "content": "S"},
                                                  {"role": "user", "content": "I\nH"},
                                                  {"role": "assistant", "content": "A"}]


@pytest.mark.spark
def test_export_sets_aside_records_it_cannot_convert(spark, tmp_path):
    from sparkops.jobs.runner import REJECTED_SUFFIX, export

    good = to_dj("kto", {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
                         "label": True})
    rows = [(json.dumps(good), "an answer", "f.jsonl", 1), (json.dumps({**good, "label": None}), "x", "f.jsonl", 2),
            (json.dumps(good), "", "f.jsonl", 3)]  # an op emptied the answer
    df = spark.createDataFrame(rows, "_record string, text string, _source string, _line long")
    path, rejected = export(df, str(tmp_path / "kto.jsonl"), "response", "kto")
    assert rejected == 2
    assert [json.loads(x) for x in Path(path).read_text().splitlines()] == [
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "an answer"}], "label": True}]
    bad = [json.loads(x) for x in Path(path + REJECTED_SUFFIX).read_text().splitlines()]
    assert [(b["_line"], b["reason"]) for b in bad] == [
        (2, "kto: 'label' is null, not a boolean"), (3, "kto: empty response: a KTO record labels an answer")]
