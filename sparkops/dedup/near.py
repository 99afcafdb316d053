"""Near-duplicate clustering shared by the MinHash and SimHash deduplicators.

1. A sketch per document, from one vectorised pass: LSH ``keys`` (MinHash bands, SimHash
   block choices) plus whatever the similarity check needs.
2. Documents sharing a key are candidates: each bucket links its members to its smallest
   member (a star, n - 1 edges for n members: a bucket of 50,000 copies costs 50,000 edges,
   not 1.25 billion pairs).
3. An optional exact check of every candidate edge (Jaccard, Hamming distance).
4. Connected components of the edges (``sparkops.dedup.components``) are the clusters.
5. In each cluster the ``keep`` policy picks the survivor; every other member is removed
   with the cluster id, the survivor's id and its similarity to the survivor.

Nothing is collected to the driver but the input file names; sketches and removed rows are
checkpointed, and the input is cached so the ops before this one run once.
"""

from __future__ import annotations

from typing import Callable

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from sparkops.dedup.components import connected_components

KEEP, DROPPED_BY, DUPLICATE_OF, CLUSTER = "_keep", "_dropped_by", "_duplicate_of", "_dup_cluster"
DOC = "_mh_doc"
BROADCAST_REMOVED = 1_000_000  # removed rows (ids and scores only) joined back by broadcast up to this


def doc_ids(df: DataFrame, order_cols: list[str]) -> DataFrame:
    """A unique long per row: (file number << 40) + line in a job, else Spark's row id.

    The rows are cached (persisted, or pinned by the local checkpoint that fixes Spark's row
    ids), so the ops before the deduplicator run once however often the rows are read.
    """
    if order_cols == ["_source", "_line"]:
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        # the input file names (not documents) are few: number them on the driver
        names = sorted(r[0] for r in df.select("_source").distinct().collect())
        files = df.sparkSession.createDataFrame(list(enumerate(names, 1)), "_mh_file long, _source string")
        return (df.join(F.broadcast(files), "_source")
                .withColumn(DOC, F.shiftleft(F.col("_mh_file"), 40) + F.col("_line")).drop("_mh_file"))
    return df.withColumn(DOC, F.monotonically_increasing_id()).localCheckpoint(eager=True)


def read_table(spark, path: str) -> DataFrame:
    """A reference table: Delta, else Parquet."""
    from pyspark.errors import AnalysisException

    try:
        return spark.read.format("delta").load(path)
    except AnalysisException:
        return spark.read.parquet(path)


def read_reference(spark, path: str, text_col: str) -> DataFrame:
    """The text column of a reference table."""
    from sparkops.registry import OpError

    ref = read_table(spark, path)
    if text_col not in ref.columns:
        raise OpError(f"reference {path}: no '{text_col}' column (columns: {', '.join(ref.columns)})")
    return ref.select(F.col(text_col).cast("string").alias(text_col))


def candidate_edges(sk: DataFrame) -> DataFrame:
    """(src, dst): every member of an LSH bucket linked to the bucket's smallest member."""
    keyed = sk.where("has").select(DOC, F.posexplode("keys").alias("slot", "key"))
    shared = (keyed.groupBy("slot", "key").agg(F.min(DOC).alias("dst"), F.count(F.lit(1)).alias("n"))
              .where("n > 1").drop("n"))  # most buckets hold one document: dropped before the join
    return (keyed.join(shared, ["slot", "key"]).where(F.col(DOC) != F.col("dst"))
            .select(F.col(DOC).alias("src"), "dst").distinct())


def pair_columns(edges: DataFrame, sk: DataFrame, column: str, left: str = "src", right: str = "dst") -> DataFrame:
    """``edges`` with ``a`` / ``b``: the sketch ``column`` of each end."""
    a = sk.select(F.col(DOC).alias(left), F.col(column).alias("a"))
    b = sk.select(F.col(DOC).alias(right), F.col(column).alias("b"))
    return edges.join(a, left).join(b, right)


def deduplicate_near(df: DataFrame, op_name: str, keep: str, text_col: str, order_cols: list[str],
                     sketch: Callable[[DataFrame], DataFrame],
                     check: Callable[[DataFrame, DataFrame], DataFrame] | None,
                     similarity: tuple[str, str, Callable[[Column, Column], Column]],
                     reference: str | None = None, say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and the similarity column ``similarity[0]``.

    ``sketch(rows with _mh_doc)`` gives (_mh_doc, has, keys, ...); ``check(edges, sketch)``
    keeps the edges that pass the exact test; ``similarity = (name, sketch column, f)``:
    ``f(a, b)`` scores a removed row's sketch column ``a`` against its survivor's ``b``. With a
    ``reference`` table, its documents join the clustering with negative ids: a cluster that
    holds one is led by it (its smallest id), so every input document in it is removed.
    """
    ided = doc_ids(df, order_cols)
    texts = ided.select(DOC, text_col)
    if reference:
        ref = read_reference(df.sparkSession, reference, text_col)
        texts = texts.unionByName(ref.select((-1 - F.monotonically_increasing_id()).alias(DOC), text_col))
    sk = sketch(texts).localCheckpoint(eager=True)
    edges = candidate_edges(sk)
    if check is not None:
        edges = check(edges, sk)
    labels = connected_components(edges, say=say).withColumnRenamed("node", DOC)

    # the survivor of each cluster by the keep policy: cluster members only, narrow columns
    ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
             else F.col(DOC).cast("string"))
    order = [F.col(c).asc_nulls_last() for c in order_cols] or [F.col(DOC)]
    if keep == "longest":
        order = [F.col("_mh_len").desc()] + order
    elif keep == "shortest":
        order = [F.col("_mh_len").asc()] + order
    narrow = ided.select(DOC, *order_cols, F.length(text_col).alias("_mh_len"), ident.alias("_mh_id"))
    cluster = Window.partitionBy("component").orderBy(*order)
    in_reference = F.col("component") < 0  # the component's smallest node is a reference document
    ranked = (narrow.join(labels, DOC)
              .withColumn("_mh_rank", F.when(in_reference, F.lit(2)).otherwise(F.row_number().over(cluster)))
              .withColumn("_mh_first", F.when(in_reference, F.col("component")).otherwise(F.first(DOC).over(cluster)))
              .withColumn(DUPLICATE_OF, F.when(in_reference, F.lit("reference"))
                          .otherwise(F.first("_mh_id").over(cluster))))

    name, column, score = similarity
    removed = ranked.where(F.col("_mh_rank") > 1).select(DOC, "_mh_first", DUPLICATE_OF, "component")
    scored = (pair_columns(removed, sk, column, left=DOC, right="_mh_first")
              .select(DOC, DUPLICATE_OF, F.col("component").alias(CLUSTER), score(F.col("a"), F.col("b")).alias(name))
              .localCheckpoint(eager=True))
    if scored.count() <= BROADCAST_REMOVED:
        scored = F.broadcast(scored)
    return (ided.join(scored, DOC, "left")
            .withColumn(KEEP, F.col(CLUSTER).isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(op_name)))
            .drop(DOC))
