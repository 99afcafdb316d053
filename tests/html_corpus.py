"""Deterministic inputs and cases for the Data-Juicer HTML fixture (tests/fixtures/dj_html.json.gz).

Standard library only: imported by ``tools/dj_parity/gen_html_fixture.py`` in Data-Juicer's
venv and by ``tests/test_web_clean_html.py`` in ours.

Two input sets, each a list of ``(doc_id, text)``:

- ``html_documents()``: every page of ``html/trafilatura/pages`` (``trafilatura:<stem>``, the
  parity corpus's 10 among them), an even spread of 100 of the 181 pages of ``html/aeb/html``
  (``aeb:<stem>``), pages read as UTF-8 with ``errors='replace'``; 5 of those pages decoded
  as Latin-1 instead (``latin1:<stem>``, mojibake of real pages); the parity corpus's HTML
  edge case (``edge:html_snippet``) and the hand-written ``adv:<name>`` inputs below.
- ``text_documents()``: the whole Data-Juicer parity corpus (``parity_corpus.documents()``,
  plain text of every kind) and the hand-written ``tab:<name>`` texts below, for
  ``remove_table_text_mapper``, which also runs on Data-Juicer's ``clean_html_mapper`` output
  of every HTML document (input set ``cleaned``).
"""

from __future__ import annotations

import gzip
import hashlib
import json

from parity_corpus import EDGE_CASES, SHARED_DATA, _spread, documents

N_AEB = 100
N_LATIN1 = 5

_NESTED = ("<table><tr><th>k</th><th>v</th></tr><tr><td>outer</td><td>"
           "<table><tr><td>in1</td><td>in2</td></tr><tr><th>ih</th></tr></table> tail</td></tr>"
           "<tr><td>last</td></tr></table>")

