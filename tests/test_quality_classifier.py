"""quality_classifier_filter and ``sparkops quality``: Spark ML's Tokenizer / HashingTF reproduced in
Python (checked against Spark itself), the kernel's probabilities against a fitted Spark ML
pipeline's, Data-Juicer's keep methods, the shipped models on held-out real text, bad input, and
the op in a job."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from sparkops.core import OpError, bind
from sparkops.ops.quality.classifier_model import QualityModel, load_model, zh_tokenize
from sparkops.ops.quality.quality_classifier import (PARETO_ALPHA, pareto_draw, quality_model, resolve_model,
                                                     should_keep)
from sparkops.text.doc import Doc
from sparkops.text.spark_features import TermIndexer, murmur3_32, spark_tokenize

ROOT = Path(__file__).resolve().parents[1]
# Java's split / toLowerCase and UTF-8 corner cases: runs of whitespace, leading / trailing
# whitespace, only whitespace, non-ASCII spaces (not split), final sigma, dotted capital I,
# astral characters, every tail length of murmur3 (1..3 bytes)
EDGE = ["Hello  World", " lead", "tail  ", "", "   ", "a\tb\nc\x0bd\fe\rf\u00a0g\u3000h", "ΣΊΣΥΦΟΣ İstanbul ÉTÉ",
        "中文 文本abc", "x", "ab", "abc", "abcd", "abcde", "emoji 😀 ok 𠀋", "Ünïcödé\u200bzero-width"]


def _real_texts(shared_data: Path, n: int = 40) -> list[str]:
    wiki = (shared_data / "web" / "wiki_sample.txt").read_text(encoding="utf-8").splitlines()[:3]
    novel = (shared_data / "web" / "zh_novel_sample.txt").read_text(encoding="utf-8").splitlines()[:n]
    c4 = [json.loads(line)["text"] for line in open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8")][:n]
    udhr = [p.read_text(encoding="utf-8", errors="replace")[:2000] for p in sorted((shared_data / "lid" / "udhr").glob("*.txt"))[:60]]
    return [w[:20000] for w in wiki] + novel + c4 + udhr


# ---- Spark ML parity

@pytest.mark.spark
def test_tokenizer_and_hashing_tf_equal_spark_ml(spark, shared_data):
    from pyspark.ml.feature import HashingTF, Tokenizer

    texts = EDGE + _real_texts(shared_data)
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "i long, text string")
    for num_features in (1 << 18, 1000):
        hashed = HashingTF(inputCol="words", outputCol="f", numFeatures=num_features).transform(
            Tokenizer(inputCol="text", outputCol="words").transform(df))
        indexer = TermIndexer(num_features)
        rows = sorted(hashed.collect(), key=lambda r: r.i)
        assert len(rows) == len(texts)
        for text, row in zip(texts, rows):
            assert spark_tokenize(text) == list(row.words), text[:80]
            assert indexer.features(spark_tokenize(text)) == dict(zip(row.f.indices.tolist(), row.f.values.tolist()))


def test_murmur3_known_values():
    # the reference values of MurmurHash3_x86_32 (Appleby's SMHasher verification inputs)
    assert murmur3_32(b"", 0) == 0
    assert murmur3_32(b"", 1) == 0x514E28B7
    assert murmur3_32(b"\xff\xff\xff\xff", 0) == 0x76293B50
    assert murmur3_32(b"Hello, world!", 1234) == -(1 << 32) + 0xFAF6CDB3


@pytest.mark.spark
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_kernel_equals_the_spark_ml_pipeline_on_held_out_text(spark, shared_data, lang, tmp_path):
    from sparkops.spark.quality import TOKENIZER_OF_LANG, TrainSettings, export_model, fit, spark_scores

    if lang == "en":
        pos = [json.loads(line)["output"] for line in [json.dumps(r) for r in json.loads(
            (shared_data / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))]]
        neg = [json.loads(line)["text"] for line in open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8")]
    else:
        pos = [r["output"] for r in json.loads((shared_data / "sft" / "alpaca_zh_demo.json").read_text(encoding="utf-8"))]
        # the rejected answers: Chinese text unlike the positives (the novel sample is not trained on)
        neg = [r["rejected"] for r in map(json.loads, open(shared_data / "sft" / "dpo_zh_500.jsonl", encoding="utf-8"))]
    train_pos, held_pos = pos[:150], pos[150:190]
    train_neg, held_neg = neg[:150], neg[150:190]
    tokenizer = TOKENIZER_OF_LANG[lang]
    fitted = fit(spark, spark.createDataFrame([(t,) for t in train_pos], "text string"),
                 spark.createDataFrame([(t,) for t in train_neg], "text string"), tokenizer,
                 TrainSettings(num_features=1 << 14, reg_param=0.01, max_iter=30))
    model = export_model(fitted, tokenizer, "label")
    path = tmp_path / "m.qc.json.gz"
    model.save(path)
    loaded = load_model(path)
    held = held_pos + held_neg + ["", "   ", "x" * 5000]
    reference = spark_scores(spark, fitted, held, tokenizer)
    mine = [loaded.score(t) for t in held]
    assert max(abs(a - b) for a, b in zip(reference, mine)) < 1e-12
    assert len(set(round(s, 6) for s in mine)) > 20  # graded scores, not all 0 / 1
    assert path.read_bytes() == (model.save(tmp_path / "again.gz") or (tmp_path / "again.gz").read_bytes())


# ---- Data-Juicer's keep methods

def test_label_keep_method_is_score_above_half():
    assert [should_keep(s, "t", "label", 1) for s in (0.0, 0.5, 0.5000001, 1.0)] == [0, 0, 1, 1]


def test_gpt3_draw_is_seeded_per_text():
    texts = [f"document {i}" for i in range(2000)]
    first = [pareto_draw(t, 42) for t in texts]
    assert first == [pareto_draw(t, 42) for t in texts]                      # a re-run draws the same
    assert first[::-1] == [pareto_draw(t, 42) for t in reversed(texts)]      # order does not matter
    other = [pareto_draw(t, 7) for t in texts]
    assert sum(a != b for a, b in zip(first, other)) > 1990                  # another seed, other draws
    keeps = [should_keep(0.6, t, "gpt3", 42) for t in texts]
    assert keeps == [int(0.6 > 1 - d) for d in first]


def test_gpt3_draws_follow_numpy_pareto_9():
    """The draws are Lomax(9), numpy's ``pareto(9)``: CDF 1 - (1 + x) ** -9, mean 1/8."""
    draws = sorted(pareto_draw(f"row {i}", 42) for i in range(20000))
    n = len(draws)
    worst = max(abs((i + 1) / n - (1 - (1 + x) ** -PARETO_ALPHA)) for i, x in enumerate(draws))
    assert worst < 1.63 / math.sqrt(n)  # Kolmogorov-Smirnov at the 1% level
    assert abs(sum(draws) / n - 1 / (PARETO_ALPHA - 1)) < 0.01
    import numpy as np

    theirs = np.random.default_rng(0).pareto(PARETO_ALPHA, n)
    assert abs(float(np.mean(theirs)) - sum(draws) / n) < 0.01


