"""Web input without Spark: WARC / WET records and HTML files as rows, bad records as reasons.

Pure Python (fastwarc, resiliparse): the Spark reader (``sparkops.jobs.reader``) runs this in
its tasks, one task per file. :func:`iter_warc` walks one WARC file (plain or ``.gz``, one
gzip member per record or one stream) and yields :class:`Item` s:

- ``row``: a WARC ``response`` whose HTTP Content-Type is ``text/html`` or
  ``application/xhtml+xml`` (sniffed from the body when the type is missing), or with
  ``wet=True`` a WET ``conversion`` record. Its ``fields`` are ``url`` (WARC-Target-URI),
  ``warc_date``, ``record_id``, ``http_status``, ``content_type`` (the mime type),
  ``charset`` (the one the text was decoded with), ``decode_replacements`` (bytes that no
  charset could decode, each now U+FFFD) and the text under the job's text key;
- ``skip``: a record that is not a document by design (request, metadata, warcinfo, revisit,
  a non-HTML response): counted per kind, never a row;
- ``bad``: a record that could not be read, with its byte offset in the file and a reason
  (``truncated WARC record at offset N: ...``, ``corrupt WARC record at offset N: block
  digest mismatch``, ``unreadable WARC record at offset N: ...``, ``binary body labelled
  text/html ...``). Reading goes on at the next record start after it (the next gzip member,
  or the next ``WARC/1.`` line), so every good record before and after a bad one is read.

Offsets are those of the file as stored (compressed bytes for ``.gz``), as fastwarc's
``stream_pos`` gives them: ``zcat``-free tools (``dd skip=N``) can cut the record out.

Charset of an HTML body (:func:`decode_html`): a byte-order mark wins; then the HTTP header's
charset, then the HTML ``<meta charset>`` / ``http-equiv`` one, then resiliparse's detection,
each only if it decodes the whole body strictly (labels mapped the HTML5 way: ``iso-8859-1``
is ``windows-1252``, ``gb2312`` is ``gbk``); if none does, a declared one whose replacement
characters are at most 5% of the non-ASCII bytes (stray bad bytes, not a wrong label). A single-byte label (``latin-1``,
``windows-125x``, ...) never fails to decode, so it is not trusted over bytes that are valid,
non-ASCII UTF-8: those decode as UTF-8 (a UTF-8 page mislabelled latin-1 is common; latin-1
text that happens to be valid UTF-8 is not). When no candidate decodes strictly, the one that
needs the fewest replacement characters is used and the count is kept.

ARC files are not read: fastwarc parses WARC only (an ARC file quarantines as unreadable).
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import zlib
from dataclasses import dataclass, field
from typing import Iterator

from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_RECORD_BYTES = 256 * 1024 * 1024  # a bigger record is quarantined unread, not loaded
PREVIEW = 4096
SCAN_CHUNK = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_META = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]{1,40})", re.I)
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)[\s>/]", re.I | re.S)
_SINGLE_BYTE = ("cp125", "iso8859", "latin", "ascii", "koi8", "mac", "cp4", "cp8", "cp7", "tis")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SKIP_TYPES = {int(t): str(t) for t in (WarcRecordType.warcinfo, WarcRecordType.request, WarcRecordType.metadata,
                                         WarcRecordType.revisit, WarcRecordType.resource, WarcRecordType.response,
                                         WarcRecordType.conversion, WarcRecordType.continuation)}


@dataclass
class Item:
    kind: str  # 'row' | 'skip' | 'bad'
    offset: int | None = None
    fields: dict = field(default_factory=dict)  # a row's fields, text under 'text'
    reason: str | None = None  # 'bad': why; 'skip': the kind of record skipped
    preview: str | None = None
    resync: bool = False  # bad: the stream after this record cannot be trusted


# --- charsets ------------------------------------------------------------------------------

class _Counter:
    """A codec error handler that replaces like ``errors='replace'`` and counts what it replaced."""

    def __init__(self):
        self.n = 0

    def __call__(self, err: UnicodeDecodeError):
        self.n += 1
        return "\ufffd", err.end


def _codec(label: str | None) -> str | None:
    """A charset label as a Python codec name (HTML5 mapping first), None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        mapped = map_encoding_to_html5(label, fallback_utf8=False)
    except Exception:  # a label resiliparse cannot take is unknown, not a crash
        mapped = None
    try:
        return codecs.lookup(mapped or label).name
    except LookupError:
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset an HTML ``<meta>`` declares in the first 16 KB (either form)."""
    m = _META.search(body[:16384])
    return m.group(1).decode("ascii") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _label(codec: str) -> str:
    return {"cp1252": "windows-1252", "cp1251": "windows-1251", "cp1250": "windows-1250",
            "utf-8": "utf-8", "iso8859-1": "iso-8859-1"}.get(codec, codec.replace("_", "-").replace("iso8859", "iso-8859"))


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str, int]:
    """(text, charset used, replacement characters) for an HTML body; see the module docstring."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            counter = _Counter()
            return _decode_counting(body[len(bom):], codec, counter), _label(codec), counter.n
    candidates: list[str] = []
    for label in (header_charset, meta_charset(body)):
        codec = _codec(label)
        if codec and codec not in candidates:
            candidates.append(codec)
    utf8: str | None = None
    if not body.isascii():
        utf8 = _strict(body, "utf-8")
    for codec in candidates:
        if utf8 is not None and codec.startswith(_SINGLE_BYTE):
            return utf8, "utf-8", 0  # valid non-ASCII UTF-8 outranks a single-byte label
        text = utf8 if codec == "utf-8" and utf8 is not None else _strict(body, codec)
        if text is not None:
            return text, _label(codec), 0
    if utf8 is not None:
        return utf8, "utf-8", 0
    if body.isascii():  # undeclared ASCII: any ASCII-compatible charset reads it; call it UTF-8
        return body.decode("ascii"), "utf-8", 0
    # a declared charset a few stray bytes break (a UTF-8 page with one bad byte) still beats a
    # detector's guess; one that breaks on most non-ASCII bytes is wrong
    non_ascii = len(body.translate(None, bytes(range(128))))
    for codec in candidates:
        counter = _Counter()
        text = _decode_counting(body, codec, counter)
        if counter.n <= 0.05 * non_ascii:
            return text, _label(codec), counter.n
    detected = _codec(detect_encoding(body))
    if detected and detected not in candidates:
        text = _strict(body, detected)
        if text is not None:
            return text, _label(detected), 0
        candidates.append(detected)
    if "utf-8" not in candidates:
        candidates.append("utf-8")
    best: tuple[str, str, int] | None = None
    for codec in candidates:  # nothing decodes strictly: the fewest replacements, in precedence order
        counter = _Counter()
        text = _decode_counting(body, codec, counter)
        if best is None or counter.n < best[2]:
            best = (text, _label(codec), counter.n)
    return best


