"""Deduplication on real text: exact, near (MinHash, SimHash), line level, URL, reference tables, SQL."""

from __future__ import annotations

import json
import random
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sparkops.ops.dedup.minhash import optimal_bands, signatures
from sparkops.text.shingles import batch_shingle_hashes, jaccard, per_document_sets, shingle_hashes
from sparkops.ops.dedup.simhash import block_keys, fingerprints, hamming
from sparkops.core import OpError, bind

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def c4(c4_path):
    return [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]


def edit_words(text: str, rng: random.Random, frac: float) -> str:
    """Replace a fraction of the words with other words of the text (like ../shared/bench)."""
    words = text.split(" ")
    for _ in range(max(1, int(len(words) * frac))):
        words[rng.randrange(len(words))] = rng.choice(words)
    return " ".join(words)


# --------------------------------------------------------------------------- kernels (no Spark)


def test_band_layout_is_the_one_data_juicer_chooses():
    cases = json.loads((FIXTURES / "dj_minhash_params.json").read_text())["cases"]
    assert len(cases) == 32
    for c in cases:
        assert optimal_bands(c["threshold"], c["num_permutations"]) == (c["num_bands"], c["num_rows_per_band"]), c
    assert bind({"document_minhash_deduplicator": {}}).prepared["num_bands"] == 25  # t=0.7, K=256


def test_batch_shingles_equal_per_document_shingles(c4):
    texts = c4[:120] + ["", None, "one", "two words", "a b c d e", "  \n\t "]
    for tok in ("space", "punctuation", "character"):
        doc, h = batch_shingle_hashes(texts, tok, 5)
        sets = per_document_sets(doc, h, len(texts))
        for t, s in zip(texts, sets):
            assert np.array_equal(s, shingle_hashes(t, tok, 5) if t else np.zeros(0, np.uint64)), (tok, t)


def test_tokenization_ignores_line_breaks_and_space_runs_but_short_documents_stay_distinct(c4):
    text = c4[7]
    respaced = re.sub(r" ", "  ", text).replace("\n", "\n \n")
    assert np.array_equal(shingle_hashes(text), shingle_hashes(respaced))
    assert np.array_equal(shingle_hashes("Hello, World"), shingle_hashes("hello,   world"))
    # fewer tokens than window_size: one shingle each, different for different texts
    short = ["buy now", "call us today", "hello world", "hello world"]
    sets = [shingle_hashes(t) for t in short]
    assert all(len(s) == 1 for s in sets)
    assert jaccard(sets[0], sets[1]) == 0.0 and jaccard(sets[2], sets[3]) == 1.0
    assert len(shingle_hashes("   ")) == 0
    # punctuation tokenization: "word," and "word" are one token
    assert np.array_equal(shingle_hashes("a, b. c! d e", "punctuation"), shingle_hashes("a b c d e", "punctuation"))


def test_signatures_estimate_jaccard_without_bias_on_real_near_duplicates(c4):
    rng = random.Random(7)
    pairs = [(t, edit_words(t, rng, rng.choice([0.01, 0.05, 0.15]))) for t in c4[:200]]
    flat = [x for p in pairs for x in p]
    doc, h = batch_shingle_hashes(flat)
    sig, has = signatures(doc, h, len(flat), 256)
    sets = per_document_sets(doc, h, len(flat))
    err = np.array([np.mean(sig[2 * i] == sig[2 * i + 1]) - jaccard(sets[2 * i], sets[2 * i + 1])
                    for i in range(len(pairs))])
    assert has.all()
    assert abs(err.mean()) < 0.01 and err.std() < 0.04  # K=256: sd of an unbiased estimate ~0.03
    same, _ = signatures(*batch_shingle_hashes([c4[3], c4[3]]), 2, 256)
    assert np.array_equal(same[0], same[1])


