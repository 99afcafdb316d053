"""The domain recipes of jobs/ (web_zh, code, arxiv_math) and one of Data-Juicer's own recipes
(jobs/dj_recipes/) run end to end on small real inputs; each spec is the shipped file with its
paths moved into tmp_path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _spec(tmp_path: Path, name: str, replace: dict[str, str]) -> Path:
    text = (ROOT / "jobs" / f"{name}.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _table(spark, out: Path, name: str) -> list:
    return spark.read.format("delta").load(str(out / name)).collect()


def test_web_zh_converts_filters_and_dedups_chinese(spark, tmp_path):
    import opencc

    answers = json.loads((ROOT / "data" / "sft" / "alpaca_zh_demo.json").read_text(encoding="utf-8"))
    records = answers[:60]
    chinese = next(r for r in records if len(r["output"]) > 200 and "\n" not in r["output"])
    english = next(r for r in answers if r["output"].isascii() and len(r["output"]) > 200)
    # the same answer in traditional characters: converted back by the recipe, then a copy
    traditional = dict(chinese, output=opencc.OpenCC("s2t").convert(chinese["output"]))
    assert traditional["output"] != chinese["output"]
    records += [english, traditional]
    data = tmp_path / "zh.json"
    data.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "wh"
    spec = load(_spec(tmp_path, "web_zh", {"../data/sft/alpaca_zh_demo.json": str(data),
                                           "../warehouse/web_zh": str(out)}))
    result = run(spark, spec, say=lambda m: None)
    assert result.input_rows == len(records) and result.quarantined == 0

    dropped = {r.text: r._dropped_by
               for r in _table(spark, out, "quality_rejected")}
    assert dropped[english["output"]] == "language_id_score_filter"
    kept = _table(spark, out, "quality")
    # the character-spaced copy gives Chinese text real stopword ratios (0 for 96% unspaced)
    assert all(r.stats.stopwords_ratio >= 0.05 for r in kept)
    assert sorted(r.stats.stopwords_ratio for r in kept)[len(kept) // 2] > 0.1
    # the traditional copy, now simplified, is removed as a duplicate of the original
    deduped = _table(spark, out, "dedup_rejected")
    assert len(deduped) >= 1
    assert all(r._dropped_by in ("document_deduplicator", "document_minhash_deduplicator") for r in deduped)
    # (texts differ from the input's: full-width punctuation is normalized; the instruction is not)
    assert [json.loads(r._record)["instruction"] for r in deduped].count(chinese["instruction"]) == 1
    final = [json.loads(r._record)["instruction"] for r in _table(spark, out, "dedup")]
    assert final.count(chinese["instruction"]) == 1


def test_code_recipe_strips_licence_headers_and_drops_generated_and_copied_code(spark, tmp_path):
    with open(ROOT / "data" / "code" / "attrs_source.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    source = next(r for r in records if r["path"] == "attr/filters.py")
    # a near copy (one line edited) and a "minified" one-line file: what the dedup and the
    # line-length heuristics are for
    near = dict(source, id="near-copy", text=source["text"].replace("Commonly useful filters", "Useful filters"))
    header, body = source["text"].split("\n", 1)
    oneline = dict(source, id="one-line", text=header + "\n" + "; ".join(body.splitlines()))
    data = _jsonl(tmp_path / "code.jsonl", records + [near, oneline])
    out = tmp_path / "wh"
    spec = load(_spec(tmp_path, "code", {"../data/code/attrs_source.jsonl": str(data), "../warehouse/code": str(out)}))
    result = run(spark, spec, say=lambda m: None)
    assert result.input_rows == len(records) + 2

    cleaned = _table(spark, out, "clean")
    assert len(cleaned) == len(records) + 2
    assert not any("SPDX-License-Identifier" in r.text.split("\n", 1)[0] for r in cleaned)
    assert all("SPDX-License-Identifier" in r["text"] for r in records)  # there before
    why = {json.loads(r._record)["id"]: r._dropped_by for r in _table(spark, out, "quality_rejected")}
    # the attrs/ modules that only re-export attr/ ones are too short to be code worth training on
    stubs = {r["id"] for r in records if len(r["text"]) < 100}
    assert stubs and all(why[i] == "text_length_filter" for i in stubs)
    assert why["attrs:attr/_make.py"] == "text_length_filter"  # over the stack recipe's 96,714
    assert why["one-line"] == "maximum_line_length_filter"
    dups = {json.loads(r._record)["id"]: r._dropped_by for r in _table(spark, out, "dedup_rejected")}
    assert dups == {"near-copy": "document_minhash_deduplicator"}


def test_arxiv_math_keeps_the_body_of_latex_documents(spark, tmp_path):
    with open(ROOT / "data" / "arxiv" / "latex_sample.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    out = tmp_path / "wh"
    spec = load(_spec(tmp_path, "arxiv_math", {"../data/arxiv/latex_sample.jsonl": str(ROOT / "data" / "arxiv" / "latex_sample.jsonl"),
                                               "../warehouse/arxiv_math": str(out)}))
    result = run(spark, spec, say=lambda m: None)
    assert result.input_rows == len(records) == 10
    kept = _table(spark, out, "dedup")
    assert kept
    heading = re.compile(r"\\(part|chapter|section|subsection|subsubsection|paragraph|subparagraph)\b")
    for r in kept:
        source = next(s["text"] for s in records if s["id"] == json.loads(r._record)["id"])
        assert "\\documentclass" in source or "\\section" in source
        assert heading.match(r.text), r.text[:80]            # the preamble is gone
        assert not re.search(r"(?m)^%", r.text)               # comment lines are gone
        assert "\\begin{thebibliography}" not in r.text and "\\bibliography{" not in r.text
    # documents without a section (figure snippets, an empty file) end empty and are dropped
    why = {json.loads(r._record)["id"]: r._dropped_by for r in _table(spark, out, "quality_rejected")}
    assert all(why[s["id"]] == "text_length_filter" for s in records if not heading.search(s["text"]))


def test_data_juicer_stack_code_recipe_runs_unchanged_on_c4(spark, tmp_path, c4_path):
    with open(c4_path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    # a copy differing only in case and punctuation, which the recipe's SimHash ignores
    copy = {"text": re.sub(r"[.,]", "", records[7]["text"]).upper()}
    data = _jsonl(tmp_path / "c4.jsonl", records + [copy])
    recipe = yaml.safe_load((ROOT / "jobs" / "dj_recipes" / "redpajama-stack-code-deduplicate.yaml").read_text(encoding="utf-8"))
    recipe.update(dataset_path=str(data), export_path=str(tmp_path / "out" / "processed.jsonl"))
    spec_file = tmp_path / "recipe.yaml"
    spec_file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    result = run(spark, load(spec_file), say=lambda m: None)
    exported = [json.loads(line)["text"] for line in Path(result.export).read_text(encoding="utf-8").splitlines()]
    assert result.input_rows == len(records) + 1
    assert records[7]["text"] in exported and copy["text"] not in exported
    rejected = spark.read.format("delta").load(f"{result.output}/process_rejected").collect()
    assert len(exported) + len(rejected) == len(records) + 1
    assert {r._dropped_by for r in rejected} == {"document_simhash_deduplicator"}
