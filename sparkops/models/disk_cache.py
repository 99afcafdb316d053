"""Files derived from a model or list once per machine, and kept: built by the first process that
needs them, published whole, then memory-mapped by every later one.

Where: ``$SPARKOPS_CACHE_DIR``, else ``<checkout>/.cache`` in a writable source checkout (beside
the Ivy jars and the JVM's class-data archives), else ``~/.cache/sparkops``. A cache entry is a
folder named by what it was built from (a content hash), so a changed source gets a new entry
and an old one is never read for it. A folder that cannot be written leaves the caller to build
in memory, as without a cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

_CHECKOUT = Path(__file__).resolve().parents[2]
DONE = "complete"  # written last into an entry: a folder without it is never read


def cache_root() -> Path:
    configured = os.environ.get("SPARKOPS_CACHE_DIR")
    if configured:
        return Path(configured)
    if (_CHECKOUT / "pyproject.toml").is_file() and os.access(_CHECKOUT, os.W_OK):
        return _CHECKOUT / ".cache"
    return Path.home() / ".cache" / "sparkops"


def file_digest(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes (hex, first 20 digits): the name of what is built from it."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:20]


def entry(kind: str, key: str, build: Callable[[Path], None]) -> Path | None:
    """The folder of ``kind``/``key``, built by ``build(folder)`` if no complete one exists.

    The build writes into a private temporary folder that is renamed into place when done, so
    two processes building at once never see each other's half: the second rename loses and
    its folder is dropped. None when the cache cannot be written (read-only home, full disk):
    the caller then works without it."""
    final = cache_root() / kind / key
    if (final / DONE).is_file():
        return final
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
    except OSError:
        return None
    try:
        build(tmp)
        (tmp / DONE).write_text("")
        try:
            os.rename(tmp, final)
        except OSError:  # another process published it first (or an incomplete leftover is there)
            if not (final / DONE).is_file():
                shutil.rmtree(final, ignore_errors=True)
                os.rename(tmp, final)
    except OSError:
        return final if (final / DONE).is_file() else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
