"""The row contract: the columns every operator pass adds to a record, and record-field lookup.

Every row that enters a pass comes out of it (nothing is lost); these columns say what
happened to it:

- ``stats``: a struct, one field per statistic a filter computed (Data-Juicer's stat keys);
- ``_keep``: false when an operator removed the row;
- ``_dropped_by``: why, as ``<op>`` (a filter or deduplicator), ``<op>:<rule>`` (a rule set: the
  rule that failed, e.g. ``gopher_quality_filter:gopher_short_doc``), ``null_text`` (no text to
  work on), ``missing_field:<op>: <field>`` / ``wrong_type:<op>: <field> ...`` (the record lacks
  what the op reads) or ``error:<op>: <exception>`` (the kernel raised on this row);
- ``_duplicate_of`` (and ``_dup_cluster``, ``_dup_jaccard``, ``_dup_hamming``, ``_dup_cosine``): on a row a
  deduplicator removed, the kept copy it duplicates;
- ``meta``: tags operators write beside the text (a struct; ``meta.<name>``);
- ``_order``: the row's place in the dataset's order (``array<bigint>``, compared element by
  element), written by the operators that make or define an order: a generator's rows follow
  their input row (its ``_order`` plus the chunk's index), a selector's rows are in its order
  (``[rank]``), a grouper's groups in first-appearance order. A job's export is sorted by it.

Pure Python: no pyspark import.
"""

from __future__ import annotations

from typing import Any, Mapping

STATS, META = "stats", "meta"
RECORD = "_record"  # a job's input record as JSON (text field null); ops read fields missing as columns from it
KEEP, DROPPED_BY = "_keep", "_dropped_by"
ORDER = "_order"
DUPLICATE_OF, DUP_CLUSTER, DUP_JACCARD, DUP_HAMMING = "_duplicate_of", "_dup_cluster", "_dup_jaccard", "_dup_hamming"
DUP_COSINE = "_dup_cosine"  # semantic_deduplicator: the embedding cosine to the member it duplicates
# what deduplicators add to the rows they remove (kept rows never carry them on)
DEDUP_COLUMNS = (DUPLICATE_OF, DUP_CLUSTER, DUP_JACCARD, DUP_HAMMING, DUP_COSINE)
# every column a pass adds; a later pass recomputes them
PASS_COLUMNS = (STATS, KEEP, DROPPED_BY, *DEDUP_COLUMNS)

NULL_TEXT = "null_text"
# the key of a mapper's result that lists, per row, the rule it rejects the row by (None: mapped),
# for a mapper that can fail on a row's content (html_extract_mapper: ``timeout``, ``empty``)
REJECT = "_reject"
NO_CHUNKS = "no_chunks"  # the rule of a generator's row that gives no output row (``<op>:no_chunks``)
_PROBLEMS = ("error", "missing_field", "wrong_type")


def rejected_by(op: str, rule: str | None = None) -> str:
    """``_dropped_by`` of a row an operator removed (``op:rule`` for a rule set)."""
    return f"{op}:{rule}" if rule else op


def problem(kind: str, op: str, message: str) -> str:
    """``_dropped_by`` of a row an operator could not process (``kind`` in error, missing_field,
    wrong_type); the message is cut at its first line and 500 characters."""
    assert kind in _PROBLEMS, kind
    first = message.splitlines()[0] if message else ""
    return f"{kind}:{op}: {first}"[:500]


def dropping_op(dropped_by: str | None) -> str | None:
    """The operator a ``_dropped_by`` value names (None for a kept row or ``null_text``)."""
    if not dropped_by or dropped_by == NULL_TEXT:
        return None
    head, sep, rest = dropped_by.partition(":")
    if sep and head in _PROBLEMS:
        return rest.partition(":")[0]
    return head


def field_path(key: str) -> tuple[str, ...]:
    """A record field key as its path: ``meta.lang`` -> ("meta", "lang"), Data-Juicer's dotted keys."""
    if not key or any(not part for part in key.split(".")):
        raise ValueError(f"field key {key!r}: expected a name or a dotted path such as meta.lang")
    return tuple(key.split("."))


class _Missing:
    """The value of a field a record does not have (not None: a null is a value)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self):  # pickled by name, so a Spark worker's MISSING is this one
        return "MISSING"


MISSING = _Missing()
_NO_DEFAULT = object()


def lookup(record: Mapping[str, Any] | None, key: str, default: Any = _NO_DEFAULT) -> Any:
    """A (possibly nested) field of a record; ``default`` or KeyError when absent.

    A top-level field whose name itself contains dots wins over the nested path, as in
    Data-Juicer (``record["meta.lang"]`` before ``record["meta"]["lang"]``)."""
    if record is not None and key in record:
        return record[key]
    node: Any = record
    for part in field_path(key):
        if not isinstance(node, Mapping) or part not in node:
            if default is _NO_DEFAULT:
                raise KeyError(key)
            return default
        node = node[part]
    return node


def assign(record: dict, key: str, value: Any) -> None:
    """Set a (possibly nested) field of a record in place, where ``lookup`` finds it; a missing
    nested path is created."""
    if key in record:
        record[key] = value
        return
    *parents, last = field_path(key)
    node = record
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
