"""sparkops.spark.sources: an Arrow pass over a generator's output runs the generator in its own
worker, and gives the rows the two passes give."""

from __future__ import annotations

import pyarrow as pa
import pytest

from sparkops.spark.sources import arrow_source, empty_frame, map_batches, source_of


@pytest.mark.spark
def test_a_pass_over_a_source_runs_its_generator_in_the_same_worker(spark):
    # defined here: pickled by value (the workers cannot import this test module)
    def _expand(batches):
        import os

        for batch in batches:
            for n in batch.column(0).to_pylist():
                texts = pa.array([f"doc {n}.{i}" for i in range(n)])
                yield pa.RecordBatch.from_arrays([texts, pa.array([os.getpid()] * n)], names=["text", "made_by"])

    def _pass(batches):
        import os

        for batch in batches:
            upper = pa.array([t.upper() for t in batch.column(0).to_pylist()])
            yield pa.RecordBatch.from_arrays([upper, batch.column(1), pa.array([os.getpid()] * batch.num_rows)],
                                             names=["text", "made_by", "passed_by"])

    seeds = spark.range(1, 9, 1, 4)
    made = arrow_source(seeds, _expand, "text string, made_by long")
    assert source_of(made) is not None and source_of(made.select("text", "made_by")) is None
    schema = "text string, made_by long, passed_by long"
    one = map_batches(made, _pass, schema).collect()
    two = map_batches(made.select("text", "made_by"), _pass, schema).collect()  # a projection: two passes
    assert sorted(r.text for r in one) == sorted(r.text for r in two) == sorted(
        f"DOC {n}.{i}" for n in range(1, 9) for i in range(n))
    assert all(r.made_by == r.passed_by for r in one)  # one worker per task
    assert all(r.made_by != r.passed_by for r in two)  # the generator's worker, then the pass's


@pytest.mark.spark
def test_an_empty_frame_has_its_schema_and_no_python(spark):
    from pyspark.sql.types import StructType

    ddl = "id long, answer struct<text: string, n: int>, tags array<string>, ok boolean"
    empty = empty_frame(spark, ddl)
    assert empty.schema == StructType.fromDDL(ddl) and empty.count() == 0
    assert empty_frame(spark, empty.schema).schema == empty.schema
    # the same rows as createDataFrame([]) gives, but planned without a Python RDD
    plan = empty.union(empty)._jdf.queryExecution().executedPlan().toString()
    assert "ExistingRDD" not in plan and "Python" not in plan
    assert "ExistingRDD" in spark.createDataFrame([], ddl)._jdf.queryExecution().executedPlan().toString()
