"""sparkops.spark.launch: the driver JVM started with the command Spark's own launcher gives,
kept on disk per settings, with the environment spark-submit's scripts export."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sparkops.spark import launch

ARGS = ["--conf", "spark.master=local[1]", "--conf", "spark.app.name=launch-test", "pyspark-shell"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(launch, "cache_dir", lambda: tmp_path / "launch")
    return tmp_path / "launch"


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_HOME", "SPARK_ENV_LOADED", "SPARK_CONF_DIR")}
    env.update(extra)
    return env


def test_the_launchers_command_is_asked_once_then_read_back(store, monkeypatch):
    command, env = launch.direct_command(ARGS, _env())
    assert command[0].endswith("java") and "org.apache.spark.deploy.SparkSubmit" in command
    assert command[command.index("org.apache.spark.deploy.SparkSubmit") + 1:] == ARGS
    home = launch.spark_home()
    assert env["SPARK_HOME"] == home and env["PYTHONHASHSEED"] == "0" and env["SPARK_ENV_LOADED"] == "1"
    assert env["SPARK_CONF_DIR"] == str(Path(home) / "conf") and env["SPARK_SCALA_VERSION"]
    kept = list(store.glob("*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["command"] == command
    assert oct(kept[0].stat().st_mode & 0o777) == "0o600"

    def no_launcher(*a, **k):
        raise AssertionError("the launcher ran again")
    monkeypatch.setattr(launch, "_launcher_command", no_launcher)
    assert launch.direct_command(ARGS, _env())[0] == command
    # other settings: another key, so the launcher is asked (here: refused, and pyspark's way runs)
    monkeypatch.setattr(launch, "_launcher_command", lambda *a: None)
    assert launch.direct_command(ARGS[:2] + ["pyspark-shell"], _env()) is None
    assert launch.direct_command(ARGS, _env(SPARK_DRIVER_MEMORY="2g")) is None


def test_a_kept_command_whose_java_is_gone_is_asked_again(store):
    command, _ = launch.direct_command(ARGS, _env())
    (kept,) = store.glob("*.json")
    kept.write_text(json.dumps({"args": ARGS, "command": ["/nonexistent/bin/java", *command[1:]]}))
    assert launch.direct_command(ARGS, _env())[0] == command  # the launcher asked again, the file renewed
    assert json.loads(kept.read_text())["command"] == command


def test_a_secret_setting_is_never_written_to_disk(store):
    args = ["--conf", "spark.hadoop.fs.s3a.secret.key=hunter2", "pyspark-shell"]
    command, _ = launch.direct_command(args, _env())
    assert "spark.hadoop.fs.s3a.secret.key=hunter2" in command
    assert not store.exists() or not list(store.glob("*.json"))


def test_a_spark_env_sh_leaves_the_start_to_the_scripts(store, tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(Path(launch.spark_home()) / "conf", conf) if (Path(launch.spark_home()) / "conf").is_dir() \
        else conf.mkdir()
    (conf / "spark-env.sh").write_text("export SPARK_LOCAL_DIRS=/tmp\n")
    assert launch.direct_command(ARGS, _env(SPARK_CONF_DIR=str(conf))) is None
    assert launch.direct_command(ARGS, _env(SPARK_PREPEND_CLASSES="1")) is None


@pytest.mark.spark
def test_the_session_s_jvm_has_the_scripts_environment(spark):
    getenv = spark._jvm.System.getenv
    assert getenv("PYTHONHASHSEED") == "0" and getenv("SPARK_ENV_LOADED") == "1"
    assert getenv("SPARK_HOME") == launch.spark_home()
