"""Rows persisted inside a lazy plan, and a scope that releases them together.

Some plans read the same rows twice: a stage pass splits each segment's output into the
rows it removed and the rows the next op reads, and a deduplicator reads its input for the
sketches and again for the final join. Computing those rows twice would run the Python ops
before them twice, so they are persisted. But the plan is lazy: nobody inside it knows when
the caller has materialised the result. ``persist`` records what it persisted in the
innermost open ``released_after()`` scope, and the scope's end unpersists it, once the
caller is done with its result (a job stage after its Delta commits). Without a scope
(``sparkops.apply`` in a notebook) a persisted copy lives on local disk until the session
ends, as any ``df.persist()`` a user forgets would.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from pyspark import StorageLevel
from pyspark.sql import DataFrame

# on local disk, not in the heap: these copies hold whole documents (a job's rows carry each
# document twice, mapped text and original record) and are read back a partition at a time
ROWS_LEVEL = StorageLevel.DISK_ONLY

_scope: ContextVar[list[DataFrame] | None] = ContextVar("sparkops_persisted", default=None)


def persist(df: DataFrame, level: StorageLevel = ROWS_LEVEL) -> DataFrame:
    """``df.persist(level)``, released at the end of the open scope if there is one."""
    df = df.persist(level)
    held = _scope.get()
    if held is not None:
        held.append(df)
    return df


@contextmanager
def released_after() -> Iterator[list[DataFrame]]:
    """Unpersist everything ``persist`` persisted inside the block when it ends (also on an
    error, so a failed stage leaves nothing behind in the executors' block stores)."""
    held: list[DataFrame] = []
    token = _scope.set(held)
    try:
        yield held
    finally:
        _scope.reset(token)
        for df in held:
            df.unpersist(blocking=False)
