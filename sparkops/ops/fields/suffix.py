"""suffix_filter: keep rows whose file suffix (Data-Juicer's ``__dj__suffix__`` field) is one of
``suffixes``.

Data-Juicer's formatters write ``__dj__suffix__`` (``'.' + the file's extension``, e.g.
``.jsonl``) into every record when loading with ``add_suffix``; the filter compares that value
with the list by equality and computes no statistic. Here the op reads that field as its
``text_key`` (as url_filter reads ``url``), so its SQL function judges its argument.
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, Stat, declare
from sparkops.ops.fields.common import FAMILY

SUFFIX_KEY = "__dj__suffix__"  # Data-Juicer 1.6.1's Fields.suffix
STAT = "suffix"


def _prepare(p, where):
    suffixes = p["suffixes"]
    wanted = [] if suffixes is None else [suffixes] if isinstance(suffixes, str) else suffixes
    return dict(p, wanted=frozenset(wanted))


def _compute(docs, p):
    return {STAT: [d.text for d in docs]}


def _keep(stats, p) -> bool:
    if not p["wanted"]:
        return True
    return (stats[STAT] in p["wanted"]) != p["reversed_range"]


declare(Op(
    name="suffix_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose file suffix (the record field `__dj__suffix__` Data-Juicer's loaders write, e.g. "
        "`.jsonl`; `text_key` names another field) is one of `suffixes`.",
    params=(
        Param("suffixes", "str|list[str]", [], "Suffixes to keep, compared exactly with the field's value "
              "(`.txt` matches `.txt`, not `txt`); empty or null keeps every row that has the field.",
              nullable=True),
    ),
    stats=(Stat(STAT, "string", "The field's value (the record's file suffix)."),),
    compute=_compute, prepare=_prepare, keep=_keep, text_key=SUFFIX_KEY,
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_catalogue_text.py`) for records "
          "whose field holds a string. The value is compared with `==`: Data-Juicer writes the suffix with "
          "its dot (`.jsonl`, `.txt`), so `suffixes: txt` matches nothing there even though its docstring "
          "says `'txt'` works; case matters. `reversed_range` keeps the rows whose suffix is *not* listed. "
          "The field is the op's `text_key` (default `__dj__suffix__`), read as every row op reads its "
          "field: a record without it is dropped as `missing_field:suffix_filter` (Data-Juicer raises "
          "KeyError when `suffixes` is set, keeps the row when it is empty), a null or non-string value as "
          "`wrong_type:suffix_filter` (Data-Juicer: no listed suffix, so dropped, but kept with "
          "`reversed_range` or an empty `suffixes`), and a DataFrame without that column (and without a "
          "job's `_record`) is refused before any task runs. The SQL function returns its argument: the "
          "value the decision reads.",
    examples=(
        Example("suffix('.jsonl')", ".jsonl"),
    ),
))
