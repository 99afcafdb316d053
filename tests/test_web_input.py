"""Web and tabular job inputs: WARC / WET / HTML files (sparkops.jobs.warc, no Spark) and the
reader's warc, wet, html, csv, tsv and parquet formats, on the real files in shared data."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from sparkops.jobs import warc
from sparkops.jobs.warc import decode_html, iter_warc, read_html_file

ROOT = Path(__file__).resolve().parent.parent


def _items(path, **kw):
    rows, skipped, bad = [], Counter(), []
    for item in iter_warc(str(path), **kw):
        if item.kind == "row":
            rows.append(item)
        elif item.kind == "skip":
            skipped[item.reason] += 1
        else:
            bad.append(item)
    return rows, skipped, bad


def _response(url: str, body: bytes, content_type: str | None = "text/html", gz: bool = True) -> bytes:
    """One WARC response record (no digest), gzipped as its own member like Common Crawl's."""
    http = b"HTTP/1.1 200 OK\r\n" + (f"Content-Type: {content_type}\r\n".encode() if content_type else b"") + \
        f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{abs(hash(url)):032x}>\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    record = head + http + b"\r\n\r\n"
    return gzip.compress(record) if gz else record


# --- WARC without Spark ----------------------------------------------------------------------

def test_commoncrawl_sample_rows_and_skip_counts(shared_data):
    rows, skipped, bad = _items(shared_data / "warc" / "commoncrawl_sample.warc.gz")
    assert len(rows) == 16 and not bad
    assert skipped == {"request record": 17, "metadata record": 16, "warcinfo record": 1}
    f = rows[0].fields
    assert set(f) == {"url", "warc_date", "record_id", "http_status", "content_type", "charset",
                      "decode_replacements", "text"}
    assert f["url"] == "http://003338.cn/l41/481397.html" and f["http_status"] == 200
    assert f["warc_date"].startswith("20") and f["record_id"].startswith("<urn:uuid:")
    assert len({r.fields["record_id"] for r in rows}) == 16
    assert all(r.fields["content_type"] == "text/html" and "<" in r.fields["text"] for r in rows)
    # the sample mixes declared and detected charsets; every page decodes without replacements
    assert {r.fields["charset"] for r in rows} == {"utf-8", "gbk", "windows-1251", "windows-1252"}
    assert all(r.fields["decode_replacements"] == 0 for r in rows)
    assert [r.offset for r in rows] == sorted(r.offset for r in rows) and rows[0].offset == 940


def test_clueweb_quirks_every_record_read(shared_data):
    # WARC/0.18, LF-only HTTP headers, 'Content-Encoding: gzip' over stored-decoded bodies
    rows, skipped, bad = _items(shared_data / "warc" / "clueweb_quirk.warc.gz")
    assert len(rows) == 29 and not bad and skipped == {"warcinfo record": 1}
    assert {r.fields["charset"] for r in rows} == {"euc-jp"}
    assert all(r.fields["decode_replacements"] == 0 for r in rows)
    assert "HEADPORTER" in rows[0].fields["text"]


def test_clipped_record_is_quarantined_with_its_offset(shared_data, tmp_path):
    clipped = (shared_data / "warc" / "clipped.warc.gz").read_bytes()
    rows, _, bad = _items(shared_data / "warc" / "clipped.warc.gz")
    assert not rows
    assert [b.reason for b in bad] == ["truncated WARC record at offset 0: Content-Length 88275 bytes, 75207 read"]
    # between two good files: the records before and after it are read
    whirl = (shared_data / "warc" / "whirlwind.warc.gz").read_bytes()
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(whirl + clipped + whirl)
    rows, skipped, bad = _items(path)
    assert [r.fields["url"] for r in rows] == ["https://an.wikipedia.org/wiki/Escopete"] * 2
    assert skipped["request record"] == 2 and skipped["metadata record"] == 2
    assert len(bad) == 1 and bad[0].offset == len(whirl) and f"offset {len(whirl)}" in bad[0].reason


