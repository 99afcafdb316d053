"""A real Spark standalone cluster, started from the pyspark installation on loopback (a master and two
one-core workers): `sparkops run --master spark://...` ships the package and its data files to the
executors, and its tables equal the local run's; so does a job submitted as docs/cluster.md tells
YARN and Kubernetes users to (spark-submit with `sparkops ship`'s flags and sparkops/submit.py)."""

from __future__ import annotations

import os
import shlex
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
SPARK_SUBMIT = Path(pyspark.__file__).parent / "bin" / "spark-submit"

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


def _rows(spark, path: Path) -> list[dict]:
    table = spark.read.format("delta").load(str(path)).drop("run_id")
    return [r.asDict(recursive=True) for r in table.orderBy("_source", "_line").collect()]


@pytest.fixture(scope="module")
def local(spark, tmp_path_factory) -> Path:
    """The job run in this process's local session: the tables the cluster runs must equal."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    tmp = tmp_path_factory.mktemp("cluster_local")
    spec = tmp / "local.yaml"
    spec.write_text(SPEC.format(input=ROOT / "data" / "c4_sample.jsonl", out=tmp / "local"), encoding="utf-8")
    run(spark, load(spec), say=lambda m: None)
    return tmp / "local"


def test_a_job_on_the_cluster_gives_the_local_run_s_tables(cluster, spark, local, tmp_path):
    url, _ = cluster
    remote = tmp_path / "remote"
    (tmp_path / "remote.yaml").write_text(SPEC.format(input=ROOT / "data" / "c4_sample.jsonl", out=remote),
                                          encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sparkops.cli", "run", str(tmp_path / "remote.yaml"), "--master", url],
                          env=_cluster_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for table in ("clean", "quality", "quality_rejected", "dedup", "dedup_rejected"):
        assert _rows(spark, local / table) == _rows(spark, remote / table), table
    assert spark.read.format("delta").load(str(remote / "dedup")).count() > 0


def test_spark_submit_with_the_ship_flags_gives_the_local_run_s_table(cluster, spark, local, tmp_path):
    """docs/cluster.md's YARN/Kubernetes recipe against the standalone master (client mode): the
    driver is spark-submit's, the executors get sparkops only from `sparkops ship`'s flags. The job
    stops before the dedup stage (one small job); its quality table is the local run's."""
    from sparkops.spark.conf import delta_package, ivy_dir, resolved_jars

    url, work = cluster
    apps = {p.name for p in work.glob("work*/app-*")}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("SPARKOPS_MASTER", None)
    shipped = subprocess.run([sys.executable, "-m", "sparkops.cli", "ship"], env=env, capture_output=True, text=True,
                             timeout=300, check=True).stdout
    flags = shlex.split(shipped)
    assert "--py-files" in flags and "--archives" in flags
    out = tmp_path / "submitted"
    spec = tmp_path / "submitted.yaml"
    spec.write_text(SPEC.split("  - name: dedup")[0].format(input=ROOT / "data" / "c4_sample.jsonl", out=out),
                    encoding="utf-8")
    # Delta's jars as sparkops' own sessions pass them once Ivy resolved them (no network at submit)
    jars = resolved_jars(ivy_dir(), delta_package())
    delta = ["--jars", ",".join(jars)] if jars else ["--packages", delta_package(), "--conf",
                                                    f"spark.jars.ivy={ivy_dir()}"]
    env.pop("PYTHONPATH")  # the driver: submit.py puts its checkout on sys.path; executors: the zip
    done = subprocess.run([str(SPARK_SUBMIT), "--master", url, "--total-executor-cores", "2",
                           "--executor-memory", "1g", *delta, *flags,
                           "--conf", f"spark.pyspark.python={sys.executable}",
                           str(ROOT / "sparkops" / "submit.py"), "run", str(spec)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert not (out / "dedup").exists()
    # the workers ran it, with the shipped zip in their executors' folders
    new = {p.name for p in work.glob("work*/app-*")} - apps
    assert len(new) == 1 and list(work.glob(f"work*/{new.pop()}/*/sparkops.zip")), new
    assert _rows(spark, local / "quality") == _rows(spark, out / "quality")
