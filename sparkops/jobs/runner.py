"""Running a job: input -> stages -> one Delta table per stage, gated, resumable.

For each stage, in order:

1. its operators run over the previous stage's table (``stage_pass``: per-row operators in one
   fused Arrow pass, every other kind as its own segment);
2. if the stage has an ``expect`` suite, the kept rows are validated (Great Expectations);
   on failure nothing of the stage is published: the rows go to
   ``<output>/_gate_failed/<stage>/<run id>``, a report is written, the run stops with a
   non-zero exit;
3. rows a filter, deduplicator, generator or selector removed (a selector: the rows it did not
   select) go to ``<output>/<stage>_rejected`` (with ``_dropped_by`` and the ``stats`` that
   removed them);
4. the kept rows are committed to ``<output>/<stage>``. That commit is the stage's
   "done" marker: its commit metadata carries the spec hash, the stage hash, the run id and
   the counts.

Resume: a stage whose table (and rejected table) already carry the same stage hash — a
hash of the input and of every stage up to this one — is not recomputed. A Delta commit is
atomic, so a run killed at any point leaves each table at its last complete version and a
re-run recomputes exactly what is missing. ``fresh=True`` recomputes everything.

Input records that cannot be read go to ``<output>/_quarantine`` with reason, file and line.
When the first stage is one fused pass (filters and mappers only), that pass reads the input
itself: the reader's unreadable records and tallies of records skipped by design come through
it as rows without text, and are counted and quarantined from the stage's persisted result, so
the input is read once and never held in memory on its own. Otherwise the input is read and
persisted first, and counted, before the first stage.

Besides the counts, a run records per stage its phases (ops, gate, Delta commits), the Delta
versions it committed, and per op the seconds its kernel ran in Spark's Python workers (a
Spark accumulator filled by the fused pass; see ``_op_seconds``). ``sparkops run --json``
prints all of it (``sparkops.jobs.run_document``).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pyspark import AccumulatorParam
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkops import formats
from sparkops.jobs import reader
from sparkops.jobs.spec import JobSpec, Stage
from sparkops.spark import caching, catalog
from sparkops.core.declaration import RESHAPING_KINDS, ROW_KINDS
from sparkops.core.row import DEDUP_COLUMNS, DROPPED_BY, KEEP, ORDER, RECORD, STATS, dropping_op
from sparkops.spark.fusion import stage_pass
from sparkops.spark.delta_log import latest_version

INPUT_COLUMNS = ("text", RECORD, "_source", "_line")
REJECTED_SUFFIX = ".rejected.jsonl"


class GateFailed(RuntimeError):
    def __init__(self, stage: str, report: Path, summary: str, held: Path | None = None):
        super().__init__(summary)
        self.stage, self.report, self.held = stage, report, held


@dataclass
class StageResult:
    name: str
    rows_in: int
    rows_out: int
    rejected: int
    per_op: list[tuple[str, int, int]]  # (op, rows in, rows out)
    seconds: float
    reused: bool = False
    gate: str | None = None  # None: no suite; 'passed', 'failed'
    status: str = "ran"  # 'ran', 'reused' (committed by an earlier run), 'gate_failed'
    phases: dict[str, float] = field(default_factory=dict)  # seconds of 'ops', 'gate', 'commits'
    op_errors: list[int] = field(default_factory=list)  # per op: rows it dropped with error:<op>:
    op_seconds: list[float | None] = field(default_factory=list)  # per op: see _op_seconds
    table: str | None = None
    table_version: int | None = None  # the Delta version of the stage table this run committed or reused
    rejected_table: str | None = None
    rejected_version: int | None = None
    suite: str | None = None  # the gate's suite file
    report: str | None = None  # the gate's report.md
    held: str | None = None  # gate failed: where the stage's rows wait
    committed_by: str | None = None  # reused: the run that committed the table


@dataclass
class RunResult:
    run_id: str
    output: str
    input_rows: int = 0
    quarantined: int = 0
    stages: list[StageResult] = field(default_factory=list)
    export: str | None = None
    seconds: float = 0.0
    started: float = 0.0  # epoch seconds
    finished: float = 0.0
    # the input was read and counted by this run; False when the first stages were reused (the
    # counts are then those of the run that committed them) or when reading it failed
    input_read: bool = False
    # input records not read by design, per kind (WARC request / metadata records, non-HTML
    # responses): neither records nor quarantined (the reader's ``_skipped`` tally rows)
    skipped: dict[str, int] = field(default_factory=dict)
    # kept records the export could not write in its export_format (beside it, REJECTED_SUFFIX)
    export_rejected: int = 0


def last_commit(spark: SparkSession, path: Path) -> tuple[int, dict] | None:
    """(version, userMetadata) of the last commit of a Delta table; None without a table."""
    if not (path / "_delta_log").is_dir():
        return None
    from delta.tables import DeltaTable

    last = DeltaTable.forPath(spark, str(path)).history(1).select("version", "userMetadata").first()
    if not last:
        return None
    try:
        meta = json.loads(last.userMetadata) if last.userMetadata else {}
    except json.JSONDecodeError:
        meta = {}
    return last.version, meta


def committed_hash(spark: SparkSession, path: Path) -> str | None:
    """The stage hash recorded by the last commit of a Delta table, if any."""
    last = last_commit(spark, path)
    return last[1].get("stage_hash") if last else None


def _write(df: DataFrame, path: Path, metadata: dict) -> None:
    (df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
     .option("userMetadata", json.dumps(metadata, sort_keys=True)).save(str(path)))


def _publish(spark, spec: JobSpec, out: Path, tables: list[str], say) -> None:
    """Name the committed tables: in the job's manifest (read by ``sparkops serve`` / ``sql``),
    and in the session's catalog when it is a persistent one (``sparkops.spark.catalog``)."""
    catalog.write_manifest(out, spec.name, tables)
    if catalog.persistent(spark):
        try:
            catalog.register_tables(spark, spec.name, out, tables)
        except Exception as err:  # the data is committed either way: say why it has no name
            say(f"catalog: {', '.join(tables)} not registered in the metastore: {str(err).splitlines()[0]}")


