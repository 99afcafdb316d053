"""JVM options of the embedded session, and the class-data archive that shortens its start.

In local mode the JVM is Spark's driver and executor at once, and it shares the machine's
cores with Spark's Python workers, which run every sparkops operator. On a few cores two
JVM defaults then cost more than they give:

- **G1's concurrent and parallel GC threads** compete with the task threads and the Python
  workers, and G1 grows the heap towards ``spark.driver.memory`` to keep its pause-time
  goal. The serial collector has no helper threads and sizes the heap to the live data.
- **C2, the optimising JIT compiler**, spends whole seconds of CPU in a run of a minute
  compiling code that Spark only runs for a few seconds (every query plan's generated code
  is new). ``-XX:TieredStopAtLevel=1`` keeps the quick C1 compiler only.
- **The serial collector's young generation** grows with the heap, to hundreds of MB that
  are touched (resident) before every minor collection, while what a Spark task keeps is
  small. ``-Xmn128m`` caps it. A row larger than the young generation (a 50 MB document)
  is allocated in the old one directly.

- **The heap** (``spark.driver.memory``): 4g, the default for every other master, lets the
  heap grow far past what at most four task threads hold at once; it is 2g here, and
  ``-XX:MaxHeapFreeRatio=20`` (with ``MinHeapFreeRatio=10``) lets the serial collector give
  back what a full collection freed. Not 1g: a task holds a few copies of a row at once, and
  two tasks writing a 50 MB document each ran out of it (tests/test_dedup.py).

They apply only to a ``local`` master of at most ``TUNED_CORES`` cores; on a bigger machine,
and on every cluster, the JVM keeps its defaults. The hand runs behind each flag:
docs/decisions/jvm-local-tuning.md.

**Class-data sharing.** Starting Spark loads and verifies thousands of classes. A
dynamic CDS archive (JDK 13+) holds them pre-parsed; the JVM maps it at start instead. It
is built once per JVM and Spark classpath by ``python -m sparkops.spark.jvm`` (``make setup``
runs it): a short real workload runs with ``-XX:ArchiveClassesAtExit`` into a temporary file,
renamed when the JVM has exited, so a session never reads a half-written archive. A session
uses the archive whose key (the JVM and the jars) matches; without one it starts as before.
The JVM checks the archive itself and ignores one that does not match its classpath.

The options go to ``spark.driver.defaultJavaOptions``: a user's
``spark.driver.extraJavaOptions`` comes after them on the command line, so its flags win;
setting ``spark.driver.defaultJavaOptions`` replaces them all.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sparkops.spark.conf import default_conf, ivy_dir, resolved_jars

TUNED_CORES = 4
TUNING = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmn128m", "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=20")
LOCAL_HEAP = "2g"
# a classpath mismatch or a newer JDK makes the JVM warn on stderr at every start, then go on
# without the archive: that is the intended fallback, not news for the user
QUIET = ("-Xlog:cds=off", "-Xlog:cds+dynamic=off")


def local_cores(master: str | None) -> int | None:
    """Worker threads of a ``local`` master (``local``, ``local[4]``, ``local[*]``,
    ``local[4,2]``); None for any other master, ``local-cluster`` included."""
    m = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?", (master or "").strip())
    if not m:
        return None
    if m.group(1) is None:
        return 1
    return (os.cpu_count() or 1) if m.group(1) == "*" else int(m.group(1))


def local_heap(master: str | None) -> str | None:
    """``spark.driver.memory`` for a session on ``master``: ``LOCAL_HEAP`` for a small local
    master (see above), None (the configured default) for any other."""
    cores = local_cores(master)
    return LOCAL_HEAP if cores is not None and cores <= TUNED_CORES else None


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return str(Path(home, "bin", "java").resolve())
    found = shutil.which("java")
    return str(Path(found).resolve()) if found else None


def archive_key(jars: list[str]) -> str | None:
    """A digest of what the archive depends on: the java binary, pyspark's jars, the extra jars
    (paths, sizes and modification times: the JVM refuses an archive whose jars changed)."""
    import pyspark

    java = _java()
    if not java:
        return None
    # real paths: the session starts the JVM from the real SPARK_HOME (launch.spark_home), so a
    # venv reached through a symlink (a worktree's, a container layer's) finds the same archive
    spark_jars = Path(pyspark.__file__).resolve().parent / "jars"
    parts = [java, str(os.stat(java).st_mtime_ns), pyspark.__version__]
    for p in sorted([*spark_jars.glob("*.jar"), *(Path(j).resolve() for j in jars)]):
        try:
            st = p.stat()
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def archive_dir() -> Path:
    return ivy_dir().parent / "cds"


def archive_path(jars: list[str]) -> Path | None:
    key = archive_key(jars)
    return archive_dir() / f"spark-{key}.jsa" if key else None


def java_options(master: str | None, jars: list[str]) -> str | None:
    """The default JVM options for a session on ``master`` with these extra jars (None: none)."""
    cores = local_cores(master)
    if cores is None:
        return None
    options = list(TUNING) if cores <= TUNED_CORES else []
    dump = os.environ.get("SPARKOPS_CDS_DUMP")  # set by build_archive() for its own child only
    if dump:
        options += [f"-XX:ArchiveClassesAtExit={dump}", *QUIET]
    else:
        archive = archive_path(jars)
        if archive is not None and archive.is_file():
            options += [f"-XX:SharedArchiveFile={archive}", *QUIET]
    return " ".join(options) or None


_WORKLOAD = r"""
import json, os, tempfile
import sparkops
from sparkops.spark.fusion import stage_pass
spark = sparkops.session(master="local[2]", app_name="sparkops-cds")
texts = [f"Document {i}: the quick brown fox jumps over the lazy dog, again and again. " * (1 + i % 7)
         for i in range(400)] + ["A copy. " * 20] * 5
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "in.jsonl")
    with open(path, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t}) + "\n")
    df = spark.read.json(path)
    out = stage_pass(df, [{"whitespace_normalization_mapper": {}}, {"alphanumeric_filter": {}},
                          {"document_minhash_deduplicator": {}}, {"document_deduplicator": {}}])
    out.write.format("delta").save(os.path.join(tmp, "t"))
    spark.read.format("delta").load(os.path.join(tmp, "t")).groupBy("_keep").count().collect()
    spark.sql("SELECT alnum_ratio(text) AS r FROM delta.`" + os.path.join(tmp, "t") + "`").collect()
