"""Inputs and cases of the Data-Juicer *contract* fixture (``tests/fixtures/dj_contract.json.gz``).

Standard library only: ``tools/dj_parity/gen_contract_fixture.py`` imports it in the
Data-Juicer venv to run Data-Juicer 1.6.1 itself, and pytest imports it to run the same
cases with sparkops; both must build byte-identical inputs, which the fixture pins by the
sha256 of each input set's JSONL (``jsonl_bytes``).

The fixture covers operator kinds beyond the per-document filters/mappers of
``parity_corpus``: ``text_chunk_mapper`` (1 row -> N rows), the five field selectors and
``random_selector`` (dataset -> subset), the three groupers (dataset -> batched samples and
back), and filters pointed at a non-``text`` field (``text_keys`` / ``text_key``).

Input sets (``INPUT_SETS``; each record has a unique ``id``):

=================  ==========================================================================
``chunk``          40 C4 documents (every 7th line of ``web/c4_sample.jsonl``), 3 Wikipedia
                   articles (``web/wiki_sample.txt`` lines 9, 16, 13), 1 ``alpaca_zh`` output,
                   then hand-written edge cases (``CHUNK_EDGE``); fields ``id``, ``text``,
                   ``meta`` = ``{"source", "n"}``
``chunk_deep``     one short text and one 120,000-char text without any separator (exceeds
                   Python's recursion limit in ``text_chunk_mapper``'s recursive split)
``selector``       200 ``alpaca_en_demo`` records (fields derived from ``output``, see
                   ``selector_records``) with 8 doctored records spliced in (None / missing
                   values, ties, empty output)
``grouper``        30 small records (``text`` = an alpaca instruction, some repeated; ``meta``
                   with ``category``/``lang``; one record without ``meta.category``)
``batched``        3 already-batched samples (dict of lists, one with ``__dj__batch_meta__``)
``batched_odd``    1 batched sample with a scalar field and lists of unequal length
``alpaca``         all 999 records of ``sft/alpaca_en_demo.json`` with ``id`` (not stored in
                   the fixture: the test reads ``../shared/data``)
``doctored_*``     a few alpaca-like records whose ``output`` is missing, None, an int, a list,
                   empty, or has an alnum ratio within 1e-10 of a threshold (``filter_edge``)
=================  ==========================================================================

``CASES`` lists the cases; each is ``{"id", "kind", "input", "process", "cfg"}``, where
``process`` is a Data-Juicer ``process:`` list and ``cfg`` extra top-level recipe keys
(``text_keys``...). The generator runs every case as a recipe through Data-Juicer's
``DefaultExecutor`` with ``np: 1``.

Chunk outputs are stored compactly: every chunk is a substring of its input text, so the
fixture stores ``text`` of a chunk row as ``[start, end]`` into the input record with the
same ``id`` (``encode_chunk_rows`` / ``decode_chunk_rows``; the offsets are an encoding, not
something Data-Juicer reports).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# the same data root as the parity corpus (../shared/data, or SPARKOPS_SHARED_DATA)
from parity_corpus import SHARED_DATA

# input sets whose records the fixture stores (the others are rebuilt from ../shared/data)
STORED_INPUTS = ("chunk", "chunk_deep", "selector", "grouper", "batched", "batched_odd",
                 "doctored_missing", "doctored_int", "doctored_list", "doctored_empty",
                 "doctored_ratio", "doctored_text_col")


# ------------------------------------------------------------------ helpers


def jsonl_bytes(records: list[dict]) -> bytes:
    """The JSONL the generator feeds Data-Juicer (UTF-8, not ASCII-escaped, key order kept)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def sha256_records(records: list[dict]) -> str:
    return hashlib.sha256(jsonl_bytes(records)).hexdigest()


def write_jsonl(path: Path, records: list[dict]) -> str:
    data = jsonl_bytes(records)
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _alpaca_en(shared_data: Path | None = None) -> list[dict]:
    root = Path(shared_data) if shared_data else SHARED_DATA
    with open(root / "sft" / "alpaca_en_demo.json", encoding="utf-8") as f:
        return json.load(f)


# ------------------------------------------------------------------ text_chunk_mapper

