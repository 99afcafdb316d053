"""Data-Juicer's Ray-engine deduplicators (and ``ray_repartition_pipeline``) on sparkops.

The fixture (``tools/dj_parity/gen_ray_dedup_fixture.py``) holds the rows Data-Juicer 1.6.1's
own Ray ops removed on a local Ray from ``ray_dedup_corpus.records()`` (C4 documents with
planted copies). Exact dedup must remove the same rows. MinHash dedup is compared through
``clusters``, the clustering of sparkops' kernels (signatures, band keys of
``sparkops.ops.dedup.minhash``) written out as union-find here; the Spark test then requires the
Spark algorithm to give exactly that clustering. sparkops' signatures are not Data-Juicer's
hash values, so a row may differ only where the Jaccard similarity is close to the threshold,
where the two tokenizations disagree (sparkops splits on every whitespace), or where
Data-Juicer's shingling leaves a text without shingles (it lumps those in one cluster).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import ray_dedup_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.ops.dedup.document import exact_keys
from sparkops.ops.dedup.minhash import band_keys, signatures
from sparkops.text.shingles import batch_shingle_hashes, jaccard, shingle_hashes

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_ray_dedup.json.gz"


@pytest.fixture(scope="module")
def dj():
    fixture = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    records = corpus.records()
    assert corpus.sha256_records(records) == fixture["records_sha256"], "records differ from the fixture's"
    fixture["records"] = records
    fixture["by_case"] = {c["id"]: c for c in fixture["cases"]}
    return fixture


def first_copies_removed(records: list[dict], keys: list) -> list[str]:
    """Ids of the rows whose key an earlier row had (null keys never)."""
    seen, removed = set(), []
    for rec, key in zip(records, keys):
        if key is not None and key in seen:
            removed.append(rec["id"])
        seen.add(key)
    return removed


def clusters(records: list[dict], op: str, params: dict, by_uid: bool = False) -> list[str]:
    """The ids sparkops' kernels remove: documents sharing a band key are linked, each linked
    group keeps its first row (its smallest uid ``by_uid``)."""
    p = bind({op: params}).prepared
    texts = [r["text"] for r in records]
    doc, h = batch_shingle_hashes(texts, p["tokenization"], p["window_size"], p["lowercase"], p["_ignore"])
    sig, has = signatures(doc, h, len(texts), p["num_permutations"])
    keys = band_keys(sig, p["num_bands"], p["num_rows_per_band"])
    parent = list(range(len(texts)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lead = {}
    for i in np.flatnonzero(has):
        for band, key in enumerate(keys[i].tolist()):
            j = lead.setdefault((band, key), i)
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    rank = (lambda i: records[i][corpus.UID]) if by_uid else (lambda i: i)
    best = {}
    for i in range(len(texts)):
        root = find(i)
        if root not in best or rank(i) < rank(best[root]):
            best[root] = i
    return [records[i]["id"] for i in range(len(texts)) if best[find(i)] != i]


def dj_shingles(text: str, lowercase: bool, window: int = 5, cpp: bool = False) -> set[str]:
    """Data-Juicer 1.6.1's 'space' shingles (facts of document_minhash_deduplicator.compute_hash:
    split on ' ', empty tokens dropped, windows joined by ' ', none below `window` tokens; its
    C++ op's (tokenize.pyx n_grams): joined by '', the last window left out, never lower-cased)."""
    words = [w for w in (text.lower() if lowercase and not cpp else text).split(" ") if w]
    if cpp:
        return {"".join(words[i:i + window]) for i in range(len(words) - window)}
    return {" ".join(words[i:i + window]) for i in range(len(words) - window + 1)}


PLANTED = ("c4", "near", "part", "upper", "copy", "pad", "lines", "digits")  # ray_dedup_corpus's families


def explained(rid: str, records: dict, p: dict, no_shingles: set, cpp: bool = False) -> bool:
    """Why sparkops and Data-Juicer may decide differently about ``rid``: no Data-Juicer shingle;
    or, against the document it was planted from (or planted from it), a Jaccard similarity
    (either tokenization's) at which the LSH bands find the pair by chance (probability between
    0.5 % and 99.5 %), or the two tokenizations on different sides of the threshold."""
    if rid in no_shingles:
        return True
    family, index = rid.split(":")
    partners = [k for k in records if k != rid and k.split(":")[1] == index and family in PLANTED
                and k.split(":")[0] in PLANTED]
    b, r, t, low = p["num_bands"], p["num_rows_per_band"], p["jaccard_threshold"], p["lowercase"]
    for other in partners:
        ours = jaccard(shingle_hashes(records[rid], lowercase=low), shingle_hashes(records[other], lowercase=low))
        a, c = dj_shingles(records[rid], low, cpp=cpp), dj_shingles(records[other], low, cpp=cpp)
        theirs = len(a & c) / len(a | c) if a | c else 1.0
        chance = [1 - (1 - s ** r) ** b for s in (ours, theirs)]
        if any(0.005 < x < 0.995 for x in chance) or (ours >= t) != (theirs >= t):
            return True
    return False


