"""Spark SQL type strings (``struct<lang: string, score: double>``) read in Python.

pyspark parses a UDF's return type string by asking the JVM, several Py4J round trips per
type, for each of the ~80 SQL functions a session registers: a good part of a session's start
(docs/decisions/session-start.md). The types sparkops declares use a small part of Spark's
DDL, read here without the JVM into the same ``DataType`` objects (``tests/test_sql_types.py``
compares with pyspark's own parse for every declared type).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyspark.sql import types as T

_ATOMS = {
    "string": T.StringType, "double": T.DoubleType, "float": T.FloatType, "real": T.FloatType,
    "bigint": T.LongType, "long": T.LongType, "int": T.IntegerType, "integer": T.IntegerType,
    "smallint": T.ShortType, "short": T.ShortType, "tinyint": T.ByteType, "byte": T.ByteType,
    "boolean": T.BooleanType, "binary": T.BinaryType, "date": T.DateType, "timestamp": T.TimestampType,
}
_TOKEN = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|[<>,:])")


class UnreadableType(ValueError):
    """A type string outside the subset read here."""


@lru_cache(maxsize=None)
def data_type(ddl: str) -> T.DataType:
    """The DataType of a Spark type string (``array<struct<a: int, b: string>>``)."""
    tokens, pos, end = [], 0, len(ddl.rstrip())
    while pos < end:
        m = _TOKEN.match(ddl, pos)
        if not m:
            raise UnreadableType(f"cannot read the type {ddl!r} at {ddl[pos:pos + 20]!r}")
        tokens.append(m.group(1))
        pos = m.end()
    parsed, i = _read(tokens, 0, ddl)
    if i != len(tokens):
        raise UnreadableType(f"unexpected {tokens[i]!r} in the type {ddl!r}")
    return parsed


def _expect(tokens: list[str], i: int, what: str, ddl: str) -> int:
    if i >= len(tokens) or tokens[i] != what:
        raise UnreadableType(f"expected {what!r} in the type {ddl!r}")
    return i + 1


def _read(tokens: list[str], i: int, ddl: str) -> tuple[T.DataType, int]:
    if i >= len(tokens):
        raise UnreadableType(f"the type {ddl!r} ends early")
    word = tokens[i].lower()
    if word in _ATOMS:
        return _ATOMS[word](), i + 1
    if word == "array":
        element, i = _read(tokens, _expect(tokens, i + 1, "<", ddl), ddl)
        return T.ArrayType(element, True), _expect(tokens, i, ">", ddl)
    if word == "map":
        key, i = _read(tokens, _expect(tokens, i + 1, "<", ddl), ddl)
        value, i = _read(tokens, _expect(tokens, i, ",", ddl), ddl)
        return T.MapType(key, value, True), _expect(tokens, i, ">", ddl)
    if word == "struct":
        i = _expect(tokens, i + 1, "<", ddl)
        fields = []
        while tokens[i:i + 1] != [">"]:
            if i >= len(tokens):
                raise UnreadableType(f"the type {ddl!r} ends early")
            name = tokens[i]
            if name.startswith("`"):
                name = name[1:-1].replace("``", "`")
            elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise UnreadableType(f"a field name expected in the type {ddl!r}, got {name!r}")
            i += 1
            if tokens[i:i + 1] == [":"]:
                i += 1
            field, i = _read(tokens, i, ddl)
            fields.append(T.StructField(name, field, True))
            if tokens[i:i + 1] == [","]:
                i += 1
        return T.StructType(fields), _expect(tokens, i, ">", ddl)
    raise UnreadableType(f"the type {tokens[i]!r} in {ddl!r}")
