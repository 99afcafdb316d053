"""Every operator's examples (``examples`` in its declaration) run through Spark SQL, as
pyspark runs the examples of its docs: one SELECT holds them all, and each result must be
the declared one. The same examples are shown in docs/OPERATORS.md and in the docstrings of
``sparkops.functions`` (its generated stub, sparkops/functions.pyi, is checked here too)."""

from __future__ import annotations

import ast
import inspect
import math
import re
import sys

import pytest

from sparkops import stubs
from sparkops.core import Example, Op, all_ops, sql_functions


def _cases() -> list[tuple[Op, Example]]:
    return [(op, ex) for op in all_ops() for ex in op.examples]


def _label(op: Op, ex: Example) -> str:
    return f"{op.name}: SELECT {ex.call}"


def mismatch(got, want) -> str | None:
    """Why ``got`` (a value from Spark) is not ``want`` (an example's result), or None."""
    if isinstance(want, dict):
        if got is None:
            return "NULL, not a struct"
        fields = got.asDict() if hasattr(got, "asDict") else got
        for key, value in want.items():
            if key not in fields:
                return f"no field {key!r} (fields: {', '.join(fields)})"
            why = mismatch(fields[key], value)
            if why:
                return f"field {key}: {why}"
        return None
    if want is None:
        return None if got is None else f"{got!r}, not NULL"
    if isinstance(want, bool):
        return None if got is want else f"{got!r}, not {want!r}"
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"{got!r}, not the number {want!r}"
        if isinstance(want, int) and isinstance(got, int):
            return None if got == want else f"{got!r}, not {want!r}"
        return None if math.isclose(got, want, rel_tol=0, abs_tol=1e-9) else f"{got!r}, not {want!r} (to 1e-9)"
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return f"{got!r}, not {list(want)!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            why = mismatch(g, w)
            if why:
                return f"item {i}: {why}"
        return None
    return None if got == want and type(got) is type(want) else f"{got!r}, not {want!r}"


def test_every_op_has_an_example_that_calls_its_sql_functions():
    # a selector, grouper or aggregator works on the whole table: no SQL function to show
    missing = [op.name for op in all_ops() if not op.examples and op.kind not in ("selector", "grouper", "aggregator")]
    assert not missing, f"operators without an example: {missing}"
    names = {}
    for name, op, _ in sql_functions():
        names.setdefault(op.name, []).append(name)
    for op, ex in _cases():
        called = [n for n in names.get(op.name, []) if re.search(rf"\b{re.escape(n)}\s*\(", ex.call)]
        assert called, f"{_label(op, ex)}: calls none of the op's SQL functions {names.get(op.name)}"


@pytest.mark.parametrize("got, want, ok", [
    (0.6000000000001, 0.6, True), (0.61, 0.6, False), (None, 0.0, False), (3, 3, True), (True, 1, False),
    ({"a": 1, "b": 2}, {"a": 1}, True), ({"a": 1}, {"a": 2}, False), ({"a": None}, {"a": None}, True),
    ("a", "a", True), ("a", "b", False), ([1, 2], [1, 2], True), ([1], [1, 2], False), (None, None, True),
])
def test_mismatch_compares_floats_to_1e_9_and_structs_by_their_listed_fields(got, want, ok):
    assert (mismatch(got, want) is None) == ok


def _error_line(err: Exception) -> str:
    """The line of a Spark error that says what went wrong (a Python worker's last error line)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b.*:", line)]
    return f"{type(err).__name__}: {(raised or lines or [''])[-1 if raised else 0]}"


@pytest.mark.spark
def test_every_example_gives_its_result_through_spark_sql(spark):
    cases = _cases()
    query = "SELECT " + ", ".join(f"{ex.call} AS e{i}" for i, (_, ex) in enumerate(cases))
    try:
        row = spark.sql(query).first()  # one job for all of them
        results = [(row[i], None) for i in range(len(cases))]
    except Exception:  # noqa: BLE001 - find the example(s) that fail, one query each
        results = []
        for _, ex in cases:
            try:
                results.append((spark.sql(f"SELECT {ex.call} AS e").first()[0], None))
            except Exception as err:  # noqa: BLE001
                results.append((None, _error_line(err)))
    bad = []
    for (op, ex), (got, error) in zip(cases, results):
        why = error or mismatch(got, ex.result)
        if why:
            bad.append(f"{_label(op, ex)}\n    -> {why}")
    assert not bad, f"{len(bad)} of {len(cases)} examples fail:\n" + "\n".join(bad)


def _stub() -> ast.Module:
    return ast.parse(stubs.TARGET.read_text(encoding="utf-8"))


def test_the_stub_declares_every_column_function():
    defs = {node.name: node for node in _stub().body if isinstance(node, ast.FunctionDef)}
    names = {name for name, _, _ in sql_functions()}
    assert names <= set(defs), f"missing from functions.pyi: {sorted(names - set(defs))}"
    for name in names:
        node = defs[name]
        assert [a.arg for a in node.args.args][0] == "col", name
        assert ast.unparse(node.returns) == "Column", name
        assert "SQL: " + name + "(" in ast.get_docstring(node), name
    assert "sparkops/functions.pyi" in _package_data()


def _package_data() -> str:
    import tomllib

    pyproject = stubs.TARGET.parents[1] / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    return " ".join(f"{pkg}/{pattern}" for pkg, patterns in data.items() for pattern in patterns)


@pytest.mark.spark
def test_every_stub_function_exists_with_the_same_signature_and_docstring(spark):
    import sparkops.functions as sf

    for node in _stub().body:
        if not isinstance(node, ast.FunctionDef):
            continue
        assert hasattr(sf, node.name), f"functions.pyi declares {node.name}, sparkops.functions has none"
        if node.name.startswith("__"):
            continue
        fn = getattr(sf, node.name)
        runtime = inspect.signature(fn)
        assert list(runtime.parameters) == [a.arg for a in node.args.args], node.name
        defaults = [sys.maxsize if ast.unparse(d) == "sys.maxsize" else ast.literal_eval(d)
                    for d in node.args.defaults]
        want = [p.default for p in runtime.parameters.values() if p.default is not inspect.Parameter.empty]
        assert len(defaults) == len(want) and all(d is Ellipsis or d == w for d, w in zip(defaults, want)), \
            f"{node.name}: defaults {defaults} in the stub, {want} at run time"
        assert ast.get_docstring(node) == inspect.cleandoc(fn.__doc__), node.name
