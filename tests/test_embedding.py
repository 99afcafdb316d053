"""Embeddings from the wordllama package: the pooling, text_embd_similarity_filter against what
Data-Juicer's own class computed (tests/fixtures/dj_embd_similarity.json), and
semantic_deduplicator (NeMo Curator's method) on real text with planted copies."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from sparkops.core import OpError, bind
from sparkops.models import embedding
from sparkops.models.embedding import embed
from sparkops.ops.dedup import semantic
from sparkops.text.doc import Doc

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def c4(c4_path):
    return [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]


def _wordllama_embed(texts):
    """wordllama's own pooling (its ``embed``), over the same two files."""
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
        table = f.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer).embed(texts, norm=True)


def test_pooling_equals_wordllamas_embed_and_bad_texts_have_none(c4):
    ours, has = embed(c4[:120] + ["", None, 7])
    assert has[:120].all() and not has[120:].any()
    assert np.abs(ours[:120] - _wordllama_embed(c4[:120])).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours[:120], axis=1), 1.0, atol=1e-5) and not ours[120:].any()


def test_a_huge_text_is_tokenized_in_parts_into_the_same_tokens(c4, monkeypatch):
    from sparkops.ops.quality.token_num import tokenizer, tokenizer_file

    tok = tokenizer(tokenizer_file("wordllama", "test"))

    def ids(text):
        return tok.encode_batch_fast([text], add_special_tokens=False)[0].ids

    for text in ("\n\n".join(c4), "  ".join(c4[:100]), "\t".join(c4[:50]) + " ", " x" + "y" * 30_000 + " z w"):
        parts = embedding.pieces(text, 1000)
        assert [i for p in parts for i in ids(p)] == ids(text) and len(parts) > 1
    big = " ".join(c4 * 3)
    whole, _ = embed([big])
    counted = bind({"token_num_filter": {}}).compute([Doc(big)])["num_token"]
    monkeypatch.setattr(embedding, "PIECE_CHARS", 20_000)
    monkeypatch.setattr(embedding, "_TOKENS_PER_STEP", 1000)
    import sparkops.ops.quality.token_num as token_num

    monkeypatch.setattr(token_num, "PIECE_CHARS", 20_000)
    parted, has = embed([big])
    assert has[0] and np.abs(whole[0] - parted[0]).max() < 1e-6
    assert bind({"token_num_filter": {}}).compute([Doc(big)])["num_token"] == counted


def test_text_embd_similarity_matches_data_juicer_statistics_and_keeps():
    fixture = json.loads((FIXTURES / "dj_embd_similarity.json").read_text(encoding="utf-8"))
    with open(Path(__file__).parents[1] / "data" / "c4_sample.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line)["text"] for line in f][:24]
    for case in fixture["cases"]:
        b = bind({"text_embd_similarity_filter": {"api_or_hf_model": "wordllama", "valid_dataset": case["valid"],
                                                  **case["params"]}})
        stats = b.compute([Doc(t) for t in rows])["text_embd_similarity"]
        want = [r["stat"] for r in case["rows"]]
        assert np.allclose(stats, want, atol=1e-5), case["params"]
        assert [b.keep({"text_embd_similarity": s}) for s in stats] == [r["keep"] for r in case["rows"]]
        assert len(set(r["keep"] for r in case["rows"])) == 2 or case["params"].get("reversed_range")


@pytest.mark.parametrize("params, message", [
    ({}, "text-embedding-v4"),
    ({"api_or_hf_model": "wordllama"}, "give valid_dataset"),
    ({"api_or_hf_model": "bge-m3", "valid_dataset": [{"text": "a"}]}, "unknown embedding model"),
    ({"api_or_hf_model": "wordllama", "is_hf_model": True, "valid_dataset": [{"text": "a"}]}, "is_hf_model"),
    ({"api_or_hf_model": "wordllama", "valid_dataset": [{"query": "a"}]}, "has no field 'text'"),
    ({"api_or_hf_model": "wordllama", "valid_dataset": "text"}, "must be a list of records"),
    ({"api_or_hf_model": "wordllama", "valid_dataset": [{"text": "a"}], "input_template": "{text} {title}"},
     "may name only the row's text"),
    ({"api_or_hf_model": "wordllama", "valid_file": "/nonexistent/valid.jsonl"}, "not found"),
])
def test_wrong_parameters_are_refused_with_the_reason(params, message):
    with pytest.raises(OpError, match=message):
        bind({"text_embd_similarity_filter": params})


def test_valid_file_and_messages_records_give_the_same_centre(tmp_path, c4):
    path = tmp_path / "valid.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in c4[:3]), encoding="utf-8")
    from_file = bind({"text_embd_similarity_filter": {"api_or_hf_model": "wordllama", "valid_file": str(path)}})
    as_messages = bind({"text_embd_similarity_filter": {"api_or_hf_model": "wordllama", "valid_dataset": [
        {"messages": [{"role": "user", "content": t}]} for t in c4[:3]]}})
    a = from_file.compute([Doc(t) for t in c4[10:20]])["text_embd_similarity"]
    b = as_messages.compute([Doc(t) for t in c4[10:20]])["text_embd_similarity"]
    assert a == b and len(set(a)) == 10


def test_within_cluster_removal_is_nemos_upper_triangle_rule():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(400, 24)).astype(np.float32)
    v[[50, 200]] = v[7] + rng.normal(scale=0.01, size=(2, 24))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    upper = np.triu(v @ v.T, 1)
    for block in (1 << 24, 1000):  # one block, and many
        semantic._BLOCK_CELLS = block
        score, lead = semantic.earlier_max(v)
        assert np.allclose(score, np.maximum(upper.max(axis=0), 0), atol=1e-6)
        assert list(lead[[50, 200]]) == [7, 7]
    semantic._BLOCK_CELLS = 1 << 24
    ids = np.arange(400, dtype=np.int64)
    for which, kept in (("first", 7), ("hard", None), ("easy", None)):
        gone, leads, scores = semantic.cluster_removals(ids, v, v.mean(axis=0), {
            "sim_metric": "cosine", "which_to_keep": which, "eps": 0.01})
        assert sorted(gone.tolist() + [kept or ({7, 50, 200} - set(gone.tolist())).pop()]) == [7, 50, 200]
        assert (scores >= 0.99).all()


