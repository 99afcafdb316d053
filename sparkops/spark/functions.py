"""Every operator as a pandas UDF, a Spark SQL function and a Python column function.

All derived from the registry, nothing per operator written here:

- SQL: ``sparkops.register(spark)`` (done by ``sparkops.session()``) registers, per filter,
  its statistic under Data-Juicer's stat key (``alnum_ratio(text)``, ``char_rep_ratio(text,
  5)``, ``lang_id(text).lang``) and, per mapper, its name without ``_mapper``
  (``clean_email(text)``), per generator its texts as an array (``text_chunk(text, 512)``). A
  filter's parameters that change its statistic, and every mapper parameter, are optional
  extra arguments in declaration order (``sparkops ops`` lists them).
- Python: ``sparkops.functions.alnum_ratio("text")``, ``char_rep_ratio(col, rep_len=5)``.

Extra arguments are usually literals; a column works too (rows are grouped by value and
each group runs with its own validated parameters).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

import pandas as pd
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops import stubs
from sparkops.spark.ddl import data_type
from sparkops.text.doc import Doc
from sparkops.core import Op, Sketch, Stat, sql_functions
from sparkops.core.row import REJECT


def _udf(fn, ddl: str):
    # the return type read in Python (sparkops.spark.ddl): pyspark would ask the JVM, Py4J round
    # trips per function at every session start
    return pandas_udf(fn, data_type(ddl))


_PANDAS_DTYPES = {"double": "Float64", "long": "Int64", "string": "string"}
# a statistic of another type (num_dependency_edges: array<bigint>) goes to Arrow as Python values
_OBJECT = "object"


@lru_cache(maxsize=256)
def _bound(op_name: str, names: tuple, args: tuple):
    from sparkops.core import get_op

    return get_op(op_name).bind(dict(zip(names, args)), where="SQL function")


def _param_groups(op: Op, n: int, args: tuple[pd.Series, ...], names: tuple[str, ...] | None = None):
    """(row positions, bound op) per distinct combination of the extra arguments."""
    names = op.sql_args() if names is None else names
    if len(args) > len(names):
        raise TypeError(f"{op.name}: at most {len(names)} extra argument(s) ({', '.join(names) or 'none'}), "
                        f"got {len(args)}")
    if not args:
        return [(None, _bound(op.name, names, ()))]
    values = [a.tolist() for a in args]
    groups: dict[tuple, list[int]] = {}
    for i in range(n):
        key = tuple(_plain(v[i]) for v in values)
        groups.setdefault(key, []).append(i)
    return [(None if len(groups) == 1 else rows, _bound(op.name, names, key)) for key, rows in groups.items()]


def _plain(value):
    # Arrow hands numpy scalars and arrays; the registry checks plain Python types. A SQL
    # literal such as 0.7 is a DECIMAL in Spark: it means the float 0.7. An array argument
    # (`array('a', 'b')`) becomes a tuple: the bound-op cache is keyed by the arguments
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _evaluate(op: Op, texts: pd.Series, args: tuple[pd.Series, ...], run, names=None) -> list:
    """Run ``run(bound, non-null texts)`` per parameter group; nulls give null."""
    out: list = [None] * len(texts)
    values = texts.tolist()
    for rows, bound in _param_groups(op, len(values), args, names):
        positions = range(len(values)) if rows is None else rows
        live = [i for i in positions if values[i] is not None]
        if not live:
            continue
        wrong = next((values[i] for i in live if not isinstance(values[i], str)), None)
        if wrong is not None:  # an INT or BINARY column: say so, not a failure deep in a kernel
            raise TypeError(f"op '{op.name}': its SQL function reads text, got a {type(wrong).__name__} value "
                            f"({str(wrong)[:40]!r}); pass a string column, e.g. CAST(x AS STRING)")
        for i, result in zip(live, run(bound, [values[i] for i in live])):
            out[i] = result
    return out


def stat_udf(op: Op, stat: Stat):
    def compute(texts: pd.Series, *args: pd.Series) -> pd.Series:
        values = _evaluate(op, texts, args, lambda b, ts: b.compute([Doc(t) for t in ts])[stat.key])
        return pd.Series(values, dtype=_PANDAS_DTYPES.get(stat.dtype, _OBJECT))

    compute.__name__ = stat.key
    return _udf(compute, stat.dtype)


def struct_udf(op: Op):
    """A filter whose SQL function returns all its stats as a struct (lang_id)."""
    schema = ", ".join(f"{name}: {op_stat(op, key).dtype}" for name, key in op.sql_fields)

    def compute(texts: pd.Series, *args: pd.Series) -> pd.DataFrame:
        def run(bound, ts):
            got = bound.compute([Doc(t) for t in ts])
            return list(zip(*(got[key] for _, key in op.sql_fields)))

        rows = _evaluate(op, texts, args, run)
        frame = {}
        for j, (name, key) in enumerate(op.sql_fields):
            frame[name] = pd.Series([None if r is None else r[j] for r in rows],
                                    dtype=_PANDAS_DTYPES.get(op_stat(op, key).dtype, _OBJECT))
        return pd.DataFrame(frame)

    compute.__name__ = op.sql_name
    return _udf(compute, f"struct<{schema}>")


def mapper_udf(op: Op):
    """A mapper's text (NULL for a row it rejects); one that writes meta fields gives a struct:
    its text and those fields."""
    # a struct's fields are fixed when the function is registered: those of the default
    # parameters (an op whose meta key follows a parameter takes only the others in SQL)
    keys, writes = op.result_keys(), op.writes_for()

    def mapped(bound, ts) -> list:
        got = bound.apply(ts)
        if keys is None:
            return got
        reject = got.get(REJECT) or [None] * len(ts)
        texts = [None if rule is not None else t for t, rule in zip(got["text"], reject)]
        return list(zip(texts, *(got[w.key] for w in writes))) if writes else texts

    if writes:
        names = ["text", *(w.key for w in writes)]

        def compute_struct(texts: pd.Series, *args: pd.Series) -> pd.DataFrame:
            rows = _evaluate(op, texts, args, mapped)
            return pd.DataFrame({k: [None if r is None else r[j] for r in rows] for j, k in enumerate(names)})

        compute_struct.__name__ = op.name
        return _udf(compute_struct, "struct<text: string, " + ", ".join(
            f"`{w.key}`: {w.dtype}" for w in writes) + ">")

    def compute(texts: pd.Series, *args: pd.Series) -> pd.Series:
        return pd.Series(_evaluate(op, texts, args, mapped), dtype="string")

    compute.__name__ = op.name
    return _udf(compute, "string")


def generator_udf(op: Op):
    """A generator's texts for one row, as an array (``explode`` makes them rows); one that writes
    fields gives an array of structs: the text and those fields (of the default parameters)."""
    writes = op.writes_for()

    def compute(texts: pd.Series, *args: pd.Series) -> pd.Series:
        return pd.Series(_evaluate(op, texts, args, lambda b, ts: b.expand(ts)))

    compute.__name__ = op.name
    return _udf(compute, stubs.result_type(op, None) if writes else "array<string>")


def sketch_udf(op: Op, sketch: Sketch):
    """A deduplicator's per-row sketch (minhash_signature, simhash, ...)."""

    def compute(texts: pd.Series, *args: pd.Series) -> pd.Series:
        return pd.Series(_evaluate(op, texts, args, lambda b, ts: sketch.compute(ts, b.prepared), sketch.args))

    compute.__name__ = sketch.name
    return _udf(compute, sketch.dtype)