@pytest.mark.parametrize("score", [0.0, 0.3, 0.7, 0.9, 1.0])
def test_gpt3_keep_rate_matches_the_formula(score):
    """P(keep | s) = P(pareto > 1 - s) = (2 - s) ** -9 (DJ: score > 1 - np.random.pareto(9))."""
    n = 20000
    rate = sum(should_keep(score, f"text {i}", "gpt3", 3) for i in range(n)) / n
    expected = (2 - score) ** -PARETO_ALPHA
    assert abs(rate - expected) <= 4 * math.sqrt(expected * (1 - expected) / n) + 1e-9


# ---- the shipped models on held-out real data (numbers: bench/results_quality.json)

@pytest.fixture(scope="module")
def recipe(shared_data):
    sys.path.insert(0, str(ROOT / "tools"))
    import train_quality

    return train_quality


@pytest.mark.parametrize("lang, floor, f1_floor", [("en", 0.95, 0.85), ("zh", 0.88, 0.82)])
def test_shipped_models_separate_held_out_text(recipe, lang, floor, f1_floor):
    """Floors: the measured held-out AUC / F1 (en 0.985 / 0.928, zh 0.912 / 0.854) less a margin."""
    from sparkops.spark.quality import binary_metrics

    (train_pos, held_pos), (train_neg, held_neg) = recipe.splits(lang)
    assert not (set(train_pos) | set(train_neg)) & (set(held_pos) | set(held_neg))
    model = quality_model(lang)
    scores = [model.score(t) for t in held_pos + held_neg]
    metrics = binary_metrics([1] * len(held_pos) + [0] * len(held_neg), scores)
    assert metrics["auc"] >= floor and metrics["f1"] >= f1_floor
    assert model.info["held"] == {"positive": len(held_pos), "negative": len(held_neg)}  # same split as training
    kept_pos = sum(should_keep(s, t, model.keep_method, 42) for s, t in zip(scores, held_pos)) / len(held_pos)
    kept_neg = sum(should_keep(s, t, model.keep_method, 42) for s, t in zip(scores[len(held_pos):], held_neg)) / len(held_neg)
    assert kept_pos > kept_neg + 0.4


