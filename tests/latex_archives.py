"""LaTeX project archives for the latex_merge_tex_mapper fixture (tests/fixtures/dj_latex_merge.json.gz).

Standard library only: ``build(folder)`` writes the same archives, byte for byte, for
``tools/dj_parity/gen_latex_merge_fixture.py`` (Data-Juicer's venv) and for
``tests/test_catalogue_latex.py`` (ours). Contents: the real sources of ``latex_corpus`` (LaTeX's
guides, arxiv-latex-cleaner's test project) plus non-.tex files, directories, links, an
upper-case ``.TEX``, invalid UTF-8, a name stored twice, and archives that are not what their
name says (a gzip alone, a zip named .tar.gz, gzip bytes named .tar, random bytes, no file).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from latex_corpus import _real

ARCHIVES = ("project.tar.gz", "project.tgz", "project.tar", "project.zip", "PROJECT.ZIP", "gzipped_as.tar",
            "zip_as.tar.gz", "single.tex.gz", "corrupt.zip", "missing.tar.gz", "empty.tar", "empty.zip",
            "sizes.tar.gz", "sizes.zip", "project.7z", "dupes.zip")

CASES: list[dict] = [
    {"id": "default", "params": {}},
    {"id": "separator", "params": {"separator": "\n%% ---- next file ----\n"}},
    {"id": "max_file_size", "params": {"max_file_size": 16000}},
    {"id": "max_total_size", "params": {"max_total_size": 40000}},
    {"id": "no_limits", "params": {"max_file_size": 0, "max_total_size": None}},
]


def _files() -> list[tuple[str, bytes]]:
    docs = dict(_real())
    return [
        ("paper/main.tex", docs["arxiv_latex_cleaner:main.tex"].encode()),
        ("paper/figures/figure_included.tex", docs["arxiv_latex_cleaner:figures/figure_included.tex"].encode()),
        ("paper/README.md", b"# not LaTeX\n"),
        ("paper/sections/cfgguide.tex", docs["latex2e:cfgguide"].encode()),
        ("paper/sections/modguide.tex", docs["latex2e:modguide"].encode()),
        ("paper/UPPER.TEX", b"\\section{Upper}\n"),
        ("paper/latin1.tex", "caf\u00e9 \\section{R\u00e9sum\u00e9}\n".encode("latin-1")),
        ("paper/empty.tex", b""),
        ("paper/notes.tex.bak", b"backup\n"),
    ]


def _tar_bytes(files, mode: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT) as tf:
        d = tarfile.TarInfo("paper/figures")
        d.type, d.mtime, d.mode = tarfile.DIRTYPE, 0, 0o755
        tf.addfile(d)
        d = tarfile.TarInfo("paper/dir.tex")  # a directory whose name ends with .tex
        d.type, d.mtime, d.mode = tarfile.DIRTYPE, 0, 0o755
        tf.addfile(d)
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("paper/link.tex")
        link.type, link.linkname, link.mtime = tarfile.SYMTYPE, "main.tex", 0
        tf.addfile(link)
        hard = tarfile.TarInfo("paper/hard.tex")
        hard.type, hard.linkname, hard.mtime = tarfile.LNKTYPE, "paper/main.tex", 0
        tf.addfile(hard)
    data = buf.getvalue()
    return data


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _zip_bytes(files, dupes: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("paper/", date_time=(1980, 1, 1, 0, 0, 0)), b"")
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        if dupes:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Duplicate name": what a careless packer makes
                zf.writestr(zipfile.ZipInfo(files[0][0], date_time=(1980, 1, 1, 0, 0, 0)), b"second copy\n")
    return buf.getvalue()


def build(folder: Path) -> dict[str, Path]:
    """Write every archive into ``folder``; name -> path (``missing.tar.gz`` is not written)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = _files()
    tar = _tar_bytes(files, "w")
    sizes = [(f"s/{i}.tex", (f"% file {i}\n" + "x" * n).encode())
             for i, n in enumerate((10000, 20000, 5000, 30000, 100))]
    blobs = {
        "project.tar.gz": _gz(tar),
        "project.tgz": _gz(tar),
        "project.tar": tar,
        "project.zip": _zip_bytes(files),
        "PROJECT.ZIP": _zip_bytes(files),
        "gzipped_as.tar": _gz(tar),
        "zip_as.tar.gz": _zip_bytes(files),
        "single.tex.gz": _gz(files[0][1]),
        "corrupt.zip": b"PK\x03\x04" + bytes(range(256)) * 4,
        "empty.tar": _tar_bytes([], "w")[:0] + tarfile.NUL * tarfile.RECORDSIZE,
        "empty.zip": _zip_bytes([]),
        "sizes.tar.gz": _gz(_tar_bytes(sizes, "w")),
        "sizes.zip": _zip_bytes(sizes),
        "project.7z": tar,
        "dupes.zip": _zip_bytes(files, dupes=True),
    }
    paths = {}
    for name in ARCHIVES:
        path = folder / name
        if name in blobs:
            path.write_bytes(blobs[name])
        paths[name] = path
    return paths
