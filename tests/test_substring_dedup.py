"""substring_deduplicator against a brute-force reference written here from the definition (every
window in a dict of its content, no hashing), on real C4 text with pasted boilerplate and copied
documents, on adversarial text and on random corpora of a tiny alphabet: the kernel and the
Spark implementation must both agree with it exactly."""

from __future__ import annotations

import json
import random
import re
import textwrap

import pytest

import sentence_dedup_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.ops.dedup.substrings import SPACES, dedup_document, fingerprints, runs_of, sliding_min, windows


# ---------------------------------------------------------------- the reference, from the definition

def _units(text: str, unit: str):
    """(unit contents, each unit's character span or containing character) of a text."""
    if unit == "token":
        spans = [m.span() for m in re.finditer(r"[^\s]+", text)]
        return [text[a:b] for a, b in spans], spans
    owner = [i for i, c in enumerate(text) for _ in c.encode("utf-8", "surrogatepass")]
    return list(text.encode("utf-8", "surrogatepass")), owner


def reference(texts: list, k: int, unit: str, min_doc_words: int) -> list:
    """Per text: None (null) or (new text, rule, [(start, end, (doc, first unit, first char))])."""
    first: dict = {}
    out = []
    for d, text in enumerate(texts):
        if text is None:
            out.append(None)
            continue
        units, where = _units(text, unit)
        dup = {}
        for pos in range(len(units) - k + 1):
            window = tuple(units[pos:pos + k])
            start = where[pos][0] if unit == "token" else where[pos]
            if window in first:
                dup[pos] = first[window]
            else:
                first[window] = (d, pos, start)
        removed = [False] * len(units)
        for pos in dup:
            removed[pos:pos + k] = [True] * k
        new, spans = (_rebuild_tokens if unit == "token" else _rebuild_bytes)(text, removed, where, dup)
        rule = None
        if new != text:
            words = len(new.split())
            rule = "empty" if words == 0 else "too_few_words" if words < min_doc_words else None
        out.append((new, rule, spans))
    return out


def _rebuild_tokens(text, removed, spans, dup):
    if not any(removed):
        return text, []
    kept = [i for i, r in enumerate(removed) if not r]
    n, new = len(spans), ""
    if kept and kept[0] == 0:
        new = text[:spans[0][0]]
    for j, i in enumerate(kept):
        new += text[spans[i][0]:spans[i][1]]
        if j + 1 < len(kept):
            nxt = kept[j + 1]
            if nxt == i + 1:
                new += text[spans[i][1]:spans[nxt][0]]
            else:  # removed tokens between: the separator with more line breaks, the earlier on a tie
                before, after = text[spans[i][1]:spans[i + 1][0]], text[spans[nxt - 1][1]:spans[nxt][0]]
                new += after if after.count("\n") > before.count("\n") else before
        elif i == n - 1:
            new += text[spans[i][1]:]
    runs = [i for i in range(n) if removed[i] and (i == 0 or not removed[i - 1])]
    ends = [i + 1 for i in range(n) if removed[i] and (i == n - 1 or not removed[i + 1])]
    return new, [(spans[a][0], spans[b - 1][1], dup[a]) for a, b in zip(runs, ends)]


def _rebuild_bytes(text, removed, owner, dup):
    gone = [True] * len(text)
    for b, r in enumerate(removed):
        gone[owner[b]] = gone[owner[b]] and r
    new = "".join(c for c, g in zip(text, gone) if not g)
    spans = []
    for c in range(len(text)):
        if gone[c] and (c == 0 or not gone[c - 1]):
            end = c
            while end < len(text) and gone[end]:
                end += 1
            b = owner.index(c)  # the run of removed bytes holding the span starts at a duplicate window
            while b > 0 and removed[b - 1]:
                b -= 1
            spans.append((c, end, dup[b]))
    return new, spans


# ---------------------------------------------------------------- the kernel, as the Spark side uses it

def kernel(texts: list, params: dict) -> list:
    p = bind({"substring_deduplicator": params}).prepared
    first: dict = {}
    out = []
    for d, text in enumerate(texts):
        if text is None:
            out.append(None)
            continue
        positions, firsts = [], []
        for pos, char, key in zip(*windows(text, p)):
            if key in first:
                positions.append(pos)
                firsts.append(first[key])
            else:
                first[key] = (d, pos, char)
        if positions:
            out.append(dedup_document(text, runs_of(positions, firsts), p))
        else:
            out.append((text, None, []))
    return out