_COUNTER = [_Counter()]  # the counter of the decode running now (a Python worker runs one at a time)
codecs.register_error("sparkops_count", lambda err: _COUNTER[0](err))


def _decode_counting(body: bytes, codec: str, counter: _Counter) -> str:
    _COUNTER[0] = counter
    return body.decode(codec, "sparkops_count")


def looks_html(body: bytes) -> bool:
    """A body with no Content-Type: HTML when it starts like an HTML document."""
    head = body[:1024]
    for bom, _ in _BOMS[:1]:
        head = head.removeprefix(bom)
    return bool(_HTML_START.match(head))


def binary_share(body: bytes) -> float:
    """Share of control bytes (not tab, line breaks, form feed, escape) in the first 64 KB."""
    head = body[:65536]
    if not head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return 0.0
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # one pass, in C
    return controls / len(head)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def html_fields(body: bytes, header_charset: str | None, text_key: str) -> dict | str:
    """The decoded fields of an HTML body, or the reason it is not one."""
    share = binary_share(body)
    if share > 0.05:
        return f"binary body labelled HTML ({share:.0%} control bytes in its first 64 KB)"
    text, charset, replaced = decode_html(body, header_charset)
    return {"charset": charset, "decode_replacements": replaced, text_key: text}


# --- WARC ----------------------------------------------------------------------------------

def _is_record_start(raw, offset: int, gz: bool) -> bool:
    """Whether a WARC record begins at ``offset`` (for ``.gz``: a gzip member that inflates to one)."""
    raw.seek(offset)
    data = raw.read(4096)
    if not gz:
        return data.startswith(b"WARC/")
    try:
        out = zlib.decompressobj(31).decompress(data, 16)
    except zlib.error:
        return False
    # a member cut before its first inflated byte (the file ends inside its Huffman tables) counts
    return out.startswith(b"WARC/") or (not out and len(data) < 4096)


