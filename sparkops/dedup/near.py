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
6. With a ``passes`` test (verified modes), a member is removed only if it passes the test
   against the *kept* document it is reported as a copy of: a cluster is a chain of verified
   links (A~B, B~C), and C may be far from A. Members that fail are compared, in a few
   bounded rounds, with the best-ranked of the failed members of their cluster, which is
   then kept; whatever still fails after the last round is kept. So every removed row's
   reported similarity is exact and passes the threshold, to a document in the output.

Nothing is collected to the driver but the input file names and a few counts; sketches and
removed rows are checkpointed, and the input is cached so the ops before this one run once.
"""

from __future__ import annotations

from typing import Callable

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from sparkops.dedup.components import connected_components
from sparkops.dedup.survivor import ranking, sort_order

KEEP, DROPPED_BY, DUPLICATE_OF, CLUSTER = "_keep", "_dropped_by", "_duplicate_of", "_dup_cluster"
DOC = "_mh_doc"
BROADCAST_REMOVED = 1_000_000  # removed rows (ids and scores only) joined back by broadcast up to this
SURVIVOR_ROUNDS = 4  # verified modes: rounds of comparisons with a kept document (see step 6)


def doc_ids(df: DataFrame, order_cols: list[str]) -> DataFrame:
    """A unique long per row: (file number << 40) + line in a job, else Spark's row id.

    The rows are persisted (memory, spilling to disk), so the ops before the deduplicator run
    once however often the rows are read. The persist is lazy: the sketch pass, the first
    to read the rows, also fills the cache, so the input is parsed once. Spark's row ids
    depend on the partitioning only, so a partition recomputed after losing an executor gets
    the same ids as long as the rows before this op are deterministic (a file read, the
    sparkops mappers and filters); a job numbers rows by file and line anyway.
    """
    if order_cols == ["_source", "_line"]:
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        # the input file names (not documents) are few: number them on the driver
        names = sorted(r[0] for r in df.select("_source").distinct().collect())
        files = df.sparkSession.createDataFrame(list(enumerate(names, 1)), "_mh_file long, _source string")
        return (df.join(F.broadcast(files), "_source")
                .withColumn(DOC, F.shiftleft(F.col("_mh_file"), 40) + F.col("_line")).drop("_mh_file"))
    return df.withColumn(DOC, F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)


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


def deduplicate_near(df: DataFrame, op_name: str, params: dict, text_col: str, order_cols: list[str],
                     sketch: Callable[[DataFrame], DataFrame],
                     check: Callable[[DataFrame, DataFrame], DataFrame] | None,
                     similarity: tuple[str, str, Callable[[Column, Column], Column]],
                     passes: Callable[[Column], Column] | None = None,
                     reference: str | None = None, say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and the similarity column ``similarity[0]``.

    ``params`` are the op's (``keep``, ``order_by``). ``sketch(rows with _mh_doc)`` gives
    (_mh_doc, has, keys, ...); ``check(edges, sketch)`` keeps the edges that pass the exact
    test; ``similarity = (name, sketch column, f)``: ``f(a, b)`` scores a removed row's sketch
    column ``a`` against its survivor's ``b``; ``passes(score)``, when given, is the test a
    removed row must pass against the kept document it is a copy of (step 6 of the module doc). With a ``reference`` table, its
    documents join the clustering with negative ids: a cluster that holds one is led by it
    (its smallest id), so every input document in it is removed.
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
    # keep / order_by first, then the input order
    values = ranking(ided, params, text_col, op_name)
    narrow = ided.select(DOC, *order_cols, ident.alias("_mh_id"),
                         *[v.alias(f"_mh_r{i}") for i, (v, _) in enumerate(values)])
    order = (sort_order([(F.col(f"_mh_r{i}"), desc) for i, (_, desc) in enumerate(values)])
             + [F.col(c).asc_nulls_last() for c in order_cols] + [F.col(DOC)])
    cluster = Window.partitionBy("component").orderBy(*order)
    in_reference = F.col("component") < 0  # the component's smallest node is a reference document
    ranked = (narrow.join(labels, DOC)
              .withColumn("_mh_rank", F.when(in_reference, F.lit(2)).otherwise(F.row_number().over(cluster)))
              .withColumn("_mh_first", F.when(in_reference, F.col("component")).otherwise(F.first(DOC).over(cluster)))
              .withColumn(DUPLICATE_OF, F.when(in_reference, F.lit("reference"))
                          .otherwise(F.first("_mh_id").over(cluster))))

    removed = (ranked.where(F.col("_mh_rank") > 1)
               .select(DOC, "_mh_first", DUPLICATE_OF, F.col("component").alias(CLUSTER), "_mh_rank", "_mh_id"))
    scored = _score(removed, sk, similarity, "_mh_first")
    if passes is not None:
        scored = _removed_if_passing(scored, sk, similarity, passes, say)
    scored = scored.select(DOC, DUPLICATE_OF, CLUSTER, similarity[0])
    if scored.count() <= BROADCAST_REMOVED:
        scored = F.broadcast(scored)
    return (ided.join(scored, DOC, "left")
            .withColumn(KEEP, F.col(CLUSTER).isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(op_name)))
            .drop(DOC))


def _score(rows: DataFrame, sk: DataFrame, similarity: tuple, lead: str) -> DataFrame:
    """``rows`` (one per removal candidate, ``lead`` = the document it would be a copy of) with
    the similarity column, checkpointed: it is read by a count, a filter and a join."""
    name, column, score = similarity
    return (pair_columns(rows, sk, column, left=DOC, right=lead)
            .withColumn(name, score(F.col("a"), F.col("b"))).drop("a", "b", lead)
            .localCheckpoint(eager=True))


def _removed_if_passing(scored: DataFrame, sk: DataFrame, similarity: tuple,
                        passes: Callable[[Column], Column], say=None) -> DataFrame:
    """The rows of ``scored`` that pass against their cluster's survivor, plus those that pass,
    in later rounds, against the best-ranked failed member of their cluster (which is kept)."""
    name = similarity[0]
    ok = passes(F.col(name))
    removed = [scored.where(ok)]
    failed = scored.where(~ok).drop(name, DUPLICATE_OF)
    for n in range(2, SURVIVOR_ROUNDS + 1):
        if failed.isEmpty():
            break
        # the failed member first by the keep policy (rank; ties, in reference clusters, by id) leads
        lead = (failed.groupBy(CLUSTER).agg(F.min(F.struct("_mh_rank", DOC, "_mh_id")).alias("_mh_lead"))
                .select(CLUSTER, F.col(f"_mh_lead.{DOC}").alias("_mh_lead"),
                        F.col("_mh_lead._mh_id").alias(DUPLICATE_OF)))
        rows = failed.join(lead, CLUSTER).where(F.col(DOC) != F.col("_mh_lead"))
        scored = _score(rows, sk, similarity, "_mh_lead")
        removed.append(scored.where(ok))
        failed = scored.where(~ok).drop(name, DUPLICATE_OF)
    else:
        if say and not failed.isEmpty():
            say(f"near dedup: members still unlike every kept document after {SURVIVOR_ROUNDS} rounds are kept")
    out = removed[0]
    for r in removed[1:]:
        out = out.unionByName(r)
    return out
