"""Every SQL function's signature and docstring, and ``sparkops/functions.pyi`` built from them.

``sparkops.functions`` creates its column functions at run time (``__getattr__``), so an IDE
sees nothing there; the stub declares each one with its signature (the column, then the
optional extra arguments with their defaults) and its docstring (what it computes, the op,
the SQL signature, the first example). ``python -m sparkops.docs`` writes the stub beside
OPERATORS.md and a test fails when it is stale. The run-time functions carry the same
docstring and signature (``sparkops.spark.functions.column_function``).

Pure: reads the declarations only.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

from sparkops.core import MAXSIZE, Example, Op, Param, Sketch, Stat, sql_functions

TARGET = Path(__file__).resolve().parent / "functions.pyi"

# Param type tags -> Python annotations
_PY_TYPES = {
    "bool": "bool", "int": "int", "float": "float", "str": "str", "list[str]": "list[str]",
    "list[int]": "list[int]", "str|list[str]": "str | list[str]", "list[(int,float)]": "list[tuple[int, float]]",
    "list[str|number|null]": "list[str | int | float | None]",
}


def function_args(op: Op, what: Stat | Sketch | None) -> tuple[str, ...]:
    """The optional arguments after ``text``, in order."""
    return what.args if isinstance(what, Sketch) else op.sql_args()


def result_type(op: Op, what: Stat | Sketch | None) -> str:
    """The Spark SQL type the function returns."""
    if isinstance(what, (Stat, Sketch)):
        return what.dtype
    if op.kind == "mapper":
        return "struct<text: string, " + ", ".join(f"{w.key}: {w.dtype}" for w in op.writes_for()) + ">" \
            if op.writes else "string"
    if op.kind == "generator":
        return "array<struct<text: string, " + ", ".join(f"{w.key}: {w.dtype}" for w in op.writes_for()) + ">>" \
            if op.writes else "array<string>"
    fields = ", ".join(f"{f}: {op.field_stat(k).dtype}" for f, k in op.sql_fields)
    return f"struct<{fields}>"


def sql_signature(name: str, op: Op, what: Stat | Sketch | None) -> str:
    """``char_rep_ratio(text[, rep_len]) -> double``."""
    args = "".join(f"[, {a}]" for a in function_args(op, what))
    return f"{name}(text{args}) -> {result_type(op, what)}"


def first_example(name: str, op: Op) -> Example | None:
    """The op's first example that calls ``name`` (else its first example)."""
    calls = re.compile(rf"\b{re.escape(name)}\s*\(")
    return next((e for e in op.examples if calls.search(e.call)), op.examples[0] if op.examples else None)


def render_value(value) -> str:
    """An example's result as SQL would show it: NULL, true, 0.6, 'text', {field: value}."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, str):
        return sql_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {render_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return repr(value)


_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def sql_string(text: str) -> str:
    """A Spark SQL string literal: backslash escapes for quotes, line breaks, tabs and every
    other space or invisible character (``\\u00a0``), so the literal reads unambiguously."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch != " " and (ch.isspace() or not ch.isprintable()) and ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def render_result(example: Example, op: Op) -> str:
    """An example's result; a struct shown in part ends with '...'."""
    shown = render_value(example.result)
    if isinstance(example.result, dict) and len(example.result) < len(op.sql_fields):
        shown = shown[:-1] + ", ...}"
    return shown


