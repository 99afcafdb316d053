"""Returning a Python worker's freed heap to the system at the end of a pass.

Spark reuses a Python worker for task after task and stage after stage. glibc keeps the memory a
pass freed (its batches' strings, Arrow and numpy buffers) inside the process, and the next
pass's allocations are served from that fragmented heap. On the bench job, once the reader ran
inside the clean stage's pass (one worker a task, ``sparkops.spark.sources``), every kernel of
the next stage's pass ran slower in those workers (the quality stage's kernel seconds 28.1-35.9
in three runs against 22.6-29.0 with separate workers); trimming the heap after each pass gave
24.0 and 24.8, and the workers' peak memory did not grow
(docs/decisions/job-memory.md).
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
