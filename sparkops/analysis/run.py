"""``analyze``: plan, stats table, summary, suggestions, diagnoses, report; each step says what
it does through ``say`` (the CLI prints it as progress).

Files written to ``out``:

- ``stats/``: the Delta table (``sparkops.analysis.table``);
- ``summary.json``: per statistic count, mean, std, min, p01 ... p99, max (exact), per language
  with ``by_language``; string statistics' frequent values; keep rates; suggestions; diagnoses;
- ``report.html``: the self-contained report (``sparkops.analysis.report``);
- ``suggested_job.yaml`` (k-sigma) and ``suggested_job_quantile.yaml``: ready job specs.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkops import formats
from sparkops.analysis import aggregate, report
from sparkops.analysis.aggregate import SUMMARY_KEYS, stat
from sparkops.analysis.diagnose import Diagnosis, Facts, diagnose
from sparkops.analysis.plan import Plan, from_input, from_spec
from sparkops.analysis.suggest import METHODS, Suggestions, fmt, pct, range_column, spec_yaml, suggest
from sparkops.analysis.table import read_input, stats_frame, write
from sparkops.core.row import DROPPED_BY, KEEP
from sparkops.jobs.spec import DIALOG_FORMATS, INPUT_FORMATS, InputSpec, SpecError, _format_from_path, load

SPEC_SUFFIXES = (".yaml", ".yml")
TOP_LANGUAGES = 20
SPEC_FILES = {"ksigma": "suggested_job.yaml", "quantile": "suggested_job_quantile.yaml"}


class AnalysisError(ValueError):
    """The analysis cannot run (no input, nothing to analyse); says what to do."""


@dataclass
class AnalysisResult:
    out: Path
    summary: dict
    diagnoses: list[Diagnosis]
    seconds: float
    files: dict[str, str] = field(default_factory=dict)


def make_plan(source: str, fmt: str | None = None, text_key: str | None = None) -> Plan:
    """The plan for a spec / recipe (``.yaml``) or a plain input (file, glob, folder)."""
    if source.endswith(SPEC_SUFFIXES):
        if not Path(source).is_file():
            raise AnalysisError(f"{source}: no such file")
        try:
            plan = from_spec(load(source))
        except SpecError as err:
            raise AnalysisError(str(err)) from None
    else:
        plan = from_input(source, input_spec(source, fmt, text_key))
    if not plan.pipeline().columns and not plan.probes:
        raise AnalysisError(f"{source}: nothing to analyse: no filter computes a statistic"
                            + (f" ({'; '.join(plan.notes)})" if plan.notes else ""))
    return plan


def input_spec(source: str, fmt: str | None, text_key: str | None) -> InputSpec:
    path = source
    if "://" not in source and not any(c in source for c in "*?["):
        p = Path(source).expanduser()
        if not p.exists():
            raise AnalysisError(f"{source}: no such file or folder")
        path = str(p.resolve())
        if p.is_dir() and not (p / "_delta_log").is_dir() and fmt not in ("warc", "wet", "html"):
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "_")))
            if not files:
                raise AnalysisError(f"{source}: an empty folder")
            suffix = "".join(files[0].suffixes[-2:]) if files[0].name.endswith(".gz") else files[0].suffix
            path = os.path.join(path, "**", f"*{suffix}")
    elif "://" not in source:
        path = os.path.abspath(os.path.expanduser(source))
    if fmt is None:
        try:
            fmt = _format_from_path(path, source)
        except SpecError:
            raise AnalysisError(f"{source}: cannot tell the input format from its name; give --format "
                                f"({', '.join(INPUT_FORMATS)})") from None
    if fmt not in INPUT_FORMATS:
        raise AnalysisError(f"--format must be one of {', '.join(INPUT_FORMATS)}, got '{fmt}'")
    key = text_key or (formats.DEFAULT_TEXT_KEY if fmt in DIALOG_FORMATS else "text")
    return InputSpec(fmt, path, key)


def analyze(spark: SparkSession, source: str, out: str | Path, sample: int | None = None,
            by_language: bool = False, k: float = 3.0, quantile: float = 0.01, fmt: str | None = None,
            text_key: str | None = None, say: Callable[[str], None] = print) -> AnalysisResult:
    started = time.time()
    out = Path(out).resolve()
    if sample is not None and sample < 1:
        raise AnalysisError(f"--sample must be a positive number of rows, got {sample}")
    plan = make_plan(source, fmt, text_key)
    columns = plan.pipeline().columns
    say(f"plan: {len(plan.ops)} op(s), {len(columns) + len(plan.probes)} statistic(s)"
        + (f"; left out: {len(plan.notes)} op(s)" if plan.notes else ""))
    for note in plan.notes:
        say(f"  note: {note}")

    say(f"reading {plan.input.format} {plan.input.path} ...")
    good, counts, raw = read_input(spark, plan)
    unreadable = (f", {counts.unreadable:,} unreadable (" + ", ".join(f"{r}: {c:,}" for r, c in counts.reasons.items())
                  + ")" if counts.unreadable else "")
    say(f"input: {counts.records:,} records{unreadable}")
    if counts.records == 0:
        raw.unpersist()
        why = (f"; {counts.unreadable:,} could not be read: " + "; ".join(counts.examples)) if counts.unreadable else ""
        raise AnalysisError(f"{source}: no records to analyse in {plan.input.path}{why}")

    out.mkdir(parents=True, exist_ok=True)
    table_path = out / "stats"
    n_sample = sample if sample is not None and sample < counts.records else None
    say(f"computing {len(columns) + len(plan.probes)} statistics over "
        + (f"a sample of {n_sample:,} rows" if n_sample else f"{counts.records:,} rows")
        + f" (one pass, nothing dropped) -> Delta table {table_path} ...")
    t0 = time.time()
    write(stats_frame(good, plan, n_sample, counts.records), str(table_path),
          json.dumps({"source": source, "kind": "sparkops-analyze"}))
    raw.unpersist()
    tbl = spark.read.format("delta").load(str(table_path)).cache()
    n = tbl.count()
    say(f"statistics computed in {time.time() - t0:.1f} s")

    numeric, strings, types = aggregate.stat_columns(tbl)
    say(f"summary: exact percentiles of {len(numeric)} numeric statistic(s) ...")
    summary = aggregate.describe(tbl, numeric, n)
    categorical = aggregate.categories(tbl, strings)
    per_language = None
    if by_language:
        lang = plan.language_stat()
        if lang is None:
            plan.notes.append("--by-language: no language statistic (add language_id_score_filter to the spec)")
            say("  note: --by-language: no language statistic in this analysis")
        else:
            say(f"summary per language ({lang}) ...")
            langs, lang_counts = aggregate.describe_by(tbl, numeric, lang, TOP_LANGUAGES)
            per_language = {"stat": lang, "languages": langs,
                            "other_rows": sum(c for g, c in lang_counts.items() if g not in langs)}
    say("histograms, correlations, examples ...")
    charts = {"histograms": aggregate.histograms(tbl, summary, types),
              "correlations": aggregate.correlations(tbl, summary),
              "examples": aggregate.examples(tbl, summary)}

    say("keep rates and threshold suggestions ...")
    suggestions = {m: suggest(plan, summary, m, k=k, q=quantile) for m in METHODS}
    keep, facts = _keep_rates(tbl, plan, n, suggestions, summary, categorical)
    facts.unreadable, facts.unreadable_reasons = counts.unreadable, counts.reasons
    diagnoses = diagnose(plan, facts)

    files = {"table": str(table_path)}
    header = [f"Suggested by `sparkops analyze {source}` over {n:,} rows ({time.strftime('%Y-%m-%d %H:%M')}).",
              "Each threshold's comment: the value it replaces and how it was found; per op, the share of",
              "rows it keeps alone and with the filters before it (before any deduplication)."]
    for method, sug in suggestions.items():
        sug.rows = n
        target = out / SPEC_FILES[method]
        output_path = str(out / f"suggested_run_{method}") if plan.spec is None else \
            f"{plan.spec.output_path}_suggested_{method}"
        lines = header + [f"Method: {sug.label}. All filters together keep {pct(sug.kept, n)} "
                          f"({sug.kept:,} of {n:,} rows)." if sug.kept is not None else f"Method: {sug.label}."]
        lines += [f"Diagnosis: {d.line()}" for d in diagnoses if d.level == "error"]
        if plan.spec is None:
            suggested = {s.index for s in sug.ops}
            left = [f"{plan.ops[i].bound.name} (alone keeps {pct(c, n)})" for i, c in facts.configured_alone.items()
                    if i not in suggested]
            if left:
                lines.append("Not in this spec (no single threshold to suggest; shown with their defaults): "
                             + ", ".join(left) + ".")
        target.write_text(spec_yaml(plan, sug, output_path, lines), encoding="utf-8")
        try:
            load(target)
        except SpecError as err:  # e.g. an expect suite of the original spec that moved
            sug.notes.append(f"{target.name} does not validate: {err}")
        files[method] = str(target)

    doc = _summary_doc(plan, source, n, counts, n_sample, summary, categorical, per_language, keep,
                       suggestions, diagnoses, files)
    (out / "summary.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                                      encoding="utf-8")
    files["summary"] = str(out / "summary.json")
    (out / "report.html").write_text(report.render(doc, charts), encoding="utf-8")
    files["report"] = str(out / "report.html")
    tbl.unpersist()
    return AnalysisResult(out, doc, diagnoses, time.time() - started, files)


def _keep_rates(tbl: DataFrame, plan: Plan, n: int, suggestions: dict[str, Suggestions], summary: dict,
                categorical: dict) -> tuple[dict, Facts]:
    """One pass over the table: rows each filter keeps (as configured and as suggested, alone
    and with the filters before it), rows below each dedup window, and the ops' errors."""
    cols = plan.pipeline().columns
    filters = [i for i, a in enumerate(plan.ops) if a.bound.op.kind == "filter"]
    names = sorted({plan.ops[i].bound.name for i in filters})
    ok = aggregate.processable(names)
    conditions = {}
    configured = {}
    if filters:
        flags = aggregate.configured_keeps([plan.ops[i].entry for i in filters],
                                           [[(c.stat.key, c.name) for c in cols if c.op_index == i] for i in filters])
        tbl = tbl.withColumn("_flags", flags)
        for j, i in enumerate(filters):
            configured[i] = ok & F.col("_flags").getItem(j)
            conditions[f"conf_alone_{i}"] = configured[i]
        conditions["conf_all"] = ok & F.col(KEEP)
    for method, sug in suggestions.items():
        new = {s.index: s for s in sug.ops}
        running = ok
        # a plain input's suggested spec holds only the range filters it suggests thresholds for
        for i in (filters if plan.spec else [i for i in filters if i in new]):
            cond = configured[i]
            if i in new:
                bound = plan.ops[i].bound
                _, lo, hi = bound.op.range
                params = {**bound.params, **new[i].params()}
                cond = ok & aggregate.in_range(stat(range_column(plan, i)), params.get(lo) if lo else None,
                                               params.get(hi) if hi else None, params)
                conditions[f"{method}_alone_{i}"] = cond
            running = running & cond
            if i in new:
                conditions[f"{method}_cum_{i}"] = running
        if filters:
            conditions[f"{method}_all"] = running
    for probe in plan.probes:
        conditions[f"short_{probe.column}"] = stat(probe.column) < F.lit(probe.window_size)
    got = aggregate.keep_counts(tbl, conditions)

    for method, sug in suggestions.items():
        for s in sug.ops:
            s.kept_alone, s.kept_cumulative = got[f"{method}_alone_{s.index}"], got[f"{method}_cum_{s.index}"]
        sug.kept = got.get(f"{method}_all")
    short_language = {}
    lang = plan.language_stat()
    if lang and plan.probes:
        for probe in plan.probes:
            top = (tbl.where(stat(probe.column) < F.lit(probe.window_size)).groupBy(stat(lang).alias("g")).count()
                   .orderBy(F.desc("count"), "g").first())
            if top is not None and top["g"] is not None:
                short_language[probe.column] = (top["g"], top["count"])
    errors = {}
    problem = F.col(DROPPED_BY).rlike("^(error|missing_field|wrong_type):")
    for r in (tbl.where(problem).groupBy(F.split(DROPPED_BY, ":").getItem(1).alias("op"))
              .agg(F.count(F.lit(1)).alias("n"), F.min(DROPPED_BY).alias("first")).collect()):
        errors[r["op"]] = (r["n"], r["first"])
    keep = {"configured_alone": {plan.ops[i].bound.name + f"#{i}": got[f"conf_alone_{i}"] for i in filters},
            "configured_all": got.get("conf_all")}
    facts = Facts(n, summary, categorical, {i: got[f"conf_alone_{i}"] for i in filters}, got.get("conf_all"),
                  {p.column: got[f"short_{p.column}"] for p in plan.probes}, short_language, errors)
    return keep, facts


