"""Operator declarations: one per operator, feeding its UDF, SQL functions, job step and docs.

An operator is declared once, beside its kernel in ``sparkops/ops/<family>.py``::

    declare(Op(name="alphanumeric_filter", kind="filter", params=(...), stats=(...), compute=...))

Everything else is derived from that declaration: parameter validation (``Op.bind``), the
pandas UDFs and SQL functions (``sparkops.spark.functions``), the fused pass
(``sparkops.ops.pipeline``) and ``docs/OPERATORS.md`` (``sparkops.docs``).

This module is pure Python: no pyspark import.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

MAXSIZE = sys.maxsize  # Data-Juicer's default upper bound for every range filter


class OpError(ValueError):
    """A wrong operator name or parameter; the message names the op and the key."""


# --------------------------------------------------------------------------- parameters

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


@dataclass(frozen=True)
class Param:
    """A typed operator parameter.

    ``type`` is one of ``bool``, ``int``, ``float``, ``str``, ``list[str]``, ``list[int]`` or
    ``str|list[str]`` (a tag, not a Python type, so docs and SQL can show it verbatim).
    ``nullable`` parameters accept ``None`` (YAML ``null`` / a bare key).
    """

    name: str
    type: str
    default: Any
    doc: str
    nullable: bool = False
    choices: tuple | None = None
    # further check after the type check; returns an error message or None
    check: Callable[[Any], str | None] | None = None

    def coerce(self, value: Any, where: str) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise OpError(f"{where}: parameter '{self.name}' must be {self.type}, got null")
        out = _coerce(self.type, value)
        if out is _BAD:
            raise OpError(
                f"{where}: parameter '{self.name}' must be {self.type}, got {type(value).__name__} {value!r}"
            )
        if self.choices is not None and out not in self.choices:
            raise OpError(f"{where}: parameter '{self.name}' must be one of {list(self.choices)}, got {value!r}")
        if self.check is not None:
            problem = self.check(out)
            if problem:
                raise OpError(f"{where}: parameter '{self.name}' {problem}, got {value!r}")
        return out


_BAD = object()


def _coerce(tag: str, value: Any) -> Any:
    if tag == "bool":
        return value if isinstance(value, bool) else _BAD
    if tag == "int":
        # bool is an int subclass in Python; `min_num: true` is a mistake, not 1
        if isinstance(value, bool):
            return _BAD
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return _BAD
    if tag == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _BAD
        return value  # ints stay ints: Data-Juicer compares them as given (sys.maxsize)
    if tag == "str":
        return value if isinstance(value, str) else _BAD
    if tag in ("list[str]", "list[int]"):
        inner = tag[5:-1]
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            return _BAD
        items = [_coerce(inner, v) for v in value]
        return _BAD if any(v is _BAD for v in items) else list(items)
    if tag == "str|list[str]":
        if isinstance(value, str):
            return value
        return _coerce("list[str]", value)
    if tag == "list[(int,float)]":  # [[n, share], ...] (datatrove's n-gram limits)
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            return _BAD
        pairs = []
        for item in value:
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
                return _BAD
            n, share = _coerce("int", item[0]), _coerce("float", item[1])
            if n is _BAD or share is _BAD:
                return _BAD
            pairs.append((n, share))
        return pairs
    raise AssertionError(f"unknown param type tag {tag}")


def positive(value) -> str | None:
    return None if value > 0 else "must be > 0"


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Stat:
    """A statistic a filter computes, under Data-Juicer's stat key."""

    key: str
    dtype: str  # 'double' | 'long' | 'string' (Spark SQL type names)
    doc: str


# the struct field of a text-rewriting filter's SQL function that holds the new text
REWRITTEN_TEXT = Stat("text", "string", "The text as the filter rewrites it (null when it drops the row).")


# Range parameters shared by every Data-Juicer filter (base_op.Filter).
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


# --------------------------------------------------------------------------- operators


