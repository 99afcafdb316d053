"""The n-gram kernel behind character_repetition_filter and word_repetition_filter gives the
counts of Data-Juicer's dict of n-gram strings, exactly, in C (sparkops/native/ngrams.c) and in
numpy (the fallback and the path of sequences over ``NATIVE_MAX``)."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from sparkops import native
from sparkops.text import ngrams
from sparkops.text.doc import Doc, code_points
from sparkops.text.ngrams import NgramStats, ngram_stats, ngram_stats_numpy


@pytest.fixture(scope="module")
def kernel():
    if ngrams._kernel() is None:
        pytest.skip("no C compiler: the repetition filters count n-grams with numpy")
    return ngrams._kernel()


def reference(seq, n: int) -> NgramStats:
    """What Data-Juicer computes from its dict of n-grams (tuples here: any symbol type)."""
    items = seq.tolist()
    counts = sorted(Counter(tuple(items[i:i + n]) for i in range(len(items) - n + 1)).values(), reverse=True)
    if not counts:
        return NgramStats(0, 0, 0, 0, 0)
    rep = [c for c in counts if c > 1]
    top = min(int(np.sqrt(len(counts))), len(rep))
    return NgramStats(sum(counts), len(counts), len(rep), sum(rep), sum(rep[:top]))


def native_stats(seq, n: int) -> NgramStats:
    out = np.zeros(5, np.int64)
    seq = np.ascontiguousarray(seq)
    assert ngrams._kernel().ngram_stats(seq.ctypes.data, seq.dtype.itemsize, len(seq), n, out.ctypes.data) == 0
    return NgramStats(*out.tolist())


def assert_all_equal(seqs, ns, exact=True):
    for seq in seqs:
        for n in ns:
            got = native_stats(seq, n)
            assert got == ngram_stats_numpy(seq, n), (seq[:20], n)
            if exact:
                assert got == reference(seq, n), (seq[:20], n)


def test_character_ngrams_of_real_text(kernel, c4):
    seqs = [code_points(t) for t in c4[:60]]
    assert_all_equal(seqs, [1, 2, 3, 5, 10, 13])
    # and the rest of the sample at the filter's default, without the slow reference
    assert_all_equal([code_points(t) for t in c4[60:]], [10], exact=False)


def test_ngrams_of_text_in_many_scripts(kernel, shared_data):
    texts = []
    for name in ("wiki_sample.txt", "zh_novel_sample.txt"):
        texts += (shared_data / "web" / name).read_text(encoding="utf-8").splitlines()[:200]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted((shared_data / "lid" / "udhr").glob("*.txt"))[:60]]
    assert_all_equal([code_points(t) for t in texts if t], [2, 10])
    # word n-grams: the 64-bit hashes of the lower-cased refined words, as word_repetition_filter counts them
    assert_all_equal([Doc(t).refined_lower_words.hashes() for t in texts if t], [1, 2, 10])


def test_edge_sequences(kernel):
    rng = random.Random(7)
    seqs = [
        np.zeros(0, np.uint8), np.array([65], np.uint8), code_points("abc"),  # shorter than n, or just n
        code_points("a" * 5000), code_points("ab" * 3000), code_points("abc" * 2000 + "abd" * 2000),
        code_points("𝒜𝒝𝒞𝒜𝒝𝒞 😀😀😀😀 ü" * 50), code_points("\ud800x\udfff" * 40 + "\x00" * 30),
        code_points("ÿ" * 20 + "Ā" * 20),  # one byte, then two: uint16 with equal low bytes
        np.array([rng.randrange(3) for _ in range(20000)], np.uint8),  # tiny alphabet: every n-gram repeats
        np.array([rng.randrange(1 << 21) for _ in range(5000)], np.uint32),
        np.array([rng.choice([0, 1 << 63, (1 << 64) - 1]) for _ in range(3000)], np.uint64),
    ]
    assert_all_equal(seqs, [1, 2, 3, 4, 10, 31])


def test_a_sequence_that_outgrows_the_first_table(kernel):
    # every n-gram distinct: the table grows past its first 1M slots, counts stay right
    seq = np.arange(800_000, dtype=np.uint32)
    assert native_stats(seq, 2) == NgramStats(799_999, 799_999, 0, 0, 0)
    seq = np.concatenate([seq, seq[:1000]])
    assert native_stats(seq, 3) == ngram_stats_numpy(seq, 3) == NgramStats(800_998, 800_000, 998, 1996, 894 * 2)  # int(sqrt(800_000)) = 894


def test_long_sequences_take_the_numpy_path(kernel, monkeypatch):
    seq = code_points("the cat sat on the mat. " * 200)
    whole = ngram_stats(seq, 10)
    monkeypatch.setattr(ngrams, "NATIVE_MAX", 100)
    assert ngram_stats(seq, 10) == whole == reference(seq, 10)


def test_without_the_kernel_the_filters_give_the_same_ratios(c4, monkeypatch):
    from sparkops.core.pipeline import Pipeline
    from sparkops.core import bind

    texts = c4[:80] + ["", "a", "aaaa bbbb", "the cat. The cat! a dog " * 30]
    ops = [bind({"character_repetition_filter": {"rep_len": r}}) for r in (1, 10)] + \
          [bind({"word_repetition_filter": {"rep_len": r}}) for r in (1, 10)]
    with_kernel = Pipeline(ops, short_circuit=False).run(texts).stats
    monkeypatch.setenv("SPARKOPS_NATIVE", "0")
    monkeypatch.setattr(ngrams, "_NATIVE", [])
    assert ngrams._kernel() is None
    without = Pipeline(ops, short_circuit=False).run(texts).stats
    for key in ("char_rep_ratio", "char_rep_ratio_2", "word_rep_ratio", "word_rep_ratio_2"):
        assert with_kernel[key] == without[key], key
    monkeypatch.setattr(ngrams, "_NATIVE", [])  # the next test loads the kernel again


def test_the_kernel_refuses_a_non_positive_n(kernel):
    out = np.zeros(5, np.int64)
    seq = code_points("abc")
    assert kernel.ngram_stats(seq.ctypes.data, 1, 3, 0, out.ctypes.data) == -1
    assert native.library("ngrams") is kernel