_ZH_SENTENCES = [
    "今天天气很好，我们一起去公园散步。",
    "公园里有很多花，红的、黄的、白的，非常漂亮。",
    "孩子们在草地上奔跑，老人们在树下下棋。",
    "湖面上有几只小船，船上的人在唱歌。",
    "傍晚的时候，我们回到家里，吃了一顿丰盛的晚饭。",
    "数据清洗是训练大模型之前必不可少的一步。",
]


def _zh_paragraphs(n_par: int, per_par: int) -> list[str]:
    pars = []
    for p in range(n_par):
        sents = [_ZH_SENTENCES[(p + k) % len(_ZH_SENTENCES)] for k in range(per_par)]
        pars.append(f"第{p + 1}段：" + "".join(sents))
    return pars


def _words(n_chars: int, seed: int = 0, sep: str = " ") -> str:
    """Deterministic word soup of exactly n_chars characters (no newline)."""
    vocab = ["data", "juicer", "spark", "chunk", "token", "model", "corpus", "filter", "alpha", "omega"]
    out, i = [], seed
    while sum(len(w) + 1 for w in out) < n_chars + 1:
        out.append(vocab[(i * 7 + 3) % len(vocab)] + str(i % 13))
        i += 1
    return sep.join(out)[:n_chars]


# hand-written edge cases of the chunk input set: (name, text)
CHUNK_EDGE: list[tuple[str, str]] = [
    ("empty", ""),
    ("spaces", "   "),
    ("blank_paras", "  \n\n \n\n\t"),
    ("short", "A short text.\n\nTwo paragraphs."),
    ("len256", _words(120, 1) + "\n\n" + _words(134, 2)),           # exactly 256 chars
    ("len257", _words(120, 1) + "\n\n" + _words(135, 2)),           # 257
    ("len512", _words(250, 3) + "\n" + _words(261, 4)),             # exactly 512
    ("len513", _words(250, 3) + "\n" + _words(262, 4)),             # 513
    ("no_sep_1000", _words(1000, 5)),                                # no \n at all
    ("no_space_700", "x" * 700),
    ("pattern_at_boundary", "a" * 255 + "\n\n" + "b" * 100),         # \n\n straddles char 256
    ("pattern_at_end_of_window", "a" * 254 + "\n\n" + "b" * 100),    # \n\n ends exactly at 256
    ("leading_pattern", "\n\n" + _words(300, 6)),
    ("trailing_pattern", _words(300, 7) + "\n\n"),
    ("many_newlines", "p1\n\n\n\np2\n\n\n\n\np3" + "\n\n" + _words(400, 8)),
    ("whitespace_chunk", _words(200, 9) + "\n\n   \n\n" + _words(200, 10) + "\n\n" + _words(200, 11)),
    ("crlf", "para one\r\n\r\npara two\r\n\r\n" + _words(300, 12)),
    ("zh_paras", "\n\n".join(_zh_paragraphs(6, 4))),
    ("zh_no_sep", "".join(_zh_paragraphs(5, 6))),
    ("emoji", "\n\n".join(f"😀 emoji {k} " + "🎉" * 40 + " 中文" for k in range(8))),
    ("sentences", " ".join(f"Sentence number {k} is here! Is it? Yes." for k in range(30))),
    ("one_long_para_lines", "\n".join(_words(70, 20 + k) for k in range(15))),
]

C4_STEP = 7
N_C4 = 40
WIKI_LINES = (9, 16, 13)
ALPACA_ZH_INDEX = 12


def chunk_records(shared_data: Path | None = None) -> list[dict]:
    root = Path(shared_data) if shared_data else SHARED_DATA
    recs = []
    with open(root / "web" / "c4_sample.jsonl", encoding="utf-8") as f:
        lines = [json.loads(line)["text"] for line in f if line.strip()]
    for k in range(N_C4):
        i = k * C4_STEP
        recs.append({"id": f"c4:{i}", "text": lines[i], "meta": {"source": "c4", "n": i}})
    wiki = (root / "web" / "wiki_sample.txt").read_bytes().decode("utf-8").split("\n")
    for i in WIKI_LINES:
        recs.append({"id": f"wiki:{i}", "text": wiki[i], "meta": {"source": "wiki", "n": i}})
    with open(root / "sft" / "alpaca_zh_demo.json", encoding="utf-8") as f:
        zh = json.load(f)
    recs.append({"id": f"alpaca_zh:{ALPACA_ZH_INDEX}", "text": zh[ALPACA_ZH_INDEX]["output"],
                 "meta": {"source": "alpaca_zh", "n": ALPACA_ZH_INDEX}})
    for n, (name, text) in enumerate(CHUNK_EDGE):
        recs.append({"id": f"edge:{name}", "text": text, "meta": {"source": "edge", "n": n}})
    return recs


