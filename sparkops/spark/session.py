"""The SparkSession factory: embedded ``local[*]`` with Delta Lake, or whatever cluster you point at.

``sparkops.session()`` gives a session with:

- Delta Lake (delta-spark's jars resolved by Spark's Ivy from Maven Central into a cache folder
  sparkops controls: ``$SPARKOPS_IVY_DIR``, else ``<checkout>/.cache/ivy`` in a source checkout,
  else ``~/.cache/sparkops/ivy``);
- Arrow on (every operator is a pandas/Arrow UDF), the UI and console progress bar off;
- ``PYSPARK_PYTHON`` pinned to the running interpreter, so workers import the same sparkops;
- for a ``local`` master, JVM flags for a JVM that shares a few cores with the Python
  workers, and the class-data archive ``make setup`` builds (``sparkops.spark.jvm``).

Catalog: Spark's in-memory one, unless ``$SPARKOPS_METASTORE`` names a folder for an embedded
Hive metastore (``metastore_conf``) or the conf points at an external one
(``spark.sql.catalogImplementation=hive`` with ``spark.hadoop.hive.metastore.uris``); job stage
tables are then registered as they commit (``sparkops.spark.catalog``).

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


def metastore_conf(folder: str | os.PathLike) -> dict[str, str]:
    """A persistent Hive catalog in ``folder``: an embedded Derby metastore (one process at a time)
    and the warehouse of the tables created without a location."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        # Derby writes derby.log into the working directory unless told where its home is
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder}",
    }


def session(master: str | None = None, conf: Mapping[str, str] | None = None, app_name: str = "sparkops",
            sql_functions: bool = True):
    """Return a SparkSession with Delta Lake and sparkops's SQL functions registered
    (``sql_functions=False``: none yet; ``sparkops.register(spark[, names])`` adds them)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit launched this driver
    master = master or os.environ.get("SPARKOPS_MASTER") or (None if under_submit else "local[*]")
    # SPARKOPS_METASTORE: a folder for a persistent catalog (job stage tables keep their names)
    metastore = metastore_conf(os.environ["SPARKOPS_METASTORE"]) if os.environ.get("SPARKOPS_METASTORE") else {}
    chosen = {**metastore, **_env_conf(), **dict(conf or {})}
    settings = {**default_conf(), **chosen}
    if "spark.driver.memory" not in chosen:
        from sparkops.spark.jvm import local_heap

        settings["spark.driver.memory"] = local_heap(master) or settings["spark.driver.memory"]
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
    from sparkops.spark.shipping import remote, ship

    if remote(master) and os.environ.get("SPARKOPS_SHIP", "1") != "0":
        # a cluster's executors get the package and its data files with the application
        settings = ship(settings)
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
    from sparkops.spark.launch import direct_launch

    with direct_launch():  # the driver JVM without spark-submit's scripts and launcher JVM
        spark = builder.getOrCreate()
    if resolving:
        record_resolution(*resolving)
    spark.sparkContext.setLogLevel(os.environ.get("SPARKOPS_LOG_LEVEL", "WARN"))
    from sparkops.spark import stop, warmup

    stop.fast_shutdown(spark.sparkContext)  # before the first Python task opens its connection

    warmup.start(spark)  # a local master's Python workers start while the caller plans
    if sql_functions:
        from sparkops.spark.functions import register

        register(spark)
    return spark