def test_data_juicer_model_names_and_defaults():
    assert resolve_model("gpt3") == resolve_model("en") and resolve_model("chinese") == resolve_model("zh")
    assert quality_model("en").keep_method == "gpt3" and quality_model("zh").keep_method == "label"
    assert bind("quality_classifier_filter").prepared["keep_method"] == "gpt3"
    assert bind({"quality_classifier_filter": {"model": "chinese"}}).prepared["keep_method"] == "label"


# ---- bad input

@pytest.mark.parametrize("params, message", [
    ({"model": "nope"}, r"op 'quality_classifier_filter': unknown quality model 'nope': use one of en, zh"),
    ({"model": "code"}, r"`code` quality model is not available"),
    ({"keep_method": "top"}, r"parameter 'keep_method' must be one of \['gpt3', 'label'\]"),
    ({"seed": "x"}, r"parameter 'seed' must be int"),
])
def test_wrong_parameters_give_precise_errors(params, message):
    with pytest.raises(OpError, match=message):
        bind({"quality_classifier_filter": params})


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "bad.qc.json.gz"
    bad.write_text("not gzip")
    with pytest.raises(OpError, match=r"not a sparkops quality-classifier model"):
        bind({"quality_classifier_filter": {"model": str(bad)}})


def test_empty_odd_and_huge_texts_score():
    model = quality_model("en")
    b = bind({"quality_classifier_filter": {"keep_method": "label"}})
    texts = ["", "   ", "\x00\ud800 lone surrogate", "word " * 300_000]
    stats = b.compute([Doc(t) for t in texts])
    assert all(0.0 <= s <= 1.0 for s in stats["doc_score"])
    assert stats["doc_score"][0] == model.score("") == 1 / (1 + math.exp(-model.margin("")))
    assert stats["should_keep"] == [int(s > 0.5) for s in stats["doc_score"]]
    # past MAX_CHARS the text is cut: a longer repetition scores as its first million characters
    assert model.score("word " * 400_000) == model.score(("word " * 400_000)[:1_000_000])


def test_zh_tokens_are_characters_and_bigrams():
    assert zh_tokenize("中文 文本ABC!") == ["中", "文", "中文", "文", "本", "文本", "abc!"]
    assert zh_tokenize("") == [] and zh_tokenize("  ") == []


def test_model_file_round_trip(tmp_path):
    m = QualityModel("spark", 64, -0.25, {3: 0.5, 7: -1.25}, "gpt3", {"k": 1})
    m.save(tmp_path / "m.gz")
    back = load_model(tmp_path / "m.gz")
    assert (back.tokenizer, back.num_features, back.intercept, back.weights, back.keep_method, back.info) == (
        "spark", 64, -0.25, {3: 0.5, 7: -1.25}, "gpt3", {"k": 1})
    assert back.score("a b") == m.score("a b")


# ---- in a job and in SQL

