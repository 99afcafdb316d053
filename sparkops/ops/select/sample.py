"""``random_selector``: a seeded random sample of the rows."""

from __future__ import annotations

from sparkops.core import Op, OpError, Param, declare
from sparkops.ops.select.values import _positive, _ratio


def sample_count(n: int, p: dict) -> int | None:
    """How many rows Data-Juicer's random_selector returns from ``n``: None when it returns the
    table unchanged (at most one row, no ratio and no number, or a ratio that rounds to 0 rows);
    may exceed ``n`` (rows are then repeated)."""
    if n <= 1 or (p["select_ratio"] is None and p["select_num"] is None):
        return None
    if not p["select_ratio"]:
        count = p["select_num"]
    else:
        count = int(p["select_ratio"] * n)
        if p["select_num"] and p["select_num"] < count:
            count = p["select_num"]
    return None if count <= 0 or count == n else count


def _prepare(p: dict, where: str) -> dict:
    if p["select_ratio"] == 0 and p["select_num"] is None:
        raise OpError(f"{where}: select_ratio 0 without select_num selects nothing to sample by (Data-Juicer "
                      "fails with a TypeError): set select_num, or a select_ratio above 0")
    return p


declare(Op(
    name="random_selector", kind="selector", family="select",
    doc="Select a random sample of the rows: `select_num` of them, or the `select_ratio` share (the smaller "
        "count wins when both are set); the same `seed` and rows give the same sample.",
    params=(
        Param("select_ratio", "float", None, "Share of the rows to select, in [0, 1].", nullable=True,
              check=_ratio),
        Param("select_num", "int", None, "Number of rows to select.", nullable=True, check=_positive),
        Param("seed", "int", 42, "sparkops: the seed of the sample (Data-Juicer always uses 42)."),
    ),
    prepare=_prepare,
    frame="sparkops.spark.select.sample:select",
    notes="Counts are Data-Juicer's: `int(select_ratio * rows)`, capped by `select_num`; a table of at most "
          "one row, neither parameter, or a count that rounds to 0 (e.g. 0.001 of 208 rows) returns every row "
          "in input order, as does a count equal to the row count. A `select_num` above the row count repeats "
          "rows as Data-Juicer does: every row appears `count // rows` times and the first `count % rows` rows "
          "of the sample once more (each copy its own row, `_order` = [copy, rank]). The sample is not "
          "Data-Juicer's (a numpy permutation of the row indices): rows are ranked by xxhash64(seed, the row's "
          "`_order`), which is uniform, independent of partitioning and the same on every run; the sample "
          "comes in that order. Rows not selected go to the rejected rows with `_dropped_by` = "
          "`random_selector`.",
))
