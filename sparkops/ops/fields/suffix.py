"""suffix_filter: keep rows whose file suffix (Data-Juicer's ``__dj__suffix__`` field) is one of
``suffixes``.

Data-Juicer's formatters write ``__dj__suffix__`` (``'.' + the file's extension``, e.g.
``.jsonl``) into every record when loading with ``add_suffix``; the filter compares that value
with the list by equality and computes no statistic.
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, Stat, declare
from sparkops.core.row import field_path
from sparkops.ops.fields.common import FAMILY

SUFFIX_KEY = "__dj__suffix__"  # Data-Juicer 1.6.1's Fields.suffix
STAT = "suffix"


def _field_key_problem(key: str) -> str | None:
    if not key:
        return "must name a field"
    try:
        field_path(key)
    except ValueError as err:
        return str(err)
    return None


def _prepare(p, where):
    suffixes = p["suffixes"]
    wanted = [] if suffixes is None else [suffixes] if isinstance(suffixes, str) else suffixes
    return dict(p, wanted=frozenset(wanted))


def _compute(docs, p, fields=None):
    # the SQL function (no record fields) judges its argument
    values = [d.text for d in docs] if fields is None else fields.get("suffix_key") or [None] * len(docs)
    return {STAT: [v if isinstance(v, str) else None for v in values]}


def _keep(stats, p) -> bool:
    if not p["wanted"]:
        return True
    return (stats[STAT] in p["wanted"]) != p["reversed_range"]


declare(Op(
    name="suffix_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose file suffix (the record field `__dj__suffix__` Data-Juicer's loaders write, e.g. "
        "`.jsonl`; `suffix_key` names another field) is one of `suffixes`.",
    params=(
        Param("suffixes", "str|list[str]", [], "Suffixes to keep, compared exactly with the field's value "
              "(`.txt` matches `.txt`, not `txt`); empty or null keeps every row.", nullable=True),
        Param("suffix_key", "str", SUFFIX_KEY, "Record field holding the suffix (not a Data-Juicer parameter: "
              "its field is always `__dj__suffix__`); dots for a nested field.", check=_field_key_problem),
    ),
    stats=(Stat(STAT, "string", "The field's value (the record's file suffix); null when it is missing, "
                "null or not a string."),),
    compute=_compute, prepare=_prepare, keep=_keep, reads=("suffix_key",),
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_catalogue_text.py`). The value is "
          "compared with `==`: Data-Juicer writes the suffix with its dot (`.jsonl`, `.txt`), so `suffixes: "
          "txt` matches nothing there even though its docstring says `'txt'` works; case matters. "
          "`reversed_range` keeps the rows whose suffix is *not* listed. With an empty `suffixes` every row "
          "is kept, without reading the field. A null or non-string value is no listed suffix (dropped; kept "
          "with `reversed_range`), as in Data-Juicer; a record without the field is judged the same way, where "
          "Data-Juicer raises KeyError. `suffix_key` is ours (Data-Juicer's field is fixed); a DataFrame "
          "without that column and without a job's `_record` is refused before any task runs. The SQL "
          "function returns its argument: the value the decision reads.",
    examples=(
        Example("suffix('.jsonl')", ".jsonl"),
    ),
))