def run(spark: SparkSession, spec: JobSpec, fresh: bool = False,
        say: Callable[[str], None] = print) -> RunResult:
    """Run the job. An exception leaves what the run did so far in its ``run_result``
    attribute (the stages before it, a stage whose gate failed), for ``sparkops run --json``."""
    started = time.time()
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    result = RunResult(run_id, str(Path(spec.output_path)), started=started)
    # the job's output folder, for ops that keep state beside the stages (the LLM response cache)
    spark.sparkContext.setLocalProperty("sparkops.job.output", str(Path(spec.output_path).resolve()))
    try:
        _run(spark, spec, fresh, say, result)
    except BaseException as err:
        result.finished = time.time()
        result.seconds = result.finished - started
        err.run_result = result
        raise
    finally:
        spark.sparkContext.setLocalProperty("sparkops.job.output", None)
    result.finished = time.time()
    result.seconds = result.finished - started
    return result


def _run(spark: SparkSession, spec: JobSpec, fresh: bool, say, result: RunResult) -> None:
    run_id, out = result.run_id, Path(result.output)
    hashes = spec.stage_hashes()
    say(f"job '{spec.name}' run {run_id}: {len(spec.stages)} stage(s) -> {out}")

    # stages already committed by an earlier run with the same inputs and definitions
    reusable, commits = 0, []
    if not fresh:
        for stage, h in zip(spec.stages, hashes):
            kept, rejected = last_commit(spark, out / stage.name), last_commit(spark, out / f"{stage.name}_rejected")
            if kept and rejected and kept[1].get("stage_hash") == h and rejected[1].get("stage_hash") == h:
                reusable += 1
                commits.append((kept, rejected))
            else:
                break

    if any(stage.expect for stage in spec.stages[reusable:]):
        # Great Expectations takes seconds to import: done while the first stage runs in Spark
        # and this process only waits, rather than when the first gate needs it
        global _GATE_IMPORT
        _GATE_IMPORT = threading.Thread(target=_import_gate, name="sparkops-import-gate", daemon=True)
        _GATE_IMPORT.start()
    current: DataFrame | None = None
    cached_input: DataFrame | None = None
    input_in_stage = False
    if reusable == 0 and _row_ops_only(spec.stages[0]):
        # the first stage's one Arrow pass reads the input itself: unreadable records and the
        # tallies ride along as null-text rows and are counted from the stage's persisted
        # result, so the input is neither persisted nor scanned on its own
        say(f"input: {spec.input.format} {spec.input.path}")
        current, input_in_stage = reader.read(spark, spec.input), True
        if tuple(current.columns) != (*INPUT_COLUMNS, *READER_COLUMNS):
            current = current.select(*INPUT_COLUMNS, *READER_COLUMNS)
        # else the reader's own DataFrame: the stage's Arrow pass runs the reader in its worker
    elif reusable == 0:
        current, cached_input = _read_input(spark, spec, out, run_id, result, say)
    else:
        # the first stage to recompute reads the last reused stage's table (below); the input
        # and its quarantine are unchanged since the run that committed the first stage
        result.input_rows = commits[0][0][1].get("rows_in", 0)
        quarantine = last_commit(spark, out / "_quarantine")
        result.quarantined = quarantine[1].get("rows", 0) if quarantine else 0
        result.skipped = quarantine[1].get("skipped", {}) if quarantine else {}
    for i, (stage, h) in enumerate(zip(spec.stages, hashes)):
        table = out / stage.name
        if i < reusable:
            (version, meta), (rejected_version, _) = commits[i]
            rows = meta.get("rows_out")
            if rows is None:  # a commit without counts
                rows = spark.read.format("delta").load(str(table)).count()
            result.stages.append(StageResult(
                stage.name, meta.get("rows_in", rows), rows, meta.get("rejected", 0), [], 0.0, reused=True,
                status="reused", table=str(table), table_version=version,
                rejected_table=str(out / f"{stage.name}_rejected"), rejected_version=rejected_version,
                suite=stage.expect, committed_by=meta.get("run_id")))
            say(f"stage '{stage.name}': unchanged since its last commit, reused ({rows:,} rows)")
            continue
        if current is None:  # the first stage to recompute reads the last reused table
            current = spark.read.format("delta").load(str(out / spec.stages[i - 1].name))
        current = _run_stage(spark, spec, stage, h, current, out, run_id, result, say, input_in_stage and i == 0)
        if cached_input is not None:
            # later stages read the stage tables: the cached input is dead weight (its rows hold
            # each document twice, text and record: two 50 MB documents are 200 MB of heap)
            cached_input.unpersist()
            cached_input = None

    if spec.export_path:
        final = spark.read.format("delta").load(str(out / spec.stages[-1].name))
        result.export, result.export_rejected = export(final, spec.export_path, spec.input.text_key,
                                                       spec.export_format)
        note = (f" ({result.export_rejected:,} records not convertible to {spec.export_format}: "
                f"{result.export}{REJECTED_SUFFIX})" if result.export_rejected else "")
        say(f"export: {result.export}{note}")