def _next_start(raw, after: int, gz: bool) -> int | None:
    """The offset of the next record start at or after ``after`` (a gzip magic inside compressed
    data, or 'WARC/1.' inside a body, is checked and passed over)."""
    magic = _GZIP_MAGIC if gz else _WARC_MAGIC
    pos, tail = after, b""
    while True:
        raw.seek(pos)
        chunk = raw.read(SCAN_CHUNK)
        if not chunk:
            return None
        data, base = tail + chunk, pos - len(tail)
        i = data.find(magic)
        while i >= 0:
            if base + i >= after and (gz or base + i == 0 or data[i - 1:i] == b"\n") \
                    and _is_record_start(raw, base + i, gz):
                return base + i
            i = data.find(magic, i + 1)
        tail, pos = data[-(len(magic) - 1):], pos + len(chunk)


def _header_preview(rec) -> str:
    return "\n".join(f"{k}: {v}" for k, v in rec.headers.items())[:PREVIEW]


def _one(rec, wet: bool, text_key: str) -> Item:
    offset = rec.stream_pos
    rtype = rec.record_type
    want = WarcRecordType.conversion if wet else WarcRecordType.response
    try:
        if rtype != want:
            n, expected = rec.reader.consume(), rec.content_length
            if n < expected:
                return Item("bad", offset, reason=f"truncated WARC record at offset {offset}: Content-Length "
                            f"{expected} bytes, {n} read", preview=_header_preview(rec), resync=True)
            return Item("skip", offset, reason=f"{_SKIP_TYPES.get(int(rtype), 'unknown')} record")
        if rec.content_length > MAX_RECORD_BYTES:
            rec.reader.consume()
            return Item("bad", offset, reason=f"WARC record at offset {offset} too large: {rec.content_length} "
                        f"bytes (limit {MAX_RECORD_BYTES})", preview=_header_preview(rec))
        declared = rec.content_length
        digest_ok = None
        if "WARC-Block-Digest" in rec.headers:
            digest_ok = rec.verify_block_digest(consume=False)  # buffers the block: content_length is what came
        missing = declared - rec.content_length
        if not wet and rec.headers.get("Content-Type", "").startswith("application/http"):
            rec.parse_http(quirks_mode=True)  # quirks: ClueWeb's LF-only HTTP headers
        expected = rec.content_length
        body = rec.reader.read()
        missing += expected - len(body)
    except Exception as err:  # fastwarc raises OSError (gzip, headers); anything else is as bad
        return Item("bad", offset, reason=f"corrupt WARC record at offset {offset}: {err}",
                    preview=_header_preview(rec), resync=True)
    if missing > 0:
        return Item("bad", offset, reason=f"truncated WARC record at offset {offset}: Content-Length "
                    f"{declared} bytes, {declared - missing} read", preview=_header_preview(rec), resync=True)
    if digest_ok is False:
        return Item("bad", offset, reason=f"corrupt WARC record at offset {offset}: block digest mismatch",
                    preview=_header_preview(rec), resync=True)
    headers = rec.headers
    fields = {"url": headers.get("WARC-Target-URI"), "warc_date": headers.get("WARC-Date"),
              "record_id": headers.get("WARC-Record-ID")}
    if wet:
        fields["content_type"] = (headers.get("Content-Type") or "text/plain").split(";")[0].strip().lower()
        text, charset, replaced = decode_html(body, "utf-8")
        fields.update(charset=charset, decode_replacements=replaced)
        fields[text_key] = text
        return Item("row", offset, fields)
    http_status = rec.http_headers.status_code if rec.is_http else None
    mime = (rec.http_content_type or "").lower() if rec.is_http else ""
    if not mime:
        if not looks_html(body):
            return Item("skip", offset, reason="non-HTML response (no type)")
        mime = "text/html"
    elif mime not in HTML_TYPES:
        return Item("skip", offset, reason=f"non-HTML response ({mime[:60]})")
    encoding = (rec.http_headers.get("Content-Encoding") or "").strip().lower() if rec.is_http else ""
    if encoding and encoding != "identity" and not looks_html(body):
        # ClueWeb keeps 'Content-Encoding: gzip' over bodies it stored decoded: only an encoded-looking
        # body is decoded
        body = _content_decoded(body, encoding)
        if isinstance(body, str):
            return Item("bad", offset, reason=f"{body} (record at offset {offset})", preview=_header_preview(rec))
    decoded = html_fields(body, rec.http_charset if rec.is_http else None, text_key)
    if isinstance(decoded, str):
        return Item("bad", offset, reason=f"{decoded} (record at offset {offset})", preview=_header_preview(rec))
    fields.update(http_status=http_status, content_type=mime)
    fields.update(decoded)
    return Item("row", offset, fields)


