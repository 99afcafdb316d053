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

from sparkops.spark.conf import record_resolution, resolved_jars, default_conf

# sparkops' JVM flags for the embedded session (sparkops.spark.jvm); a user's
# spark.driver.extraJavaOptions is appended after them, so the user's flags win
JAVA_OPTIONS = "spark.driver.defaultJavaOptions"


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
        jars = resolved_jars(ivy, settings["spark.jars.packages"])
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
        record_resolution(*resolving)
    spark.sparkContext.setLogLevel(os.environ.get("SPARKOPS_LOG_LEVEL", "WARN"))

    from sparkops.spark.functions import register

    register(spark)
    return spark
