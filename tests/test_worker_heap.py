"""sparkops.spark.worker_heap: a pass's freed heap goes back to the system."""

from __future__ import annotations

import subprocess
import sys

import pytest

# in a fresh interpreter: 3,000 blocks of 64 KB (under glibc's mmap threshold, so on the heap),
# every tenth kept, so the freed ones are holes that glibc keeps by itself
SCRIPT = """
import psutil
from sparkops.spark.worker_heap import _trim, release_freed_memory
if _trim() is None:
    print("no-trim")
    raise SystemExit
me = psutil.Process()
blocks = [bytearray(64 * 1024) for _ in range(3000)]
kept = blocks[::10]
del blocks
before = me.memory_info().rss
release_freed_memory()
after = me.memory_info().rss
print(before - after, len(kept))
"""


def test_the_holes_a_pass_leaves_are_returned():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.split()
    if out == ["no-trim"]:
        pytest.skip("not glibc: no malloc_trim")
    released, kept = int(out[0]), int(out[1])
    assert kept == 300
    assert released > 100 * 1024 * 1024  # most of the 2,700 freed 64 KB blocks (169 MB)