def chunk_deep_records(shared_data: Path | None = None) -> list[dict]:
    return [
        {"id": "deep:short", "text": "short text", "meta": {"source": "edge", "n": 0}},
        {"id": "deep:long", "text": "abcdefghij" * 12000, "meta": {"source": "edge", "n": 1}},
    ]


def encode_chunk_rows(rows: list[dict], inputs: list[dict], text_key: str = "text") -> list[dict]:
    """Replace each row's text by [start, end] into the input record with the same id."""
    by_id = {r["id"]: r[text_key] for r in inputs}
    out, last = [], {}
    for row in rows:
        src, chunk = by_id[row["id"]], row[text_key]
        start = src.find(chunk, last.get(row["id"], -1) + 1) if chunk else 0
        if start < 0:
            start = src.find(chunk)
        if start < 0 or src[start:start + len(chunk)] != chunk:
            raise ValueError(f"chunk of {row['id']} is not a substring of its input")
        last[row["id"]] = start
        out.append({**row, text_key: [start, start + len(chunk)]})
    return out


def decode_chunk_rows(rows: list[dict], inputs: list[dict], text_key: str = "text") -> list[dict]:
    """Inverse of encode_chunk_rows: the rows as Data-Juicer exported them."""
    by_id = {r["id"]: r[text_key] for r in inputs}
    return [{**row, text_key: by_id[row["id"]][row[text_key][0]:row[text_key][1]]} for row in rows]


# ------------------------------------------------------------------ selectors

_CATEGORIES = ("generate", "describe", "create", "explain", "what", "write")


def _category(instruction: str) -> str:
    words = instruction.split()
    first = words[0].lower().strip(",.:;!?") if words else ""
    return first if first in _CATEGORIES else "other"


def _tags(output: str) -> list[str]:
    tags = []
    if len(output) > 1000:
        tags.append("long")
    if "\n1." in output or output.startswith("1."):
        tags.append("list")
    if "```" in output or "def " in output:
        tags.append("code")
    return tags


N_SELECTOR = 200