def _content_decoded(body: bytes, encoding: str) -> bytes | str:
    """A gzip/deflate Content-Encoding undone (bounded), or the reason it could not be."""
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return f"unsupported Content-Encoding '{encoding[:40]}'"
    try:
        d = zlib.decompressobj(47 if encoding != "deflate" else 15)  # 47: gzip or zlib header
        out = d.decompress(body, MAX_RECORD_BYTES)
        if d.unconsumed_tail:
            return f"Content-Encoding {encoding}: more than {MAX_RECORD_BYTES} bytes decompressed"
        return out
    except zlib.error as err:
        return f"Content-Encoding {encoding}: {err}"


def iter_warc(path: str, wet: bool = False, text_key: str = "text") -> Iterator[Item]:
    """Every record of one WARC (or WET) file as an :class:`Item`; see the module docstring.

    fastwarc stops quietly where a gzip file is cut and raises where a record's headers are
    junk; both times reading restarts at the next record start after the bad spot, which
    is quarantined with its offset."""
    with open(path, "rb") as raw:
        head = raw.read(64)
        gz = head.startswith(b"\x1f\x8b")
        start, seen = 0, 0
        broke: tuple[int, str] | None = None  # the stream broke after this record; said once reading resumes
        while True:
            raw.seek(start)
            last, stop = None, None
            try:
                # quirks mode: ClueWeb's WARC/0.18 and LF-only lines; it also skips junk between records
                for rec in ArchiveIterator(raw, parse_http=False, quirks_mode=True):
                    last = rec.stream_pos
                    if seen == 0 and last > 0:
                        yield Item("bad", 0, reason=f"{last} bytes before the first WARC record at offset {last} "
                                   "skipped (not WARC)", preview=head.decode("utf-8", "replace"))
                    seen += 1
                    if broke is not None:
                        yield Item("bad", broke[0], reason=f"WARC stream broke after the record at offset "
                                   f"{broke[0]}: {broke[1]}; reading resumed at offset {last}")
                        broke = None
                    item = _one(rec, wet, text_key)
                    yield item
                    if item.resync:
                        stop = last
                        break
            except Exception as err:  # fastwarc: OSError('Invalid WARC header'), gzip errors
                if last is None:
                    yield Item("bad", start, reason=f"unreadable WARC record at offset {start}: {err}", resync=True)
                    seen, broke, stop = seen + 1, None, start
                else:
                    broke, stop = (last, str(err)), last
            if stop is None:  # a quiet end: the end of the file, or of what fastwarc could read
                if last is None and (start > 0 or _is_record_start(raw, 0, gz)):
                    yield Item("bad", start, reason=f"truncated WARC record at offset {start}: the file ends "
                               "inside its headers", resync=True)
                    seen, stop = seen + 1, start
                elif last is not None and _next_start(raw, last + 1, gz) is not None:
                    stop = last  # a record start fastwarc did not reach: read on from there
                else:
                    if seen == 0 and head:
                        yield Item("bad", 0, reason="not a WARC file: no WARC record found",
                                   preview=head.decode("utf-8", "replace"))
                    return
            nxt = _next_start(raw, stop + 1, gz)
            if nxt is None:
                if broke is not None:
                    yield Item("bad", broke[0], reason=f"WARC stream broke after the record at offset "
                               f"{broke[0]}: {broke[1]}; no readable record after it")
                return
            start = nxt


# --- HTML files ----------------------------------------------------------------------------

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")


def read_html_file(path: str, text_key: str = "text") -> Item:
    """One HTML file (``.gz`` too) as a row: ``url`` is its ``file://`` URI."""
    url = "file://" + os.path.abspath(path)
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                body = f.read(MAX_RECORD_BYTES + 1)
        else:
            with open(path, "rb") as f:
                body = f.read(MAX_RECORD_BYTES + 1)
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError; a cut member an EOFError
        return Item("bad", 0, reason=f"unreadable HTML file: {err}")
    if len(body) > MAX_RECORD_BYTES:
        return Item("bad", 0, reason=f"HTML file larger than {MAX_RECORD_BYTES} bytes")
    decoded = html_fields(body, None, text_key)
    if isinstance(decoded, str):
        return Item("bad", 0, reason=decoded, preview=body[:PREVIEW].decode("utf-8", "replace"))
    return Item("row", 0, {"url": url, **decoded})
