"""trafilatura's XPath expressions, evaluated exactly but without libxml2's XPath engine.

trafilatura prunes and searches each page with about twenty XPath expressions over every
element (``.//*[...]``). Most test ``re:test(@class, ...)``, an EXSLT function that lxml serves
by calling back into Python once per element and call, even where the element has no such
attribute; on the web bench's pages these expressions take close to half of trafilatura's time.

This module compiles the subset of XPath 1.0 those expressions use into Python predicates
over lxml elements, with the same answer: the same elements in the same (document) order.
Semantics kept (XPath 1.0, libxml2, lxml's EXSLT):

- ``.//T`` descendants of the context element, ``//T`` every element of its document;
  ``self::T``; ``@a`` (present, even empty); ``@a='v'``; ``@a|@b`` as a string is the first of
  those attributes in the element's own (source) order, ``''`` when neither is present;
- ``contains``, ``starts-with``, ``translate`` (characters without a counterpart are deleted);
  ``re:test(s, pattern[, flags])`` is Python's ``re.search`` with ``re.IGNORECASE`` when the
  flags hold ``i`` (lxml's implementation);
- ``X[n]`` in a step is the n-th matching *child of each parent*, ``(X)[n]`` the n-th of the
  whole result; a union is sorted in document order without repeats.

Anything else (a child-element comparison, ``local-name()``, a multi-step path) is refused at
compile time and that expression keeps its lxml ``XPath``, as does one that calls no function
(a plain path, attribute tests only), which libxml2 evaluates as fast without call backs. ``install()`` swaps the compiled
form into trafilatura's expression lists in place, for its version 2.3.1 only (the one pinned
and checked element for element against lxml on every page of the web bench:
``tests/test_web_trafilatura_xpath.py``); ``original_xpaths()`` gives the lxml ones back for
a block, so a test can compare with trafilatura as it ships.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Callable, Iterator

from lxml import etree

SUPPORTED_TRAFILATURA = "2.3.1"
# the module-level lists of trafilatura.xpaths this module compiles (in place)
LISTS = ("BODY_XPATH", "COMMENTS_XPATH", "REMOVE_COMMENTS_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH",
         "RAW_TREE_PRUNE_XPATH", "OVERALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "PRECISION_DISCARD_XPATH",
         "DISCARD_IMAGE_ELEMENTS", "COMMENTS_DISCARD_XPATH", "AUTHOR_DISCARD_XPATHS", "AUTHOR_XPATHS",
         "TITLE_XPATHS", "CATEGORIES_XPATHS", "TAGS_XPATHS")


class Unsupported(ValueError):
    """An expression outside the subset this module evaluates."""


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'[^']*'|"[^"]*")
    | (?P<num>\d+)
    | (?P<dslash>\.//|//)
    | (?P<axis>self::)
    | (?P<punct>[()\[\]|,=@*])
    | (?P<name>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)
    )""", re.VERBOSE)


def _tokens(src: str) -> list[tuple[str, str]]:
    out, pos, end = [], 0, len(src.rstrip())
    while pos < end:
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read {src[pos:pos + 20]!r}")
        kind = m.lastgroup
        value = m.group(kind)
        out.append((kind, value[1:-1] if kind == "str" else value))
        pos = m.end()
    return out


# --------------------------------------------------------------------------- parser

