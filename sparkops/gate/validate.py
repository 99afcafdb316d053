"""Validating a Spark DataFrame against a suite with GX's Spark execution engine."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import NumericType, StringType, DateType, TimestampType

from sparkops.gate.columns import Resolver
from sparkops.gate.gx import load as load_gx
from sparkops.gate.report import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    GateResult,
    expected_text,
    jsonable,
    write_reports,
)
from sparkops.gate.suite import COLUMN_KWARGS, COLUMN_LIST_KWARGS, SuiteError, coerce_suite, computed_columns, options

log = logging.getLogger(__name__)

SAMPLE_ROWS = 5
# top-level columns that identify a row, shown in sample rows when the data has them
ID_COLUMNS = ("id", "doc_id", "uid", "url", "_source", "_line")
TEXT_COLUMN = "text"
# expectations about the table's columns themselves see every (flattened) column
SCHEMA_TYPES = ("expect_table_column_count_to_be_between", "expect_table_column_count_to_equal",
                "expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set")
# aggregate expectations whose failure is explained by the rows at one end of the column
EXTREME_TYPES = ("expect_column_max_to_be_between", "expect_column_min_to_be_between",
                 "expect_column_mean_to_be_between", "expect_column_median_to_be_between",
                 "expect_column_sum_to_be_between")
_INDEX = "__sparkops_index"  # tags each expectation's meta: GX returns results in its own order
# pass 1 (every expectation): counts and observed values, no rows fetched;
# pass 2 (only the column-map expectations that met unexpected rows): up to 5 of them
_COUNTS_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}
_ROWS_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": SAMPLE_ROWS, "include_unexpected_rows": True}


@dataclass
class _Plan:
    index: int
    expectation: Any  # gx Expectation as loaded
    etype: str
    kwargs: dict  # as the suite author wrote them
    severity: str
    refs: list[str] = field(default_factory=list)  # column references, author's spelling
    paths: dict[str, tuple] = field(default_factory=dict)  # ref -> path in the data
    missing: list[str] = field(default_factory=list)
    status: str | None = None  # decided before GX runs (skipped / error)
    error: str | None = None


def _refs(etype: str, kw: dict) -> list[str]:
    refs = [kw[k] for k in COLUMN_KWARGS if isinstance(kw.get(k), str)]
    if etype not in SCHEMA_TYPES:
        for k in COLUMN_LIST_KWARGS:
            refs += [c for c in kw.get(k) or [] if isinstance(c, str)]
    return refs


def _context():
    """An in-memory GX context: no project folder, no data docs, no progress bars."""
    gx = load_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _gx_suite(name: str, plans: list[_Plan], flat_of: dict[str, str], resolver: Resolver):
    """The suite GX runs: column names rewritten to the flat frame's, each tagged with its index."""
    gx = load_gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    built = []
    for p in plans:
        if p.status is not None:
            continue
        config = p.expectation.configuration
        kw = dict(config.kwargs)
        for k in COLUMN_KWARGS:
            if isinstance(kw.get(k), str):
                kw[k] = flat_of.get(kw[k], kw[k].replace(".", "__"))
        for k in COLUMN_LIST_KWARGS:
            if isinstance(kw.get(k), list):
                mapped = []
                for c in kw[k]:
                    path = resolver.resolve(c)
                    mapped.append(resolver.flat_name(path) if path else c)
                kw[k] = mapped
        meta = dict(config.meta or {})
        meta[_INDEX] = p.index
        built.append(ExpectationConfiguration(type=p.etype, kwargs=kw, meta=meta, severity=config.severity,
                                              notes=config.notes, description=config.description)
                     .to_domain_obj())
    return gx.ExpectationSuite(name=name, expectations=built)


def _index(res) -> int:
    return int((res.expectation_config.meta or {})[_INDEX])


def _sample_from_rows(rows: list[dict], show: list[str], display: dict[str, str]) -> list[dict]:
    out = []
    for row in rows[:SAMPLE_ROWS]:
        if hasattr(row, "asDict"):
            row = row.asDict()
        out.append({display.get(c, c): jsonable(row.get(c)) for c in show if c in row})
    return out


