"""The C kernel of MinHash dedup (sparkops/native/minhash.c) gives the numpy code's answers, bit
for bit.

``shingles.batch_shingle_hashes`` ("space" and "punctuation") and ``minhash.signatures`` use the
kernel where it can be built; their numpy code (``_batch_shingle_hashes_numpy``,
``_signatures_numpy``) is the reference and the fallback. Every comparison is exact
(``np.array_equal``, same dtype and shape, same order): a shingle or a signature value that
differed would change which documents are near-duplicates. The kernel lower-cases by a table,
which must be ``str.lower``: that is checked on every code point."""

from __future__ import annotations

import random

import numpy as np
import pytest
import regex

from sparkops.ops.dedup import minhash
from sparkops.text import shingles
from sparkops.text.shingles import batch_shingle_hashes

TOKENIZATIONS = ("space", "punctuation")
IGNORE = regex.compile(r"[0-9]+|\p{Lu}{2,}")  # deletes numbers and upper-case runs: joins words


@pytest.fixture(scope="module")
def kernel():
    k = shingles.native_minhash()
    if k is None:
        pytest.skip("no C compiler (or SPARKOPS_NATIVE=0): the numpy code answers")
    return k


@pytest.fixture(scope="module")
def real_texts(c4, shared_data):
    texts = list(c4)
    for name in ("wiki_sample.txt", "zh_novel_sample.txt"):
        lines = (shared_data / "web" / name).read_text(encoding="utf-8").splitlines()
        texts += ["\n".join(lines[i:i + 7]) for i in range(0, len(lines), 7)]  # documents of a few lines
    for path in sorted((shared_data / "lid" / "udhr").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    random.Random(3).shuffle(texts)  # every batch mixes languages, so widths
    return texts


def width(text: str) -> int:
    """Bytes a character of the text's code-point array: the kernel reads each document so."""
    if text.isascii():
        return 1
    return 2 if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text) else 4


def held_bytes(a: np.ndarray) -> int:
    """The bytes an array keeps alive: its own, or those of the array it views."""
    while a.base is not None:
        a = a.base
    return a.nbytes


def check_shingles(kernel, texts, tokenization, window, lowercase=True, ignore=None):
    where = (tokenization, window, lowercase, ignore, [t[:30] if t else t for t in texts[:3]])
    want = shingles._batch_shingle_hashes_numpy(texts, tokenization, window, lowercase, ignore)
    got = kernel.shingles(texts, tokenization, window, lowercase, ignore)
    assert got is not None, where
    for g, w, dtype in zip(got, want, (np.int64, np.uint64)):
        assert g.dtype == w.dtype == dtype, where
        assert np.array_equal(g, w), where  # same values in the same order
        assert held_bytes(g) <= 32 * len(g), where  # no room kept beyond twice what is used
    return want


def check_signatures(kernel, doc, h, n_docs, k):
    """The kernel's signatures against numpy's, by both densifications and the default cut."""
    want = minhash._signatures_numpy(doc, h, n_docs, k)
    probe, rank = minhash._probe_order(k), minhash._probe_rank_by_bin(k)
    for sparse_max in (0, k, minhash._kernel_sparse_bins(k)):
        got = kernel.signatures(doc, h, n_docs, k, probe, rank, sparse_max)
        assert got is not None, (k, sparse_max)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and g.shape == w.shape and np.array_equal(g, w), (k, sparse_max)
    assert want[0].dtype == np.uint32 and want[1].dtype == np.bool_
    return want


def test_real_documents(kernel, real_texts):
    widths = {width(t) for t in real_texts}
    assert len(real_texts) > 1000 and widths == {1, 2, 4}
    batches = [real_texts[i:i + 500] for i in range(0, len(real_texts), 500)]
    for tok in TOKENIZATIONS:
        for lowercase in (True, False):
            for batch in batches:
                doc, h = check_shingles(kernel, batch, tok, 5, lowercase)
                assert len(h) > 10 * len(batch)
                check_signatures(kernel, doc, h, len(batch), 256)
        for window in (1, 2, 13):
            check_shingles(kernel, batches[0], tok, window)
        check_shingles(kernel, batches[1], tok, 5, True, IGNORE)
        check_shingles(kernel, batches[1], tok, 3, False, IGNORE)


