"""Test set-up shared by tests/ and bench/tests/: one SparkSession for the whole run (a JVM start
costs seconds), and where the real data is (data/ in the repository; ../shared/data beside it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tests"))  # parity_corpus and other test helpers

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from parity_corpus import PROJECT_ROOT, SHARED_DATA  # noqa: E402  (one definition of where the data is)

# the real web text that ships with the repository (data/README.md): tests that need real
# documents but nothing else read it, so they run on a bare clone
DEMO_C4 = PROJECT_ROOT / "data" / "c4_sample.jsonl"

# The larger real data (Wikipedia, Chinese, SFT, PII, HTML, UDHR; ../shared/data beside the
# checkout, or SPARKOPS_SHARED_DATA) is not in the repository: the tests that read it skip
# with this reason where it is absent. CI sets SPARKOPS_REQUIRE_SHARED_DATA=1, so there a
# missing folder fails the run instead of silently skipping those tests.
NO_SHARED_DATA = (f"needs the real data of ../shared/data, not found at {SHARED_DATA} "
                  "(set SPARKOPS_SHARED_DATA to its folder)")


def shared_data_present() -> bool:
    return (SHARED_DATA / "README.md").is_file()


def pytest_configure(config):
    if os.environ.get("SPARKOPS_REQUIRE_SHARED_DATA") == "1" and not shared_data_present():
        raise pytest.UsageError(f"SPARKOPS_REQUIRE_SHARED_DATA=1 but the real data is missing: {NO_SHARED_DATA}")


def pytest_collection_modifyitems(config, items):
    # `-m real_llm` / `-m "not real_llm"` select the tests that ask the real local model (the
    # suite's slowest)
    for item in items:
        if "llm_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_llm)


# SPARKOPS_SKIPPED_IDS=FILE: the node ids of every skipped test (or wholly skipped module) are
# written there at the end of the run, one per line. CI's bare-clone pass (.ci/run) writes them
# and the pass with the data runs just those (`pytest @FILE`), so no test runs twice.
_skipped_ids: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail") and report.nodeid not in _skipped_ids:
        _skipped_ids.append(report.nodeid)


def pytest_collectreport(report):
    if report.skipped:
        _skipped_ids.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    out = os.environ.get("SPARKOPS_SKIPPED_IDS")
    # under pytest-xdist every report reaches the controller; a worker's list is only its share
    if out and not hasattr(session.config, "workerinput"):
        Path(out).write_text("".join(f"{i}\n" for i in _skipped_ids), encoding="utf-8")


@pytest.fixture(scope="session")
def spark():
    import sparkops

    session = sparkops.session(master="local[2]", app_name="sparkops-tests",
                               conf={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    """The real local LLM server (llama-cpp-python, SmolLM2-135M-Instruct on loopback), started
    once for the whole run; skips where the llm extra is missing."""
    from llm_server import local_server

    yield from local_server(tmp_path_factory)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data; skips the test (with its reason) where that folder is absent."""
    if not shared_data_present():
        pytest.skip(NO_SHARED_DATA)
    return SHARED_DATA


@pytest.fixture(scope="session")
def c4_path() -> Path:
    """The 300 C4 documents shipped in data/ (always present)."""
    return DEMO_C4


@pytest.fixture(scope="session")
def c4(c4_path) -> list[str]:
    """Their texts (a test module may define its own ``c4``)."""
    import json

    return [json.loads(line)["text"] for line in c4_path.read_text(encoding="utf-8").splitlines()]
