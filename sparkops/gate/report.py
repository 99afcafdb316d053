"""The gate's verdict (``GateResult``), its console summary and its report files."""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_LIMIT = 200  # characters of a string value shown in reports

# status of one expectation
PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


# --------------------------------------------------------------------------- values


def shorten(value: Any, limit: int = TEXT_LIMIT) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def jsonable(value: Any, limit: int | None = TEXT_LIMIT) -> Any:
    """A JSON-safe copy of a value GX or Spark returned (strings cut to ``limit`` chars)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return shorten(value, limit) if limit else value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value[:32].hex() + ("…" if len(value) > 32 else "")
    if isinstance(value, dict):
        return {str(k): jsonable(v, limit) for k, v in value.items()}
    if hasattr(value, "asDict"):  # pyspark Row
        return jsonable(value.asDict(recursive=True), limit)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, limit) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        try:
            return jsonable(value.item(), limit)
        except (TypeError, ValueError):
            pass
    if hasattr(value, "to_dict"):  # pandas
        try:
            return jsonable(value.to_dict(orient="records"), limit)
        except TypeError:
            return jsonable(value.to_dict(), limit)
    return str(value)


def visible(text: str) -> str:
    """``text`` with invisible characters (tab, no-break and zero-width spaces ...) escaped."""
    out = []
    for ch in text:
        if ch.isprintable() and not (ch.isspace() and ch != " "):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def fmt(value: Any) -> str:
    """A compact human form of a value: 4 significant digits for floats."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else "null"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str):
        return repr(shorten(value, 60))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        shown = ", ".join(fmt(v) for v in items[:8])
        return "[" + shown + (", …" if len(items) > 8 else "") + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in list(value.items())[:8]) + "}"
    return str(value)


# --------------------------------------------------------------------------- what an expectation wants


def _bound(v: Any) -> str:
    return fmt(v) if not isinstance(v, dict) else json.dumps(v)  # {"$PARAMETER": ...}


def expected_text(etype: str, kw: dict) -> str:
    """What the expectation asks for, e.g. ``in [0.25, 1]``, ``>= 0.8``, ``in {'en'}``."""
    lo, hi = kw.get("min_value"), kw.get("max_value")
    prefix = "length " if "value_lengths" in etype else ""
    if etype.endswith("_to_equal") and "value" in kw:
        return f"{prefix}== {_bound(kw['value'])}"
    if lo is not None or hi is not None:
        if lo is not None and hi is not None:
            left = "(" if kw.get("strict_min") else "["
            right = ")" if kw.get("strict_max") else "]"
            return f"{prefix}in {left}{_bound(lo)}, {_bound(hi)}{right}"
        if lo is not None:
            return f"{prefix}{'>' if kw.get('strict_min') else '>='} {_bound(lo)}"
        return f"{prefix}{'<' if kw.get('strict_max') else '<='} {_bound(hi)}"
    if "value_set" in kw:
        shown = "{" + ", ".join(fmt(v) for v in list(kw["value_set"])[:8]) + \
                (", …" if len(kw["value_set"]) > 8 else "") + "}"
        return f"not in {shown}" if "_not_be_in_set" in etype else f"in {shown}"
    for key in ("regex", "like_pattern"):
        if key in kw:
            return f"{'not ' if '_not_match' in etype else ''}matching /{visible(str(kw[key]))}/"
    for key in ("regex_list", "like_pattern_list"):
        if key in kw:
            pats = " ".join(f"/{visible(str(p))}/" for p in kw[key])
            return f"{'not ' if '_not_match' in etype else ''}matching {pats}"
    if "value" in kw:
        return f"== {_bound(kw['value'])}"
    if etype.endswith("_to_be_unique"):
        return "unique"
    if etype == "expect_column_values_to_not_be_null":
        return "not null"
    if etype == "expect_column_values_to_be_null":
        return "null"
    if etype == "expect_column_to_exist":
        return "the column exists"
    if "type_" in kw or "type_list" in kw:
        return f"of type {kw.get('type_') or fmt(kw.get('type_list'))}"
    if "column_set" in kw or "column_list" in kw:
        return f"columns {fmt(kw.get('column_set') or kw.get('column_list'))}"
    return ""


_NEGATE = (("in [", "outside ["), ("in (", "outside ("), ("in {", "not in {"), (">= ", "< "), ("<= ", "> "),
           ("> ", "<= "), ("< ", ">= "), ("== ", "!= "), ("not matching ", "matching "), ("matching ", "not matching "),
           ("not in {", "in {"), ("of type ", "not of type "))


