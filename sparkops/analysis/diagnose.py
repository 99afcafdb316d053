"""Diagnoses: settings that cannot work on the analysed data, said in one line each.

- a near-dedup op whose ``window_size`` most documents do not reach (Chinese under ``space``
  tokenization: a line is one token), so near-dedup is exact matching for them;
- a filter that keeps almost nothing (< 1 %) or, with thresholds the spec sets, everything;
- a statistic that is constant, or never computed;
- ops that raised on rows, input records that could not be read, a spec that keeps < 1 %.

Pure Python: no pyspark.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sparkops.analysis.plan import Plan
from sparkops.analysis.suggest import fmt, pct

FEW = 0.01  # a filter keeping less than this share of rows "cannot work here"
MOST = 0.5  # share of documents below a dedup window that makes the window useless


@dataclass(frozen=True)
class Diagnosis:
    level: str  # "error": the setting cannot work on this data; "warning"; "info"
    subject: str  # the op or statistic
    message: str

    def line(self) -> str:
        return f"{self.level}: {self.subject}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Facts:
    """What the diagnoses read: counts the run measured."""

    rows: int
    summary: dict[str, dict]  # numeric statistics
    categorical: dict[str, dict]
    configured_alone: dict[int, int]  # plan.ops index of a filter -> rows it keeps as configured
    configured_all: int | None  # rows every filter keeps as configured
    short_rows: dict[str, int]  # probe column -> rows with fewer tokens than the window
    short_language: dict[str, tuple[str, int]]  # probe column -> (language with most short rows, rows)
    errors: dict[str, tuple[int, str]]  # op -> (rows it raised on, first message)
    unreadable: int = 0
    unreadable_reasons: dict[str, int] | None = None


def diagnose(plan: Plan, facts: Facts) -> list[Diagnosis]:
    out: list[Diagnosis] = []
    n = facts.rows
    if facts.unreadable:
        reasons = ", ".join(f"{r} ({c:,})" for r, c in (facts.unreadable_reasons or {}).items())
        out.append(Diagnosis("warning", "input", f"{facts.unreadable:,} records could not be read and are not "
                                                 f"analysed: {reasons}"))
    for probe in plan.probes:
        short = facts.short_rows.get(probe.column, 0)
        d = facts.summary.get(probe.column) or {}
        if not n or not d.get("count"):
            continue
        share = short / n
        if share <= 0.05:
            continue
        level = "error" if share > MOST else "warning"
        where = (f"{fmt(share * 100, 3)}% of documents ({short:,} of {n:,}) have" if share < 1 else
                 f"every document ({n:,}) has")
        msg = (f"{where} fewer than window_size={probe.window_size} tokens under tokenization "
               f"'{probe.tokenization}' (median: {fmt(d.get('p50'))}): each such document is one shingle, so "
               f"near-duplicate detection is exact matching for them")
        lang = facts.short_language.get(probe.column)
        if lang:
            msg += f"; most of them are '{lang[0]}' ({lang[1]:,})"
        if probe.tokenization != "character":
            msg += ". For Chinese or Japanese text use tokenization: character"
        elif probe.window_size > 1:
            msg += f". Lower window_size (the p25 document has {fmt(d.get('p25'))} characters)"
        out.append(Diagnosis(level, f"{probe.op} (stage '{probe.stage}')", msg))
    for i, kept in facts.configured_alone.items():
        a = plan.ops[i]
        params = _thresholds(a)
        how = f"as configured ({params})" if a.given else "with its default parameters" + (f" ({params})" if params else "")
        if n and kept / n < FEW:
            out.append(Diagnosis("error", _subject(plan, i), f"{how} keeps {pct(kept, n)} of rows ({kept:,} of "
                                 f"{n:,}): nearly every document fails it{_observed(plan, i, facts)}"))
        elif n and kept == n and a.given & _range_params(a):
            out.append(Diagnosis("warning", _subject(plan, i), f"{how} keeps every row: its range does not cut "
                                 f"this data{_observed(plan, i, facts)}"))
    constant: dict[str, list[str]] = {}
    for s, d in facts.summary.items():
        if d["count"] == 0:
            out.append(Diagnosis("info", s, "no row has a value (the op leaves it unset with these parameters, "
                                 "or failed on every row)"))
        elif d["count"] > 1 and d["min"] == d["max"]:
            constant.setdefault(fmt(d["min"]), []).append(s)
    for value, names in constant.items():
        subject = names[0] if len(names) == 1 else f"{len(names)} statistics"
        what = "" if len(names) == 1 else f" ({', '.join(names)})"
        out.append(Diagnosis("warning", subject, f"constant{what}: {value} on every row, so a threshold on "
                             f"{'it' if len(names) == 1 else 'them'} keeps every row or none"))
    for s, c in facts.categorical.items():
        if c["count"] > 1 and c["distinct"] == 1:
            out.append(Diagnosis("info", s, f"one value only ({c['top'][0][0]!r}) over all {c['count']:,} rows"))
    for op, (count, message) in facts.errors.items():
        out.append(Diagnosis("warning", op, f"raised on {count:,} rows ({pct(count, n)}); first: {message}"))
    filters = [a for a in plan.ops if a.bound.op.kind == "filter"]
    if facts.configured_all is not None and n and len(filters) > 1 and facts.configured_all / n < FEW:
        out.append(Diagnosis("error", "spec" if plan.spec else "all filters",
                             f"all filters together keep {pct(facts.configured_all, n)} of rows "
                             f"({facts.configured_all:,} of {n:,})"))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda d: order[d.level])  # stable: the order above within a level


def _subject(plan: Plan, i: int) -> str:
    a = plan.ops[i]
    return f"{a.bound.name} (stage '{a.stage}')" if plan.spec else a.bound.name


def _range_params(a) -> set[str]:
    r = a.bound.op.range
    return {p for p in (r[1], r[2]) if p} if r else set()


def _thresholds(a) -> str:
    """The op's threshold parameters: those the spec gave, else its range's."""
    names = sorted(a.given) or sorted(_range_params(a))
    return ", ".join(f"{k} {fmt(a.bound.params[k], 7)}" for k in names if k in a.bound.params)


def _observed(plan: Plan, i: int, facts: Facts) -> str:
    """'; observed <stat> min .. max, median m' for the op's statistics."""
    parts = []
    for c in plan.pipeline().columns:
        d = facts.summary.get(c.name)
        if c.op_index == i and d and d["count"]:
            parts.append(f"{c.name} {fmt(d['min'])} .. {fmt(d['max'])}, median {fmt(d['p50'])}")
        cat = facts.categorical.get(c.name)
        if c.op_index == i and cat and cat["top"]:
            parts.append(f"{c.name} mostly {cat['top'][0][0]!r} ({pct(cat['top'][0][1], facts.rows)})")
    return "; observed " + "; ".join(parts[:3]) if parts else ""
