"""nlpaug_en_mapper and nlpcda_zh_mapper against Data-Juicer 1.6.1 itself.

``tests/fixtures/dj_augment.json.gz`` (``tools/dj_parity/gen_augment_fixture.py``) holds the rows
Data-Juicer's ops made from each document of ``tests/augment_corpus.py``, one document per call,
with Python's and NumPy's global generators seeded with sparkops' per-row seed just before. Needs
the ``augment`` extra (nlpaug, nlpcda): skipped without it.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

pytest.importorskip("nlpaug", reason="the `augment` extra (nlpaug, nlpcda) is not installed")
pytest.importorskip("nlpcda", reason="the `augment` extra (nlpaug, nlpcda) is not installed")

import numpy as np  # noqa: E402

import augment_corpus as corpus  # noqa: E402
from sparkops.core import OpError, bind  # noqa: E402
from sparkops.ops.augment.seeding import row_seed  # noqa: E402

FIXTURE = json.loads(gzip.decompress((Path(__file__).parent / "fixtures" / "dj_augment.json.gz").read_bytes()))
LANG = {"nlpaug_en_mapper": "en", "nlpcda_zh_mapper": "zh"}


def _bound(case):
    return bind({case["op"]: dict(case["params"], seed=corpus.SEED)})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fixture_pins_the_corpus_and_seed(lang):
    import hashlib

    assert FIXTURE["data_juicer"] == "1.6.1" and FIXTURE["seed"] == corpus.SEED
    ours = {i: hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for i, t in corpus.documents(lang)}
    assert ours == FIXTURE["docs"][lang]
    assert row_seed(corpus.SEED, "abc") == corpus.row_seed(corpus.SEED, "abc")


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["id"])
def test_rows_equal_data_juicer(case):
    """Every document's output rows, in order, as Data-Juicer made them with the same seed."""
    docs = corpus.documents(LANG[case["op"]])
    got = _bound(case).expand([t for _, t in docs])
    for (doc_id, _), rows in zip(docs, got):
        assert corpus.digest(rows) == case["rows"][doc_id], doc_id


def test_a_rows_output_depends_only_on_its_text_and_seed():
    """Same rows whatever the batch, order or global generator state; the globals are restored."""
    op = bind({"nlpaug_en_mapper": {"delete_random_char": True, "ocr_error_char": True, "aug_num": 2, "seed": 3}})
    texts = [t for _, t in corpus.documents("en")][:6]
    alone = [op.expand([t])[0] for t in texts]
    random.seed(123)
    np.random.seed(123)
    before = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    assert op.expand(list(reversed(texts))) == list(reversed(alone))
    assert (random.random(), np.random.random()) == before  # the op left the globals as they were
    other = bind({"nlpaug_en_mapper": {"delete_random_char": True, "ocr_error_char": True, "aug_num": 2, "seed": 4}})
    assert other.expand(texts) != alone


def test_every_row_is_augmented_where_data_juicer_augments_only_the_first_of_a_batch():
    quirk = FIXTURE["dj_batch_quirk"]
    texts = quirk["input"]
    # Data-Juicer: the three originals, then the copies of the first text only
    assert quirk["output"]["text"][:3] == texts and len(quirk["output"]["text"]) == 4
    got = bind({"nlpcda_zh_mapper": {"replace_equivalent_num": True}}).expand(texts)
    assert [rows[0] for rows in got] == texts
    assert all(len(rows) == 2 and rows[1] != rows[0] for rows in got)


def test_edges_and_bad_parameters():
    assert bind({"nlpaug_en_mapper": {"swap_random_char": True}}).expand(["", "  "])[0] == [""]
    assert bind({"nlpaug_en_mapper": {}}).expand(["a b"]) == [["a b"]]
    assert bind({"nlpaug_en_mapper": {"keep_original_sample": False}}).expand(["a b"]) == [[]]
    assert bind({"nlpcda_zh_mapper": {"keep_original_sample": False, "delete_random_char": True}}).expand([""]) == [[]]
    for op in ("nlpaug_en_mapper", "nlpcda_zh_mapper"):
        with pytest.raises(OpError, match="aug_num"):
            bind({op: {"aug_num": 0}})
        with pytest.raises(OpError):
            bind({op: {"no_such_flag": True}})


@pytest.mark.spark
def test_spark_rows_repeat_the_other_fields(spark):
    from sparkops.core.row import DROPPED_BY, KEEP
    from sparkops.spark.fusion import stage_pass

    docs = corpus.documents("zh")[:4] + [("edge:blank", "  \n\t ")]
    df = spark.createDataFrame([(i, t) for i, t in docs], "id string, text string")
    process = [{"nlpcda_zh_mapper": {"replace_similar_word": True, "delete_random_char": True, "aug_num": 2,
                                     "keep_original_sample": False, "seed": corpus.SEED}}]
    out = stage_pass(df, process).collect()
    kept = [(r.id, r.text) for r in out if r[KEEP]]
    expected = bind(process[0]).expand([t for _, t in docs])
    assert sorted(kept) == sorted((i, t) for (i, _), rows in zip(docs, expected) for t in rows)
    rejected = {r.id: r[DROPPED_BY] for r in out if not r[KEEP]}
    assert rejected == {i: "nlpcda_zh_mapper:no_augmented_text" for (i, _), rows in zip(docs, expected) if not rows}
    assert "edge:blank" in rejected