spark.stop()
"""


def build_archive(force: bool = False, say=print) -> Path | None:
    """Build the archive for this JVM and classpath unless it exists; returns its path."""
    packages = default_conf()["spark.jars.packages"]
    jars = resolved_jars(ivy_dir(), packages)
    if jars is None:  # Ivy has not resolved Delta yet: a first session does, then build
        _run_workload(None)
        jars = resolved_jars(ivy_dir(), packages)
        if jars is None:
            say("cds: delta jars not resolved; no archive built")
            return None
    target = archive_path(jars)
    if target is None:
        say("cds: no java binary found; no archive built")
        return None
    if target.is_file() and not force:
        say(f"cds: {target} is up to date")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"  # a name of this build only; the JVM creates the file
    say(f"cds: building {target} (a short Spark run, about a minute)")
    try:
        _run_workload(tmp)
        if not Path(tmp).is_file() or Path(tmp).stat().st_size == 0:
            say("cds: the JVM wrote no archive; sessions start without one")
            return None
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in target.parent.glob("spark-*.jsa"):  # archives of earlier JVMs or jars
        if old != target:
            old.unlink(missing_ok=True)
    say(f"cds: wrote {target} ({target.stat().st_size / 2**20:.0f} MB)")
    return target


def _run_workload(dump: str | None) -> None:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    env.pop("SPARKOPS_CONF", None)
    if dump:
        env["SPARKOPS_CDS_DUMP"] = dump
    # the JVM writes the archive as it exits, after this child's interpreter is gone: run()
    # returns when the child exits, and the JVM is the child's child, so wait for the file
    proc = subprocess.run([sys.executable, "-c", _WORKLOAD], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"cds workload failed:\n{proc.stderr[-2000:]}")
    if dump:
        _wait_for_jvm(dump)


def _wait_for_jvm(dump: str, timeout: float = 120.0) -> None:
    """Until no process runs with this dump path on its command line (the JVM writing it)."""
    import time

    deadline = time.time() + timeout
    flag = f"-XX:ArchiveClassesAtExit={dump}".encode()
    while time.time() < deadline:
        if not any(flag in cmdline for cmdline in _command_lines()):
            return
        time.sleep(0.5)


def _command_lines():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield (entry / "cmdline").read_bytes()
            except OSError:  # the process ended meanwhile
                continue


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sparkops.spark.jvm",
                                 description="Build the JVM class-data archive for the embedded Spark session.")
    ap.add_argument("--force", action="store_true", help="rebuild even if an archive for this JVM and classpath exists")
    args = ap.parse_args(argv)
    try:
        build_archive(force=args.force)
    except RuntimeError as e:  # an archive only saves start time: never fail the set-up for it
        print(f"cds: {e}\ncds: sessions start without an archive", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