def test_gzip_member_cut_in_the_middle(shared_data, tmp_path):
    cc = (shared_data / "warc" / "commoncrawl_sample.warc.gz").read_bytes()
    whirl = (shared_data / "warc" / "whirlwind.warc.gz").read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(cc[:60000] + whirl)  # the member at 48321 is cut; whirlwind follows
    rows, _, bad = _items(path)
    assert len(rows) == 6 and rows[-1].fields["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert len(bad) == 1 and bad[0].offset == 48321 and "at offset 48321" in bad[0].reason
    # cut at the end of the file, inside a member's first bytes
    path.write_bytes(cc[:1000])
    _, skipped, bad = _items(path)
    assert skipped == {"warcinfo record": 1, "request record": 1}
    assert [b.reason for b in bad] == ["truncated WARC record at offset 940: the file ends inside its headers"]


def test_whirlwind_warc_and_wet_are_the_same_page(shared_data):
    rows, _, bad = _items(shared_data / "warc" / "whirlwind.warc.gz")
    wet, skipped, wet_bad = _items(shared_data / "warc" / "whirlwind.warc.wet.gz", wet=True)
    assert len(rows) == 1 and len(wet) == 1 and not bad and not wet_bad
    assert skipped == {"warcinfo record": 1}
    assert wet[0].fields["url"] == rows[0].fields["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert wet[0].fields["text"].startswith("Escopete - Biquipedia") and "<" not in wet[0].fields["text"][:200]
    assert rows[0].fields["text"].startswith("<!DOCTYPE html>")
    # a WET file read as warc: its conversion records are counted, not rows
    rows, skipped, _ = _items(shared_data / "warc" / "whirlwind.warc.wet.gz")
    assert not rows and skipped == {"warcinfo record": 1, "conversion record": 1}


def test_binary_share_counts_the_control_bytes_of_the_first_64_kb():
    import random

    rng = random.Random(7)
    controls = [b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)]
    for size in (1, 100, 65536, 200_000):
        body = bytes(rng.randrange(256) for _ in range(size))
        head = body[:65536]
        expected = sum(1 for b in head if b in controls) / len(head)
        assert warc.binary_share(body) == expected
    assert warc.binary_share(b"") == 0.0 and warc.binary_share(b"\t\n\r\x0b\x0c\x1b text") == 0.0
    assert warc.binary_share(b"\x00\x01ab") == 0.5


def test_binary_body_labelled_html_and_non_html_types(tmp_path):
    path = tmp_path / "b.warc.gz"
    noise = bytes(range(256)) * 40
    path.write_bytes(_response("http://a/bin", noise) + _response("http://a/pdf", b"%PDF-1.4", "application/pdf")
                     + _response("http://a/untyped", b"<!DOCTYPE html><p>hi", None)
                     + _response("http://a/untyped-bin", noise, None))
    rows, skipped, bad = _items(path)
    assert [r.fields["url"] for r in rows] == ["http://a/untyped"]  # sniffed as HTML
    assert skipped == {"non-HTML response (application/pdf)": 1, "non-HTML response (no type)": 1}
    assert len(bad) == 1 and bad[0].reason.startswith("binary body labelled HTML (")


def test_charset_precedence(tmp_path):
    utf8 = "<p>café, naïve, Ελληνικά</p>".encode()
    # header says latin-1, bytes are UTF-8: valid non-ASCII UTF-8 outranks a single-byte label
    assert decode_html(utf8, "iso-8859-1") == (utf8.decode(), "utf-8", 0)
    # header says UTF-8, the bytes are not: the meta tag is next
    cp = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">' + "Привет".encode("cp1251")
    assert decode_html(cp, "utf-8")[:2] == (cp.decode("cp1251"), "windows-1251")
    # a header that decodes strictly wins over a meta that disagrees
    both = b'<meta charset="utf-8">' + "Привет".encode("koi8-r")
    assert decode_html(both, "koi8-r")[1] == "koi8-r"
    # no declaration: detection
    assert decode_html("Это русский текст про погоду и города.".encode("cp1251") * 20)[1] == "windows-1251"
    # a UTF-8 page with one stray byte keeps its declared charset, the byte counted
    text, charset, replaced = decode_html("café ".encode() * 200 + b"\xff", "utf-8")
    assert (charset, replaced) == ("utf-8", 1) and text.endswith("café \ufffd")
    # a byte-order mark beats every label; unknown labels are ignored
    assert decode_html(b"\xef\xbb\xbfhi", "latin-1") == ("hi", "utf-8", 0)
    assert decode_html(b"plain", "no-such-charset") == ("plain", "utf-8", 0)


def test_header_charset_through_a_warc_record(tmp_path):
    path = tmp_path / "cs.warc"
    body = "<html><p>Größe</p></html>".encode()
    path.write_bytes(_response("http://a/x", body, "text/html; charset=ISO-8859-1", gz=False))
    rows, _, bad = _items(path)
    assert not bad and rows[0].fields["text"] == body.decode() and rows[0].fields["charset"] == "utf-8"


def test_non_warc_files(tmp_path):
    text = tmp_path / "notes.warc"
    text.write_text("just some text\n" * 10)
    _, _, bad = _items(text)
    assert [b.reason for b in bad] == ["not a WARC file: no WARC record found"]
    assert bad[0].preview.startswith("just some text")
    zipped = tmp_path / "data.warc.gz"
    zipped.write_bytes(gzip.compress(b'{"text": "a json line"}\n'))
    assert [b.reason for b in _items(zipped)[2]] == ["not a WARC file: no WARC record found"]
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    assert _items(empty) == ([], Counter(), [])


def test_fifty_megabyte_page_stays_within_bounded_memory(tmp_path):
    """A 50 MB page is one row; the reading process peaks at a few copies of it, not more."""
    path = tmp_path / "big.warc.gz"
    body = b"<html><body>" + ("<p>" + "word " * 20 + "caf\u00e9</p>\n").encode() * 450_000 + b"</body></html>"
    assert len(body) > 50_000_000
    path.write_bytes(_response("http://big/", body))
    # the child's own high-water mark (VmHWM): getrusage's ru_maxrss keeps, across exec, the RSS
    # of the forked copy of this (large) test process
    script = (f"import re, sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from sparkops.jobs.warc import iter_warc\n"
              f"items = list(iter_warc({str(path)!r}))\n"
              "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
              "print(len(items), items[0].kind, len(items[0].fields.get('text', '')), "
              "items[0].fields.get('charset'), hwm)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    n, kind, chars, charset, peak_kb = int(out[0]), out[1], int(out[2]), out[3], int(out[4])
    assert (n, kind, charset) == (1, "row", "utf-8") and chars == len(body.decode())
    assert peak_kb < 600 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB for a {len(body) / 1e6:.0f} MB page"


# --- HTML files without Spark ----------------------------------------------------------------

def test_html_files(shared_data, tmp_path):
    pages = sorted((shared_data / "html" / "trafilatura" / "pages").iterdir())
    item = read_html_file(str(pages[0]))
    assert item.kind == "row" and item.fields["url"] == f"file://{pages[0]}"
    assert "<" in item.fields["text"] and item.fields["charset"]
    odd = tmp_path / "odd.htm"
    odd.write_bytes(b'<html><meta charset="shift_jis">' + "日本語".encode("shift_jis"))
    assert read_html_file(str(odd)).fields["text"].endswith("日本語")
    bad = tmp_path / "cut.html.gz"
    bad.write_bytes(gzip.compress(b"<html>" * 1000)[:40])
    assert read_html_file(str(bad)).reason.startswith("unreadable HTML file:")
    binary = tmp_path / "bin.html"
    binary.write_bytes(bytes(range(256)) * 10)
    assert read_html_file(str(binary)).reason.startswith("binary body labelled HTML")


# --- through Spark ---------------------------------------------------------------------------

def _read(spark, fmt, path, text_key="text"):
    from sparkops.jobs import reader
    from sparkops.jobs.spec import InputSpec

    return reader.read(spark, InputSpec(fmt, str(path), text_key)).collect()


def test_reader_warc_folder(spark, shared_data, tmp_path):
    src = shared_data / "warc"
    for name in ("commoncrawl_sample.warc.gz", "clipped.warc.gz", "whirlwind.warc.gz"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    (tmp_path / "whirlwind.warc.wet.gz").write_bytes((src / "whirlwind.warc.wet.gz").read_bytes())  # not .warc*
    rows = _read(spark, "warc", tmp_path, text_key="content")
    good = [r for r in rows if r._reason is None]
    tallies = {(Path(r._source).name, r._reason): r._skipped for r in rows if r._skipped is not None}
    bad = [r for r in rows if r._reason is not None and r._skipped is None]
    assert len(good) == 17
    assert tallies[("commoncrawl_sample.warc.gz", "request record")] == 17
    assert tallies[("whirlwind.warc.gz", "metadata record")] == 1
    assert [(Path(r._source).name, r._line) for r in bad] == [("clipped.warc.gz", 0)]
    record = json.loads(good[0]._record)
    # the HTML lives in `text` only (the export writes it back under text_key, last)
    assert "content" not in record and record["url"].startswith("http") and "<" in good[0].text
    assert list(record)[-2:] == ["charset", "decode_replacements"]
    wet = _read(spark, "wet", src / "whirlwind.warc.wet.gz")
    assert [json.loads(r._record)["url"] for r in wet if r._reason is None] == ["https://an.wikipedia.org/wiki/Escopete"]


def test_reader_html_folders(spark, shared_data):
    for folder, n in (("trafilatura/pages", 270), ("aeb/html", 181)):
        rows = _read(spark, "html", shared_data / "html" / folder)
        assert len(rows) == n and all(r._reason is None for r in rows), folder
        assert all(json.loads(r._record)["url"] == "file://" + r._source for r in rows)


def test_reader_csv_tsv_parquet_quarantine(spark, tmp_path):
    (tmp_path / "a.csv").write_text('id,text\n1,hello\n2,"two\nlines"\n3,x,extra\n4,\n')
    rows = sorted(_read(spark, "csv", tmp_path / "a.csv"), key=lambda r: r._raw or r.text or "")
    good = [(json.loads(r._record)["id"], r.text) for r in rows if r._reason is None]
    assert sorted(good) == [("1", "hello"), ("2", "two\nlines")]
    assert sorted(r._reason for r in rows if r._reason) == ["malformed CSV row", "text is null"]
    assert [r._raw for r in rows if r._reason == "malformed CSV row"] == ["3,x,extra"]
    (tmp_path / "b.tsv").write_text("text\tlang\nbonjour\tfr\nhallo\n")
    rows = _read(spark, "tsv", tmp_path / "b.tsv")
    assert [(r.text, r._reason) for r in rows] == [("bonjour", None), (None, "malformed CSV row")]
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["a", None], "n": [1, 2]}), tmp_path / "c.parquet")
    rows = sorted(_read(spark, "parquet", tmp_path / "c.parquet"), key=lambda r: json.loads(r._record)["n"])
    assert [(r.text, r._reason) for r in rows] == [("a", None), (None, "text is null")]
    pq.write_table(pa.table({"text": [1, 2]}), tmp_path / "d.parquet")
    from sparkops.jobs.reader import InputError

    with pytest.raises(InputError, match="is bigint, not a string"):
        _read(spark, "parquet", tmp_path / "d.parquet")


