"""What the user-code mappers share: the user's function, checked at bind and rebuilt in each
Python worker from its source, and Data-Juicer's way of merging what it returns.

Data-Juicer runs the function on a sample (``batched: false``) or on a batch, a dict of
columns (``batched: true``); it must return a dict. Per sample, the returned keys replace the
sample's (its other fields stay; new keys are added), as ``Mapper.process_batched`` does; a
batch's returned columns update the batch the same way.
"""

from __future__ import annotations

import inspect
import os
import types
from dataclasses import dataclass, field

from sparkops.core import Param

FAMILY = "custom"
BATCHED = Param("batched", "bool", False, "Call the function once per batch (a dict of columns: field -> "
                "list of values) instead of once per record.")
# Data-Juicer's default batch size of its batched operators (base_op.DEFAULT_BATCH_SIZE)
BATCH_SIZE = 1000


@dataclass
class UserFunction:
    """The user's one-argument function, built from source text (a lambda expression, or a
    file's source and a function name). Only the source is pickled to Spark workers: each
    builds the function once, on first use."""

    kind: str  # "lambda" | "file"
    source: str
    filename: str = "<string>"
    name: str = ""
    _func: object = field(default=None, repr=False, compare=False)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_func"} | {"_func": None}

    @property
    def func(self):
        if self._func is None:
            self._func = self._build()
        return self._func

    def _build(self):
        if self.kind == "lambda":
            # Data-Juicer evaluates the lambda with the built-ins: it is the user's own code
            return eval(compile(self.source, self.filename, "eval"), {"__builtins__": __builtins__})
        return getattr(run_module(self.source, self.filename), self.name)


def run_module(source: str, filename: str) -> types.ModuleType:
    """A file's source run as a module of its own (not registered in ``sys.modules``)."""
    module = types.ModuleType(os.path.splitext(os.path.basename(filename))[0])
    module.__file__ = filename
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def one_argument(func) -> bool:
    """Data-Juicer's check: exactly one positional parameter (``getfullargspec(f).args``)."""
    return len(inspect.getfullargspec(func).args) == 1


def returned_dict(result, what: str) -> dict:
    if not isinstance(result, dict):
        raise ValueError(f"{what} must return a dictionary, got {type(result).__name__} instead.")
    return result


def apply_user(records: list[dict], p: dict, what: str) -> list[dict]:
    """Each record as the user's function leaves it (Data-Juicer's merge of the returned keys)."""
    func = p["function"].func if p["function"] is not None else None
    if func is None:
        return records
    if not p["batched"]:
        out = []
        for rec in records:
            base = dict(rec)  # top-level keys as given; nested values shared, as Data-Juicer's
            out.append(base | returned_dict(func(rec), what))
        return out
    keys = list(dict.fromkeys(k for r in records for k in r))
    batch = {k: [r.get(k) for r in records] for k in keys}
    bases = [{k: batch[k][i] for k in keys} for i in range(len(records))]
    result = returned_dict(func(batch), what)
    n = len(records)
    for key, column in result.items():
        if not isinstance(column, (list, tuple)) or len(column) != n:
            got = f"{len(column)} values" if isinstance(column, (list, tuple)) else type(column).__name__
            raise ValueError(f"{what} returned column '{key}' with {got} for a batch of {n} records "
                             "(a batched function keeps one row per record)")
    return [bases[i] | {k: v[i] for k, v in result.items()} for i in range(n)]