ADVERSARIAL: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", "  \n\t "),
    ("plain_lt_amp", "if a < b && c > d then x<y & z; AT&T R&D 3<4"),
    ("entities", "&amp; &lt;p&gt; &nbsp;|&copy &#169; &#x1F600; &bogus; &#0; &#xD800; &#1114112; &amp"),
    ("broken_tags", "<p>unclosed <b>bold <i>it</p> text</b> <div class='x\">q</div> <a href=x>link"),
    ("broken_angle", "<<>> < p>not a tag</ p> <3 </> <a <b>c</b> <!x> trailing <"),
    ("unclosed_attr", "<p title=\"never closed>text</p> and more <b>bold</b>"),
    ("lists", "<ol><li>one<li>two</ol><ul><li>a</li><LI>upper</LI><li class='c'>attr</li></ul>"),
    ("list_rewrite_in_text", "x<l<li>i>y </o<ol>l> <li>no close"),
    ("script_style_comment",
     "<html><head><title>Title</title><style>p{color:red}</style>"
     "<script>if (a < b && c > d) {document.write('<table><tr><td>x</td></tr></table>')}</script></head>"
     "<body><!-- <table><tr><td>hidden</td></tr></table> --><p>Body</p><noscript>ns</noscript></body></html>"),
    ("cdata", "<p>a<![CDATA[<table><tr><td>c</td></tr></table> x<y]]>b</p>"),
    ("conditional_comment", "<!--[if IE]><p>ie</p><![endif]--><p>all</p><!-- unclosed comment"),
    ("doctype_xml", "<?xml version=\"1.0\"?><!DOCTYPE html><html><body>x</body></html>"),
    ("raw_text_tags", "<textarea><b>t</b></textarea><xmp><i>x</i></xmp><template><p>tp</p></template>"
     "<iframe><p>if</p></iframe><plaintext><p>rest</p>"),
    ("svg_math", "<svg><text>s</text><title>st</title></svg><math><mi>x</mi></math>"),
    ("blocks_no_sep", "<div>a</div><div>b</div><p>c</p><br>d<br/>e<hr>f\n<p>g</p>\r\n<p>h</p>"),
    ("nul_ctrl", "<p>a\x00b\x01c\x0bd\x0ce\x7f</p>\ufeffbom"),
    ("lone_surrogate", "<p>a\ud800b</p><table><tr><td>\udfff</td></tr></table>"),
    ("mojibake", "<p>CafÃ© dÃ©jÃ  vu â€” Ã¼ber</p><table><tr><td>Ã©tÃ©</td></tr></table>"),
    ("cjk_rtl", "<p>中文<b>测试</b></p><p dir=rtl>مرحبا</p><table><tr><td>日本</td><td>語</td></tr></table>"),
    ("table_simple", "<table><tr><th>Name</th><th>Age</th></tr><tr><td> Bob </td><td>42</td></tr>"
     "<tr><td>Amy</td><td>\n 37 \n</td></tr></table>"),
    ("table_sections", "<table><caption>cap</caption><thead><tr><th>h1</th><th>h2</th></tr></thead>"
     "<tbody><tr><th>r1</th><td>1</td></tr><tr><td colspan=2>wide</td></tr></tbody>"
     "<tfoot><tr><td>f</td><td></td></tr></tfoot></table>"),
    ("table_empty_rows", "<table></table><table><tr></tr><tr><td></td></tr></table><table><tr>x</tr></table>"),
    ("table_nested", _NESTED),
    ("table_in_table", "<table><tr><td>a</td></tr><table><tr><td>b</td></tr></table><tr><td>c</td></tr></table>"),
    ("table_unclosed", "<table><tr><td>a<td>b<tr><td>c<table><tr><td>d"),
    ("table_misnested", "<td>lonely</td><tr><td>row</td></tr><table><td>no tr</td><th>h</th></table>"
     "<table><tr><td>x</table></td></tr>after"),
    ("table_upper", "<TABLE><TR><TH>H</TH></TR><TR><TD>d</TD></TR></TABLE>"),
    ("table_markup_cells", "<table><tr><td><b>bold</b> <i>it</i></td><td>a<br>b</td><td><!--c-->v</td>"
     "<td><script>s()</script>t</td><td><ul><li>l1</li><li>l2</li></ul></td><td>&nbsp;</td></tr></table>"),
    ("table_div_rows", "<table><tbody><tr><div><td>in div</td></div><td>direct</td></tr></tbody></table>"),
    ("deep_div", "<div>" * 50000 + "deep" + "</div>" * 50000),
    ("deep_unclosed", "<b><i>" * 20000 + "x"),
    ("deep_tables", "<table><tr><td>" * 300 + "core" + "</td></tr></table>" * 300),
    ("many_tables", "".join(f"<table><tr><td>{i}</td><td>{i * i}</td></tr></table>" for i in range(300))),
    ("huge_text", "<p>" + "word " * 200000 + "</p>"),
    ("text_table_lines", "<pre>\nName Age City\nBob 42 Paris\nAmy 37 Rome\n</pre>"),
]

# plain-text inputs for remove_table_text_mapper
TABLE_TEXTS: list[tuple[str, str]] = [
    ("spaces", "intro line here, with words.\nName Age City\nBob 42 Paris\nAmy 37 Rome\nThe end."),
    ("first_line", "a b\nc d\ne f\n"),
    ("no_final_newline", "x\na b\nc d"),
    ("blank_between", "x\na b\n\n\nc d\n\n\nend"),
    ("tabs", "x\nk\tv\n1\t2\n3\t4\n"),
    ("pipes", "x\n|a|b|\n|---|---|\n|1|2|\ny\n"),
    ("markdown", "x\n| a | b |\n| --- | --- |\n| 1 | 2 |\ny\n"),
    ("mixed_cols", "x\na b\nc d e\nf g\nh i j\nk l\n"),
    ("double_space", "x\na  b\nc  d\n"),
    ("crlf", "x\r\na b\r\nc d\r\ne f\r\n"),
    ("nbsp", "x\na\u00a0b\nc\u00a0d\n"),
    ("ideographic_space", "x\n甲\u3000乙\n丙\u3000丁\n"),
    ("prose", "Title\nHello there friend\nHow are you today\nThis is a longer sentence with many more words "
     "than twenty so it is not a row at all, really not.\nok\n"),
    ("wide", "x\n" + " ".join("c%d" % i for i in range(21)) + "\n" + " ".join("d%d" % i for i in range(21)) + "\n"),
    ("pipe_heavy", "x\n" + "a|" * 40 + "a\n" + "b|" * 40 + "b\ny\n"),
    ("empty", ""),
    ("newlines", "\n\n\n"),
]

