"""semantic_deduplicator: NeMo Curator's semantic dedup (SemDeDup, Abbas et al. 2023) on
embeddings from a model that ships in a package (pure numpy; Spark side:
``sparkops.spark.dedup.semantic``).

NeMo Curator's method (``nemo_curator/utils/semdedup_utils.py``, read for its facts):

1. every document's embedding, scaled to unit length (sparkops: of the text with whitespace runs
   as one space and, by default, lower-cased, as its other deduplicators compare);
2. k-means over the embeddings (here Spark ML's ``KMeans``); each document's distance to its
   centroid: L2 to the centroid, and cosine distance ``1 - cos`` to it;
3. in each cluster the members are ranked: ``hard`` keeps the far ones first (distance to the
   centroid descending, then id descending), ``easy`` the near ones (ascending, id ascending),
   ``random`` a seeded shuffle; sparkops adds ``first`` (input order, as its other
   deduplicators);
4. each member's score is its largest cosine similarity to a member ranked before it (NeMo:
   the column max of the upper triangle of the cluster's similarity matrix, so a score is
   never below 0, and the first member's is 0), and the member it was reached with;
5. a member whose score is at least ``1 - eps`` is removed (NeMo keeps ``score < 1 - eps``);
   a cluster of one keeps its member.

A member is removed when it is that close to ANY better-ranked member, removed or not, as in
NeMo: a chain of small steps can remove a member far from every kept one.
"""

from __future__ import annotations

import numpy as np

from sparkops.core import Example, Op, OpError, Param, Sketch, declare, positive
from sparkops.models.embedding import check_model

WHICH_TO_KEEP = ("hard", "easy", "random", "first")
RANDOM_SEED = 42  # NeMo's random_state for which_to_keep: random
_BLOCK_CELLS = 1 << 24  # similarity-matrix cells computed at a time: 64 MB of float32


def centroid_distances(vectors: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L2 distance to the centroid, cosine distance to it) of unit-length ``vectors``."""
    l2 = np.sqrt(((vectors - centre[None, :]) ** 2).sum(axis=1))
    norm = float(np.linalg.norm(centre))
    cos = 1.0 - (vectors @ (centre / norm) if norm else np.zeros(len(vectors)))
    return l2, cos


def rank(ids: np.ndarray, distance: np.ndarray, which: str) -> np.ndarray:
    """The members' order (indices into ``ids``): the first is kept first."""
    if which == "hard":
        return np.lexsort((-ids, -distance))
    if which == "easy":
        return np.lexsort((ids, distance))
    if which == "random":
        # seeded by the cluster's smallest id, so a cluster's order does not depend on the others
        rng = np.random.default_rng([RANDOM_SEED, int(ids.min()) & 0xFFFFFFFF])
        return rng.permutation(np.argsort(ids, kind="stable"))
    return np.argsort(ids, kind="stable")


