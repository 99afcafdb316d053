"""sentence_deduplicator against datatrove 0.10.1's SentenceDedup (tests/fixtures/dt_sentence_dedup.json,
written by tools/dt_parity/gen_sentence_dedup_fixture.py), and its behaviour on real text."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import pytest

import sentence_dedup_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.ops.dedup.sentences import dedup_document, simplify, windows

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dt_sentence_dedup.json").read_text())
CASES = {c["id"]: c for c in FIXTURE["cases"]}
DOCS = corpus.documents()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def test_fixture_was_made_from_these_documents():
    assert FIXTURE["datatrove"] == "0.10.1" and FIXTURE["doc_ids"] == [d for d, _ in DOCS]
    assert FIXTURE["doc_sha256"] == [sha256(t) for _, t in DOCS]
    assert len(CASES) == len(corpus.CASES)


def test_normalisation_is_datatrove_simplify_text():
    assert simplify("  Hello,   WORLD!\n") == "hello world"
    assert simplify("It costs 3.50 or ٣٫٤ now") == "it costs 0 or 0 now"
    assert simplify("Él está aquí — «ça»") == "el esta aqui ca"


@pytest.mark.parametrize("case_id", list(CASES))
def test_kernel_marks_the_windows_datatrove_marks(case_id):
    """Step 1 and 2 in plain Python (first copy = smallest (document, sentence)) give datatrove's
    duplicate windows, and step 3 its texts and decisions, document by document."""
    case = CASES[case_id]
    p = bind({"sentence_deduplicator": case["params"]}).prepared
    seen, dups = set(), {}
    for doc_id, text in DOCS:
        for i, key in zip(*windows(text, p)):
            if key in seen:
                dups.setdefault(doc_id, []).append(i)
            seen.add(key)
    for doc_id, text in DOCS:
        want = case["results"][doc_id]
        assert sorted(dups.get(doc_id, [])) == want["dup_windows"], doc_id
        new, rule, _ = dedup_document(text, dups[doc_id], p) if doc_id in dups else \
            (text, "empty" if text == "" else None, [])
        assert (rule is None) == want["keep"], (doc_id, rule)
        if want["keep"] and "text_sha256" in want:
            assert (len(new), sha256(new)) == (want["text_len"], want["text_sha256"]), doc_id
        elif want["keep"]:
            assert new == text, doc_id


def _frame(spark, docs):
    rows = [{"text": t, "_source": "in.jsonl", "_line": n} for n, (_, t) in enumerate(docs)]
    return spark.createDataFrame(rows, "text string, _source string, _line long")


def _run(spark, docs, params=None):
    from sparkops.spark.fusion import stage_pass

    out = stage_pass(_frame(spark, docs), [{"sentence_deduplicator": params or {}}],
                     order_cols=["_source", "_line"]).collect()
    return {r._line: r for r in out}


@pytest.mark.spark
def test_spark_gives_datatrove_results_for_every_case(spark):
    for case_id, case in CASES.items():
        out = _run(spark, DOCS, case["params"])
        assert len(out) == len(DOCS)
        for n, (doc_id, text) in enumerate(DOCS):
            want, row = case["results"][doc_id], out[n]
            assert row._keep == want["keep"], (case_id, doc_id, row._dropped_by)
            windows_ = row.stats.sentence_dup_windows
            assert [w.sentence for w in windows_] == want["dup_windows"], (case_id, doc_id)
            if want["keep"] and "text_sha256" in want:
                assert (len(row.text), sha256(row.text)) == (want["text_len"], want["text_sha256"]), (case_id, doc_id)
            else:  # an untouched kept document, or a dropped one (which keeps its input text)
                assert row.text == text, (case_id, doc_id)
            assert row.stats.sentence_dup_chars == len(text) - len(row.text) if row._keep else True


@pytest.mark.spark
def test_boilerplate_is_cut_from_later_documents_and_kept_in_the_first(spark):
    out = _run(spark, DOCS)
    texts = dict(DOCS)
    first_cookie, later_cookie = 3, 3 + 4 * corpus.INJECT_EVERY  # the 1st and 5th pasted templates
    assert corpus.COOKIE in out[first_cookie].text and out[first_cookie].text == texts["c4:3"]
    row = out[later_cookie]
    assert row._keep and corpus.COOKIE in texts[f"c4:{later_cookie}"]
    assert "We use cookies" not in row.text and "cookie settings" not in row.text
    # its own text stays: every line of the C4 document is still there
    assert all(line in row.text for line in corpus.c4_documents()[later_cookie].split("\n"))
    # what was cut is data: the windows, their place in the input text and their first copy
    w = row.stats.sentence_dup_windows
    assert {x.first_of for x in w} == {"in.jsonl:3"}
    assert all(texts[f"c4:{later_cookie}"][x.start:x.end].strip().split(".")[0] in corpus.COOKIE for x in w)
    assert row.stats.sentence_dup_chars == len(texts[f"c4:{later_cookie}"]) - len(row.text) > len(corpus.COOKIE)
    # the upper-case and re-spaced copies are the same sentences once normalised
    upper = 3 + 3 * corpus.INJECT_EVERY
    assert corpus.VARIANTS["cookie_upper"] in texts[f"c4:{upper}"] and "WE USE COOKIES" not in out[upper].text
    # documents without pasted text are untouched, but for the 3 that repeat sentences of their
    # own or of an earlier C4 document (real boilerplate, which datatrove cuts too)
    plain = [n for n in range(300) if n % corpus.INJECT_EVERY != 3]
    repeating = {n for n in plain if CASES["defaults"]["results"][f"c4:{n}"]["dup_windows"]}
    assert len(repeating) == 3 and all(out[n]._keep for n in plain)
    assert [n for n in plain if out[n].text != texts[f"c4:{n}"]] == sorted(repeating)
    # a copied document loses everything: dropped, as a duplicate of the original
    copy = [d for d, _ in DOCS].index("edge:copy_of_c4_5")
    assert out[copy]._dropped_by == "sentence_deduplicator:empty" and out[copy]._duplicate_of == "in.jsonl:5"
    short = [d for d, _ in DOCS].index("edge:short_with_boilerplate")
    assert out[short]._dropped_by == "sentence_deduplicator:too_few_words"
    assert out[short].text == texts["edge:short_with_boilerplate"]  # the rejected row keeps its input


@pytest.mark.spark
def test_bad_input_survives(spark):
    from pyspark.sql import functions as F

    from sparkops.spark.fusion import stage_pass

    c4 = corpus.c4_documents()
    huge = "\n".join(c4[:20]) * 30  # ~1.4 M characters (spaCy runs on 1 M pieces), repeats inside itself
    docs = [("a", c4[0]), ("none", None), ("empty", ""), ("huge", huge), ("b", c4[0] + "\n" + c4[299])]
    rows = [{"text": t, "_source": "in.jsonl", "_line": n} for n, (_, t) in enumerate(docs)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long")
    out = {r._line: r for r in stage_pass(df, ["sentence_deduplicator"], order_cols=["_source", "_line"]).collect()}
    assert out[0]._keep and out[0].text == c4[0]
    assert out[1]._dropped_by == "null_text" and out[2]._dropped_by == "sentence_deduplicator:empty"
    # the huge document loses the copies of c4[0] it repeats and its own later repeats
    assert out[3]._keep and len(out[3].text) < len(huge) / 10 and c4[1] in out[3].text
    assert out[4]._keep and out[4].text == c4[299]
    # a text column of another type: every row rejected as wrong_type, nothing raised
    nums = spark.range(3).withColumn("text", F.col("id") * 2)
    odd = stage_pass(nums, ["sentence_deduplicator"]).collect()
    assert {r._dropped_by for r in odd} == {"wrong_type:sentence_deduplicator: field 'text' is bigint, not a string"}


@pytest.mark.spark
def test_as_a_job_step(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    texts = [t for _, t in DOCS[:40]] + [corpus.c4_documents()[5]]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": n}) + "\n" for n, t in enumerate(texts)), encoding="utf-8")
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: sentences
        input: {{format: jsonl, path: {path}}}
        output: {{path: out}}
        stages:
          - name: sent
            process:
              - sentence_deduplicator: {{n_sentences: 3}}
    """), encoding="utf-8")
    run(spark, load(spec), say=lambda m: None)
    kept = {r._line: r.text for r in spark.read.format("delta").load(str(tmp_path / "out" / "sent")).collect()}
    rejected = {r._line: r for r in spark.read.format("delta").load(str(tmp_path / "out" / "sent_rejected")).collect()}
    assert set(kept) | set(rejected) == set(range(1, 42)) and set(rejected) == {41}  # lines are 1-based
    assert rejected[41]._dropped_by == "sentence_deduplicator:empty" and rejected[41]._duplicate_of == f"{path}:6"
    assert "We use cookies" in kept[4] and "We use cookies" not in kept[36]  # c4:3 first, c4:35 later


