"""Operator declarations: one per operator, feeding its UDF, SQL functions, job step and docs.

An operator is declared once, beside its kernel in ``sparkops/ops/<family>/``::

    declare(Op(name="alphanumeric_filter", kind="filter", params=(...), stats=(...), compute=...))

Everything else is derived from that declaration: parameter validation (``Op.bind``), the
pandas UDFs and SQL functions (``sparkops.spark.functions``), the fused pass
(``sparkops.core.pipeline``) and ``docs/OPERATORS.md`` (``sparkops.docs``).

Pure Python: no pyspark import.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from sparkops.core.errors import OpError
from sparkops.core.extras import require
from sparkops.core.params import Param
from sparkops.core.row import REJECT, rejected_by


@dataclass(frozen=True)
class Stat:
    """A statistic a filter computes, under Data-Juicer's stat key."""

    key: str
    dtype: str  # 'double' | 'long' | 'string' (Spark SQL type names)
    doc: str


# the struct field of a text-rewriting filter's SQL function that holds the new text
REWRITTEN_TEXT = Stat("text", "string", "The text as the filter rewrites it (null when it drops the row).")


# Range parameters shared by every Data-Juicer filter (base_op.Filter).
# Data-Juicer's base OP parameter: the record field a row op reads (and a mapper rewrites);
# unset, the pass's text field (a job's input text_key). A dotted key reads a nested field.
TEXT_KEY = Param("text_key", "str", None, "Record field the op reads (a mapper rewrites it); default: the "
                 "text field of the input. `meta.title` reads a nested field.", nullable=True)

COMMON_FILTER_PARAMS = (
    Param("min_closed_interval", "bool", True, "Whether the lower bound is inclusive (>=) or not (>)."),
    Param("max_closed_interval", "bool", True, "Whether the upper bound is inclusive (<=) or not (<)."),
    Param("reversed_range", "bool", False, "Keep rows *outside* [min, max] instead of inside."),
)


@dataclass(frozen=True)
class Sketch:
    """A per-row SQL function of a deduplicator (a signature, a fingerprint), so that
    near-dedup can also be written in plain SQL.

    ``args`` are the op's parameters the function takes as optional extra arguments, in
    order; ``compute(texts, prepared params) -> list`` (None where a text has no sketch).
    """

    name: str
    dtype: str  # Spark SQL type of the result
    args: tuple[str, ...]
    compute: Callable
    doc: str


@dataclass(frozen=True)
class Example:
    """A worked example of an operator, kept in its declaration: ``call`` is a Spark SQL
    expression on literals that uses the op's SQL function(s) (``alnum_ratio('ab1 !')``,
    ``char_rep_ratio('aaaa bbbb', 2)``, ``cardinality(minhash_signature('a b c'))``), ``result``
    the value it gives: a number (floats compared to 1e-9), a string, a bool, None for NULL, a
    list for an array, or a dict of some fields of a struct; ``doc`` says why, briefly.

    ``tests/test_examples.py`` runs every example through ``spark.sql``; docs/OPERATORS.md and
    the docstrings of ``sparkops.functions`` show them."""

    call: str
    result: Any
    doc: str = ""


