"""What a Delta table's log says without a Spark job (local file systems)."""

from __future__ import annotations

from pathlib import Path


def latest_version(path: str | Path) -> int | None:
    """The newest commit file of a table's ``_delta_log`` (Delta commits a version by creating
    ``NNN.json``): its version, without the Spark job that Delta's history costs. None when the
    folder is not a Delta table on the local file system."""
    log = Path(path) / "_delta_log"
    if not log.is_dir():
        return None
    return max((int(f.name[:-5]) for f in log.iterdir() if f.name.endswith(".json") and f.name[:-5].isdigit()),
               default=None)
