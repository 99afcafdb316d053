"""The SparkSession factory: embedded ``local[*]`` with Delta Lake, or whatever cluster you point at.

``sparkops.session()`` gives a session with:

- Delta Lake (delta-spark's jars resolved by Spark's Ivy from Maven Central into a cache folder
  sparkops controls: ``$SPARKOPS_IVY_DIR``, else ``<checkout>/.cache/ivy`` in a source checkout,
  else ``~/.cache/sparkops/ivy``);
- Arrow on (every operator is a pandas/Arrow UDF), the UI and console progress bar off;
- ``PYSPARK_PYTHON`` pinned to the running interpreter, so workers import the same sparkops;
- for a ``local`` master, JVM flags for a JVM that shares a few cores with the Python
  workers, and the class-data archive ``make setup`` builds (``sparkops.spark.jvm``).

Master: the ``master`` argument, else ``$SPARKOPS_MASTER``, else the master ``spark-submit`` gave,
else ``local[*]``. Conf: ``conf`` argument entries override ``$SPARKOPS_CONF``
(``"k=v,k2=v2"``), which override the defaults here. Under ``spark-submit`` pass Delta with
``--packages`` (see the README); the session then only adds what is still unset.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

_CHECKOUT = Path(__file__).resolve().parents[2]


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
    if (_CHECKOUT / "pyproject.toml").is_file() and os.access(_CHECKOUT, os.W_OK):
        return _CHECKOUT / ".cache" / "ivy"
    return Path.home() / ".cache" / "sparkops" / "ivy"


_RESOLVED = "sparkops-resolved.txt"
# sparkops' JVM flags for the embedded session (sparkops.spark.jvm); a user's
# spark.driver.extraJavaOptions is appended after them, so the user's flags win
JAVA_OPTIONS = "spark.driver.defaultJavaOptions"


def _resolved_jars(ivy: Path, packages: str) -> list[str] | None:
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


def _record_resolution(ivy: Path, packages: str) -> None:
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


def _env_conf() -> dict[str, str]:
    raw = os.environ.get("SPARKOPS_CONF", "")
    out = {}
    for item in filter(None, (s.strip() for s in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"SPARKOPS_CONF entry {item!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


def session(master: str | None = None, conf: Mapping[str, str] | None = None, app_name: str = "sparkops"):
    """Return a SparkSession with Delta Lake and sparkops's SQL functions registered."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit launched this driver
    master = master or os.environ.get("SPARKOPS_MASTER") or (None if under_submit else "local[*]")
    settings = {**default_conf(), **_env_conf(), **dict(conf or {})}
    if under_submit:
        # the JVM is already up: jar resolution, driver memory and JVM flags were decided by spark-submit
        for key in ("spark.jars.packages", "spark.jars.ivy", "spark.driver.memory", JAVA_OPTIONS):
            settings.pop(key, None)
    resolving = None
    if "spark.jars.packages" in settings and "spark.jars.ivy" in settings:
        ivy = Path(settings["spark.jars.ivy"])
        ivy.mkdir(parents=True, exist_ok=True)
        jars = _resolved_jars(ivy, settings["spark.jars.packages"])
        if jars:
            settings.pop("spark.jars.packages")
            settings["spark.jars"] = ",".join(filter(None, [settings.get("spark.jars"), *jars]))
        else:
            resolving = (ivy, settings["spark.jars.packages"])
    if master and master.startswith("local"):
        # on a cluster the executors' interpreter is the cluster's business, not this path
        settings.setdefault("spark.executorEnv.PYSPARK_PYTHON", os.environ["PYSPARK_PYTHON"])
    if not under_submit and JAVA_OPTIONS not in settings:
        from sparkops.spark.jvm import java_options

        jars = [j for j in settings.get("spark.jars", "").split(",") if j]
        options = java_options(master, jars)
        if options:
            settings[JAVA_OPTIONS] = options

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if resolving:
        _record_resolution(*resolving)
    spark.sparkContext.setLogLevel(os.environ.get("SPARKOPS_LOG_LEVEL", "WARN"))

    from sparkops.spark.functions import register

    register(spark)
    return spark
