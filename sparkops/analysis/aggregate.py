"""Spark aggregations over the stats table; only small results reach the driver.

- ``describe``: per numeric statistic count, mean, std (sample, as pandas' ``describe``, which
  Data-Juicer's overall analysis uses), min, p01 ... p99, max; percentiles are exact (Spark's
  ``percentile``: linear interpolation between the closest ranks, numpy's default), so they
  equal ``numpy.percentile`` of the column. Optionally per group (language).
- ``categories``: the most frequent values of a string statistic.
- ``histograms``: bucket counts (one pass for every statistic).
- ``correlations``: Pearson correlation of every pair of non-constant numeric statistics
  (Data-Juicer's correlation analysis), one pass.
- ``examples``: per statistic, the row whose value is nearest each chosen quantile, one pass.
- ``keep_counts``: how many rows each of a set of keep conditions keeps, one pass.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import NumericType, StringType

from sparkops.core import bind
from sparkops.core.row import DROPPED_BY, STATS

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
QUANTILE_KEYS = tuple(f"p{round(q * 100):02d}" for q in QUANTILES)
SUMMARY_KEYS = ("count", "mean", "std", "min", *QUANTILE_KEYS, "max")
EXAMPLE_LEVELS = ("min", "p01", "p25", "p50", "p75", "p99", "max")
MAX_BINS = 40


def stat(name: str) -> Column:
    return F.col(f"{STATS}.`{name}`")


def stat_columns(tbl: DataFrame) -> tuple[list[str], list[str], dict[str, str]]:
    """(numeric statistics, string statistics, name -> Spark type) of the table's ``stats``."""
    numeric, strings, types = [], [], {}
    for f in tbl.schema[STATS].dataType.fields:
        types[f.name] = f.dataType.simpleString()
        if isinstance(f.dataType, NumericType):
            numeric.append(f.name)
        elif isinstance(f.dataType, StringType):
            strings.append(f.name)
    return numeric, strings, types


def _describe_aggs(numeric: list[str]) -> list[Column]:
    qs = F.array(*[F.lit(q) for q in QUANTILES])
    aggs = []
    for i, s in enumerate(numeric):
        v = stat(s).cast("double")
        aggs += [F.count(v).alias(f"n{i}"), F.avg(v).alias(f"mean{i}"), F.stddev_samp(v).alias(f"std{i}"),
                 F.min(v).alias(f"min{i}"), F.max(v).alias(f"max{i}"), F.percentile(v, qs).alias(f"q{i}")]
    return aggs


def _describe_row(row, numeric: list[str], rows: int) -> dict[str, dict]:
    out = {}
    for i, s in enumerate(numeric):
        n = row[f"n{i}"]
        d = {"count": n, "nulls": rows - n}
        if n:
            d.update(mean=row[f"mean{i}"], std=row[f"std{i}"], min=row[f"min{i}"])
            d.update(zip(QUANTILE_KEYS, row[f"q{i}"]))
            d["max"] = row[f"max{i}"]
        else:
            d.update({k: None for k in SUMMARY_KEYS[1:]})
        out[s] = {k: _finite(v) for k, v in d.items()}
    return out


def _finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def describe(tbl: DataFrame, numeric: list[str], rows: int) -> dict[str, dict]:
    """stat -> {count, nulls, mean, std, min, p01 ... p99, max} over the whole table."""
    if not numeric:
        return {}
    return _describe_row(tbl.agg(*_describe_aggs(numeric)).first(), numeric, rows)


def describe_by(tbl: DataFrame, numeric: list[str], group: str, top: int) -> tuple[dict, dict[str, int]]:
    """Per value of the string statistic ``group`` (its ``top`` most frequent values): its rows and
    ``describe`` of every numeric statistic; and the row count of every value."""
    key = stat(group)
    counts = {r["g"]: r["count"] for r in tbl.groupBy(key.alias("g")).count().collect()}
    ranked = sorted(counts, key=lambda g: (-counts[g], str(g)))
    chosen = [g for g in ranked if g is not None][:top]
    if not chosen or not numeric:
        return {g: {"rows": counts[g], "stats": {}} for g in chosen}, counts
    rows = tbl.where(key.isin(chosen)).groupBy(key.alias("g")).agg(*_describe_aggs(numeric)).collect()
    out = {r["g"]: {"rows": counts[r["g"]], "stats": _describe_row(r, numeric, counts[r["g"]])} for r in rows}
    return {g: out[g] for g in chosen if g in out}, counts


def categories(tbl: DataFrame, strings: list[str], top: int = 12) -> dict[str, dict]:
    """stat -> {count, nulls, distinct, top: [[value, rows], ...]} for string statistics."""
    out = {}
    for s in strings:
        rows = tbl.groupBy(stat(s).alias("v")).count().collect()
        values = sorted(((r["v"], r["count"]) for r in rows if r["v"] is not None), key=lambda vc: (-vc[1], vc[0]))
        nulls = sum(r["count"] for r in rows if r["v"] is None)
        out[s] = {"count": sum(c for _, c in values), "nulls": nulls, "distinct": len(values),
                  "top": [[v, c] for v, c in values[:top]]}
    return out