@pytest.mark.parametrize("k", [256, 1024])  # uint8 ranks up to K = 256, uint16 above
def test_both_densification_paths_give_the_same_signatures(c4, monkeypatch, k):
    """Sparse documents take the rank path, dense ones the probing path: forcing every
    document through the probing path must not change a single value."""
    import sparkops.ops.dedup.minhash as mh

    texts = c4[:150] + ["Thanks!", "See you soon", "a b c d e f g", "x " * 12, "one two three four five six"]
    doc, h = batch_shingle_hashes(texts)
    n_filled = np.bincount(doc, minlength=len(texts))
    cut = mh._sparse_bins(k)
    assert (n_filled <= cut).sum() >= 5 and (n_filled > 2 * cut).sum() >= (100 if k == 256 else 10)
    sig, has = signatures(doc, h, len(texts), k)
    # the numpy code's two paths (the C kernel, where there is one, is compared with it in
    # tests/test_minhash_kernel.py)
    monkeypatch.setattr(mh, "_SPARSE_BLOCK", 1)  # one sparse document per block
    one_by_one, _ = mh._signatures_numpy(doc, h, len(texts), k)
    assert np.array_equal(sig[has], one_by_one[has])
    monkeypatch.setattr(mh, "_sparse_bins", lambda k: 0)
    probed, has2 = mh._signatures_numpy(doc, h, len(texts), k)
    assert np.array_equal(has, has2) and np.array_equal(sig[has], probed[has])
    # "Thanks!" has one shingle: every empty bin copies its one filled bin
    assert len(set(sig[len(texts) - 5].tolist())) == 1


def test_whitespace_is_the_unicode_whitespace_of_python():
    from sparkops.text.shingles import _IS_SPACE, _is_space

    ascii_points = np.arange(128, dtype=np.uint8)
    assert np.array_equal(_is_space(ascii_points), _IS_SPACE[:128])
    bmp = np.arange(0x10000, dtype=np.uint16)
    assert np.array_equal(_is_space(bmp), np.array([chr(c).isspace() for c in range(0x10000)]))
    wide = np.array([0x20, 0x3000, 0x1F600, 0x10FFFF, 0x85, 0x41], dtype=np.uint32)
    assert _is_space(wide).tolist() == [True, True, False, False, True, False]


def test_wrong_parameters_are_refused_by_name():
    with pytest.raises(OpError, match="sentencepiece"):
        bind({"document_minhash_deduplicator": {"tokenization": "sentencepiece"}})
    with pytest.raises(OpError, match="exceeds num_permutations"):
        bind({"document_minhash_deduplicator": {"num_bands": 30, "num_rows_per_band": 10}})
    with pytest.raises(OpError, match="ignore_pattern"):
        bind({"document_minhash_deduplicator": {"ignore_pattern": "(unclosed"}})
    with pytest.raises(OpError, match="jaccard_threshold"):
        bind({"document_minhash_deduplicator": {"jaccard_threshold": 1.5}})


def test_simhash_fingerprints_and_block_keys(c4):
    rng = random.Random(5)
    texts = c4[:100] + [edit_words(c4[0], rng, 0.01), c4[1].upper().replace(" ", "  "), "Buy now", "Call us today"]
    fp, has = fingerprints(*batch_shingle_hashes(texts, "space", 6), len(texts))
    assert has.all()
    assert hamming(fp[0], fp[100]) <= 6 and hamming(fp[1], fp[101]) == 0
    assert min(hamming(fp[i], fp[j]) for i in range(100) for j in range(i)) > 4  # distinct real documents
    assert hamming(fp[102], fp[103]) > 4  # distinct short texts do not collapse
    # pigeonhole: any two fingerprints within the distance share a block key
    rand = np.array([rng.getrandbits(64) for _ in range(300)], dtype=np.uint64)
    near = rand.copy()
    for i in range(len(near)):
        for b in rng.sample(range(64), rng.randint(0, 4)):
            near[i] ^= np.uint64(1 << b)
    ka, kb = block_keys(rand, 6, 4), block_keys(near, 6, 4)
    assert ((ka == kb).any(axis=1)).all()
    with pytest.raises(OpError, match="less than num_blocks"):
        bind({"document_simhash_deduplicator": {"hamming_distance": 6}})


# --------------------------------------------------------------------------- Spark




