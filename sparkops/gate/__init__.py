"""The quality gate of a job stage: a Great Expectations 1.x suite run on a Spark DataFrame.

    from sparkops.gate import load_suite, validate

    suite = load_suite("expectations/web_quality.json")     # SuiteError (ValueError) if malformed
    result = validate(df, suite, stage="quality", report_dir=Path("reports/quality"))
    result.success          # False if any expectation of severity "critical" failed or errored
    result.failures         # [{"type", "column", "kwargs", "observed_value", "unexpected_count", ...}]
    result.report_path      # reports/quality/report.md (and report.json, gx_validation_result.json)
    print(result.summary())

Validation runs on Spark with GX's Spark execution engine (an in-memory "ephemeral" GX
context; nothing is written outside ``report_dir``, no data docs, no telemetry); the data is
never collected to the driver: only up to 5 sample rows per expectation are.

Suite files
-----------
Plain GX 1.x suite JSON, the shape of ``ExpectationSuite.to_json_dict()``::

    {"name": "web_quality",
     "expectations": [
       {"type": "expect_column_values_to_be_between",
        "kwargs": {"column": "stats.alnum_ratio", "min_value": 0.25, "max_value": 1},
        "meta": {"why": "alphanumeric_filter min_ratio 0.25"}}]}

``load_suite`` builds every expectation itself and names the file, the index and the type
of the first one GX cannot build (GX's own constructor would silently drop it).

Column naming convention
------------------------
A stage table has top-level columns (``text``, ``_source``, ``_line`` ...) and a ``stats``
struct with one field per filter statistic (``alnum_ratio``, ``lang``, ``lang_score``,
``special_char_ratio``, ``char_rep_ratio``, ``word_rep_ratio``, ``text_len`` ...). In a suite:

- a top-level column is named as it is: ``"column": "text"``;
- a struct field is named by its dotted path, as in Spark SQL: ``"column": "stats.alnum_ratio"``
  (any depth: ``a.b.c``);
- the flat spelling ``stats__alnum_ratio`` (path parts joined by two underscores) means the
  same field;
- a field of the job's input record (kept as JSON text in ``_record``) by its name or dotted
  path, when no column has that name: ``"column": "id"``, ``"meta.lang"``; the values are the
  JSON text (a number as its digits); a name that no record has counts as missing;
- if the DataFrame handed to ``validate`` was already flattened, ``stats.alnum_ratio`` also
  finds a top-level ``stats__alnum_ratio``, or — when there is no ``stats`` column at all —
  a top-level ``alnum_ratio``.

GX 1.24's Spark engine cannot address struct fields in its aggregate metrics (mean, min,
max ...), so ``validate`` hands GX a flat projection in which each named field is a column
``<struct>__<field>``; reports spell columns the way the suite did. Expectations about the
table's columns themselves (``expect_table_columns_to_match_set`` ...) see every leaf column
of the DataFrame under its flat name (``text``, ``stats__alnum_ratio`` ...).

A column the data does not have makes its expectation an *error* (the gate fails and the
report lists the available columns), unless the expectation carries
``"meta": {"sparkops": {"skip_if_missing": true}}``: then it is *skipped* (reported, not
failing) — for checks such as "``id`` is unique, if there is an ``id``".

Severity: GX 1.x's expectation ``severity`` is honoured: only ``critical`` (the default)
failures fail the gate; ``warning``/``info`` failures are listed in ``result.warnings``.
"""

from __future__ import annotations

from sparkops.gate.validate import validate
from sparkops.gate.report import GateResult
from sparkops.gate.suite import SuiteError, load_suite

__all__ = ["load_suite", "validate", "GateResult", "SuiteError"]
