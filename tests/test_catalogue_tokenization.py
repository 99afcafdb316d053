"""``tokenization: true`` against Data-Juicer 1.6.1 itself, and Data-Juicer's recipes that use it.

``tests/fixtures/dj_tokenization.json.gz`` (``tools/dj_parity/gen_tokenization_fixture.py``) holds
what Data-Juicer's ops computed with ``tokenization: true`` per document of
``tests/tokenization_corpus.py``, loading sparkops' own sentencepiece models
(``sparkops/assets/perplexity/{lang}.sp.model``) through its model loader: the statistic and keep
flag of each filter, the output of ``remove_words_with_incorrect_substrings_mapper``. The
Chinese documents come from ../shared/data (skipped, with the shared-data reason, without it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

import tokenization_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.jobs import recipe_yaml
from sparkops.ops.quality.tokenization import SP_MODELS_ENV, words
from sparkops.text.doc import Doc

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads(gzip.decompress((ROOT / "tests" / "fixtures" / "dj_tokenization.json.gz").read_bytes()))
RECIPES = sorted((ROOT / "jobs" / "dj_recipes").glob("*.yaml"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fixture_pins_the_documents_and_models(lang):
    assert FIXTURE["data_juicer"] == "1.6.1"
    assert FIXTURE["docs"][lang] == corpus.sha256_docs(corpus.documents(lang))
    model = corpus.SP_MODELS / f"{lang}.sp.model"
    assert FIXTURE["sp_models"][lang] == hashlib.sha256(model.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["id"])
def test_every_document_equals_data_juicer(case):
    if case["op"] == "alphanumeric_filter":
        pytest.importorskip("wordllama", reason="the `embed` extra (wordllama: the default tokenizer) is missing")
    docs = corpus.documents(corpus.lang_of(case["id"]))
    op = bind({case["op"]: case["params"]})
    if case["op"].endswith("_mapper"):
        got = {i: corpus.digest(t) for (i, _), t in zip(docs, op.apply([t for _, t in docs]))}
        assert got == case["rows"]
        return
    stats = op.compute([Doc(t) for _, t in docs])
    key = next(k for k, v in stats.items() if v[0] is not None)
    got = {i: [stats[key][j], op.keep({k: v[j] for k, v in stats.items()})] for j, (i, _) in enumerate(docs)}
    assert got == {i: [v, k] for i, (v, k) in case["rows"].items()}


def test_pieces_keep_their_word_start_mark():
    """Data-Juicer's quirk, kept: '▁' is not a special character, so no English piece that starts a
    word equals a listed word, and '▁.' refines to '▁'."""
    sp = bind({"words_num_filter": {"tokenization": True}}).prepared["_sp"]
    got = list(words(Doc("Hello . fuck"), sp, lower=True))
    assert got[0].startswith("\u2581") and "\u2581" in got
    flagged = bind({"flagged_words_filter": {"tokenization": True}})
    assert flagged.compute([Doc("fuck fuck fuck")])["flagged_words_ratio"] == [0.0]
    assert bind("flagged_words_filter").compute([Doc("fuck fuck fuck")])["flagged_words_ratio"] == [1.0]


def test_a_language_without_a_model_is_refused_naming_those_there_are():
    with pytest.raises(OpError, match=r"lang 'de' has no sentencepiece model \(available: en, zh"):
        bind({"word_repetition_filter": {"lang": "de", "tokenization": True}})
    bind({"word_repetition_filter": {"lang": "de"}})  # without tokenization lang is not used


def test_the_model_folder_can_be_data_juicers(tmp_path, monkeypatch):
    """SPARKOPS_SP_MODELS names a folder of {lang}.sp.model files (Data-Juicer's): its languages,
    and only those, are then available."""
    shutil.copyfile(corpus.SP_MODELS / "en.sp.model", tmp_path / "xx.sp.model")
    text = "The quick brown fox jumps over the lazy dog. " * 3
    ours = bind({"words_num_filter": {"tokenization": True}}).compute([Doc(text)])
    monkeypatch.setenv(SP_MODELS_ENV, str(tmp_path))
    op = bind({"words_num_filter": {"lang": "xx", "tokenization": True}})
    assert op.prepared["_sp"] == (str(tmp_path.resolve()), "xx")
    assert op.compute([Doc(text)]) == ours
    with pytest.raises(OpError, match=rf"available: xx; {SP_MODELS_ENV}="):
        bind({"words_num_filter": {"lang": "en", "tokenization": True}})


def test_huge_texts_are_encoded_in_parts_with_the_same_pieces(monkeypatch):
    from sparkops.ops.quality import tokenization

    text = " ".join(t for _, t in corpus.documents("en")[:40])
    sp = bind({"words_num_filter": {"tokenization": True}}).prepared["_sp"]
    whole = tokenization.pieces(text, sp)
    monkeypatch.setattr(tokenization, "PART_CHARS", 5_000)
    assert tokenization.pieces(text, sp) == whole


def _recipe(path: Path, data: Path, out: Path) -> dict:
    recipe = recipe_yaml.load(path.read_text(encoding="utf-8"))  # as Data-Juicer reads it (2e5 a number)
    recipe.update(dataset_path=str(data), export_path=str(out / "processed.jsonl"))
    return recipe


def test_every_data_juicer_recipe_here_validates(tmp_path, c4_path):
    """All 23 validate; the two code recipes' alphanumeric_filter tokenizer is in the `embed` extra."""
    import importlib.util

    from sparkops.jobs.spec import SpecError, load

    assert len(RECIPES) == 23
    embed = importlib.util.find_spec("wordllama") is not None
    for path in RECIPES:
        spec_file = tmp_path / path.name
        spec_file.write_text(yaml.safe_dump(_recipe(path, c4_path, tmp_path / "out"), sort_keys=False))
        if embed or path.name not in ("redpajama-code-refine.yaml", "stack-code-refine.yaml"):
            load(spec_file)
        else:
            with pytest.raises(SpecError, match=r"sparkops\[embed\]"):
                load(spec_file)


@pytest.mark.spark
def test_a_redpajama_recipe_runs_with_tokenization(spark, tmp_path, c4_path):
    """Data-Juicer's RedPajama Wikipedia recipe, unchanged but for its paths, over 200 C4 documents:
    its three `tokenization: true` filters count sentencepiece pieces in the job."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    with open(c4_path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f][:200]
    data = tmp_path / "c4.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    spec_file = tmp_path / "recipe.yaml"
    recipe = _recipe(ROOT / "jobs" / "dj_recipes" / "redpajama-wiki-refine.yaml", data, tmp_path / "out")
    spec_file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    result = run(spark, load(spec_file), say=lambda m: None)
    assert result.input_rows == 200 and result.quarantined == 0
    kept, rejected = (spark.read.format("delta").load(f"{result.output}/{t}").select("text", "stats").collect()
                      for t in ("process", "process_rejected"))
    rows = kept + rejected
    assert len(rows) == 200 and len(kept) == len(Path(result.export).read_text(encoding="utf-8").splitlines())
    # every row that reached the tokenized filters has the counts of sparkops' en model's pieces,
    # not of words split on spaces
    reached = [r for r in rows if r.stats.num_words is not None]
    assert len(reached) > 20
    num_words = bind({"words_num_filter": {"lang": "en", "tokenization": True}})
    rep = bind({"word_repetition_filter": {"lang": "en", "tokenization": True, "rep_len": 10}})
    docs = [Doc(r.text) for r in reached]
    assert [r.stats.num_words for r in reached] == num_words.compute(docs)["num_words"]
    assert [r.stats.word_rep_ratio for r in reached if r.stats.word_rep_ratio is not None] == [
        v for r, v in zip(reached, rep.compute(docs)["word_rep_ratio"]) if r.stats.word_rep_ratio is not None]
    assert all(r.stats.num_words > len(d.refined_words) for r, d in zip(reached, docs))
