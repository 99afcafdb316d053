"""Turning raw input lines into records, or into quarantine rows with a precise reason.

Pure Python (no pyspark): the Spark reader runs this inside its tasks. A line becomes either
a good record (its text, the record's other fields for exports, its file and line number) or a
quarantined one (file, line, reason, the raw line as far as it can be shown). Nothing is
dropped silently; blank lines are not records and are skipped.

Reasons, verbatim in ``_quarantine.reason``:
``invalid UTF-8: <detail>``, ``invalid JSON: <detail>``, ``not a JSON object (<type>)``,
``missing text field '<key>'``, ``text is null``, ``text is <type>, not a string``,
``text holds an unpaired surrogate U+XXXX at offset N``; for an SFT / preference format (``fmt``),
``<format>: <reason>`` when the record is not a conversation of that format
(``sparkops.formats.FormatProblem``; e.g. ``sharegpt: conversations[2]: empty user turn``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sparkops.formats import READERS, FormatProblem, to_dj

RAW_PREVIEW = 4096  # characters of a bad line kept in the quarantine table


@dataclass
class Parsed:
    text: str | None
    # good rows: the record as JSON with its text field null (the key kept, in its place), for the
    # ops that read other fields and the exports that write them all; the text is ``text`` alone
    record: str | None
    reason: str | None  # set for quarantined rows
    raw: str | None  # preview of the bad line (quarantined rows)


def _decode(line: bytes) -> str | Parsed:
    """The line as text, or a quarantine row saying where its UTF-8 breaks."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as err:
        return Parsed(None, None, f"invalid UTF-8: byte 0x{line[err.start]:02x} at offset {err.start}",
                      line.decode("utf-8", "replace")[:RAW_PREVIEW])


def parse_json_line(line: bytes, text_key: str, fmt: str | None = None) -> Parsed | None:
    """One JSONL line (without its line break); None for a blank line. ``fmt``: an SFT /
    preference format the record is converted from (``sparkops.formats.READERS``)."""
    decoded = _decode(line)
    if isinstance(decoded, Parsed):
        return decoded
    if not decoded.strip():
        return None
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError as err:
        return Parsed(None, None, f"invalid JSON: {err.msg} (column {err.colno})", decoded[:RAW_PREVIEW])
    return check_record(obj, text_key, decoded, fmt)


def check_record(obj, text_key: str, decoded: str | None = None, fmt: str | None = None) -> Parsed:
    """``decoded``: the line ``obj`` was parsed from, shown for a bad record (None: ``obj`` as
    JSON, made only for a bad one)."""
    def bad(reason: str) -> Parsed:
        shown = decoded if decoded is not None else json.dumps(obj, ensure_ascii=False)
        return Parsed(None, None, reason, shown[:RAW_PREVIEW])

    if not isinstance(obj, dict):
        return bad(f"not a JSON object ({type(obj).__name__})")
    if fmt in READERS:
        try:
            obj = to_dj(fmt, obj)
        except FormatProblem as err:
            return bad(f"{fmt}: {err}")
        decoded = None  # from here on a bad record is shown as converted
    if text_key not in obj:
        return bad(f"missing text field '{text_key}'")
    text = obj[text_key]
    if text is None:
        return bad("text is null")
    if not isinstance(text, str):
        return bad(f"text is {type(text).__name__}, not a string")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:  # JSON may escape a lone surrogate: "\ud800"
            return bad(f"text holds an unpaired surrogate U+{ord(text[err.start]):04X} at offset {err.start}")
    return Parsed(text, record_json(obj, text_key), None, None)


def record_json(obj: dict, text_key: str) -> str:
    """The record a job's rows carry in ``_record``: every field, the text's value null.

    Every stage reads, persists, writes and hands its rows to Python workers; a copy of the text
    in the record would double all of it (the text is most of a record's bytes), and it would be
    the text as read, stale once a mapper rewrote it. Exports and record ops put the current
    text back under ``text_key``, where the record had it (a record op's rewritten record keeps
    it there: the current text, never a stale one)."""
    return json.dumps({**obj, text_key: None}, ensure_ascii=False)


def parse_text_line(line: bytes) -> Parsed | None:
    """One line of a text file is one document (Data-Juicer's text format)."""
    decoded = _decode(line)
    if isinstance(decoded, Parsed):
        return decoded
    if not decoded.strip():
        return None
    return Parsed(decoded, record_json({"text": decoded}, "text"), None, None)
