"""The per-worker model cache: each model loaded once per Python process, keyed by kind and
parameters, thread-safe (Spark may run a Python UDF's batches on more than one thread)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Hashable


@dataclass
class Loaded:
    model: Any
    seconds: float  # how long loading took (shown by `loaded()`)


class ModelCache:
    def __init__(self) -> None:
        self._models: dict[tuple[str, Hashable], Loaded] = {}
        self._locks: dict[tuple[str, Hashable], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, kind: str, key: Hashable, load: Callable[[], Any]) -> Any:
        """The model of ``kind`` under ``key``, loading it with ``load()`` the first time.

        Two threads asking for the same model wait for one load; different models load in
        parallel. A load that raises caches nothing (the next call tries again)."""
        slot = (kind, key)
        hit = self._models.get(slot)
        if hit is not None:
            return hit.model
        with self._guard:
            lock = self._locks.setdefault(slot, threading.Lock())
        with lock:
            hit = self._models.get(slot)
            if hit is None:
                started = time.perf_counter()
                model = load()
                hit = self._models[slot] = Loaded(model, time.perf_counter() - started)
        return hit.model

    def evict(self, kind: str, key: Hashable) -> None:
        """Forget a model (the next ``get`` loads a fresh one)."""
        self._models.pop((kind, key), None)

    def loaded(self) -> dict[tuple[str, Hashable], float]:
        """What this process holds: (kind, key) -> seconds its load took."""
        return {slot: hit.seconds for slot, hit in self._models.items()}


models = ModelCache()  # the one cache of this Python process