# every kind of operator, each run by its own execution segment (sparkops.spark.fusion.stage_pass):
# - filter, mapper: per row, fused in one Arrow pass (``compute`` / ``apply``);
# - generator: one row in, zero or more rows out (``expand(texts, prepared) -> list[list[str]]``): each
#   output row repeats its input row's other fields; an input row that gives none is rejected; a
#   generator that ``writes`` fields gives, per output row, a dict: its text under "text" and the
#   record fields it sets on that row;
# - deduplicator: a DataFrame algorithm (``frame``) that removes rows, naming the kept copy;
# - selector: a DataFrame algorithm (``frame``) over the whole table that keeps a subset (and
#   gives it an order); the rows it does not select are rejected with its name;
# - grouper: a DataFrame algorithm (``frame``): rows -> grouped rows (every column a list of the
#   group's values) or back (``naive_reverse_grouper``);
# - aggregator: a DataFrame algorithm (``frame``): each grouped row -> one row (its lists reduced,
#   e.g. by an LLM, into its ``__dj__batch_meta__``), every grouped row kept (Data-Juicer's LLM
#   aggregators: sparkops.ops.llm.aggregator_ops).
KINDS = ("filter", "mapper", "deduplicator", "selector", "grouper", "aggregator", "generator")
ROW_KINDS = ("filter", "mapper")  # fused in one Arrow pass
# kinds whose output rows are not a subset of their input rows (new rows, repeated rows, grouped
# rows): a job counts the rows each passes on instead of subtracting the ones it removed
RESHAPING_KINDS = ("generator", "selector", "grouper", "aggregator")
# kinds that never reject a row (a grouper regroups them; an aggregator reduces each grouped row to
# one): a grouper may follow them in one list (grouper -> aggregator -> naive_reverse_grouper)
NO_REJECT_KINDS = ("grouper", "aggregator")


