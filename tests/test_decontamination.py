"""``task_decontamination_mapper`` against NeMo Curator's ``TaskDecontamination`` itself.

``tests/fixtures/nemo_decontamination.json.gz`` holds what NeMo Curator v0.8.0's own methods
gave (``tools/nemo_parity/gen_decontamination_fixture.py``) on ``tests/decontamination_corpus``:
the 300 C4 documents of ``data/`` and C4 documents with GSM8K test items planted in them,
against GSM8K test's questions and answers, under three parameter sets.
"""

from __future__ import annotations

import gzip
import json
import string
import time
from collections import Counter
from pathlib import Path

import pytest

import decontamination_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.core.row import DROPPED_BY, KEEP, ORDER
from sparkops.text import decontamination as dc

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "nemo_decontamination.json.gz"
NEMO = json.loads(gzip.decompress(FIXTURE.read_bytes()))
C4 = Path(__file__).resolve().parents[1] / "data" / "c4_sample.jsonl"
OP = "task_decontamination_mapper"


@pytest.fixture(scope="module")
def gsm8k(shared_data) -> Path:
    return shared_data / "sft" / "gsm8k_test.jsonl"


@pytest.fixture(scope="module")
def docs(shared_data, gsm8k) -> list[dict]:
    out = corpus.documents(C4, gsm8k, shared_data / "sft" / "gsm8k_test_socratic.jsonl")
    assert corpus.corpus_sha256(out) == NEMO["corpus_sha256"], "the corpus is not the one NeMo ran on"
    return out


@pytest.fixture(scope="module")
def table(gsm8k) -> dc.TaskTable:
    return dc.TaskTable().add("gsm8k_test", corpus.task_texts(gsm8k))


def _params(cfg: dict) -> dict:
    return {"n": cfg.get("max_ngram_size", 13), "each_side": cfg.get("remove_char_each_side", 200),
            "min_len": cfg.get("min_document_length", 200), "max_splits": cfg.get("max_splits", 10),
            "max_matches": cfg.get("max_matches", 10)}


