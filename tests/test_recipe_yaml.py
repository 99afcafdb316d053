"""Recipes are read as Data-Juicer reads them (jsonargparse's YAML rules: ``2e5`` is a float, a
date stays text), checked against a fixture jsonargparse itself wrote
(tools/dj_parity/gen_recipe_yaml_fixture.py); the two Data-Juicer recipes that bound lengths as
``2e5`` / ``5e5`` validate unchanged."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

from sparkops.jobs import recipe_yaml
from sparkops.jobs.spec import load

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "dj_recipe_yaml.json").read_text(encoding="utf-8"))


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    return value


def test_scalars_read_as_jsonargparse_reads_them():
    for case in FIXTURE["scalars"]:
        value = recipe_yaml.load(f"key: {case['yaml']}")["key"]
        assert (_plain(value), type(value).__name__) == (case["value"], case["type"]), case["yaml"]
    # where PyYAML's own safe loader differs (the reason this loader exists)
    assert yaml.safe_load("key: 2e5")["key"] == "2e5" and recipe_yaml.load("key: 2e5")["key"] == 200000.0


def test_data_juicers_exponent_bounded_recipes_validate_unchanged(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_text('{"text": "a document"}\n', encoding="utf-8")
    for name, theirs in FIXTURE["recipes"].items():
        text = (ROOT / "jobs" / "dj_recipes" / f"{name}.yaml").read_text(encoding="utf-8")
        assert recipe_yaml.load(text)["process"] == theirs
        copy = tmp_path / f"{name}.yaml"
        copy.write_text(text.replace("'/path/to/your/dataset'", f"'{data}'"), encoding="utf-8")
        spec = load(copy)
        bounds = {op.name: op.params for stage in spec.stages for op in stage.ops}
        lengths = bounds.get("text_length_filter", {}).get("max_len") or bounds["average_line_length_filter"]["max_len"]
        assert lengths in (200_000, 500_000) and isinstance(lengths, int)
