"""Python column functions for every operator: ``from sparkops import functions as sf``.

``sf.alnum_ratio("text")``, ``sf.char_rep_ratio("text", rep_len=5)``, ``sf.lang_id("text")``,
``sf.clean_email("text", repl="<EMAIL>")``: the same names and arguments as the SQL functions
(see ``docs/OPERATORS.md``).
"""

from __future__ import annotations


def __getattr__(name: str):
    from sparkops.spark.functions import column_function, declared

    if name in declared():
        return column_function(name)
    raise AttributeError(f"sparkops.functions has no function {name!r}; see `sparkops ops`")


def __dir__():
    from sparkops.spark.functions import declared

    return sorted(declared())
