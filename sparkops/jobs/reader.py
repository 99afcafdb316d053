"""Reading a job's input: every good record in, every bad one quarantined with its reason.

JSONL (also ``.gz``), JSON arrays and text files on a filesystem the executors can open
(local disk, NFS, a mounted bucket) are read by sparkops itself, line by line inside Spark
tasks: a line that is not UTF-8, not JSON, not an object, or lacks a string text becomes a
quarantine row with its file and line number, and every other line of the file survives
(Spark's and Data-Juicer's readers give up on the whole file, or silently replace bytes).
Large uncompressed files are cut into byte-range splits read in parallel; a first cheap pass
counts line breaks per split so line numbers stay exact (on the driver for a local master, in
Spark tasks otherwise).

WARC (``warc``: HTML responses), WET (``wet``: conversion records) and HTML files (``html``:
a folder, a file or a glob; ``.gz`` too) are read by ``sparkops.jobs.warc`` inside the tasks,
one task per WARC file (a gzip member boundary is only found by reading): ``_record`` holds
the row's fields as JSON (``url``, ``warc_date``, ``record_id``, ``http_status``,
``content_type``, ``charset``, ``decode_replacements``), so ops read ``url`` as a field and
the export keeps it; the HTML is only in ``text`` (a copy in ``_record`` would double every
row of the widest input, and the export writes the final text under ``text_key``, last, where
the reader had it); ``_line`` is the record's byte offset in the file. A bad record is a
quarantine row with its offset; records that are not documents by design (requests,
metadata, non-HTML responses) become one tally row per file and kind:
``_skipped`` holds the count and ``_reason`` the kind (``request record``); the runner counts
them apart from the quarantine.

SFT and preference formats (``alpaca``, ``sharegpt``, ``messages``, ``preference``, ``hh_rlhf`` ...: a
JSON array or JSONL) are read as JSON and each record converted to Data-Juicer's dialog record
(``sparkops.formats``); ``_record`` holds the converted record, and a record that is not a
conversation of its format is quarantined with ``<format>: <reason>``.

Parquet and Delta inputs, CSV / TSV (a header row; a row with the wrong number of fields is
quarantined as ``malformed CSV row``) and URIs with a scheme (``s3a://``, ``hdfs://``) use
Spark's readers; their rows with a null text are quarantined (a typed column cannot hold a
non-string; a non-string column is an ``InputError``).

All give one DataFrame: ``text``, ``_record`` (the record as JSON, for the ops that read its other
fields and for exports; from sparkops' own readers with its text field null, see
``records.record_json``: Spark's ``to_json`` cannot keep a null field in its place, so the
Spark-read formats' records still hold their text),
``_source``, ``_line``, ``_reason`` (null for good rows), ``_raw`` (bad line preview),
``_skipped`` (null but on tally rows).
"""

from __future__ import annotations

import glob
import gzip
import json
import os
from dataclasses import dataclass
from typing import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkops.jobs import warc
from sparkops.jobs.records import Parsed, check_record, parse_json_line, parse_text_line
from sparkops.jobs.spec import DIALOG_FORMATS, InputSpec
from sparkops.spark.sources import arrow_source

SPLIT_BYTES = 64 * 1024 * 1024  # at most; smaller when that leaves cores idle (see _split_bytes)
MIN_SPLIT_BYTES = 1024 * 1024
BATCH_ROWS = 1000
BATCH_CHARS = 32 * 1024 * 1024  # a batch of huge documents is flushed early
SCHEMA = "text string, _record string, _source string, _line long, _reason string, _raw string, _skipped long"
_ARROW = pa.schema([("text", pa.string()), ("_record", pa.string()), ("_source", pa.string()),
                    ("_line", pa.int64()), ("_reason", pa.string()), ("_raw", pa.string()),
                    ("_skipped", pa.int64())])
WEB_FORMATS = ("warc", "wet", "html")
SPARK_FORMATS = ("parquet", "delta", "csv", "tsv")
# the files a folder given as a web input holds
_WEB_SUFFIXES = {"warc": (".warc", ".warc.gz"), "wet": (".wet", ".wet.gz", ".warc.wet.gz"),
                 "html": warc.HTML_SUFFIXES}