@dataclass(frozen=True)
class Op:
    """One operator.

    Filters: ``compute(docs, params) -> {stat_key: list}`` over a batch of
    ``sparkops.text.doc.Doc``; ``range`` names the stat and the min/max params that bound it
    (``keep`` may replace the range rule, e.g. language id). Mappers:
    ``apply(texts, params) -> list[str]``. Generators: ``expand(texts, params) ->
    list[list[str]]`` (the texts of each input row's output rows; with ``writes``, a dict per
    output row: ``{"text": ..., key: value}``, the record fields it sets). Deduplicators, selectors,
    groupers and aggregators: ``frame``, their DataFrame algorithm. ``prepare(params) -> params`` turns validated
    params into what the kernel needs (compiled regexes, word sets, ...), once per bind.
    ``sql_params`` are the params the SQL function takes as optional extra arguments, in
    order: for a filter those that change the statistic, never the thresholds; a mapper
    takes all its params unless it lists them.
    """

    name: str
    kind: str  # one of KINDS
    family: str
    doc: str
    params: tuple[Param, ...] = ()
    stats: tuple[Stat, ...] = ()
    compute: Callable | None = None
    apply: Callable | None = None
    expand: Callable | None = None  # generators
    range: tuple[str, str | None, str | None] | None = None  # (stat key, min param, max param)
    keep: Callable | None = None
    # a rule set: ``reason(stats, prepared) -> rule | None``, the first rule a row breaks; the
    # row is kept when there is none and ``_dropped_by`` names the rule (``<op>:<rule>``)
    reason: Callable | None = None
    prepare: Callable | None = None
    sql_params: tuple[str, ...] = ()
    sql_name: str | None = None  # mappers: the SQL function name (name without _mapper)
    # a filter whose SQL function returns a struct: (struct field, stat key) pairs
    sql_fields: tuple[tuple[str, str], ...] = ()
    notes: str = ""  # edge-case behaviour, documented in OPERATORS.md
    # deduplicators work on a whole DataFrame: "module:function", imported when a job runs
    # it, so this pure layer never imports pyspark
    frame: str | None = None
    sketches: tuple[Sketch, ...] = ()  # deduplicators: their per-row SQL functions
    # a filter that also rewrites the text of the rows it keeps (C4's line removal): its
    # compute returns the new texts under "text" beside its stats
    rewrites_text: bool = False
    # the pyproject extras it needs (``sparkops[rules]``): refused at validation, with the pip
    # command, where one is missing (sparkops.core.extras)
    requires: tuple[str, ...] = ()
    # model operators: the models it loads (shown in the docs; loaded through
    # sparkops.models' per-worker cache), how many rows one kernel call takes at most (None:
    # the whole Arrow batch), and the task resources it asks a cluster for, e.g.
    # (("gpu", 1.0),) (a Spark resource profile; ignored on a local master)
    models: tuple[str, ...] = ()
    batch_size: int | None = None
    resources: tuple[tuple[str, float], ...] = ()
    examples: tuple[Example, ...] = ()
    # groupers: "group" (rows -> grouped rows, every column a list) or "ungroup" (back)
    grouping: str | None = None
    # records: the field a row op reads when its ``text_key`` is unset, where it is not the
    # pass's text (url_filter reads ``url``); the parameters whose values name further fields it
    # reads (``query_key``, ``language_key``: the kernel gets ``{param: values}`` as a third
    # argument, None where a record lacks the field); and the ``meta.<key>`` fields a mapper
    # writes (its ``apply`` then returns ``{"text": [...], key: [...]}``); a generator's ``writes``
    # are top-level record fields set on every row it makes (each output row a dict, see above)
    text_key: str | None = None
    reads: tuple[str, ...] = ()
    # or ``writes(params) -> tuple[Stat, ...]`` where the key or type follows the parameters
    # (extract_tables_from_html_mapper's ``tables_field_name``, ``retain_html_tags``)
    writes: tuple[Stat, ...] | Callable[[dict], tuple[Stat, ...]] = ()
    # a mapper that rejects rows it cannot map (html_extract_mapper: ``timeout``, ``empty``): the
    # rules it may give; its ``apply`` returns a dict with ``"_reject"`` (sparkops.core.row.REJECT),
    # per row the rule or None, and ``_dropped_by`` says ``<op>:<rule>``; a generator may name
    # one rule: the one of a row that gives no output row (default ``no_chunks``)
    rejects: tuple[str, ...] = ()
    # a mapper over whole records, as Data-Juicer's ``process_single(sample)``: ``apply(records,
    # params) -> records``, each a dict of the row's fields (its text under its key, nested values
    # as plain dicts and lists; a copy the kernel may change) returned as it should be. For ops
    # that rewrite several fields at once (pii_redaction_mapper: text, query, messages, ...)
    record: bool = False

    def __post_init__(self):
        if self.record and (self.kind != "mapper" or self.writes or self.rejects or self.reads):
            raise ValueError(f"{self.name}: a record op is a mapper that gets whole records; it neither "
                             "reads named fields, writes meta fields nor rejects rows")

    def writes_for(self, params: Mapping[str, Any] | None = None) -> tuple[Stat, ...]:
        """The meta fields it writes with these parameters (defaults where not given)."""
        if not callable(self.writes):
            return self.writes
        return self.writes({p.name: p.default for p in self.all_params()} | dict(params or {}))

    def result_keys(self, params: Mapping[str, Any] | None = None) -> list[str] | None:
        """The lists a mapper's ``apply`` returns in a dict (None: it returns the texts)."""
        if self.kind != "mapper" or not (self.writes or self.rejects):
            return None
        return ["text", *(w.key for w in self.writes_for(params))] + ([REJECT] if self.rejects else [])

    def field_stat(self, key: str) -> Stat:
        """The statistic behind a field of the SQL struct (or the rewritten text)."""
        if key == "text" and self.rewrites_text:
            return REWRITTEN_TEXT
        return next(s for s in self.stats if s.key == key)

    def sql_args(self) -> tuple[str, ...]:
        """Optional arguments of the SQL function after ``text``, in order."""
        if self.kind in ("mapper", "generator") and not self.sql_params:
            return tuple(p.name for p in self.params)
        return self.sql_params

    def all_params(self) -> tuple[Param, ...]:
        """Its own parameters, then those every op of its kind takes (Data-Juicer's base OP)."""
        text_key = TEXT_KEY if self.text_key is None else replace(
            TEXT_KEY, default=self.text_key, doc=f"Record field the op reads; default: `{self.text_key}`.")
        common = {"filter": (text_key, *COMMON_FILTER_PARAMS), "mapper": (text_key,), "generator": (text_key,)}
        return self.params + common.get(self.kind, ())

    def param(self, name: str) -> Param:
        for p in self.all_params():
            if p.name == name:
                return p
        raise KeyError(name)

    def bind(self, params: Mapping[str, Any] | None = None, where: str | None = None) -> "BoundOp":
        """Validate ``params`` against the declaration and fill defaults.

        ``where`` prefixes error messages (a job passes "spec.yaml: stage 'clean'").
        """
        where = f"{where}: op '{self.name}'" if where else f"op '{self.name}'"
        require(self.requires, where)
        params = dict(params or {})
        known = {p.name: p for p in self.all_params()}
        for key in params:
            if key not in known:
                hint = difflib.get_close_matches(key, list(known), n=3)
                did = f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""
                raise OpError(
                    f"{where}: unknown parameter '{key}'{did} (parameters: {', '.join(sorted(known))})"
                )
        values = {}
        for name, p in known.items():
            values[name] = p.coerce(params[name], where) if name in params else p.default
        prepared = self.prepare(values, where) if self.prepare else values
        return BoundOp(self, values, prepared)


