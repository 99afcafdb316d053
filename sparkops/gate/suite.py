"""Loading a Great Expectations 1.x suite file, strictly.

GX's own ``ExpectationSuite(expectations=[...])`` *logs and drops* an expectation it cannot
build (unknown type, bad kwargs) and goes on with the rest: a typo would silently turn a gate
check into nothing. ``load_suite`` builds every expectation itself and raises ``SuiteError``
(a ``ValueError``) naming the file, the expectation's index and its type instead.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Mapping

# keys GX 1.x writes for a suite (ExpectationSuite.to_json_dict()) and for one expectation
SUITE_KEYS = {"name", "id", "expectations", "suite_parameters", "meta", "notes"}
EXPECTATION_KEYS = {"type", "kwargs", "meta", "notes", "id", "description", "severity",
                    "rendered_content", "expectation_context"}

_PASSED_KEYS = {"type", "meta", "notes", "id", "description", "severity"}

# sparkops' own options live in an expectation's ``meta`` under this key (GX keeps meta as is)
META_KEY = "sparkops"
META_OPTIONS = {"skip_if_missing"}

# kwargs that name one column / a list of columns of the data
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list", "column_set")


class SuiteError(ValueError):
    """A suite file that cannot be used: unreadable, malformed, or an invalid expectation."""


def _gx():
    from sparkops.gate.gx import load

    return load()


def registered_expectation_types() -> list[str]:
    _gx()
    from great_expectations.expectations.registry import list_registered_expectation_implementations

    return sorted(list_registered_expectation_implementations())


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, registered_expectation_types(), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _check_options(meta: Any, where: str) -> None:
    if meta is None:
        return
    if not isinstance(meta, dict):
        raise SuiteError(f"{where}: 'meta' must be an object, got {type(meta).__name__}")
    opts = meta.get(META_KEY)
    if opts is None:
        return
    if not isinstance(opts, dict):
        raise SuiteError(f"{where}: meta.{META_KEY} must be an object, got {type(opts).__name__}")
    unknown = set(opts) - META_OPTIONS
    if unknown:
        raise SuiteError(f"{where}: unknown meta.{META_KEY} option(s) {sorted(unknown)} "
                         f"(known: {sorted(META_OPTIONS)})")
    if "skip_if_missing" in opts and not isinstance(opts["skip_if_missing"], bool):
        raise SuiteError(f"{where}: meta.{META_KEY}.skip_if_missing must be true or false")


def _check_columns(kwargs: dict, where: str) -> None:
    for key in COLUMN_KWARGS:
        if key in kwargs and not (isinstance(kwargs[key], str) and kwargs[key].strip()):
            raise SuiteError(f"{where}: kwargs.{key} must be a non-empty column name, got {kwargs[key]!r}")
    for key in COLUMN_LIST_KWARGS:
        if key in kwargs:
            value = kwargs[key]
            if not isinstance(value, (list, tuple)) or not all(isinstance(c, str) and c for c in value):
                raise SuiteError(f"{where}: kwargs.{key} must be a list of column names, got {value!r}")


def build_expectation(entry: Any, index: int, source: str):
    """One GX ``Expectation`` from its JSON form, or a ``SuiteError`` naming source and index."""
    _gx()
    from great_expectations.exceptions import (
        ExpectationNotFoundError,
        InvalidExpectationConfigurationError,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    where = f"{source}: expectations[{index}]"
    if not isinstance(entry, dict):
        raise SuiteError(f"{where}: an expectation must be an object with 'type' and 'kwargs', "
                         f"got {type(entry).__name__}")
    etype = entry.get("type")
    if etype is None and "expectation_type" in entry:
        raise SuiteError(f"{where} ({entry['expectation_type']}): 'expectation_type' is the GX 0.x key; "
                         f"GX 1.x suites name it 'type'")
    if not isinstance(etype, str) or not etype:
        raise SuiteError(f"{where}: missing 'type' (the expectation's name, e.g. "
                         f"'expect_column_values_to_not_be_null')")
    where = f"{where} ({etype})"
    unknown = set(entry) - EXPECTATION_KEYS
    if unknown:
        raise SuiteError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {sorted(EXPECTATION_KEYS)})")
    kwargs = entry.get("kwargs", {})
    if not isinstance(kwargs, dict):
        raise SuiteError(f"{where}: 'kwargs' must be an object, got {type(kwargs).__name__}")
    if etype not in registered_expectation_types():
        raise SuiteError(f"{where}: unknown expectation type '{etype}'{_suggest(etype)}")
    _check_options(entry.get("meta"), where)
    _check_columns(kwargs, where)
    try:
        # rendered_content / expectation_context are GX's own derived data: accepted, not used
        config = ExpectationConfiguration(**{k: v for k, v in entry.items() if k in _PASSED_KEYS}, kwargs=kwargs)
        return config.to_domain_obj()
    except ExpectationNotFoundError as err:  # pragma: no cover - checked above
        raise SuiteError(f"{where}: unknown expectation type '{etype}'{_suggest(etype)}") from err
    except (InvalidExpectationConfigurationError, ValueError, TypeError) as err:
        # pydantic's ValidationError is a ValueError; its text lists every bad field
        message = " ".join(str(err).split())
        raise SuiteError(f"{where}: {message} (kwargs: {json.dumps(kwargs, default=str)})") from err


def suite_from_dict(data: Any, source: str = "<suite>"):
    """A GX ``ExpectationSuite`` from its ``to_json_dict()`` shape, checked expectation by expectation."""
    gx = _gx()
    if not isinstance(data, Mapping):
        raise SuiteError(f"{source}: a suite must be a JSON object with 'name' and 'expectations', "
                         f"got {type(data).__name__}")
    unknown = set(data) - SUITE_KEYS
    if unknown:
        raise SuiteError(f"{source}: unknown top-level key(s) {sorted(unknown)} (allowed: {sorted(SUITE_KEYS)})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SuiteError(f"{source}: the suite needs a non-empty 'name'")
    exps = data.get("expectations")
    if not isinstance(exps, list):
        raise SuiteError(f"{source}: 'expectations' must be a list of expectations")
    if not exps:
        raise SuiteError(f"{source}: suite '{name}' has no expectations (a gate that checks nothing)")
    built = [build_expectation(e, i, source) for i, e in enumerate(exps)]
    meta = data.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise SuiteError(f"{source}: 'meta' must be an object")
    computed_columns(meta, source)
    params = data.get("suite_parameters")
    if params is not None and not isinstance(params, dict):
        raise SuiteError(f"{source}: 'suite_parameters' must be an object")
    suite = gx.ExpectationSuite(name=name, expectations=built, meta=dict(meta) if meta else None,
                                suite_parameters=dict(params) if params else None, notes=data.get("notes"))
    if len(suite.expectations) != len(built):  # pragma: no cover - GX dropped one silently
        raise SuiteError(f"{source}: Great Expectations dropped an expectation while building the suite")
    return suite


def load_suite(path: str | Path):
    """Read a GX 1.x suite JSON file (``ExpectationSuite.to_json_dict()`` shape).

    Raises ``SuiteError`` (a ``ValueError``) naming the file — and for a bad expectation its
    index and type — when the file is missing, is not JSON, is not a suite, or holds an
    expectation GX does not know or cannot build from its kwargs.
    """
    p = Path(path)
    if not p.is_file():
        raise SuiteError(f"{p}: suite file not found")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SuiteError(f"{p}: cannot read the suite: {err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SuiteError(f"{p}: not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from err
    return suite_from_dict(data, str(p))


def coerce_suite(suite: Any):
    """An ``ExpectationSuite`` from a suite, a path, or a suite dict; plus its source label."""
    gx = _gx()
    if isinstance(suite, gx.ExpectationSuite):
        return suite, None
    if isinstance(suite, (str, Path)):
        return load_suite(suite), str(suite)
    if isinstance(suite, Mapping):
        return suite_from_dict(suite), None
    raise TypeError(f"suite must be an ExpectationSuite, a path to a suite JSON file or a suite dict, "
                    f"got {type(suite).__name__}")


def computed_columns(meta: Mapping | None, source: str = "<suite>") -> dict[str, str]:
    """The suite's computed columns (``meta.sparkops.columns``: name -> Spark SQL expression over
    the stage's rows, sparkops' functions included), checked for shape: e.g.
    ``{"pii_checked": "size(filter(pii_detect(text), p -> p.type = 'CREDIT_CARD'))"}`` lets an
    expectation say that no checksum-valid card number survived."""
    opts = (meta or {}).get(META_KEY) or {}
    if not isinstance(opts, Mapping):
        raise SuiteError(f"{source}: meta.{META_KEY} must be an object, got {type(opts).__name__}")
    unknown = set(opts) - {"columns"}
    if unknown:
        raise SuiteError(f"{source}: unknown suite option(s) meta.{META_KEY}.{sorted(unknown)} (known: ['columns'])")
    columns = opts.get("columns") or {}
    if not isinstance(columns, Mapping) or not all(
            isinstance(k, str) and k.isidentifier() and isinstance(v, str) and v.strip() for k, v in columns.items()):
        raise SuiteError(f"{source}: meta.{META_KEY}.columns must map column names (identifiers) to SQL "
                         f"expressions, got {columns!r}")
    return dict(columns)


def options(meta: Mapping | None) -> dict:
    """sparkops' options of one expectation (``meta.sparkops``)."""
    return dict((meta or {}).get(META_KEY) or {})