class InputError(ValueError):
    """The input cannot be read at all (no files, wrong column type); says what to fix."""


@dataclass(frozen=True)
class Split:
    path: str
    start: int
    end: int
    first_line: int  # 1-based number of the first line this split owns
    kind: str  # 'jsonl' | 'json_array' | 'text'


def read(spark: SparkSession, spec: InputSpec) -> DataFrame:
    if spec.format in DIALOG_FORMATS and "://" in spec.path:
        raise InputError(f"input: format '{spec.format}' reads files the executors can open (a local or mounted "
                         f"path), not {spec.path}")
    if spec.format in SPARK_FORMATS or "://" in spec.path:
        return _read_with_spark(spark, spec)
    files = _files(spec)
    if not files:
        raise InputError(f"input: no files match {spec.path}")
    text_key, fmt = spec.text_key, spec.format
    if spec.format in WEB_FORMATS:
        # one task per WARC file (a gzip member boundary is found only by reading); HTML files are
        # small: about four tasks a core
        splits = [Split(f, 0, -1, 1, spec.format) for f in files]
        tasks = len(files) if spec.format != "html" else min(len(files), 4 * spark.sparkContext.defaultParallelism)
    else:
        splits = _plan(spark, files, spec.format)
        tasks = len(splits)
    # the split numbers, in exactly `tasks` partitions of consecutive numbers. Not a
    # repartition of a small DataFrame: Spark's round robin starts each input partition at a
    # pseudo-random target, so 8 rows in 8 partitions land two by two in 4 of them (half the
    # tasks, twice as long each, and a core idle at the end)
    rows = spark.range(0, len(splits), 1, max(1, min(tasks, len(splits))))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for number in batch.column(0).to_pylist():
                yield from _read_split(splits[number], text_key, fmt)

    # an arrow_source: a first stage's fused pass runs this reader in its own worker
    return arrow_source(rows, run, SCHEMA)


def _files(spec: InputSpec) -> list[str]:
    """The files a path names: a glob, a file, or (web formats) every file of a folder with a
    suffix of the format, at any depth."""
    if spec.format in WEB_FORMATS and os.path.isdir(spec.path):
        suffixes = _WEB_SUFFIXES[spec.format]
        return sorted(os.path.join(d, n) for d, _, names in os.walk(spec.path) for n in names
                      if n.lower().endswith(suffixes))
    return sorted(f for f in glob.glob(spec.path, recursive=True) if os.path.isfile(f))


def _kind(path: str, fmt: str) -> str:
    if fmt == "text":
        return "text"
    if fmt == "json" or fmt in DIALOG_FORMATS:  # SFT data ships as JSON arrays and as JSONL
        with _open(path) as f:
            head = f.read(4096).lstrip()
        if head.startswith(b"["):
            return "json_array"
    return "jsonl"


