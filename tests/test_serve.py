"""The SQL endpoint and the catalog: `sparkops serve` (a Spark Thrift server in its own process) queried
by beeline and by a Python DB-API client (PyHive), concurrent clients and a bad query, a job run while
it serves, password authentication, the defaults (loopback only, any user name without a password);
`sparkops run` registering its tables in a persistent metastore."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pyspark

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
BEELINE = Path(pyspark.__file__).parent / "bin" / "beeline"


def _job(tmp: Path, name: str, out: Path) -> Path:
    spec = tmp / f"{name}.yaml"
    spec.write_text(f"""
name: {name}
input: {{format: jsonl, path: {ROOT / 'data' / 'c4_sample.jsonl'}}}
output: {{path: {out}}}
stages:
  - name: clean
    process:
      - whitespace_normalization_mapper:
  - name: quality
    process:
      - text_length_filter: {{min_len: 200}}
""", encoding="utf-8")
    return spec


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, warehouse: Path, *extra: str):
        self.port = _free_port()
        self.log = tmp / f"serve-{self.port}.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "sparkops.cli", "serve", "--warehouse", str(warehouse),
                                      "--port", str(self.port), "--refresh", "2", *extra],
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp)
        deadline = time.time() + 180
        while "serving jdbc" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"sparkops serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(1)

    def cursor(self, **kwargs):
        from pyhive import hive

        login = {"username": "tester", "password": "s3cret", "auth": "CUSTOM"}
        return hive.connect(host="127.0.0.1", port=self.port, **{**login, **kwargs}).cursor()

    def query(self, sql: str, **kwargs):
        c = self.cursor(**kwargs)
        c.execute(sql)
        return c.fetchall()

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=120)


@pytest.fixture(scope="module")
def warehouse(spark, tmp_path_factory):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    tmp = tmp_path_factory.mktemp("serve")
    wh = tmp / "warehouse"
    run(spark, load(_job(tmp, "mini_refine", wh / "mini_refine")), say=lambda m: None)
    kept = spark.read.format("delta").load(str(wh / "mini_refine" / "quality"))
    return tmp, wh, kept.count(), kept.selectExpr("sum(text_len(text))").first()[0]


@pytest.fixture(scope="module")
def server(warehouse):
    """One server for the module (a JVM start is the slow part), with password authentication:
    the default (none) differs only in admitting anyone."""
    from sparkops.spark.serve import hash_line

    tmp, wh, _, _ = warehouse
    passwords = tmp / "passwords"
    passwords.write_text(hash_line("tester", "s3cret") + "\n", encoding="utf-8")
    s = Server(tmp, wh, "--auth", "password", "--password-file", str(passwords))
    yield s
    assert s.stop() == 0  # SIGTERM: a clean stop


def test_beeline_sees_the_functions_and_the_stage_tables_with_history(server, warehouse):
    _, _, rows, chars = warehouse
    out = subprocess.run([str(BEELINE), "-u", f"jdbc:hive2://127.0.0.1:{server.port}/", "-n", "tester", "-p", "s3cret",
                          "--silent=true", "--outputformat=csv2", "-e",
                          "SELECT count(*), sum(text_len(text)) FROM mini_refine.quality;"
                          "SELECT count(*) FROM mini_refine.quality VERSION AS OF 0;"
                          "DESCRIBE HISTORY mini_refine.quality LIMIT 1;"],
                         capture_output=True, text=True, timeout=180)
    lines = [ln for ln in out.stdout.splitlines() if ln and not ln.startswith(("SLF4J", "WARN"))]
    assert f"{rows},{chars}" in lines, out.stdout + out.stderr
    assert lines.count(str(rows)) == 1  # version 0 holds what the stage committed
    history = [ln for ln in lines if ln.startswith("0,")]
    assert len(history) == 1 and ",WRITE," in history[0] and "mini_refine" in history[0]  # the commit's metadata


def test_concurrent_clients_and_a_bad_query_that_fails_alone(server, warehouse):
    _, _, rows, _ = warehouse
    queries = ["SELECT count(*) FROM mini_refine.quality WHERE alnum_ratio(text) > 0",
               "SELECT no_such_function(text) FROM mini_refine.quality",
               "SELECT _dropped_by, count(*) FROM mini_refine.quality_rejected GROUP BY _dropped_by",
               "SELECT text_len(1)",
               "SELECT count(*) FROM mini_refine.clean"]

    def ask(sql):
        try:
            return server.query(sql)
        except Exception as err:  # the DB-API error the client gets
            return err

    with ThreadPoolExecutor(len(queries)) as pool:
        got = list(pool.map(ask, queries))
    assert got[0] == [(rows,)]
    assert isinstance(got[1], Exception) and "no_such_function" in str(got[1])
    assert got[2] and {r[0] for r in got[2]} == {"text_length_filter"} and sum(r[1] for r in got[2]) == 300 - rows
    assert isinstance(got[3], Exception) and "CAST" in str(got[3])  # sparkops' own message for a non-string
    assert got[4] == [(300,)]
    assert server.query("SELECT text_len('still serving')") == [(13,)]


def test_a_job_run_while_serving_is_registered_on_the_next_refresh(server, warehouse, spark):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    tmp, wh, rows, _ = warehouse
    run(spark, load(_job(tmp, "Later-Job", wh / "later")), say=lambda m: None)
    deadline = time.time() + 60
    while True:
        try:
            assert server.query("SELECT count(*) FROM later_job.quality") == [(rows,)]
            break
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(2)
    assert ("later_job",) in server.query("SHOW DATABASES")


def test_password_authentication_admits_the_file_s_users_only(server):
    assert server.query("SELECT text_len('abc')") == [(3,)]
    for user, password in (("tester", "wrong"), ("mallory", "s3cret")):
        with pytest.raises(Exception, match="Error validating the login"):
            server.query("SELECT 1", username=user, password=password)
    with pytest.raises(Exception):
        server.query("SELECT 1", auth="NONE")  # no credentials at all


def _listeners(proc: subprocess.Popen, port: int) -> set[str]:
    """The addresses the server's process tree listens on at ``port``."""
    import psutil

    root = psutil.Process(proc.pid)
    return {c.laddr.ip for p in [root, *root.children(recursive=True)]
            for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}


LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1", "::1"}


@pytest.fixture(scope="module")
def default_server(warehouse):
    """A server with the default host and authentication (its own metastore: an embedded Derby
    admits one JVM)."""
    tmp, wh, _, _ = warehouse
    s = Server(tmp, wh, "--metastore", str(tmp / "metastore-defaults"))
    yield s
    assert s.stop() == 0


def test_by_default_loopback_only_and_a_user_name_without_password(default_server, server):
    from pyhive import hive

    for s in (default_server, server):  # neither was given --host
        bound = _listeners(s.proc, s.port)
        assert bound and bound <= LOOPBACK, bound  # no 0.0.0.0 / :: listener
    c = hive.connect(host="127.0.0.1", port=default_server.port, username="analyst").cursor()
    c.execute("SELECT current_user(), text_len('abc')")
    assert c.fetchall() == [("analyst", 3)]


def test_run_registers_its_tables_in_a_persistent_metastore(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPARKOPS_METASTORE": str(tmp_path / "metastore")}
    spec = _job(tmp_path, "registered", tmp_path / "out")
    done = subprocess.run([sys.executable, "-m", "sparkops.cli", "run", str(spec)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    # another process, the same metastore: the tables have names, no warehouse scan needed
    out = subprocess.run([sys.executable, "-m", "sparkops.cli", "sql",
                          "SELECT count(*) AS n FROM registered.quality_rejected"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    n = int(out.stdout.split("|")[-2].strip())
    assert 0 < n < 300
