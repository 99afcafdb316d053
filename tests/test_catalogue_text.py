"""Data-Juicer 1.6.1's text cleaning mappers, chinese_convert_mapper, suffix_filter and
token_num_filter against Data-Juicer itself.

``tests/fixtures/dj_catalogue_text.json.gz`` holds what Data-Juicer's own ops output for every
case of ``catalogue_text_corpus`` over the parity corpus plus hand-written documents
(``tools/dj_parity/gen_catalogue_text_fixture.py``): our kernels must give the same text,
document by document, and suffix_filter the same decisions except where its notes say.
``tests/fixtures/dj_catalogue_tokens.json.gz`` holds Data-Juicer's TokenNumFilter counts with the
tokenizer our default loads (``tools/dj_parity/gen_catalogue_tokens_fixture.py``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import catalogue_text_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import MISSING

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_catalogue_text.json.gz"


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def docs(dj, shared_data):
    import hashlib

    from parity_corpus import documents

    out = documents() + corpus.EXTRA_DOCS
    assert [d for d, _ in out] == dj["doc_ids"], "the corpus changed: regenerate the fixture"
    digest = "\0".join(hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in out)
    assert hashlib.sha256(digest.encode()).hexdigest() == dj["doc_sha256"], "texts changed: regenerate"
    return out


@pytest.fixture(scope="module")
def traditional(dj, docs):
    convert = bind({"chinese_convert_mapper": {"mode": corpus.TRADITIONAL_FROM}})
    chinese = [(d, t) for d, t in docs if corpus.is_chinese(d)]
    assert [d for d, _ in chinese] == dj["traditional_ids"]
    return [(d, out) for (d, _), out in zip(chinese, convert.apply([t for _, t in chinese]))]


def _cases():
    return [pytest.param(i, id=corpus.case_id(c)) for i, c in enumerate(corpus.MAPPER_CASES)]


@pytest.mark.parametrize("index", _cases())
def test_mapper_matches_data_juicer(dj, docs, traditional, index):
    case = corpus.MAPPER_CASES[index]
    entry = dj["mappers"][index]
    assert entry["id"] == corpus.case_id(case) and not entry["errors"]
    inputs = traditional if case.get("input") == "traditional" else docs
    bound = bind({case["op"]: case["params"]})
    ours = bound.apply([t for _, t in inputs])
    wrong = [(d, want, corpus.encode_output(t, got)) for (d, t), got, want in zip(inputs, ours, entry["output"])
             if corpus.encode_output(t, got) != want]
    assert not wrong, f"{len(wrong)} documents differ, e.g. {wrong[:3]}"


@pytest.mark.parametrize("index", range(len(corpus.SUFFIX_CASES)))
def test_suffix_filter_matches_data_juicer(dj, index):
    case = corpus.SUFFIX_CASES[index]
    entry = dj["suffix"]["cases"][index]
    assert entry["params"] == case["params"]
    recs = corpus.suffix_records()
    pipe = Pipeline([bind({"suffix_filter": case["params"]})])
    values = [r.get(corpus.SUFFIX_KEY, MISSING) for r in recs]
    got = pipe.run([r["text"] for r in recs], {corpus.SUFFIX_KEY: values})
    for rec, value, want, kept, why in zip(recs, values, entry["keep"], got.keep, got.dropped_by):
        if value is MISSING:  # the row contract: dropped with a reason (Data-Juicer raises or keeps)
            assert not kept and why.startswith("missing_field:suffix_filter")
            assert want is True if not case["params"].get("suffixes") else want.startswith("KeyError")
        elif value is None:  # likewise (Data-Juicer judges None as a suffix no list holds)
            assert not kept and why.startswith("wrong_type:suffix_filter")
            assert want is (not case["params"].get("suffixes") or bool(case["params"].get("reversed_range")))
        else:
            assert kept == want, (rec, case)


@pytest.mark.parametrize("entry, message", [
    ({"replace_content_mapper": {"pattern": ["a", "b"], "repl": ["x"]}}, r"'repl' has 1 item\(s\) for 2 pattern"),
    ({"replace_content_mapper": {"pattern": "(unclosed"}}, r"'pattern' is not a valid regular expression"),
    ({"replace_content_mapper": {"pattern": ["ok", "(bad"]}}, r"'pattern' item 1 is not a valid"),
    ({"remove_long_words_mapper": {"min_len": 5, "max_len": 2}}, r"'min_len' \(5\) is greater than 'max_len'"),
    ({"remove_words_with_incorrect_substrings_mapper": {"lang": "xx", "tokenization": True}}, r"lang 'xx' has no"),
    ({"chinese_convert_mapper": {"mode": "s2x"}}, r"'mode' must be one of"),
    ({"remove_specific_chars_mapper": {"chars_to_remove": 5}}, r"'chars_to_remove' must be str\|list\[str\]"),
    ({"suffix_filter": {"suffixes": [1]}}, r"'suffixes' must be str\|list\[str\]"),
    ({"token_num_filter": {"hf_tokenizer": "/no/such/tokenizer.json"}}, r"'hf_tokenizer' '/no/such/tokenizer.json'"),
])
def test_wrong_parameters_are_refused(entry, message):
    with pytest.raises(OpError, match=message):
        bind(entry)


def test_odd_texts_do_not_crash():
    odd = ["", " ", "\n\n", "\ud800 lone", "a" * 100_000, "\t", "/*", "*/", "/**/"]
    for name in ("remove_non_chinese_character_mapper", "remove_specific_chars_mapper", "replace_content_mapper",
                 "remove_long_words_mapper", "remove_words_with_incorrect_substrings_mapper",
                 "clean_copyright_mapper", "chinese_convert_mapper"):
        out = bind({name: {}}).apply(odd)
        assert len(out) == len(odd) and all(isinstance(t, str) for t in out)
    assert bind({"clean_copyright_mapper": {}}).apply(["/**/"]) == ["/**/"]  # no "copyright" inside


@pytest.mark.spark
def test_ops_on_a_dataframe(spark, docs):
    import sparkops

    chinese = [t for d, t in docs if d.startswith("alpaca_zh:")][:20]
    df = spark.createDataFrame([(t, ".json") for t in chinese] + [("x", ".txt")], "text string, __dj__suffix__ string")
    out = sparkops.apply(df, [{"suffix_filter": {"suffixes": ".json"}},
                              {"chinese_convert_mapper": {"mode": "s2t"}},
                              {"remove_specific_chars_mapper": {"chars_to_remove": "，"}},
                              "clean_copyright_mapper"]).collect()
    want = bind({"chinese_convert_mapper": {}}).apply(chinese)
    assert sorted(r.text for r in out) == sorted(t.replace("，", "") for t in want)


TOKENS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_catalogue_tokens.json.gz"


def test_token_num_filter_matches_data_juicer(docs):
    """Data-Juicer's TokenNumFilter pointed at the tokenizer.json our default loads (transformers
    4.57.1's PreTrainedTokenizerFast): the same count on every document, the same decisions."""
    import hashlib

    from sparkops.ops.quality.token_num import tokenizer_file
    from sparkops.text.doc import Doc

    tok = json.loads(gzip.decompress(TOKENS_FIXTURE.read_bytes()))
    assert tok["doc_ids"] == [d for d, _ in docs]
    path = tokenizer_file("wordllama", "test")
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == tok["tokenizer_sha256"]
    assert tok["tokenizer_class"] == "PreTrainedTokenizerFast"
    bound = bind({"token_num_filter": {}})
    ours = bound.compute([Doc(t) for _, t in docs])["num_token"]
    wrong = [(d, a, b) for (d, _), a, b in zip(docs, ours, tok["num_token"]) if a != b]
    assert not wrong, f"{len(wrong)} counts differ, e.g. {wrong[:5]}"
    got = Pipeline([bound]).run([t for _, t in docs])
    assert got.keep == tok["keep"]