def earlier_max(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranked unit vectors: (score, index) per member, the score its largest cosine to a
    member before it, floored at 0 (NeMo's upper-triangle column max), and that member's
    index (0 when no earlier member is closer than 0)."""
    n = len(vectors)
    score = np.zeros(n, dtype=np.float32)
    lead = np.zeros(n, dtype=np.int64)
    step = max(1, _BLOCK_CELLS // max(n, 1))
    for a in range(1, n, step):
        b = min(n, a + step)
        sims = vectors[:b] @ vectors[a:b].T  # rows: members 0..b-1, columns: members a..b-1
        rows = np.arange(b)[:, None]
        sims[rows >= np.arange(a, b)[None, :]] = 0.0  # only members ranked before the column's
        best = sims.argmax(axis=0)
        score[a:b] = np.maximum(sims[best, np.arange(b - a)], 0.0)
        lead[a:b] = np.where(score[a:b] > 0, best, 0)
    return score, lead


def cluster_removals(ids: np.ndarray, vectors: np.ndarray, centre: np.ndarray, p: dict):
    """(removed ids, their lead ids, their scores) in one cluster."""
    if len(ids) < 2:
        return ids[:0], ids[:0], np.zeros(0, dtype=np.float32)
    l2, cos = centroid_distances(vectors, centre)
    order = rank(ids, cos if p["sim_metric"] == "cosine" else l2, p["which_to_keep"])
    score, lead = earlier_max(np.ascontiguousarray(vectors[order]))
    gone = score >= 1.0 - p["eps"]
    ranked_ids = ids[order]
    return ranked_ids[gone], ranked_ids[lead[gone]], score[gone]


def embedding_input(text, lowercase: bool):
    """What the model sees: whitespace runs as one space (WordLlama has tokens for runs of spaces,
    which would outweigh the words of a re-spaced copy), lower-cased by default (its vocabulary
    is case-sensitive: an upper-cased copy would be another text)."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text.lower() if lowercase else text


def _embedding_rows(texts: list, p: dict) -> list:
    from sparkops.models.embedding import embed

    vectors, has = embed([embedding_input(t, p["lowercase"]) for t in texts], p["model"])
    return [v.tolist() if ok else None for v, ok in zip(vectors, has)]


def _prepare(p: dict, where: str) -> dict:
    check_model(p["model"], where)
    if not 0.0 <= p["eps"] < 1.0:
        raise OpError(f"{where}: eps must be in [0, 1): duplicates are members at cosine >= 1 - eps; got {p['eps']}")
    return p


declare(Op(
    name="semantic_deduplicator", kind="deduplicator", family="dedup",
    doc="Remove documents whose embedding is within cosine 1 - eps of a better-ranked document of the same "
        "k-means cluster (NeMo Curator's semantic dedup, SemDeDup): embeddings from WordLlama (shipped in its "
        "package), k-means in Spark ML, pairwise cosine inside each cluster.",
    params=(
        Param("model", "str", "wordllama", "The embedding model: `wordllama` (256-d, in the wordllama package)."),
        Param("lowercase", "bool", True, "sparkops: lower-case the text before embedding (whitespace runs always "
              "become one space)."),
        Param("n_clusters", "int", 1000, "k of k-means (NeMo's default); at most the number of documents with an "
              "embedding. Larger: faster and fewer pairs compared; duplicates split across clusters are missed.",
              check=positive),
        Param("max_iter", "int", 100, "k-means iterations at most (NeMo's default).", check=positive),
        Param("eps", "float", 0.01, "A member at cosine similarity >= 1 - eps to a better-ranked member of its "
              "cluster is removed (NeMo's eps_to_extract)."),
        Param("which_to_keep", "str", "hard", "Which member of a group survives: `hard` (farthest from the "
              "centroid, NeMo's default), `easy` (nearest), `random` (seeded), `first` (input order).",
              choices=WHICH_TO_KEEP),
        Param("sim_metric", "str", "cosine", "The distance to the centroid that ranks members: `cosine` or `l2`.",
              choices=("cosine", "l2")),
        Param("kmeans_distance", "str", "euclidean", "Spark ML k-means distance: `euclidean` (NeMo's default on "
              "unit vectors) or `cosine`.", choices=("euclidean", "cosine")),
        Param("seed", "int", 42, "k-means seed: the same data and parameters give the same clusters."),
    ),
    prepare=_prepare, frame="sparkops.spark.dedup.semantic:deduplicate",
    requires=("embed",),
    models=("WordLlama l2_supercat (256-d token embeddings, MIT), inside the wordllama 0.4.0.post1 wheel",),
    sketches=(
        Sketch("text_embedding", "array<float>", ("model", "lowercase"), _embedding_rows,
               "The unit-length embedding the deduplicator compares (WordLlama: the mean of the token vectors of "
               "the text, whitespace runs as one space, lower-cased by default): the dot product of two is their "
               "cosine similarity. NULL for a text without a token."),
    ),
    examples=(
        Example("cardinality(text_embedding('The cat sat on the mat.'))", 256),
        Example("aggregate(zip_with(text_embedding('The  Cat sat on the mat.'), text_embedding('the cat sat on the "
                "mat.'), (a, b) -> a * b), 0D, (s, x) -> s + x) > 0.9999", True,
                "whitespace runs and case do not matter: the cosine of the two is 1"),
        Example("text_embedding('') IS NULL", True, "no token: no embedding (the row is kept)"),
    ),
    notes="NeMo Curator's algorithm (module docstring of sparkops/ops/dedup/semantic.py); its embedding model "
          "(a sentence-transformer on a GPU) is not reachable here, so WordLlama's mean-pooled token vectors stand "
          "in: they see shared words and topics more than paraphrase. A text without a token has no embedding and "
          "is kept. Removed rows carry `_duplicate_of` (the member it is closest to among those ranked before it), "
          "`_dup_cluster` (the k-means cluster) and `_dup_cosine`. The analyzer-free way to pick eps: "
          "`text_embedding` in SQL and the cosine of pairs you know.",
))