def _decode(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_task_ngrams_are_nemos(table):
    assert len(table.ngrams) == NEMO["task_ngram_count"]
    for cfg in NEMO["configs"].values():
        assert list(table.lengths) == cfg["lengths"]


@pytest.mark.parametrize("config", sorted(NEMO["configs"]))
def test_whole_algorithm_gives_nemos_documents(docs, table, config):
    """Counting pass, max_matches threshold, removal, max_splits: every document's pieces (or its
    absence) as NeMo's own methods gave them."""
    cfg = NEMO["configs"][config]
    p = _params(cfg["kwargs"])
    counts = Counter()
    for d in docs:
        counts.update(dc.hits(d["text"], table, p["n"]))
    assert dict(counts) == cfg["counts"]
    removable = sorted(g for g, c in counts.items() if c <= p["max_matches"])
    assert removable == cfg["removable"]
    restricted = table.restricted(removable)
    for d in docs:
        cleaned = dc.remove(d["text"], restricted, p["n"], p["each_side"], p["min_len"])
        expected = cfg["pieces"].get(d["id"])
        if expected is None:
            assert dc.verdict(cleaned, p["max_splits"]) is not None, d["id"]
        else:
            assert dc.verdict(cleaned, p["max_splits"]) is None, d["id"]
            assert cleaned.pieces == _decode(d["text"], expected), d["id"]


@pytest.mark.parametrize("config", sorted(NEMO["configs"]))
def test_per_row_kernel_gives_nemos_pieces(docs, gsm8k, config):
    """NeMo's ``_remove_ngrams`` against every task n-gram (no corpus counts): the op's ``expand``."""
    cfg = NEMO["configs"][config]
    kw = cfg["kwargs"]
    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"], **_op_params(kw)}})
    got = bound.expand([d["text"] for d in docs])
    for d, pieces in zip(docs, got):
        theirs = _decode(d["text"], cfg["per_row_pieces"][d["id"]])
        if 1 <= len(theirs) <= kw.get("max_splits", 10):
            assert pieces == theirs, d["id"]
        else:
            assert pieces == [], d["id"]


def _op_params(kw: dict) -> dict:
    return {k: v for k, v in kw.items() if k != "max_matches"}


def test_planted_gsm8k_is_caught_and_clean_text_untouched(docs, gsm8k):
    """Questions (plain or from the socratic file, same questions) are always caught; clean C4
    documents come out as themselves; socratic answers (rewritten) are caught only in part."""
    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"]}})
    table = bound.prepared["table"]
    caught = Counter()
    for d in docs:
        cleaned = dc.remove(d["text"], table)
        if not d["planted"]:
            assert cleaned.matched == [] and cleaned.pieces == [d["text"]], d["id"]
            continue
        kind = d["planted"][0].split(":")[0]
        caught[kind, bool(cleaned.matched)] += 1
        if d["id"].startswith("one-") and kind in ("question", "socratic_question", "question+answer"):
            assert cleaned.matched, d["id"]
            assert all(table.ngrams[g] == "gsm8k_test" for g in cleaned.matched)
    assert caught["socratic_answer", True] > 0 and caught["answer", True] > 0


def test_cuts_are_sentence_ends_each_side_of_the_hit(gsm8k):
    """Before the hit: up to the last '.!?' at or before hit - 200; after: from past the first
    one at or after hit end + 200; pieces of exactly min_document_length characters go."""
    question = json.loads(gsm8k.read_text().splitlines()[0])["question"]
    filler = "".join(f"filler words number {i:03d} here." + " " * 5 for i in range(30))  # '.' every 35
    text = filler + question + " " + filler
    table = dc.TaskTable().add("t", [question])
    cleaned = dc.remove(text, table, min_document_length=0)
    # NeMo's offsets are in the text without punctuation: the filler's 30 periods shift the hit
    hit = len(filler) - sum(c in string.punctuation for c in filler)
    seq = cleaned.matched[0]
    assert text[len(filler):].lower().startswith(seq.split(" ")[0])
    last = max(i for i in range(hit - 200 + 1) if text[i] in ".!?")
    first_after = min(i for i in range(hit + len(seq) + 200, len(text)) if text[i] in ".!?")
    assert cleaned.pieces == [text[:last + 1], text[first_after + 1:]]
    # a piece is kept only when longer than min_document_length
    assert dc.remove(text, table, min_document_length=last + 1).pieces == [text[first_after + 1:]]
    assert dc.remove(text, table, min_document_length=last).pieces[0] == text[:last + 1]


def test_punctuation_before_a_hit_shifts_the_cut_as_nemo_does():
    """NeMo's word offsets are offsets in the text without punctuation, applied to the text."""
    task = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu"
    table = dc.TaskTable().add("t", [task])
    plain = "x. " + "a " * 150 + task + " tail" + "." * 1
    commas = "x. " + "a, " * 150 + task + " tail."
    p1 = dc.remove(plain, table, each_side=0, min_document_length=0).pieces
    p2 = dc.remove(commas, table, each_side=0, min_document_length=0).pieces
    assert p1 == ["x."] and p2 == ["x."]  # both cut back to the only sentence end
    _, pos = dc.words(commas)
    assert pos[151] == commas.index("alpha") - 151  # 150 commas and a period deleted before the hit


def test_exact_offsets_cut_around_the_hit_itself(gsm8k):
    """exact_offsets (sparkops): the same sentence-end rule, from the hit's own first and last
    characters; the huge text then gives two pieces, not NeMo's drifting cascade."""
    question = json.loads(gsm8k.read_text().splitlines()[0])["question"]
    filler = "".join(f"Filler, words; number {i:03d} here!" + " " * 5 for i in range(30))
    text = filler + question + " " + filler
    table = dc.TaskTable().add("t", [question])
    hit = len(filler)
    last = max(i for i in range(hit - 200 + 1) if text[i] in ".!?")
    cleaned = dc.remove(text, table, min_document_length=0, exact=True)
    assert cleaned.pieces[0] == text[:last + 1]
    assert question not in "".join(cleaned.pieces) and text.endswith(cleaned.pieces[-1])
    nemo = dc.remove(text, table, min_document_length=0)
    assert len(nemo.pieces[0]) < len(cleaned.pieces[0])  # NeMo's cut is 90 punctuation marks early
    body = "This is an ordinary sentence of filler text. " * 45_000
    huge = body + question + " " + body
    pieces = dc.remove(huge, table, exact=True).pieces
    assert len(pieces) == 2 and question not in "".join(pieces)
    cut = len(body) - 200
    assert pieces[0] == body[:body.rindex(".", 0, cut + 1) + 1]
    assert huge.endswith(pieces[1]) and len(body) - len(pieces[1]) < 300
    assert bind({OP: {"task_texts": question, "exact_offsets": True}}).expand([huge]) == [pieces]


def test_original_offset():
    text = "A, b. İx c!"
    norm = text.lower().translate(str.maketrans("", "", string.punctuation))
    for k, ch in enumerate(norm):
        j = dc.original_offset(text, k)
        assert text[j].lower().translate(str.maketrans("", "", string.punctuation)).startswith(ch) or \
            ch in text[j].lower()
    assert dc.original_offset("a,b", 1) == 2 and dc.original_offset("a,b", 5) == 3


def test_too_many_pieces_drop_the_document(docs, table, gsm8k):
    """12 questions planted in a long text: 13 pieces, more than max_splits (10); the texts whose
    plants lie close together lose everything instead."""
    many = [d for d in docs if d["id"].startswith("many-")]
    verdicts = Counter()
    for d in many:
        cleaned = dc.remove(d["text"], table)
        verdicts[dc.verdict(cleaned, 10)] += 1
        if len(cleaned.pieces) > 10:
            assert dc.verdict(cleaned, 10) == "too_many_splits"
            assert dc.verdict(cleaned, len(cleaned.pieces)) is None
            assert d["id"] not in NEMO["configs"]["default"]["pieces"]
    assert verdicts["too_many_splits"] >= 3
    many = [d for d in many if len(dc.remove(d["text"], table).pieces) > 10]
    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"], "max_splits": 100}})
    assert all(len(pieces) > 10 for pieces in bound.expand([d["text"] for d in many]))
    assert dc.verdict(dc.Cleaned([], ["g"]), 10) == "no_pieces"


def test_short_task_texts_give_one_ngram_of_their_own_length():
    short = "the quick brown fox jumps over the lazy dog"  # 9 words: one 9-gram
    table = dc.TaskTable().add("t", [short, "too short to count here ok"])  # 6 words: none
    assert table.ngrams == {short: "t"} and table.lengths == (9,)
    pad = "one two three four five six seven eight nine ten eleven twelve"
    hit = dc.remove(f"{pad}. {short.upper()}! {pad}.", table, each_side=0, min_document_length=0)
    assert hit.matched == [short] and hit.pieces == [f"{pad}.", f" {pad}."]
    # NeMo never searches a text of fewer than max_ngram_size (13) words, nor a 9-gram that starts
    # after the first word of a text of exactly 13 words
    assert dc.remove(f"a b c d {short}", table).matched == []
    assert dc.remove(f"{short} a b c d", table).matched == [short]
    # the op's task_min_ngram_size / task_max_ngram_size are NeMo DownstreamTask's two sizes
    bound = bind({OP: {"task_texts": "too short to count here ok", "task_min_ngram_size": 6}})
    assert bound.prepared["table"].lengths == (6,)
    # as in NeMo, a minimum above the maximum is allowed: texts of 8+ words give 5-word windows
    bound = bind({OP: {"task_texts": short, "task_max_ngram_size": 5}})
    assert bound.prepared["table"].lengths == (5,) and len(bound.prepared["table"].ngrams) == 5


def test_words_are_nemos():
    # spaces only split words; newlines stay inside (stripped at a word's ends); punctuation goes
    assert dc.words("Hello, World!\nNext  one") == (["hello", "world\nnext", "one"], [0, 6, 18])
    assert dc.words("  a b") == (["a", "b"], [2, 4])
    assert dc.words("") == ([], []) and dc.words("...") == ([], [])
    # a first word that strips to nothing: NeMo drops the word and keeps its position
    assert dc.words("\n a b") == (["a", "b"], [0, 2, 4])


def test_bad_input(gsm8k):
    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"]}})
    assert bound.expand(["", " ", "Short."]) == [[""], [" "], ["Short."]]
    question = json.loads(gsm8k.read_text().splitlines()[0])["question"]
    body = "This is an ordinary sentence of filler text. " * 45_000  # ~2 MB
    huge = body + question + " " + body
    start = time.perf_counter()
    (pieces,) = bound.expand([huge])
    assert time.perf_counter() - start < 60
    assert question not in "".join(pieces) and pieces[0] == body[:len(pieces[0])]
    # NeMo's offsets lag by the 45,000 periods before the hit: the first cut falls that far before
    # it, and the piece after it, rescanned, is cut again (more pieces than the two one expects)
    assert len(body) - 45_000 - 200 - len(pieces[0]) < 50 and len(pieces) > 2
    with pytest.raises(OpError, match="task_files.*or task_texts"):
        bind({OP: {}})
    with pytest.raises(OpError, match="cannot read"):
        bind({OP: {"task_files": "/nonexistent/bench.jsonl"}})
    with pytest.raises(OpError, match="'max_splits' must be >= 0"):
        bind({OP: {"task_texts": "x", "max_splits": -1}})


# ---------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def frame(spark, docs):
    rows = [(d["id"], d["text"]) for d in docs] + [("null-0", None)]
    return spark.createDataFrame(rows, "id string, text string").repartition(3)


@pytest.mark.spark
def test_sql_words_are_the_kernels_on_ascii_text(spark, docs, table):
    """The join's SQL tokenizer gives the kernel's windows wherever it is used (ASCII text)."""
    from sparkops.spark.decontamination import sql_windows, windows

    edge = ["\n a b c d e f g h i j k l m n o", " \n a b c d e f g h i j k l m n o", "A.\tB, c d-e f g h i j k l m n",
            "x \x1c y z a b c d e f g h i j k", "", "   ", "a b c", "\x00 a b c d e f g h i j k l m n"]
    texts = [d["text"].encode("ascii", "replace").decode() for d in docs[:200]] + edge
    assert all(t.isascii() for t in texts)
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "i int, text string")
    got = {r.i: sorted(r.w) for r in df.select("i", sql_windows("text", 13, 8).alias("w")).collect()}
    for i, t in enumerate(texts):
        assert got[i] == windows(t, table, 13), (i, t[:80])