@pytest.mark.spark
@pytest.mark.parametrize("local_edges", [0, None], ids=["distributed rounds", "one task"])
def test_connected_components_match_union_find(spark, local_edges):
    from sparkops.spark.dedup.components import connected_components

    rng = random.Random(3)
    edges = [(i, i + 1) for i in range(100, 160)]  # a long chain: many rounds for naive propagation
    edges += [(rng.randrange(1000, 1400), rng.randrange(1000, 1400)) for _ in range(300)]
    edges += [(5000, 5000 + i) for i in range(1, 400)]  # a hot star
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    said = []
    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    expected = {}
    for node in {x for e in edges for x in e if e[0] != e[1]}:
        expected[node] = min(n for n in parent if find(n) == find(node))
    got = {r.node: r.component for r in
           connected_components(spark.createDataFrame(edges, "src long, dst long"), say=said.append,
                                local_edges=local_edges).collect()}
    assert got == expected
    assert ("one task" in said[0]) == (local_edges is None), said


def run_one_stage_job(spark, tmp_path, data, stage: str, op_line: str) -> None:
    """Run a job of one stage `stage` with one op over the JSONL file `data`, output in tmp_path/out."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: {stage}
        input: {{format: jsonl, path: {data}}}
        output: {{path: out}}
        stages:
          - name: {stage}
            process:
              - {op_line}
    """), encoding="utf-8")
    run(spark, load(spec), say=lambda m: None)


def _corpus(c4):
    """Real documents with injected copies: exact, re-spaced, lightly edited; distinct short notes."""
    rng = random.Random(11)
    rows = [{"text": t, "id": f"c4:{i}", "dup_of": None} for i, t in enumerate(c4)]
    for i in range(0, 300, 10):
        rows.append({"text": c4[i], "id": f"exact:{i}", "dup_of": f"c4:{i}"})
        rows.append({"text": c4[i + 1].replace(" ", "  ").replace("\n", "\n\n").upper(), "id": f"ws:{i + 1}",
                     "dup_of": f"c4:{i + 1}"})
        rows.append({"text": edit_words(c4[i + 2], rng, 0.01), "id": f"light:{i + 2}", "dup_of": f"c4:{i + 2}"})
    short = ["Thanks!", "See you soon", "Buy now", "Call us today", "Read more", "Hello world"]
    rows += [{"text": t, "id": f"short:{j}", "dup_of": None} for j, t in enumerate(short)]
    for n, r in enumerate(rows):
        r.update(_source="in.jsonl", _line=n)
    return rows


@pytest.mark.spark
@pytest.mark.parametrize("verify", [False, True])
def test_minhash_dedup_removes_copies_keeps_distinct_documents(spark, c4, verify):
    from sparkops.spark.fusion import stage_pass

    rows = _corpus(c4)
    df = spark.createDataFrame(rows, "text string, id string, dup_of string, _source string, _line long")
    op = {"document_minhash_deduplicator": {"verify": verify}}
    out = {r.id: r for r in stage_pass(df, [op], order_cols=["_source", "_line"]).collect()}
    removed = {i for i, r in out.items() if not r._keep}
    text = {r["id"]: r["text"] for r in rows}
    exact = {r["id"]: jaccard(shingle_hashes(r["text"]), shingle_hashes(text[r["dup_of"]]))
             for r in rows if r["dup_of"]}
    copies = {i for i, j in exact.items() if j >= 0.75}
    assert len(copies) >= 85 and copies <= removed  # exact, re-spaced + upper-cased and 1%-edited copies
    if verify:  # a copy below the threshold is not a duplicate: verification keeps it
        assert not {i for i, j in exact.items() if j < 0.7} & removed
    assert not any(out[r["dup_of"]]._keep is False for r in rows if r["dup_of"])  # originals come first
    assert all(out[f"short:{j}"]._keep for j in range(6))  # short distinct notes do not collapse
    line_of = {r["id"]: r["_line"] for r in rows}
    for r in rows:
        if r["id"] in copies:
            got = out[r["id"]]
            assert got._dropped_by == "document_minhash_deduplicator"
            assert got._duplicate_of == f"in.jsonl:{line_of[r['dup_of']]}"
            assert got._dup_jaccard >= (0.7 if verify else 0.5)
    natural = removed - set(exact)  # anything else removed must really be near-identical to its survivor
    assert all(out[i]._dup_jaccard >= 0.5 for i in natural)


