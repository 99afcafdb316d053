"""The embedded session's configuration: Delta Lake's jar, where Ivy caches it, the defaults.

Shared by the session factory (``sparkops.spark.session``) and the class-data archive builder
(``sparkops.spark.jvm``), which needs the same classpath without starting a session.
"""

from __future__ import annotations

import os
from pathlib import Path


# The pip package delta-spark is 4.4.1, but Maven Central serves 4.4.0 as the newest
# delta-spark_4.2_2.13 jar (4.4.1 is a Python-only release there: 404 on 2026-11-27). The
# Python side is a thin Py4J wrapper, compatible across 4.4.x. Override with
# $SPARKOPS_DELTA_PACKAGE (full Maven coordinates) when a newer jar appears.
DELTA_JAR_VERSION = "4.4.0"


def delta_package() -> str:
    """Maven coordinates of the delta-spark jar for the installed pyspark."""
    configured = os.environ.get("SPARKOPS_DELTA_PACKAGE")
    if configured:
        return configured
    import pyspark

    spark_minor = ".".join(pyspark.__version__.split(".")[:2])
    return f"io.delta:delta-spark_{spark_minor}_2.13:{DELTA_JAR_VERSION}"


def ivy_dir() -> Path:
    configured = os.environ.get("SPARKOPS_IVY_DIR")
    if configured:
        return Path(configured)
    from sparkops.models.disk_cache import cache_root

    return cache_root() / "ivy"


_RESOLVED = "sparkops-resolved.txt"


def resolved_jars(ivy: Path, packages: str) -> list[str] | None:
    """Jars Ivy already retrieved for exactly these packages, if a previous start recorded them.

    Spark re-resolves ``spark.jars.packages`` against the network at every start (seconds,
    and noisy); once resolved, handing the same jars to ``spark.jars`` is equivalent.
    """
    marker = ivy / _RESOLVED
    if not marker.is_file():
        return None
    recorded, *jars = marker.read_text().splitlines()
    if recorded != packages or not jars or not all(Path(j).is_file() for j in jars):
        return None
    return jars


def record_resolution(ivy: Path, packages: str) -> None:
    jars = sorted(str(p) for p in (ivy / "jars").glob("*.jar"))
    if jars:
        (ivy / _RESOLVED).write_text("\n".join([packages, *jars]) + "\n")


def default_conf() -> dict[str, str]:
    return {
        "spark.jars.packages": delta_package(),
        "spark.jars.ivy": str(ivy_dir()),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # documents can be large: cap Arrow batches by rows *and* bytes so one batch of
        # 50 MB documents does not have to fit a Python worker at once
        "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
        "spark.sql.execution.arrow.maxBytesPerBatch": str(64 * 1024 * 1024),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.python.worker.reuse": "true",
        "spark.driver.memory": "4g",
        "spark.databricks.delta.snapshotPartitions": "2",
    }
