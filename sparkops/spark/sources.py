"""DataFrames that a Python generator makes from a few seed rows (a job's reader: split numbers
in, records out), and Arrow passes that run that generator themselves.

Two ``mapInArrow`` in a row are two Python workers per task: the reader's, then the fused
pass's, each with its own interpreter, imports and heap (a quarter of a GB each on the bench
job), and every row crosses from Python to the JVM and back before the pass sees it. When the
pass reads the generator's output unchanged, ``map_batches`` composes them into one Arrow pass
over the seeds: the pass's function reads the generator's batches in the same worker.

``empty_frame``: an empty DataFrame of a schema that starts no Python worker when it runs.
"""

from __future__ import annotations

from typing import Callable, Iterator

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType, _parse_datatype_string

_ATTR = "_sparkops_arrow_source"


def arrow_source(seeds: DataFrame, expand: Callable[[Iterator], Iterator], schema: str) -> DataFrame:
    """``seeds.mapInArrow(expand, schema)``, remembered as made by ``expand`` from ``seeds``.
    A DataFrame derived from it (a projection, a filter) is a new object and no source."""
    df = seeds.mapInArrow(expand, schema)
    setattr(df, _ATTR, (seeds, expand))
    return df


def source_of(df: DataFrame) -> tuple[DataFrame, Callable] | None:
    return getattr(df, _ATTR, None)


def map_batches(df: DataFrame, func: Callable[[Iterator], Iterator], schema, **kwargs) -> DataFrame:
    """``df.mapInArrow(func, schema)``; when ``df`` is an ``arrow_source``, one pass over its
    seeds that feeds ``expand``'s batches to ``func`` in the same worker."""
    source = source_of(df)
    if source is None:
        return df.mapInArrow(func, schema, **kwargs)
    seeds, expand = source
    return seeds.mapInArrow(lambda batches: func(expand(batches)), schema, **kwargs)


def empty_frame(spark: SparkSession, schema: str | StructType) -> DataFrame:
    """No rows, with ``schema`` (a DDL string or a StructType), planned without Python.

    ``spark.createDataFrame([], schema)`` sends its (no) rows through a Python RDD: running it
    starts a daemon of Python workers, 150 MB that then idle until the session ends."""
    struct = schema if isinstance(schema, StructType) else _parse_datatype_string(schema)
    return spark.range(0).select(*[F.lit(None).cast(f.dataType).alias(f.name) for f in struct.fields])