def test_token_num_filter_tokenizer_choices(tmp_path):
    from sparkops.ops.quality.token_num import wordllama_tokenizer_file

    with pytest.raises(OpError, match=r"'hf_tokenizer' 'EleutherAI/pythia-6.9b-deduped' is neither"):
        bind({"token_num_filter": {"hf_tokenizer": "EleutherAI/pythia-6.9b-deduped"}})
    folder = tmp_path / "tok"
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes(wordllama_tokenizer_file().read_bytes())
    by_folder = bind({"token_num_filter": {"hf_tokenizer": str(folder)}})
    hub = tmp_path / "hub" / "models--org--name"
    (hub / "snapshots" / "abc").mkdir(parents=True)
    (hub / "refs").mkdir()
    (hub / "refs" / "main").write_text("abc")
    (hub / "snapshots" / "abc" / "tokenizer.json").write_bytes(wordllama_tokenizer_file().read_bytes())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
        by_hub = bind({"token_num_filter": {"hf_tokenizer": "org/name"}})
    from sparkops.text.doc import Doc

    docs = [Doc("Hello world, how are you?")]
    assert by_folder.compute(docs) == by_hub.compute(docs) == {"num_token": [7]}


def test_block_comment_search_is_data_juicers_regex():
    """The linear search finds the span Data-Juicer's regex finds, on every short string of
    '/', '*', 'a', 'C' and a newline, and on inputs where the regex is quadratic."""
    import itertools
    import random

    import regex

    from sparkops.ops.cleaning.copyright import BLOCK_COMMENT, first_block_comment

    pattern = regex.compile(BLOCK_COMMENT)

    def want(text):
        m = pattern.search(text)
        return m.span() if m else None

    for n in range(1, 8):
        for chars in itertools.product("/*a\n", repeat=n):
            text = "".join(chars)
            assert first_block_comment(text) == want(text), text
    rng = random.Random(25)
    for _ in range(3000):
        text = "".join(rng.choice(["/", "*", "a", "/*", "*/", "C", "\n", "**"]) for _ in range(rng.randint(0, 40)))
        assert first_block_comment(text) == want(text), text
    assert first_block_comment("/*a" * 100_000) is None
    assert first_block_comment("/*a" * 100_000 + "*/") == (0, 300_002)