def agree(texts, k, unit, min_doc_words=0):
    want = reference(texts, k, unit, min_doc_words)
    got = kernel(texts, {"length_threshold": k, "unit": unit, "min_doc_words": min_doc_words})
    for d, (g, w) in enumerate(zip(got, want)):
        assert g == w, (d, texts[d][:200] if texts[d] else texts[d])
    return want


# ---------------------------------------------------------------- corpora

DOCS = corpus.documents()
C4 = corpus.c4_documents()
ADVERSARIAL = [
    "a " * 120,                                          # one token repeated: only its first window stays
    "x y z " + "a " * 60 + "\n\nthe end of it",
    "b c " * 40,                                          # a period-2 self-overlapping repeat
    C4[5],                                                # a document that is entirely a copy
    "",
    None,
    "   \n\t  ",
    "中文文本的重复测试。" * 12 + "\n这是一段不重复的结尾。",   # Chinese: one token, many bytes
    "Ünïcödé wörds " * 20 + "and then something else entirely",
    "Intro line.\n\n" + corpus.COOKIE + "\n\nOutro line here.",
    corpus.COOKIE.replace(" ", "\n  "),                  # the same tokens, other whitespace
    "\ud800 lone surrogate " * 12,
]
TEXTS = [t for _, t in DOCS] + ADVERSARIAL
# Spark strings are UTF-8: a lone surrogate cannot reach them (it is for the kernel only)
SPARK_TEXTS = [t for t in TEXTS if t is None or "\ud800" not in t]


def random_corpus(seed: int, unit: str) -> list[str]:
    rng = random.Random(seed)
    alphabet = ["a", "b", "c"] if unit == "token" else ["a", "b", "é", "中", " ", "\n"]
    seps = [" ", " ", "\n", "  ", "\n\n", "\t"]
    texts = []
    for _ in range(rng.randint(3, 12)):
        n = rng.randint(0, 30)
        if unit == "token":
            texts.append(rng.choice(["", " ", "\n"]) + "".join(rng.choice(alphabet) + rng.choice(seps)
                                                               for _ in range(n)))
        else:
            texts.append("".join(rng.choice(alphabet) for _ in range(n)))
    return texts


# ---------------------------------------------------------------- kernel tests