@pytest.mark.spark
def test_the_ops_in_a_job_keep_the_rows_their_kernels_keep(spark, tmp_path, shared_data):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    wiki = (shared_data / "web" / "wiki_sample.txt").read_text(encoding="utf-8").splitlines()
    c4 = [json.loads(line)["text"] for line in open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8")]
    records = [{"text": w[:3000]} for w in wiki[:10]] + [{"text": t} for t in c4[:30]]
    records += [{"text": None}, {"text": 12}, {"text": ""}]
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    kept_texts = []
    for run_no in range(1):  # a re-run decides the same: every decision is the kernel's pure function
        spec = tmp_path / f"qc{run_no}.yaml"
        spec.write_text(f"""name: qc{run_no}
input: {{format: jsonl, path: {data}, text_key: text}}
output: {{path: {tmp_path / f'wh{run_no}'}}}
stages:
  - name: quality
    process:
      - quality_classifier_filter: {{model: gpt3, seed: 5}}
      - fasttext_quality_filter: {{keep_labels: ["hq:0.5"]}}
""", encoding="utf-8")
        run(spark, load(spec), say=lambda m: None)
        kept = spark.read.format("delta").load(str(tmp_path / f"wh{run_no}" / "quality")).collect()
        rejected = spark.read.format("delta").load(str(tmp_path / f"wh{run_no}" / "quality_rejected")).collect()
        kept_texts.append(sorted(r.text for r in kept))
        model = quality_model("en")
        for r in kept:
            assert r.stats.doc_score == pytest.approx(model.score(r.text), abs=1e-12) and r.stats.should_keep == 1
            assert r.stats.fasttext_score >= 0.5 and r.stats.fasttext_keep == 1
            assert json.loads(r.stats.fasttext_labels)["__label__hq"] == r.stats.fasttext_score
        by = {r._dropped_by for r in rejected}
        assert "quality_classifier_filter" in by and by <= {"quality_classifier_filter", "fasttext_quality_filter"}
        # the null and the non-string text never reach the op (the row contract sets them aside)
        assert all(isinstance(r.text, str) for r in kept + rejected) and len(kept) + len(rejected) == 41
        assert all(r._dropped_by != "quality_classifier_filter" or r.stats.should_keep == 0 for r in rejected)
        assert all(r._dropped_by != "fasttext_quality_filter" or r.stats.fasttext_keep == 0 for r in rejected)
    ft = bind({"fasttext_quality_filter": {"keep_labels": ["hq:0.5"]}})
    expected = []
    for r in records:
        t = r["text"]
        if isinstance(t, str) and should_keep(quality_model("en").score(t), t, "gpt3", 5):
            stats = ft.compute([Doc(t)])
            if ft.keep({k: v[0] for k, v in stats.items()}):
                expected.append(t)
    assert kept_texts[0] == sorted(expected)
    wiki_kept = sum(t in {w[:3000] for w in wiki} for t in kept_texts[0])
    assert wiki_kept >= 7 and len(kept_texts[0]) - wiki_kept <= 6


@pytest.mark.spark
def test_sql_functions(spark):
    from sparkops.spark.functions import register

    register(spark)
    row = spark.sql("SELECT quality_score('The committee approved the budget.') AS a, "
                    "quality_score('中文文本', 'zh') AS b, quality_classifier('x', 'en', 'label') AS c, "
                    "quality_score(NULL) AS d").first()
    assert row.a == pytest.approx(quality_model("en").score("The committee approved the budget."), abs=1e-12)
    assert row.b == pytest.approx(quality_model("zh").score("中文文本"), abs=1e-12)
    assert row.c.should_keep == int(row.c.doc_score > 0.5) and row.d is None


@pytest.mark.spark
def test_cli_train_eval_predict(spark, shared_data, tmp_path, capsys):
    from sparkops.cli import main

    pos = tmp_path / "pos.txt"
    pos.write_text("\n".join(line[:1500] for line in (shared_data / "web" / "wiki_sample.txt").read_text(
        encoding="utf-8").splitlines()[:20]) + "\n", encoding="utf-8")
    neg = tmp_path / "neg.jsonl"
    neg.write_text("".join(open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8").readlines()[:40]),
                   encoding="utf-8")
    model = tmp_path / "m.qc.json.gz"
    assert main(["quality", "train", "--positive", str(pos), "--negative", str(neg), "--out", str(model),
                 "--reg-param", "0.1", "--num-features", "4096"]) == 0
    trained = load_model(model)
    assert trained.num_features == 4096 and trained.tokenizer == "spark" and trained.keep_method == "gpt3"
    capsys.readouterr()
    assert main(["quality", "eval", "--model", str(model), "--positive", str(pos), "--negative", str(neg)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert (metrics["positives"], metrics["negatives"]) == (20, 40) and metrics["auc"] > 0.9  # its training data
    out = tmp_path / "pred"
    assert main(["quality", "predict", str(neg), "--model", str(model), "--keep-method", "label",
                 "--out", str(out)]) == 0
    rows = [json.loads(line) for f in sorted(out.glob("part-*.json")) for line in open(f, encoding="utf-8")]
    assert len(rows) == 40
    assert all(r["doc_score"] == pytest.approx(trained.score(r["text"]), abs=1e-12) for r in rows)
    assert all(r["should_keep"] == int(r["doc_score"] > 0.5) for r in rows)
    assert main(["quality", "predict", str(neg), "--model", "nope", "--out", str(out)]) == 2
    assert "unknown quality model 'nope'" in capsys.readouterr().err
