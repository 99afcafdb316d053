"""The C kernel of word spans and span hashes (sparkops/native/spans.c) gives the numpy code's
answers, bit for bit.

``charsets.refined_spans`` and ``hashing.span_hashes`` use the kernel where it can be built;
their numpy code (``_refined_spans_numpy``, ``_span_hashes_numpy``) is the reference and the
fallback. Every comparison is exact (``np.array_equal``, same dtype): a word count or a hash
that differed would change a filter's statistic or a dedup key. Where the numpy code promises
nothing (spans out of order), a plain Python form of the hash is the reference."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from sparkops.text import charsets, hashing
from sparkops.text.doc import Doc, code_points

M64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def kernel():
    k = hashing.native_spans()
    if k is None:
        pytest.skip("no C compiler (or SPARKOPS_NATIVE=0): the numpy code answers")
    return k


def check_words(kernel, text_or_points, shingles=(5, 13)):
    """The kernel's refined words, their hashes and overlapping windows' hashes, against numpy's."""
    points = code_points(text_or_points) if isinstance(text_or_points, str) else text_or_points
    where = repr(text_or_points[:60]) if isinstance(text_or_points, str) else f"{points.dtype}[{len(points)}]"
    want = charsets._refined_spans_numpy(points)
    got = kernel.refined_spans(points, charsets.IS_SPECIAL)
    assert got is not None, where
    for w, g in zip(want, got):
        assert g.dtype == w.dtype == np.int64 and np.array_equal(g, w), where
    check_hashes(kernel, points, *want, where=where)
    for n in (2, 10):  # word n-grams (rules' ngram_keys): spans over several words, overlapping
        if len(want[0]) >= n:
            check_hashes(kernel, points, want[0][:len(want[0]) - n + 1], want[1][n - 1:], where=f"{n}-grams of {where}")
    for w in shingles:  # character shingles: overlapping windows of width w
        starts = np.arange(max(0, len(points) - w + 1), dtype=np.int64)
        check_hashes(kernel, points, starts, starts + w, where=f"{w}-shingles of {where}")


def check_hashes(kernel, points, starts, ends, where=""):
    want = hashing._span_hashes_numpy(points, starts, ends)
    got = kernel.span_hashes(points, starts, ends)
    assert got is not None, where
    assert got.dtype == want.dtype == np.uint64 and np.array_equal(got, want), where


def python_hash(points, s: int, e: int) -> int:
    """hashing's definition with Python integers: mix(sum(c[s+k] * B**k), e - s) modulo 2**64."""
    h = 0
    for c in reversed(points[s:e].tolist()):
        h = (h * hashing._B + c) & M64
    x = (h ^ ((e - s) * int(hashing._LEN_MIX) & M64)) * int(hashing._FINAL_MIX) & M64
    return x ^ (x >> 31)


def python_refined_spans(text: str) -> list[tuple[int, int]]:
    """Data-Juicer's refinement in plain Python: split on ' ', '\\n', '\\t', strip the special
    characters at both ends, drop what is empty."""
    spans = []
    for m in re.finditer(r"[^ \n\t]+", text):
        s, e = m.span()
        while s < e and text[s] in charsets.SPECIAL_CHARACTERS:
            s += 1
        while e > s and text[e - 1] in charsets.SPECIAL_CHARACTERS:
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def test_real_text(kernel, c4, shared_data):
    texts = list(c4)
    for name in ("wiki_sample.txt", "zh_novel_sample.txt"):
        texts += (shared_data / "web" / name).read_text(encoding="utf-8").splitlines()
    for path in sorted((shared_data / "lid" / "udhr").glob("*.txt")):
        whole = path.read_text(encoding="utf-8", errors="replace")
        texts += [whole] + whole.splitlines()[:20]
    widths = set()
    for i, text in enumerate(texts):
        for t in (text, text.lower()):  # the refined and the refined-lower words
            widths.add(code_points(t).dtype.itemsize)
            check_words(kernel, t, shingles=(5, 13) if i % 10 == 0 else ())
    assert len(texts) > 10_000 and widths == {1, 2, 4}


