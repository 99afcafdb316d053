"""Every data file the package reads is in the wheel: pyproject's package-data patterns match
each file under sparkops/assets (a non-editable install, e.g. a cluster image, has only those)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sparkops"


def _patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["sparkops"]


def _matched(rel: str, patterns: list[str]) -> bool:
    # setuptools' patterns: '*' stays within one folder
    return any(fnmatch(rel, p) and rel.count("/") == p.count("/") for p in patterns)


def test_every_asset_file_is_package_data():
    patterns = _patterns()
    files = [p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "assets").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert len(files) > 30  # the word lists, models and their licences
    missing = [f for f in files if not _matched(f, patterns)]
    assert not missing, f"not in the wheel (add to [tool.setuptools.package-data]): {missing}"


def test_the_patterns_check_would_catch_a_subfolder():
    assert not _matched("assets/ldnoobw/c4/en.txt", ["assets/ldnoobw/*"])
    assert _matched("assets/ldnoobw/c4/en.txt", ["assets/ldnoobw/c4/*"])