def selector_records(shared_data: Path | None = None) -> list[dict]:
    """200 alpaca records; fields derived from ``output`` (which is not kept):

    ``text`` = the instruction, ``n_words`` (top-level int), ``kind`` (top-level str:
    ``long``/``short``), ``meta.len`` = len(output), ``meta.words`` = word count,
    ``meta.bucket`` = len // 250 (many ties), ``meta.category`` (first instruction word if
    one of ``_CATEGORIES`` else ``other``), ``meta.tags`` (list of str), ``meta.para_lens``
    (list of int, the lengths of the ``\\n``-separated lines), ``meta.grade`` (str holding
    a number), ``opt_len`` (top-level, ``meta.len`` or null). Doctored records (id ``x:*``:
    None values, ties with the longest/shortest, a ``meta`` without ``words``, empty and
    negative lengths) are spliced in at fixed positions.
    """
    alpaca = _alpaca_en(shared_data)[:N_SELECTOR]
    recs = []
    for i, r in enumerate(alpaca):
        out = r["output"]
        recs.append({
            "id": f"alpaca:{i}",
            "text": r["instruction"],
            "n_words": len(out.split()),
            "kind": "long" if len(out) > 600 else "short",
            "meta": {
                "len": len(out),
                "words": len(out.split()),
                "bucket": len(out) // 250,
                "category": _category(r["instruction"]),
                "tags": _tags(out),
                "para_lens": [len(p) for p in out.split("\n")],
                "grade": f"{len(out) % 97 / 10:.1f}",
            },
        })
    max_len = max(r["meta"]["len"] for r in recs)
    min_len = min(r["meta"]["len"] for r in recs)

    def meta(**kw):
        base = {"len": None, "words": None, "bucket": None, "category": None, "tags": [],
                "para_lens": [], "grade": None}
        base.update(kw)
        return base

    doctored = [
        # (insert position, record)
        (0, {"id": "x:none", "text": "None values", "n_words": 0, "kind": "short", "meta": meta()}),
        (10, {"id": "x:tie_max_a", "text": "tie with the longest", "n_words": 7, "kind": "long",
              "meta": meta(len=max_len, words=7, bucket=max_len // 250, category="write", tags=["long"],
                           para_lens=[max_len], grade="9.9")}),
        (60, {"id": "x:missing_words", "text": "no words key", "n_words": 3, "kind": "short",
              "meta": {k: v for k, v in meta(len=77, bucket=0, category="other", grade="abc",
                                             para_lens=[77]).items() if k != "words"}}),
        (120, {"id": "x:tie_max_b", "text": "another tie with the longest", "n_words": 7, "kind": "long",
               "meta": meta(len=max_len, words=7, bucket=max_len // 250, category="write", tags=["long"],
                            para_lens=[max_len], grade="9.9")}),
        (150, {"id": "x:zero", "text": "empty output", "n_words": 0, "kind": "short",
               "meta": meta(len=0, words=0, bucket=0, category="other", para_lens=[0], grade="0.0")}),
        (180, {"id": "x:tie_min", "text": "tie with the shortest", "n_words": 1, "kind": "short",
               "meta": meta(len=min_len, words=1, bucket=0, category="other", para_lens=[min_len], grade="0.1")}),
        (199, {"id": "x:none_cat", "text": "no category", "n_words": 5, "kind": "short",
               "meta": meta(len=123, words=5, bucket=0, para_lens=[123], grade="1.2")}),
        (200, {"id": "x:neg", "text": "negative length", "n_words": 2, "kind": "short",
               "meta": meta(len=-5, words=2, bucket=-1, category="describe", para_lens=[-5, 5], grade="-0.5")}),
    ]
    for pos, rec in sorted(doctored, key=lambda t: t[0], reverse=True):
        recs.insert(pos, rec)
    # a top-level numeric field that is null in two records
    for rec in recs:
        rec["opt_len"] = None if rec["id"] in ("x:none", "x:none_cat") else rec["meta"]["len"]
    return recs


# ------------------------------------------------------------------ groupers


def grouper_records(shared_data: Path | None = None) -> list[dict]:
    alpaca = _alpaca_en(shared_data)
    recs = []
    for i in range(30):
        src = i if i % 5 != 4 else i - 3          # every 5th record repeats an earlier text
        ins = alpaca[src]["instruction"]
        meta = {"category": _category(ins), "lang": "en" if i % 3 else "zh"}
        if i == 17:
            meta = {"lang": "en"}                  # no category key
        recs.append({"id": f"g:{i}", "text": ins, "score": (i * 7) % 5, "meta": meta})
    return recs


def batched_records(shared_data: Path | None = None) -> list[dict]:
    return [
        {"text": ["Today is Sunday and it's a happy day!", "Sur la plateforme MT4, plusieurs manières.", "欢迎来到阿里巴巴！"],
         "id": ["b:0", "b:1", "b:2"], "score": [1, 2, 3],
         "__dj__batch_meta__": {"batch": 0, "note": "first"}},
        {"text": ["single"], "id": ["b:3"], "score": [4], "__dj__batch_meta__": None},
        {"text": ["x", "y"], "id": ["b:4", "b:5"], "score": [5, 6],
         "__dj__batch_meta__": {"batch": 2, "note": "third"}},
    ]


def batched_odd_records(shared_data: Path | None = None) -> list[dict]:
    return [{"text": ["a", "b"], "id": ["o:0", "o:1", "o:2"], "src": "xyz"}]


# ------------------------------------------------------------------ filters on another field


def alpaca_records(shared_data: Path | None = None) -> list[dict]:
    return [{"id": f"alpaca:{i}", **r} for i, r in enumerate(_alpaca_en(shared_data))]


def _doc(i, output, **extra):
    rec = {"id": f"d:{i}", "instruction": f"Instruction number {i} here", "input": ""}
    if output is not _MISSING:
        rec["output"] = output
    rec.update(extra)
    return rec


_MISSING = object()


def doctored_missing(shared_data=None):
    return [_doc(0, "A fine answer with several words."), _doc(1, _MISSING), _doc(2, "Short."),
            _doc(3, None), _doc(4, "Another fine answer, long enough to keep.")]


