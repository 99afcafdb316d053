"""The core every operator family builds on: declaration types, the catalogue, the row
contract, the per-row pass and the user-facing errors. Pure Python: no pyspark import.

- ``declaration``: ``Op``, ``Stat``, ``Sketch``, ``Example``, ``BoundOp`` (one declaration per operator);
- ``params``: ``Param`` (typed, validated parameters);
- ``catalogue``: ``declare``, ``get_op``, ``all_ops``, ``bind``, ``sql_functions``;
- ``row``: the columns every operator output carries (``_keep``, ``_dropped_by``, ...);
- ``pipeline``: the fused per-row pass over one batch;
- ``errors``: ``OpError``.
"""

from sparkops.core.catalogue import REGISTRY, all_ops, bind, declare, get_op, sql_functions
from sparkops.core.declaration import (
    COMMON_FILTER_PARAMS, REWRITTEN_TEXT, BoundOp, Example, Op, Sketch, Stat, in_range,
)
from sparkops.core.errors import OpError
from sparkops.core.params import MAXSIZE, Param, positive

__all__ = [
    "REGISTRY", "all_ops", "bind", "declare", "get_op", "sql_functions", "COMMON_FILTER_PARAMS",
    "REWRITTEN_TEXT", "BoundOp", "Example", "Op", "Sketch", "Stat", "in_range", "OpError", "MAXSIZE", "Param",
    "positive",
]