def _summary_doc(plan: Plan, source: str, n: int, counts, n_sample, summary, categorical, per_language, keep,
                 suggestions: dict[str, Suggestions], diagnoses: list[Diagnosis], files: dict) -> dict:
    owners, docs = {}, {}
    for c in plan.pipeline().columns:
        a = plan.ops[c.op_index]
        owners[c.name] = f"{a.bound.name}" + (f", stage '{a.stage}'" if plan.spec else "")
        docs[c.name] = c.stat.doc
    for p in plan.probes:
        owners[p.column] = f"{p.op}, stage '{p.stage}'"
        docs[p.column] = (f"Tokens per document as {p.op} cuts them (tokenization '{p.tokenization}'"
                          f"{', lower-cased' if p.lowercase else ''}); its window_size is {p.window_size}.")
    return {
        "source": source,
        "spec": plan.spec.source if plan.spec else None,
        "input": {"format": plan.input.format, "path": plan.input.path, "text_key": plan.input.text_key},
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "records": counts.records,
        "unreadable": counts.unreadable,
        "unreadable_reasons": counts.reasons,
        "sampled": n_sample is not None,
        "rows": n,
        "percentiles": "exact (Spark SQL percentile: linear interpolation between the closest ranks, "
                       "as numpy.percentile); std is the sample standard deviation",
        "summary_keys": list(SUMMARY_KEYS),
        "ops": [{a.bound.name: a.entry[a.bound.name] or {}, "stage": a.stage} for a in plan.ops]
               + [{p.op: {"tokenization": p.tokenization, "window_size": p.window_size}, "stage": p.stage}
                  for p in plan.probes],
        "owners": owners,
        "docs": docs,
        "stats": summary,
        "categorical": categorical,
        "per_language": per_language,
        "keep": keep,
        "suggestions": {m: {"label": s.label, "file": Path(files[m]).name if m in files else None, "kept": s.kept,
                            "rows": n, "notes": s.notes,
                            "ops": [{**asdict(o), "thresholds": [asdict(t) for t in o.thresholds]} for o in s.ops]}
                        for m, s in suggestions.items()},
        "diagnoses": [d.as_dict() for d in diagnoses],
        "notes": plan.notes,
        "files": {k: Path(v).name for k, v in files.items()},
    }


def summary_table(doc: dict, width: int = 118) -> str:
    """The statistics as a fixed-width table for a terminal."""
    keys = ("count", "mean", "std", "min", "p01", "p50", "p99", "max")
    name_w = min(34, max([9] + [len(s) for s in doc["stats"]]))
    lines = [f"{'statistic':<{name_w}} " + " ".join(f"{k:>10}" for k in keys)]
    lines.append("-" * len(lines[0]))
    for s, d in doc["stats"].items():
        label = s if len(s) <= name_w else s[:name_w - 1] + "…"
        lines.append(f"{label:<{name_w}} " + " ".join(f"{fmt(d.get(k)):>10}" for k in keys))
    for s, c in doc["categorical"].items():
        top = ", ".join(f"{v} {pct(cnt, doc['rows'])}" for v, cnt in c["top"][:4])
        text = f"{c['distinct']:,} value(s): {top}" if c["distinct"] else "no row has a value"
        lines.append(f"{s:<{name_w}} {text}"[:width])
    return "\n".join(lines)
