"""``semantic_deduplicator`` in Spark: embeddings (an Arrow pass), k-means (Spark ML), then each
cluster's pairwise cosines in one Python call per partition (the method: ``sparkops.ops.dedup.semantic``)."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DoubleType, FloatType, LongType, StructField, StructType

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, DUP_CLUSTER, DUP_COSINE, DUPLICATE_OF, KEEP
from sparkops.models.embedding import embed
from sparkops.ops.dedup.semantic import cluster_removals, embedding_input
from sparkops.spark.caching import ROWS_LEVEL
from sparkops.spark.dedup.near import DOC, doc_ids
from sparkops.spark.sources import empty_frame

VECTORS = StructType([StructField(DOC, LongType()), StructField("_sd_vec", ArrayType(FloatType()))])
REMOVED = StructType([StructField(DOC, LongType()), StructField("_sd_lead", LongType()),
                      StructField(DUP_COSINE, DoubleType()), StructField(DUP_CLUSTER, LongType())])


def embeddings(texts: DataFrame, text_col: str, p: dict) -> DataFrame:
    """(_mh_doc, _sd_vec) of the documents that have an embedding."""
    model, lowercase = p["model"], p["lowercase"]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            vectors, has = embed([embedding_input(t, lowercase) for t in batch.column(1).to_pylist()], model)
            keep = np.flatnonzero(has)
            width = vectors.shape[1]
            flat = pa.array(vectors[keep].reshape(-1))
            lists = pa.ListArray.from_arrays(pa.array(np.arange(0, len(keep) * width + 1, width, dtype=np.int32)), flat)
            yield pa.RecordBatch.from_arrays([batch.column(0).take(pa.array(keep)), lists], schema=pa.schema(
                [pa.field(DOC, pa.int64()), pa.field("_sd_vec", pa.list_(pa.float32()))]))

    return texts.select(DOC, text_col).mapInArrow(run, VECTORS)


def _removals(centres: np.ndarray, p: dict):
    """mapInPandas over (cluster, doc, vector) rows: every cluster of the partition solved."""

    def run(batches):
        import pandas as pd

        parts = [b for b in batches if len(b)]
        if not parts:
            return
        rows = pd.concat(parts, ignore_index=True)
        clusters = rows["_sd_c"].to_numpy(np.int64)
        order = np.argsort(clusters, kind="stable")
        clusters = clusters[order]
        ids = rows[DOC].to_numpy(np.int64)[order]
        vectors = np.stack(rows["_sd_vec"].to_numpy()[order]).astype(np.float32)
        starts = np.flatnonzero(np.r_[True, clusters[1:] != clusters[:-1]])
        ends = np.r_[starts[1:], len(clusters)]
        for a, b in zip(starts, ends):
            c = int(clusters[a])
            gone, lead, score = cluster_removals(ids[a:b], vectors[a:b], centres[c], p)
            if len(gone):
                yield pd.DataFrame({DOC: gone, "_sd_lead": lead, DUP_COSINE: score.astype(np.float64),
                                    DUP_CLUSTER: np.full(len(gone), c, dtype=np.int64)})

    return run


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` (the k-means cluster) and ``_dup_cosine``."""
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.functions import array_to_vector

    p = bound.prepared
    say = say or (lambda m: None)
    ided, _ = doc_ids(df, order_cols)
    vectors = embeddings(ided, text_col, p).localCheckpoint(eager=True, storageLevel=ROWS_LEVEL)
    n = vectors.count()
    k = min(p["n_clusters"], n)
    if k < 1 or n < 2:
        removed = empty_frame(df.sparkSession, REMOVED)
    else:
        if k == 1:  # Spark ML's k is at least 2; one cluster's centroid is the mean
            from pyspark.ml.stat import Summarizer

            features = vectors.select(array_to_vector("_sd_vec").alias("_sd_features"))
            mean = features.select(Summarizer.mean(F.col("_sd_features"))).first()[0]
            centres = np.array([mean.toArray()], dtype=np.float64)
            assigned = vectors.select(F.lit(0).cast("long").alias("_sd_c"), DOC, "_sd_vec")
        else:
            features = vectors.select(DOC, "_sd_vec", array_to_vector("_sd_vec").alias("_sd_features"))
            kmeans = KMeans(k=k, maxIter=p["max_iter"], seed=p["seed"], featuresCol="_sd_features",
                            predictionCol="_sd_c", distanceMeasure=p["kmeans_distance"])
            say(f"{bound.name}: k-means, k={k:,} over {n:,} embeddings")
            model = kmeans.fit(features)
            centres = np.array(model.clusterCenters(), dtype=np.float64)
            assigned = model.transform(features).select(F.col("_sd_c").cast("long"), DOC, "_sd_vec")
        removed = (assigned.repartition(max(1, min(k, df.sparkSession.sparkContext.defaultParallelism * 4)), "_sd_c")
                   .mapInPandas(_removals(centres, p), REMOVED)
                   .localCheckpoint(eager=True))
    ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
             else F.col(DOC).cast("string"))
    leads = ided.select(F.col(DOC).alias("_sd_lead"), ident.alias(DUPLICATE_OF))
    scored = removed.join(leads, "_sd_lead").drop("_sd_lead")
    if removed.count() <= 100_000:
        scored = F.broadcast(scored)
    return (ided.join(scored, DOC, "left")
            .withColumn(KEEP, F.col(DUP_CLUSTER).isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(bound.name)))
            .drop(DOC))