def violation_text(etype: str, kw: dict) -> str:
    """How a row breaks a column-map expectation, e.g. ``outside [0.25, 1]``, ``< 100``, ``null``."""
    if etype == "expect_column_values_to_not_be_null":
        return "null"
    if etype == "expect_column_values_to_be_null":
        return "not null"
    if etype.endswith("_to_be_unique"):
        return "duplicated"
    exp = expected_text(etype, kw)
    prefix = ""
    if exp.startswith("length "):
        prefix, exp = "length ", exp[len("length "):]
    for want, broken in sorted(_NEGATE, key=lambda p: -len(p[0])):
        if exp.startswith(want):
            return prefix + broken + exp[len(want):]
    return f"not {prefix}{exp}" if exp else "unexpected"


# --------------------------------------------------------------------------- the verdict


@dataclass
class GateResult:
    """The verdict of one gate: ``success``, per-expectation ``results``, report files."""

    stage: str
    suite_name: str
    success: bool
    results: list[dict]
    row_count: int | None
    seconds: dict[str, float]
    report_path: Path | None = None
    json_path: Path | None = None
    suite_source: str | None = None
    gx_version: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def failures(self) -> list[dict]:
        """Expectations that fail the gate: failed or errored, severity ``critical``."""
        return [r for r in self.results if r["status"] in (FAILED, ERROR) and r["severity"] == "critical"]

    @property
    def warnings(self) -> list[dict]:
        """Failed expectations of severity ``warning``/``info``: reported, not blocking."""
        return [r for r in self.results if r["status"] in (FAILED, ERROR) and r["severity"] != "critical"]

    @property
    def skipped(self) -> list[dict]:
        return [r for r in self.results if r["status"] == SKIPPED]

    @property
    def evaluated(self) -> int:
        return sum(1 for r in self.results if r["status"] != SKIPPED)

    def summary(self) -> str:
        """A few console lines: the verdict, one line per failure, the report path."""
        n, bad = self.evaluated, self.failures
        rows = f" on {self.row_count:,} rows" if self.row_count is not None else ""
        took = f" ({self.seconds.get('total', 0):.1f} s)"
        if self.success:
            head = f"gate '{self.stage}': all {n} expectations passed{rows}{took}"
        else:
            head = (f"gate '{self.stage}': {len(bad)} of {n} expectations failed{rows}{took}: "
                    + "; ".join(one_line(r) for r in bad[:3]) + (" ..." if len(bad) > 3 else ""))
        lines = [head]
        if not self.success and len(bad) > 1:
            lines += [f"  - {one_line(r)}" for r in bad]
        lines += [f"  warning: {one_line(r)}" for r in self.warnings]
        if self.skipped:
            lines.append(f"  skipped: {', '.join(label(r) for r in self.skipped)} (columns not in the data)")
        if self.report_path:
            lines.append(f"  report: {self.report_path}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "stage": self.stage, "suite": self.suite_name, "suite_source": self.suite_source,
            "success": self.success, "row_count": self.row_count,
            "statistics": {"evaluated": self.evaluated, "failed": len(self.failures),
                           "warnings": len(self.warnings), "skipped": len(self.skipped),
                           "passed": sum(1 for r in self.results if r["status"] == PASSED)},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "great_expectations_version": self.gx_version, "engine": "spark",
            "results": self.results, **self.extra,
        }

    def __repr__(self) -> str:
        return (f"GateResult(stage={self.stage!r}, success={self.success}, failures={len(self.failures)}, "
                f"report_path={str(self.report_path) if self.report_path else None!r})")


def label(r: dict) -> str:
    return f"{r['type']}({r['column']})" if r.get("column") else r["type"]


def one_line(r: dict) -> str:
    """``expect_column_mean_to_be_between(stats.alnum_ratio) observed 0.41 not in [0.5, 1]``."""
    head = label(r)
    if r["status"] == ERROR:
        return f"{head} error: {shorten(r.get('error') or '', 160)}"
    if r["status"] == SKIPPED:
        return f"{head} skipped: {r.get('error')}"
    if r.get("unexpected_count") is not None:
        base = r.get("nonmissing_count", r.get("element_count"))
        text = (f"{head} {r['unexpected_count']:,} of {base:,} rows ({r['unexpected_percent']:.3g}%) "
                f"{violation_text(r['type'], r['kwargs'])}")
        mostly = r["kwargs"].get("mostly")
        if mostly is not None:
            text += f" (mostly={fmt(mostly)})"
        return text
    exp = r.get("expected") or ""
    observed = r.get("observed_value")
    if r["type"] == "expect_column_to_exist":
        return f"{head}: no such column"
    if observed is None:
        return f"{head} observed no value" + (f", expected {exp}" if exp else "")
    if exp.startswith(("in ", ">", "<", "==", "length ", "of type ")):
        return f"{head} observed {fmt(observed)} not {exp}"
    return f"{head} observed {fmt(observed)}" + (f", expected {exp}" if exp else "")


# --------------------------------------------------------------------------- report files