READER_COLUMNS = ("_reason", "_raw", "_skipped")  # what only the reader's bad and tally rows fill


def _row_ops_only(stage: Stage) -> bool:
    """A stage that is one fused pass (filters and mappers only): it can read the input itself."""
    return all(bound.op.kind in ROW_KINDS for bound in stage.ops)


def _read_input(spark, spec: JobSpec, out: Path, run_id: str, result: RunResult, say) -> tuple[DataFrame, DataFrame]:
    """(the good records, the persisted rows they come from: unpersist once a stage has read them)"""
    say(f"input: {spec.input.format} {spec.input.path}")
    # on local disk (caching.ROWS_LEVEL): the heap is for the rows being processed; unpersisted by run()
    rows = reader.read(spark, spec.input).persist(caching.ROWS_LEVEL)
    _commit_input(spark, rows, spec, out, run_id, result, say)
    return rows.where(F.col("_reason").isNull()).select(*INPUT_COLUMNS), rows


def _commit_input(spark, rows: DataFrame, spec: JobSpec, out: Path, run_id: str, result: RunResult, say) -> None:
    """Count the reader's rows (records, quarantined, skipped by design) and commit the
    quarantine table. ``rows``: persisted rows that carry the reader's columns."""
    tally = F.col("_skipped").isNotNull()
    bad = rows.where(F.col("_reason").isNotNull() & ~tally).select("_source", "_line", F.col("_reason").alias("reason"),
                                                                   "_raw")
    counts = (rows.groupBy(F.col("_reason").isNull().alias("ok"), F.when(tally, F.col("_reason")).alias("kind"))
              .agg(F.count(F.lit(1)).alias("count"), F.sum("_skipped").alias("skipped")).collect())
    result.input_rows = sum(r["count"] for r in counts if r.ok)
    result.quarantined = sum(r["count"] for r in counts if not r.ok and r.kind is None)
    result.skipped = {r.kind: r.skipped for r in sorted(counts, key=lambda r: r.kind or "") if r.kind is not None}
    result.input_read = True
    meta = {"run_id": run_id, "rows": result.quarantined, "kind": "quarantine"}
    if result.skipped:
        meta["skipped"] = result.skipped
    if not result.quarantined:
        # the counts say there is none: an empty table, without a scan of the input. limit(0) is
        # planned as an empty relation; createDataFrame([]) would run pickled rows through a
        # Python RDD, which starts a second daemon of Python workers for nothing
        bad = bad.limit(0)
    _write(bad.withColumn("run_id", F.lit(run_id)), out / "_quarantine", meta)
    _publish(spark, spec, out, ["_quarantine"], say)
    skipped = sum(result.skipped.values())
    note = (f", {skipped:,} skipped by design ({', '.join(f'{k}: {v:,}' for k, v in result.skipped.items())})"
            if skipped else "")
    say(f"input: {result.input_rows:,} records read, {result.quarantined:,} quarantined "
        f"({out / '_quarantine'}){note}")


