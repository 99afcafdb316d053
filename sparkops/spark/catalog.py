"""Stage tables in a SQL catalog: a job is a database, each stage table (kept rows, ``_rejected``,
``_quarantine``) a Delta table of it at its folder, so ``SELECT ... FROM web_refine.quality``,
``DESCRIBE HISTORY web_refine.quality`` and ``... VERSION AS OF 3`` work from SQL.

Two ways in, both used:

- ``sparkops run`` writes ``_sparkops_job.json`` (the job's name and tables) into the job's output
  folder as each stage commits, and registers the tables at once when its session has a
  persistent catalog (a Hive metastore: ``SPARKOPS_METASTORE`` or an external one,
  ``sparkops.spark.session``);
- a session that reads warehouses (``sparkops serve --warehouse DIR``, ``sparkops sql
  --warehouse DIR``) registers every job it finds there (a ``_sparkops_job.json`` in DIR or a
  folder below it), and ``serve`` looks again every ``--refresh`` seconds, so a job run while
  the server runs shows up without a restart (an embedded Derby metastore admits one process at
  a time: the server's).

Registration is idempotent: a table already registered at the same folder is left alone, one
registered elsewhere (the job's output moved) is re-pointed. Tables are external: dropping one
never deletes data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MANIFEST = "_sparkops_job.json"


def database_name(job: str) -> str:
    """The job's database: its name lower-cased, every character but [a-z0-9_] as '_'."""
    name = re.sub(r"[^a-z0-9_]", "_", job.lower())
    return name if name and not name[0].isdigit() else f"job_{name}"


def persistent(spark) -> bool:
    """Whether the session's catalog outlives it (a Hive metastore, not Spark's in-memory one)."""
    return spark.conf.get("spark.sql.catalogImplementation", "in-memory") == "hive"


def write_manifest(out: Path, job: str, tables: list[str]) -> None:
    """Record the job's tables beside them (merged with what an earlier run recorded)."""
    path = out / MANIFEST
    known = []
    if path.is_file():
        try:
            known = json.loads(path.read_text(encoding="utf-8")).get("tables", [])
        except (ValueError, AttributeError):
            known = []
    merged = list(dict.fromkeys([*known, *tables]))
    out.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"job": job, "database": database_name(job), "tables": merged}, indent=1),
                   encoding="utf-8")
    tmp.replace(path)


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _location(spark, qualified: str) -> str | None:
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {qualified}").collect()
    for r in rows:
        if r[0] == "Location":
            return r[1]
    return None


def _same_place(a: str | None, b: Path) -> bool:
    if not a:
        return False
    return a.removeprefix("file:").rstrip("/") == str(b.resolve()).rstrip("/")


def register_tables(spark, job: str, out: Path, tables: list[str]) -> list[str]:
    """Register the Delta tables ``out/<table>`` as ``<database>.<table>``; returns the names
    registered or re-pointed (a folder without a Delta log is skipped)."""
    db = database_name(job)
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {_quote(db)}")
    done = []
    for table in tables:
        folder = out / table
        if not (folder / "_delta_log").is_dir():
            continue
        qualified = f"{_quote(db)}.{_quote(table)}"
        location = str(folder.resolve()).replace("'", "\\'")
        if spark.catalog.tableExists(f"{db}.{table}"):
            if _same_place(_location(spark, qualified), folder):
                continue
            spark.sql(f"DROP TABLE {qualified}")  # external: the data stays
        spark.sql(f"CREATE TABLE {qualified} USING delta LOCATION '{location}'")
        done.append(f"{db}.{table}")
    return done


def find_jobs(root: Path) -> list[Path]:
    """The job output folders in ``root``: itself, or its sub-folders, holding a manifest."""
    root = Path(root)
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST}"))


def register_warehouse(spark, root: Path) -> list[str]:
    """Register every job found in ``root``; returns the tables registered or re-pointed."""
    done = []
    for out in find_jobs(root):
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        done += register_tables(spark, manifest["job"], out, manifest["tables"])
    return done
