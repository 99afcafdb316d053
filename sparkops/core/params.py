"""Typed operator parameters: validation and coercion of what a recipe or SQL call passes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sparkops.core.errors import OpError

MAXSIZE = sys.maxsize  # Data-Juicer's default upper bound for every range filter


_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


@dataclass(frozen=True)
class Param:
    """A typed operator parameter.

    ``type`` is one of ``bool``, ``int``, ``float``, ``str``, ``list[str]``, ``list[int]``,
    ``list[str|number|null]`` or ``str|list[str]`` (a tag, not a Python type, so docs and SQL can
    show it verbatim).
    ``nullable`` parameters accept ``None`` (YAML ``null`` / a bare key).
    ``path``: the value names files or folders; a job spec resolves relative ones from its folder.
    """

    name: str
    type: str
    default: Any
    doc: str
    nullable: bool = False
    choices: tuple | None = None
    # further check after the type check; returns an error message or None
    check: Callable[[Any], str | None] | None = None
    path: bool = False

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
    if tag == "list[str|number|null]":  # values to compare with a field's (selector tags)
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            return _BAD
        ok = all(v is None or isinstance(v, (str, int, float)) for v in value)
        return list(value) if ok else _BAD
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
