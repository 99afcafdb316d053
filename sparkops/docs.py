"""Generate ``docs/OPERATORS.md``, ``docs/job-spec.schema.json`` and ``sparkops/functions.pyi``
(``sparkops.stubs``) from the registry: ``python -m sparkops.docs`` (``make docs``).

A test fails when a checked-in file differs from what this renders, so the reference can
never drift from the declarations.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sparkops import stubs
from sparkops.core import MAXSIZE, Op, all_ops, sql_functions

DOCS = Path(__file__).resolve().parents[1] / "docs"
TARGET = DOCS / "OPERATORS.md"
SCHEMA_TARGET = DOCS / "job-spec.schema.json"


def render_schema() -> str:
    import json

    from sparkops.jobs.schema import spec_schema

    return json.dumps(spec_schema(), indent=2) + "\n"


def generated() -> dict[Path, str]:
    """Every generated doc file and what it must contain."""
    return {TARGET: render(), SCHEMA_TARGET: render_schema(), stubs.TARGET: stubs.render_stub()}


def _value(v) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return str(v).lower()
    if v == MAXSIZE and isinstance(v, int):
        return "sys.maxsize"
    return repr(v) if isinstance(v, str) else str(v)


def _sql_signature(op: Op) -> list[str]:
    out = [f"`{stubs.sql_signature(name, o, what)}`" for name, o, what in sql_functions() if o is op]
    if not out and op.kind == "deduplicator":
        return ["— (DataFrame-level: a job step, or `sparkops.apply(df, [...])`)"]
    if not out and op.kind in ("selector", "grouper", "aggregator"):
        return ["— (whole table: a job step, or `sparkops.apply(df, [...])`; rows in `_order`)"]
    return out


def _examples(op: Op) -> list[str]:
    """The op's examples, as the test suite runs them through Spark SQL."""
    return [f"- `SELECT {ex.call}` → `{stubs.render_result(ex, op)}`" + (f" — {ex.doc}" if ex.doc else "")
            for ex in op.examples]


def render() -> str:
    ops = all_ops()
    lines = [
        "# sparkops operators",
        "",
        "Generated from the registry by `make docs` (`python -m sparkops.docs`); do not edit by hand.",
        "",
        "Names, parameters, defaults and statistics are Data-Juicer 1.6.1's. Every filter, mapper and",
        "generator also takes Data-Juicer's `text_key` (the record field it reads, and a mapper or",
        "generator rewrites; default: the input's text field; `meta.title` reads a nested field), and",
        "every filter `min_closed_interval` / `max_closed_interval` (default true) and `reversed_range`",
        "(default false). In SQL, a filter's function is its statistic; optional arguments after `text`",
        "are positional, in the order shown.",
        "",
        "Input edge cases, for every operator: a NULL text gives NULL (SQL/UDF) or is dropped as",
        "`null_text` (fused pass, `_dropped_by`); an empty text gives 0 for every ratio, length and",
        "count; whitespace-only and emoji-only texts are ordinary texts (emoji are special characters,",
        "so an emoji-only text has `special_char_ratio` 1.0 and no words).",
        "",
        "Kinds: a filter keeps or drops a row, a mapper rewrites it; a generator turns a row into",
        "several (one per chunk); a deduplicator removes copies; a selector keeps a subset of the whole",
        "table in an order of its own; a grouper turns rows into grouped rows (every field a list) and",
        "back. Rows a filter, deduplicator, generator or selector removes are kept apart with the",
        "reason (`_dropped_by`), never lost.",
        "",
        "| operator | kind | SQL |",
        "|---|---|---|",
    ]
    for op in ops:
        lines.append(f"| [`{op.name}`](#{op.name}) | {op.kind} | {'<br>'.join(_sql_signature(op))} |")
    for op in ops:
        lines += ["", f"## {op.name}", "", f"*{op.kind}, family `{op.family}`*", "", op.doc, ""]
        if op.requires:
            lines += [f"Needs: `pip install 'sparkops[{','.join(op.requires)}]'`" + "  "]
        if op.models:
            lines += [f"Models: {'; '.join(op.models)}" + "  "]
        lines += [f"SQL: {s}" + "  " for s in _sql_signature(op)]
        lines += [f"- `{sk.name}`: {sk.doc}" for sk in op.sketches]
        if op.examples:
            lines += ["", "Examples (run by `tests/test_examples.py`):", ""] + _examples(op)
        if op.text_key or op.reads:
            lines += ["", "Reads: " + ", ".join(
                ([f"the field `text_key` (default `{op.text_key}`)"] if op.text_key else [])
                + [f"the field its `{r}` names" for r in op.reads]) + "."]
        if op.writes:
            lines += ["", "| writes | type | meaning |", "|---|---|---|"]
            where = "meta." if op.kind == "mapper" else ""  # a generator's fields are the record's own
            lines += [f"| `{where}{w.key}` | {w.dtype} | {w.doc} |" for w in op.writes_for()]
        if op.stats:
            lines += ["", "| stat key | type | definition |", "|---|---|---|"]
            lines += [f"| `{s.key}` | {s.dtype} | {s.doc} |" for s in op.stats]
        if op.params:
            lines += ["", "| parameter | type | default | meaning |", "|---|---|---|---|"]
            for p in op.params:
                lines.append(f"| `{p.name}` | {p.type}{' or null' if p.nullable else ''} | "
                             f"`{_value(p.default)}` | {p.doc} |")
        if op.notes:
            lines += ["", op.notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    files = generated()
    if "--check" in sys.argv:
        stale = [p.name for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        sys.exit(f"stale: {', '.join(stale)}: run `make docs`" if stale else 0)
    DOCS.mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
