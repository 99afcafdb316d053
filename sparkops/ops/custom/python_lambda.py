"""python_lambda_mapper: a Python lambda, given as text, applied to every record (or batch)."""

from __future__ import annotations

import ast

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.custom.user_function import BATCH_SIZE, BATCHED, FAMILY, UserFunction, apply_user

WHAT = "Lambda function"


def parse_lambda(text: str) -> UserFunction:
    """The lambda, checked as Data-Juicer checks it: a lambda expression of exactly one
    positional parameter that compiles and evaluates. ValueError otherwise."""
    try:
        node = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"is not valid Python ({type(err).__name__}: {err.msg})") from None
    if not isinstance(node.body, ast.Lambda):
        raise ValueError(f"must be a lambda expression, got {type(node.body).__name__}")
    if len(node.body.args.args) != 1:
        raise ValueError(f"must take exactly one argument, takes {len(node.body.args.args)} positional")
    fn = UserFunction("lambda", text)
    try:
        fn.func
    except Exception as err:  # the user's expression: anything may fail while evaluating it
        raise ValueError(f"does not evaluate: {type(err).__name__}: {err}") from None
    return fn


def _prepare(p: dict, where: str) -> dict:
    p = dict(p)
    p["function"] = None
    if p["lambda_str"]:
        try:
            p["function"] = parse_lambda(p["lambda_str"])
        except ValueError as err:
            raise OpError(f"{where}: parameter 'lambda_str' {err}: {p['lambda_str']!r}") from None
    return p


def _apply(records, p):
    return apply_user(records, p, WHAT)


declare(Op(
    name="python_lambda_mapper", kind="mapper", family=FAMILY,
    doc="Apply a Python lambda (`lambda_str`) to every record, or to every batch with `batched`; it returns "
        "the record's new fields as a dict.",
    params=(
        Param("lambda_str", "str", "", "The lambda, e.g. `lambda s: {**s, 'text': s['text'].lower()}`; it takes "
              "one argument (a record, or a batch) and returns a dict. Empty: records pass unchanged."),
        BATCHED,
    ),
    prepare=_prepare, apply=_apply, record=True, batch_size=BATCH_SIZE, sql_name="python_lambda",
    notes="Data-Juicer 1.6.1's contract (a fixture it made, `tests/test_catalogue_agent.py`): the lambda is "
          "the user's code, evaluated with Python's built-ins (as Data-Juicer does), once per Python worker "
          "(only its text is shipped). It must be a lambda of exactly one positional parameter: anything else "
          "(other expressions, `lambda: ...`, `lambda a, b: ...`, a syntax error, an expression that fails "
          "to evaluate) is refused at bind time. Per record, the keys of the returned dict replace the "
          "record's, its other fields stay and new keys are added (Data-Juicer's `process_batched` merge). "
          "A record on which the lambda raises, or returns something other than a dict, is dropped as "
          "`error:python_lambda_mapper: <exception>`; the others go on (Data-Juicer drops or fails the "
          "whole batch, as `skip_op_error` says). With `batched`, the lambda gets the batch as columns "
          "(field -> list of values; a field a record lacks is None there) and must return columns of the "
          "batch's length: a batch that fails is retried record by record (batches of one), so a function "
          "that drops rows from its batch rejects them as errors. Batches are at most 1,000 records "
          "(Data-Juicer's default batch size). In a job the record is the input record; on a DataFrame, its "
          "columns (a new key that is not a column is not kept). The SQL function maps a record holding "
          "only `text`.",
    examples=(
        Example("python_lambda('Hello', \"lambda s: {'text': s['text'].upper()}\")", "HELLO"),
        Example("python_lambda('Hello', \"lambda b: {'text': [t[::-1] for t in b['text']]}\", true)", "olleH",
                "batched: columns in, columns out"),
        Example("python_lambda('Hello')", "Hello", "no lambda: records pass unchanged"),
    ),
))