def _run_stage(spark, spec: JobSpec, stage: Stage, stage_hash: str, current: DataFrame, out: Path,
               run_id: str, result: RunResult, say, input_in_stage: bool = False) -> DataFrame:
    # what the stage persists (its result, the rows between its ops) is released when it ends
    with caching.released_after():
        _compute_and_commit(spec, stage, stage_hash, current, out, run_id, result, say, input_in_stage)
    return spark.read.format("delta").load(str(out / stage.name))


def _compute_and_commit(spec: JobSpec, stage: Stage, stage_hash: str, current: DataFrame, out: Path,
                        run_id: str, result: RunResult, say, input_in_stage: bool = False) -> None:
    t0 = time.time()
    table, rejected_table = out / stage.name, out / f"{stage.name}_rejected"
    say(f"stage '{stage.name}': running {len(stage.ops)} op(s) ...")
    base = current.drop(STATS) if STATS in current.columns else current
    timer = current.sparkSession.sparkContext.accumulator({}, OpTimes())
    trace: list = []  # per segment of ops: the rows it removed and passed on
    # the stage's rows are read four times (counts, gate, two commits), a partition at a time: on
    # local disk, so the heap holds the rows being processed, not a copy of the whole stage
    done = caching.persist(stage_pass(base, stage.process, text_col="text", order_cols=["_source", "_line"],
                                      where=f"{spec.source}: stage '{stage.name}'", op_seconds=timer,
                                      trace=trace, record_text_key=spec.input.text_key))
    if input_in_stage:  # ``current`` was the reader's output: its bad and tally rows came through as null text
        _commit_input(done.sparkSession, done, spec, out, run_id, result, say)
        done = done.where(F.col("_reason").isNull()).drop(*READER_COLUMNS)
    outcome = {r[DROPPED_BY]: r["count"] for r in done.groupBy(DROPPED_BY).count().collect()}
    kept = outcome.get(None, 0)
    rejected = sum(outcome.values()) - kept
    # an op that makes rows (a generator's chunks, a grouper's groups, a selector's repeats): the
    # stage's input is then not its kept + rejected rows, but what the stage before it kept
    reshaping = any(bound.op.kind in RESHAPING_KINDS for bound in stage.ops)
    rows_in = (result.stages[-1].rows_out if result.stages else result.input_rows) if reshaping \
        else sum(outcome.values())
    per_op = _per_op_counts(stage, rows_in, kept, outcome, trace)
    op_errors = [sum(v for k, v in outcome.items() if k and k.startswith(f"error:{bound.name}:"))
                 for bound in stage.ops]
    metadata = {"spec": spec.source, "job": spec.name, "stage": stage.name, "stage_hash": stage_hash,
                "run_id": run_id, "rows_in": rows_in, "rows_out": kept, "rejected": rejected}

    t_ops = time.time()
    say(f"stage '{stage.name}': ops done in {t_ops - t0:.1f} s: {rows_in:,} in, {kept:,} kept")

    stage_result = StageResult(stage.name, rows_in, kept, rejected, per_op, 0.0, op_errors=op_errors,
                               op_seconds=_op_seconds(timer.value, stage, per_op), suite=stage.expect)
    kept_df = done.where(F.col(KEEP)).drop(KEEP, DROPPED_BY, *DEDUP_COLUMNS)
    if stage.expect:  # before anything of this stage is published
        try:
            stage_result.report = str(_gate(kept_df, stage, out, run_id, say))
        except GateFailed as err:
            stage_result.seconds = time.time() - t0
            stage_result.phases = {"ops": t_ops - t0, "gate": time.time() - t_ops, "commits": 0.0}
            stage_result.status, stage_result.gate, stage_result.report = "gate_failed", "failed", str(err.report)
            stage_result.held = str(err.held)
            result.stages.append(stage_result)
            raise
        stage_result.gate = "passed"
    t_gate = time.time()
    # rejected first: the stage table's commit is what marks the stage done for a resume
    _write(done.where(~F.col(KEEP)), rejected_table, {**metadata, "kind": "rejected"})
    _write(kept_df, table, metadata)
    _publish(done.sparkSession, spec, out, [f"{stage.name}_rejected", stage.name], say)
    seconds = time.time() - t0
    stage_result.seconds = seconds
    stage_result.phases = {"ops": t_ops - t0, "gate": t_gate - t_ops, "commits": time.time() - t_gate}
    result.stages.append(stage_result)
    say(f"stage '{stage.name}': {rows_in:,} in, {kept:,} kept, {rejected:,} rejected "
        f"({seconds:.1f} s: ops {t_ops - t0:.1f}, gate {t_gate - t_ops:.1f}, Delta commits "
        f"{time.time() - t_gate:.1f}) -> {table}")
    stage_result.rejected_table, stage_result.table = str(rejected_table), str(table)
    stage_result.rejected_version, stage_result.table_version = latest_version(rejected_table), latest_version(table)