# Data-Juicer's regex backtracks exponentially here (minutes): no fixture value, the test
# checks our answer (nothing to remove: one row, then a one-column line) by itself
BACKTRACKING = ("x\n" + "a|" * 300 + "\nfoo\n")

CASES = [
    {"id": "clean_html", "op": "clean_html_mapper", "params": {}, "input": "html"},
    {"id": "extract_tables", "op": "extract_tables_from_html_mapper", "params": {}, "input": "html"},
    {"id": "extract_tables[include_header=false]", "op": "extract_tables_from_html_mapper",
     "params": {"include_header": False}, "input": "html"},
    {"id": "extract_tables[retain_html_tags=true]", "op": "extract_tables_from_html_mapper",
     "params": {"retain_html_tags": True}, "input": "html"},
    {"id": "remove_table_text", "op": "remove_table_text_mapper", "params": {}, "input": "text"},
    {"id": "remove_table_text[3,5]", "op": "remove_table_text_mapper", "params": {"min_col": 3, "max_col": 5},
     "input": "text"},
    {"id": "remove_table_text[2,2]", "op": "remove_table_text_mapper", "params": {"min_col": 2, "max_col": 2},
     "input": "text"},
    {"id": "remove_table_text/cleaned", "op": "remove_table_text_mapper", "params": {}, "input": "cleaned"},
]


def _pages(folder: str):
    return sorted((SHARED_DATA / "html" / folder).glob("*.html.gz"), key=lambda p: p.name)


def _stem(path) -> str:
    return path.name[: -len(".html.gz")]


def html_documents() -> list[tuple[str, str]]:
    docs = []
    for p in _pages("trafilatura/pages"):
        docs.append((f"trafilatura:{_stem(p)}", gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace")))
    aeb = _spread(_pages("aeb/html"), N_AEB)
    for p in aeb:
        docs.append((f"aeb:{_stem(p)}", gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace")))
    for p in _spread(aeb, N_LATIN1):
        docs.append((f"latin1:{_stem(p)}", gzip.decompress(p.read_bytes()).decode("latin-1")))
    docs += [(f"edge:{name}", text) for name, text in EDGE_CASES if name == "html_snippet"]
    docs += [(f"adv:{name}", text) for name, text in ADVERSARIAL]
    return docs


def text_documents() -> list[tuple[str, str]]:
    return documents() + [(f"tab:{name}", text) for name, text in TABLE_TEXTS]


# ---------------------------------------------------------------- fixture values
# One value per (case, document), the same function on both sides: the generator stores it,
# the test recomputes it from our kernel's output and compares.

SHORT_TEXT = 200      # mapped texts up to this length are stored verbatim, longer ones as a hash
SHORT_TABLES = 1000   # same for the tables' JSON


def _sha16(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def text_value(text_in: str, text_out: str):
    """None if the op left the text as it was; the text if short; else [sha256[:16], length]."""
    if text_out == text_in:
        return None
    if len(text_out) <= SHORT_TEXT:
        return text_out
    return [_sha16(text_out), len(text_out)]


def tables_value(tables: list):
    """The tables if their JSON is short; else {"sha16": ..., "n": number of tables}."""
    data = json.dumps(tables, ensure_ascii=True, separators=(",", ":"))
    if len(data) <= SHORT_TABLES:
        return tables
    return {"sha16": _sha16(data), "n": len(tables)}


def doc_digests(docs) -> list[str]:
    return [_sha16(text) for _, text in docs]
