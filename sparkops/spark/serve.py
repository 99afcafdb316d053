"""``sparkops serve``: a Spark Thrift server (HiveServer2 protocol: beeline, JDBC/ODBC tools, BI
tools, Python DB-API clients such as PyHive) whose every connection sees the sparkops SQL functions
and the job stage tables.

One Spark session serves every connection (``spark.sql.hive.thriftServer.singleSession``): the
functions are registered in it once, as ``sparkops.session()`` registers them, and the queries of
all clients share its executors. A query that fails returns its error to its client; the server
goes on. The catalog is a Hive metastore (embedded Derby in ``--metastore``, or an external one
through ``spark.hadoop.hive.metastore.uris`` in ``$SPARKOPS_CONF``); every job found under a
``--warehouse`` folder is registered at start and again every ``--refresh`` seconds
(``sparkops.spark.catalog``).

Authentication: ``none`` (HiveServer2's NONE: any user name, no password; the default, with the
server bound to 127.0.0.1), or ``password``: HiveServer2's CUSTOM mode with sparkops' provider
(``sparkops/java/PasswordFileAuthenticator.java``, compiled with ``javac`` on first use), which
accepts the users of a file of ``user:sha256(password)`` lines (``sparkops serve --hash-password``
prints a line). Kerberos and LDAP are HiveServer2's own settings (``hive.server2.authentication``
in ``$SPARKOPS_CONF`` as ``spark.hadoop.*``); docs/sql.md shows them.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import threading
from pathlib import Path

import pyspark

from sparkops.spark import catalog
from sparkops.spark.conf import ivy_dir

AUTH_CLASS = "sparkops.auth.PasswordFileAuthenticator"
PASSWORDS_ENV = "SPARKOPS_SERVE_PASSWORDS"
JAVA_SOURCE = Path(__file__).resolve().parents[1] / "java" / "PasswordFileAuthenticator.java"


class ServeError(RuntimeError):
    pass


def hash_line(user: str, password: str) -> str:
    return f"{user}:{hashlib.sha256(password.encode('utf-8')).hexdigest()}"


def _jars_dir() -> Path:
    return Path(pyspark.__file__).parent / "jars"


def auth_jar() -> Path:
    """The compiled password provider (built once per source version, next to Ivy's cache)."""
    digest = hashlib.sha256(JAVA_SOURCE.read_bytes()).hexdigest()[:12]
    out = ivy_dir().parent / "sparkops-auth" / digest
    jar = out / "sparkops-auth.jar"
    if jar.is_file():
        return jar
    classes = out / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    classpath = os.pathsep.join(str(j) for j in _jars_dir().glob("*.jar")
                                if j.name.startswith(("spark-hive-thriftserver", "hive-")))
    try:
        subprocess.run(["javac", "-d", str(classes), "-cp", classpath, str(JAVA_SOURCE)], check=True,
                       capture_output=True, text=True)
        subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True, capture_output=True, text=True)
    except FileNotFoundError as err:
        raise ServeError(f"--auth password compiles a small Java class and needs a JDK (javac, jar): {err}") from None
    except subprocess.CalledProcessError as err:
        raise ServeError(f"compiling {JAVA_SOURCE.name} failed: {err.stderr.strip()}") from None
    return jar


def server_conf(host: str, port: int, metastore: Path, auth: str, password_file: Path | None) -> dict[str, str]:
    from sparkops.spark.session import metastore_conf

    conf = {
        **metastore_conf(metastore),
        "spark.sql.hive.thriftServer.singleSession": "true",
        "spark.hadoop.hive.server2.thrift.bind.host": host,
        "spark.hadoop.hive.server2.thrift.port": str(port),
        "spark.hadoop.hive.server2.transport.mode": "binary",
        "spark.hadoop.hive.server2.enable.doAs": "false",
    }
    # Delta's jars on the JVM's own class path, not only spark.jars: the server runs queries under
    # its session's class loader, and Spark's closure cleaner then fails to read Delta's classes
    # ("capturingClassReader is null") the first time a query loads a table's state
    from sparkops.spark.conf import delta_package, resolved_jars

    # (Delta's own two jars only: its transitive ones are older than Spark's, e.g. Jackson)
    class_path = [j for j in resolved_jars(ivy_dir(), delta_package()) or []
                  if Path(j).name.startswith(("io.delta_delta-spark", "io.delta_delta-storage"))]
    if auth == "none":
        conf["spark.hadoop.hive.server2.authentication"] = "NONE"
    elif auth == "password":
        if password_file is None or not Path(password_file).is_file():
            raise ServeError(f"--auth password needs --password-file with user:sha256 lines (got {password_file})")
        os.environ[PASSWORDS_ENV] = str(Path(password_file).resolve())  # read by the provider in this JVM
        conf["spark.hadoop.hive.server2.authentication"] = "CUSTOM"
        conf["spark.hadoop.hive.server2.custom.authentication.class"] = AUTH_CLASS
        # the provider factory reads a fresh HiveConf (hive-site.xml and system properties), not
        # Spark's Hadoop conf: the class must be a JVM system property too
        conf["spark.driver.extraJavaOptions"] += f" -Dhive.server2.custom.authentication.class={AUTH_CLASS}"
        class_path.append(str(auth_jar()))
    else:
        raise ServeError(f"unknown --auth {auth!r}: none or password")
    if class_path:
        conf["spark.driver.extraClassPath"] = os.pathsep.join(class_path)
    return conf


def serve(host: str = "127.0.0.1", port: int = 10000, warehouses: list[Path] | None = None,
          metastore: Path | None = None, auth: str = "none", password_file: Path | None = None,
          refresh: float = 10.0, say=print, ready: threading.Event | None = None,
          stop: threading.Event | None = None) -> int:
    """Serve until SIGTERM / Ctrl-C (or ``stop`` is set)."""
    import sparkops

    warehouses = [Path(w).resolve() for w in (warehouses or [])]
    metastore = Path(metastore) if metastore else (warehouses[0] / "_metastore" if warehouses
                                                   else Path("spark-metastore"))
    conf = server_conf(host, port, metastore, auth, password_file)
    spark = sparkops.session(conf=conf, app_name="sparkops-serve")
    for w in warehouses:
        for name in catalog.register_warehouse(spark, w):
            say(f"registered {name}")
    jvm = spark.sparkContext._jvm
    server = jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2.startWithSparkSession(
        spark._jsparkSession, False)
    say(f"serving jdbc:hive2://{host}:{port}/ (auth: {auth}; metastore: {metastore.resolve()}; "
        f"warehouses: {', '.join(map(str, warehouses)) or 'none'}); SIGTERM or Ctrl-C stops it")
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(refresh):
            for w in warehouses:
                try:
                    for name in catalog.register_warehouse(spark, w):
                        say(f"registered {name}")
                except Exception as err:  # a job writing its manifest right now: next round
                    say(f"refresh of {w}: {str(err).splitlines()[0]}")
    finally:
        server.stop()
        spark.stop()
    return 0
