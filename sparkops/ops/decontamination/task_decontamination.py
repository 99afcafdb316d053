"""``task_decontamination_mapper``: benchmark n-grams cut out of training documents (a generator).

NeMo Curator 0.x's ``TaskDecontamination`` (kernels and the facts behind them:
``sparkops.text.decontamination``). The benchmark ("task") texts come from JSONL files
(``task_files``, fields ``task_fields``) or inline (``task_texts``); their n-grams are built
once per process. A document with a hit loses the text around it (to sentence ends
``remove_char_each_side`` characters away) and comes out as its remaining pieces, one row
each; one left with no piece, or with more than ``max_splits``, is dropped.

Two runs: per row (``expand``: a document against every task n-gram; the SQL function) and
over a whole table (``frame``, ``sparkops.spark.decontamination``: NeMo's two passes, with
``max_matches``: n-grams hit more often than that across the corpus are left in place).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.text.decontamination import TaskTable, read_task_texts, remove, verdict

FAMILY = "decontamination"
INLINE_TASK = "task_texts"  # the task name of n-grams from the ``task_texts`` parameter


def _listed(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@lru_cache(maxsize=8)
def _table(files: tuple[tuple[str, float], ...], fields: tuple[str, ...], texts: tuple[str, ...],
           min_size: int, max_size: int) -> TaskTable:
    """The task n-grams, once per process for the same files (path, mtime) and parameters."""
    table = TaskTable()
    for path, _ in files:
        table.add(Path(path).stem, read_task_texts(path, list(fields)), min_size, max_size)
    if texts:
        table.add(INLINE_TASK, texts, min_size, max_size)
    return table


def _prepare(p: dict, where: str) -> dict:
    files, texts = _listed(p["task_files"]), _listed(p["task_texts"])
    if not files and not texts:
        raise OpError(f"{where}: give the benchmark as task_files (JSONL) or task_texts; both are empty")
    stamped = []
    for path in files:
        try:
            stamped.append((path, os.stat(path).st_mtime))
        except OSError as err:
            raise OpError(f"{where}: parameter 'task_files': cannot read {path!r}: {err.strerror}") from None
    try:
        table = _table(tuple(stamped), _listed(p["task_fields"]), texts,
                       p["task_min_ngram_size"], p["task_max_ngram_size"])
    except (OSError, ValueError) as err:  # unreadable file, a line that is not JSON
        raise OpError(f"{where}: parameter 'task_files': {type(err).__name__}: {err}") from None
    return dict(p, table=table)


def clean(text: str, table: TaskTable, p: dict):
    """One document's pieces and hits, with the n-grams of ``table`` (kernel of both runs)."""
    return remove(text, table, p["max_ngram_size"], p["remove_char_each_side"], p["min_document_length"],
                  p["exact_offsets"])


def expand(texts: list[str], p: dict) -> list[list[str]]:
    out = []
    for t in texts:
        cleaned = clean(t, p["table"], p)
        out.append([] if verdict(cleaned, p["max_splits"]) else cleaned.pieces)
    return out


def _at_least(n: int):
    return lambda v: None if v >= n else f"must be >= {n}"


