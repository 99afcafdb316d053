"""Build the inputs of jobs/code.yaml and jobs/arxiv_math.yaml (JSONL, one document a line).

- ``data/code/attrs_source.jsonl``: every ``.py`` file of the ``attrs`` package installed in the
  project's venv (packages ``attr`` and ``attrs``; MIT License, copied to
  ``data/code/LICENSE.attrs``), one record per file: ``{"id", "path", "package", "version",
  "licence", "text"}``. The ``attrs/`` modules that re-export ``attr/`` ones are near-duplicates
  of each other: what the job's MinHash step is for.
- ``data/arxiv/latex_sample.jsonl``: the real LaTeX documents of
  ``tests/fixtures/latex_sources.json.gz``, verbatim, with the repository, commit, path and
  licence it records for each.

Deterministic: re-running it (with the same attrs version) gives the same bytes.
"""

from __future__ import annotations

import gzip
import importlib.metadata as md
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE_PACKAGE = "attrs"
CODE_LICENCE = "MIT"


def _write(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def code_sample() -> None:
    dist = md.distribution(CODE_PACKAGE)
    files = sorted((f for f in dist.files or [] if f.suffix == ".py"), key=str)
    records = [{"id": f"{CODE_PACKAGE}:{f}", "path": str(f), "package": CODE_PACKAGE,
                "version": dist.version, "licence": CODE_LICENCE,
                "text": Path(f.locate()).read_text(encoding="utf-8")} for f in files]
    out = ROOT / "data" / "code"
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "attrs_source.jsonl", records)
    licence = next(f for f in dist.files if f.name == "LICENSE")
    shutil.copyfile(licence.locate(), out / "LICENSE.attrs")


def arxiv_sample() -> None:
    fixture = ROOT / "tests" / "fixtures" / "latex_sources.json.gz"
    docs = json.loads(gzip.decompress(fixture.read_bytes()))["docs"]
    keys = ("id", "repo", "commit", "path", "licence", "text")
    out = ROOT / "data" / "arxiv"
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "latex_sample.jsonl", [{k: d[k] for k in keys} for d in docs])


if __name__ == "__main__":
    code_sample()
    arxiv_sample()
