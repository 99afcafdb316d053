"""Near-duplicate clustering shared by the MinHash and SimHash deduplicators.

1. A sketch per document, from one vectorised pass: LSH ``keys`` (MinHash bands, SimHash
   block choices) plus whatever the similarity check needs.
2. Documents sharing a key are candidates: each bucket links its members to its smallest
   member (a star, n - 1 edges for n members: a bucket of 50,000 copies costs 50,000 edges,
   not 1.25 billion pairs).
3. An optional exact check of every candidate edge (Jaccard, Hamming distance).
4. Connected components of the edges (``sparkops.spark.dedup.components``) are the clusters.
5. Without the check (Data-Juicer's way), the ``keep`` policy picks each cluster's survivor
   and every other member is removed with the cluster id, the survivor's id and its
   estimated similarity to the survivor, also members only a chain (A~B~C) links to it.
6. With the check (verified modes), members are visited in ``keep`` order and one is removed
   only if a checked edge links it to an already kept member: every removed row's reported
   similarity is exact, passes the threshold and names a document of the output, and no
   checked pair survives twice (in a chain A~B~C, C stays when it is unlike A).

Nothing is collected to the driver but the input file names and a few counts; sketches and
removed rows are checkpointed, and the input is cached so the ops before this one run once
(unless it is a plain file scan, cheaper to parse again).
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StructField, StructType

from sparkops.core.row import DROPPED_BY, DUP_CLUSTER, DUPLICATE_OF, KEEP
from sparkops.spark.dedup.components import checkpointed_count, connected_components, star_forest
from sparkops.spark.dedup.survivor import ranking, sort_order
from sparkops.spark import caching
from sparkops.spark.caching import ROWS_LEVEL


DOC = "_mh_doc"
# the rows (text, record) are cached on local disk (ROWS_LEVEL), not in the heap: read twice (the
# sketch pass, the final join) and the heap is needed by rows being built: a 50 MB document is
# a 100+ MB row (text and record) whose buffer doubles as it grows
BROADCAST_REMOVED = 1_000_000  # removed rows (ids and scores only) joined back by broadcast up to this


FILE_SHIFT = 40  # a job's document id: (file number << 40) + line


def doc_ids(df: DataFrame, order_cols: list[str]) -> tuple[DataFrame, DataFrame | None]:
    """A unique long per row: (file number << 40) + line in a job, else Spark's row id; and in
    a job the (_mh_file, _source) numbering of the input files. Either way the ids follow the
    input order.

    The rows are persisted (``ROWS_LEVEL``: on local disk; released with the caller's
    ``caching.released_after`` scope), so the ops before the deduplicator run once however
    often the rows are read, unless reading them again is cheaper than that
    (``_cheap_to_reread``). The persist is lazy: the first pass over the rows (the
    sketch pass, or in a job the listing of input files) fills the cache, so the input is
    parsed once. Spark's row ids
    depend on the partitioning only, so a partition recomputed after losing an executor gets
    the same ids as long as the rows before this op are deterministic (a file read, the
    sparkops mappers and filters); a job numbers rows by file and line anyway.
    """
    cache_rows = (lambda d: d) if _cheap_to_reread(df) else caching.persist
    if order_cols == ["_source", "_line"]:
        df = cache_rows(df)
        # the input file names (not documents) are few: number them on the driver
        names = sorted(r[0] for r in df.select("_source").distinct().collect())
        files = df.sparkSession.createDataFrame(list(enumerate(names, 1)), "_mh_file long, _source string")
        return (df.join(F.broadcast(files), "_source")
                .withColumn(DOC, F.shiftleft(F.col("_mh_file"), FILE_SHIFT) + F.col("_line"))
                .drop("_mh_file")), files
    return cache_rows(df.withColumn(DOC, F.monotonically_increasing_id())), None


def with_doc_name(df: DataFrame, doc: str, out: str, files: DataFrame | None) -> DataFrame:
    """``out``: document id ``doc`` named as ``_duplicate_of`` names documents: ``file:line``
    in a job (the file's number is the id's high bits, ``files`` from ``doc_ids``), else the id."""
    ident = F.col(doc)
    if files is None:
        return df.withColumn(out, ident.cast("string"))
    named = files.select(F.col("_mh_file").alias("_dn_file"), F.col("_source").alias("_dn_source"))
    line = ident.bitwiseAND(F.lit((1 << FILE_SHIFT) - 1)).cast("string")
    return (df.withColumn("_dn_file", F.shiftright(ident, FILE_SHIFT))
            .join(F.broadcast(named), "_dn_file", "left")
            .withColumn(out, F.concat_ws(":", F.col("_dn_source"), line))
            .drop("_dn_file", "_dn_source"))


# physical operators that only read files (or rows persisted already) and pick rows and columns
_SCAN_ONLY = {"Filter", "Project", "WholeStageCodegen", "InputAdapter", "ColumnarToRow", "InMemoryTableScan"}


def _cheap_to_reread(df: DataFrame) -> bool:
    """True when the rows are a file scan, or rows persisted already (a stage pass persists
    what its ops computed), with only deterministic filters and projections on top (no
    Python UDF, no shuffle): persisting them again would write a second copy for nothing,
    and reading a file twice costs a second parse, less than writing them to local disk and
    reading them back (docs/decisions/dedup-reread.md). The ids
    stay the same: a file scan's (or a persisted copy's) partitions and row order are the
    same at every read."""
    qe = df._jdf.queryExecution()
    if not qe.optimizedPlan().deterministic():
        return False
    todo = [qe.executedPlan()]
    while todo:
        node = todo.pop()
        name = node.nodeName()
        if not (name.startswith("Scan ") or name.split(" (")[0] in _SCAN_ONLY):
            return False
        children = node.children()
        todo.extend(children.apply(i) for i in range(children.size()))
    return True


def read_table(spark, path: str) -> DataFrame:
    """A reference table: Delta, else Parquet."""
    from pyspark.errors import AnalysisException

    try:
        return spark.read.format("delta").load(path)
    except AnalysisException:
        return spark.read.parquet(path)


def read_reference(spark, path: str, text_col: str) -> DataFrame:
    """The text column of a reference table."""
    from sparkops.core import OpError

    ref = read_table(spark, path)
    if text_col not in ref.columns:
        raise OpError(f"reference {path}: no '{text_col}' column (columns: {', '.join(ref.columns)})")
    return ref.select(F.col(text_col).cast("string").alias(text_col))


def candidate_edges(sk: DataFrame) -> DataFrame:
    """(src, dst): every member of an LSH bucket linked to the bucket's smallest member; a pair
    that shares several bands comes once per band (the clustering ignores repeats).

    One shuffle, of blobs: each sketch batch's (band, key, doc) triples are cut by key into
    ``spark.sql.shuffle.partitions`` parts, each part one row of three binary columns, so
    a bucket's triples all meet in one partition, where numpy sorts them and links each
    bucket's members to its smallest. A row per triple (36 a document with Data-Juicer's default
    bands) made the JVM explode, shuffle and hand back to Python every one of them, which cost
    more than the sort; a groupBy for the minima and a join back cost a second shuffle of
    every triple, and most buckets hold one document. A hot bucket is one sorted run of one
    partition, linear in its size after the sort.
    """
    parts = int(sk.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    blobs = sk.where("has").select(DOC, "keys").mapInArrow(
        lambda batches: _bucket_blobs(batches, parts), "part int, slot binary, key binary, doc binary")
    return blobs.repartition(parts, "part").mapInArrow(_bucket_stars, "src long, dst long")


def _bucket_blobs(batches, parts: int):
    """Per batch of sketches: one row per part (key modulo ``parts``) holding its triples' band
    numbers (int32), keys and documents (int64), each column the bytes of a numpy array."""
    import numpy as np
    import pyarrow as pa

    for batch in batches:
        if not batch.num_rows:
            continue
        keys = batch.column(1)
        lengths = keys.value_lengths().to_numpy(zero_copy_only=False)
        key = keys.flatten().to_numpy()
        doc = np.repeat(batch.column(0).to_numpy(), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        slot = (np.arange(len(key)) - starts).astype(np.int32)
        part = (key.view(np.uint64) % np.uint64(parts)).astype(np.int32)
        order = np.argsort(part, kind="stable")
        part, slot, key, doc = part[order], slot[order], key[order], doc[order]
        cut = np.flatnonzero(np.concatenate(([True], part[1:] != part[:-1]))).tolist() + [len(part)]
        spans = list(zip(cut[:-1], cut[1:]))
        yield pa.RecordBatch.from_arrays(
            [pa.array([int(part[lo]) for lo, _ in spans], pa.int32()),
             *[pa.array([col[lo:hi].tobytes() for lo, hi in spans], pa.binary()) for col in (slot, key, doc)]],
            names=["part", "slot", "key", "doc"])


def _bucket_stars(batches):
    import numpy as np
    import pyarrow as pa

    parts = [b for b in batches if b.num_rows]
    if not parts:
        return
    table = pa.Table.from_batches(parts)
    slot, key, doc = (np.frombuffer(b"".join(table.column(c).to_pylist()), dtype=t)
                      for c, t in (("slot", np.int32), ("key", np.int64), ("doc", np.int64)))
    # the keys mix in their band, so sorting by key alone groups the buckets (a one-key sort:
    # a third of a three-key lexsort's time); two bands' equal keys, if ever, are sorted apart
    order = np.argsort(key, kind="stable")
    doc, slot, key = doc[order], slot[order], key[order]
    if np.any((key[1:] == key[:-1]) & (slot[1:] != slot[:-1])):
        order = np.lexsort((slot, key))
        doc, slot, key = doc[order], slot[order], key[order]
    first = np.ones(len(doc), dtype=np.bool_)
    first[1:] = (slot[1:] != slot[:-1]) | (key[1:] != key[:-1])
    starts = np.flatnonzero(first)
    lead = np.minimum.reduceat(doc, starts)[np.cumsum(first) - 1]  # each row's bucket's smallest document
    member = doc != lead
    yield pa.RecordBatch.from_arrays([pa.array(doc[member]), pa.array(lead[member])], names=["src", "dst"])


def pair_columns(edges: DataFrame, sk: DataFrame, column: str, left: str = "src", right: str = "dst",
                 at_most: int | None = None) -> DataFrame:
    """``edges`` (checkpointed: counted, then read; ``at_most`` = a known bound on their number
    saves the count) with ``a`` / ``b``: the sketch ``column`` of each end.

    Up to ``BROADCAST_REMOVED`` edges (ids only: 16 MB), the sketches are streamed past a
    broadcast copy of the edges and one of their right ends, so only the sketches of the
    documents that have an edge are shuffled; a full join would shuffle every sketch of the
    corpus twice (a MinHash signature is 1 KB a document, a verified mode's shingle set
    several)."""
    if (at_most if at_most is not None else checkpointed_count(edges)) <= BROADCAST_REMOVED:
        a = sk.select(F.col(DOC).alias(left), F.col(column).alias("a")).join(F.broadcast(edges), left)
        ends = F.broadcast(edges.select(right).distinct())
        b = sk.select(F.col(DOC).alias(right), F.col(column).alias("b")).join(ends, right)
        return a.join(b, right)
    a = sk.select(F.col(DOC).alias(left), F.col(column).alias("a"))
    b = sk.select(F.col(DOC).alias(right), F.col(column).alias("b"))
    return edges.join(a, left).join(b, right)


def deduplicate_near(df: DataFrame, op_name: str, params: dict, text_col: str, order_cols: list[str],
                     sketch: Callable[[DataFrame], DataFrame],
                     check: Callable[[DataFrame, DataFrame], DataFrame] | None,
                     similarity: tuple[str, str, Callable[[Column, Column], Column] | None],
                     reference: str | None = None, say=None) -> DataFrame:
    """Every row of ``df`` with ``_keep``, ``_dropped_by`` and, on removed rows,
    ``_duplicate_of``, ``_dup_cluster`` and the similarity column ``similarity[0]``.

    ``params`` are the op's (``keep``, ``order_by``). ``sketch(rows with _mh_doc)`` gives
    (_mh_doc, has, keys, ...); ``check(edges, sketch)`` gives (src, dst, score) for the edges
    that pass the exact test (then step 6 of the module doc applies); ``similarity = (name,
    sketch column, f)``: the output column, and, without a check, ``f(a, b)`` scores a removed
    row's sketch column ``a`` against its survivor's ``b``. With a ``reference`` table, its
    documents join the clustering with negative ids: a cluster that holds one is led by it
    (its smallest id): without a check every input document in it is removed, with one those
    linked to a reference document by a passing edge are.
    """
    ided, files = doc_ids(df, order_cols)
    texts = ided.select(DOC, text_col)
    if reference:
        ref = read_reference(df.sparkSession, reference, text_col)
        texts = texts.unionByName(ref.select((-1 - F.monotonically_increasing_id()).alias(DOC), text_col))
    # the sketches too live on local disk: read a few times, never all at once, and a verified
    # mode's shingle sets (a few KB a document) would otherwise sit in the heap for the whole op
    sk = sketch(texts).localCheckpoint(eager=True, storageLevel=ROWS_LEVEL)
    edges = candidate_edges(sk)
    if check is not None:  # (src, dst, score) of the pairs that pass: read by the clustering and the selection
        pairs = edges.distinct().localCheckpoint(eager=True)  # each pair checked once
        edges = check(pairs, sk)
    edges = edges.localCheckpoint(eager=True)
    # a removed document is a node of an edge that is not its cluster's smallest node: the
    # edge count bounds the removed rows before any of them is computed
    n_edges = checkpointed_count(edges)

    # cluster members ranked by the keep policy: keep / order_by first, then the input order
    values = ranking(ided, params, text_col, op_name)
    in_input_order = not values and order_cols in ([], ["_source", "_line"])
    if check is None and in_input_order:
        forest = star_forest(edges, say=say, count=n_edges)
        scored = _first_in_order_removals(forest, sk, similarity, files, n_edges)
    elif in_input_order:  # verified, first in input order: the ids are the ranks, no scan of the rows
        labels = connected_components(edges, say=say, count=n_edges).withColumnRenamed("node", DOC)
        nodes = labels.select(DOC, "component", F.lit(0.0).alias("_mh_rank"))
        names = with_doc_name(nodes.select(DOC).where(F.col(DOC) >= 0), DOC, "_mh_id", files)
        scored = _greedy_removals(nodes, names, edges, similarity[0])
    else:
        labels = connected_components(edges, say=say, count=n_edges).withColumnRenamed("node", DOC)
        ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
                 else F.col(DOC).cast("string"))
        narrow = ided.select(DOC, *order_cols, ident.alias("_mh_id"),
                             *[v.alias(f"_mh_r{i}") for i, (v, _) in enumerate(values)])
        order = (sort_order([(F.col(f"_mh_r{i}"), desc) for i, (_, desc) in enumerate(values)])
                 + [F.col(c).asc_nulls_last() for c in order_cols] + [F.col(DOC)])
        cluster = Window.partitionBy("component").orderBy(*order)
        ranked = narrow.join(labels, DOC).withColumn("_mh_rank", F.row_number().over(cluster))
        if check is None:
            scored = _survivor_removals(ranked, sk, similarity, n_edges)
        else:
            nodes = labels.join(ranked.select(DOC, "_mh_rank"), DOC, "left")  # reference documents: no rank
            scored = _greedy_removals(nodes, ranked.select(DOC, "_mh_id"), edges, similarity[0])
    scored = scored.select(DOC, DUPLICATE_OF, DUP_CLUSTER, similarity[0])
    if n_edges <= BROADCAST_REMOVED or checkpointed_count(scored) <= BROADCAST_REMOVED:
        scored = F.broadcast(scored)
    return (ided.join(scored, DOC, "left")
            .withColumn(KEEP, F.col(DUP_CLUSTER).isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(op_name)))
            .drop(DOC))


def _first_in_order_removals(forest: DataFrame, sk: DataFrame, similarity: tuple,
                             files: DataFrame | None, at_most: int) -> DataFrame:
    """``_survivor_removals`` for Data-Juicer's default policy, the first copy in input order:
    document ids follow the input order, so each cluster's survivor is its smallest id, the
    root of its star in ``forest`` (``star_forest``: u -> root for every other member; a
    reference document's when the cluster holds one). No ranking of the members, no scan of
    the rows: the removed rows are the forest's edges, and the survivor's id is rebuilt from
    its number (in a job: file name and line). ``at_most`` bounds their number."""
    lead = F.col("component")
    removed = (forest.select(F.col("u").alias(DOC), F.col("v").alias("component"))
               .where(F.col(DOC) >= 0))  # reference documents stay
    removed = with_doc_name(removed, "component", "_mh_name", files).select(
        DOC, lead.alias("_mh_first"), F.when(lead < 0, F.lit("reference")).otherwise(F.col("_mh_name"))
        .alias(DUPLICATE_OF), lead.alias(DUP_CLUSTER))
    # not checkpointed: the forest is, and these are a projection and a broadcast join of it
    return _score(removed, sk, similarity, "_mh_first", at_most)


def _survivor_removals(ranked: DataFrame, sk: DataFrame, similarity: tuple, at_most: int) -> DataFrame:
    """Data-Juicer's way: every member of a cluster but its survivor (the first by rank; a
    reference document when the cluster holds one) is removed, scored against the survivor."""
    cluster = Window.partitionBy("component").orderBy("_mh_rank")
    in_reference = F.col("component") < 0  # the component's smallest node is a reference document
    removed = (ranked
               .withColumn("_mh_first", F.when(in_reference, F.col("component")).otherwise(F.first(DOC).over(cluster)))
               .withColumn(DUPLICATE_OF, F.when(in_reference, F.lit("reference"))
                           .otherwise(F.first("_mh_id").over(cluster)))
               .where(in_reference | (F.col("_mh_rank") > 1))
               .select(DOC, "_mh_first", DUPLICATE_OF, F.col("component").alias(DUP_CLUSTER)))
    return _score(removed.localCheckpoint(eager=True), sk, similarity, "_mh_first", at_most)


def _score(rows: DataFrame, sk: DataFrame, similarity: tuple, lead: str, at_most: int) -> DataFrame:
    """``rows`` (cheap to read twice, one per removal candidate, at most ``at_most`` of them;
    ``lead`` = the document it would be a copy of) with the similarity column, checkpointed:
    it is read by the final join (and by a count when ``at_most`` is large)."""
    name, column, score = similarity
    return (pair_columns(rows, sk, column, left=DOC, right=lead, at_most=at_most)
            .withColumn(name, score(F.col("a"), F.col("b"))).drop("a", "b", lead)
            .localCheckpoint(eager=True))


def _greedy_removals(nodes: DataFrame, names: DataFrame, edges: DataFrame, name: str) -> DataFrame:
    """Verified modes: in each cluster, members are visited in rank order (reference documents
    first); a member with a passing edge to an already kept member is removed as a copy of the
    best-ranked such member, with that edge's score; otherwise it is kept. So every removed
    document passes against a kept one, and no passing pair is kept twice (the kept members of
    a cluster are a maximal independent set of its passing pairs).

    ``nodes``: (_mh_doc, component, _mh_rank) of every clustered document, the rank null for
    reference documents (ties: by id); ``names``: (_mh_doc, _mh_id) of the input documents.
    Nodes and edges (ids, ranks, scores: no text) are shuffled by cluster, and each partition
    solves all its clusters in one Python call: a call per cluster (a grouped pandas UDF) cost
    a few milliseconds each, seconds for thousands of small clusters. A cluster is held by one
    task, linear in its size."""
    score_type = edges.schema["score"].dataType
    labels = nodes.select(F.col(DOC).alias("src"), F.col("component").alias("_mh_c"))
    nodes = nodes.select(F.col("component").alias("_mh_c"), F.lit(0).alias("_mh_kind"), F.col(DOC).alias("_mh_a"),
                         F.lit(None).cast("long").alias("_mh_b"), F.col("_mh_rank").cast("double").alias("_mh_v"))
    linked = (edges.join(labels, "src")
              .select("_mh_c", F.lit(1).alias("_mh_kind"), F.col("src").alias("_mh_a"), F.col("dst").alias("_mh_b"),
                      F.col("score").cast("double").alias("_mh_v")))
    schema = StructType([StructField(DOC, LongType()), StructField("_mh_lead", LongType()),
                         StructField("_mh_score", DoubleType()), StructField(DUP_CLUSTER, LongType())])
    picked = nodes.unionByName(linked).repartition("_mh_c").mapInPandas(_select_in_partition, schema)
    ids = names.select(F.col(DOC).alias("_mh_lead"), F.col("_mh_id").alias(DUPLICATE_OF))
    return (picked.join(ids, "_mh_lead", "left")
            .withColumn(DUPLICATE_OF, F.coalesce(DUPLICATE_OF, F.lit("reference")))  # led by a reference doc
            .withColumn(name, F.col("_mh_score").cast(score_type)).drop("_mh_score")
            .localCheckpoint(eager=True))


def _select_in_partition(batches):
    """Every cluster of a partition (rows: cluster, kind 0 = node (id, rank) / 1 = edge (src,
    dst, score)); yields (doc, lead, score, cluster) of the removed members."""
    import numpy as np
    import pandas as pd

    parts = [b for b in batches if len(b)]
    if not parts:
        return
    rows = pd.concat(parts, ignore_index=True)
    c = rows["_mh_c"].to_numpy(np.int64)
    order = np.argsort(c, kind="stable")
    c = c[order]
    kind = rows["_mh_kind"].to_numpy(np.int64)[order]
    a = rows["_mh_a"].to_numpy(np.int64)[order]
    b = rows["_mh_b"].fillna(0).to_numpy(np.int64)[order]
    v = rows["_mh_v"].to_numpy(np.float64)[order]
    node = kind == 0
    head = np.concatenate(([True], c[1:] != c[:-1]))
    starts = np.flatnonzero(head)
    ends = np.append(starts[1:], len(c))
    cluster = np.cumsum(head) - 1
    n_nodes = np.bincount(cluster, weights=node).astype(np.int64)
    n_edges = (ends - starts) - n_nodes
    # most clusters are one pair: solved for all at once (the later-visited member goes, unless
    # it is a reference document); a Python call per cluster cost ~0.1 ms each
    pair = (n_nodes == 2) & (n_edges == 1)
    in_pair = pair[cluster]
    pair_nodes = np.flatnonzero(node & in_pair)  # two per pair cluster, in cluster order
    x, y = a[pair_nodes[0::2]], a[pair_nodes[1::2]]
    rx, ry = (np.nan_to_num(v[pair_nodes[i::2]], nan=0.0) for i in (0, 1))
    x_first = (rx < ry) | ((rx == ry) & (x < y))
    first, second = np.where(x_first, x, y), np.where(x_first, y, x)
    gone = second >= 0
    out = [(second[gone], first[gone], v[~node & in_pair][gone], c[starts[pair]][gone])]
    for lo, hi in zip(starts[~pair], ends[~pair]):
        member = node[lo:hi]
        doc, lead, score = _select_in_cluster(a[lo:hi][member], v[lo:hi][member], a[lo:hi][~member],
                                              b[lo:hi][~member], v[lo:hi][~member])
        if len(doc):
            out.append((doc, lead, score, np.full(len(doc), c[lo], dtype=np.int64)))
    doc, lead, score, cid = (np.concatenate(col) for col in zip(*out))
    if len(doc):
        yield pd.DataFrame({DOC: doc, "_mh_lead": lead, "_mh_score": score, DUP_CLUSTER: cid})


def _select_in_cluster(doc, rank, src, dst, score):
    """One cluster, numpy: (doc, lead, score) arrays of its removed members; ``rank`` is NaN for
    reference documents (visited first, always kept, never in the output)."""
    import numpy as np

    rank = np.nan_to_num(rank, nan=0.0)
    visit = np.lexsort((doc, rank))
    position = np.empty(len(doc), dtype=np.int64)
    position[visit] = np.arange(len(doc))
    at = np.argsort(doc)
    sorted_doc = doc[at]
    u = at[np.searchsorted(sorted_doc, src)]
    v = at[np.searchsorted(sorted_doc, dst)]
    # adjacency (both directions) as CSR, each node's neighbours in visit order
    x, y, s = np.concatenate((u, v)), np.concatenate((v, u)), np.concatenate((score, score))
    by = np.lexsort((position[y], x))
    x, y, s = x[by], y[by], s[by]
    start = np.searchsorted(x, np.arange(len(doc) + 1))
    kept = np.zeros(len(doc), dtype=np.bool_)
    out_doc, out_lead, out_score = [], [], []
    for n in visit:
        if doc[n] < 0:  # a reference document: always there, never in the output
            kept[n] = True
            continue
        lo, hi = start[n], start[n + 1]
        hit = np.flatnonzero(kept[y[lo:hi]])
        if len(hit):  # the first kept neighbour in visit order is the best-ranked one
            out_doc.append(doc[n])
            out_lead.append(doc[y[lo + hit[0]]])
            out_score.append(s[lo + hit[0]])
        else:
            kept[n] = True
    return (np.array(out_doc, dtype=np.int64), np.array(out_lead, dtype=np.int64),
            np.array(out_score, dtype=np.float64))
