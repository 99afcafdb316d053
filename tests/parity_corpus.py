"""Deterministic corpus and case list for the Data-Juicer parity fixture.

Standard library only: this module is imported both by the Data-Juicer venv
(``tools/dj_parity/gen_fixture.py``, which writes ``tests/fixtures/dj_parity.json.gz``)
and by our own pytest suite, which re-runs the same cases with sparkops' kernels and
compares them with Data-Juicer's numbers.

Documents come from the real files under ``../shared/data`` (relative to the project
root, i.e. the folder holding ``pyproject.toml``) plus hand-written edge cases. Every
document has a unique, stable id ``<source>:<key>``:

==================  =====================================================  =====
id                  text                                                   count
==================  =====================================================  =====
``c4:<line>``       ``web/c4_sample.jsonl`` ``text``, 0-based line          300
``wiki:<line>``     ``web/wiki_sample.txt``, one article per line           30
``zh_novel:<k>``    ``web/zh_novel_sample.txt`` chunk k of 120 runs of       120
                    consecutive lines (file is UTF-8 whose *content* holds
                    GBK mojibake such as ``崐``; decoded strictly as UTF-8,
                    CRLF line endings kept as-is)
``udhr:<stem>``     whole ``lid/udhr/<stem>.txt`` (UTF-8), every 2nd file   194
                    of the sorted listing
``alpaca_en:<i>``   ``sft/alpaca_en_demo.json`` record i ``output``          80
``alpaca_zh:<i>``   ``sft/alpaca_zh_demo.json`` record i ``output``          80
``sharegpt_zh:<line>:<turn>``  ``sft/sharegpt_zh_1k.jsonl`` conversation       80
                    value (all values flattened in file order, then spread)
``hh_rlhf:<line>``  ``sft/hh_rlhf_harmless_test.jsonl.gz`` ``chosen``         80
``gsm8k:<line>``    ``sft/gsm8k_test.jsonl`` ``answer``                       60
``presidio:<i>``    ``pii/presidio_synth_dataset_v2.json`` ``full_text``:     150
                    every record with an EMAIL_ADDRESS / IP_ADDRESS /
                    DOMAIN_NAME span, topped up with an even spread of the
                    others
``trafilatura:<file stem>``  raw HTML of ``html/trafilatura/pages/*.html.gz``   10
                    (gunzip, UTF-8 with errors='replace'), even spread of
                    the sorted listing
``edge:<name>``     hand-written edge cases (``EDGE_CASES``)
==================  =====================================================  =====

"Even spread" of n items out of a sequence s means ``s[i * len(s) // n]`` for i in
range(n). Documents are returned in the order of the table above.

``CASES`` lists the Data-Juicer operator configurations the fixture covers. Word-list
directories (``stopwords_dir`` / ``flagged_words_dir``) are not part of ``params``;
the generator adds them.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from functools import lru_cache
from pathlib import Path


def _find_project_root() -> Path:
    here = Path(__file__).resolve().parent
    for cand in (here, *here.parents):
        if (cand / "pyproject.toml").is_file():
            return cand
    raise RuntimeError(f"no pyproject.toml above {here}")


PROJECT_ROOT = _find_project_root()
SHARED_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA") or PROJECT_ROOT / ".." / "shared" / "data").resolve()

# sizes of the per-source samples (see module docstring)
N_ZH_NOVEL_CHUNKS = 120
UDHR_STEP = 2
N_ALPACA_EN = 80
N_ALPACA_ZH = 80
N_SHAREGPT_ZH = 80
N_HH_RLHF = 80
N_GSM8K = 60
N_PRESIDIO = 150
N_TRAFILATURA = 10

_PII_ENTITIES = ("EMAIL_ADDRESS", "IP_ADDRESS", "DOMAIN_NAME")


def _spread(seq, n):
    """n items evenly spread over seq (all of seq if it is not longer than n)."""
    if len(seq) <= n:
        return list(seq)
    return [seq[i * len(seq) // n] for i in range(n)]


def _read_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------- sources


def _c4():
    for i, rec in enumerate(_read_jsonl(SHARED_DATA / "web" / "c4_sample.jsonl")):
        yield f"c4:{i}", rec["text"]


def _wiki():
    text = (SHARED_DATA / "web" / "wiki_sample.txt").read_bytes().decode("utf-8")
    for i, line in enumerate(text.split("\n")):
        if line:
            yield f"wiki:{i}", line


def _zh_novel():
    # The file is valid UTF-8 (GBK/GB18030 decoding fails); the mojibake is in the
    # content. Lines are split on "\n" only, so the "\r" of CRLF stays in the text.
    text = (SHARED_DATA / "web" / "zh_novel_sample.txt").read_bytes().decode("utf-8")
    lines = text.split("\n")
    n = N_ZH_NOVEL_CHUNKS
    bounds = [k * len(lines) // n for k in range(n + 1)]
    for k in range(n):
        yield f"zh_novel:{k}", "\n".join(lines[bounds[k]:bounds[k + 1]])


def _udhr():
    files = sorted((SHARED_DATA / "lid" / "udhr").glob("*.txt"), key=lambda p: p.name)
    for p in files[::UDHR_STEP]:
        yield f"udhr:{p.stem}", p.read_bytes().decode("utf-8")


def _alpaca(lang, n):
    with open(SHARED_DATA / "sft" / f"alpaca_{lang}_demo.json", encoding="utf-8") as f:
        recs = json.load(f)
    for i in _spread(range(len(recs)), n):
        yield f"alpaca_{lang}:{i}", recs[i]["output"]


def _sharegpt_zh():
    values = []
    for line_no, rec in enumerate(_read_jsonl(SHARED_DATA / "sft" / "sharegpt_zh_1k.jsonl")):
        for turn, msg in enumerate(rec["conversations"]):
            values.append((f"sharegpt_zh:{line_no}:{turn}", msg["value"]))
    yield from _spread(values, N_SHAREGPT_ZH)


def _hh_rlhf():
    recs = _read_jsonl(SHARED_DATA / "sft" / "hh_rlhf_harmless_test.jsonl.gz")
    for i in _spread(range(len(recs)), N_HH_RLHF):
        yield f"hh_rlhf:{i}", recs[i]["chosen"]


def _gsm8k():
    recs = _read_jsonl(SHARED_DATA / "sft" / "gsm8k_test.jsonl")
    for i in _spread(range(len(recs)), N_GSM8K):
        yield f"gsm8k:{i}", recs[i]["answer"]


def _presidio():
    with open(SHARED_DATA / "pii" / "presidio_synth_dataset_v2.json", encoding="utf-8") as f:
        recs = json.load(f)
    pii = [i for i, r in enumerate(recs) if any(s["entity_type"] in _PII_ENTITIES for s in r["spans"])]
    pii = _spread(pii, N_PRESIDIO)
    taken = set(pii)
    rest = [i for i in range(len(recs)) if i not in taken]
    chosen = sorted(pii + _spread(rest, N_PRESIDIO - len(pii)))
    for i in chosen:
        yield f"presidio:{i}", recs[i]["full_text"]


def _trafilatura():
    files = sorted((SHARED_DATA / "html" / "trafilatura" / "pages").glob("*.html.gz"), key=lambda p: p.name)
    for p in _spread(files, N_TRAFILATURA):
        stem = p.name[: -len(".html.gz")]
        yield f"trafilatura:{stem}", gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- edge cases

_TEN_WORDS = "one two three four five six seven eight nine ten"
_HUNDRED_WORDS = " ".join(f"w{i}" for i in range(100))
# characters taken from Data-Juicer's OTHER_SPECIAL_CHARACTERS list
_DJ_SPECIALS = "’“”–ー一▬…✦�­£•€«»°·═×士＾˘⇓↓↑←→（）§″′´¿−±∈¢ø‚„½¼¾¹²³―⁃，ˌ¸‹›ʺˈʻ¦‐⠀‰‑≤≥‖◆●■►▼▲"

EDGE_CASES: list[tuple[str, str]] = [
    ("empty", ""),
    ("space", " "),
    ("newline", "\n"),
    ("newlines3", "\n\n\n"),
    ("mixed_ws", "\t \u3000 \u00a0"),
    ("single_char", "a"),
    ("emoji_grin", "\U0001F600\U0001F600\U0001F600"),
    ("emoji_skin_tone", "\U0001F44D\U0001F3FD"),
    ("emoji_flags", "\U0001F1FA\U0001F1F8\U0001F1FA\U0001F1F8"),
    ("emoji_zwj_family", "\U0001F468\u200d\U0001F469\u200d\U0001F467"),
    ("emoji_in_text", "I love it \U0001F60D\U0001F60D so much!!! \U0001F44D\U0001F3FD\U0001F44D\U0001F3FD great"),
    ("zero_width", "zero\u200bwidth\u200cjoin\u200dword\u2060joiner\ufeffbom \u200b \u200b"),
    ("bom_start", "\ufeffText that starts with a byte order mark."),
    ("crlf", "First line here.\r\nSecond line here.\r\nFirst line here.\r\n"),
    ("cr_only", "one line\rtwo line\rthree line"),
    ("line_sep_u2028", "alpha beta\u2028gamma delta\u2029epsilon zeta"),
    ("nel_u0085", "alpha\u0085beta\x84gamma\x0bdelta\x0cepsilon\x1czeta\x1dkappa\x1elambda"),
    ("control_chars", "a\x00b\x07c\x1b[31mred\x1b[0m d\x7fe"),
    ("tabs", "col1\tcol2\t\tcol3\n\tindented line\n\t\t"),
    ("trailing_ws", "   leading and trailing spaces   \n   "),
    ("mojibake_mona", "The Mona Lisa doesn\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2t have eyebrows."),
    ("mojibake_mix",
     "\u00c3\u00a9t\u00c3\u00a9 \u00e2\u0080\u009cquoted\u00e2\u0080\u009d caf\u00c3\u00a9 &amp; &lt;3 "
     "\ufb01ne \uff21\uff22\uff23\uff11\uff12\uff13 e\u0301 A\u030a \u2460"),
    ("repeat_zh", "你好。你好。世界！你好。世界！\n你好。再见？再见？"),
    ("repeat_en", "Hello. Hello! hello. World... World... Hello.\nHello. world!"),
    ("repeat_quotes",
     "He said \u201cStop.\u201d He said \u201cStop.\u201d \u2018Fine.\u2019 \u2018Fine.\u2019 "
     "It\u2019s done. It\u2019s done."),
    ("repeat_lines", "same line here\nsame line here\nsame line here\nother\n\nsame line here\n"),
    ("repeat_ellipsis", "Wait\u2026\u2026 wait\u2026\u2026 Wait...... wait...... ok. OK."),
    ("repeat_short", "Hi. Hi. Hi. Okay. Okay. Sure thing. sure thing! Sure thing?"),
    ("emails",
     "Contact a@b.co,x or john.doe+tag@Example.COM; x@y.z <foo_bar@sub.mail-host.org>. "
     "Bad: @nouser.com, user@, USER@UPPER.COM,\u7535\u90ae\uff1aw\u00e4ng@m\u00fcnchen.de"),
    ("ipv4",
     "Hosts 192.168.0.1, 10.0.0.256, 255.255.255.255, 0.0.0.0, 01.02.03.004, "
     "1.2.3.4.5, v1.2.3 and 300.1.1.1:8080"),
    ("ipv6",
     "fe80:0:0:0:202:b3ff:fe1e:8329 and 2001:db8::1 and "
     "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789:1 inline[2001:0db8:85a3:0000:0000:8a2e:0370:7334]"),
    ("urls",
     "see https://x.y/(a) and (www.example.com) or ftp://h/p, mailto:me@x.org, "
     "http://\u4f8b\u5b50.\u6d4b\u8bd5/\u8def\u5f84?q=1#f. bare example.org/path and a.b."),
    ("url_punct",
     "Links: <https://a.b/c>, \"http://q.com/x\". [https://w.org/wiki/Foo_(bar)] "
     "\u300chttps://z.cn/\u8def\u300d\u201chttps://q.io/\u201d"),
    ("fullwidth_punct",
     "\uff0c\u3002\u3001\u300c\u300d\u300a\u300b\u201c\u201d\uff08\uff09\u2014\u2026\uff1a"
     "\uff1f\uff01\uff1b\u3010\u3011\uff5e\uff05\uff0e\uff11\u2013\u00ab\u00bb\u2019\u00b4"),
    ("long_repetitive", "abcdefghij" * 5000),
    ("giant_word", ("Supercalifragilisticexpialidocious" * 6000)[:200000]),
    ("digits_only", "0123456789"),
    ("numbers", "3.14 -42 1,000,000 1e10 \u0661\u0662\u0663 \u096a\u096b\u096c \u2460\u2461\u2462 \u00bd"),
    ("punct_only", "!?.,;:'\"()[]{}<>-_/\\|@#$%^&*~`+="),
    ("dj_special_only", _DJ_SPECIALS),
    ("mixed_cjk_latin", "我喜欢Python编程和machine learning。Data-Juicer是一个数据处理系统！OK吗？"),
    ("zh_segmented", "我们 的 这个 是 不是 也 就 一个 一些 他妈的 他妈 的 好"),
    ("en_stopwords", "the and of to in is it that was for on are as with"),
    ("en_flagged", "This damn text has some crap, a bastard and an ass. Fuck! bitch? normal words here"),
    ("japanese", "これは日本語の文章です。カタカナ、ひらがな。これは日本語の文章です。"),
    ("korean", "안녕하세요. 반갑습니다. 안녕하세요."),
    ("arabic", "مرحبا بالعالم. هذا نص عربي. مرحبا بالعالم."),
    ("html_snippet", "<p>Hello&nbsp;world &amp; friends</p><br/>\n<a href=\"http://x.com/a?b=c\">link</a>"),
    ("ten_words", _TEN_WORDS),
    ("hundred_words", _HUNDRED_WORDS),
    ("short_lang", "ok"),
]


def _edge():
    for name, text in EDGE_CASES:
        yield f"edge:{name}", text


_SOURCES = (
    _c4,
    _wiki,
    _zh_novel,
    _udhr,
    lambda: _alpaca("en", N_ALPACA_EN),
    lambda: _alpaca("zh", N_ALPACA_ZH),
    _sharegpt_zh,
    _hh_rlhf,
    _gsm8k,
    _presidio,
    _trafilatura,
    _edge,
)


@lru_cache(maxsize=1)
def _documents() -> tuple[tuple[str, str], ...]:
    docs = tuple(doc for source in _SOURCES for doc in source())
    ids = [d[0] for d in docs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate document ids")
    return docs


def documents() -> list[tuple[str, str]]:
    """All (doc_id, text) pairs, in a fixed order."""
    return list(_documents())


def pinned_documents(fixture: dict) -> list[tuple[str, str]]:
    """The documents, checked against the ids and sha256 a reference tool's fixture recorded
    (a fixture made from other texts compares nothing)."""
    import hashlib

    docs = documents()
    assert [d for d, _ in docs] == fixture["doc_ids"], "corpus changed since the fixture was generated"
    shas = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs]
    assert shas == fixture["doc_sha256"], "document texts changed since the fixture was generated"
    return docs


# ---------------------------------------------------------------- cases


def _fmt(value) -> str:
    if isinstance(value, str) and value:
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def case_id(op: str, params: dict) -> str:
    return f"{op}[{','.join(f'{k}={_fmt(v)}' for k, v in params.items())}]"


def _case(op, params, kind, stats=None):
    c = {"id": case_id(op, params), "op": op, "params": params, "kind": kind}
    if kind == "filter":
        c["stats"] = list(stats)
    return c


def _f(op, params, *stats):
    return _case(op, params, "filter", stats)


def _m(op, params):
    return _case(op, params, "mapper")


CASES: list[dict] = [
    _f("text_length_filter", {}, "text_len"),
    _f("words_num_filter", {}, "num_words"),
    _f("words_num_filter", {"min_num": 10, "max_num": 100, "min_closed_interval": False,
                            "max_closed_interval": False}, "num_words"),
    _f("alphanumeric_filter", {}, "alnum_ratio"),
    _f("alphanumeric_filter", {"min_ratio": 0.5, "reversed_range": True}, "alnum_ratio"),
    _f("special_characters_filter", {}, "special_char_ratio"),
    _f("character_repetition_filter", {}, "char_rep_ratio"),
    _f("character_repetition_filter", {"rep_len": 5}, "char_rep_ratio"),
    _f("word_repetition_filter", {}, "word_rep_ratio"),
    _f("word_repetition_filter", {"rep_len": 3}, "word_rep_ratio"),
    _f("average_line_length_filter", {}, "avg_line_length"),
    _f("maximum_line_length_filter", {}, "max_line_length"),
    _f("stopwords_filter", {"lang": "en"}, "stopwords_ratio"),
    _f("stopwords_filter", {"lang": "zh"}, "stopwords_ratio"),
    _f("stopwords_filter", {"lang": "zh", "use_words_aug": True, "words_aug_group_sizes": [2],
                            "words_aug_join_char": ""}, "stopwords_ratio"),
    _f("stopwords_filter", {"lang": "all"}, "stopwords_ratio"),
    _f("flagged_words_filter", {"lang": "en"}, "flagged_words_ratio"),
    _f("flagged_words_filter", {"lang": "zh", "use_words_aug": True}, "flagged_words_ratio"),
    _f("flagged_words_filter", {"lang": "all"}, "flagged_words_ratio"),
    _f("language_id_score_filter", {"lang": "en", "min_score": 0.8}, "lang", "lang_score"),
    _m("whitespace_normalization_mapper", {}),
    _m("punctuation_normalization_mapper", {}),
    _m("fix_unicode_mapper", {}),
    _m("fix_unicode_mapper", {"normalization": "NFKC"}),
    _m("clean_email_mapper", {}),
    _m("clean_email_mapper", {"repl": "<EMAIL>"}),
    _m("clean_links_mapper", {}),
    _m("clean_ip_mapper", {}),
    _m("clean_ip_mapper", {"repl": "<IP>"}),
    _m("remove_repeat_sentences_mapper", {}),
    _m("remove_repeat_sentences_mapper", {"lowercase": True, "ignore_special_character": False,
                                          "min_repeat_sentence_length": 5}),
]

if len({c["id"] for c in CASES}) != len(CASES):
    raise RuntimeError("duplicate case ids")


if __name__ == "__main__":  # quick summary: python tests/parity_corpus.py
    from collections import Counter

    docs = documents()
    print(f"{len(docs)} documents, {sum(len(t) for _, t in docs)} chars, {len(CASES)} cases")
    for src, n in Counter(d.split(":", 1)[0] for d, _ in docs).items():
        print(f"  {src:12s} {n}")
    sys.exit(0)
