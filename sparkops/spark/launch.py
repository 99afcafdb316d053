"""Starting the driver JVM without Spark's shell scripts in between.

pyspark starts the JVM as ``$SPARK_HOME/bin/spark-submit ARGS``: bash sources three scripts
(one of which runs a Python interpreter to find SPARK_HOME when it is not set), then runs a
first JVM, Spark's launcher (``org.apache.spark.launcher.Main``), only to print the java
command line, and finally execs that command. The launcher's answer depends only on its
arguments, the environment and the files of SPARK_HOME and its conf folder, so it is kept on
disk under a key of all of them: a later session with the same settings starts the driver JVM
directly, with the environment the scripts would have exported (docs/decisions/session-start.md).

Where the scripts would do more than that (a ``spark-env.sh`` to source, classes prepended
from a source tree, Windows) or any step fails, pyspark's own path runs unchanged. Settings
that look like secrets make the command not kept on disk (it holds every ``--conf``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from contextlib import contextmanager
from pathlib import Path

# what bin/spark-submit, bin/spark-class and bin/load-spark-env.sh export before exec'ing the JVM
_SCRIPT_ENV = {"PYTHONHASHSEED": "0", "SPARK_ENV_LOADED": "1"}
# environment the launcher reads (its command builders) or that changes the scripts' behaviour
_ENV_PREFIXES = ("SPARK_", "HADOOP_", "YARN_", "JAVA_", "PYSPARK_", "_SPARK_", "HIVE_", "KUBECONFIG")
_SECRET = re.compile(r"secret|password|passwd|token|credential|access\.key|\.key$", re.IGNORECASE)


def spark_home() -> str:
    from pyspark.find_spark_home import _find_spark_home

    # the real path: the JVM's class path is built from it, and the class-data archive
    # (sparkops.spark.jvm) only matches the class path it was built with; through a symlinked
    # venv the JVM would start without it (docs/decisions/session-start.md)
    return os.path.realpath(_find_spark_home())


def _scala_version(home: Path) -> str | None:
    script = home / "bin" / "load-spark-env.sh"
    m = re.search(r"^\s*export SPARK_SCALA_VERSION=(\S+)\s*$", script.read_text(), re.MULTILINE)
    return m.group(1) if m else None


def _script_env(home: Path, env: dict) -> dict | None:
    """The environment the scripts would hand the JVM, or None where they would do more than
    this module repeats."""
    if os.name == "nt" or env.get("SPARK_PREPEND_CLASSES") or not (home / "jars").is_dir():
        return None
    conf_dir = env.get("SPARK_CONF_DIR") or str(home / "conf")
    if env.get("SPARK_ENV_LOADED") is None and (Path(conf_dir) / "spark-env.sh").is_file():
        return None  # a spark-env.sh to source: only bash can
    scala = _scala_version(home)
    if scala is None:
        return None
    out = dict(env)
    out.update(_SCRIPT_ENV, SPARK_HOME=str(home), SPARK_SCALA_VERSION=scala)
    out.setdefault("SPARK_CONF_DIR", conf_dir)
    if env.get("SPARK_TESTING"):
        out.pop("YARN_CONF_DIR", None)
        out.pop("HADOOP_CONF_DIR", None)
    return out


def _key(home: Path, args: list[str], env: dict) -> str:
    conf_dir = Path(env["SPARK_CONF_DIR"])
    files = {}
    for path in [*sorted((home / "jars").glob("*.jar")), *sorted(conf_dir.glob("*"))]:
        try:
            st = path.stat()
        except OSError:
            continue
        files[str(path)] = [st.st_size, st.st_mtime_ns]
    seen_env = {k: v for k, v in sorted(env.items()) if k.startswith(_ENV_PREFIXES) and k != "_PYSPARK_DRIVER_CONN_INFO_PATH"}
    blob = json.dumps([args, seen_env, files, env.get("PATH", "")], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _launcher_command(home: Path, args: list[str], env: dict) -> list[str] | None:
    """Spark's launcher's java command for ``spark-submit ARGS`` (what bin/spark-class execs)."""
    java = str(Path(env["JAVA_HOME"]) / "bin" / "java") if env.get("JAVA_HOME") else "java"
    opts = env.get("SPARK_LAUNCHER_OPTS", "").split()
    done = subprocess.run([java, "-Xmx128m", *opts, "-cp", str(home / "jars" / "*"), "org.apache.spark.launcher.Main",
                           "org.apache.spark.deploy.SparkSubmit", *args],
                          env=env, capture_output=True, timeout=120)
    if done.returncode != 0:
        return None
    # the launcher prints a NUL line, then the command's arguments each followed by NUL
    head, sep, rest = done.stdout.partition(b"\0\n")
    if not sep:
        return None
    command = [part.decode() for part in rest.split(b"\0")[:-1]]
    return command or None


def cache_dir() -> Path:
    from sparkops.spark.conf import ivy_dir

    return ivy_dir().parent / "launch"  # beside the class-data archives (sparkops.spark.jvm)


def direct_command(args: list[str], env: dict) -> tuple[list[str], dict] | None:
    """(java command, environment) that starts the driver as ``spark-submit ARGS`` would, or
    None where pyspark's own path must run."""
    home = Path(env.get("SPARK_HOME") or spark_home())
    script_env = _script_env(home, env)
    if script_env is None:
        return None
    key = _key(home, args, script_env)
    store = cache_dir() / f"{key}.json"
    try:
        command = json.loads(store.read_text())["command"]
        if os.path.isfile(command[0]):  # a JDK moved or removed since: ask the launcher again
            return command, script_env
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    command = _launcher_command(home, args, script_env)
    if command is None:
        return None
    if not any(_SECRET.search(a.split("=", 1)[0]) for a in args):
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            tmp = store.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"args": args, "command": command}))
            os.chmod(tmp, 0o600)
            os.replace(tmp, store)
        except OSError:
            pass  # not kept: the next session asks the launcher again
    return command, script_env


@contextmanager
def direct_launch():
    """While active, pyspark's start of the gateway JVM goes through ``direct_command``."""
    from pyspark import java_gateway

    original = java_gateway.Popen

    def popen(command, **kwargs):
        if isinstance(command, list) and command and command[0].endswith(os.sep + "spark-submit"):
            env = kwargs.get("env") or dict(os.environ)
            try:
                found = direct_command(list(command[1:]), env)
            except Exception:  # anything unexpected: the scripts' way, as pyspark does it
                found = None
            if found is not None:
                try:
                    return original(found[0], **dict(kwargs, env=found[1]))
                except OSError:  # the java binary could not start: the scripts' way
                    pass
        return original(command, **kwargs)

    java_gateway.Popen = popen
    try:
        yield
    finally:
        java_gateway.Popen = original