def test_edge_cases(kernel, c4):
    words = " ".join(c4).split()
    rnd = random.Random(11)
    texts = ["", " ", "\n", "\t", " \n\t \n\n\t  ", "a", "ab", " a", "a ", "a\tb\nc d", "!", "!a!", "a!b", "!!! ...",
             "12345 67,89", "\r", "a\rb", "a\u3000b", "\x0b\x0c\x1c", "\0", "a\0b \0 \0c\0", "\u00a0x\u00a0",
             "Г г Гг гГ", "一上士 一a一", "😀", "😀 a😀b 𝄞𝄞 🇫🇷 a👍🏽b", "é", "é ü\tß", "\ud800", "a\ud800b \udfff",
             "\ud800 😀", "\U0010ffff x\U0010ffff", "\uffff\ufffe\ufeff", "x" * 100_000, " x" * 50_000,
             "é" * 100_000, "😀a" * 50_000, "a😀" * 50_000, "!" * 100_000, " " * 100_000,
             "".join(sorted(charsets.SPECIAL_CHARACTERS)),  # every special character, one token
             " ".join(sorted(charsets.SPECIAL_CHARACTERS)),
             " ".join(rnd.choice(words) for _ in range(200_000))]  # ~1.2 MB: above ONE_PASS, scanned twice
    pools = [" \n\t", " \n\t\r\0\x0b", "abcxyz", "!.,;'\"()-0123456789", "éüßçГгω", "一上士中文日本語",
             "😀🎉👍𝄞\U0010ffff", "\ud800\udbff\udc00\udfff", "\u3000\u00a0\u2028\x85\ufeff"]
    for _ in range(3000):  # short mixes of separators, specials and plain characters of every width
        texts.append("".join(rnd.choice(rnd.choice(pools)) for _ in range(rnd.randint(0, 40))))
    for text in texts:
        check_words(kernel, text)
        got = kernel.refined_spans(code_points(text), charsets.IS_SPECIAL)
        assert list(zip(*(a.tolist() for a in got))) == python_refined_spans(text), repr(text[:60])


def test_a_text_larger_than_the_numpy_chunks(kernel, c4):
    """~9M characters: numpy cuts refined_spans into 4M-character chunks and hashes in
    1M-character windows; the kernel does neither."""
    text = ("\n\n".join(c4) * 13)[:9_000_000]
    points = code_points(text)
    assert len(points) > 2 * charsets._SPAN_CHUNK and len(points) > 8 * hashing.WINDOW
    check_words(kernel, points, shingles=())
    starts = np.arange(2_500_000, dtype=np.int64)  # shingles over more than two windows
    check_hashes(kernel, points, starts, starts + 7)


def test_the_numpy_chunks_and_windows_and_the_kernel_s_allocations(kernel, c4, monkeypatch):
    """Small numpy chunks and windows (each text cut many times), and the kernel's two-scan and
    copy paths on ordinary texts: the same spans and hashes."""
    monkeypatch.setattr(charsets, "_SPAN_CHUNK", 1000)
    monkeypatch.setattr(hashing, "WINDOW", 500)
    monkeypatch.setattr(hashing, "_TABLES", {})  # the power table of the small window dies with it
    texts = c4[:40] + [" ".join(c4[:30]) + " " + "x" * 5000 + " tail", "😀 ab " * 3000]
    for one_pass, spare in ((1 << 20, 4096), (100, 4096), (1 << 20, 0)):
        monkeypatch.setattr(hashing, "ONE_PASS", one_pass)
        monkeypatch.setattr(hashing, "SPARE", spare)
        for text in texts:
            check_words(kernel, text, shingles=(5,))