@pytest.mark.spark
def test_verified_minhash_removes_only_copies_of_a_kept_document(spark, c4):
    """A chain v0 ~ v1 ~ v2 (each link J >= 0.7) with v0 and v2 far apart, and v3 an exact copy
    of v2: one cluster, but v2 is no copy of the kept v0, so it stays; v3 is a copy of v2 and
    goes. Without verification the whole chain collapses into v0."""
    from sparkops.spark.fusion import stage_pass

    base = max(c4, key=lambda t: len(t.split(" ")) if len(t.split(" ")) < 400 else 0).split(" ")
    filler = " ".join(c4[:50]).split(" ")
    n, cut = len(base), len(base) // 10  # links J ~ 0.8 (near-certain LSH candidates), ends ~ 0.67

    def replaced(words, start):
        return words[:start] + filler[start:start + cut] + words[start + cut:]

    v0 = base
    v1 = replaced(v0, 0)
    v2 = replaced(v1, n // 2)
    texts = {"v0": v0, "v1": v1, "v2": v2, "v3": v2}
    sets = {k: shingle_hashes(" ".join(v)) for k, v in texts.items()}
    assert jaccard(sets["v0"], sets["v1"]) >= 0.7 and jaccard(sets["v1"], sets["v2"]) >= 0.7
    assert jaccard(sets["v0"], sets["v2"]) < 0.7  # the chain's ends are not duplicates
    rows = [{"text": " ".join(v), "id": k, "_source": "in.jsonl", "_line": i}
            for i, (k, v) in enumerate(texts.items())]
    rows += [{"text": t, "id": f"c4:{i}", "_source": "in.jsonl", "_line": 10 + i} for i, t in enumerate(c4[:40])]
    df = spark.createDataFrame(rows, "text string, id string, _source string, _line long")

    def run(verify):
        op = {"document_minhash_deduplicator": {"verify": verify}}
        return {r.id: r for r in stage_pass(df, [op], order_cols=["_source", "_line"]).collect()}

    out = run(True)
    assert [k for k in texts if out[k]._keep] == ["v0", "v2"]
    assert out["v1"]._duplicate_of == "in.jsonl:0" and out["v1"]._dup_jaccard >= 0.7
    assert out["v3"]._duplicate_of == "in.jsonl:2" and out["v3"]._dup_jaccard == 1.0
    assert out["v1"]._dup_cluster == out["v3"]._dup_cluster  # one cluster, two kept documents
    assert all(out[f"c4:{i}"]._keep for i in range(40) if c4[i] != " ".join(base))
    unverified = run(False)
    assert [k for k in texts if unverified[k]._keep] == ["v0"]


@pytest.mark.spark
def test_simhash_dedup_removes_copies_keeps_distinct_documents(spark, c4):
    from sparkops.spark.fusion import stage_pass

    rows = _corpus(c4)
    df = spark.createDataFrame(rows, "text string, id string, dup_of string, _source string, _line long")
    out = {r.id: r for r in stage_pass(df, ["document_simhash_deduplicator"], order_cols=["_source", "_line"])
           .collect()}
    line_of = {r["id"]: r["_line"] for r in rows}
    for r in rows:
        if r["id"].startswith(("exact:", "ws:")):
            got = out[r["id"]]
            assert not got._keep and got._dropped_by == "document_simhash_deduplicator"
            assert got._duplicate_of == f"in.jsonl:{line_of[r['dup_of']]}" and got._dup_hamming == 0
    assert all(out[f"short:{j}"]._keep for j in range(6))
    assert all(out[r["dup_of"]]._keep for r in rows if r["dup_of"])
    assert sum(1 for r in out.values() if not r._keep) < 120  # no collapse of distinct documents


@pytest.mark.spark
def test_a_hot_bucket_of_thousands_of_copies_is_one_cluster(spark, c4):
    from sparkops.spark.fusion import stage_pass

    rows = [{"text": c4[0], "_source": "hot.jsonl", "_line": n} for n in range(4000)]
    rows += [{"text": t, "_source": "hot.jsonl", "_line": 4000 + n} for n, t in enumerate(c4[1:200])]
    df = spark.createDataFrame(rows, "text string, _source string, _line long").repartition(4)
    out = stage_pass(df, [{"document_minhash_deduplicator": {"verify": True}}], order_cols=["_source", "_line"])
    hot = out.where("_line < 4000")
    assert hot.where("_keep").count() == 1 and hot.where("_keep and _line = 0").count() == 1
    assert hot.where("not _keep").select("_dup_cluster").distinct().count() == 1
    assert out.where("_line >= 4000 and _keep").count() >= 195


@pytest.mark.spark
def test_minhash_dedup_as_a_job_step_writes_clusters_to_the_rejected_table(spark, tmp_path, c4):
    rows = _corpus(c4)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": r["text"], "id": r["id"]}) + "\n" for r in rows), encoding="utf-8")
    run_one_stage_job(spark, tmp_path, path, "near",
                      "document_minhash_deduplicator: {jaccard_threshold: 0.8, verify: true}")
    kept = spark.read.format("delta").load(str(tmp_path / "out" / "near"))
    rejected = spark.read.format("delta").load(str(tmp_path / "out" / "near_rejected"))
    assert not {"_dup_cluster", "_dup_jaccard", "_duplicate_of"} & set(kept.columns)
    assert kept.count() + rejected.count() == len(rows)
    ids = {json.loads(r._record)["id"] for r in rejected.collect()}
    assert {r["id"] for r in rows if r["dup_of"] and not r["id"].startswith("light")} <= ids
    assert rejected.where("_dup_jaccard < 0.8 or _dup_cluster is null").count() == 0


@pytest.mark.spark
def test_unverified_minhash_in_a_job_names_each_kept_copy_by_file_and_line(spark, tmp_path, c4):
    """Data-Juicer's default policy (first in input order) takes the labels' shortcut: the
    survivor's name is rebuilt from its id, so check it against the kept rows themselves."""
    rows = _corpus(c4)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": r["text"], "id": r["id"]}) + "\n" for r in rows), encoding="utf-8")
    run_one_stage_job(spark, tmp_path, path, "near", "document_minhash_deduplicator: {}")
    kept = spark.read.format("delta").load(str(tmp_path / "out" / "near")).collect()
    rejected = spark.read.format("delta").load(str(tmp_path / "out" / "near_rejected")).collect()
    name_to_id = {f"{r._source}:{r._line}": json.loads(r._record)["id"] for r in kept}
    assert rejected and all(r._duplicate_of in name_to_id for r in rejected)
    dup_of = {json.loads(r._record)["id"]: name_to_id[r._duplicate_of] for r in rejected}
    truth = {r["id"]: r["dup_of"] for r in rows}
    assert all(dup_of[i] == truth[i] for i in dup_of if i.startswith(("exact", "ws"))), dup_of
    assert {i for i in truth if i.startswith(("exact", "ws"))} <= set(dup_of)


@pytest.mark.spark
def test_near_dedup_in_plain_sql_with_the_sketch_functions(spark, c4):
    import sparkops

    sparkops.register(spark)
    rows = [(r["id"], r["text"]) for r in _corpus(c4)]
    spark.createDataFrame(rows, "id string, text string").createOrReplaceTempView("docs")
    text = dict(rows)
    sql_dir = Path(__file__).parents[1] / "sql"
    for name, ids_of in (("near_dedup_minhash.sql", "duplicate_id"), ("near_dedup_simhash.sql", "duplicate_id")):
        query = "\n".join(line for line in (sql_dir / name).read_text().splitlines() if not line.startswith("--"))
        found = spark.sql(query).collect()
        dup = {r[ids_of] for r in found}
        # the exact and the re-spaced, upper-cased copies (ids sort after every c4:<n>)
        assert {i for i in text if i.startswith(("exact:", "ws:"))} <= dup, name
        assert not {i for i in dup if i.startswith("short:")}, name
        assert all(r["first_similar_id"] < r["duplicate_id"] for r in found)
    sig = spark.sql("SELECT minhash_signature(text) AS s, simhash(text) AS h, minhash_bands(text, 0.7) AS b "
                    "FROM docs WHERE id = 'c4:0'").first()
    assert len(sig.s) == 256 and len(sig.b) == 25 and all(0 <= v < 2 ** 32 for v in sig.s)
    assert spark.sql("SELECT minhash_signature('   ') AS s, simhash('') AS h").first() == (None, None)


# --------------------------------------------------------------------------- reference table, line level


@pytest.mark.spark
@pytest.mark.parametrize("op", ["document_deduplicator", "document_minhash_deduplicator",
                                "document_minhash_deduplicator+verify", "document_simhash_deduplicator"])
def test_new_data_is_deduplicated_against_a_reference_table(spark, c4, tmp_path, op):
    from sparkops.spark.fusion import stage_pass

    op, _, verify = op.partition("+")
    params = {"reference": str(tmp_path / "yesterday"), **({"verify": True} if verify else {})}

    snapshot = tmp_path / "yesterday"
    spark.createDataFrame([(t,) for t in c4[:100]], "text string").write.format("delta").save(str(snapshot))
    rng = random.Random(2)
    new = [c4[5], c4[50].replace("\n", "\n\n"), c4[150], c4[151], c4[150]]  # 2 old, 2 new + a copy of a new one
    if op != "document_deduplicator":
        new.append(edit_words(c4[60], rng, 0.005))  # a near copy of an old one
    rows = [{"text": t, "_source": "today.jsonl", "_line": n} for n, t in enumerate(new)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long")
    out = {r._line: r for r in stage_pass(df, [{op: params}],
                                          order_cols=["_source", "_line"]).collect()}
    assert [out[n]._keep for n in range(5)] == [False, False, True, True, False]
    assert out[0]._duplicate_of == out[1]._duplicate_of == "reference"
    assert out[4]._duplicate_of == "today.jsonl:2"
    if op != "document_deduplicator":
        assert not out[5]._keep and out[5]._duplicate_of == "reference"
    assert len(out) == len(new)  # reference documents are never part of the output


@pytest.mark.spark
def test_line_dedup_removes_boilerplate_spans_after_their_first_documents(spark, c4):
    from sparkops.spark.fusion import stage_pass

    boiler = "Share this page: Twitter | Facebook | Email"
    texts = [f"{c4[i]}\n{boiler}" for i in range(20)] + [boiler, f"{c4[20]}\n}}\n}}", f"{c4[21]}\n}}"]
    rows = [{"text": t, "_source": "in.jsonl", "_line": n} for n, t in enumerate(texts)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long")
    out = {r._line: r for r in stage_pass(df, ["line_deduplicator"], order_cols=["_source", "_line"]).collect()}
    assert out[0].text == texts[0]  # the first document keeps its copy
    # later ones lose it (and only real repeats: each still starts with its own first line)
    assert all(out[n]._keep and boiler not in out[n].text and out[n].text.startswith(c4[n].split("\n")[0])
               for n in range(1, 20))
    assert not out[20]._keep and out[20]._dropped_by == "line_deduplicator"  # nothing left: dropped
    assert out[21].text == texts[21]  # repeats inside the first document that has a span stay
    assert "}" not in out[22].text.split("\n")  # a later document loses it
    two = {r._line: r for r in stage_pass(df, [{"line_deduplicator": {"max_occurrences": 2, "min_length": 5}}],
                                          order_cols=["_source", "_line"]).collect()}
    assert boiler in two[1].text and boiler not in two[2].text
    assert two[22].text == texts[22]  # '}' is shorter than min_length: never removed


def test_url_normalisation():
    from sparkops.ops.dedup.urls import url_key

    same = ["https://WWW.Example.com:443/a/b/?utm_source=x&b=2&a=1#top", "http://example.com/a/b?a=1&b=2",
            "http://example.com/a/%62?b=2&a=1&fbclid=Z"]
    assert len({url_key(u) for u in same}) == 1
    assert url_key("http://example.com/a?b=1") != url_key("http://example.com/a?b=2")
    assert url_key("http://example.com:8080/") == "http://example.com:8080"
    assert url_key("  ") is None and url_key(None) is None and url_key("http://[::1") is None
    assert url_key("HTTP://Example.com/A", normalize=False) == "HTTP://Example.com/A"


@pytest.mark.spark
def test_url_dedup_in_a_job_reads_the_url_field_of_the_records(spark, c4, tmp_path):
    urls = ["https://www.example.com/post/1", "http://example.com/post/1/?utm_medium=mail",
            "https://example.com/post/2", None, None, "https://example.com/post/1#comments"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": c4[i], "url": u}) + "\n" for i, u in enumerate(urls)),
                    encoding="utf-8")
    run_one_stage_job(spark, tmp_path, path, "urls", "url_deduplicator:")
    kept = sorted(r._line for r in spark.read.format("delta").load(str(tmp_path / "out" / "urls")).collect())
    rejected = {r._line: r._duplicate_of for r in
                spark.read.format("delta").load(str(tmp_path / "out" / "urls_rejected")).collect()}
    assert kept == [1, 3, 4, 5] and rejected == {2: f"{path}:1", 6: f"{path}:1"}  # lines are 1-based


@pytest.mark.spark
def test_keep_and_order_by_choose_the_surviving_copy(spark, c4, tmp_path):
    """`order_by: -crawled` keeps the newest copy (a record field in a job, numbers compared as
    numbers); `keep: longest` keeps the longest near copy; Data-Juicer's input order otherwise."""
    from sparkops.spark.fusion import stage_pass

    crawled = [9, 10, None, 2]  # as text "10" < "9": a number field must rank as a number
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": c4[7], "crawled": c}) + "\n" for c in crawled)
                    + json.dumps({"text": c4[8], "crawled": 1}) + "\n", encoding="utf-8")
    run_one_stage_job(spark, tmp_path, path, "exact", "document_deduplicator: {order_by: '-crawled'}")
    kept = sorted(r._line for r in spark.read.format("delta").load(str(tmp_path / "out" / "exact")).collect())
    rejected = {r._line: r._duplicate_of for r in
                spark.read.format("delta").load(str(tmp_path / "out" / "exact_rejected")).collect()}
    assert kept == [2, 5] and rejected == {1: f"{path}:2", 3: f"{path}:2", 4: f"{path}:2"}

    longer = c4[20] + "\n\nShare this post with your friends and family today."
    rows = [{"text": t, "n": n, "_source": "in.jsonl", "_line": n}
            for n, t in enumerate([c4[20], longer, c4[21]])]
    df = spark.createDataFrame(rows, "text string, n long, _source string, _line long")
    for params, survivor in (({}, 0), ({"keep": "longest"}, 1), ({"order_by": "-n"}, 1)):
        for verify in (False, True):  # verified: the ranked greedy choice, or ids as ranks
            out = {r._line: r for r in stage_pass(df, [{"document_minhash_deduplicator": {**params, "verify": verify}}],
                                                  order_cols=["_source", "_line"]).collect()}
            assert [n for n in range(3) if out[n]._keep] == sorted({survivor, 2}), (params, verify)
            assert out[1 - survivor]._duplicate_of == f"in.jsonl:{survivor}"
    with pytest.raises(OpError, match="order_by.*no column or record field 'missing'"):
        stage_pass(df, [{"document_deduplicator": {"order_by": "missing"}}], order_cols=["_source", "_line"])


@pytest.mark.spark
def test_near_dedup_of_two_50_mb_documents_in_a_job(spark, tmp_path, shared_data, c4):
    """Two 50 MB copies among real documents: the job runs to the end (it ran out of a 4 GB heap
    while the dedup's rows were cached in memory) and removes the second copy."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    words = (shared_data / "web" / "wiki_sample.txt").read_text(encoding="utf-8")
    big = (words * (50_000_000 // len(words) + 1))[:50_000_000]
    data = tmp_path / "in.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for record in [{"text": big, "id": "big"}, *({"text": t, "id": f"c{i}"} for i, t in enumerate(c4)),
                       {"text": big, "id": "big2"}]:
            f.write(json.dumps(record) + "\n")
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: big
        input: {{format: jsonl, path: {data}}}
        output: {{path: out}}
        stages:
          - name: clean
            process: [whitespace_normalization_mapper]
          - name: dedup
            process:
              - document_minhash_deduplicator: {{verify: true}}
    """), encoding="utf-8")
    result = run(spark, load(spec), say=lambda m: None)
    assert [(s.rows_in, s.rows_out) for s in result.stages] == [(302, 302), (302, 301)]
    (gone,) = spark.read.format("delta").load(str(tmp_path / "out" / "dedup_rejected")).collect()
    assert json.loads(gone._record)["id"] == "big2" and gone._duplicate_of == f"{data}:1"
    assert gone._dup_jaccard == 1.0