def op_stat(op: Op, key: str) -> Stat:
    return op.field_stat(key)


@lru_cache(maxsize=None)
def declared() -> dict[str, tuple[Op, object]]:
    """SQL name -> (op, its stat or sketch), from the catalogue (no UDF built)."""
    return {name: (op, stat) for name, op, stat in sql_functions()}


@lru_cache(maxsize=None)
def udf_of(name: str) -> tuple[Op, object]:
    """(op, pandas UDF) of one SQL function, built once per process."""
    op, stat = declared()[name]
    if isinstance(stat, Sketch):
        return op, sketch_udf(op, stat)
    if op.kind == "mapper":
        return op, mapper_udf(op)
    if op.kind == "generator":
        return op, generator_udf(op)
    if stat is None:
        return op, struct_udf(op)
    return op, stat_udf(op, stat)


def udfs() -> dict[str, tuple[Op, object]]:
    """SQL name -> (op, pandas UDF), built once per process."""
    return {name: udf_of(name) for name in declared()}


_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def referenced(expression: str) -> list[str]:
    """The sparkops SQL functions a Spark SQL expression calls (by name; a name that only
    looks like a call inside a string literal is registered for nothing worse than time)."""
    return sorted({m.group(1).lower() for m in _CALL.finditer(expression)} & set(declared()))


def register(spark: SparkSession, names: Iterable[str] | None = None) -> list[str]:
    """Register operators' SQL functions on ``spark``: every one, or only ``names`` (a job
    registers what its gates' expressions call: each function is a score of Py4J round trips,
    docs/decisions/session-start.md). Idempotent and cheap; returns the names registered now
    or before."""
    done: set = spark.__dict__.setdefault("_sparkops_functions", set())
    wanted = list(declared()) if names is None else [n for n in names if n in declared()]
    for name in wanted:
        if name not in done:
            spark.udf.register(name, udf_of(name)[1])
            done.add(name)
    return sorted(done)


def column_function(name: str):
    """The Python face of a SQL function: ``f(col, *args, **params) -> Column``."""
    op, udf = udf_of(name)
    sketch = next((sk for sk in op.sketches if sk.name == name), None)
    names = sketch.args if sketch else op.sql_args()

    def call(col, *args, **params) -> Column:
        unknown = set(params) - set(names)
        if unknown:
            raise TypeError(f"{name}(): unknown parameter(s) {sorted(unknown)}; it takes {list(names)}")
        values = list(args)
        for i, pname in enumerate(names[len(args):], start=len(args)):
            if pname in params:
                values.extend([op.param(n).default for n in names[len(values):i]])
                values.append(params[pname])
        # validate now, on the driver, so a wrong parameter fails before any task runs
        if all(not isinstance(v, Column) for v in values):
            _bound(op.name, tuple(names), tuple(values))
        cols = [v if isinstance(v, Column) else F.lit(v) for v in values]
        return udf(F.col(col) if isinstance(col, str) else col, *cols).alias(name)

    # what the generated stub (sparkops/functions.pyi) declares: help() shows it too
    what = sketch or next(w for n, o, w in sql_functions() if n == name)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = stubs.function_doc(name, op, what)
    call.__signature__ = stubs.signature(name, op, what)
    return call
