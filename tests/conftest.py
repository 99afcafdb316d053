"""Shared test set-up: one SparkSession for the whole run (a JVM start costs ~10 s here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # parity_corpus and other test helpers

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

# ../shared/data beside the checkout, or wherever SPARKOPS_SHARED_DATA points (a CI layout)
SHARED_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA")
                   or Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def spark():
    import sparkops

    session = sparkops.session(master="local[2]", app_name="sparkops-tests",
                               conf={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA
