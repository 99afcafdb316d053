"""Connected components of a large edge list, in Spark, with nothing collected to the driver.

Alternating large-star / small-star (Kiveris et al., "Connected Components in MapReduce and
Beyond", SoCC 2014): each round re-links every node towards the smallest node it can see,
and the graph shrinks to one star per component, centred on the component's smallest node,
in O(log n) rounds. Each round's edges are checkpointed (reliably when the SparkContext
has a checkpoint directory, else locally), so the query plan never grows with the number
of rounds. Every step is a groupBy or join over the edges: a node with a hundred thousand
neighbours (a hot LSH bucket) is one large group, processed linearly by one task.
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def _checkpoint(df: DataFrame) -> DataFrame:
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


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


def connected_components(edges: DataFrame, src: str = "src", dst: str = "dst", max_rounds: int = 64,
                         say: Callable[[str], None] | None = None) -> DataFrame:
    """(node, component) for every node that has an edge; component = its smallest node id.

    ``edges`` holds undirected edges between long ids; self-loops and repeats are ignored.
    """
    e = _checkpoint(edges.select(F.col(src).cast("long").alias("u"), F.col(dst).cast("long").alias("v"))
                    .where(F.col("u") != F.col("v")).distinct())
    for n in range(1, max_rounds + 1):
        e = _checkpoint(_small_star(_large_star(e)))
        if _is_star_forest(e):
            if say:
                say(f"connected components: converged after {n} round(s)")
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    roots = e.select(F.col("v").alias("node"), F.col("v").alias("component")).distinct()
    return e.select(F.col("u").alias("node"), F.col("v").alias("component")).unionByName(roots)
