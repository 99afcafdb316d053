"""Regenerate tests/fixtures/dj_recipe_web_refine.json.gz with Data-Juicer itself.

Run with the throwaway Data-Juicer venv (see README.md next to this file):

    .peers/dj/bin/python tools/dj_parity/gen_recipe_fixture.py      # or: make parity-fixture

Data-Juicer 1.6.1's own ``DefaultExecutor`` (what ``dj-process`` runs) executes the recipe
``jobs/web_refine_dj.yaml`` unchanged except for three keys: ``dataset_path`` (the input
``tests/recipe_corpus.py`` builds), ``export_path`` (a scratch file) and the offline word-list
folders of ``stopwords_filter``/``flagged_words_filter`` (sparkops' assets, the same lists
sparkops uses). The fixture keeps the exported JSONL records verbatim, in file order and with their keys in the order Data-Juicer wrote them, plus
the sha256 of the input so the test knows it rebuilt the same input.

Offline setup and the Ray/torch/pip guards are those of ``bench/runners/dj_job.py`` (imported
from there, so both drive Data-Juicer identically).
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "jobs" / "web_refine_dj.yaml"
OUT_FILE = ROOT / "tests" / "fixtures" / "dj_recipe_web_refine.json.gz"
WORDLISTS = ROOT / "sparkops" / "assets" / "wordlists"
GENERATOR = "tools/dj_parity/gen_recipe_fixture.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    t_start = time.perf_counter()
    sys.path.insert(0, str(ROOT / "tests"))
    import recipe_corpus
    import yaml

    dj_job = _load("dj_job", ROOT / "bench" / "runners" / "dj_job.py")
    with tempfile.TemporaryDirectory(prefix="dj_recipe_") as tmp:
        tmp = Path(tmp)
        data = tmp / "input.jsonl"
        recs = recipe_corpus.records()
        input_sha = recipe_corpus.write_jsonl(data, recs)
        recipe = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
        recipe["dataset_path"] = str(data)
        recipe["export_path"] = str(tmp / "out" / "processed.jsonl")
        for entry in recipe["process"]:
            (op, params), = entry.items()
            if op == "stopwords_filter":
                params["stopwords_dir"] = str(WORDLISTS)
            if op == "flagged_words_filter":
                params["flagged_words_dir"] = str(WORDLISTS)
        cfg_path = tmp / "recipe.yaml"
        cfg_path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")

        dj_job.setup_offline_env(tmp / "hf_cache")
        data_juicer, DefaultExecutor = dj_job.import_default_executor()
        from data_juicer.config import init_configs

        os.chdir(tmp)  # Data-Juicer writes work files next to its CWD in some versions
        cfg = init_configs(args=["--config", str(cfg_path)])
        DefaultExecutor(cfg).run()
        if dj_job.REFUSED:
            raise RuntimeError(f"Data-Juicer tried to install {dj_job.REFUSED}")
        with open(cfg.export_path, encoding="utf-8") as f:
            exported = [json.loads(line) for line in f if line.strip()]

    ops = [next(iter(e)) for e in yaml.safe_load(RECIPE.read_text(encoding="utf-8"))["process"]]
    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "python": sys.version.split()[0],
        "recipe": str(RECIPE.relative_to(ROOT)),
        "ops": ops,
        "input_sha256": input_sha,
        "input_records": len(recs),
        "export": exported,
    }
    payload = json.dumps(fixture, ensure_ascii=False, separators=(",", ":"))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8") + b"\n")
    OUT_FILE.write_bytes(buf.getvalue())
    print(f"wrote {OUT_FILE.relative_to(ROOT)}: {len(recs)} records in, {len(exported)} exported by "
          f"Data-Juicer {data_juicer.__version__} ({len(buf.getvalue()):,} bytes) "
          f"in {time.perf_counter() - t_start:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