class _Parser:
    def __init__(self, src: str):
        self.toks = _tokens(src)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        k, v = self.peek()
        if k != kind or (value is not None and v != value):
            raise Unsupported(f"expected {value or kind}, found {v or k!r}")
        self.i += 1
        return v

    def at(self, kind: str, value: str | None = None) -> bool:
        k, v = self.peek()
        return k == kind and (value is None or v == value)

    # union := path ('|' path)*
    def union(self) -> list:
        paths = [self.path()]
        while self.at("punct", "|"):
            self.take("punct", "|")
            paths.append(self.path())
        return paths

    # path := '(' union ')' predicates | ('.//' | '//') nametest predicates
    def path(self):
        if self.at("punct", "("):
            self.take("punct", "(")
            inner = self.union()
            self.take("punct", ")")
            return ("group", inner, self.predicates())
        anchor = self.take("dslash")
        if self.at("punct", "*"):
            self.take("punct", "*")
            tag = None
        else:
            tag = self.take("name")
        step = ("step", anchor, tag, self.predicates())
        if self.at("dslash"):
            raise Unsupported("multi-step path")
        return step

    def predicates(self) -> list:
        preds = []
        while self.at("punct", "["):
            self.take("punct", "[")
            if self.at("num") and self.peek(1) == ("punct", "]"):
                preds.append(("pos", int(self.take("num"))))
            else:
                preds.append(("bool", self.or_expr()))
            self.take("punct", "]")
        return preds

    def or_expr(self):
        terms = [self.and_expr()]
        while self.at("name", "or"):
            self.take("name")
            terms.append(self.and_expr())
        return ("or", terms) if len(terms) > 1 else terms[0]

    def and_expr(self):
        terms = [self.primary()]
        while self.at("name", "and"):
            self.take("name")
            terms.append(self.primary())
        return ("and", terms) if len(terms) > 1 else terms[0]

    def primary(self):
        if self.at("axis"):
            self.take("axis")
            return ("self", self.take("name"))
        if self.at("punct", "("):
            self.take("punct", "(")
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        if self.at("dslash", ".//"):  # existence of a descendant: .//h1
            self.take("dslash")
            tag = self.take("name")
            if self.at("punct", "[") or self.at("dslash"):
                raise Unsupported("a relative path with predicates")
            return ("has_descendant", tag)
        if self.at("punct", "@"):
            attrs = self.attr_union()
            if self.at("punct", "="):
                if len(attrs) != 1:
                    raise Unsupported("comparing an attribute union")
                self.take("punct", "=")
                return ("attr_eq", attrs[0], self.take("str"))
            if len(attrs) != 1:
                raise Unsupported("an attribute union as a boolean")
            return ("attr_present", attrs[0])
        name = self.take("name")
        if name == "not":
            self.take("punct", "(")
            inner = self.or_expr()
            self.take("punct", ")")
            return ("not", inner)
        if name in ("contains", "starts-with"):
            self.take("punct", "(")
            s = self.string_expr()
            self.take("punct", ",")
            lit = self.take("str")
            self.take("punct", ")")
            return (name, s, lit)
        if name == "re:test":
            self.take("punct", "(")
            s = self.string_expr()
            self.take("punct", ",")
            pattern = self.take("str")
            flags = ""
            if self.at("punct", ","):
                self.take("punct", ",")
                flags = self.take("str")
            self.take("punct", ")")
            return ("re", s, pattern, flags)
        raise Unsupported(f"{name!r}")

    def attr_union(self) -> list[str]:
        self.take("punct", "@")
        attrs = [self.take("name")]
        while self.at("punct", "|") and self.peek(1) == ("punct", "@"):
            self.take("punct", "|")
            self.take("punct", "@")
            attrs.append(self.take("name"))
        return attrs

    def string_expr(self):
        if self.at("name", "translate"):
            self.take("name")
            self.take("punct", "(")
            inner = self.string_expr()
            self.take("punct", ",")
            src = self.take("str")
            self.take("punct", ",")
            dst = self.take("str")
            self.take("punct", ")")
            return ("translate", inner, src, dst)
        if self.at("punct", "@"):
            return ("attrs", tuple(self.attr_union()))
        raise Unsupported("a string argument other than attributes or translate()")


# --------------------------------------------------------------------------- compilation

Pred = Callable[[etree._Element], bool]
# distinct attribute lists remembered per predicate before the memo starts over: a page rarely
# has more than a few hundred, and every Spark worker holds one memo per predicate
# (docs/decisions/trafilatura-xpath.md)
_MEMO_LIMIT = 1 << 12


def _first_of(el, names: tuple[str, ...]) -> str:
    """``string(@a|@b...)``: the value of whichever of the attributes the element has first."""
    for key in el.keys():
        if key in names:
            return el.get(key)
    return ""