def doctored_int(shared_data=None):
    return [_doc(0, "A fine answer with several words."), _doc(1, 12345), _doc(2, "Short."),
            _doc(3, "Another fine answer, long enough to keep.")]


def doctored_list(shared_data=None):
    return [_doc(0, ["A fine answer", "with several words."]), _doc(1, ["x"]), _doc(2, []),
            _doc(3, ["Another fine answer, long enough to keep."])]


def doctored_empty(shared_data=None):
    return [_doc(0, "A fine answer with several words."), _doc(1, ""), _doc(2, "   "),
            _doc(3, "Another fine answer, long enough to keep.")]


def doctored_ratio(shared_data=None):
    """alnum_ratio 9/11 = 0.81818181818181... (and 1/3, 2/3) next to thresholds finer than 1e-10."""
    return [_doc(0, "abcdefghi!!"), _doc(1, "ab!!!!"), _doc(2, "a!!"), _doc(3, "ab!")]


def doctored_text_col(shared_data=None):
    """Records that also have a ``text`` column, so only the op's ``text_key`` is ``output``."""
    recs = [_doc(i, o) for i, o in enumerate(
        ["A fine answer with several words.", "Second fine answer here.", _MISSING, "Third good one, kept.",
         "Fourth good answer, kept too.", None, "Sixth answer is fine as well."])]
    return [{**r, "text": "t"} for r in recs]


INPUT_SETS = {
    "chunk": chunk_records,
    "chunk_deep": chunk_deep_records,
    "selector": selector_records,
    "grouper": grouper_records,
    "batched": batched_records,
    "batched_odd": batched_odd_records,
    "alpaca": alpaca_records,
    "doctored_missing": doctored_missing,
    "doctored_int": doctored_int,
    "doctored_list": doctored_list,
    "doctored_empty": doctored_empty,
    "doctored_ratio": doctored_ratio,
    "doctored_text_col": doctored_text_col,
}


# ------------------------------------------------------------------ cases


def _case(cid, kind, input_set, process, **cfg):
    return {"id": cid, "kind": kind, "input": input_set, "process": process, "cfg": cfg}


def _chunk(cid, **params):
    return _case(f"chunk/{cid}", "chunk", "chunk", [{"text_chunk_mapper": params}])


def _sel(cid, op, **params):
    return _case(f"{op}/{cid}", "selector", "selector", [{op: params}])