def bins_for(d: dict, dtype: str) -> tuple[list[float], float | None]:
    """Histogram bin edges for a statistic's summary, and the value above which rows go to one
    overflow bar (None: no overflow). Small integer ranges get a bar per value; a long tail
    (max farther above p99 than p99 is above min) is cut at p99, so the bulk stays readable.
    Data-Juicer draws max(sqrt(n), 10) bins; at most ``MAX_BINS`` here, for a laptop screen."""
    lo, hi, n = d["min"], d["max"], d["count"]
    if dtype in ("bigint", "int") and hi - lo < MAX_BINS:
        return [lo - 0.5 + i for i in range(int(hi - lo) + 2)], None
    top, overflow = hi, None
    if d["p99"] is not None and hi - d["p99"] > d["p99"] - lo and d["p99"] > lo:
        top, overflow = d["p99"], d["p99"]
    if top <= lo:
        return [lo, lo + 1.0], overflow
    k = max(10, min(MAX_BINS, int(math.sqrt(n))))
    width = (top - lo) / k
    return [lo + width * i for i in range(k)] + [top], overflow


def histograms(tbl: DataFrame, summary: dict[str, dict], types: dict[str, str]) -> dict[str, dict]:
    """stat -> {edges, counts, overflow (rows above the last edge), overflow_from}."""
    plans, buckets = {}, []
    for s, d in summary.items():
        if not d["count"]:
            continue
        edges, overflow = bins_for(d, types[s])
        plans[s] = (edges, overflow)
        k = len(edges) - 1
        lo, width = edges[0], (edges[-1] - edges[0]) / k
        v = stat(s).cast("double")
        index = F.least(F.greatest(F.floor((v - F.lit(lo)) / F.lit(width)), F.lit(0)), F.lit(k - 1))
        if overflow is not None:
            index = F.when(v > F.lit(overflow), F.lit(k)).otherwise(index)
        buckets.append(F.struct(F.lit(s).alias("s"), index.cast("int").alias("b")))
    if not buckets:
        return {}
    counts: dict[str, dict[int, int]] = {}
    for r in (tbl.select(F.explode(F.array(*buckets)).alias("x")).where(F.col("x.b").isNotNull())
              .groupBy("x.s", "x.b").count().collect()):
        counts.setdefault(r["s"], {})[r["b"]] = r["count"]
    out = {}
    for s, (edges, overflow) in plans.items():
        k = len(edges) - 1
        got = counts.get(s, {})
        out[s] = {"edges": edges, "counts": [got.get(i, 0) for i in range(k)],
                  "overflow": got.get(k, 0) if overflow is not None else 0, "overflow_from": overflow}
    return out


def correlations(tbl: DataFrame, summary: dict[str, dict]) -> tuple[list[str], list[list[float | None]]]:
    """Pearson correlation matrix of the non-constant numeric statistics, each pair over the rows
    where both are set (pandas' ``corr``, which Data-Juicer's correlation analysis calls).

    One pass: each task sums, per pair, the row counts and the sums of x, x * x and x * y of the
    values shifted by their means (no cancellation), and the driver adds the tasks' matrices.
    (A Spark ``corr`` aggregate per pair is one expression per pair: 40 statistics make 780,
    whose generated code takes tens of seconds to compile.)"""
    names = [s for s, d in summary.items() if d["count"] and d["std"] and d["std"] > 0]
    if len(names) < 2:
        return names, [[1.0]] if names else []
    means = [summary[s]["mean"] for s in names]
    p = len(names)

    def sums(batches):
        total = np.zeros((4, p, p))
        for batch in batches:
            x = batch.to_numpy(dtype=float, na_value=np.nan) - np.asarray(means)
            m = (~np.isnan(x)).astype(float)
            x0 = np.nan_to_num(x)
            total += np.stack([m.T @ m, x0.T @ m, (x0 * x0).T @ m, x0.T @ x0])
        yield pd.DataFrame({"m": [total.tobytes()]})

    parts = tbl.select(*[stat(s).cast("double").alias(f"s{i}") for i, s in enumerate(names)]) \
        .mapInPandas(sums, "m binary").collect()
    n, sx, sxx, sxy = sum(np.frombuffer(r["m"], dtype=float).reshape(4, p, p) for r in parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = n * sxy - sx * sx.T
        var = (n * sxx - sx * sx) * (n * sxx - sx * sx).T
        r = cov / np.sqrt(var)
    m = [[1.0 if i == j else _finite(float(np.clip(r[i, j], -1.0, 1.0))) if n[i, j] > 1 else None
          for j in range(p)] for i in range(p)]
    return names, m


def examples(tbl: DataFrame, summary: dict[str, dict]) -> dict[str, list[dict]]:
    """stat -> per level of ``EXAMPLE_LEVELS``: the row whose value is nearest that quantile
    (value, level, target, text preview, source, line); ties go to the earliest row. One pass:
    each task sends its nearest row per (statistic, level), the driver keeps the nearest."""
    wanted = [(s, level, d[level]) for s, d in summary.items() if d["count"] for level in EXAMPLE_LEVELS]
    if not wanted:
        return {}
    names = list(dict.fromkeys(s for s, _, _ in wanted))
    index = {s: i for i, s in enumerate(names)}

    def nearest(batches):
        for batch in batches:
            rows = []
            for s, level, target in wanted:
                v = batch[f"s{index[s]}"]
                dist = (v - target).abs()
                if dist.notna().any():
                    best = batch[dist == dist.min()].sort_values(["_source", "_line"]).iloc[0]
                    rows.append((s, level, float(dist.min()), float(best[f"s{index[s]}"]), best["text_preview"],
                                 best["_source"], None if pd.isna(best["_line"]) else int(best["_line"])))
            yield pd.DataFrame(rows, columns=["s", "level", "dist", "value", "text", "source", "line"])

    schema = "s string, level string, dist double, value double, text string, source string, line long"
    cols = [stat(s).cast("double").alias(f"s{i}") for i, s in enumerate(names)]
    got = tbl.select(*cols, "text_preview", "_source", "_line").mapInPandas(nearest, schema).collect()
    best: dict[tuple[str, str], tuple] = {}
    for r in got:
        key = (r["s"], r["level"])
        rank = (r["dist"], r["source"] or "", r["line"] if r["line"] is not None else -1)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, r)
    out: dict[str, list[dict]] = {}
    for s, level, target in wanted:
        if (s, level) in best:
            r = best[(s, level)][1]
            out.setdefault(s, []).append({"level": level, "target": target, "value": r["value"], "text": r["text"],
                                          "source": r["source"], "line": r["line"]})
    return out


