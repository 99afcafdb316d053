"""suffix_filter: keep rows whose file suffix (Data-Juicer's ``__dj__suffix__`` field) is one of
``suffixes``.

Data-Juicer's formatters write ``__dj__suffix__`` (``'.' + the file's extension``, e.g.
``.jsonl``) into every record when loading with ``add_suffix``; the filter compares that value
with the list by equality and computes no statistic.
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
              "(`.txt` matches `.txt`, not `txt`); empty or null keeps every row.", nullable=True),
    ),
    stats=(Stat(STAT, "string", "The field's value (the record's file suffix)."),),
    compute=_compute, prepare=_prepare, keep=_keep, text_key=SUFFIX_KEY,
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made, `tests/test_catalogue_text.py`). The value is "
          "compared with `==`: Data-Juicer writes the suffix with its dot (`.jsonl`, `.txt`), so `suffixes: "
          "txt` matches nothing there even though its docstring says `'txt'` works; case matters. "
          "`reversed_range` keeps the rows whose suffix is *not* listed. A record without the field is "
          "dropped as `missing_field:suffix_filter` and a null one as `null_text` (Data-Juicer raises "
          "KeyError on the first, and drops the second, keeping it with `reversed_range`); with an empty "
          "`suffixes` every row that has the field is kept. The SQL function returns its argument: the "
          "value the decision reads.",
    examples=(
        Example("suffix('.jsonl')", ".jsonl"),
    ),
))