CASES: list[dict] = [
    # ---- text_chunk_mapper (tokenizer-free only)
    _chunk("split_default"),                                         # split_pattern "\n\n", no max_len
    _chunk("split_newline", split_pattern="\n"),
    _chunk("split_capture_group", split_pattern=r"([.!?])\s+"),
    _chunk("max512", max_len=512),                                  # default split_pattern "\n\n"
    _chunk("max256", max_len=256),
    _chunk("max256_overlap32", max_len=256, overlap_len=32),
    _chunk("max512_newline", max_len=512, split_pattern="\n"),
    _chunk("max256_newline_overlap64", max_len=256, split_pattern="\n", overlap_len=64),
    _chunk("max256_sentence", max_len=256, split_pattern=r"[.!?。]\s*"),
    _chunk("max256_nopattern", max_len=256, split_pattern=None),
    _chunk("max256_nopattern_overlap100", max_len=256, split_pattern=None, overlap_len=100),
    _chunk("max1000_nopattern_overlap900", max_len=1000, split_pattern=None, overlap_len=900),
    _case("chunk/deep_recursion", "chunk", "chunk_deep", [{"text_chunk_mapper": {"max_len": 100}}]),
    _case("chunk/deep_recursion_nopattern", "chunk", "chunk_deep",
          [{"text_chunk_mapper": {"max_len": 100, "split_pattern": None}}]),
    _case("chunk/error_both_none", "chunk", "chunk", [{"text_chunk_mapper": {"split_pattern": None}}]),
    _case("chunk/error_overlap_ge_max", "chunk", "chunk",
          [{"text_chunk_mapper": {"max_len": 100, "overlap_len": 100}}]),

    # ---- topk_specified_field_selector
    _sel("len_ratio", "topk_specified_field_selector", field_key="meta.len", top_ratio=0.1),
    _sel("len_topk", "topk_specified_field_selector", field_key="meta.len", topk=15),
    _sel("len_both_ratio_wins", "topk_specified_field_selector", field_key="meta.len", top_ratio=0.05, topk=50),
    _sel("len_both_topk_wins", "topk_specified_field_selector", field_key="meta.len", top_ratio=0.5, topk=12),
    _sel("len_ascending", "topk_specified_field_selector", field_key="meta.len", topk=12, reverse=False),
    _sel("len_ratio_fraction", "topk_specified_field_selector", field_key="meta.len", top_ratio=0.033),
    _sel("bucket_ties", "topk_specified_field_selector", field_key="meta.bucket", topk=25),
    _sel("bucket_ties_asc", "topk_specified_field_selector", field_key="meta.bucket", topk=25, reverse=False),
    _sel("para_lens_mean", "topk_specified_field_selector", field_key="meta.para_lens", topk=10),
    _sel("para_lens_mean_asc", "topk_specified_field_selector", field_key="meta.para_lens", topk=10, reverse=False),
    _sel("grade_str", "topk_specified_field_selector", field_key="meta.grade", topk=10),
    _sel("grade_str_asc", "topk_specified_field_selector", field_key="meta.grade", topk=10, reverse=False),
    _sel("toplevel_int", "topk_specified_field_selector", field_key="n_words", topk=10),
    _sel("toplevel_str", "topk_specified_field_selector", field_key="text", topk=10),
    _sel("toplevel_with_null", "topk_specified_field_selector", field_key="opt_len", topk=10),
    _sel("toplevel_str_asc", "topk_specified_field_selector", field_key="text", topk=10, reverse=False),
    _sel("ratio_one", "topk_specified_field_selector", field_key="meta.len", top_ratio=1.0),
    _sel("ratio_zero_topk", "topk_specified_field_selector", field_key="meta.len", top_ratio=0.0, topk=5),
    _sel("no_ratio_no_topk", "topk_specified_field_selector", field_key="meta.len"),
    _sel("no_field_key", "topk_specified_field_selector", topk=5),
    _sel("topk_over_size", "topk_specified_field_selector", field_key="meta.len", topk=500),
    _sel("missing_subkey", "topk_specified_field_selector", field_key="meta.nope", topk=5),
    _sel("missing_toplevel", "topk_specified_field_selector", field_key="nope.len", topk=5),
    _sel("key_missing_in_one_record", "topk_specified_field_selector", field_key="meta.words", topk=5),

    # ---- range_specified_field_selector
    _sel("pct_10_90", "range_specified_field_selector", field_key="meta.len",
         lower_percentile=0.1, upper_percentile=0.9),
    _sel("pct_0_5", "range_specified_field_selector", field_key="meta.len",
         lower_percentile=0.0, upper_percentile=0.05),
    _sel("pct_95_100", "range_specified_field_selector", field_key="meta.len",
         lower_percentile=0.95, upper_percentile=1.0),
    _sel("rank_5_20", "range_specified_field_selector", field_key="meta.len", lower_rank=5, upper_rank=20),
    _sel("pct_and_rank", "range_specified_field_selector", field_key="meta.len",
         lower_percentile=0.02, upper_percentile=0.5, lower_rank=10, upper_rank=40),
    _sel("pct_and_rank_2", "range_specified_field_selector", field_key="meta.len",
         lower_percentile=0.2, upper_percentile=0.1, lower_rank=3, upper_rank=100),
    _sel("lower_only", "range_specified_field_selector", field_key="meta.len", lower_percentile=0.5),
    _sel("upper_only", "range_specified_field_selector", field_key="meta.len", upper_rank=10),
    _sel("bucket_ties", "range_specified_field_selector", field_key="meta.bucket",
         lower_percentile=0.3, upper_percentile=0.6),
    _sel("para_lens", "range_specified_field_selector", field_key="meta.para_lens", lower_rank=1, upper_rank=12),
    _sel("grade_str", "range_specified_field_selector", field_key="meta.grade", lower_rank=1, upper_rank=12),
    _sel("toplevel_int", "range_specified_field_selector", field_key="n_words",
         lower_percentile=0.4, upper_percentile=0.5),
    _sel("toplevel_with_null", "range_specified_field_selector", field_key="opt_len", lower_rank=1, upper_rank=6),
    _sel("toplevel_str", "range_specified_field_selector", field_key="text",
         lower_percentile=0.0, upper_percentile=0.05),
    _sel("missing_subkey", "range_specified_field_selector", field_key="meta.nope",
         lower_percentile=0.0, upper_percentile=0.5),
    _sel("key_missing_in_one_record", "range_specified_field_selector", field_key="meta.words",
         lower_rank=1, upper_rank=5),

    # ---- frequency_specified_field_selector
    _sel("category_topk2", "frequency_specified_field_selector", field_key="meta.category", topk=2),
    _sel("category_ratio", "frequency_specified_field_selector", field_key="meta.category", top_ratio=0.4),
    _sel("category_rare", "frequency_specified_field_selector", field_key="meta.category", topk=3, reverse=False),
    _sel("category_both", "frequency_specified_field_selector", field_key="meta.category", top_ratio=0.9, topk=4),
    _sel("bucket_ratio", "frequency_specified_field_selector", field_key="meta.bucket", top_ratio=0.3),
    _sel("toplevel_kind", "frequency_specified_field_selector", field_key="kind", topk=1),
    _sel("toplevel_with_null", "frequency_specified_field_selector", field_key="opt_len", topk=2),
    _sel("no_ratio_no_topk", "frequency_specified_field_selector", field_key="meta.category"),
    _sel("list_field", "frequency_specified_field_selector", field_key="meta.tags", topk=1),
    _sel("key_missing_in_one_record", "frequency_specified_field_selector", field_key="meta.words", topk=1),

    # ---- tags_specified_field_selector
    _sel("category", "tags_specified_field_selector", field_key="meta.category", target_tags=["write", "explain"]),
    _sel("toplevel_kind", "tags_specified_field_selector", field_key="kind", target_tags=["long"]),
    _sel("toplevel_with_null", "tags_specified_field_selector", field_key="opt_len", target_tags=[None, 2649]),
    _sel("case_sensitive", "tags_specified_field_selector", field_key="meta.category", target_tags=["Write"]),
    _sel("empty_tags", "tags_specified_field_selector", field_key="meta.category", target_tags=[]),
    _sel("bucket_numbers", "tags_specified_field_selector", field_key="meta.bucket", target_tags=[0, 3]),
    _sel("list_field", "tags_specified_field_selector", field_key="meta.tags", target_tags=["long"]),
    _sel("key_missing_in_one_record", "tags_specified_field_selector", field_key="meta.words", target_tags=[3]),

    # ---- random_selector (only the number of rows is part of the contract)
    _case("random_selector/ratio", "random", "selector", [{"random_selector": {"select_ratio": 0.1}}]),
    _case("random_selector/num", "random", "selector", [{"random_selector": {"select_num": 30}}]),
    _case("random_selector/both_num_wins", "random", "selector",
          [{"random_selector": {"select_ratio": 0.5, "select_num": 25}}]),
    _case("random_selector/both_ratio_wins", "random", "selector",
          [{"random_selector": {"select_ratio": 0.05, "select_num": 25}}]),
    _case("random_selector/ratio_rounds_to_zero", "random", "selector",
          [{"random_selector": {"select_ratio": 0.001}}]),
    _case("random_selector/ratio_one", "random", "selector", [{"random_selector": {"select_ratio": 1.0}}]),
    _case("random_selector/num_over_size", "random", "selector", [{"random_selector": {"select_num": 500}}]),
    _case("random_selector/none", "random", "selector", [{"random_selector": {}}]),
    _case("random_selector/ratio_zero", "random", "selector", [{"random_selector": {"select_ratio": 0.0}}]),

    # ---- groupers
    _case("key_value_grouper/default_text", "grouper", "grouper", [{"key_value_grouper": {}}]),
    _case("key_value_grouper/category", "grouper", "grouper",
          [{"key_value_grouper": {"group_by_keys": ["meta.category"]}}]),
    _case("key_value_grouper/lang_score", "grouper", "grouper",
          [{"key_value_grouper": {"group_by_keys": ["meta.lang", "score"]}}]),
    _case("key_value_grouper/category_reverse", "grouper", "grouper",
          [{"key_value_grouper": {"group_by_keys": ["meta.category"]}}, {"naive_reverse_grouper": {}}]),
    _case("naive_grouper/all", "grouper", "grouper", [{"naive_grouper": {}}]),
    _case("naive_grouper/round_trip", "grouper", "grouper", [{"naive_grouper": {}}, {"naive_reverse_grouper": {}}]),
    _case("naive_reverse_grouper/batched", "grouper", "batched", [{"naive_reverse_grouper": {}}]),
    _case("naive_reverse_grouper/batched_meta_export", "grouper", "batched",
          [{"naive_reverse_grouper": {"batch_meta_export_path": "@BATCH_META@"}}]),
    _case("naive_reverse_grouper/odd", "grouper", "batched_odd", [{"naive_reverse_grouper": {}}]),

    # ---- filters on a non-`text` field, all 999 alpaca records
    _case("text_length_filter/output", "filter", "alpaca",
          [{"text_length_filter": {"min_len": 100, "max_len": 2000}}], text_keys="output"),
    _case("words_num_filter/output", "filter", "alpaca",
          [{"words_num_filter": {"min_num": 20, "max_num": 300}}], text_keys="output"),
    _case("alphanumeric_filter/output", "filter", "alpaca",
          [{"alphanumeric_filter": {"min_ratio": 0.78}}], text_keys="output"),
    _case("words_num_filter/instruction_op_key", "filter", "alpaca",
          [{"words_num_filter": {"min_num": 8, "text_key": "instruction"}}], text_keys="output"),
    _case("text_length_filter/output_op_key", "filter", "alpaca",
          [{"text_length_filter": {"min_len": 100, "max_len": 2000, "text_key": "output"}}], text_keys="instruction"),
    _case("alphanumeric_filter/input", "filter", "alpaca",
          [{"alphanumeric_filter": {}}], text_keys="input"),
    _case("text_length_filter/text_keys_list", "filter", "alpaca",
          [{"text_length_filter": {"min_len": 40}}], text_keys=["instruction", "output"]),

    # ---- the field is missing / None / not a string
    _case("text_length_filter/missing_or_none", "filter_edge", "doctored_missing",
          [{"text_length_filter": {"min_len": 10}}], text_keys="output"),
    _case("text_length_filter/int", "filter_edge", "doctored_int",
          [{"text_length_filter": {"min_len": 10}}], text_keys="output"),
    _case("text_length_filter/list", "filter_edge", "doctored_list",
          [{"text_length_filter": {"min_len": 2}}], text_keys="output"),
    _case("words_num_filter/list", "filter_edge", "doctored_list",
          [{"words_num_filter": {"min_num": 2}}], text_keys="output"),
    _case("alphanumeric_filter/empty", "filter_edge", "doctored_empty",
          [{"alphanumeric_filter": {}}], text_keys="output"),
    _case("words_num_filter/empty", "filter_edge", "doctored_empty",
          [{"words_num_filter": {"min_num": 0}}], text_keys="output"),
    _case("alphanumeric_filter/rounding_min", "filter_edge", "doctored_ratio",
          [{"alphanumeric_filter": {"min_ratio": 0.81818181819}}], text_keys="output"),
    _case("alphanumeric_filter/rounding_max", "filter_edge", "doctored_ratio",
          [{"alphanumeric_filter": {"min_ratio": 0.0, "max_ratio": 0.333333333331}}], text_keys="output"),
    _case("text_length_filter/op_key_no_text_column", "filter_edge", "doctored_missing",
          [{"text_length_filter": {"min_len": 10, "text_key": "output"}}]),
    _case("text_length_filter/op_key_none_batch1000", "filter_edge", "doctored_text_col",
          [{"text_length_filter": {"min_len": 10, "text_key": "output"}}]),
    _case("text_length_filter/op_key_none_batch2", "filter_edge", "doctored_text_col",
          [{"text_length_filter": {"min_len": 10, "text_key": "output", "batch_size": 2}}]),
    _case("text_length_filter/op_key_none_skip_op_error_false", "filter_edge", "doctored_text_col",
          [{"text_length_filter": {"min_len": 10, "text_key": "output"}}], skip_op_error=False),
]


def input_records(name: str, shared_data: Path | None = None) -> list[dict]:
    return INPUT_SETS[name](shared_data)
