"""Connected components of a large edge list, in Spark, with nothing collected to the driver.

Each round first solves every partition's edges exactly on its own (scipy's connected
components, node -> smallest node of its local component), then runs one large-star and one
small-star step (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014),
which re-link every node towards the smallest node it can see across partitions. The graph
shrinks to one star per component, centred on the component's smallest node: in O(log n)
rounds by the star steps alone, and in one or two on LSH graphs thanks to the local step.
Each round's edges are checkpointed (reliably when the SparkContext has a checkpoint
directory, else locally), so the query plan never grows with the number of rounds. Every
step is a groupBy or join over the edges: a node with a hundred thousand neighbours (a hot
LSH bucket) is one large group, processed linearly by one task.

A graph of at most ``local_edges`` edges, repeats included (default ``LOCAL_EDGES``, Spark conf
``spark.sparkops.components.localEdges``) skips the rounds: its edges are shuffled to one task,
which solves them exactly with the same local step. The rounds cost a dozen Spark jobs of
fixed overhead (planning, code generation, scheduling, a checkpoint each), seconds that a
graph of a few hundred thousand edges does not need; the one task holds the edges as two
int64 arrays (16 bytes an edge: 16 MB at the default bound) plus scipy's sparse matrix of
them. Nothing reaches the driver either way.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def checkpoint(df: DataFrame) -> DataFrame:
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def _contract_locally(e: DataFrame) -> DataFrame:
    """Each partition solves its own edges exactly (scipy, in C) and keeps node -> local minimum.

    Connectivity is preserved (a node seen in two partitions links their minima), and the
    graph left for the star rounds is a union of small stars: on real LSH graphs the rounds
    drop from ~log2(diameter) to two or three. A partition's edges are held as two int64
    arrays (16 bytes per edge).
    """

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components as solve

        parts = [(b.column(0).to_numpy(), b.column(1).to_numpy()) for b in batches if b.num_rows]
        if not parts:
            return
        u = np.concatenate([a for a, _ in parts])
        v = np.concatenate([b for _, b in parts])
        nodes, index = np.unique(np.concatenate((u, v)), return_inverse=True)
        m, n = len(u), len(nodes)
        graph = coo_matrix((np.ones(m, dtype=np.int8), (index[:m], index[m:])), shape=(n, n))
        _, label = solve(graph, directed=False)
        low = np.full(label.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(low, label, nodes)
        root = low[label]
        moved = nodes != root
        yield pa.RecordBatch.from_arrays([pa.array(nodes[moved]), pa.array(root[moved])], names=["u", "v"])

    return e.mapInArrow(run, "u long, v long")


def _large_star(e: DataFrame) -> DataFrame:
    """Each node's larger neighbours re-link to the smallest node of its closed neighbourhood."""
    both = e.unionByName(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
    low = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return (both.join(low, "u").where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("u"), F.col("m").alias("v")).distinct())


def _small_star(e: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours re-link to the smallest of them."""
    oriented = e.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
    low = oriented.groupBy("u").agg(F.min("v").alias("m"))
    linked = oriented.join(low, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    return linked.unionByName(low.select("u", F.col("m").alias("v"))).where(F.col("u") != F.col("v")).distinct()


def _is_star_forest(e: DataFrame) -> bool:
    """Every edge points from a node to its root, and no root has an edge of its own."""
    one_parent = e.groupBy("u").agg(F.countDistinct("v").alias("n")).where(F.col("n") > 1).limit(1).count() == 0
    if not one_parent:
        return False
    roots = e.select(F.col("v").alias("u")).distinct()
    return roots.join(e.select("u").distinct(), "u").limit(1).count() == 0


LOCAL_EDGES = 1_000_000
LOCAL_EDGES_CONF = "spark.sparkops.components.localEdges"


def _local_limit(e: DataFrame, local_edges: int | None) -> int:
    if local_edges is not None:
        return local_edges
    return int(e.sparkSession.conf.get(LOCAL_EDGES_CONF, str(LOCAL_EDGES)))


def checkpointed_count(df: DataFrame) -> int:
    """The rows of a checkpointed frame, in one Spark job: ``count()`` plans an aggregate and
    runs a second job for it, a fixed cost paid by every count of the dedup's small frames."""
    return int(df._jdf.queryExecution().toRdd().count())


def star_forest(edges: DataFrame, src: str = "src", dst: str = "dst", max_rounds: int = 64,
                say: Callable[[str], None] | None = None, local_edges: int | None = None,
                count: int | None = None) -> DataFrame:
    """(u, v), checkpointed: every node that has an edge and is not its component's smallest
    node (u), with that smallest node (v).

    ``edges`` holds undirected edges between long ids; self-loops and repeats are ignored.
    Up to ``local_edges`` edges, repeats included (see the module doc; 0 = always
    distributed), are solved in one task; ``count``, when the caller knows it, is the number
    of rows of ``edges`` (then checkpointed by the caller: they are read once more) and saves
    a checkpoint and a count.
    """
    e = (edges.select(F.col(src).cast("long").alias("u"), F.col(dst).cast("long").alias("v"))
         .where(F.col("u") != F.col("v")))
    limit = _local_limit(e, local_edges)
    if limit > 0:
        if count is None:  # counted once, from a checkpoint, so the edges are not computed twice
            e = checkpoint(e)
            count = checkpointed_count(e)
        if count <= limit:
            # one partition, repeats and all: the local step is exact and ignores them, its
            # output is the star forest itself; a distinct would cost a shuffle of every edge
            e = checkpoint(_contract_locally(e.repartition(1)))
            if say:
                say(f"connected components: {count:,} edges solved in one task")
            return e
    e = checkpoint(e.distinct())
    for n in range(1, max_rounds + 1):
        e = checkpoint(_small_star(_large_star(_contract_locally(e))))
        if _is_star_forest(e):
            if say:
                say(f"connected components: converged after {n} round(s)")
            return e
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


def connected_components(edges: DataFrame, src: str = "src", dst: str = "dst", max_rounds: int = 64,
                         say: Callable[[str], None] | None = None, local_edges: int | None = None,
                         count: int | None = None) -> DataFrame:
    """(node, component) for every node that has an edge; component = its smallest node id.
    Arguments as for ``star_forest``."""
    return _labels(star_forest(edges, src, dst, max_rounds, say, local_edges, count))


def _labels(e: DataFrame) -> DataFrame:
    """(node, component) from a star forest (every edge u -> its root v)."""
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return e.select(F.col("u").alias("node"), F.col("v").alias("component")).unionByName(roots)
