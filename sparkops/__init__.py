"""sparkops: Data-Juicer's LLM-data operators as vectorized pandas UDFs and Spark SQL functions.

    import sparkops
    spark = sparkops.session()                 # local[*] + Delta Lake + SQL functions
    spark.sql("SELECT text FROM docs WHERE alnum_ratio(text) >= 0.25")
    kept = sparkops.apply(df, [{"alphanumeric_filter": {"min_ratio": 0.25}}, "clean_email_mapper"])
"""

from __future__ import annotations

from sparkops.core import OpError, all_ops, bind, get_op

__version__ = "0.1.0"
__all__ = ["session", "register", "apply", "fused", "bind", "get_op", "all_ops", "OpError"]


def session(master=None, conf=None, app_name="sparkops", sql_functions=True):
    from sparkops.spark.session import session as _session

    return _session(master=master, conf=conf, app_name=app_name, sql_functions=sql_functions)


def register(spark, names=None):
    from sparkops.spark.functions import register as _register

    return _register(spark, names)


def apply(df, process, text_col="text"):
    from sparkops.spark.fusion import apply as _apply

    return _apply(df, process, text_col)


def fused(df, process, text_col="text", short_circuit=True):
    from sparkops.spark.fusion import fused as _fused

    return _fused(df, process, text_col, short_circuit)