def in_range(value: Column, lo, hi, params: dict) -> Column:
    """``sparkops.core.declaration.in_range`` as a Spark column (null never passes)."""
    reverse = params["reversed_range"]
    min_closed, max_closed = params["min_closed_interval"] != reverse, params["max_closed_interval"] != reverse
    ok = F.lit(True)
    if lo is not None:
        ok = ok & ((value >= F.lit(lo)) if min_closed else (value > F.lit(lo)))
    if hi is not None:
        ok = ok & ((value <= F.lit(hi)) if max_closed else (value < F.lit(hi)))
    if reverse:
        ok = ~ok
    return F.coalesce(ok & value.isNotNull(), F.lit(False))


@lru_cache(maxsize=16)
def _bound_filters(entries_json: str):
    return [bind(e) for e in json.loads(entries_json)]


def configured_keeps(entries: list[dict], columns: list[list[tuple[str, str]]]) -> Column:
    """array<boolean>: per filter of ``entries`` (recipe entries; ``columns[i]``: its (stat key,
    stats column) pairs), whether it keeps the row with its configured parameters, by the
    op's own rule (``BoundOp.keep``: a range, language id's rule, a rule set's rules). A row
    without the op's statistics (an earlier error) is not kept."""
    entries_json = json.dumps(entries, sort_keys=True)
    wanted = sorted({c for cols in columns for _, c in cols})

    @pandas_udf("array<boolean>")
    def keeps(stats: pd.DataFrame) -> pd.Series:
        ops = _bound_filters(entries_json)
        values = {c: stats[c].tolist() for c in wanted}
        out = []
        for r in range(len(stats)):
            flags = []
            for bound, cols in zip(ops, columns):
                row = {key: _plain(values[c][r]) for key, c in cols}
                if all(v is None for v in row.values()):
                    flags.append(False)  # the op did not run on the row (an earlier error, a null text)
                    continue
                try:
                    flags.append(bool(bound.keep(row)))
                except Exception:  # a statistic the rule cannot read
                    flags.append(False)
            out.append(flags)
        return pd.Series(out)

    return keeps(F.struct(*[stat(c).alias(c) for c in wanted]))


def _plain(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def processable(filter_names: list[str]) -> Column:
    """The row reached the end of the pass: kept, or dropped only by a filter's decision (not by
    a null text, an op error, a missing field or a mapper's rejection, which no threshold changes)."""
    first = F.split(F.col(DROPPED_BY), ":").getItem(0)
    return F.col(DROPPED_BY).isNull() | first.isin(filter_names or [""])


def keep_counts(tbl: DataFrame, conditions: dict[str, Column]) -> dict[str, int]:
    """name -> rows the condition keeps, in one pass."""
    if not conditions:
        return {}
    names = list(conditions)
    row = tbl.agg(*[F.sum(F.coalesce(c, F.lit(False)).cast("long")).alias(f"k{i}")
                    for i, c in enumerate(conditions.values())]).first()
    return {n: int(row[f"k{i}"] or 0) for i, n in enumerate(names)}