def _absent_record_fields(df: DataFrame, resolver: Resolver, paths: list[tuple[str, ...]]) -> set:
    """The record-field paths (``sparkops.gate.columns``) that no row's record has: one
    aggregation, only when a suite names record fields."""
    fields = sorted({p for p in paths if resolver.is_record_field(p)})
    if not fields:
        return set()
    counts = df.select(*[F.count(resolver.column(p)).alias(f"n{i}") for i, p in enumerate(fields)]).first()
    return {p for i, p in enumerate(fields) if counts[f"n{i}"] == 0}


def validate(df: DataFrame, suite: Any, stage: str | None = None, report_dir: str | Path | None = None, *,
             sample_columns: Sequence[str] | None = None, parameters: dict | None = None,
             cache: bool = True) -> GateResult:
    """Validate ``df`` against ``suite`` with GX's Spark execution engine; write the report.

    ``suite`` is an ``ExpectationSuite`` (e.g. from ``load_suite``), a suite file path or a
    suite dict. Column names follow the convention of ``sparkops.gate`` (``stats.alnum_ratio``).
    The columns the suite needs (plus ``text`` and id-like columns for sample rows, or
    ``sample_columns``) are projected flat and cached once, so GX's dozens of metric queries
    do not recompute the stage. Writes ``report.md``, ``report.json`` and GX's own
    ``gx_validation_result.json`` into ``report_dir`` (created) when it is given.
    """
    t0 = time.perf_counter()
    if not (hasattr(df, "schema") and hasattr(df, "select") and hasattr(df, "sparkSession")):
        raise TypeError(f"validate() needs a pyspark DataFrame, got {type(df).__name__}")
    gx_suite_in, source = coerce_suite(suite)
    gx = load_gx()

    stage = stage or gx_suite_in.name
    for name, expression in computed_columns(gx_suite_in.meta, source or gx_suite_in.name).items():
        if name in df.columns:
            raise SuiteError(f"{source or gx_suite_in.name}: computed column '{name}' is already a column of the data")
        from sparkops.spark.functions import referenced, register

        register(df.sparkSession, referenced(expression))  # a job's session registers none up front
        try:
            df = df.withColumn(name, F.expr(expression))
        except Exception as err:  # noqa: BLE001 - Spark's parse and analysis errors have many types
            first = " ".join(str(err).split())[:400]
            raise SuiteError(f"{source or gx_suite_in.name}: computed column '{name}' = {expression!r}: {first}") from err
    resolver = Resolver(df.schema)
    plans: list[_Plan] = []
    for i, exp in enumerate(gx_suite_in.expectations):
        config = exp.configuration
        sev = getattr(config.severity, "value", config.severity) or "critical"
        plan = _Plan(i, exp, config.type, dict(config.kwargs), str(sev), _refs(config.type, config.kwargs))
        for ref in plan.refs:
            path = resolver.resolve(ref)
            if path is None:
                plan.missing.append(ref)
            else:
                plan.paths[ref] = path
        plans.append(plan)
    absent = _absent_record_fields(df, resolver, [p for plan in plans for p in plan.paths.values()])
    for plan in plans:
        config = plan.expectation.configuration
        for ref, path in list(plan.paths.items()):
            if path in absent:  # a name in no record is missing, not a column of nulls
                plan.missing.append(ref)
                del plan.paths[ref]
        if plan.missing and plan.etype != "expect_column_to_exist":
            miss = ", ".join(repr(m) for m in plan.missing)
            if options(config.meta).get("skip_if_missing"):
                plan.status, plan.error = SKIPPED, f"column {miss} not in the data"
            else:
                plan.status = ERROR
                plan.error = (f"column {miss} not in the data (columns: {', '.join(resolver.available)})")

    # the flat frame: needed columns (or everything, for table-schema expectations)
    id_paths = [(c,) for c in ID_COLUMNS if c in df.columns]
    text_paths = [(TEXT_COLUMN,)] if TEXT_COLUMN in df.columns else []
    if sample_columns is not None:
        shown = [resolver.resolve(c) for c in sample_columns]
        id_paths, text_paths = [p for p in shown if p], []
    needed = [p for plan in plans if plan.status is None for p in plan.paths.values()]
    if any(p.etype in SCHEMA_TYPES for p in plans):
        needed = resolver.all_leaves() + needed
    projection = id_paths + needed + text_paths
    flat = resolver.project(df, projection) if projection else df.select(F.lit(1).alias("_row"))
    display = {resolver.flat_name(p): ".".join(p) for p in projection}
    for plan in plans:  # the author's spelling wins for the columns an expectation names
        for ref, path in plan.paths.items():
            display[resolver.flat_name(path)] = ref
    flat_of = {ref: resolver.flat_name(path) for plan in plans for ref, path in plan.paths.items()}
    base_show = [resolver.flat_name(p) for p in id_paths]
    text_show = [resolver.flat_name(p) for p in text_paths]

    if cache:
        flat = flat.persist(StorageLevel.MEMORY_AND_DISK)
    seconds: dict[str, float] = {}
    records: dict[int, dict] = {}
    gx_json: dict | None = None
    try:
        t1 = time.perf_counter()
        row_count = flat.count()
        seconds["materialize"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        to_run = [p for p in plans if p.status is None]
        results = []
        if to_run:
            context = _context()
            source_ds = context.data_sources.add_spark(name=f"sparkops_{stage}", persist=False)
            asset = source_ds.add_dataframe_asset(name=stage)
            batch_def = asset.add_batch_definition_whole_dataframe("whole_dataframe")
            batch = batch_def.get_batch(batch_parameters={"dataframe": flat})
            run_suite = _gx_suite(gx_suite_in.name, to_run, flat_of, resolver)
            outcome = batch.validate(run_suite, result_format=_COUNTS_FORMAT, expectation_parameters=parameters)
            results = list(outcome.results)
            # GX's unexpected-rows query costs one Spark job per expectation, even when there
            # is nothing to show: ask for rows only where pass 1 counted unexpected ones
            again = {_index(r) for r in results if (r.result or {}).get("unexpected_count")}
            if again:
                rows_suite = _gx_suite(gx_suite_in.name, [p for p in to_run if p.index in again], flat_of, resolver)
                second = batch.validate(rows_suite, result_format=_ROWS_FORMAT, expectation_parameters=parameters)
                fresh = {_index(r): r for r in second.results}
                results = [fresh.get(_index(r), r) for r in results]
                outcome.results = results
            try:
                gx_json = jsonable(outcome.to_json_dict(), limit=None)
            except Exception as err:  # noqa: BLE001 - the raw dump is a convenience
                log.warning("could not serialise GX's validation result: %s", err)
        seconds["gx"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        by_index = {p.index: p for p in plans}
        for res in results:
            meta = dict(res.expectation_config.meta or {})
            plan = by_index[int(meta.pop(_INDEX))]
            records[plan.index] = _record(plan, res, meta, flat, flat_of, display, base_show, text_show)
        seconds["samples"] = time.perf_counter() - t3
    finally:
        if cache:
            flat.unpersist(blocking=False)

    out = []
    for plan in plans:
        if plan.index in records:
            out.append(records[plan.index])
        else:
            out.append(_base_record(plan, plan.status or ERROR, None, plan.error or "not evaluated",
                                    dict(plan.expectation.configuration.meta or {})))
    seconds["total"] = time.perf_counter() - t0
    result = GateResult(
        stage=stage, suite_name=gx_suite_in.name,
        success=not any(r["status"] in (FAILED, ERROR) and r["severity"] == "critical" for r in out),
        results=out, row_count=row_count, seconds=seconds, suite_source=source,
        gx_version=gx.__version__,
    )
    if report_dir is not None:
        write_reports(result, Path(report_dir), gx_json)
    return result


def _base_record(plan: _Plan, status: str, success: bool | None, error: str | None, meta: dict) -> dict:
    config = plan.expectation.configuration
    return {
        "index": plan.index,
        "type": plan.etype,
        "column": ", ".join(plan.refs) if plan.refs else None,
        "kwargs": jsonable(plan.kwargs, limit=None),
        "severity": plan.severity,
        "status": status,
        "success": success,
        "expected": expected_text(plan.etype, plan.kwargs),
        "observed_value": None,
        "error": error,
        "meta": jsonable(meta, limit=None) if meta else {},
        "description": config.description,
        "notes": jsonable(config.notes, limit=None),
    }


def _record(plan: _Plan, res, meta: dict, flat: DataFrame, flat_of: dict[str, str], display: dict[str, str],
            base_show: list[str], text_show: list[str]) -> dict:
    info = res.exception_info or {}
    raised = bool(info.get("raised_exception"))
    if not raised and isinstance(info, dict):  # one entry per failed metric
        for v in info.values():
            if isinstance(v, dict) and v.get("raised_exception"):
                info, raised = v, True
                break
    if raised:
        message = info.get("exception_message") or "exception while computing a metric"
        return _base_record(plan, ERROR, False, " ".join(str(message).split()), meta)
    r = _base_record(plan, PASSED if res.success else FAILED, bool(res.success), None, meta)
    data = res.result or {}
    r["observed_value"] = jsonable(data.get("observed_value"))
    if "unexpected_count" in data:
        element = data.get("element_count") or 0
        missing = data.get("missing_count") or 0
        r.update(element_count=element, missing_count=missing, nonmissing_count=element - missing,
                 unexpected_count=data.get("unexpected_count") or 0,
                 unexpected_percent=data.get("unexpected_percent") or 0.0,
                 partial_unexpected_list=jsonable(list(data.get("partial_unexpected_list") or [])[:SAMPLE_ROWS]))
    own = [flat_of[c] for c in plan.refs if c in flat_of]
    show = base_show + [c for c in own if c not in base_show and c not in text_show] + text_show
    rows = data.get("unexpected_rows")
    if rows is not None and hasattr(rows, "to_dict"):  # pandas engine shape
        rows = rows.to_dict(orient="records")
    if rows:
        r["sample_rows"] = _sample_from_rows(list(rows), show, display)
        r["sample_note"] = f"first {len(r['sample_rows'])} rows Great Expectations found unexpected"
    elif not res.success and plan.etype in EXTREME_TYPES and len(own) == 1:
        note, sample = _extremes(plan, flat, own[0], r["observed_value"], show, display)
        if sample:
            r["sample_rows"], r["sample_note"] = sample, note
    return r


def _extremes(plan: _Plan, flat: DataFrame, col: str, observed: Any, show: list[str],
              display: dict[str, str]) -> tuple[str, list[dict]]:
    """Rows at the end of ``col`` that explain a failed min/max/mean/median/sum (top-k, no collect)."""
    dtype = flat.schema[col].dataType
    if not isinstance(dtype, (NumericType, StringType, DateType, TimestampType)) or observed is None:
        return "", []
    kw = plan.kwargs
    lo, hi = kw.get("min_value"), kw.get("max_value")
    if isinstance(lo, dict) or isinstance(hi, dict):  # suite parameters
        return "", []
    try:
        too_low = lo is not None and (observed < lo or (kw.get("strict_min") and observed == lo))
    except TypeError:
        return "", []
    name = display.get(col, col)
    c = F.col(col)
    if plan.etype == "expect_column_max_to_be_between" and not too_low and hi is not None:
        rows_df, note = flat.where(c >= hi if kw.get("strict_max") else c > hi).orderBy(c.desc()), \
            f"rows with {name} above {hi}, highest first"
    elif plan.etype == "expect_column_min_to_be_between" and too_low:
        rows_df, note = flat.where(c <= lo if kw.get("strict_min") else c < lo).orderBy(c.asc()), \
            f"rows with {name} below {lo}, lowest first"
    elif too_low:
        rows_df, note = flat.where(c.isNotNull()).orderBy(c.asc()), f"the {SAMPLE_ROWS} rows with the lowest {name}"
    else:
        rows_df, note = flat.where(c.isNotNull()).orderBy(c.desc()), f"the {SAMPLE_ROWS} rows with the highest {name}"
    rows = [row.asDict() for row in rows_df.select(*show).limit(SAMPLE_ROWS).collect()]
    return note, _sample_from_rows(rows, show, display)
