"""sparkops.spark.warmup: a local session's first Python tasks run in workers it already started."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# a fresh session in its own process (the suite's session is long past its start): the first
# Python tasks report whether their worker had already run the warm-up (it imported
# sparkops.spark.warmup, which nothing else imports in a worker)
SCRIPT = """
import json, sys, threading
import sparkops

def probe(batches):
    import os, sys
    import pyarrow as pa
    for b in batches:
        yield pa.RecordBatch.from_arrays([pa.array(["sparkops.spark.warmup" in sys.modules] * b.num_rows),
                                          pa.array([os.getpid()] * b.num_rows)], names=["warmed", "pid"])

spark = sparkops.session(master="local[2]", conf={"spark.sparkops.warmPythonWorkers": sys.argv[1]},
                         sql_functions=False)
for t in threading.enumerate():
    if t.name == "sparkops-warm-python-workers":
        t.join(60)
rows = spark.range(0, 2, 1, 2).mapInArrow(probe, "warmed boolean, pid long").collect()
print(json.dumps({"warmed": [r.warmed for r in rows], "pids": [r.pid for r in rows]}))
spark.stop()
"""


@pytest.mark.spark
@pytest.mark.parametrize("setting", ["true", "false"])
def test_the_first_python_tasks_find_warm_workers(setting, tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "SPARKOPS_CONF": ""}
    out = subprocess.run([sys.executable, str(script), setting], env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    if setting == "true":
        assert got["warmed"] == [True, True] and len(set(got["pids"])) == 2  # one warm worker per core
    else:
        assert got["warmed"] == [False, False]