@dataclass(frozen=True)
class BoundOp:
    """An operator with validated parameters, ready to run on batches."""

    op: Op
    params: dict = field(hash=False)
    prepared: Any = field(hash=False, repr=False)

    @property
    def name(self) -> str:
        return self.op.name

    def compute(self, docs, fields: dict[str, list] | None = None) -> dict[str, list]:
        """A filter's stats over a batch; ``fields``: the values of the fields it ``reads``."""
        return _in_batches(self.op.batch_size, docs, self._with(self.op.compute, fields))

    def apply(self, texts: list[str], fields: dict[str, list] | None = None) -> list[str] | dict[str, list]:
        """A mapper's texts (and, when it ``writes`` meta fields, ``{"text": ..., key: ...}``).
        A record op maps records holding only the text (its SQL function's view of a row)."""
        if self.op.record:
            key = self.params.get("text_key") or "text"
            return [r.get(key) for r in self.apply_records([{key: t} for t in texts])]
        return _in_batches(self.op.batch_size, texts, self._with(self.op.apply, fields))

    def apply_records(self, records: list[dict]) -> list[dict]:
        """A record op's records, mapped; the caller's dicts are never changed (a batch that
        fails is retried row by row from the same records)."""
        def call(items, lo, hi):
            out = self.op.apply([copy.deepcopy(r) for r in items[lo:hi]], self.prepared)
            if len(out) != hi - lo or not all(isinstance(r, dict) for r in out):
                raise TypeError(f"{self.name} returned {len(out)} items for {hi - lo} records, or a non-dict")
            return out

        return _in_batches(self.op.batch_size, records, call)

    def expand(self, texts: list[str]) -> list[list[str]] | list[list[dict]]:
        return _in_batches(self.op.batch_size, texts, lambda items, lo, hi: self.op.expand(items[lo:hi], self.prepared))

    def read_fields(self) -> dict[str, str]:
        """param -> record field, for the fields it ``reads`` that are set."""
        return {p: self.params[p] for p in self.op.reads if self.params.get(p)}

    def _with(self, kernel, fields):
        if not self.op.reads:
            return lambda items, lo, hi: kernel(items[lo:hi], self.prepared)
        fields = fields or {}
        # every read param gets its values (None for rows without the field, or a param unset)
        return lambda items, lo, hi: kernel(items[lo:hi], self.prepared, {
            p: (list(fields[p][lo:hi]) if p in fields else [None] * (hi - lo)) for p in self.op.reads})

    def rejection(self, stats: dict[str, Any]) -> str | None:
        """``_dropped_by`` of a row with these stats, or None when this filter keeps it."""
        if self.op.reason is not None:
            rule = self.op.reason(stats, self.prepared)
            return None if rule is None else rejected_by(self.op.name, rule)
        return None if self.keep(stats) else self.op.name

    def keep(self, stats: dict[str, Any]) -> bool:
        """Data-Juicer's get_keep_boolean over this filter's stat(s) for one row."""
        if self.op.reason is not None:
            return self.op.reason(stats, self.prepared) is None
        if self.op.keep is not None:
            return self.op.keep(stats, self.prepared)
        key, lo, hi = self.op.range
        return in_range(stats[key], self.params.get(lo) if lo else None, self.params.get(hi) if hi else None,
                        self.params)


