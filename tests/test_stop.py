"""``spark.stop()`` after Python tasks: the accumulator server's connection is shut, so the stop
does not wait out pyspark's one-second poll (sparkops/spark/stop.py), and no update is lost.

Runs in a process of its own: it stops its session, which the suite's shared one must not."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, threading
    from sparkops.spark.session import session

    spark = session(master="local[2]")
    sc = spark.sparkContext
    server = sc._accumulatorServer
    acc = sc.accumulator(0)

    def add(rows):
        for row in rows:
            acc.add(row)
            yield row

    total = sc.parallelize(range(1, 1001), 4).mapPartitions(add).sum()
    before = acc.value
    serving = [t for t in threading.enumerate() if getattr(t, "_target", None) == server.serve_forever]
    spark.stop()
    left = [t.name for t in serving if t.is_alive()]
    print(json.dumps({"total": total, "acc": before, "wrapped": server.shutdown.__name__,
                      "serving": len(serving), "left": left,
                      "shut": server.server_shutdown}))
""")


def test_stop_shuts_the_accumulator_connection_and_keeps_every_update(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["total"] == out["acc"] == 500500  # every task's update arrived before the stop
    assert out["wrapped"] == "fast_shutdown_now" and out["shut"]
    # the server's thread ended with the stop (pyspark's own shutdown waited for it)
    assert out["serving"] == 1 and out["left"] == []
    # the handler's read of the shut stream goes through the quieted error path: no traceback
    assert "Exception occurred during processing of request" not in done.stderr
    assert "Traceback" not in done.stderr