def _python_passes(node) -> int:
    """Python operator nodes of an executed plan, not counting those inside persisted rows
    (an InMemoryTableScan is a leaf: what it caches is computed once). Adaptive execution's
    root is a leaf too: the plan it runs is its inputPlan."""
    name = node.nodeName()
    if name == "AdaptiveSparkPlan":
        return _python_passes(node.inputPlan())
    own = int(any(k in name for k in ("Python", "ArrowEval", "MapInArrow", "MapInPandas")))
    children = node.children()
    return own + sum(_python_passes(children.apply(i)) for i in range(children.size()))


@pytest.mark.spark
def test_a_stage_pass_runs_its_ops_once_and_its_scope_releases_what_it_persisted(spark, c4):
    """Filters before a deduplicator: each op's output is read twice (the rows it removed,
    and the next op's input or the kept rows). Each is persisted once, so no Python pass runs
    twice, and the deduplicator, which sees persisted rows, keeps no copy of its own: two
    copies in all. Leaving ``caching.released_after`` unpersists them; the rows are those
    of the unscoped pass."""
    from sparkops.spark import caching
    from sparkops.spark.fusion import stage_pass

    rows = _corpus(c4)
    df = spark.createDataFrame(rows, "text string, id string, dup_of string, _source string, _line long")
    process = [{"text_length_filter": {"min_len": 300}}, "document_minhash_deduplicator"]
    spark.catalog.clearCache()
    cache = spark._jsparkSession.sharedState().cacheManager()
    with caching.released_after() as held:
        out = stage_pass(df, process, order_cols=["_source", "_line"])
        got = sorted((r.id, r._keep, r._dropped_by) for r in out.collect())
        assert _python_passes(out._jdf.queryExecution().executedPlan()) == 0
        assert len(held) == 2 and not cache.isEmpty()
    assert cache.isEmpty()
    dropped = {d for _, _, d in got}
    assert {"text_length_filter", "document_minhash_deduplicator", None} <= dropped
    plain = stage_pass(df, process, order_cols=["_source", "_line"])  # no scope: persisted till the session ends
    assert sorted((r.id, r._keep, r._dropped_by) for r in plain.collect()) == got
    spark.catalog.clearCache()