def _per_op_counts(stage: Stage, rows_in: int, kept: int, outcome: dict, trace: list) -> list:
    """(op, rows in, rows out) per op. Rows out: rows in minus the rows the op removed; at the end
    of a segment (``stage_pass``'s ``trace``), the rows the segment passed on, counted (they are
    persisted), which is how an op that makes rows (chunks, groups) is counted, and how the same
    op twice in a stage (a filter before and after a generator) is told apart; the last op's
    rows out are the stage's kept rows."""
    segments = trace or [(0, len(stage.ops) - 1, None, None)]
    per_op, remaining = [], rows_in
    for first, last, removed, passed in segments:
        if not trace:
            reasons = outcome
        elif removed is None:
            reasons = {}
        else:
            reasons = {r[DROPPED_BY]: r["count"] for r in removed.groupBy(DROPPED_BY).count().collect()}
        by_op: dict[str | None, int] = {}
        for reason, count in reasons.items():  # a rule set's rules and an op's errors count as the op
            if reason is not None:
                by_op[dropping_op(reason)] = by_op.get(dropping_op(reason), 0) + count
        for i in range(first, last + 1):
            name = stage.ops[i].name
            if i == len(stage.ops) - 1:
                out = kept
            elif i == last and passed is not None:
                out = passed.count()
            else:
                out = remaining - by_op.get(name, 0)
            per_op.append((name, remaining, out))
            remaining = out
    return per_op


class OpTimes(AccumulatorParam):
    """``{op name: [seconds, rows]}`` summed over the tasks of a fused pass (its Python workers
    add their tallies; ``Pipeline.run`` fills them)."""

    def zero(self, value):
        return {}

    def addInPlace(self, a, b):
        for name, (seconds, rows) in b.items():
            tally = a.setdefault(name, [0.0, 0])
            tally[0] += seconds
            tally[1] += rows
        return a


def _op_seconds(timed: dict, stage: Stage, per_op: list[tuple[str, int, int]]) -> list[float | None]:
    """Per op of the stage: the seconds its kernel ran in Spark's Python workers, summed over the
    tasks of the fused pass (tasks run in parallel: a stage's ops can add up to more than its
    wall time; Arrow conversion and the JVM are in no op). None for an op outside the fused pass
    (a deduplicator, generator, selector or grouper: Spark joins and passes of their own), for an
    op whose name occurs twice in the stage (one tally per name), and for
    every op when the rows the workers counted are not the rows each op received: a retried
    task or a recomputed partition would have counted twice."""
    names = [b.name for b in stage.ops]
    expected: dict[str, int] = {}
    for bound, (_, rows, _) in zip(stage.ops, per_op):
        if bound.op.kind in ROW_KINDS:
            expected[bound.name] = expected.get(bound.name, 0) + rows
    if any(timed.get(name, (0.0, 0))[1] != rows for name, rows in expected.items()):
        return [None] * len(names)
    return [timed.get(b.name, (0.0, 0))[0] if b.op.kind in ROW_KINDS and names.count(b.name) == 1 else None
            for b in stage.ops]


_GATE_IMPORT: threading.Thread | None = None  # the last run's background import of the gate