def _in_batches(size: int | None, items: list, call):
    """``call(items, lo, hi)`` over ``items[lo:hi]``, once, or per slice of at most ``size`` items
    (an op's declared batch size, e.g. a model's) with the results joined: a list, or a dict of
    lists."""
    if size is None or len(items) <= size:
        return call(items, 0, len(items))
    parts = [call(items, i, min(i + size, len(items))) for i in range(0, len(items), size)]
    if isinstance(parts[0], dict):
        return {k: [v for part in parts for v in part[k]] for k in parts[0]}
    return [v for part in parts for v in part]


def in_range(value, lo, hi, params) -> bool:
    if value is None:
        return False  # an undefined statistic (null text) never passes a filter
    ok = True
    # Data-Juicer's Filter flips both interval flags when the range is reversed, then negates:
    # a value on a bound stays kept either way ([0.5, inf) reversed is (-inf, 0.5])
    reverse = params["reversed_range"]
    min_closed, max_closed = params["min_closed_interval"] != reverse, params["max_closed_interval"] != reverse
    if lo is not None:
        ok = value >= lo if min_closed else value > lo
    if ok and hi is not None:
        ok = value <= hi if max_closed else value < hi
    return (not ok) if reverse else ok


# kinds that read a row's fields as single values (a text): not on grouped rows, whose fields are lists
_READ_SINGLE_VALUES = ("filter", "mapper", "generator", "deduplicator")


def check_sequence(ops, grouped: bool | None = False) -> bool | None:
    """Check that each op of a list gets the rows its kind works on: grouped rows (a grouper's
    output, every field a list) only reach groupers, selectors and aggregators; an aggregator
    or ``naive_reverse_grouper`` needs grouped rows. A grouper changes the rows' shape, so it
    starts its list or follows only groupers and aggregators (ops that reject no row): the rows a
    list rejects and the rows it keeps share one shape (a job writes them to a stage's two tables). ``grouped``: whether the rows
    entering are grouped (None: unknown, e.g. a DataFrame). Raises OpError naming the op's
    position (``process[i]``); returns whether the rows leaving are grouped."""
    for i, bound in enumerate(ops):
        op = bound.op
        if op.kind == "grouper" and any(o.op.kind not in NO_REJECT_KINDS for o in ops[:i]):
            raise OpError(f"process[{i}]: op '{op.name}' (grouper) changes the rows' shape, so it must start "
                          "its process list or follow only groupers and aggregators (the rows a list rejects "
                          f"and keeps share one shape): start a new stage at '{op.name}'")
        if grouped and op.kind in _READ_SINGLE_VALUES:
            raise OpError(f"process[{i}]: op '{op.name}' ({op.kind}) reads single values, but the rows here "
                          "are grouped (every field a list, made by a grouper before it): put "
                          "naive_reverse_grouper before it")
        if grouped is False and (op.kind == "aggregator" or op.grouping == "ungroup"):
            raise OpError(f"process[{i}]: op '{op.name}' ({op.kind}) works on grouped rows: put a grouper "
                          "(naive_grouper, key_value_grouper) before it")
        if op.grouping == "group" or op.kind == "aggregator":
            grouped = True
        elif op.grouping == "ungroup" or op.kind in _READ_SINGLE_VALUES:
            grouped = False
    return grouped