def _planted(c4):
    """The 300 documents, then copies of 40 of them: re-spaced and upper-cased, 1% of words edited,
    a navigation line put in front."""
    rng = random.Random(5)
    rows = [{"text": t, "id": f"c4:{i}", "dup_of": None} for i, t in enumerate(c4)]
    for i in range(0, 120, 3):
        words = c4[i].split(" ")
        for _ in range(max(1, len(words) // 100)):
            words[rng.randrange(len(words))] = rng.choice(words)
        variant = [c4[i].replace(" ", "  ").upper(), " ".join(words), "Home | About | Contact\n" + c4[i]][i % 9 // 3]
        rows.append({"text": variant, "id": f"copy:{i}", "dup_of": f"c4:{i}"})
    rows.append({"text": "", "id": "empty", "dup_of": None})
    for n, r in enumerate(rows):
        r.update(_source="in.jsonl", _line=n)
    return rows


@pytest.mark.spark
def test_semantic_dedup_removes_planted_copies_and_equals_the_direct_computation(spark, c4):
    from sparkops.spark.fusion import stage_pass

    rows = _planted(c4)
    df = spark.createDataFrame(rows, "text string, id string, dup_of string, _source string, _line long")
    line = {r["id"]: r["_line"] for r in rows}

    def run(**params):
        op = {"semantic_deduplicator": {"which_to_keep": "first", **params}}
        return {r.id: r for r in stage_pass(df, [op], order_cols=["_source", "_line"]).collect()}

    # one cluster: NeMo's rule over every pair, computed here directly from the same embeddings
    out = run(n_clusters=1)
    vectors, has = embed([semantic.embedding_input(r["text"], True) for r in rows])
    upper = np.triu(vectors[has] @ vectors[has].T, 1)
    ids = [r["id"] for r, h in zip(rows, has) if h]
    expected = {ids[j]: ids[int(upper[:, j].argmax())] for j in range(len(ids)) if upper[:, j].max() >= 0.99}
    removed = {i: r for i, r in out.items() if not r._keep}
    assert set(removed) == set(expected) and out["empty"]._keep
    for i, r in removed.items():
        assert r._dropped_by == "semantic_deduplicator" and r._dup_cluster == 0 and r._dup_cosine >= 0.99
        assert r._duplicate_of == f"in.jsonl:{line[expected[i]]}"
    copies = [r for r in rows if r["dup_of"]]
    # every re-spaced / upper-cased copy, and nearly every edited or prefixed one, is found
    assert sum(r["id"] in removed for r in copies) >= len(copies) - 4
    assert not any(i.startswith("c4:") for i in removed)  # the originals are distinct documents

    # k-means clusters: duplicates share a cluster, so the same copies go
    clustered = run(n_clusters=12)
    assert {i for i, r in clustered.items() if not r._keep} == set(removed)
    assert len({r._dup_cluster for r in clustered.values() if not r._keep}) > 1


@pytest.mark.spark
def test_text_embedding_and_similarity_in_sql(spark, c4, tmp_path):
    path = tmp_path / "valid.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in c4[:4]), encoding="utf-8")
    spark.createDataFrame([(t,) for t in c4[:4] + c4[100:104]], "text string").createOrReplaceTempView("docs")
    got = spark.sql(f"""SELECT text_embd_similarity(text, 'wordllama', '{path}') AS sim,
                               aggregate(zip_with(text_embedding(text), text_embedding(upper(text)), (a, b) -> a * b),
                                         0D, (acc, x) -> acc + x) AS self_cos,
                               cardinality(text_embedding(text)) AS dim FROM docs""").collect()
    sims = [r.sim for r in got]
    assert min(sims[:4]) > max(sims[4:])  # the validation texts themselves are the most similar
    assert all(abs(r.self_cos - 1) < 1e-5 and r.dim == 256 for r in got)
    assert spark.sql(f"SELECT text_embd_similarity('', 'wordllama', '{path}') AS s").first().s is None