def _import_gate() -> None:
    import importlib

    from sparkops.gate.gx import load

    try:
        load()
        for name in ("great_expectations.data_context.types.base",
                     "great_expectations.exceptions", "great_expectations.execution_engine.sparkdf_execution_engine",
                     "great_expectations.expectations.expectation_configuration",
                     "great_expectations.expectations.registry"):
            importlib.import_module(name)
    except Exception:  # noqa: BLE001 - the first gate imports it again and reports what fails
        pass


def _gate(kept: DataFrame, stage: Stage, out: Path, run_id: str, say) -> Path:
    """Validate the stage's kept rows; the report's path, or GateFailed."""
    if _GATE_IMPORT is not None:  # never import GX from two threads at once
        _GATE_IMPORT.join()
    from sparkops.gate import load_suite, validate

    report_dir = out / "_reports" / run_id / stage.name
    # the stage's rows are persisted on disk already: a second, flat copy in the heap would hold
    # every text again, and the gate's queries read the persisted rows as fast
    # (docs/decisions/job-memory.md)
    verdict = validate(kept, load_suite(stage.expect), stage=stage.name, report_dir=report_dir, cache=False)
    if verdict.success:
        say(f"stage '{stage.name}': gate passed ({Path(stage.expect).name})")
        return verdict.report_path
    held = out / "_gate_failed" / stage.name / run_id
    kept.write.format("delta").mode("overwrite").save(str(held))
    raise GateFailed(stage.name, verdict.report_path,
                     f"{verdict.summary()}\nstage '{stage.name}' not published; its output is kept for "
                     f"inspection in {held}; report: {verdict.report_path}", held=held)


def export(final: DataFrame, path: str, text_key: str, fmt: str | None = None) -> tuple[str, int]:
    """Data-Juicer's export: one JSONL (or Parquet) file, the original fields, the mapped text;
    returns the file and how many records it left out.

    Rows stream to the driver one partition at a time (``toLocalIterator``), in input order.
    ``fmt``: a trainer's format (``sparkops.formats.WRITERS``) each record is converted to; a
    record that cannot be (an op emptied its query, a pair without a rejected answer) goes to
    ``<path>.rejected.jsonl`` with its reason, source and line instead.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    jsonl = target.with_name(target.name + ".partial")
    rejected_path = target.with_name(target.name + REJECTED_SUFFIX)
    rejected, bad = 0, None
    with open(jsonl, "w", encoding="utf-8") as f:
        # the dataset's order, as Data-Juicer writes it (a dedup shuffle or Delta read does not keep
        # it): a generator's, selector's or grouper's (`_order`), else the input order
        order = [ORDER] if ORDER in final.columns else ["_source", "_line"]
        where_from = [c for c in ("_source", "_line") if c in final.columns]  # a grouper's rows have neither
        for row in final.orderBy(*order).select("_record", "text", *where_from).toLocalIterator():
            record = json.loads(row._record)
            record[text_key] = row.text
            if fmt:
                try:
                    record = formats.from_dj(fmt, record)
                except formats.FormatProblem as err:
                    bad = bad or open(rejected_path, "w", encoding="utf-8")
                    bad.write(json.dumps({"reason": f"{fmt}: {err}", **{c: row[c] for c in where_from},
                                          "record": record}, ensure_ascii=False) + "\n")
                    rejected += 1
                    continue
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    if bad:
        bad.close()
    elif rejected_path.exists():  # from an earlier run
        rejected_path.unlink()
    if target.suffix == ".parquet":
        import pyarrow.json as pj
        import pyarrow.parquet as pq

        pq.write_table(pj.read_json(jsonl), target)
        jsonl.unlink()
    else:
        jsonl.replace(target)
    return str(target), rejected


def summary_table(result: RunResult) -> str:
    skipped = f"{sum(result.skipped.values()):,} skipped (not documents), " if result.skipped else ""
    lines = [f"run {result.run_id}: {result.input_rows:,} records in, {result.quarantined:,} quarantined, "
             f"{skipped}{result.seconds:.1f} s", "",
             f"{'stage / op':<44} {'rows in':>10} {'rows out':>10} {'time s':>8}"]
    for st in result.stages:
        note = " (reused)" if st.reused else (f" (gate {st.gate})" if st.gate else "")
        lines.append(f"{st.name + note:<44} {st.rows_in:>10,} {st.rows_out:>10,} {st.seconds:>8.1f}")
        for op, rin, rout in st.per_op:
            lines.append(f"  {op:<42} {rin:>10,} {rout:>10,}")
    return "\n".join(lines)
