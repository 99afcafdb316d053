"""What a cluster's executors need from sparkops, shipped with the application instead of read
from the driver's disk: the package as a zip on ``spark.submit.pyFiles`` (workers import it from
there, ahead of any installed copy), its data files (models, word lists, blocklists) as an
archive on ``spark.archives``, unpacked in each executor's working folder as ``sparkops_assets``
and found through ``SPARKOPS_ASSETS`` (``sparkops.assets``).

The executors' Python and the libraries sparkops imports (pandas, pyarrow, fasttext, ...) come
from the cluster's Python, or from a packed environment: ``SPARKOPS_PYTHON_ENV=env.tar.gz``
(made with ``venv-pack`` or ``conda-pack``) is shipped as ``spark.archives`` and its
``bin/python`` runs the workers.

Both zips are built once per content (a hash of the files) in a cache folder next to Ivy's.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from sparkops.spark.conf import ivy_dir

PACKAGE = Path(__file__).resolve().parents[1]
ASSETS_LINK = "sparkops_assets"
ENV_LINK = "sparkops_env"


def _package_files() -> list[Path]:
    """The package's files but its data files (the .py modules of sparkops/assets are code)."""
    out = []
    for f in sorted(PACKAGE.rglob("*")):
        if not f.is_file() or "__pycache__" in f.parts or f.suffix in (".pyc", ".pyo"):
            continue
        if f.relative_to(PACKAGE).parts[0] == "assets" and f.suffix != ".py":
            continue
        out.append(f)
    return out


def _asset_files() -> list[Path]:
    root = PACKAGE / "assets"
    out = []
    # followlinks: an asset folder may be a link to where `make setup` put it
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        out += [Path(dirpath) / f for f in filenames if not f.endswith((".py", ".pyc"))]
    return sorted(out)


def _zip(files: list[Path], base: Path, name: str) -> Path:
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(base)).encode())
        digest.update(f.read_bytes())
    out = ivy_dir().parent / "sparkops-ship" / digest.hexdigest()[:16] / name
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:  # a symlinked asset is stored as the file it points to
                z.write(f.resolve(), str(f.relative_to(base)))
        tmp.replace(out)
    return out


def package_zip() -> Path:
    """sparkops' code (no data files) as a zip importable from ``sys.path``."""
    return _zip(_package_files(), PACKAGE.parent, "sparkops.zip")


def assets_zip() -> Path:
    """The data files of ``sparkops/assets`` (models, word lists, lists), paths relative to it."""
    return _zip(_asset_files(), PACKAGE / "assets", "sparkops-assets.zip")


def remote(master: str | None) -> bool:
    """A master whose executors are other processes that may not share this disk."""
    return bool(master) and not master.startswith("local")


def _append(settings: dict, key: str, value: str) -> None:
    settings[key] = ",".join(filter(None, [settings.get(key), value]))


def ship(settings: dict) -> dict:
    """``settings`` with the package, its data files and (if asked) a packed environment shipped."""
    _append(settings, "spark.submit.pyFiles", str(package_zip()))
    _append(settings, "spark.archives", f"{assets_zip()}#{ASSETS_LINK}")
    settings.setdefault("spark.executorEnv.SPARKOPS_ASSETS", ASSETS_LINK)
    env = os.environ.get("SPARKOPS_PYTHON_ENV")
    if env:
        _append(settings, "spark.archives", f"{Path(env).resolve()}#{ENV_LINK}")
        settings.setdefault("spark.pyspark.python", f"./{ENV_LINK}/bin/python")
    return settings
