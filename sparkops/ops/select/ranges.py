"""``range_specified_field_selector``: the rows between two ranks of a field's values."""

from __future__ import annotations

from sparkops.core import Op, Param, declare
from sparkops.ops.select.values import FIELD_KEY, _positive, _ratio


def bounds(n: int, p: dict) -> tuple[int, int] | None:
    """Data-Juicer's (lower, upper) cut points in the ascending order of ``n`` rows: rows
    ``lower .. upper-1`` are selected; None when a side has no bound (every row is kept)."""
    if p["lower_percentile"] is None and p["lower_rank"] is None:
        return None
    if p["upper_percentile"] is None and p["upper_rank"] is None:
        return None
    lower, upper = 0, n
    if p["lower_percentile"] is not None:
        lower = int(p["lower_percentile"] * n)
    if p["lower_rank"] is not None:
        lower = max(lower, p["lower_rank"])
    if p["upper_percentile"] is not None:
        upper = int(p["upper_percentile"] * n)
    if p["upper_rank"] is not None:
        upper = min(upper, p["upper_rank"])
    return lower, max(lower, upper)


declare(Op(
    name="range_specified_field_selector", kind="selector", family="select",
    doc="Select the rows whose field values rank between a lower and an upper bound (percentiles of the "
        "row count, or ranks) in ascending order; the selected rows come in descending order.",
    params=(
        FIELD_KEY,
        Param("lower_percentile", "float", None, "Lower bound as a share of the rows, in [0, 1].", nullable=True,
              check=_ratio),
        Param("upper_percentile", "float", None, "Upper bound as a share of the rows, in [0, 1].", nullable=True,
              check=_ratio),
        Param("lower_rank", "int", None, "Lower bound as a rank (the larger of the two lower bounds wins).",
              nullable=True, check=_positive),
        Param("upper_rank", "int", None, "Upper bound as a rank (the smaller of the two upper bounds wins).",
              nullable=True, check=_positive),
    ),
    frame="sparkops.spark.select.ranges:select",
    notes="Bounds as Data-Juicer computes them: lower = max(int(lower_percentile * rows), lower_rank), upper = "
          "min(int(upper_percentile * rows), upper_rank), at least lower; the rows ranked lower .. upper-1 in "
          "ascending value order are selected (upper - lower rows). Without any lower or any upper bound, "
          "every row is selected. Values are numbers as Data-Juicer's `stats_to_number` makes them, for a "
          "top-level field too: null, missing, `[]` and non-numeric values are the smallest. Order, as in "
          "Data-Juicer: the selected rows come in DESCENDING value order, ties in input order (`_order`), and "
          "where ties straddle the lower bound the later rows among them are the ones left out. A record "
          "without the nested field counts as null (Data-Juicer: AssertionError; a field no record has is an "
          "error).",
))
