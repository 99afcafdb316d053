"""The bench tests' fixtures: the shared data folder, found as tests/conftest.py finds it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# ../shared/data beside the checkout, or wherever SPARKOPS_SHARED_DATA points (a CI layout)
SHARED_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA")
                   or Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA
