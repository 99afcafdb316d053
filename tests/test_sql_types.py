"""sparkops.spark.ddl reads the SQL functions' return types as pyspark's JVM parse does."""

from __future__ import annotations

import pytest

from sparkops.spark import ddl, functions

EXTRA = [
    "map<string, array<bigint>>", "array<array<array<string>>>", "struct<`a b`: int, `x``y`: string>",
    "struct<a:int,b:struct<c: boolean, d: binary>>", "STRUCT<A: BIGINT>", "  double ", "array<float>",
]


def _declared() -> list[str]:
    seen: list[str] = []

    def record(text):
        seen.append(text)
        return ddl.data_type(text)

    original = functions.data_type
    functions.data_type = record
    try:
        for name in functions.declared():  # builds every SQL function's UDF again, recording its type
            functions.udf_of.__wrapped__(name)
    finally:
        functions.data_type = original
    return seen


@pytest.mark.spark
def test_every_declared_type_reads_as_pyspark_reads_it(spark):
    from pyspark.sql.types import _parse_datatype_string

    declared = _declared()
    assert len(declared) == len(functions.udfs()) >= 60
    for text in sorted(set(declared)) + EXTRA:
        assert ddl.data_type(text) == _parse_datatype_string(text), text


@pytest.mark.parametrize("text", ["struct<a int", "array<>", "decimal(10,2)", "struct<1a: int>", "array<string>>"])
def test_types_outside_the_subset_are_refused(text):
    with pytest.raises(ddl.UnreadableType):
        ddl.data_type(text)
