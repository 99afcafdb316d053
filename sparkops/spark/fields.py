"""Record fields on the Spark side: where a field an op reads comes from (a column, a nested
struct field, or a job's ``_record`` JSON), and putting a rewritten nested field back. Used by
every segment that reads fields (the fused pass, generators)."""

from __future__ import annotations

import json
from typing import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from sparkops.core import OpError
from sparkops.core.row import RECORD, field_path


def _struct_leaf(schema: StructType, path: tuple[str, ...]):
    """The Spark type at a dotted path through struct columns, or None."""
    node = schema
    for part in path:
        if not isinstance(node, StructType) or part not in node.fieldNames():
            return None
        node = node[part].dataType
    return node


def field_sources(df: DataFrame, fields: Sequence[str], where: str | None = None) -> tuple[DataFrame, dict]:
    """Where each record field an op reads comes from: a column of ``df`` (top level, or a
    nested struct field copied to a temporary column for the pass), else the original record
    of a job's input (``_record``, JSON, read per row: absent there is a row-level
    ``missing_field``). A field found nowhere is an error before any task runs."""
    sources = {}
    for k, name in enumerate(fields):
        path = field_path(name)
        if name in df.columns:
            sources[name] = ("column", name, None)
        elif len(path) > 1 and _struct_leaf(df.schema, path) is not None:
            temp = f"_field_{k}"
            df = df.withColumn(temp, F.col(".".join(f"`{p}`" for p in path)))
            sources[name] = ("column", temp, path)
        elif RECORD in df.columns:
            sources[name] = ("record", RECORD, path)
        else:
            raise OpError(f"{where + ': ' if where else ''}field '{name}' (an op's text_key) is not in the data "
                          f"(columns: {', '.join(df.columns)})")
    return df, sources


def parse_record(raw: str | None):
    try:
        record = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def restore_nested(out: DataFrame, sources: dict) -> DataFrame:
    """Nested fields a pass read from temporary columns go back where they came from."""
    for kind, col, path in sources.values():
        if kind == "column" and path is not None:
            out = out.withColumn(path[0], F.col(path[0]).withField(".".join(path[1:]), F.col(col))).drop(col)
    return out


def with_record_text(df: DataFrame, text_col: str, key: str) -> DataFrame:
    """A job's rows with the current text put back into ``_record`` under ``key`` (the input's
    text key), for the ops that read whole records themselves: generators, groupers,
    aggregators, the LLM ops. A job's records carry that field null (``jobs.records``)."""
    import pandas as pd

    def put(records, texts):
        out = []
        for raw, text in zip(records.tolist(), texts.tolist()):
            record = parse_record(raw)
            if record is None or not isinstance(text, str):
                out.append(raw)
                continue
            record[key] = text  # in its place: the key is there, null
            out.append(json.dumps(record, ensure_ascii=False))
        return pd.Series(out, dtype=object)

    # the hints as objects: this module's annotations are strings, which pandas_udf cannot read
    put.__annotations__ = {"records": pd.Series, "texts": pd.Series, "return": pd.Series}
    return df.withColumn(RECORD, F.pandas_udf(put, "string")(F.col(RECORD), F.col(text_col)))