def test_the_batch_entry_points_use_the_kernel(kernel, c4, monkeypatch):
    def numpy_called(*args):
        raise AssertionError("the numpy code ran where the kernel answers")

    monkeypatch.setattr(shingles, "_batch_shingle_hashes_numpy", numpy_called)
    monkeypatch.setattr(minhash, "_signatures_numpy", numpy_called)
    for tok in TOKENIZATIONS:
        doc, h = batch_shingle_hashes(c4[:50], tok, 5)
        sig, has = minhash.signatures(doc, h, 50, 128)
        assert len(h) > 5000 and has.all() and sig.shape == (50, 128)


LONG = ("x" * 255, "y" * 256, "z" * 257, "w" * 511, "v" * 512, "u" * 513, "é" * 300, "😀" * 300, "AbC" * 100,
        "Ü" * 400)


def adversarial_texts(c4) -> list:
    words = " ".join(c4[:20]).split()
    rnd = random.Random(11)
    texts = [
        "", None, " ", "   \n\t ", "\u3000\u2028\x85\xa0\x1c\x1d\x1e\x1f", "one", "two words", "a b c d",
        "a b c d e", "a b c d e f", "  leading and trailing  ", "a\nb\rc\td\x0be\x0cf", "A b C d E f G",
        "a,b.c!d?e;f", "«quoted» — dash… ¿qué? ¡sí!", "word,word word", ",,, ... !!!", "😀", "😀 a😀b 😀",
        "\ud800 x \udfff y", "\ud83d\ude00 lone surrogates as a pair", "ΣΑΣ ΑΣ Σ σς ΟΔΥΣΣΕΥΣ", "İstanbul İ i̇",
        "Kelvin \u212a and Angstrom \u212b", "ǅ ǈ ǋ ǲ ᾈ ᾼ", "HeLLo WoRLD 2024 ABC123", "\u0130" * 3 + "😀",
        "中文没有空格但是有标点。这样，那样！", "日本語の文章です 漢字とかなと😀",
        "x" * 255 + " " + "y" * 256 + " " + "z" * 257, "a " + "b" * 600 + " c d e", "b" * 600,
        "a b " + "c" * 300 + ",d", " ".join(LONG), "".join(LONG), "Σ" * 300 + "Ω😀" * 200 + " ΑΣ", "😀" * 700,
        "\ud800" * 260 + " ok", " ".join(rnd.choice(words) for _ in range(3000)),
    ]
    texts += [" ".join(rnd.sample(words, n)) for n in (1, 2, 3, 4, 5, 6, 12, 13, 14)]
    return texts


@pytest.mark.parametrize("tokenization", TOKENIZATIONS)
def test_adversarial_batches(kernel, c4, tokenization):
    texts = adversarial_texts(c4)
    assert {width(t) for t in texts if t} == {1, 2, 4}
    for window in (1, 2, 5, 13):
        for lowercase in (True, False):
            check_shingles(kernel, texts, tokenization, window, lowercase)
            for text in texts:  # a batch of one
                check_shingles(kernel, [text], tokenization, window, lowercase)
        check_shingles(kernel, texts, tokenization, window, True, IGNORE)
    for batch in ([], [None], [None, "", "  "], ["only"], [None] * 3 + ["a b c d e f"] + [""] * 2):
        check_shingles(kernel, batch, tokenization, 5)
    check_shingles(kernel, texts, tokenization, 10_000)  # every document short: one shingle each


def test_megabyte_documents(kernel, c4):
    words = " ".join(c4).split()
    rnd = random.Random(5)
    text = " ".join(rnd.choice(words) for _ in range(200_000))[:1 << 20]
    assert len(text) == 1 << 20
    dense = "a b " * (1 << 18)  # a token every other character: more shingles than the kernel first allows
    texts = [text, text.upper() + "😀", "x" * (1 << 20), dense, " " * (1 << 20), "ab" + "\u3000" * (1 << 20)]
    for tok in TOKENIZATIONS:
        for window in (1, 5):
            check_shingles(kernel, texts, tok, window)
        check_shingles(kernel, [dense], tok, 2, False)


