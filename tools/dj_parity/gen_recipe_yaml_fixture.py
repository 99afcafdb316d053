"""Write tests/fixtures/dj_recipe_yaml.json: how Data-Juicer's recipe loader (jsonargparse's YAML
loader, the one its config parser uses) reads the scalars a recipe may write, and Data-Juicer's
two recipes whose bounds are written as 2e5 / 5e5.

    .peers/dj/bin/python tools/dj_parity/gen_recipe_yaml_fixture.py
"""

from __future__ import annotations

import json
from pathlib import Path

from jsonargparse._loaders_dumpers import yaml_load

ROOT = Path(__file__).resolve().parents[2]
SCALARS = ["2e5", "5e5", "1.5e3", "1e-3", "-2E+2", "2024-01-01", "2024-01-01 10:00:00", "12", "-3", "1.5", "0.0007",
           ".5", "1_000", "0x1F", "0o17", ".inf", "-.Inf", ".nan", "yes", "no", "true", "null", "~", "1:30", "e5",
           "2e", "1.2.3", "'2e5'"]


def _plain(value):
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return str(value)
    return value


def main() -> None:
    scalars = []
    for text in SCALARS:
        value = yaml_load(f"key: {text}")["key"]
        scalars.append({"yaml": text, "value": _plain(value), "type": type(value).__name__})
    recipes = {}
    for name in ("pile-europarl-refine", "pile-philpaper-refine"):
        loaded = yaml_load((ROOT / "jobs" / "dj_recipes" / f"{name}.yaml").read_text(encoding="utf-8"))
        recipes[name] = loaded["process"]
    out = ROOT / "tests" / "fixtures" / "dj_recipe_yaml.json"
    out.write_text(json.dumps({"generator": "jsonargparse yaml_load (Data-Juicer 1.6.1's venv)",
                               "scalars": scalars, "recipes": recipes}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