@dataclass(frozen=True)
class Op:
    """One operator.

    Filters: ``compute(docs, params) -> {stat_key: list}`` over a batch of
    ``sparkops.ops.doc.Doc``; ``range`` names the stat and the min/max params that bound it
    (``keep`` may replace the range rule, e.g. language id). Mappers:
    ``apply(texts, params) -> list[str]``. ``prepare(params) -> params`` turns validated
    params into what the kernel needs (compiled regexes, word sets, ...), once per bind.
    ``sql_params`` are the params the SQL function takes as optional extra arguments, in
    order: for a filter those that change the statistic, never the thresholds; a mapper
    takes all its params unless it lists them.
    """

    name: str
    kind: str  # 'filter' | 'mapper' | 'deduplicator'
    family: str
    doc: str
    params: tuple[Param, ...] = ()
    stats: tuple[Stat, ...] = ()
    compute: Callable | None = None
    apply: Callable | None = None
    range: tuple[str, str | None, str | None] | None = None  # (stat key, min param, max param)
    keep: Callable | None = None
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

    def field_stat(self, key: str) -> Stat:
        """The statistic behind a field of the SQL struct (or the rewritten text)."""
        if key == "text" and self.rewrites_text:
            return REWRITTEN_TEXT
        return next(s for s in self.stats if s.key == key)

    def sql_args(self) -> tuple[str, ...]:
        """Optional arguments of the SQL function after ``text``, in order."""
        if self.kind == "mapper" and not self.sql_params:
            return tuple(p.name for p in self.params)
        return self.sql_params

    def all_params(self) -> tuple[Param, ...]:
        return self.params + (COMMON_FILTER_PARAMS if self.kind == "filter" else ())

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

    def compute(self, docs) -> dict[str, list]:
        return self.op.compute(docs, self.prepared)

    def apply(self, texts: list[str]) -> list[str]:
        return self.op.apply(texts, self.prepared)

    def keep(self, stats: dict[str, Any]) -> bool:
        """Data-Juicer's get_keep_boolean over this filter's stat(s) for one row."""
        if self.op.keep is not None:
            return self.op.keep(stats, self.prepared)
        key, lo, hi = self.op.range
        return in_range(stats[key], self.params.get(lo) if lo else None, self.params.get(hi) if hi else None,
                        self.params)


def in_range(value, lo, hi, params) -> bool:
    if value is None:
        return False  # an undefined statistic (null text) never passes a filter
    ok = True
    if lo is not None:
        ok = value >= lo if params["min_closed_interval"] else value > lo
    if ok and hi is not None:
        ok = value <= hi if params["max_closed_interval"] else value < hi
    return (not ok) if params["reversed_range"] else ok


REGISTRY: dict[str, Op] = {}


def declare(op: Op) -> Op:
    if op.name in REGISTRY:
        raise AssertionError(f"operator {op.name} declared twice")
    if op.kind == "filter":
        assert op.compute and op.stats and (op.range or op.keep), op.name
    elif op.kind == "mapper":
        assert op.apply, op.name
    elif op.kind == "deduplicator":
        assert op.frame, op.name
    else:
        raise AssertionError(f"{op.name}: unknown kind {op.kind}")
    REGISTRY[op.name] = op
    return op


def get_op(name: str, where: str | None = None) -> Op:
    _load_catalogue()
    try:
        return REGISTRY[name]
    except KeyError:
        hint = difflib.get_close_matches(name, list(REGISTRY), n=3, cutoff=0.5)
        did = f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""
        prefix = f"{where}: " if where else ""
        raise OpError(f"{prefix}unknown operator '{name}'{did} (`sparkops ops` lists them)") from None


def all_ops() -> list[Op]:
    _load_catalogue()
    return sorted(REGISTRY.values(), key=lambda o: (o.kind, o.family, o.name))


def bind(spec: str | Mapping[str, Any], where: str | None = None) -> BoundOp:
    """Bind one op from Data-Juicer's recipe syntax: ``"name"`` or ``{"name": {params}}``."""
    if isinstance(spec, str):
        return get_op(spec, where).bind({}, where)
    if isinstance(spec, Mapping) and len(spec) == 1:
        (name, params), = spec.items()
        if params is not None and not isinstance(params, Mapping):
            prefix = f"{where}: " if where else ""
            raise OpError(f"{prefix}op '{name}': parameters must be a mapping, got {type(params).__name__}")
        return get_op(name, where).bind(params or {}, where)
    prefix = f"{where}: " if where else ""
    raise OpError(f"{prefix}an op entry must be 'op_name' or {{op_name: {{params}}}}, got {spec!r}")


def sql_functions() -> list[tuple[str, Op, Stat | Sketch | None]]:
    """Every SQL function name with the op and what it computes: a filter's stat, a
    deduplicator's sketch, or None (a mapper, or a filter's struct of stats)."""
    out = []
    for op in all_ops():
        if op.kind == "deduplicator":  # DataFrame-level; per-row SQL only for its sketches
            out.extend((sk.name, op, sk) for sk in op.sketches)
            continue
        if op.kind == "mapper":
            out.append((op.sql_name or op.name.removesuffix("_mapper"), op, None))
        elif op.sql_name:
            out.append((op.sql_name, op, None))  # a struct of all its stats (lang_id)
        else:
            out.extend((s.key, op, s) for s in op.stats)
    return out


def _load_catalogue() -> None:
    # importing the families runs their declare() calls; cheap after the first time
    if not REGISTRY:
        import sparkops.ops  # noqa: F401