def assert_near_parity(ours: list[str], case: dict, dj: dict) -> None:
    p = bind({case["op"]: case["params"]}).prepared
    cpp = case["op"] == "ray_bts_minhash_cpp_deduplicator"
    texts = {r["id"]: r["text"] for r in dj["records"]}
    differ = set(ours) ^ set(case["removed"])
    lumped = set(dj["no_shingles_cpp" if cpp else "no_shingles"])
    unexplained = [rid for rid in sorted(differ) if not explained(rid, texts, p, lumped, cpp)]
    assert not unexplained, f"{case['id']}: {unexplained}"


# ----------------------------------------------------------------------------------- exact


@pytest.mark.parametrize("case_id", ["doc/default", "doc/lowercase", "doc/non_character", "doc/both"])
def test_ray_document_deduplicator_removes_what_data_juicer_removes(dj, case_id):
    case = dj["by_case"][case_id]
    p = bind({"ray_document_deduplicator": case["params"]}).prepared
    keys = exact_keys([r["text"] for r in dj["records"]], p)
    assert first_copies_removed(dj["records"], keys) == case["removed"]


def test_ray_keys_are_data_juicers_not_document_deduplicators(dj):
    """Whitespace inside counts, and an empty text is keyed 'EMPTY' apart from whitespace-only ones."""
    ray = bind("ray_document_deduplicator").prepared
    ours = bind("document_deduplicator").prepared
    texts = ["a  b", "a b", "", "   ", None]
    k = exact_keys(texts, ray)
    assert k[0] != k[1] and k[2] == k[4] != k[3]
    j = exact_keys(texts, ours)
    assert j[0] == j[1] and j[2] == j[3] and j[4] is None
    removed = set(dj["by_case"]["doc/default"]["removed"])
    assert "lines:4" not in removed and "empty:1" in removed and "blank:1" in removed


# --------------------------------------------------------------------------------- minhash


def test_data_juicers_ray_and_local_minhash_ops_remove_the_same_rows(dj):
    """What the declarations rely on: the BTS union-find gives document_minhash_deduplicator's answer."""
    cases = dj["by_case"]
    assert cases["bts/default"]["removed"] == cases["minhash/default"]["removed"]
    assert cases["bts_uid/default"]["removed"] == cases["minhash_uid/default"]["removed"]
    # the uid decides the survivor: the near copies (smallest uids) stay, their originals go
    assert any(r.startswith("c4:") for r in cases["bts_uid/default"]["removed"])
    assert not any(r.startswith("near:") for r in cases["bts_uid/default"]["removed"])


@pytest.mark.parametrize("case_id", ["bts/default", "bts/t0.8_k128", "bts/bands"])
def test_ray_bts_minhash_clusters_match_data_juicer(dj, case_id):
    case = dj["by_case"][case_id]
    assert_near_parity(clusters(dj["records"], case["op"], case["params"]), case, dj)


@pytest.mark.parametrize("op, case_id", [("ray_bts_minhash_deduplicator_with_uid", "bts_uid/default"),
                                         ("document_minhash_deduplicator_with_uid", "minhash_uid/default")])
def test_with_uid_keeps_the_smallest_uid_of_each_cluster(dj, op, case_id):
    case = dj["by_case"][case_id]
    ours = clusters(dj["records"], op, case["params"], by_uid=True)
    assert_near_parity(ours, case, dj)
    assert ours != clusters(dj["records"], op, case["params"])  # not the input order


def test_cpp_variant_clusters_match_data_juicers_cpp_op(dj):
    """Data-Juicer's C++ op, built from its own sources (its wheel ships them unbuilt): it never
    lower-cases, nor does sparkops' cpp op, which is otherwise ray_bts_minhash_deduplicator."""
    assert dj["ray_bts_minhash_cpp_deduplicator"].startswith("built"), dj["ray_bts_minhash_cpp_deduplicator"]
    case = dj["by_case"]["cpp/default"]
    ours = clusters(dj["records"], case["op"], case["params"])
    assert_near_parity(ours, case, dj)
    assert not any(r.startswith("upper:") for r in case["removed"] + ours)  # case counts
    for lowercase in (True, False):
        assert clusters(dj["records"], case["op"], {"lowercase": lowercase, "ignore_pattern": "[a-z]"}) == \
            clusters(dj["records"], "ray_bts_minhash_deduplicator", {"lowercase": False})