def test_the_lower_case_table_is_str_lower():
    """``str.lower`` maps each character alone, but the capital sigma (final sigma) and U+0130
    (two characters), which the wrapper lowers with Python; lowering twice changes nothing."""
    table = shingles._lower_table()
    points = np.arange(0x110000)
    lowered = [chr(c).lower() for c in range(0x110000)]
    assert [c for c, s in enumerate(lowered) if len(s) != 1] == [0x130]
    single = np.array([ord(s) if len(s) == 1 else c for c, s in enumerate(lowered)])
    special = np.isin(points, shingles._LOWERED_BY_PYTHON)
    assert np.array_equal(table[~special], single[~special])
    assert np.array_equal(table[special], points[special])
    assert np.array_equal(table[table], table)  # lowering twice: the same
    assert not np.isin(table[~special], shingles._LOWERED_BY_PYTHON).any()  # never produced

    def by_table(text):
        return "".join(chr(table[ord(c)]) for c in text)

    assert by_table("Straße ǅ ΑΒΓ ΚΑΙ \u212a") == "Straße ǅ ΑΒΓ ΚΑΙ \u212a".lower() == "straße ǆ αβγ και k"
    for text in ("ΟΔΥΣΣΕΥΣ Σ ΑΣ.", "İi", "Σ"):  # lowered by Python first, then by the table
        assert by_table(text.lower()) == text.lower() != by_table(text)


def test_the_separator_tables_are_the_numpy_ones():
    every = np.arange(0x110000, dtype=np.uint32)
    space = shingles._is_space(every)
    assert np.array_equal(shingles._separators("space"), space)
    assert np.array_equal(shingles._separators("punctuation"), space | shingles._punctuation_table())


