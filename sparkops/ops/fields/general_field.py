"""general_field_filter: keep rows for which a boolean expression over record fields holds.

Data-Juicer 1.6.1 parses ``filter_condition`` with Python's ``ast`` (``mode="eval"``) and walks
the tree itself (never ``eval``): ``and``/``or`` (lazy), chained comparisons (``< <= > >= ==
!= in not in``), ``not``/``-``/``+``, constants, list/tuple/set literals, and names with
attributes (``meta.lang``: ``sample["meta"]["lang"]``, None where a level is missing). A
comparison with None on either side is False (``not in``: True). We compile the same tree into
closures once per bind, and refuse every other construct (calls, arithmetic, subscripts,
``is``) at bind time, where Data-Juicer raises on each row it evaluates.
"""

from __future__ import annotations

import ast
import operator

from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.core.row import field_path
from sparkops.ops.fields.common import FAMILY

STAT = "general_field_filter_condition"
# Data-Juicer's names for the stats and meta structs (Fields.stats / Fields.meta) -> ours
_DJ_STRUCTS = {"__dj__stats__": "stats", "__dj__meta__": "meta"}
TEXT = "text"  # a bare `text` is the op's text (its text_key field)
# the record fields a condition may read: a filter reads fields through its own str params
# (Op.reads); prepare fills these from the condition's names (see the notes)
SLOTS = tuple(f"_read_{i}" for i in range(1, 17))