# ------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("spec, message", [
    ({"ray_document_deduplicator": {"dedup_set_num": 0}}, "'dedup_set_num' must be a positive integer or 'auto'"),
    ({"ray_document_deduplicator": {"backend": "memory"}}, "'backend' must be one of"),
    ({"ray_bts_minhash_deduplicator": {"union_find_parallel_num": "half"}},
     "'union_find_parallel_num' must be a positive integer or 'auto', got 'half'"),
    ({"ray_bts_minhash_deduplicator": {"max_pending_filter_tasks": -1}}, "'max_pending_filter_tasks' must be > 0"),
    ({"ray_bts_minhash_deduplicator": {"num_bands": 30, "num_rows_per_band": 10}}, "exceeds num_permutations"),
    ({"ray_bts_minhash_cpp_deduplicator": {"task_memory": 1}}, "unknown parameter 'task_memory'"),
    ({"ray_bts_minhash_deduplicator_with_uid": {"order_by": "id"}}, "unknown parameter 'order_by'"),
    ({"document_minhash_deduplicator_with_uid": {"keep": "longest"}}, "unknown parameter 'keep'"),
    ({"ray_repartition_pipeline": {"num_blocks": 0}}, "'num_blocks' must be > 0"),
    ({"ray_repartition_pipeline": {"shuffle": "yes"}}, "'shuffle' must be bool"),
])
def test_wrong_parameters_are_refused_precisely(spec, message):
    with pytest.raises(OpError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bind(spec)


def test_engine_settings_are_accepted_with_data_juicers_values():
    b = bind({"ray_bts_minhash_deduplicator": {"union_find_parallel_num": 8, "union_threshold": None,
                                                "minhash_batch_size": "auto", "actor_memory": 20_000_000_000,
                                                "memory_per_sample": 0.5}})
    assert (b.prepared["num_bands"], b.prepared["num_rows_per_band"]) == (25, 10)
    assert bind({"ray_document_deduplicator": {"dedup_set_num": 4, "backend": "redis"}}).params["dedup_set_num"] == 4


# ------------------------------------------------------------------------------------ Spark


@pytest.mark.spark
def test_a_data_juicer_ray_recipe_runs_on_spark(spark, tmp_path, dj):
    """A Data-Juicer recipe for its Ray executor, unchanged: repartition, exact dedup, then
    incremental near-dedup by uid; the job removes what the kernels decide, and a record without
    a uid stops the uid op with an error naming it."""
    import yaml

    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    records = dj["records"]
    data = tmp_path / "input.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    process = [{"ray_repartition_pipeline": {"num_blocks": 3, "shuffle": True}},
               {"ray_document_deduplicator": {"lowercase": True, "dedup_set_num": "auto"}},
               {"ray_bts_minhash_deduplicator_with_uid": {"union_find_parallel_num": 2}}]
    recipe = {"project_name": "ray_dedup", "executor_type": "ray", "ray_address": "auto",
              "dataset_path": str(data), "export_path": str(tmp_path / "out" / "processed.jsonl"),
              "process": process}
    spec_file = tmp_path / "recipe.yaml"
    spec_file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    result = run(spark, load(spec_file), say=lambda m: None)
    kept = [json.loads(line) for line in Path(result.export).read_text(encoding="utf-8").splitlines()]

    p = bind({"ray_document_deduplicator": {"lowercase": True}}).prepared
    exact = set(first_copies_removed(records, exact_keys([r["text"] for r in records], p)))
    rest = [r for r in records if r["id"] not in exact]
    near = set(clusters(rest, "ray_bts_minhash_deduplicator_with_uid", {}, by_uid=True))
    assert [r["id"] for r in kept] == [r["id"] for r in rest if r["id"] not in near]  # input order kept
    by_id = {r["id"]: r for r in records}
    assert all(r == by_id[r["id"]] for r in kept)  # records unchanged, __dj__uid included
    rejected = spark.read.format("delta").load(f"{result.output}/process_rejected")
    by_op = {r["_dropped_by"]: r["count"] for r in rejected.groupBy("_dropped_by").count().collect()}
    assert by_op == {"ray_document_deduplicator": len(exact), "ray_bts_minhash_deduplicator_with_uid": len(near)}

    data.write_text("".join(json.dumps({k: v for k, v in r.items() if not (r["id"] == "c4:7" and k == corpus.UID)})
                            + "\n" for r in records[:20]), encoding="utf-8")
    recipe["process"] = process[2:]
    recipe["export_path"] = str(tmp_path / "out2" / "processed.jsonl")
    spec_file.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    with pytest.raises(OpError, match=r"a record without an integer '__dj__uid' \(.*input.jsonl:8\)"):
        run(spark, load(spec_file), say=lambda m: None)

    # on a DataFrame: the uid column ranks the copies, and the blocks are Spark partitions
    from sparkops.spark.fusion import stage_pass

    rows = [(r["id"], r["text"], r[corpus.UID]) for r in records if r["id"] in ("c4:0", "near:0", "c4:1", "copy:3",
                                                                                 "c4:3")]
    df = spark.createDataFrame(rows, f"id string, text string, {corpus.UID} long").repartition(4)
    out = stage_pass(df, ["document_minhash_deduplicator_with_uid"]).where("_keep").select("id").collect()
    assert sorted(r.id for r in out) == ["c4:1", "c4:3", "near:0"]  # near:0 has the smaller uid; c4:3 comes first
    for params, parts in (({"num_blocks": 2}, 2), ({"num_blocks": 3, "shuffle": True}, 3), ({"num_blocks": 6}, 6)):
        split = stage_pass(df, [{"ray_repartition_pipeline": params}])
        assert split.rdd.getNumPartitions() == parts
