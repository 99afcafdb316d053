"""Returning a Python worker's freed heap to the system at the end of a pass.

Spark reuses a Python worker for task after task and stage after stage. glibc keeps the memory a
pass freed (its batches' strings, Arrow and numpy buffers) inside the process, and the next
pass's allocations are served from that fragmented heap: after a pass as allocation-heavy as a
job's reader and cleaners, every kernel of the next stage ran measurably slower in those workers
until the heap was trimmed (the runs: docs/decisions/job-memory.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None


def release_freed_memory() -> None:
    """Collect garbage cycles, then hand the heap's free pages back (``malloc_trim``, glibc)."""
    gc.collect()
    trim = _trim()
    if trim is not None:
        trim(0)