def test_a_scope_releases_its_rows_when_the_block_fails(spark):
    from sparkops.spark import caching

    spark.catalog.clearCache()
    cache = spark._jsparkSession.sharedState().cacheManager()
    with pytest.raises(RuntimeError, match="gate failed"):
        with caching.released_after():
            caching.persist(spark.range(10)).count()
            assert not cache.isEmpty()
            raise RuntimeError("gate failed")
    assert cache.isEmpty()


def test_rows_are_read_again_only_when_that_is_a_plain_deterministic_file_scan(spark, c4, tmp_path):
    """A file scan with filters and projections is parsed again instead of persisted; rows
    that a Python UDF, a shuffle or a random column made are persisted, since reading them
    again would run the UDF again or, for rand(), give other rows."""
    from pyspark.sql import functions as F

    from sparkops.spark.dedup.near import _cheap_to_reread
    from sparkops.spark.functions import column_function

    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in c4[:50]))
    df = spark.read.schema("text string").json(str(path))
    assert _cheap_to_reread(df)
    assert _cheap_to_reread(df.where(F.length("text") > 100).select("text"))
    assert not _cheap_to_reread(df.select(column_function("alnum_ratio")("text"), "text"))
    assert not _cheap_to_reread(df.withColumn("r", F.rand()))
    assert not _cheap_to_reread(df.repartition(4))