@pytest.mark.spark
def test_spark_join_gives_nemos_whole_algorithm(frame, docs, gsm8k):
    """The join-first table run = NeMo's whole algorithm (counts, max_matches, removal, splits)."""
    from sparkops.spark.decontamination import decontaminate

    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"]}})
    out = decontaminate(frame, bound, "text", []).collect()
    cfg = NEMO["configs"]["default"]
    kept: dict[str, list] = {}
    for r in sorted((r for r in out if r[KEEP]), key=lambda r: r[ORDER]):
        kept.setdefault(r.id, []).append(r.text)
    texts = {d["id"]: d["text"] for d in docs}
    assert kept == {k: _decode(texts[k], v) for k, v in cfg["pieces"].items()}
    rejected = {r.id: r[DROPPED_BY] for r in out if not r[KEEP]}
    assert rejected.pop("null-0") == "null_text"
    assert set(rejected) == set(texts) - set(cfg["pieces"])
    assert set(rejected.values()) == {f"{OP}:no_pieces", f"{OP}:too_many_splits"}
    restricted = bound.prepared["table"].restricted(cfg["removable"])
    for doc_id, reason in rejected.items():
        assert reason == f"{OP}:" + dc.verdict(dc.remove(texts[doc_id], restricted), 10), doc_id
    # the rows a hit touched say which n-grams of which task; the others say nothing
    for r in out:
        if r.id in rejected or (r.id in kept and kept[r.id] != [texts[r.id]]):
            assert r.task_matches and {m.task for m in r.task_matches} == {"gsm8k_test"}
            assert all(m.ngram in cfg["counts"] for m in r.task_matches)
        elif r.id != "null-0":
            assert r.task_matches is None