_COMPARE = {
    ast.Gt: operator.gt, ast.Lt: operator.lt, ast.Eq: operator.eq, ast.NotEq: operator.ne,
    ast.GtE: operator.ge, ast.LtE: operator.le,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def _path(node: ast.AST) -> str | None:
    """``a.b.c`` as a dotted field path (None when the chain does not start at a name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(_DJ_STRUCTS.get(node.id, node.id))
    return ".".join(reversed(parts))


class _Compiler:
    def __init__(self, condition: str):
        self.condition = condition
        self.paths: list[str] = []

    def refuse(self, what: str):
        raise ValueError(f"{what} is not supported (Data-Juicer's general_field_filter evaluates and/or, "
                         "comparisons < <= > >= == != in not in, not/-/+, constants, list/tuple/set literals "
                         f"and field names): {self.condition!r}")

    def compile(self, node: ast.AST):
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return lambda env: all(f(env) for f in parts)
            return lambda env: any(f(env) for f in parts)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            path = _path(node)
            if path is None:
                self.refuse("an attribute of something other than a field name")
            if path != TEXT and path not in self.paths:
                self.paths.append(path)
            return lambda env: env.get(path)
        if isinstance(node, ast.Constant):
            value = node.value
            return lambda env: value
        if isinstance(node, ast.UnaryOp):
            inner = self.compile(node.operand)
            if isinstance(node.op, ast.USub):
                return lambda env: -inner(env)
            if isinstance(node.op, ast.UAdd):
                return lambda env: +inner(env)
            if isinstance(node.op, ast.Not):
                return lambda env: not inner(env)
            self.refuse(f"the unary operator {type(node.op).__name__}")
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [self.compile(e) for e in node.elts]
            make = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
            return lambda env: make(f(env) for f in items)
        self.refuse(f"{type(node).__name__} ({ast.unparse(node)!r})")

    def _compare(self, node: ast.Compare):
        left = self.compile(node.left)
        rights = [self.compile(c) for c in node.comparators]
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                self.refuse(f"the comparison {type(op).__name__}")
            ops.append((type(op), _COMPARE[type(op)]))

        def compare(env):
            # Data-Juicer's order: every operand first, then pair by pair; a None operand ends
            # the chain (False, or True for `not in`)
            a, values = left(env), [r(env) for r in rights]
            for (kind, fn), b in zip(ops, values):
                if a is None or b is None:
                    return kind is ast.NotIn
                if not fn(a, b):
                    return False
                a = b
            return True

        return compare


def parse_condition(condition: str):
    """(evaluate(env) -> value, the field paths it reads) for a condition; ValueError when
    Data-Juicer would refuse it at init, or cannot evaluate it on any row."""
    try:
        # Data-Juicer parses the condition as given (it strips it only to test emptiness), so a
        # leading space is an IndentationError
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"invalid filter condition {condition!r}: {type(err).__name__}: {err.msg}") from None
    compiler = _Compiler(condition)
    return compiler.compile(tree.body), compiler.paths


def _prepare(p: dict, where: str) -> dict:
    p = dict(p)
    cond = p["filter_condition"]
    p["evaluate"], p["paths"] = None, []
    if cond.strip():
        try:
            p["evaluate"], p["paths"] = parse_condition(cond)
        except ValueError as err:
            raise OpError(f"{where}: parameter 'filter_condition' {err}") from None
    elif cond:
        # Data-Juicer: a whitespace-only condition is not empty for its parse, a SyntaxError
        raise OpError(f"{where}: parameter 'filter_condition' is whitespace only (Data-Juicer refuses it: "
                      "invalid filter condition)")
    if len(p["paths"]) > len(SLOTS):
        raise OpError(f"{where}: parameter 'filter_condition' reads {len(p['paths'])} fields, at most "
                      f"{len(SLOTS)} are supported")
    for path in p["paths"]:
        try:
            field_path(path)
        except ValueError as err:
            raise OpError(f"{where}: parameter 'filter_condition': {err}") from None
    return p


def _fill_slots(p: dict, where: str) -> dict:
    prepared = _prepare(p, where)
    # the core reads a field per `reads` parameter that names one: name the condition's fields
    # there (the bound op's params are this dict)
    for slot in SLOTS:
        p[slot] = ""
    for slot, path in zip(SLOTS, prepared["paths"]):
        p[slot] = path
    return prepared


def evaluate_rows(texts: list[str], values: dict[str, list], p: dict) -> list:
    """The condition's value per row; ``values``: path -> per-row values (None where absent)."""
    out = []
    for j, text in enumerate(texts):
        env = {path: values[path][j] for path in p["paths"]}
        env[TEXT] = text
        out.append(p["evaluate"](env))
    return out


def _compute(docs, p, fields=None):
    if p["evaluate"] is None:
        return {STAT: [None] * len(docs)}
    fields = fields or {}
    values = {path: list(fields.get(slot) or [None] * len(docs)) for slot, path in zip(SLOTS, p["paths"])}
    # 1/0: a filter statistic is a double, long or string column (the fused pass has no boolean)
    return {STAT: [int(bool(v)) for v in evaluate_rows([d.text for d in docs], values, p)]}


def _keep(stats, p) -> bool:
    if p["evaluate"] is None:
        return True
    return bool(stats[STAT])


declare(Op(
    name="general_field_filter", kind="filter", family=FAMILY,
    doc="Keep rows for which `filter_condition`, a Python-syntax boolean expression over record fields "
        "(`10 < meta.words <= 300 and lang in ['en', 'zh']`), holds.",
    params=(
        Param("filter_condition", "str", "", "The condition: and/or, chained comparisons (< <= > >= == != in "
              "not in), not, unary -/+, constants, list/tuple/set literals and field names (`meta.lang`; "
              "`__dj__meta__.x`/`__dj__stats__.x` are `meta.x`/`stats.x`; `text` is the op's text). Empty: "
              "every row is kept."),
        *(Param(slot, "str", "", "Internal: filled from `filter_condition` (a field it reads); leave unset.")
          for slot in SLOTS),
    ),
    stats=(Stat(STAT, "long", "The condition's truth for the row, 1 or 0; null when the condition is empty."),),
    compute=_compute, prepare=_fill_slots, keep=_keep, reads=SLOTS, sql_params=("filter_condition",),
    notes="The expression is parsed, never evaluated by Python: its tree is compiled into closures once per "
          "bind. Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_catalogue_agent.py`): "
          "a field missing from the record (or under a parent that is not an object) is None; any comparison "
          "with None is False, `not in` True, even in a chain (`1 < 2 < x` is False when x is None); "
          "`and`/`or` stop at the first deciding operand; `not x` is true for None, 0, '' and []. Comparing "
          "values Python cannot order (`meta.words > '5'` on an int) raises TypeError on that row: the row "
          "is dropped as `error:general_field_filter: TypeError: ...` (Data-Juicer raises too). Differences: "
          "constructs Data-Juicer cannot evaluate (calls, arithmetic, subscripts, `is`, `~`, attributes of a "
          "constant) are refused at bind time (Data-Juicer raises on every row that reaches them); an "
          "attribute of a non-object value is None (Data-Juicer returns the Python attribute, e.g. "
          "`meta.words.real`); the statistic is the condition's truth as 1 or 0 (Data-Juicer stores a boolean, or the "
          "raw value, e.g. the field itself for a bare `score`); a second general_field_filter in one pass "
          "evaluates its own condition (Data-Juicer reuses the first one's stored result); a record with a "
          "top-level key holding dots (`{\"meta.lang\": ...}`) gives that value for `meta.lang`, as every "
          "sparkops record lookup does (Data-Juicer walks `meta`, then `lang`). A condition with "
          "a leading space or only whitespace is refused, as Data-Juicer's parse does. The condition reads "
          "at most 16 distinct fields; the `_read_*` parameters are how the core hands them to the filter "
          "(filled from the condition). The SQL function evaluates the condition on its argument as `text`, "
          "every other field null.",
    examples=(
        Example("general_field_filter_condition('hello', \"text == 'hello'\")", 1),
        Example("general_field_filter_condition('hello', \"text in ['a', 'b'] or not missing\")", 1,
                "a missing field is None; `not None` is true"),
        Example("general_field_filter_condition('hello', 'missing < 3')", 0, "a comparison with None"),
        Example("general_field_filter_condition('b', \"'a' < text <= 'c'\")", 1, "a chained comparison"),
    ),
))
