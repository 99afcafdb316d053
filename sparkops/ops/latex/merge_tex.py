"""``latex_merge_tex_mapper``: the ``.tex`` files of a LaTeX project archive, joined into the text.

Data-Juicer 1.6.1's rules: the record field ``compressed_file_key`` holds the archive's path; by
its (lower-cased) name it is read as a zip (``.zip``) or a tar (``.tar``, ``.tar.gz``, ``.tgz``;
any compression tarfile detects); its members whose name ends with ``.tex`` (case-sensitive,
regular files only for a tar) are decoded as UTF-8 (invalid bytes replaced) in archive order and
joined with ``separator``. Archives are read in memory, never extracted to disk.
"""

from __future__ import annotations

import tarfile
import zipfile

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.core.row import REJECT
from sparkops.ops.latex.cleaners import FAMILY


def _tex_members_tar(path: str, max_file: int, max_total: int) -> list[str]:
    out, total = [], 0
    with tarfile.open(path, "r:*") as tf:
        for member in tf:
            if not member.isfile() or not member.name.endswith(".tex"):
                continue
            if max_file and member.size > max_file:
                continue
            if max_total and total + member.size > max_total:
                break  # the declared size would pass the limit: the rest of the archive is skipped
            f = tf.extractfile(member)
            if f is None:
                continue
            data = f.read()
            if max_file and len(data) > max_file:
                continue
            total += len(data)
            if max_total and total > max_total:
                break
            out.append(data.decode("utf-8", errors="replace"))
    return out


def _tex_members_zip(path: str, max_file: int, max_total: int) -> list[str]:
    out, total = [], 0
    with zipfile.ZipFile(path) as zf:
        # by name, as Data-Juicer: a name stored twice is read twice, both times its last entry
        for name in zf.namelist():
            if not name.endswith(".tex"):
                continue
            size = zf.getinfo(name).file_size
            if max_file and size > max_file:
                continue
            if max_total and total + size > max_total:
                break
            data = zf.read(name)
            if max_file and len(data) > max_file:
                continue
            total += len(data)
            if max_total and total > max_total:
                break
            out.append(data.decode("utf-8", errors="replace"))
    return out


def tex_contents(path: str, max_file_size: int = 0, max_total_size: int = 0) -> list[str]:
    """The decoded ``.tex`` members of the archive at ``path``; [] for an unsupported name or an
    archive that cannot be read (missing, corrupt, encrypted: what was read before is lost too)."""
    lower = path.lower()
    try:
        if lower.endswith(".zip"):
            return _tex_members_zip(path, max_file_size, max_total_size)
        if lower.endswith((".tar.gz", ".tgz", ".tar")):
            return _tex_members_tar(path, max_file_size, max_total_size)
    except Exception:  # noqa: BLE001 - Data-Juicer logs any failure and merges nothing
        return []
    return []


def merge_tex(path: str, separator: str = "\n\n", max_file_size: int | None = 0, max_total_size: int | None = 0) -> str:
    return separator.join(tex_contents(path, max_file_size or 0, max_total_size or 0))


NO_PATH = "no_archive_path"


def _apply(texts, p, fields):
    out: dict[str, list] = {"text": [], REJECT: []}
    for text, path in zip(texts, fields["compressed_file_key"]):
        if not isinstance(path, str):  # Data-Juicer raises (and loses the batch): one row rejected here
            out["text"].append(text)
            out[REJECT].append(NO_PATH)
            continue
        out["text"].append(merge_tex(path, p["separator"], p["max_file_size"], p["max_total_size"]))
        out[REJECT].append(None)
    return out


def _prepare(p, where):
    if not p["compressed_file_key"]:
        raise OpError(f"{where}: parameter 'compressed_file_key' must name the record field holding the archive path")
    return p


def _non_negative(v):
    return None if v is None or v >= 0 else "must be >= 0 (0 or null: no limit)"


declare(Op(
    name="latex_merge_tex_mapper", kind="mapper", family=FAMILY,
    doc="Set the text to the `.tex` files of the LaTeX project archive (.tar, .tar.gz, .tgz, .zip) whose "
        "path is in the record field `compressed_file_key`, joined with `separator`.",
    params=(
        Param("compressed_file_key", "str", "compressed_file", "Record field holding the archive's path."),
        Param("separator", "str", "\n\n", "Text put between two files' contents."),
        Param("max_file_size", "int", 50 * 1024 * 1024, "Skip a .tex file larger than this many bytes "
              "(0 or null: no limit).", nullable=True, check=_non_negative),
        Param("max_total_size", "int", 100 * 1024 * 1024, "Stop at the file that would take the bytes read "
              "past this (0 or null: no limit).", nullable=True, check=_non_negative),
    ),
    apply=_apply, prepare=_prepare, reads=("compressed_file_key",), rejects=(NO_PATH,),
    examples=(
        Example("latex_merge_tex('')", None, "in SQL no record field gives the path: the row is rejected "
                "(NULL); use the op in a recipe"),
    ),
    notes="As Data-Juicer 1.6.1: files in archive order (no sorting, no \\input resolution, no deduplication); "
          "a path with another extension (`.gz` alone, `.7z`), a missing, corrupt or encrypted archive gives "
          "\"\" (Data-Juicer logs and merges nothing); `.TEX` members are not taken, `.ZIP`/`.TGZ` archive names "
          "are; a tar's links and directories are skipped; a size limit skips a file over `max_file_size`, and "
          "stops at the first file that would take the total past `max_total_size` (the files after it are "
          "not read). The record needs a string text field for the pass (any value: it is replaced); a record "
          "whose archive field is missing, null or not a string is rejected as "
          "`latex_merge_tex_mapper:no_archive_path` (Data-Juicer raises and loses the batch). "
          "Paths are read on the Spark executors: they must be visible there.",
))