@pytest.mark.parametrize("k", [1, 2, 3, 64, 128, 256, 1024, 2048])
def test_signatures_of_every_document_shape(kernel, c4, k):
    rnd = np.random.default_rng(k)
    # documents of 0, 1, a few, about k and many shingles, empty ones between and at the end
    sizes = [0, 1, 0, 2, 3, 5, k // 2, k - 1, k, k + 1, 3 * k, 40 * k, 0, 1, 7, 0, 0]
    doc = np.repeat(np.arange(len(sizes)), sizes)
    h = rnd.integers(0, 1 << 63, len(doc), dtype=np.int64).astype(np.uint64) * np.uint64(3)
    h[1::4] = h[0::4][:len(h[1::4])]  # repeated shingles
    check_signatures(kernel, doc, h, len(sizes), k)
    order = rnd.permutation(len(doc))  # documents in any order, as batch_shingle_hashes gives them
    sig, has = check_signatures(kernel, doc[order], h[order], len(sizes), k)
    assert has.tolist() == [n > 0 for n in sizes]
    assert not sig[~has].any()  # rows without shingles: numpy's empty marker cast to uint32
    assert len(set(sig[1].tolist())) == 1  # one shingle: every bin copies it
    check_signatures(kernel, doc.astype(np.int32), h, len(sizes), k)  # other index dtypes
    check_signatures(kernel, doc, h, len(sizes) + 5, k)
    check_signatures(kernel, doc[:0], h[:0], 0, k)
    check_signatures(kernel, doc[:0], h[:0], 3, k)
    texts = c4[:60] + ["Thanks!", "See you soon", "a b c d e f g", "", None]
    check_signatures(kernel, *batch_shingle_hashes(texts), len(texts), k)


M64 = (1 << 64) - 1


def unmix64(x: int) -> int:
    """The shingle hash that ``mix64`` turns into x (splitmix64's finaliser is a bijection)."""
    def unshift(y, s):
        out = y
        for _ in range(64 // s):
            out = y ^ (out >> s)
        return out

    x = unshift(x, 31) * pow(0x94D049BB133111EB, -1, 1 << 64) & M64
    x = unshift(x, 27) * pow(0xBF58476D1CE4E5B9, -1, 1 << 64) & M64
    return unshift(x, 30)


@pytest.mark.parametrize("k", [3, 256, 1000, 1024])
def test_bins_at_their_boundaries(kernel, k):
    """Mixed hashes whose high half is the first or last of a bin: a bin formula off by one
    rounding would move them (random hashes meet a boundary once in 2**32 / K)."""
    rnd = random.Random(k)
    high = sorted({-(-m * (1 << 32) // k) + d for m in rnd.sample(range(1, k), min(k - 1, 300)) for d in (-1, 0)})
    mixed = [(hi << 32) | rnd.getrandbits(32) for hi in high]
    h = np.array([unmix64(x) ^ int(minhash._SEED) for x in mixed] * 2, dtype=np.uint64)
    assert np.array_equal(shingles.mix64(h[:len(mixed)] ^ minhash._SEED), np.array(mixed, dtype=np.uint64))
    h[len(mixed):] = h[len(mixed) - 1::-1]  # each document: a boundary hash and another
    doc = np.tile(np.arange(len(mixed)), 2)
    check_signatures(kernel, doc, h, len(mixed), k)


def test_inputs_the_kernel_leaves_to_numpy(kernel, c4):
    """Documents beyond n_docs, other dtypes, character shingles and windows below 1 go to the
    numpy code, which answers or raises as it always did."""
    doc, h = batch_shingle_hashes(c4[:5])
    probe, rank = minhash._probe_order(64), minhash._probe_rank_by_bin(64)
    for bad_doc, bad_h, n in ((doc, h, 4), (doc - 1, h, 5), (doc, h.astype(np.int64), 5), (doc, h.astype(float), 5),
                              (doc.astype(float), h, 5), (doc[1:], h, 5)):
        assert kernel.signatures(bad_doc, bad_h, n, 64, probe, rank, 10) is None
    assert kernel.signatures(doc, h, 5, 64, probe.astype(np.int64), rank, 10) is None
    assert kernel.signatures(doc, h, 5, 64, probe, rank.astype(np.uint16), 10) is not None
    assert kernel.signatures(doc, h, 5, 64, probe, rank.astype(np.int64), 10) is None
    with pytest.raises(IndexError):
        minhash.signatures(doc, h, 4, 64)
    for tok, window in (("character", 5), ("word", 5), ("space", 0), ("space", 2.0)):
        assert kernel.shingles(c4[:5], tok, window, True, None) is None
    want = shingles._batch_shingle_hashes_numpy(c4[:5], "word", 5, True, None)  # as "space", as before
    assert all(np.array_equal(a, b) for a, b in zip(batch_shingle_hashes(c4[:5], "word", 5), want))


def test_without_the_kernel_the_numpy_code_answers(c4, monkeypatch):
    texts = c4[:40] + ["", None, "😀 a😀b", "ΣΑΣ", "\ud800 x", "a b"]
    runs = [(tok, w, low, ign) for tok in TOKENIZATIONS for w, low, ign in ((5, True, None), (2, False, IGNORE))]
    with_kernel = [batch_shingle_hashes(texts, *run) for run in runs]
    with_kernel_sig = [minhash.signatures(*s, len(texts), k) for s in with_kernel[:2] for k in (3, 256)]
    calls = {"shingles": 0, "signatures": 0}
    numpy_shingles, numpy_signatures = shingles._batch_shingle_hashes_numpy, minhash._signatures_numpy

    def counted_shingles(*args):
        calls["shingles"] += 1
        return numpy_shingles(*args)

    def counted_signatures(*args):
        calls["signatures"] += 1
        return numpy_signatures(*args)

    monkeypatch.setenv("SPARKOPS_NATIVE", "0")
    monkeypatch.setattr(shingles, "_NATIVE", shingles._UNSET)  # loaded again, under the variable
    monkeypatch.setattr(shingles, "_batch_shingle_hashes_numpy", counted_shingles)
    monkeypatch.setattr(minhash, "_signatures_numpy", counted_signatures)
    assert shingles.native_minhash() is None
    for run, want in zip(runs, with_kernel):
        got = batch_shingle_hashes(texts, *run)
        assert all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want))
    sigs = [minhash.signatures(*s, len(texts), k) for s in with_kernel[:2] for k in (3, 256)]
    for got, want in zip(sigs, with_kernel_sig):
        assert all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want))
    assert calls == {"shingles": len(runs), "signatures": 4}