declare(Op(
    name="task_decontamination_mapper", kind="generator", family=FAMILY,
    doc="NeMo Curator's TaskDecontamination: cut benchmark (task) n-grams out of documents, with "
        "`remove_char_each_side` characters around each hit (to sentence ends); a document comes out as "
        "its remaining pieces longer than `min_document_length`, one row each, and is dropped when none "
        "is left or more than `max_splits`.",
    params=(
        Param("task_files", "str|list[str]", None, "JSONL file(s) of the benchmark (e.g. GSM8K test); each "
              "file is a task named after its file stem. Read on the executors: a path they can all read; in "
              "a job spec, relative to the spec's folder.", nullable=True, path=True),
        Param("task_fields", "str|list[str]", "question", "Field(s) of each benchmark record whose text "
              "gives n-grams (NeMo's tasks read `question`; GSM8K: `[question, answer]`); a list field "
              "gives each of its strings.", nullable=True),
        Param("task_texts", "str|list[str]", None, "Benchmark texts given inline (task name `task_texts`).",
              nullable=True),
        Param("max_ngram_size", "int", 13, "Words of the window scanned at every position of a document "
              "(NeMo TaskDecontamination `max_ngram_size`).", check=_at_least(1)),
        Param("task_min_ngram_size", "int", 8, "A benchmark text of fewer words gives no n-gram (NeMo "
              "DownstreamTask `min_ngram_size`).", check=_at_least(1)),
        Param("task_max_ngram_size", "int", 13, "Words of a benchmark n-gram; a benchmark text shorter than "
              "this but at least `task_min_ngram_size` words is one n-gram of its own length (NeMo "
              "DownstreamTask `max_ngram_size`).", check=_at_least(1)),
        Param("max_matches", "int", 10, "Table run only: an n-gram hit more often than this across the "
              "corpus is too common to remove (NeMo `max_matches`).", check=_at_least(0)),
        Param("min_document_length", "int", 200, "A piece must be longer than this (characters) to be kept "
              "(NeMo `min_document_length`).", check=_at_least(0)),
        Param("remove_char_each_side", "int", 200, "Characters removed on either side of a hit before the "
              "cut moves on to a sentence end (NeMo `remove_char_each_side`).", check=_at_least(0)),
        Param("max_splits", "int", 10, "A document that comes out as more pieces than this is dropped "
              "(NeMo `max_splits`).", check=_at_least(0)),
        Param("exact_offsets", "bool", False, "sparkops, not NeMo: cut around the hit's own characters. "
              "NeMo (false) cuts at offsets of the text without punctuation, which fall before the hit by "
              "one character per punctuation mark before it (see notes)."),
    ),
    expand=expand, prepare=_prepare,
    frame="sparkops.spark.decontamination:decontaminate",
    sql_name="task_decontaminate",
    sql_params=("task_files", "task_fields", "task_texts", "max_ngram_size", "remove_char_each_side",
                "min_document_length", "max_splits", "exact_offsets"),
    examples=(
        Example("task_decontaminate('Keep this. The quick brown fox jumps over the lazy dog! Then keep that, "
                "and this too.', NULL, NULL, 'the quick brown fox jumps over the lazy dog', 13, 0, 0)",
                ["Keep this.", " Then keep that, and this too."],
                "a 9-word benchmark text is one n-gram; cut to the sentence ends around it"),
        Example("task_decontaminate('Nothing from the benchmark here, just some other text of fourteen words "
                "or so.', NULL, NULL, 'the quick brown fox jumps over the lazy dog')",
                ["Nothing from the benchmark here, just some other text of fourteen words or so."],
                "a clean document is one piece, whatever its length"),
        Example("cardinality(task_decontaminate('The quick brown fox jumps over the lazy dog and runs away "
                "into the woods.', NULL, NULL, 'the quick brown fox jumps over the lazy dog'))", 0,
                "nothing longer than min_document_length (200) is left: dropped"),
    ),
    notes="Words, n-grams, scan order and cuts are NeMo Curator 0.x's, quirks included (checked document "
          "for document against NeMo v0.8.0 itself): words are split at spaces only (a newline inside "
          "`end.\\nNext` joins two words), lower-cased and without ASCII punctuation; cuts are placed at "
          "offsets of that normalised text in the original one, so they drift left by one character per "
          "punctuation mark before the hit: in a long text the first cut falls far before the hit and the "
          "piece after it is cut again, so one hit can give several pieces (`exact_offsets: true` cuts "
          "around the hit itself); a document of fewer than "
          "`max_ngram_size` words is never searched; a document without a hit is kept whole even when "
          "shorter than `min_document_length`; an empty text is one empty piece. In a job (the table run) "
          "a dropped document goes to the rejected table as `task_decontamination_mapper:no_pieces` or "
          "`...:too_many_splits`, and every row a hit touched carries `task_matches` (the n-grams and "
          "their task); per row (SQL, or a job without the table run) a dropped document gives no piece "
          "(`...:no_chunks`) and `max_matches` does not apply. Benchmark files are read once per Python "
          "worker (cached by path and modification time).",
))