def function_doc(name: str, op: Op, what: Stat | Sketch | None) -> str:
    """The docstring of the Python column function ``name`` (and of its stub)."""
    if isinstance(what, Stat):
        head = [what.doc, "", f"The statistic of `{op.name}`: {op.doc}"]
    elif isinstance(what, Sketch):
        head = [what.doc, "", f"A per-row sketch of `{op.name}`: {op.doc}"]
    elif op.kind == "mapper" and op.writes:
        head = [op.doc, "", f"The text as `{op.name}` maps it, and the meta fields it writes:", ""]
        head += [f"- {w.key}: {w.doc}" for w in op.writes_for()]
    elif op.kind == "mapper":
        head = [op.doc, "", f"The text as `{op.name}` maps it."]
    elif op.kind == "generator" and op.writes:
        head = [op.doc, "", f"The rows `{op.name}` makes of the text, as an array of structs (`explode` makes "
                "them rows): each row's text and the fields it writes:", ""]
        head += [f"- {w.key}: {w.doc}" for w in op.writes_for()]
    elif op.kind == "generator":
        head = [op.doc, "", f"The texts `{op.name}` makes of the text, as an array (`explode` makes them rows)."]
    else:
        head = [f"The statistics of `{op.name}` as a struct: {op.doc}", ""]
        head += [f"- {f}: {op.field_stat(k).doc}" for f, k in op.sql_fields]
    lines = [_fill(line, subsequent_indent="  " if line.startswith("- ") else "") for line in head]
    lines += ["", f"SQL: {sql_signature(name, op, what)}"]
    args = [op.param(a) for a in function_args(op, what)]
    lines += ["", "Args:", "    col: the text (a Column or a column name)."]
    lines += [_fill(f"{p.name}: {p.doc} Default: {_default_text(p)}.", initial_indent="    ",
                    subsequent_indent="        ") for p in args]
    example = first_example(name, op)
    if example is not None:
        lines += ["", "Example:", f"    SELECT {example.call}  -- {render_result(example, op)}"]
        if example.doc:
            lines.append(_fill(example.doc, initial_indent="    ", subsequent_indent="    "))
    return "\n".join(lines)


def _fill(text: str, **indents) -> str:
    return textwrap.fill(text, 96, break_on_hyphens=False, break_long_words=False, **indents)


def _default_text(p: Param) -> str:
    return "None" if p.default is None else repr(p.default)


def annotation(p: Param) -> str:
    tag = _PY_TYPES.get(p.type, "object")
    return f"{tag} | Column" + (" | None" if p.nullable else "")


def _default_literal(p: Param) -> str:
    value = p.default
    if value is MAXSIZE and isinstance(value, int):
        return "sys.maxsize"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    return "..."  # a list: stubs show complex defaults as ...


def signature(name: str, op: Op, what: Stat | Sketch | None) -> inspect.Signature:
    """The run-time signature of the column function (``col``, then the extra arguments)."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("col", kind, annotation="Column | str")]
    for a in function_args(op, what):
        p = op.param(a)
        params.append(inspect.Parameter(a, kind, default=p.default, annotation=annotation(p)))
    return inspect.Signature(params, return_annotation="Column")


def _docstring_literal(doc: str, indent: str) -> str:
    """The docstring as source: raw when it holds backslashes (SQL escapes read as written)."""
    if '"""' in doc or doc.endswith("\\"):
        raise ValueError(f"a docstring cannot hold this text as a raw string literal: {doc!r}")
    prefix = "r" if "\\" in doc else ""
    body = "\n".join(indent + line if line else "" for line in doc.split("\n"))
    return f'{indent}{prefix}"""{body.lstrip()}\n{indent}"""'


def render_stub() -> str:
    import sparkops.functions as module

    body = ["", "", "def __dir__() -> list[str]: ..."]
    for name, op, what in sorted(sql_functions(), key=lambda f: f[0]):
        args = ["col: Column | str"]
        for a in function_args(op, what):
            p = op.param(a)
            args.append(f"{a}: {annotation(p)} = {_default_literal(p)}")
        head = f"def {name}({', '.join(args)}) -> Column:"
        if len(head) > 100:
            head = f"def {name}(\n" + "".join(f"    {a},\n" for a in args) + ") -> Column:"
        body += ["", "", head, _docstring_literal(function_doc(name, op, what), "    "), "    ..."]
    imports = ["import sys", ""] if any("= sys.maxsize" in line for line in body) else []
    lines = [
        "# Generated from the operator declarations by `make docs` (`python -m sparkops.docs`);",
        "# do not edit by hand.",
        _docstring_literal(module.__doc__.strip(), ""),
        "",
        *imports,
        "from pyspark.sql import Column",
        *body,
    ]
    return "\n".join(lines) + "\n"
