"""Data-Juicer's Ray-engine settings of its Ray deduplicators (pure: declarations and checks).

They size Ray actors, batches and memory reservations; none changes which documents are
duplicates. sparkops accepts them with Data-Juicer's names and defaults, refuses values
Data-Juicer would fail on, and otherwise ignores them: Spark sizes the same work with its own
settings (``spark.sql.shuffle.partitions``, executor memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sparkops.core import OpError, Param, positive

NO_EFFECT = " Data-Juicer's Ray setting; no effect on Spark."


@dataclass(frozen=True)
class CountOrAuto(Param):
    """Data-Juicer's ``Union[int, str]`` sizes: a positive integer or ``'auto'`` (the parameter
    type tags have no such union, so this one checks it itself)."""

    def coerce(self, value: Any, where: str) -> Any:
        if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            return value
        raise OpError(f"{where}: parameter '{self.name}' must be a positive integer or 'auto', got {value!r}")


def count_or_auto(name: str, doc: str) -> CountOrAuto:
    return CountOrAuto(name, "int|str", "auto", doc + NO_EFFECT)


def setting(name: str, type_: str, default, doc: str) -> Param:
    """A nullable engine size (Data-Juicer's ``Optional[int]``): positive when given."""
    return Param(name, type_, default, doc + NO_EFFECT, nullable=True, check=positive)


def bts_settings(gpu: bool = True) -> tuple[Param, ...]:
    """The settings of Data-Juicer's BTS union-find (``ray_bts_minhash_deduplicator``; the C++
    variant lacks the batch and memory ones: ``gpu=False``)."""
    out = (
        count_or_auto("union_find_parallel_num", "Union-find actors ('auto': half the CPUs)."),
        setting("union_threshold", "int", 256, "Equal-key runs longer than this are unioned in chunks."),
        setting("max_pending_edge_buffer_task", "int", 20, "Edge-buffer tasks in flight."),
        setting("num_edge_buffer_task_returns", "int", 10, "Edge-buffer tasks awaited at once."),
        setting("max_pending_filter_tasks", "int", 20, "Filter tasks in flight."),
        setting("num_filter_task_returns", "int", 10, "Filter tasks awaited at once."),
        setting("merge_batch_size", "int", 1000, "Union-find calls awaited at once."),
    )
    if gpu:
        out += (
            count_or_auto("minhash_batch_size", "Rows per MinHash batch ('auto': 1,024 on CPU)."),
            setting("memory_per_sample", "float", 0.1, "MB per row, to size GPU batches."),
            setting("actor_memory", "int", None, "Bytes reserved per union-find actor."),
            setting("task_memory", "int", None, "Bytes reserved per MinHash task."),
        )
    return out
