"""Column names in suites -> columns of the flat frame GX validates.

GX 1.24's Spark engine cannot address struct fields everywhere: the map metrics accept
``stats.alnum_ratio`` but the aggregate ones look the name up in ``df.schema`` and fail
(``expect_column_mean_to_be_between`` -> ``[KEY_NOT_EXISTS] Key `stats.alnum_ratio` does not
exist``). So the gate validates a *flat projection*: every struct field a suite names becomes
a top-level column ``<struct>__<field>`` (``stats.alnum_ratio`` -> ``stats__alnum_ratio``).

A suite names a column in one of these ways (see the package docstring):

- a top-level column: ``text``, ``_source``, ``id``;
- a struct field by its path: ``stats.alnum_ratio`` (any depth: ``a.b.c``);
- the same field by its flat name: ``stats__alnum_ratio``;

and when the frame was already flattened by the caller, ``stats.alnum_ratio`` also finds a
top-level ``stats__alnum_ratio``, or — if there is no ``stats`` column at all — a top-level
``alnum_ratio`` (stats promoted under their own names).

A job's tables keep each input record's other fields as JSON text in ``_record``: a name
found nowhere else is looked up there (``id`` -> ``$['id']``, ``meta.lang`` ->
``$['meta']['lang']``), as JSON text (a number as its digits, null or absent as null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructType

SEP = "__"
RECORD = "_record"  # the job runner's JSON text of each input record
_SAFE = re.compile(r"[^0-9A-Za-z_]")


def _quote(part: str) -> str:
    return "`" + part.replace("`", "``") + "`"


def _leaves(schema: StructType, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every non-struct field, as a path, in schema order."""
    out: list[tuple[str, ...]] = []
    for f in schema.fields:
        path = prefix + (f.name,)
        if isinstance(f.dataType, StructType):
            out.extend(_leaves(f.dataType, path))
        else:
            out.append(path)
    return out


@dataclass
class Resolver:
    """Maps suite column references to paths in ``schema`` and builds the flat projection."""

    schema: StructType
    _flat: dict[tuple[str, ...], str] = field(default_factory=dict)  # path -> flat column name

    def __post_init__(self):
        self._paths = {p for p in _all_paths(self.schema)}
        self._top = [f.name for f in self.schema.fields]
        self._structs = {f.name for f in self.schema.fields if isinstance(f.dataType, StructType)}
        self._record = any(f.name == RECORD and isinstance(f.dataType, StringType) for f in self.schema.fields)

    def resolve(self, ref: str) -> tuple[str, ...] | None:
        """The path ``ref`` names in the data, or None."""
        if ref in self._top:
            return (ref,)
        parts = tuple(ref.split("."))
        if len(parts) > 1 and parts in self._paths:
            return parts
        if SEP in ref:
            flat_parts = tuple(ref.split(SEP))
            if flat_parts in self._paths and len(flat_parts) > 1:
                return flat_parts
        if len(parts) > 1:
            joined = SEP.join(parts)
            if joined in self._top:
                return (joined,)
            if parts[0] not in self._top and parts[-1] in self._top and len(parts) == 2:
                return (parts[-1],)
        if self._record and all(parts):  # a field of the input record (never a real path: _record is text)
            return (RECORD, *parts)
        return None

    def flat_name(self, path: tuple[str, ...]) -> str:
        """The column name of ``path`` in the flat frame (stable, unique, GX-safe)."""
        if path in self._flat:
            return self._flat[path]
        name = _SAFE.sub("_", SEP.join(path)) or "_"
        taken = set(self._flat.values())
        base, n = name, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        self._flat[path] = name
        return name

    def is_record_field(self, path: tuple[str, ...]) -> bool:
        return self._record and len(path) > 1 and path[0] == RECORD

    def column(self, path: tuple[str, ...]) -> Column:
        if self.is_record_field(path):
            json_path = "$" + "".join("['" + p.replace("\\", "\\\\").replace("'", "\\'") + "']" for p in path[1:])
            return F.get_json_object(F.col(RECORD), json_path).alias(self.flat_name(path))
        return F.col(".".join(_quote(p) for p in path)).alias(self.flat_name(path))

    def all_leaves(self) -> list[tuple[str, ...]]:
        return _leaves(self.schema)

    def project(self, df: DataFrame, paths: list[tuple[str, ...]]) -> DataFrame:
        seen, cols = set(), []
        for p in paths:
            if p not in seen:
                seen.add(p)
                cols.append(self.column(p))
        return df.select(*cols)

    @property
    def available(self) -> list[str]:
        """Every addressable column, spelled as a suite would (for error messages)."""
        return [".".join(p) for p in _leaves(self.schema)]


def _all_paths(schema: StructType, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for f in schema.fields:
        path = prefix + (f.name,)
        out.append(path)
        if isinstance(f.dataType, StructType):
            out.extend(_all_paths(f.dataType, path))
    return out
