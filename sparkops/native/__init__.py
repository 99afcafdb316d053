"""Small C kernels, compiled on first use into the cache and loaded with ctypes.

A kernel is one C file beside this module (``<name>.c``). ``library(name)`` returns the
loaded shared library, compiling it first if the cache has none built from this source with
this compiler: ``<cache>/native/<name>-<digest>.so``, the digest covering the source, the
flags and the compiler's version, written under a temporary name and renamed, so that two
Spark workers compiling at once never load a half-written file. Without a C compiler, or
with ``SPARKOPS_NATIVE=0``, it returns None and the caller uses its pure-Python or library
path, which gives the same answers, slower.

The flags are fixed and plain: ``-O2 -ffp-contract=off`` and no ``-march``/``-ffast-math``,
because a kernel that reproduces another program's floating-point results must round exactly
as that program does (no fused multiply-adds, no reassociation).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
FLAGS = ("-O2", "-ffp-contract=off", "-shared", "-fPIC")
_LOADED: dict[str, ctypes.CDLL | None] = {}
_LOCK = threading.Lock()


def enabled() -> bool:
    return os.environ.get("SPARKOPS_NATIVE", "1") != "0"


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")


def library_path(name: str) -> Path | None:
    """The built library of ``name`` (compiled now if needed), or None without a compiler or
    where it cannot be built (the reason is logged)."""
    cc = _compiler()
    if cc is None:
        return None
    try:
        return _build(cc, name)
    except (OSError, subprocess.SubprocessError) as err:
        log.warning("sparkops.native: cannot build %s, using the slower path: %s", name, err)
        return None


def _build(cc: str, name: str) -> Path | None:
    from importlib import resources

    from sparkops.models.disk_cache import cache_root

    # read as a resource: on a cluster's executors the package is a zip, not a folder
    source = resources.files(__package__).joinpath(f"{name}.c").read_bytes()
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    digest = hashlib.sha256(source + repr((FLAGS, version)).encode()).hexdigest()[:16]
    target = cache_root() / "native" / f"{name}-{digest}.so"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = f"{target.name}.{os.getpid()}.{threading.get_ident()}"
    tmp, src = target.with_name(stem + ".tmp"), target.with_name(stem + ".c")
    try:
        src.write_bytes(source)
        done = subprocess.run([cc, *FLAGS, "-o", str(tmp), str(src), "-lm"], capture_output=True, text=True)
        if done.returncode != 0:
            log.warning("sparkops.native: compiling %s failed, using the slower path:\n%s", name, done.stderr[-2000:])
            return None
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        src.unlink(missing_ok=True)
    for old in target.parent.glob(f"{name}-*.so"):  # built from an earlier source
        if old != target:
            old.unlink(missing_ok=True)
    return target


def library(name: str) -> ctypes.CDLL | None:
    """``name``'s kernel, loaded once per process; None when disabled or not buildable."""
    if not enabled():
        return None
    with _LOCK:
        if name not in _LOADED:
            path = library_path(name)
            _LOADED[name] = ctypes.CDLL(str(path)) if path is not None else None
        return _LOADED[name]


def build_all(say=print) -> None:
    """Compile every kernel now (``make setup``), so that no timed run compiles one."""
    for source in sorted(HERE.glob("*.c")):
        path = library_path(source.stem)
        say(f"native: {source.stem}: {path or 'no C compiler; the slower path is used'}")