def _split_bytes(spark: SparkSession, files: list[str]) -> int:
    """Split size: every core gets about four splits (a 15 MB file on 2 cores is 8 tasks, not
    1: a stage's operators run in the tasks that read its rows), within [1 MB, 64 MB]."""
    total = sum(os.path.getsize(f) for f in files)
    cores = max(1, spark.sparkContext.defaultParallelism)
    return int(min(SPLIT_BYTES, max(MIN_SPLIT_BYTES, total // (4 * cores) + 1)))


def _plan(spark: SparkSession, files: list[str], fmt: str) -> list[Split]:
    splits: list[Split] = []
    to_count = []
    step = _split_bytes(spark, files)
    for path in files:
        kind = _kind(path, fmt)
        size = os.path.getsize(path)
        if path.endswith(".gz") or kind == "json_array" or size <= step:
            splits.append(Split(path, 0, -1, 1, kind))
        else:
            to_count += [(path, s, min(size, s + step), kind) for s in range(0, size, step)]
    if to_count:
        if _count_on_driver(spark):
            counts = [(t, _count_newlines(t[0], t[1], t[2])) for t in to_count]
        else:
            counts = (spark.sparkContext.parallelize(to_count, len(to_count))
                      .map(lambda t: (t, _count_newlines(t[0], t[1], t[2]))).collect())
        before: dict[str, int] = {}
        for (path, start, end, kind), n in sorted(counts):
            prior = before.get(path, 0)
            line = 1 if start == 0 else prior + 1 + (0 if _byte_before(path, start) == b"\n" else 1)
            splits.append(Split(path, start, end, line, kind))
            before[path] = prior + n
    return splits


def _count_on_driver(spark: SparkSession) -> bool:
    """On a local master the tasks would run on this machine too: one sequential read here
    saves a Spark job and a pool of Python workers that would stay up for the whole run."""
    return spark.sparkContext.master.startswith("local")


def _count_newlines(path: str, start: int, end: int) -> int:
    n = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(left, 8 * 1024 * 1024))
            if not chunk:
                break
            n += chunk.count(b"\n")
            left -= len(chunk)
    return n


def _byte_before(path: str, offset: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset - 1)
        return f.read(1)


def _open(path: str):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _read_split(split: Split, text_key: str, fmt: str | None = None) -> Iterator[pa.RecordBatch]:
    out = _Batcher(split.path)
    if split.kind in WEB_FORMATS:
        yield from _read_web(split, text_key, out)
        return
    if split.kind == "json_array":
        yield from _read_json_array(split, text_key, out, fmt)
        return
    parse = parse_text_line if split.kind == "text" else (lambda b: parse_json_line(b, text_key, fmt))
    with _open(split.path) as f:
        raw = f
        line_no = split.first_line
        if split.start > 0:
            raw.seek(split.start - 1)
            if raw.read(1) != b"\n":
                raw.readline()  # the line that straddles the boundary belongs to the split before
        pos = raw.tell()
        while split.end < 0 or pos < split.end:
            line = raw.readline()
            if not line:
                break
            pos += len(line)
            try:
                parsed = parse(line.rstrip(b"\r\n") if split.kind == "jsonl" else line.rstrip(b"\n").rstrip(b"\r"))
            except RecursionError:  # absurdly nested JSON: a bad record, not a dead task
                parsed = Parsed(None, None, "invalid JSON: nested too deeply", None)
            if parsed is not None:
                batch = out.add(parsed, line_no)
                if batch is not None:
                    yield batch
            line_no += 1
    yield from out.flush()


def _read_json_array(split: Split, text_key: str, out: "_Batcher", fmt: str | None = None) -> Iterator[pa.RecordBatch]:
    with _open(split.path) as f:
        data = f.read()
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        # a broken JSON array file has no records we could trust: quarantine the file, say why
        reason = f"invalid UTF-8: {err}" if isinstance(err, UnicodeDecodeError) else f"invalid JSON: {err}"
        batch = out.add(Parsed(None, None, reason, data[:4096].decode("utf-8", "replace")), 1)
        yield from ([batch] if batch is not None else [])
        yield from out.flush()
        return
    if not isinstance(items, list):
        items = [items]
    for i, obj in enumerate(items, start=1):
        try:
            parsed = check_record(obj, text_key, fmt=fmt)
        except RecursionError:  # absurdly nested JSON: a bad record, not a dead task
            parsed = Parsed(None, None, "invalid JSON: nested too deeply", None)
        batch = out.add(parsed, i)
        if batch is not None:
            yield batch
    yield from out.flush()


def _read_web(split: Split, text_key: str, out: "_Batcher") -> Iterator[pa.RecordBatch]:
    """A WARC / WET / HTML file: ``_line`` is the record's byte offset in the file (0 for an HTML
    file); records that are not documents by design become one tally row per kind."""
    if split.kind == "html":
        items = iter([warc.read_html_file(split.path, text_key)])
    else:
        items = warc.iter_warc(split.path, wet=split.kind == "wet", text_key=text_key)
    skipped: dict[str, int] = {}
    for item in items:
        if item.kind == "skip":
            skipped[item.reason] = skipped.get(item.reason, 0) + 1
            continue
        if item.kind == "row":
            fields = dict(item.fields)
            text = fields.pop(text_key)
            parsed = Parsed(text, json.dumps(fields, ensure_ascii=False), None, None)
        else:
            parsed = Parsed(None, None, item.reason, item.preview)
        batch = out.add(parsed, item.offset)
        if batch is not None:
            yield batch
    for reason, n in sorted(skipped.items()):
        batch = out.add(Parsed(None, None, reason, None), None, skipped=n)
        if batch is not None:
            yield batch
    yield from out.flush()


class _Batcher:
    def __init__(self, source: str):
        self.source = source
        self.rows: list[tuple] = []
        self.chars = 0

    def add(self, parsed: Parsed, line: int | None, skipped: int | None = None) -> pa.RecordBatch | None:
        """``skipped``: this row is a tally of that many records not read by design (its reason
        says which kind), neither a record nor a quarantined one."""
        self.rows.append((parsed.text, parsed.record, self.source, line, parsed.reason, parsed.raw, skipped))
        self.chars += len(parsed.text or "") + len(parsed.raw or "")
        if len(self.rows) >= BATCH_ROWS or self.chars >= BATCH_CHARS:
            return self._take()
        return None

    def flush(self) -> Iterator[pa.RecordBatch]:
        if self.rows:
            yield self._take()

    def _take(self) -> pa.RecordBatch:
        cols = list(zip(*self.rows))
        self.rows, self.chars = [], 0
        return pa.RecordBatch.from_arrays([pa.array(list(c), type=f.type) for c, f in zip(cols, _ARROW)],
                                          schema=_ARROW)


def _read_with_spark(spark: SparkSession, spec: InputSpec) -> DataFrame:
    corrupt_reason = "invalid JSON"
    if spec.format in ("parquet", "delta"):
        df = spark.read.format(spec.format).load(spec.path)
    elif spec.format in ("csv", "tsv"):
        df, corrupt_reason = _read_csv(spark, spec), "malformed CSV row"
    elif spec.format == "text":
        df = spark.read.text(spec.path).withColumnRenamed("value", spec.text_key)
    else:  # JSON on a remote filesystem: Spark's reader, malformed lines kept as _corrupt_record
        df = (spark.read.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", "_corrupt_record")
              .json(spec.path))
    if spec.text_key not in df.columns:
        raise InputError(f"input: text_key '{spec.text_key}' is not a column of {spec.path} "
                         f"(columns: {', '.join(df.columns)})")
    kind = df.schema[spec.text_key].dataType.simpleString()
    if kind != "string":
        raise InputError(f"input: column '{spec.text_key}' of {spec.path} is {kind}, not a string")
    record_cols = [c for c in df.columns if c != "_corrupt_record"]
    corrupt = F.col("_corrupt_record") if "_corrupt_record" in df.columns else F.lit(None).cast("string")
    reason = (F.when(corrupt.isNotNull(), F.lit(corrupt_reason))
              .when(F.col(spec.text_key).isNull(), F.lit("text is null")))
    return df.select(
        F.when(corrupt.isNull(), F.col(spec.text_key)).alias("text"),  # a malformed row's text is no text
        F.to_json(F.struct(*[F.col(c) for c in record_cols])).alias("_record"),
        F.input_file_name().alias("_source"),
        F.lit(None).cast("long").alias("_line"),
        reason.alias("_reason"),
        F.substring(corrupt, 1, 4096).alias("_raw"),
        F.lit(None).cast("long").alias("_skipped"),
    )


def _read_csv(spark: SparkSession, spec: InputSpec) -> DataFrame:
    """CSV / TSV with a header row, every column a string. A row with more or fewer fields than
    the header keeps its raw line in ``_corrupt_record`` (Spark fills that column only when the
    schema names it, so the header is read first); quoted fields may hold line breaks."""
    sep = "\t" if spec.format == "tsv" else ","
    opts = {"header": "true", "sep": sep, "multiLine": "true", "escape": '"', "mode": "PERMISSIVE",
            "columnNameOfCorruptRecord": "_corrupt_record"}
    header = spark.read.options(**opts).csv(spec.path).schema
    if not header.fields:
        raise InputError(f"input: {spec.path} has no header row")
    ddl = ", ".join(f"`{f.name}` string" for f in header.fields if f.name != "_corrupt_record")
    return spark.read.options(**opts).schema(f"{ddl}, _corrupt_record string").csv(spec.path)
