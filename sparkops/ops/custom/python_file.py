"""python_file_mapper: a function from a Python file applied to every record (or batch)."""

from __future__ import annotations

import os

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.custom.user_function import (BATCH_SIZE, BATCHED, FAMILY, UserFunction, apply_user,
                                               one_argument, run_module)

WHAT = "Function"


def load_function(path: str, name: str) -> UserFunction:
    """The file's function, checked as Data-Juicer checks it (an existing ``.py`` file that
    runs, a callable of that name taking exactly one positional parameter). ValueError otherwise."""
    if not os.path.isfile(path):
        raise ValueError(f"file_path: the file '{path}' does not exist")
    if not path.endswith(".py"):
        raise ValueError(f"file_path: the file '{path}' is not a Python file (.py)")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        module = run_module(source, path)
    except Exception as err:  # the user's file: anything may fail while it runs
        raise ValueError(f"file_path: running '{path}' failed: {type(err).__name__}: {err}") from None
    if not hasattr(module, name):
        raise ValueError(f"function_name: function '{name}' not found in '{path}'")
    func = getattr(module, name)
    if not callable(func):
        raise ValueError(f"function_name: the attribute '{name}' is not callable")
    try:
        ok = one_argument(func)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"function_name: the function '{name}' must take exactly one argument")
    return UserFunction("file", source, filename=path, name=name, _func=func)


def _prepare(p: dict, where: str) -> dict:
    p = dict(p)
    p["function"] = None
    if p["file_path"]:
        try:
            p["function"] = load_function(p["file_path"], p["function_name"])
        except ValueError as err:
            param, _, message = str(err).partition(": ")
            raise OpError(f"{where}: parameter '{param}' {message}") from None
    return p


def _apply(records, p):
    return apply_user(records, p, WHAT)


declare(Op(
    name="python_file_mapper", kind="mapper", family=FAMILY,
    doc="Apply a function from a Python file (`file_path`, `function_name`) to every record, or to every batch "
        "with `batched`; it returns the record's new fields as a dict.",
    params=(
        Param("file_path", "str", "", "The `.py` file defining the function (a job resolves a relative path "
              "from its spec's folder). Empty: records pass unchanged.", path=True),
        Param("function_name", "str", "process_single", "The function's name in the file; it takes one "
              "argument (a record, or a batch) and returns a dict."),
        BATCHED,
    ),
    prepare=_prepare, apply=_apply, record=True, batch_size=BATCH_SIZE, sql_name="python_file",
    sql_params=("file_path", "function_name", "batched"),
    notes="Data-Juicer 1.6.1's contract (a fixture it made, `tests/test_catalogue_agent.py`): the file is "
          "read and run once at bind time, as Data-Juicer loads it; a missing file, a name without `.py`, a "
          "file that fails to run, a missing or non-callable `function_name`, or a function without exactly "
          "one positional parameter is refused there. The file's source travels with the operator, so Spark "
          "workers need no copy of it: each runs it once (its module-level code runs in every worker; it "
          "cannot import modules beside it unless they are installed, as in Data-Juicer). Per record, the "
          "keys of the returned dict replace the record's, its other fields stay and new keys are added. A "
          "record on which the function raises, or returns something other than a dict, is dropped as "
          "`error:python_file_mapper: <exception>`; the others go on. With `batched`, the function gets "
          "the batch as columns (field -> list of values) and must return columns of the batch's length; a "
          "batch that fails is retried record by record. Batches are at most 1,000 records. The SQL "
          "function maps a record holding only `text`.",
    examples=(
        Example("python_file('Hello')", "Hello", "no file: records pass unchanged"),
    ),
))