def _cell(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A markdown table cell: one line, ``|`` escaped."""
    if value is None:
        return ""
    text = shorten(value, limit) if isinstance(value, str) else str(value) if isinstance(value, int) else fmt(value)
    return visible(text.replace("\r\n", "\n").replace("\r", " ").replace("\n", " ⏎ ")).replace("|", "\\|")


def _rows_table(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]
    out = ["| " + " | ".join(_cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        out.append("| " + " | ".join(_cell(row.get(c)) for c in cols) + " |")
    return out


def _observed_cell(r: dict) -> str:
    if r["status"] == SKIPPED:
        return "skipped"
    if r["status"] == ERROR:
        return "error"
    if r.get("unexpected_count") is not None:
        base = r.get("nonmissing_count", r.get("element_count"))
        return f"{r['unexpected_count']:,} of {base:,} rows {violation_text(r['type'], r['kwargs'])}"
    return "—" if r.get("observed_value") is None else fmt(r.get("observed_value"))


def render_markdown(g: GateResult) -> str:
    verdict = "PASSED" if g.success else "FAILED"
    st = g.to_dict()["statistics"]
    lines = [
        f"# Gate '{g.stage}': {verdict}",
        "",
        f"- suite: `{g.suite_name}`" + (f" ({g.suite_source})" if g.suite_source else ""),
        f"- rows validated: {g.row_count:,}" if g.row_count is not None else "- rows validated: n/a",
        f"- expectations: {st['evaluated']} evaluated, {st['passed']} passed, {st['failed']} failed"
        + (f", {st['warnings']} failed as warnings" if st["warnings"] else "")
        + (f", {st['skipped']} skipped" if st["skipped"] else ""),
        f"- time: {g.seconds.get('total', 0):.1f} s (materialize {g.seconds.get('materialize', 0):.1f} s, "
        f"Great Expectations {g.seconds.get('gx', 0):.1f} s, samples {g.seconds.get('samples', 0):.1f} s)",
        f"- engine: Great Expectations {g.gx_version}, Spark execution engine",
        "",
        "| # | expectation | column | expected | observed | unexpected | severity | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in g.results:
        unexpected = ("" if r.get("unexpected_count") is None
                      else f"{r['unexpected_count']:,} ({r['unexpected_percent']:.3g}%)")
        mark = {PASSED: "passed", FAILED: "**FAILED**", ERROR: "**ERROR**", SKIPPED: "skipped"}[r["status"]]
        lines.append(f"| {r['index']} | {r['type']} | {_cell(r.get('column') or '')} | "
                     f"{_cell(r.get('expected') or '')} | {_cell(_observed_cell(r))} | {unexpected} | "
                     f"{r['severity']} | {mark} |")
    lines.append("")
    for r in g.results:
        lines += [f"## {r['index']}. {label(r)}: {r['status']}", ""]
        lines.append(f"- kwargs: `{visible(json.dumps(r['kwargs'], ensure_ascii=False, default=str))}`")
        if r.get("description"):
            lines.append(f"- description: {r['description']}")
        if r.get("meta"):
            lines.append(f"- meta: `{json.dumps(r['meta'], ensure_ascii=False, default=str)}`")
        if r["status"] in (ERROR, SKIPPED):
            lines.append(f"- {'error' if r['status'] == ERROR else 'skipped'}: {r.get('error')}")
        else:
            lines.append(f"- success: {str(r['success']).lower()}")
            if r.get("observed_value") is not None:
                lines.append(f"- observed value: {fmt(r['observed_value'])}"
                             + (f" (expected {r['expected']})" if r.get("expected") else ""))
            if r.get("unexpected_count") is not None:
                lines.append(f"- unexpected: {r['unexpected_count']:,} of {r.get('nonmissing_count', 0):,} "
                             f"non-null rows ({r['unexpected_percent']:.4g}%); rows: {r.get('element_count', 0):,}, "
                             f"null: {r.get('missing_count', 0):,}")
            if r.get("partial_unexpected_list"):
                lines.append(f"- unexpected values (first {len(r['partial_unexpected_list'])}): "
                             f"{_cell(fmt(r['partial_unexpected_list']), 400)}")
        if r.get("sample_rows"):
            lines += ["", f"Sample rows ({r.get('sample_note', '')}; strings cut at {TEXT_LIMIT} characters):",
                      ""]
            lines += _rows_table(r["sample_rows"])
        lines.append("")
    return "\n".join(lines)


def write_reports(g: GateResult, report_dir: Path, gx_result: dict | None = None) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    g.report_path = report_dir / "report.md"
    g.json_path = report_dir / "report.json"
    g.json_path.write_text(json.dumps(g.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n",
                           encoding="utf-8")
    g.report_path.write_text(render_markdown(g) + "\n", encoding="utf-8")
    if gx_result is not None:
        (report_dir / "gx_validation_result.json").write_text(
            json.dumps(gx_result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
