"""The C kernel of language_id_score_filter gives fastText's own answers, bit for bit.

``sparkops.models.fasttext_lid.KernelTop1`` against ``fasttext.load_model(...).predict(texts,
k=1)`` on the same model: the label and the probability (as the float Python gets) must be
equal, not close: a score compared with ``min_score`` must fall on the same side."""

from __future__ import annotations

import json
import random

import pytest

from sparkops import native
from sparkops.assets import lid_model_path
from sparkops.models import fasttext_lid

pytest.importorskip("fasttext")


@pytest.fixture(scope="module")
def kernel():
    lib = native.library("fasttext_lid")
    if lib is None:
        pytest.skip("no C compiler: language_id_score_filter uses fastText itself")
    return fasttext_lid.KernelTop1(lib, str(lid_model_path()))


@pytest.fixture(scope="module")
def fasttext_model():
    return fasttext_lid.lid176()


@pytest.fixture(scope="module")
def c4(c4_path):
    return [json.loads(line)["text"] for line in c4_path.read_text(encoding="utf-8").splitlines()]


def assert_same(kernel, fasttext_model, texts):
    labels, probs = kernel.top1(texts)
    theirs_labels, theirs_probs = fasttext_lid.FastTextTop1(fasttext_model).top1(texts)
    wrong = [(i, texts[i][:60], (labels[i], probs[i]), (theirs_labels[i], theirs_probs[i]))
             for i in range(len(texts)) if (labels[i], probs[i]) != (theirs_labels[i], theirs_probs[i])]
    assert not wrong, f"{len(wrong)} of {len(texts)} differ, e.g. {wrong[:3]}"
    return labels, probs


def dj_input(text: str) -> str:
    return text.lower().replace("\n", " ")  # what language_id_score_filter hands the model


def test_real_text_in_many_languages(kernel, fasttext_model, c4, shared_data):
    texts = [dj_input(t) for t in c4]
    for name in ("wiki_sample.txt", "zh_novel_sample.txt"):
        lines = (shared_data / "web" / name).read_text(encoding="utf-8").splitlines()
        texts += [dj_input(line) for line in lines if line.strip()]
    udhr = sorted((shared_data / "lid" / "udhr").glob("*.txt"))
    for path in udhr:
        whole = path.read_text(encoding="utf-8", errors="replace")
        texts.append(dj_input(whole))
        texts += [dj_input(line) for line in whole.splitlines()[:40]]
    labels, probs = assert_same(kernel, fasttext_model, texts)
    assert len(texts) > 10_000 and len(set(labels)) > 100  # the UDHR's languages are told apart
    assert max(probs) > 0.99 and min(probs) < 0.2


def test_edge_cases(kernel, fasttext_model, c4):
    rnd = random.Random(7)
    words = " ".join(c4).split()
    texts = ["", " ", "\t\v\f\r", "\0", "a\0b", "x" * 100_000, "é" * 100_000, "😀" * 50_000, "a😀b 𝄞𝄞 🇫🇷",
             "__label__en", "__label__", "hello __label__en world", "__label__enfoo", "</s>", "a </s> b",
             "</s> bonjour le monde", "bonjour </s>", "<s>", "<>", "a", "the", "\u00a0nbsp\u00a0",
             "\u3000ideographic space", "\u2028line sep", "\x85nel", "\ufeffbom", "\U0010ffff", "z̴̡̛a̸l̷g̵o̶",
             " ".join(rnd.choice(words) for _ in range(400_000)),  # a few MB of real words
             "日本語のテキスト" * 200_000]  # one 4.8 MB word
    for _ in range(2000):  # short strings of separators, ASCII, 2-, 3- and 4-byte characters
        pool = [" \t\v\f\r\0", "abcdefghijklmnopqrstuvwxyz.,'", "éàüßçñøœ", "дияшзбω", "中文日本語한국어", "😀🎉𝄞"]
        texts.append("".join(rnd.choice(rnd.choice(pool)) for _ in range(rnd.randint(0, 40))))
    assert_same(kernel, fasttext_model, texts)


def test_a_20_mb_text():
    """The same answer for a 20 MB text of a few languages' short words (millions of rows
    averaged; the kernel also rounds the row count to a float as fastText does past 2^24,
    which no text tried here showed in the probability)."""
    lib = native.library("fasttext_lid")
    if lib is None:
        pytest.skip("no C compiler")
    kernel = fasttext_lid.KernelTop1(lib, str(lid_model_path()))
    text = "the der le of und la " * 1_000_000
    assert_same(kernel, fasttext_lid.lid176(), [text, text + " x"])


def test_a_line_break_is_refused_as_fasttext_refuses_it(kernel, fasttext_model):
    with pytest.raises(ValueError, match="one line at a time"):
        kernel.top1(["two\nlines"])
    with pytest.raises(ValueError, match="one line at a time"):
        fasttext_model.predict(["two\nlines"], k=1)


def test_without_the_kernel_fasttext_answers(monkeypatch, c4):
    monkeypatch.setenv("SPARKOPS_NATIVE", "0")
    assert native.library("fasttext_lid") is None
    monkeypatch.setattr(fasttext_lid, "models", type(fasttext_lid.models)())  # a fresh per-process cache
    assert isinstance(fasttext_lid.lid176_top1(), fasttext_lid.FastTextTop1)
    from sparkops.ops.language.language_id import predict_languages

    langs, scores = predict_languages(c4[:50])
    assert langs.count("en") > 40 and all(0 < s <= 1.0001 for s in scores)


def test_the_library_is_built_once_per_source(tmp_path, monkeypatch):
    monkeypatch.setenv("SPARKOPS_CACHE_DIR", str(tmp_path))
    first = native.library_path("fasttext_lid")
    if first is None:
        pytest.skip("no C compiler")
    assert first.parent == tmp_path / "native" and first.is_file()
    stamp = first.stat().st_mtime_ns
    assert native.library_path("fasttext_lid") == first and first.stat().st_mtime_ns == stamp
    assert not list(first.parent.glob("*.tmp")) and not list(first.parent.glob("*.c"))  # no leftovers