def test_span_hashes_of_any_spans(kernel, c4):
    rnd = np.random.default_rng(3)
    text = "\n".join(c4[:20]) + " é😀中"
    ascii_text, bmp_text = text.encode("ascii", "replace").decode(), "".join(c for c in text if ord(c) < 0x10000)
    for points, dtype in zip(map(code_points, (ascii_text, bmp_text, text)), (np.uint8, np.uint16, np.uint32)):
        assert points.dtype == dtype
        n = len(points)
        # empty spans (also at both ends), with and between others
        starts = np.sort(rnd.integers(0, n + 1, 500))
        check_hashes(kernel, points, starts, starts)
        ends = np.minimum(starts + rnd.integers(0, 3, 500), n)
        check_hashes(kernel, points, starts, np.maximum.accumulate(ends))
        check_hashes(kernel, points, np.array([0, 0, n]), np.array([0, n, n]))
        # the other integer dtypes callers use for offsets
        s, e = charsets._refined_spans_numpy(points)
        for dtype in (np.int32, np.uint32, np.int64):
            check_hashes(kernel, points, s.astype(dtype), e.astype(dtype))
        # a strided slice: copied to contiguous first
        check_hashes(kernel, points[::3], s[:50] // 3, e[:50] // 3 + 1)
        # spans in any order, nested, repeated, backwards: the Python definition is the reference
        for top in (n + 1, 60):  # spread over the text, or crowded (each overlapping the one before)
            starts = rnd.integers(0, top, 3000)
            ends = np.minimum(starts + rnd.integers(0, 40, 3000), n)
            starts[::7] = np.maximum(starts[::7] - rnd.integers(0, 300, len(starts[::7])), 0)  # enclosing others
            got = kernel.span_hashes(points, starts, ends)
            assert got.tolist() == [python_hash(points, s, e) for s, e in zip(starts.tolist(), ends.tolist())]


def test_a_span_longer_than_a_window(kernel):
    rnd = np.random.default_rng(5)
    for dtype, top in ((np.uint8, 256), (np.uint16, 0x10000), (np.uint32, 0x110000)):
        points = rnd.integers(0, top, 3 * hashing.WINDOW, dtype=np.int64).astype(dtype)
        w = hashing.WINDOW
        starts = np.array([0, 1, 10, w - 1, w, w + 5, 2 * w + 3, 3 * w], dtype=np.int64)
        ends = np.array([w + 1, 2 * w + 7, 2 * w + 7, 2 * w + 8, 2 * w + 9, 3 * w, 3 * w, 3 * w], dtype=np.int64)
        check_hashes(kernel, points, starts, ends)
    assert kernel.span_hashes(points, starts[:1], ends[:1]).tolist() == [python_hash(points, 0, w + 1)]


def test_known_values_and_equal_strings_hash_equally(kernel):
    """Pinned values (the definition, in Python), so a kernel and a reference wrong the same
    way cannot agree unnoticed; a word hashes the same in every width and wherever it occurs."""
    text = "Hello, wörld! 😀 hello\tHello"
    spans = [(0, 5), (7, 12), (14, 15), (16, 21), (22, 27), (0, 0), (0, len(text))]
    starts, ends = (np.array(a, dtype=np.int64) for a in zip(*spans))
    points = code_points(text)
    want = [python_hash(points, s, e) for s, e in spans]
    assert kernel.span_hashes(points, starts, ends).tolist() == want
    assert want[0] == want[4] != want[3]
    assert want[0] == hashing.string_hashes(["Hello"])[0] == 0x1683CF5AD352C912
    for dtype in (np.uint8, np.uint16, np.uint32):
        hello = np.frombuffer("Hello".encode("ascii"), np.uint8).astype(dtype)
        assert kernel.span_hashes(hello, np.array([0]), np.array([5])).tolist() == [want[0]]
    s, e = kernel.refined_spans(points, charsets.IS_SPECIAL)
    assert list(zip(s.tolist(), e.tolist())) == [(0, 5), (7, 12), (16, 21), (22, 27)]


def test_inputs_the_kernel_leaves_to_numpy(kernel, monkeypatch):
    """Other dtypes, and spans outside the text, go to the numpy code, which answers or raises
    as it always did; for the three code-point dtypes the kernel answers."""
    points = code_points("some words here")
    s, e = charsets._refined_spans_numpy(points)
    for other in (points.astype(np.int64), points.astype(np.uint64), points.astype(">u2")):
        assert kernel.span_hashes(other, s, e) is None and kernel.refined_spans(other, charsets.IS_SPECIAL) is None
        assert np.array_equal(hashing.span_hashes(other, s, e), hashing._span_hashes_numpy(points, s, e))
        assert all(np.array_equal(a, b) for a, b in zip(charsets.refined_spans(other), (s, e)))
    n = len(points)
    for bad in (([0], [n + 1]), ([-1], [2]), ([3], [2])):
        assert kernel.span_hashes(points, *(np.array(x) for x in bad)) is None
    with pytest.raises(IndexError):
        hashing.span_hashes(points, np.array([0]), np.array([n + 1]))
    beyond = np.array([97, 0x110000, 98], dtype=np.uint32)  # not a code point: numpy's lookup raises
    assert kernel.refined_spans(beyond, charsets.IS_SPECIAL) is None
    with pytest.raises(IndexError):
        charsets.refined_spans(beyond)

    def numpy_called(*args):
        raise AssertionError("the numpy code ran where the kernel answers")

    monkeypatch.setattr(hashing, "_span_hashes_numpy", numpy_called)
    monkeypatch.setattr(charsets, "_refined_spans_numpy", numpy_called)
    for text in ("plain ascii words", "é ü", "😀 x"):
        words = Doc(text).refined_words
        assert len(words.hashes()) == len(words) > 0


def test_without_the_kernel_the_numpy_code_answers(c4, monkeypatch):
    texts = c4[:30] + ["", "😀 a😀b", "é ü", "\ud800 x"]
    with_kernel = [(w.starts, w.ends, w.hashes()) for w in (Doc(t).refined_words for t in texts)]
    calls = {"spans": 0, "hashes": 0}
    numpy_spans, numpy_hashes = charsets._refined_spans_numpy, hashing._span_hashes_numpy

    def counted_spans(points):
        calls["spans"] += 1
        return numpy_spans(points)

    def counted_hashes(points, starts, ends):
        calls["hashes"] += 1
        return numpy_hashes(points, starts, ends)

    monkeypatch.setenv("SPARKOPS_NATIVE", "0")
    monkeypatch.setattr(hashing, "_NATIVE", hashing._UNSET)  # loaded again, under the variable
    monkeypatch.setattr(charsets, "_refined_spans_numpy", counted_spans)
    monkeypatch.setattr(hashing, "_span_hashes_numpy", counted_hashes)
    assert hashing.native_spans() is None
    for t, (starts, ends, hashes) in zip(texts, with_kernel):
        words = Doc(t).refined_words
        assert np.array_equal(words.starts, starts) and np.array_equal(words.ends, ends)
        assert np.array_equal(words.hashes(), hashes)
    assert calls == {"spans": len(texts), "hashes": len(texts)}


def test_table_counts_and_word_list_hits(kernel, c4):
    """The alphanumeric and special-character counts and the word-list hits, against numpy's."""
    from sparkops.ops.quality.word_lists import listed_hashes

    listed = listed_hashes("stopwords", None, "en")
    rnd = random.Random(5)
    texts = c4[:100] + ["", "a", "😀 ü\u3000x\x00", "\ud800\udfff", "ÿĀ" * 30,
                        "".join(chr(rnd.choice([rnd.randrange(0x20, 0x7f), rnd.randrange(0x80, 0x10ffff)]))
                                for _ in range(5000))]
    for text in texts:
        points = code_points(text)
        for table in (charsets.IS_ALNUM, charsets.IS_SPECIAL):
            assert kernel.table_count(points, table) == int(np.count_nonzero(table[points])), text[:40]
        hashes = Doc(text.lower()).refined_words.hashes()
        at = np.minimum(np.searchsorted(listed, hashes), len(listed) - 1)
        assert kernel.sorted_hits(listed, hashes) == int(np.count_nonzero(listed[at] == hashes)), text[:40]
    assert sum(kernel.sorted_hits(listed, Doc(t.lower()).refined_words.hashes()) for t in c4[:100]) > 1000
    # the first and last listed values, values around them and an empty list
    ends = np.array([listed[0], listed[-1], listed[0] - np.uint64(1), listed[-1] + np.uint64(1), 0, M64], np.uint64)
    assert kernel.sorted_hits(listed, ends) == 2
    assert kernel.sorted_hits(np.zeros(0, np.uint64), ends) == 0
    # a code point beyond Unicode (not from a str): numpy's lookup raises, and so does count_in
    with pytest.raises(IndexError):
        charsets.count_in(charsets.IS_ALNUM, np.array([0x110000], np.uint32))