@pytest.mark.spark
def test_spark_join_equals_the_kernels_over_every_document(frame, docs, table, gsm8k):
    """Other parameters, no fixture: the join-first table run equals the two kernel passes run
    over every document in Python (the join only decides which documents the kernels see)."""
    from sparkops.spark.decontamination import decontaminate

    params = {"task_files": str(gsm8k), "task_fields": ["question", "answer"], "min_document_length": 50,
              "remove_char_each_side": 100, "max_matches": 3, "max_splits": 4}
    out = decontaminate(frame, bind({OP: params}), "text", []).collect()
    got: dict[str, list] = {}
    for r in sorted((r for r in out if r[KEEP]), key=lambda r: r[ORDER]):
        got.setdefault(r.id, []).append(r.text)
    counts = Counter(g for d in docs for g in dc.hits(d["text"], table))
    restricted = table.restricted(g for g, c in counts.items() if c <= 3)
    expected = {}
    for d in docs:
        cleaned = dc.remove(d["text"], restricted, 13, 100, 50)
        if dc.verdict(cleaned, 4) is None:
            expected[d["id"]] = cleaned.pieces
    assert got == expected
    assert sum(expected.get(d["id"]) != [d["text"]] for d in docs) > 100  # many documents changed


@pytest.mark.spark
def test_stage_pass_runs_the_corpus_wide_algorithm(frame, docs, table, gsm8k):
    """Through stage_pass (what a job runs): the op's frame, so the corpus-wide counts of the rows
    it is given decide which n-grams are cut (max_matches), then the pieces, in order."""
    from sparkops.spark.fusion import stage_pass

    params = {"task_files": str(gsm8k), "task_fields": ["question", "answer"], "max_matches": 2}
    sample = frame.where("id like 'one-%' or id like 'edge-%' or id = 'null-0'")
    out = stage_pass(sample, [{OP: params}]).collect()
    got: dict[str, list] = {}
    for r in sorted((r for r in out if r[KEEP]), key=lambda r: r[ORDER]):
        got.setdefault(r.id, []).append(r.text)
    chosen = [d for d in docs if d["id"].startswith(("one-", "edge-"))]
    counts = Counter(g for d in chosen for g in dc.hits(d["text"], table))
    restricted = table.restricted(g for g, c in counts.items() if c <= 2)
    expected = {}
    for d in chosen:
        cleaned = dc.remove(d["text"], restricted)
        if dc.verdict(cleaned) is None:
            expected[d["id"]] = cleaned.pieces
    assert got == expected
    assert any(c > 2 for c in counts.values())  # some n-gram is too common to cut here