@pytest.mark.spark
def test_python_api_on_a_dataframe(spark):
    import sparkops

    texts = [t for _, t in DOCS[:40]]
    kept = sparkops.apply(spark.createDataFrame([(t,) for t in texts], "text string").coalesce(1),
                          ["sentence_deduplicator"]).collect()
    assert len(kept) == 40 and texts[3] in {r.text for r in kept}  # c4:3, the first copy, untouched
    assert ["We use cookies" in r.text for r in kept].count(True) == 1
    # the cookie notice's 2 windows in c4:27 (upper-cased) and c4:35 name their first copy, row 3
    # (without a job, documents are named by Spark's row id: here the row number)
    firsts = [w.first_of for r in kept for w in r.stats.sentence_dup_windows]
    assert firsts.count("3") == 4


def test_parameters_are_checked():
    with pytest.raises(OpError, match="'n_sentences' must be >= 1"):
        bind({"sentence_deduplicator": {"n_sentences": 0}})
    with pytest.raises(OpError, match="'language' has no tokenizer"):
        bind({"sentence_deduplicator": {"language": "xx-nope"}})
    defaults = {"n_sentences": 3, "split_sentences": True, "min_doc_words": 50, "min_num_sentences": 3,
                "min_words_to_remove_span": 0, "language": "en"}  # SentDedupConfig's, and datatrove's English
    assert bind("sentence_deduplicator").params == defaults