def test_job_on_a_warc_end_to_end(spark, shared_data, tmp_path):
    from sparkops.jobs import runner, spec

    (tmp_path / "in").mkdir()
    for name in ("commoncrawl_sample.warc.gz", "clipped.warc.gz"):
        (tmp_path / "in" / name).write_bytes((shared_data / "warc" / name).read_bytes())
    (tmp_path / "job.yaml").write_text(
        "name: warc_job\ninput: {format: warc, path: in}\noutput: {path: out}\n"
        "stages:\n  - name: clean\n    process:\n      - text_length_filter: {min_len: 20000}\n")
    job = spec.load(tmp_path / "job.yaml")
    result = runner.run(spark, job, say=lambda _: None)
    assert (result.input_rows, result.quarantined) == (16, 1)
    assert result.skipped == {"metadata record": 16, "request record": 17, "warcinfo record": 1}
    st = result.stages[0]
    assert st.rows_in == 16 and 0 < st.rows_out < 16
    quarantine = spark.read.format("delta").load(str(tmp_path / "out" / "_quarantine")).collect()
    assert [q.reason for q in quarantine] == ["truncated WARC record at offset 0: Content-Length 88275 bytes, "
                                              "75207 read"]
    kept = spark.read.format("delta").load(str(tmp_path / "out" / "clean")).collect()
    assert all(len(r.text) >= 20000 and json.loads(r._record)["url"].startswith("http") for r in kept)
    # a resumed run reports the same skip counts (from the quarantine commit)
    again = runner.run(spark, job, say=lambda _: None)
    assert again.stages[0].reused and again.skipped == result.skipped


def test_spec_accepts_the_new_formats(tmp_path):
    from sparkops.jobs import spec

    for fmt in ("warc", "wet", "html", "csv", "tsv"):
        (tmp_path / "j.yaml").write_text(f"name: j\ninput: {{format: {fmt}, path: x}}\noutput: {{path: o}}\n"
                                         "stages:\n  - name: s\n    process: [text_length_filter:]\n")
        assert spec.load(tmp_path / "j.yaml").input.format == fmt
    assert warc.MAX_RECORD_BYTES >= 64 * 1024 * 1024
