"""A plain Data-Juicer recipe, run by sparkops, exports what Data-Juicer 1.6.1 exports.

The fixture holds Data-Juicer's own JSONL export of ``jobs/web_refine_dj.yaml`` (7 mappers,
9 filters, ``document_deduplicator``) over ``tests/recipe_corpus.records()``; regenerate it
with ``tools/dj_parity/gen_recipe_fixture.py``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

import recipe_corpus
from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dj_recipe_web_refine.json.gz"


def test_recipe_export_equals_data_juicer_export(spark, tmp_path):
    expected = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    data = tmp_path / "input.jsonl"
    records = recipe_corpus.records()
    assert recipe_corpus.write_jsonl(data, records) == expected["input_sha256"], "input differs from the fixture's"

    # the shipped recipe, unchanged but for where it reads and writes
    recipe = yaml.safe_load((ROOT / expected["recipe"]).read_text(encoding="utf-8"))
    recipe.update(dataset_path=str(data), export_path=str(tmp_path / "outputs" / "processed.jsonl"))
    spec_file = tmp_path / "recipe.yaml"
    spec_file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    spec = load(spec_file)
    assert [op.op.name for op in spec.stages[0].ops] == expected["ops"]

    result = run(spark, spec, say=lambda m: None)
    assert result.export == str(tmp_path / "outputs" / "processed.jsonl")
    lines = Path(result.export).read_text(encoding="utf-8").splitlines()
    ours = [json.loads(line) for line in lines]
    theirs = expected["export"]

    assert len(ours) == len(theirs) == 267
    ours_ids, their_ids = [r["id"] for r in ours], [r["id"] for r in theirs]
    assert set(ours_ids) - set(their_ids) == set() and set(their_ids) - set(ours_ids) == set()
    assert ours_ids == their_ids  # same rows, same order
    for a, b in zip(ours, theirs):
        assert list(a) == list(b), a["id"]  # same fields, in the input's order
        assert a == b, a["id"]  # mapped text, nested meta and nulls identical

    # the removed copies are accounted for in the stage's rejected table, with their op
    rejected = spark.read.format("delta").load(f"{result.output}/process_rejected")
    by_op = {r["_dropped_by"]: r["count"] for r in rejected.groupBy("_dropped_by").count().collect()}
    assert sum(by_op.values()) == len(records) - len(ours)
    assert by_op.get("document_deduplicator", 0) > 0
