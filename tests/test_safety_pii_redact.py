"""pii_redact_mapper and pii_detect: each action on real PII sentences (presidio-research's synthetic
set, shipped in data/safety), decoys that fail their checksums left alone, counts in meta, SQL,
and jobs/safety.yaml end to end with its gate (and the gate failing when a card survives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkops.core import OpError, bind
from sparkops.core.pipeline import Pipeline
from sparkops.ops.safety.pii_redact import pseudonym
from sparkops.text.pii import ENTITIES, detect

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "safety" / "safety_sample.jsonl"

# checksum-valid values and look-alikes that fail their checksum (or are not PII at all)
VALID = {"CREDIT_CARD": "4111 1111 1111 1111", "CN_ID_CARD": "11010519491231002X",
         "IBAN_CODE": "GB82 WEST 1234 5698 7654 32", "EMAIL_ADDRESS": "jane.doe@example.com"}
DECOYS = ["order 4111 1111 1111 1112", "ID 110105194912310021", "IBAN GB82 WEST 1234 5698 7654 33",
          "version 1.2.3.4.5", "on 2024-01-15", "ISBN 978-3-16-148410-0", "build 12.0.6020.822"]


def _sentences() -> list[str]:
    with open(SAMPLE, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if '"presidio' in line]


def test_each_action_replaces_exactly_the_detected_spans():
    texts = _sentences()
    spans = [detect(t, [e for e in ENTITIES if e != "URL"]) for t in texts]
    assert sum(map(len, spans)) > 250  # the sample holds plenty of PII
    tagged = bind("pii_redact_mapper").apply(texts)
    masked = bind({"pii_redact_mapper": {"action": "mask", "mask_char": "#"}}).apply(texts)
    hashed = bind({"pii_redact_mapper": {"action": "hash", "salt": "k1"}}).apply(texts)
    for t, found, tag, mask, hsh in zip(texts, spans, tagged["text"], masked["text"], hashed["text"]):
        want_tag, want_mask, want_hash, end = [], [], [], 0
        for s in found:
            for out, new in ((want_tag, f"<{s.type}>"), (want_mask, "#" * (s.end - s.start)),
                             (want_hash, pseudonym(s.type, t[s.start:s.end], _key("k1")))):
                out += [t[end:s.start], new]
            end = s.end
        assert tag == "".join(want_tag) + t[end:]
        assert mask == "".join(want_mask) + t[end:] and len(mask) == len(t)
        assert hsh == "".join(want_hash) + t[end:]
    counts = tagged["pii_count"]
    assert counts == [len(f) for f in spans]
    assert all(sum(c.values()) == n for c, n in zip(tagged["pii_counts"], counts))


def _key(salt: str) -> bytes:
    return bind({"pii_redact_mapper": {"action": "hash", "salt": salt}}).prepared["key"]


def test_pseudonyms_are_stable_per_value_and_salt():
    one = bind({"pii_redact_mapper": {"action": "hash", "salt": "k1"}})
    two = bind({"pii_redact_mapper": {"action": "hash", "salt": "k2"}})
    texts = [f"write to {VALID['EMAIL_ADDRESS']}", f"cc {VALID['EMAIL_ADDRESS']} and bob@example.org"]
    a, b = one.apply(texts)["text"], two.apply(texts)["text"]
    first = a[0].split()[-1]
    assert first.startswith("<EMAIL_ADDRESS:") and a[1].split()[1] == first  # same value, same pseudonym
    assert a[1].split()[-1] != first  # another value, another one
    assert b[0].split()[-1] != first  # another salt, another one
    with pytest.raises(OpError, match="needs a secret `salt`"):
        bind({"pii_redact_mapper": {"action": "hash"}})


@pytest.mark.parametrize("decoy", DECOYS)
def test_decoys_failing_their_checksums_stay_untouched(decoy):
    out = bind({"pii_redact_mapper": {"entities": list(ENTITIES)}}).apply([f"See {decoy} here."])
    assert out["text"] == [f"See {decoy} here."] and out["pii_count"] == [0]


@pytest.mark.parametrize("etype, value", sorted(VALID.items()))
def test_checksum_valid_values_are_found(etype, value):
    out = bind("pii_redact_mapper").apply([f"See {value} here."])
    assert out["text"] == [f"See <{etype}> here."] and out["pii_counts"][0][etype] == 1


def test_drop_rejects_the_document_with_its_type_and_later_ops_never_see_it():
    pipe = Pipeline([bind({"pii_redact_mapper": {"type_actions": ["CREDIT_CARD:drop"]}}),
                     bind({"specified_numeric_field_filter": {"field_key": "meta.pii_count", "max_value": 1}}),
                     bind({"text_length_filter": {"min_len": 1}})])
    texts = [f"pay with {VALID['CREDIT_CARD']} to {VALID['EMAIL_ADDRESS']}", f"mail {VALID['EMAIL_ADDRESS']}",
             f"mail {VALID['EMAIL_ADDRESS']} or call +44 20 7946 0958", "nothing here"]
    result = pipe.run(texts)
    assert result.dropped_by == ["pii_redact_mapper:CREDIT_CARD", None,
                                 "specified_numeric_field_filter:out_of_range", None]
    assert result.texts[0] == texts[0]  # a dropped document keeps its text (in the rejected table)
    assert result.texts[1] == "mail <EMAIL_ADDRESS>" and result.meta["pii_count"] == [2, 1, 2, 0]
    assert result.stats["text_len"] == [None, 20, None, 12]


@pytest.mark.parametrize("params, words", [
    ({"entities": ["EMAIL"]}, "unknown entity type(s) ['EMAIL']"),
    ({"action": "redact"}, "must be one of"),
    ({"type_actions": ["CREDIT_CARD=drop"]}, "TYPE:ACTION"),
    ({"type_actions": ["CREDIT_CARD:erase"]}, "TYPE:ACTION"),
    ({"mask_char": "**"}, "one character"),
    ({"min_score": 2}, "within [0, 1]"),
])
def test_wrong_parameters_are_precise_errors(params, words):
    with pytest.raises(OpError) as err:
        bind({"pii_redact_mapper": params})
    assert words in str(err.value)


def test_min_score_and_entities_restrict_what_is_acted_on():
    text = "ssn 536224891 at example.com, mail a@example.org"
    assert bind("pii_redact_mapper").apply([text])["text"] == ["ssn <US_SSN> at example.com, mail <EMAIL_ADDRESS>"]
    assert bind({"pii_redact_mapper": {"min_score": 0.6}}).apply([text])["text"] == [
        "ssn 536224891 at example.com, mail <EMAIL_ADDRESS>"]
    only_url = bind({"pii_redact_mapper": {"entities": ["URL"]}}).apply([text])
    assert only_url["pii_counts"][0]["URL"] >= 1 and only_url["pii_counts"][0]["EMAIL_ADDRESS"] == 0


@pytest.mark.spark
def test_pii_detect_in_sql_gives_code_point_offsets(spark):
    text = "电话：+86 138 0013 8000，邮箱 张三@example.com 😀 a@b.co"
    rows = spark.createDataFrame([(text,)], "t string").selectExpr("pii_detect(t) AS s",
                                                                   "pii_redact(t).text AS r").first()
    got = [(s.type, text[s.start:s.end], s.score) for s in rows.s]
    assert got == [(s.type, text[s.start:s.end], s.score) for s in detect(text)]
    assert ("PHONE_NUMBER", "+86 138 0013 8000") in [g[:2] for g in got]
    assert rows.r == bind("pii_redact_mapper").apply([text])["text"][0]
    assert spark.sql("SELECT pii_detect(CAST(NULL AS STRING)) AS s").first().s is None


@pytest.mark.spark
def test_safety_job_redacts_drops_and_gates(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    def spec(text: str) -> Path:
        text = (text.replace("path: ../data/safety/safety_sample.jsonl", f"path: {SAMPLE}")
                .replace("path: ../warehouse/safety", f"path: {tmp_path / 'wh'}")
                .replace("../expectations/", f"{ROOT / 'expectations'}/"))
        path = tmp_path / "safety.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    job = (ROOT / "jobs" / "safety.yaml").read_text(encoding="utf-8")
    result = run(spark, load(spec(job)), say=lambda m: None)
    assert result.input_rows == 2000 and result.stages[0].gate == "passed"
    kept = spark.read.format("delta").load(str(tmp_path / "wh" / "redact")).collect()
    rejected = spark.read.format("delta").load(str(tmp_path / "wh" / "redact_rejected")).collect()
    assert len(kept) + len(rejected) == 2000
    reasons = {}
    for r in rejected:
        reasons[r._dropped_by] = reasons.get(r._dropped_by, 0) + 1
    assert reasons.get("specified_numeric_field_filter:out_of_range", 0) > 0
    assert reasons.get("toxicity_filter", 0) > 0
    # no checksum-valid card, ID or IBAN in a kept text; tags where they were
    assert not any(s.type in ("CREDIT_CARD", "CN_ID_CARD", "IBAN_CODE") for r in kept for s in detect(r.text))
    assert sum("<CREDIT_CARD>" in r.text for r in kept) > 20
    assert all(r.meta.pii_count <= 2 and r.stats.toxicity_score <= 0.5 for r in kept)
    original = {json.loads(r._record)["id"]: r for r in kept}
    assert len(original) == len(kept)

    # the same job redacting e-mails only: cards survive and the gate stops the stage
    leaky = job.replace('{action: tag, type_actions: ["PRIVATE_KEY:drop"]}', "{entities: [EMAIL_ADDRESS]}")
    assert leaky != job
    from sparkops.jobs.runner import GateFailed

    with pytest.raises(GateFailed) as err:
        run(spark, load(spec(leaky)), say=lambda m: None, fresh=True)
    assert "checksummed_pii" in str(err.value)


def test_names_and_places_through_the_ner_backend():
    pytest.importorskip("presidio_analyzer")
    from sparkops.text.pii.ner import ner_spans

    texts = _sentences()[:200]
    bound = bind({"pii_redact_mapper": {"entities": ["PERSON", "LOCATION", "CREDIT_CARD", "EMAIL_ADDRESS"]}})
    out = bound.apply(texts)
    named = ner_spans(texts, ("PERSON", "LOCATION"))
    people = sum(1 for spans in named for s in spans if s.type == "PERSON")
    assert people > 50 and sum(c["PERSON"] for c in out["pii_counts"]) >= people - 5  # a rule span may win
    # a checksum-confirmed span beats a name over the same characters; the rest are tags
    assert all("<PERSON>" in t or c["PERSON"] == 0 for t, c in zip(out["text"], out["pii_counts"]))
    assert not any(s.type == "CREDIT_CARD" for t in out["text"] for s in detect(t, ["CREDIT_CARD"]))