def test_a_document_the_kernel_fails_on_is_an_error_row_not_a_failed_batch():
    import pyarrow as pa

    from sparkops.spark.dedup.sentences import rewrite_rows, window_batches

    p = dict(bind("sentence_deduplicator").prepared, language="xx-none")  # no tokenizer: every call raises
    batch = pa.RecordBatch.from_arrays([pa.array([7, 8]), pa.array(["Dogs bark. Cats purr. Birds sing.", None])],
                                       names=["doc", "text"])
    rows = pa.Table.from_batches(list(window_batches([batch], p, "sentence_deduplicator"))).to_pylist()
    assert [(r["_mh_doc"], r["_sd_sent"], r["_sd_key"]) for r in rows] == [(7, -1, None)]
    assert rows[0]["_sd_error"].startswith("error:sentence_deduplicator: TokenizerUnavailable: no spaCy tokenizer")
    (new, rule, starts, ends, error), = rewrite_rows(["Dogs bark. Cats purr."], [[0]], p, "sentence_deduplicator")
    assert new is None and error.startswith("error:sentence_deduplicator: TokenizerUnavailable")


@pytest.mark.spark
def test_kernel_errors_reach_the_rows_as_error_reasons(spark):
    from sparkops.core import BoundOp, get_op
    from sparkops.spark.dedup.sentences import deduplicate

    good = bind("sentence_deduplicator")
    broken = BoundOp(get_op("sentence_deduplicator"), good.params, dict(good.prepared, language="xx-none"))
    df = spark.createDataFrame([("Dogs bark. Cats purr. Birds sing.",), ("Dogs bark. Cats purr. Birds sing.",),
                                (None,)], "text string")
    out = deduplicate(df, broken, "text", []).collect()
    reasons = sorted(r._dropped_by[:49] for r in out if r.text)
    assert reasons == ["error:sentence_deduplicator: TokenizerUnavailable"] * 2
    assert [r._dropped_by for r in out if r.text is None] == ["null_text"]
    assert all(r.stats.sentence_dup_chars is None and r._duplicate_of is None for r in out)


def test_sentences_of_a_text_cut_into_pieces_are_those_of_one_spacy_call(monkeypatch):
    """A text over spacy_words.CHUNK is tokenized in pieces cut at whitespace; a piece ending in a
    line break after a full stop hands that blank sentence to the next one, as one call would."""
    from sparkops.text import spacy_words

    text = "Alpha one.\nBravo two.\nCharlie three.\nDelta four.\nEcho five.\nFoxtrot six.\n"
    whole = spacy_words.sentence_spans(text, "en")
    checked = 0
    for chunk in range(12, 40):
        monkeypatch.setattr(spacy_words, "CHUNK", chunk)
        pieces = list(spacy_words._pieces(text))
        if len(pieces) > 1 and all(piece.endswith("\n") for piece in pieces[:-1]):  # cut after sentences
            assert spacy_words.sentence_spans(text, "en") == whole, chunk
            checked += 1
    assert checked