def test_whitespace_is_str_isspace():
    assert sorted(SPACES.tolist()) == [c for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("k,unit", [(50, "token"), (8, "token"), (100, "byte"), (30, "byte")])
def test_kernel_is_the_reference_on_real_and_adversarial_text(k, unit):
    want = agree(TEXTS, k, unit, 50 if k == 50 else 0)
    changed = [d for d, w in enumerate(want) if w is not None and w[2]]
    assert len(changed) > (5 if k == 50 else 30)  # copies (and with K < 40 tokens, pasted boilerplate) found


@pytest.mark.parametrize("seed", range(200))
def test_kernel_is_the_reference_on_random_corpora(seed):
    cut = 0
    for unit in ("token", "byte"):
        texts = random_corpus(seed, unit)
        cut += sum(len(spans) for _, _, spans in agree(texts, 1 + seed % 5, unit, seed % 3))
    assert cut or seed % 5 == 4  # a tiny alphabet repeats itself (K = 5 may not)


def candidates(texts: list, params: dict) -> set[int]:
    """The documents sharing a winnowed fingerprint with another (document, position), as the
    Spark side finds them."""
    p = bind({"substring_deduplicator": params}).prepared
    seen: dict = {}
    for d, text in enumerate(texts):
        for keys, at in fingerprints(text or "", p):
            for key, pos in zip(keys.tolist(), at.tolist()):
                seen.setdefault(key, set()).add((d, pos))
    return {d for places in seen.values() if len(places) > 1 for d, _ in places}


def test_sliding_min_is_the_minimum_of_each_run():
    rng = random.Random(5)
    for _ in range(300):
        values = [rng.randint(-9, 9) for _ in range(rng.randint(1, 40))]
        w = rng.randint(1, len(values))
        import numpy as np

        got = sliding_min(np.array(values, dtype=np.int64), w).tolist()
        assert got == [min(values[i:i + w]) for i in range(len(values) - w + 1)], (values, w)


def _needed(texts, k, unit) -> set[int]:
    """The documents with a duplicate window or the first occurrence of one (the reference)."""
    out = set()
    for d, w in enumerate(reference(texts, k, unit, 0)):
        for _, _, (first, _, _) in (w[2] if w else []):
            out |= {d, first}
    return out


@pytest.mark.parametrize("k,unit", [(50, "token"), (8, "token"), (100, "byte"), (3, "byte")])
def test_fingerprints_find_every_document_with_a_duplicate_and_few_others(k, unit):
    found = candidates(TEXTS, {"length_threshold": k, "unit": unit})
    needed = _needed(TEXTS, k, unit)
    assert needed <= found
    p = bind({"substring_deduplicator": {"length_threshold": k, "unit": unit}}).prepared
    rows = sum(len(keys) for t in TEXTS if t for keys, _ in fingerprints(t, p))
    if k >= 50:  # at the defaults: few false candidates (documents sharing a run of K/2 to K units, as
        # the pasted boilerplate of ~40 tokens), fingerprints for under a tenth of the windows
        assert len(found - needed) < 0.1 * len(TEXTS), sorted(found - needed)
        assert rows < 0.1 * sum(len(windows(t, p)[0]) for t in TEXTS if t)


@pytest.mark.parametrize("seed", range(200))
def test_fingerprints_find_every_document_with_a_duplicate_in_random_corpora(seed):
    for unit in ("token", "byte"):
        texts = random_corpus(seed, unit)
        k = 1 + seed % 5
        assert _needed(texts, k, unit) <= candidates(texts, {"length_threshold": k, "unit": unit})


def test_semantics_by_hand():
    # the later copy loses the shared run; separators: the one with more line breaks stays
    out = kernel(["one two three four", "zero one two three four\n\nfive"], {"length_threshold": 3, "min_doc_words": 0})
    assert out[1] == ("zero\n\nfive", None, [(5, 23, (0, 0, 0))])
    # a run of one token: windows 1.. repeat window 0 and cover all but its first token; the
    # whole copy of a document is dropped
    out = kernel(["a a a a a a", "a a a"], {"length_threshold": 3, "min_doc_words": 0})
    assert out[0] == ("a", None, [(2, 11, (0, 0, 0))]) and out[1] == ("", "empty", [(0, 5, (0, 0, 0))])
    # whitespace between tokens does not matter
    assert kernel(["p q r", "p\nq   r s"], {"length_threshold": 3, "min_doc_words": 0})[1][0] == "s"
    # bytes: a character is removed only when all its bytes are; é is 2 bytes
    out = kernel(["xé", "yé"], {"length_threshold": 1, "unit": "byte", "min_doc_words": 0})
    assert out[1] == ("y", None, [(1, 2, (0, 1, 1))])
    out = kernel(["xé", "é"], {"length_threshold": 3, "unit": "byte", "min_doc_words": 0})
    assert out[1] == ("é", None, [])  # the window of 2 bytes never exists: nothing removed


def test_parameters_are_checked():
    with pytest.raises(OpError, match="'length_threshold' must be >= 1"):
        bind({"substring_deduplicator": {"length_threshold": 0}})
    with pytest.raises(OpError, match="'unit' must be one of"):
        bind({"substring_deduplicator": {"unit": "word"}})
    with pytest.raises(OpError, match="min_doc_words"):
        bind({"substring_deduplicator": {"min_doc_words": "many"}})
    assert bind("substring_deduplicator").prepared["length_threshold"] == 50
    assert bind({"substring_deduplicator": {"unit": "byte"}}).prepared["length_threshold"] == 100


def test_a_huge_document_is_hashed_in_blocks(monkeypatch):
    from sparkops.ops.dedup import substrings

    text = " ".join(f"w{i % 997}" for i in range(5000))
    p = bind({"substring_deduplicator": {"length_threshold": 20}}).prepared
    whole, marks = windows(text, p), _fingerprint_set(text, p)
    monkeypatch.setattr(substrings, "BLOCK", 333)
    assert windows(text, p) == whole and len(whole[0]) == 5000 - 19
    # fingerprints of blocks: the same keys; positions: at least two per repeated key
    assert {k for k, _ in _fingerprint_set(text, p)} == {k for k, _ in marks}


def _fingerprint_set(text, p):
    return {(k, a) for keys, at in fingerprints(text, p) for k, a in zip(keys.tolist(), at.tolist())}


def test_a_document_the_kernel_fails_on_is_an_error_row_not_a_failed_batch(monkeypatch):
    import pyarrow as pa

    from sparkops.spark.dedup import substrings as spark_side

    def broken(text, p):
        if text.startswith("bad"):
            raise ValueError("nope")
        return windows_blocks(text, p)

    windows_blocks = spark_side.window_blocks
    monkeypatch.setattr(spark_side, "window_blocks", broken)
    p = bind({"substring_deduplicator": {"length_threshold": 2}}).prepared
    batch = pa.RecordBatch.from_arrays([pa.array([7, 8, 9]), pa.array(["bad text", None, "a b c"])],
                                       names=["doc", "text"])
    rows = pa.Table.from_batches(list(spark_side.window_batches([batch], p, "substring_deduplicator"))).to_pylist()
    assert [(r["_mh_doc"], r["_ss_pos"], r["_ss_key"] is None) for r in rows] == [(7, -1, True), (9, 0, False),
                                                                                 (9, 1, False)]
    assert rows[0]["_ss_error"] == "error:substring_deduplicator: ValueError: nope"
    # the fingerprint pass makes such a document a candidate, so the window pass sees it
    fingerprints_ = spark_side.fingerprints
    monkeypatch.setattr(spark_side, "fingerprints", lambda t, p: broken(t, p) and fingerprints_(t, p))
    rows = pa.Table.from_batches(list(spark_side.fingerprint_batches([batch], p, "x"))).to_pylist()
    assert (7, None, -1) in [(r["_mh_doc"], r["_ss_key"], r["_ss_pos"]) for r in rows]
    assert {r["_mh_doc"] for r in rows} == {7, 9}


# ---------------------------------------------------------------- Spark

def _run(spark, texts, params=None):
    from sparkops.spark.fusion import stage_pass

    rows = [{"text": t, "_source": "in.jsonl", "_line": n} for n, t in enumerate(texts)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long")
    out = stage_pass(df, [{"substring_deduplicator": params or {}}], order_cols=["_source", "_line"]).collect()
    return {r._line: r for r in out}


def spark_agrees(spark, texts, k, unit, min_doc_words):
    want = reference(texts, k, unit, min_doc_words)
    out = _run(spark, texts, {"length_threshold": k, "unit": unit, "min_doc_words": min_doc_words})
    assert len(out) == len(texts)
    for d, w in enumerate(want):
        row = out[d]
        if w is None:
            assert row._dropped_by == "null_text"
            continue
        new, rule, spans = w
        assert row._keep == (rule is None), (d, row._dropped_by)
        assert row._dropped_by == (None if rule is None else f"substring_deduplicator:{rule}"), d
        assert row.text == (new if rule is None else texts[d]), d
        assert row.stats.substring_dup_chars == len(texts[d]) - len(new), d
        got = [(s.start, s.end, (s.first_of, s.first_unit, s.first_start)) for s in row.stats.substring_dup_spans]
        assert got == [(a, b, (f"in.jsonl:{f[0]}", f[1], f[2])) for a, b, f in spans], d
        assert row._duplicate_of == (None if rule is None else got[0][2][0]), d
    return out


@pytest.mark.spark
@pytest.mark.parametrize("k,unit,words", [(50, "token", 50), (8, "token", 0), (100, "byte", 50)])
def test_spark_is_the_reference_on_real_and_adversarial_text(spark, k, unit, words):
    spark_agrees(spark, SPARK_TEXTS, k, unit, words)


@pytest.mark.spark
def test_spark_is_the_reference_on_random_corpora(spark):
    for seed in range(3):
        for unit in ("token", "byte"):
            spark_agrees(spark, random_corpus(1000 + seed, unit) * 2, 2 + seed, unit, 1)


@pytest.mark.spark
def test_boilerplate_is_cut_and_distinct_content_untouched(spark):
    texts = [t for _, t in DOCS]
    out = _run(spark, texts, {"length_threshold": 20})  # the pasted paragraphs have 27 to 44 tokens
    first_cookie, later_cookie = 3, 3 + 4 * corpus.INJECT_EVERY
    assert out[first_cookie].text == texts[first_cookie] and corpus.COOKIE in texts[later_cookie]
    row = out[later_cookie]
    assert row._keep and "We use cookies" not in row.text
    assert row.stats.substring_dup_chars >= len(corpus.COOKIE)
    assert all(line in row.text for line in C4[later_cookie].split("\n") if line.strip())
    (span,) = row.stats.substring_dup_spans
    assert texts[later_cookie][span.start:span.end] == corpus.COOKIE
    assert (span.first_of, span.first_unit) == ("in.jsonl:3", 0)  # pasted at the start of c4:3
    assert texts[first_cookie][span.first_start:].startswith(corpus.COOKIE)
    # the first copy of each template is untouched; the upper-cased cookie notice is other tokens
    assert all(out[n].text == texts[n] for n in (3, 11, 19, 27))
    copy = [d for d, _ in DOCS].index("edge:copy_of_c4_5")
    assert out[copy]._dropped_by == "substring_deduplicator:empty" and out[copy]._duplicate_of == "in.jsonl:5"
    # the C4 documents without pasted text: untouched but for real repeats of 20 tokens
    plain = [n for n in range(300) if n % corpus.INJECT_EVERY != 3]
    assert 0 < sum(out[n].text != texts[n] for n in plain) < 15


@pytest.mark.spark
def test_bad_input_survives(spark):
    from pyspark.sql import functions as F

    from sparkops.spark.fusion import stage_pass

    huge = "\n".join(C4[:20]) * 30  # ~1.4 M characters, repeats inside itself
    out = _run(spark, [C4[0], None, "", huge, C4[0] + "\n" + C4[299]])
    assert out[0]._keep and out[0].text == C4[0]
    assert out[1]._dropped_by == "null_text" and out[2]._keep and out[2].text == ""
    assert out[3]._keep and len(out[3].text) < len(huge) / 20 and C4[1][:200] in out[3].text
    assert out[4]._keep and out[4].text == C4[299]
    nums = spark.range(3).withColumn("text", F.col("id") * 2)
    odd = stage_pass(nums, ["substring_deduplicator"]).collect()
    assert {r._dropped_by for r in odd} == {"wrong_type:substring_deduplicator: field 'text' is bigint, not a string"}


@pytest.mark.spark
def test_as_a_job_step(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    texts = [t for _, t in DOCS[:40]] + [C4[5]]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": n}) + "\n" for n, t in enumerate(texts)), encoding="utf-8")
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: substrings
        input: {{format: jsonl, path: {path}}}
        output: {{path: out}}
        stages:
          - name: sub
            process:
              - substring_deduplicator: {{length_threshold: 30}}
    """), encoding="utf-8")
    run(spark, load(spec), say=lambda m: None)
    kept = {r._line: r for r in spark.read.format("delta").load(str(tmp_path / "out" / "sub")).collect()}
    rejected = {r._line: r for r in spark.read.format("delta").load(str(tmp_path / "out" / "sub_rejected")).collect()}
    assert set(kept) | set(rejected) == set(range(1, 42)) and 41 in rejected  # lines are 1-based
    assert rejected[41]._dropped_by == "substring_deduplicator:empty" and rejected[41]._duplicate_of == f"{path}:6"
    assert "We use cookies" in kept[4].text and "We use cookies" not in kept[36].text  # c4:3 first, c4:35 later
    spans = kept[36].stats.substring_dup_spans
    assert spans and spans[0].first_of == f"{path}:4" and texts[35][spans[0].start:spans[0].end] in texts[3]


@pytest.mark.spark
def test_python_api_on_a_dataframe(spark):
    import sparkops

    texts = [t for _, t in DOCS[:40]]
    kept = sparkops.apply(spark.createDataFrame([(t,) for t in texts], "text string").coalesce(1),
                          [{"substring_deduplicator": {"length_threshold": 20}}]).collect()
    assert len(kept) == 40 and texts[3] in {r.text for r in kept}
    assert ["We use cookies" in r.text for r in kept].count(True) == 1