class _Codegen:
    """One Python function per predicate: each attribute read once, the tests inlined (a call
    per element instead of one per test)."""

    def __init__(self):
        self.attrs: dict[str, str] = {}
        self.consts: dict[str, object] = {"_first_of": _first_of}
        self.reads_element = False  # a test of the tag or the descendants, not only attributes

    def const(self, value) -> str:
        name = f"_c{len(self.consts)}"
        self.consts[name] = value
        return name

    def attr(self, name: str) -> str:
        if name not in self.attrs:
            self.attrs[name] = f"_a{len(self.attrs)}"
        return self.attrs[name]

    def string(self, node) -> str:
        if node[0] == "attrs":
            names = node[1]
            if len(names) == 1:
                return f"({self.attr(names[0])} or '')"
            if len(names) == 2:  # the common case, inlined: a call only when both are present
                a, b = self.attr(names[0]), self.attr(names[1])
                return (f"(({a} if {b} is None else _first_of(el, {self.const(tuple(names))})) "
                        f"if {a} is not None else ({b} or ''))")
            present = " or ".join(f"{self.attr(n)} is not None" for n in names)
            return f"(_first_of(el, {self.const(tuple(names))}) if ({present}) else '')"
        _, inner, src, dst = node
        table = {ord(c): (dst[i] if i < len(dst) else None) for i, c in reversed(list(enumerate(src)))}
        return f"{self.string(inner)}.translate({self.const(table)})"

    def _absent_is_false(self, node, test: Callable[[str], str]) -> str:
        """``test`` (source over the value's source) of a string, for a test that is false on
        ''. On one plain attribute, a missing one is answered without the test."""
        if node[0] == "attrs" and len(node[1]) == 1:
            a = self.attr(node[1][0])
            return f"({a} is not None and {test(a)})"
        return test(self.string(node))

    def expr(self, node) -> str:
        kind = node[0]
        if kind in ("or", "and"):
            return "(" + f" {kind} ".join(self.expr(t) for t in node[1]) + ")"
        if kind == "not":
            return f"(not {self.expr(node[1])})"
        if kind == "self":
            self.reads_element = True
            return f"(el.tag == {node[1]!r})"
        if kind == "attr_present":
            return f"({self.attr(node[1])} is not None)"
        if kind == "attr_eq":
            return f"({self.attr(node[1])} == {node[2]!r})"
        if kind == "has_descendant":
            self.reads_element = True
            return f"(next(el.iterdescendants({node[1]!r}), None) is not None)"
        if kind == "contains":
            if not node[2]:
                return "True"
            return self._absent_is_false(node[1], lambda v: f"({node[2]!r} in {v})")
        if kind == "starts-with":
            if not node[2]:
                return "True"
            return self._absent_is_false(node[1], lambda v: f"{v}.startswith({node[2]!r})")
        if kind == "re":
            flags = re.UNICODE | (re.IGNORECASE if "i" in node[3] else 0)
            search = re.compile(node[2], flags).search
            name = self.const(search)

            def test(v):
                return f"({name}({v}) is not None)"
            if search("") is not None:  # true on the empty string: no shortcut for a missing attribute
                return test(self.string(node[1]))
            return self._absent_is_false(node[1], test)
        raise Unsupported(kind)


def _pred(node) -> Pred:
    gen = _Codegen()
    body = gen.expr(node)
    scope = dict(gen.consts)
    if not gen.attrs:
        src = f"def pred(el):\n    return {body}\n"
    else:
        # one call for all the attributes; most elements have none, and then a predicate that
        # reads only attributes has one answer, worked out here once
        reads = "".join(f"    {var} = attrs.get({name!r})\n" for name, var in gen.attrs.items())
        src = f"def full(el, attrs):\n{reads}    return {body}\n"
        exec(compile(src, "<trafilatura_xpath>", "exec"), scope)
        if gen.reads_element:
            src = ("def pred(el):\n    items = el.items()\n"
                   "    return full(el, dict(items) if items else {})\n")
        else:
            # a test of attributes only is a function of the attributes it reads, in their
            # order (``@id|@class`` is the first present): answered once per distinct list of
            # them. trafilatura walks copies of the same tree several times and pages repeat
            # their class/id sets, so most elements hit. The key holds only the attributes
            # read: hrefs and data-* values would make every key unique and the memo big.
            scope["_memo"] = {}
            scope["_bare"] = bool(scope["full"](etree.Element("x"), {}))
            scope["_limit"] = _MEMO_LIMIT
            scope["_read"] = frozenset(gen.attrs)
            src = ("def pred(el):\n    items = el.items()\n    if not items:\n        return _bare\n"
                   "    key = tuple([kv for kv in items if kv[0] in _read])\n    if not key:\n        return _bare\n"
                   "    hit = _memo.get(key)\n    if hit is None:\n"
                   "        if len(_memo) >= _limit:\n            _memo.clear()\n"
                   "        hit = _memo[key] = full(el, dict(key))\n    return hit\n")
    exec(compile(src, "<trafilatura_xpath>", "exec"), scope)
    return scope["pred"]


def _self_tags(node) -> tuple[str, ...] | None:
    """The tags of a predicate that is only ``self::a or self::b ...``, else None."""
    if node[0] == "self":
        return (node[1],)
    if node[0] == "or" and all(t[0] == "self" for t in node[1]):
        return tuple(t[1] for t in node[1])
    return None


