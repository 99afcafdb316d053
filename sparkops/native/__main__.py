"""``python -m sparkops.native``: compile every kernel now (``make setup``)."""

from sparkops.native import build_all

build_all()
