"""Great Expectations, imported so that the import cannot end the program: ``load()``.

GX imports ``pyspark.sql.connect``. That package's import calls ``sys.exit(0)`` ("Skipping
doctests") when Spark Connect's grpc is not installed and the ``__main__`` module looks like a
doctest run: no ``__spec__``, no ``__file__``, not interactive. So does every ``python -c``
program and every pytest-xdist worker: such a program ended with status 0, silently, at its
first gate (and sparkops' background import of GX ended its thread).
``load()`` marks the interpreter interactive (``sys.ps1``) for the duration of that one import
when, and only when, ``__main__`` looks like that; GX then meets the ImportError it handles.
"""

from __future__ import annotations

import sys
import threading

_LOCK = threading.Lock()


def _main_looks_like_a_doctest() -> bool:
    main = sys.modules.get("__main__")
    return (main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
            and not hasattr(sys, "ps1"))


def load():
    """The ``great_expectations`` module, imported on first use."""
    with _LOCK:
        marked = "great_expectations" not in sys.modules and _main_looks_like_a_doctest()
        if marked:
            sys.ps1 = ">>> "
        try:
            import great_expectations
        finally:
            if marked:
                del sys.ps1
    return great_expectations