@pytest.mark.spark
def test_table_run_in_a_job_frame_rewrites_the_record(spark, docs, gsm8k):
    """A job's rows (``_source``, ``_line``, ``_record``): a piece's record holds the piece."""
    from sparkops.spark.decontamination import decontaminate

    bound = bind({OP: {"task_files": str(gsm8k), "task_fields": ["question", "answer"], "max_matches": 100}})
    planted = [d for d in docs if d["id"].startswith("one-")][:40]
    split = [d for d, e in zip(planted, bound.expand([d["text"] for d in planted])) if len(e) >= 2][:2]
    chosen = split + [d for d in docs if d["id"] in ("one-0", "c4-0", "edge-0")]
    assert len(split) == 2
    rows = [("f.jsonl", k, json.dumps({"id": d["id"], "text": d["text"], "n": k}), d["id"], d["text"])
            for k, d in enumerate(chosen)]
    df = spark.createDataFrame(rows, "_source string, _line long, _record string, id string, text string")
    out = decontaminate(df, bound, "text", ["_source", "_line"]).collect()
    expected = bound.expand([d["text"] for d in chosen])
    got: dict[str, list] = {}
    for r in sorted((r for r in out if r[KEEP]), key=lambda r: r[ORDER]):
        record = json.loads(r["_record"])
        assert record["text"] == r.text and record["id"] == r.id
        got.setdefault(r.id, []).append(r.text)
    assert got == {d["id"]: e for d, e in zip(chosen, expected) if e}
    assert {r.id for r in out if not r[KEEP]} == {d["id"] for d, e in zip(chosen, expected) if not e}
