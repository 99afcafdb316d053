"""Operator families: pure kernels and their declarations, one sub-package per family.

No pyspark import anywhere below here. Importing a family declares its operators in the
catalogue (``sparkops.core.catalogue``); ``families()`` imports every sub-package found
here, so a new family is a new folder and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil


def families() -> list[str]:
    """Import every family sub-package (and each module in it); their names, sorted."""
    names = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg:
            continue
        package = importlib.import_module(f"{__name__}.{info.name}")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
        names.append(info.name)
    return names
