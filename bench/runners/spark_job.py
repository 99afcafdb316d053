"""One timed Spark run of the benchmark (run by bench/run.py in its own process).

    .venv/bin/python bench/runners/spark_job.py --mode {floor,fused,sql,analysis,minhash,minhash_verified,minhash_verified_t06,
                                                rulesets,rulesets_analysis} \
        --corpus C.jsonl --out DIR --result R.json [--master local[2]] [--sink json] [--removed DIR]

- ``floor``: read the JSONL (explicit schema) and count rows and characters: the cost of
  Spark reading the corpus, nothing else.
- ``job_floor`` (job scenario): Spark alone reading the corpus and writing the Delta tables the
  ``web_refine`` job writes, as many rows each (``JOB_TABLES``; which rows stay in a stage is a
  hash of the id, in the job's proportions), each stage reading the table before it back: the
  floor under ``sparkops run`` with no operator, no gate and no Python worker.
- ``fused``: ``sparkops.fused(df, RECIPE)`` (one Arrow pass, all 11 filters, a row dropped
  by one filter is not seen by the next), keep ``_keep`` rows, write them with their
  ``stats`` struct.
- ``sql``: the same 11 filters as one SQL ``WHERE`` over the sparkops SQL functions, what a
  SQL user writes (Spark evaluates every predicate's UDF on every row: no short circuit).
- ``analysis`` (untimed, for the report): fused pass writing id, ``_keep``, ``_dropped_by``.
- ``minhash`` / ``minhash_verified`` (dedup scenario): ``document_minhash_deduplicator`` with
  Data-Juicer's defaults (``minhash_verified``: plus ``verify: true``;
  ``minhash_verified_t06``: plus ``verify: true, jaccard_threshold: 0.6``) through
  ``sparkops.spark.fusion.stage_pass`` with no order columns (ids are Spark row ids, so the
  first document of a cluster in input order survives, as in Data-Juicer). The kept rows
  are written as JSON (the input fields, like Data-Juicer's export), then the removed rows'
  ``id, _duplicate_of, _dup_cluster, _dup_jaccard`` to ``--removed``; both writes are inside ``process_s`` (see ``minhash()`` for its parts).
- ``rulesets`` (rulesets scenario): ``sparkops.fused(df, recipe.RULESETS)``, FineWeb's four
  rule sets (Gopher repetition, Gopher quality, C4 quality, FineWeb quality), keep ``_keep``
  rows and write the input fields as JSON, with the text as the ops left it (the C4 filter
  keeps only the lines that pass); always JSON, since datatrove writes JSONL.
- ``level_exact`` / ``level_near`` / ``level_line`` / ``level_sentence`` / ``level_substring``
  (dedup_levels scenario): that one deduplicator with its defaults through ``stage_pass`` in
  input order, the kept rows written as JSON with the text as it left them.
- ``rulesets_analysis`` (untimed, for the report): the same pass writing ``id, _keep,
  _dropped_by, stats`` of every row as Parquet.

Times written to the result JSON: ``import_s`` (pyspark + sparkops import), ``session_s``
(``sparkops.session()``: JVM start, Delta; the SQL functions only for ``sql``, the one mode
that calls them, as ``sparkops run`` registers none up front), ``process_s`` (read, operators,
write; includes starting the Python workers and loading the fastText model in them),
``stop_s`` (``spark.stop()``). The harness adds the process-tree wall time, CPU and RSS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

T_START = time.time()
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import recipe  # noqa: E402

FIELDS = ["text", "id", "source", "path", "dup_of", "dup_kind"]


# the dedup_levels scenario: one deduplicator each, with its defaults
LEVELS = {
    "level_exact": {"document_deduplicator": {}},
    "level_near": {"document_minhash_deduplicator": {}},
    "level_line": {"line_deduplicator": {}},
    "level_sentence": {"sentence_deduplicator": {}},
    "level_substring": {"substring_deduplicator": {}},
}


# (table, the table it is read from, rows it keeps of those) for job_floor: the web_refine job's
# tables on the bench corpus (its stage counts, 2026-12-07); the rejected tables take the rest
JOB_TABLES = (("clean", None, 59_681), ("quality", "clean", 18_235), ("dedup", "quality", 17_382))


def job_floor(spark, df, args) -> dict:
    """Read the corpus, write the job's seven Delta tables: the input-side quarantine (empty),
    then per stage its table and its rejected rows, the next stage reading the stage table."""
    from pyspark.sql import functions as F

    out = Path(args.out)
    rows = df.select(F.col("text"), F.to_json(F.struct(*[F.col(f) for f in FIELDS if f != "text"])).alias("_record"),
                     F.input_file_name().alias("_source"), F.monotonically_increasing_id().alias("_line"))
    rows.limit(0).write.format("delta").mode("overwrite").save(str(out / "_quarantine"))
    written = {}
    for table, source, keep in JOB_TABLES:
        if source is not None:
            rows = spark.read.format("delta").load(str(out / source))
        total = written.get(source, 59_681)
        # the same rows in every run: a hash of the record, kept in the job's proportion
        kept = F.pmod(F.xxhash64("_record"), F.lit(total)) < keep
        rows.where(~kept).write.format("delta").mode("overwrite").save(str(out / f"{table}_rejected"))
        rows.where(kept).write.format("delta").mode("overwrite").save(str(out / table))
        written[table] = spark.read.format("delta").load(str(out / table)).count()
    return {"kept": written["dedup"], "tables": written}


def level(df, args) -> dict:
    """One dedup level over the corpus in input order; the kept rows (text as the op left it)
    are written as JSON."""
    from pyspark.sql import functions as F

    from sparkops.spark.fusion import stage_pass

    result = stage_pass(df, [LEVELS[args.mode]], order_cols=[])
    result.where(F.col("_keep")).select(*FIELDS).write.mode("overwrite").json(args.out)
    return {"op": LEVELS[args.mode]}


def minhash(df, args) -> dict:
    """Dedup the corpus, write the kept rows and the removed rows' provenance. Returns the
    op's parameters and where the time went: ``dedup_s`` (the ``stage_pass`` call, which
    already computes the sketches, candidate edges and clusters: they are checkpointed
    eagerly), ``kept_write_s``, ``removed_write_s``."""
    from pyspark.sql import functions as F

    from sparkops.spark.fusion import stage_pass

    params = {"minhash": {}, "minhash_verified": {"verify": True},
              "minhash_verified_t06": {"verify": True, "jaccard_threshold": 0.6}}[args.mode]
    t0 = time.time()
    # not persisted: the deduplicator keeps its input rows on local disk and the removed rows'
    # scores in a checkpoint, so the second write (removed rows) recomputes only a broadcast
    # join of them; persisting the result would write every row to disk once more
    result = stage_pass(df, [{"document_minhash_deduplicator": params}], order_cols=[])
    t1 = time.time()
    result.where(F.col("_keep")).select(*FIELDS).write.mode("overwrite").json(args.out)
    t2 = time.time()
    (result.where(~F.col("_keep")).select("id", "_duplicate_of", "_dup_cluster", "_dup_jaccard")
     .write.mode("overwrite").json(args.removed))
    t3 = time.time()
    return {"minhash_params": params, "dedup_s": t1 - t0, "kept_write_s": t2 - t1, "removed_write_s": t3 - t2}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True,
                    choices=["floor", "job_floor", "fused", "sql", "analysis", "minhash", "minhash_verified",
                             "minhash_verified_t06", "rulesets", "rulesets_analysis", *LEVELS])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--sink", default="json", choices=["json", "parquet", "noop"])
    ap.add_argument("--removed", default=None, help="minhash modes: folder for the removed rows (JSON)")
    args = ap.parse_args()

    t0 = time.time()
    import pyspark
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    import sparkops

    t1 = time.time()
    # the floor is Spark alone: no Python workers started for it (sparkops.spark.warmup)
    spark = sparkops.session(master=args.master, app_name=f"sparkops-bench-{args.mode}",
                             sql_functions=args.mode == "sql",
                             conf={"spark.sparkops.warmPythonWorkers": "false"} if "floor" in args.mode else None)
    t2 = time.time()

    schema = StructType([StructField(f, StringType()) for f in FIELDS])
    df = spark.read.schema(schema).json(args.corpus)
    out: dict = {"mode": args.mode, "master": args.master, "sink": args.sink,
                 "pyspark": pyspark.__version__, "sparkops": sparkops.__version__}

    def write(frame):
        w = frame.write.mode("overwrite")
        if args.sink == "noop":
            w.format("noop").save()
        else:
            w.format(args.sink).save(args.out)

    if args.mode == "floor":
        row = df.agg(F.count(F.lit(1)).alias("n"), F.sum(F.length("text")).alias("chars")).first()
        out.update(docs=row["n"], chars=row["chars"], kept=row["n"])
    elif args.mode == "job_floor":
        out.update(job_floor(spark, df, args))
    elif args.mode == "fused":
        fused = sparkops.fused(df, recipe.RECIPE)
        write(fused.where(F.col("_keep")).drop("_keep", "_dropped_by"))
    elif args.mode == "sql":
        df.createOrReplaceTempView("docs")
        query = f"SELECT * FROM docs\nWHERE {recipe.sql_where()}"
        out["sql"] = query
        frame = spark.sql(query)
        write(frame)
    elif args.mode == "analysis":
        fused = sparkops.fused(df, recipe.RECIPE)
        fused.select("id", "_keep", "_dropped_by").write.mode("overwrite").parquet(args.out)
    elif args.mode == "rulesets":
        fused = sparkops.fused(df, recipe.RULESETS)
        fused.where(F.col("_keep")).select(*FIELDS).write.mode("overwrite").json(args.out)
    elif args.mode == "rulesets_analysis":
        fused = sparkops.fused(df, recipe.RULESETS)
        fused.select("id", "_keep", "_dropped_by", "stats").write.mode("overwrite").parquet(args.out)
    elif args.mode.startswith("minhash"):
        out.update(minhash(df, args))
    elif args.mode in LEVELS:
        out.update(level(df, args))
    t3 = time.time()
    # bookkeeping, out of the timing: planning the scan as an RDD costs ~0.3 s in a fresh session
    out["input_partitions"] = df.rdd.getNumPartitions()

    if args.mode == "sql":
        # the physical plan, to show how Spark evaluates the 11 UDFs (outside the timing)
        out["plan"] = spark.sql(f"SELECT * FROM docs WHERE {recipe.sql_where()}")._jdf.queryExecution() \
            .executedPlan().toString()
    spark.stop()
    t4 = time.time()
    out.update(import_s=t1 - t0, session_s=t2 - t1, process_s=t3 - t2, stop_s=t4 - t3,
               in_process_wall_s=t4 - T_START)
    Path(args.result).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
