"""A real Spark standalone cluster, started from the pyspark installation on loopback (a master and two
one-core workers): `sparkops run --master spark://...` ships the package and its data files to the
executors, and its tables equal the local run's."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pyspark

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
SPARK_CLASS = Path(pyspark.__file__).parent / "bin" / "spark-class"

SPEC = """
name: cluster_check
input: {{format: jsonl, path: {input}}}
output: {{path: {out}}}
stages:
  - name: clean
    process:
      - whitespace_normalization_mapper:
      - fix_unicode_mapper:
  - name: quality
    process:
      - text_length_filter: {{min_len: 200}}
      - language_id_score_filter: {{lang: en, min_score: 0.8}}   # lid.176.ftz, a shipped data file
      - flagged_words_filter:                                   # the shipped word lists
  - name: dedup
    process:
      - document_minhash_deduplicator:                          # shuffles between the executors
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(log: Path, text: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while text not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.time() > deadline:
            raise AssertionError(f"{text!r} not in {log}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
    port, procs = _port(), []
    try:
        log = tmp / "master.log"
        procs.append(subprocess.Popen([str(SPARK_CLASS), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                       "--port", str(port), "--webui-port", str(_port())],
                                      stdout=log.open("w"), stderr=subprocess.STDOUT, env=env))
        _wait(log, "I have been elected leader", procs[0])
        url = f"spark://127.0.0.1:{port}"
        for i in (1, 2):
            log = tmp / f"worker{i}.log"
            procs.append(subprocess.Popen([str(SPARK_CLASS), "org.apache.spark.deploy.worker.Worker", url,
                                           "--host", "127.0.0.1", "--cores", "1", "--memory", "2g",
                                           "--work-dir", str(tmp / f"work{i}"), "--webui-port", str(_port())],
                                          stdout=log.open("w"), stderr=subprocess.STDOUT, env=env))
            _wait(log, "Successfully registered with master", procs[-1])
        yield url, tmp
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def _cluster_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARKOPS_CONF": "spark.executor.memory=1g,spark.executor.cores=1,spark.cores.max=2"}


def test_executors_import_the_shipped_package_and_data_files(cluster):
    url, tmp = cluster
    probe = tmp / "probe.py"
    probe.write_text(f"""
import sparkops
spark = sparkops.session(master={url!r})
def where(_):
    import sparkops, os
    from sparkops.assets import ASSET_DIR, lid_model_path
    return sparkops.__file__, str(ASSET_DIR), str(lid_model_path()), os.getcwd()
for row in spark.sparkContext.parallelize(range(4), 4).map(where).collect():
    print("WHERE", *row, sep="|")
spark.stop()
""", encoding="utf-8")
    out = subprocess.run([sys.executable, str(probe)], env=_cluster_env(), capture_output=True, text=True, timeout=300)
    rows = [line.split("|")[1:] for line in out.stdout.splitlines() if line.startswith("WHERE|")]
    assert len(rows) == 4, out.stderr[-3000:]
    for module, assets, lid, cwd in rows:
        assert "sparkops.zip" in module  # the shipped code, not the checkout the driver runs
        assert assets.endswith("sparkops_assets") and assets.startswith(cwd) and lid.startswith(cwd)
        assert str(tmp / "work") in cwd  # an executor's folder under a worker


def test_a_job_on_the_cluster_gives_the_local_run_s_tables(cluster, spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    url, _ = cluster
    data = ROOT / "data" / "c4_sample.jsonl"
    local, remote = tmp_path / "local", tmp_path / "remote"
    for out in (local, remote):
        (tmp_path / f"{out.name}.yaml").write_text(SPEC.format(input=data, out=out), encoding="utf-8")
    run(spark, load(tmp_path / "local.yaml"), say=lambda m: None)
    done = subprocess.run([sys.executable, "-m", "sparkops.cli", "run", str(tmp_path / "remote.yaml"), "--master", url],
                          env=_cluster_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for table in ("clean", "quality", "quality_rejected", "dedup", "dedup_rejected"):
        a = spark.read.format("delta").load(str(local / table)).drop("run_id")
        b = spark.read.format("delta").load(str(remote / table)).drop("run_id")
        key = ["_source", "_line"]
        rows_a = [r.asDict(recursive=True) for r in a.orderBy(*key).collect()]
        rows_b = [r.asDict(recursive=True) for r in b.orderBy(*key).collect()]
        assert rows_a == rows_b, table
    assert spark.read.format("delta").load(str(remote / "dedup")).count() > 0
