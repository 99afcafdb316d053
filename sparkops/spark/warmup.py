"""Python workers started while the driver is still planning (local masters).

The first Python task of a session waits for Spark to start its Python worker daemon, fork a
worker per core, import pyarrow, pandas and numpy there, and load the JVM's Arrow classes: about
a second on 2 cores (`docs/decisions/session-start.md`), while the driver spends a similar time
reading the spec, listing files and planning before that first task. So the session starts one
tiny Arrow job, a task per core, on a background thread; the workers it starts go back to
Spark's pool of idle workers (``spark.python.worker.reuse``, on by default) and take the first
real tasks. A cluster's executors start their own workers, far from this driver: nothing is done
there. ``spark.sparkops.warmPythonWorkers=false`` turns it off.
"""

from __future__ import annotations

import threading
from typing import Iterator

CONF = "spark.sparkops.warmPythonWorkers"
DESCRIPTION = "sparkops: start the Python workers"


def _warm(batches: Iterator) -> Iterator:
    import numpy  # noqa: F401  what every sparkops kernel imports
    import pandas  # noqa: F401

    yield from batches


def start(spark) -> threading.Thread | None:
    """The warm-up thread (a daemon; None when not a local master or turned off). Joining it is
    never needed: a real job submitted meanwhile simply runs next to it."""
    sc = spark.sparkContext
    if not sc.master.startswith("local") or spark.conf.get(CONF, "true").strip().lower() == "false":
        return None
    cores = sc.defaultParallelism

    def run() -> None:
        try:
            sc.setJobDescription(DESCRIPTION)
            spark.range(0, cores, 1, cores).mapInArrow(_warm, "id long").collect()
        except Exception:  # noqa: BLE001  the session was stopped meanwhile: nothing to warm
            pass

    thread = threading.Thread(target=run, name="sparkops-warm-python-workers", daemon=True)
    thread.start()
    return thread
