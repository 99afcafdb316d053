"""fasttext_quality_filter against datatrove 0.10.1's FastTextClassifierFilter itself (the fixture
``tests/fixtures/datatrove_fasttext_quality.json.gz``, made by tools/dt_parity/gen_fasttext_fixture.py
with the shipped model over the parity corpus), its held-out quality, the trainer's
reproducibility and bad input (the op in a job: tests/test_quality_classifier.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sparkops.core import OpError, bind
from sparkops.ops.quality.fasttext_quality import label_scores, resolve_model
from sparkops.text.doc import Doc

pytest.importorskip("fasttext")
FIXTURE = Path(__file__).parent / "fixtures" / "datatrove_fasttext_quality.json.gz"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def corpus(fixture, shared_data):
    from parity_corpus import documents

    docs = documents() + [("blank", "  \n "), ("empty", "")]
    assert [d for d, _ in docs] == fixture["doc_ids"], "corpus changed since the fixture was generated"
    assert [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs] == fixture["doc_sha256"]
    assert hashlib.sha256(resolve_model("en").read_bytes()).hexdigest() == fixture["model_sha256"]
    return [Doc(t) for _, t in docs]


def _ours(params: dict) -> dict:
    """datatrove's (label, min_score) tuples as our `label:min_score` items."""
    out = {}
    for key, value in params.items():
        if key.endswith("labels"):
            pairs = [value] if isinstance(value[0], str) else value
            out[key] = [f"{label}:{score}" for label, score in pairs]
        else:
            out[key] = value
    if "remove_labels" in out:
        out["keep_labels"] = None
    return out


@pytest.mark.parametrize("case", range(4))
def test_decisions_and_scores_are_datatrove_s(fixture, corpus, case):
    entry = fixture["cases"][case]
    b = bind({"fasttext_quality_filter": _ours(entry["params"])})
    stats = b.compute(corpus)
    rows = [{k: stats[k][i] for k in stats} for i in range(len(corpus))]
    kept = [b.keep(r) for r in rows]
    diff = [fixture["doc_ids"][i] for i, (a, t) in enumerate(zip(kept, entry["kept"])) if a != t]
    assert not diff, diff[:10]
    for i, theirs in enumerate(entry["scores"]):
        mine = json.loads(rows[i]["fasttext_labels"]) if rows[i]["fasttext_labels"] else None
        if mine is None:  # an empty text: we do not score it; datatrove scores it and removes it
            assert not corpus[i].text.strip() and not entry["kept"][i]
            continue
        assert set(mine) == set(theirs)
        # fasttext-numpy2 0.10.4 here, fasttext-numpy2-wheel 0.9.2 in datatrove's venv: same model code
        assert all(abs(mine[k] - theirs[k]) < 1e-6 for k in mine), fixture["doc_ids"][i]


def test_no_labels_keeps_every_non_empty_row():
    """datatrove 0.10.1 raises TypeError there (``[] + None``); its docstring says it keeps all."""
    b = bind({"fasttext_quality_filter": {"keep_labels": None}})
    stats = b.compute([Doc("some text"), Doc(" \n ")])
    assert [b.keep({k: stats[k][i] for k in stats}) for i in range(2)] == [True, False]
    assert stats["fasttext_score"][0] == max(json.loads(stats["fasttext_labels"][0]).values())


def test_newline_replacement_and_odd_text():
    text = "first line\nsecond line"
    assert label_scores([text], "en", "") == label_scores(["first linesecond line"], "en", "")
    assert label_scores([text], "en", " ") == label_scores(["first line second line"], "en", "")
    b = bind("fasttext_quality_filter")
    stats = b.compute([Doc("\x00 lone \ud800 surrogate"), Doc("word " * 2_000_000), Doc("")])
    assert all(0.0 <= stats["fasttext_score"][i] <= 1.0 + 1e-4 for i in (0, 1))  # fastText may overshoot 1
    assert stats["fasttext_score"][2] is None and stats["fasttext_keep"][2] is None


@pytest.mark.parametrize("params, message", [
    ({"model": "nope"}, r"op 'fasttext_quality_filter': unknown fastText quality model 'nope': use en"),
    ({"keep_labels": ["nope"]}, r"label 'nope' is not a label of model 'en' \(labels: (hq, lq|lq, hq)\)"),
    ({"remove_labels": ["lq"]}, r"give keep_labels or remove_labels, not both"),
    ({"keep_labels": ["hq:high"]}, r"keep_labels item 'hq:high' must be 'label' or 'label:min_score'"),
    ({"threshold": "x"}, r"parameter 'threshold' must be float"),
])
def test_wrong_parameters_give_precise_errors(params, message):
    with pytest.raises(OpError, match=message):
        bind({"fasttext_quality_filter": params})


def test_a_file_that_is_not_a_fasttext_model_is_refused(tmp_path):
    bad = tmp_path / "bad.ftz"
    bad.write_bytes(b"not a model")
    with pytest.raises(OpError, match=r"not a fastText model"):
        bind({"fasttext_quality_filter": {"model": str(bad)}})


@pytest.fixture(scope="module")
def recipe(shared_data):
    sys.path.insert(0, str(ROOT / "tools"))
    import train_quality

    return train_quality


def test_held_out_quality_floor(recipe):
    """Measured held-out AUC 0.963, F1 0.905 (bench/results_quality.json), less a margin."""
    from sparkops.spark.quality import binary_metrics

    (_, held_pos), (_, held_neg) = recipe.splits("en")
    scores = [s["__label__hq"] for s in label_scores(held_pos + held_neg, "en", "")]
    metrics = binary_metrics([1] * len(held_pos) + [0] * len(held_neg), scores)
    assert metrics["auc"] >= 0.93 and metrics["f1"] >= 0.87


def test_the_trainer_reproduces_the_shipped_model(shared_data, tmp_path):
    # as the tool runs, in a process of its own: fastText's training reads heap memory it never
    # wrote (glibc's MALLOC_PERTURB_=170 changes the model it trains from the same file), so in a
    # process whose heap earlier work left full of other bytes it trains another model or meets a
    # NaN. A fresh process's heap gives the shipped model every time.
    env = dict(os.environ, SPARKOPS_SHARED_DATA=str(shared_data))
    subprocess.run([sys.executable, str(ROOT / "tools" / "train_quality.py"), "--only", "fasttext",
                    "--out-dir", str(tmp_path)], check=True, env=env, capture_output=True)
    assert (tmp_path / "quality_fasttext_en.ftz").read_bytes() == resolve_model("en").read_bytes()


# the op in a job: tests/test_quality_classifier.py runs it beside quality_classifier_filter