def _apply(candidates: Iterator, preds: list, per_parent: bool) -> list:
    """Filter candidates (document order) through a list of predicates; a position counts
    among the siblings (a step) or in the whole list (a parenthesised group)."""
    items = candidates
    for kind, arg in preds:
        if kind == "bool":
            items = [el for el in items if arg(el)]
        elif per_parent:
            counts: dict = {}
            kept = []
            for el in items:
                parent = el.getparent()
                n = counts.get(parent, 0) + 1
                counts[parent] = n
                if n == arg:
                    kept.append(el)
            items = kept
        else:
            items = list(items)
            items = [items[arg - 1]] if 0 < arg <= len(items) else []
    return list(items)


def _compile_path(node) -> Callable[[etree._Element], list]:
    if node[0] == "group":
        branches = [_compile_path(p) for p in node[1]]
        preds = [(k, _pred(a) if k == "bool" else a) for k, a in node[2]]
        union = _union(branches)
        return lambda ctx: _apply(union(ctx), preds, per_parent=False)
    _, anchor, tag, raw = node
    tags: tuple = (tag,) if tag else (etree.Element,)
    if raw and raw[0][0] == "bool" and tag is None:
        found = _self_tags(raw[0][1])
        if found:  # `*[self::a or self::b]`: lxml filters the tags in C
            tags, raw = found, raw[1:]
    preds = [(k, _pred(a) if k == "bool" else a) for k, a in raw]
    first = preds[0][1] if preds and preds[0][0] == "bool" else None
    rest = preds[1:] if first else preds
    def run(ctx):
        if anchor == "//":
            top = ctx.getroottree().getroot()
            elements = top.iter(*tags)
        else:
            elements = ctx.iterdescendants(*tags)
        if first is not None:
            elements = [el for el in elements if first(el)]
        if not rest:
            return list(elements)
        return _apply(elements, rest, per_parent=True)
    return run


def _union(branches: list) -> Callable[[etree._Element], list]:
    if len(branches) == 1:
        return branches[0]

    def run(ctx):
        found = [el for b in branches for el in b(ctx)]
        if not found:
            return found
        unique = list(dict.fromkeys(found))
        if len(unique) == 1:
            return unique
        order = {el: i for i, el in enumerate(ctx.getroottree().getroot().iter())}
        return sorted(unique, key=order.__getitem__)
    return run


class CompiledXPath:
    """Called like lxml's ``XPath`` on an element: the matching elements in document order."""

    def __init__(self, path: str):
        self.path = path
        parser = _Parser(path)
        tree = parser.union()
        if not parser.at("end"):
            raise Unsupported(f"trailing {parser.peek()[1]!r}")
        self._run = _union([_compile_path(p) for p in tree])

    def __call__(self, element, **_variables) -> list:
        return self._run(element)

    def __repr__(self) -> str:
        return f"CompiledXPath({' '.join(self.path.split())!r})"


# --------------------------------------------------------------------------- installation

_originals: dict[str, list] = {}
# an expression worth compiling calls a function; without one (`.//header`,
# `//*[@class='entry-title']`) libxml2 needs no call back per element and is no slower
_CALLS = re.compile(r"(?:re:test|contains|starts-with|translate|not)\s*\(")


def compile_all(lists=LISTS) -> dict[str, list]:
    """Each of trafilatura's lists with every expression this module evaluates compiled (the
    others stay lxml XPath objects)."""
    from trafilatura import xpaths

    out = {}
    for name in lists:
        compiled = []
        for expr in _originals.get(name) or getattr(xpaths, name):
            if not _CALLS.search(expr.path):  # plain paths and attribute tests: libxml2 is as fast or faster
                compiled.append(expr)
                continue
            try:
                compiled.append(CompiledXPath(expr.path))
            except Unsupported:
                compiled.append(expr)
        out[name] = compiled
    return out


def install() -> bool:
    """Swap the compiled expressions into trafilatura (once per process); False, and nothing
    changed, for another trafilatura version than the one checked."""
    from importlib.metadata import version

    from trafilatura import xpaths

    if version("trafilatura") != SUPPORTED_TRAFILATURA:
        return False
    if _originals:
        return True
    compiled = compile_all()
    for name, exprs in compiled.items():
        target = getattr(xpaths, name)
        _originals[name] = list(target)
        target[:] = exprs  # in place: trafilatura's modules imported these very lists
    return True


def installed() -> bool:
    return bool(_originals)


@contextmanager
def original_xpaths():
    """trafilatura with its own lxml expressions for the block (as it ships)."""
    from trafilatura import xpaths

    swapped = {name: list(getattr(xpaths, name)) for name in _originals}
    for name, exprs in _originals.items():
        getattr(xpaths, name)[:] = exprs
    try:
        yield
    finally:
        for name, exprs in swapped.items():
            getattr(xpaths, name)[:] = exprs
