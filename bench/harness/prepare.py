"""Before the runs: the corpus (built by ../shared/bench/gen_corpus.py when missing), the
Data-Juicer venv, sparkops' assets, the slice of the first N documents."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from bench.harness.common import DEFAULT_CORPUS, DJ_PY, DJ_VENV, LID_MODEL, ROOT, SHARED_BENCH, WORDLISTS, WORK, log
from bench.runners import dedup_peers

DJ_PIP_SPEC = ["py-data-juicer==1.6.1", "aiohttp", "ftfy", "fasttext-predict", "simhash-pybind", "scipy"]

# /work/shared/bench/README.md: the Debian packages gen_corpus.py reads
CORPUS_PACKAGES = (
    "python3.11-doc linux-doc-6.1 debian-reference-en debian-reference-de debian-reference-fr "
    "debian-reference-ja debian-reference-zh-cn debian-handbook developers-reference manpages "
    "manpages-dev manpages-de manpages-fr manpages-ru manpages-es manpages-pl perl-doc git-doc "
    "python-django-doc postgresql-doc-15 gnu-standards jargon-text fortunes nodejs-doc bash-doc "
    "libreoffice-help-en-us man-db groff-base"
).split()


def ensure_corpus(corpus: Path) -> None:
    if corpus.is_file():
        return
    if corpus != DEFAULT_CORPUS:
        sys.exit(f"corpus {corpus} not found")
    gen = SHARED_BENCH / "gen_corpus.py"
    if not gen.is_file():
        sys.exit(f"{gen} not found: the corpus generator lives in ../shared/bench")
    running = subprocess.run(["pgrep", "-f", "gen_corpus.py"], capture_output=True, text=True).stdout.split()
    if running:
        sys.exit(f"gen_corpus.py is already running (pid {', '.join(running)}); wait for it and re-run")
    install_packages(CORPUS_PACKAGES, "gen_corpus.py")
    cmd = [sys.executable, str(gen), "--out", str(corpus.parent)]
    log(f"corpus: building {corpus} (~15 min the first time: groff renders the man pages)")
    log("$ " + shlex.join(cmd))
    subprocess.run(cmd, check=True, cwd=ROOT)
    if not corpus.is_file():
        sys.exit(f"gen_corpus.py did not produce {corpus}")


def install_packages(packages: list[str], reader: str) -> None:
    """apt-get install the Debian packages not installed yet (`reader`: what reads them, for the
    log). The web scenario's list is bench/scenarios/web_corpus.py's SITES: the doc packages
    above that ship HTML, plus LibreOffice's help in four more languages, Apache httpd's manual,
    Qt 5's and SQLite's HTML documentation, Debian's policy, FAQ, New Maintainers' Guide and the
    translated Developer's Reference."""
    missing = [p for p in packages if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log(f"installing {len(missing)} Debian doc package(s) {reader} reads: {' '.join(missing)}")
    cmd = sudo + ["apt-get", "update"]
    log("$ " + shlex.join(cmd))
    subprocess.run(cmd, check=True)
    cmd = sudo + ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    log("$ DEBIAN_FRONTEND=noninteractive " + shlex.join(cmd))
    subprocess.run(cmd, check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_dj_venv() -> None:
    if DJ_PY.is_file():
        return
    # the same throwaway venv `make parity-fixture` builds
    log(f"Data-Juicer venv missing: creating {DJ_VENV}")
    py = shutil.which("python3.11") or sys.executable
    pip = [str(DJ_VENV / "bin" / "pip"), "install", *dedup_peers.pip_constraints("dj"), *DJ_PIP_SPEC]
    for cmd in ([py, "-m", "venv", str(DJ_VENV)], pip):
        log("$ " + shlex.join(cmd))
        subprocess.run(cmd, check=True)


def ensure_assets() -> None:
    for p in (LID_MODEL, WORDLISTS / "stopwords.json", WORDLISTS / "flagged_words.json"):
        if not p.is_file():
            sys.exit(f"missing {p}: run `make setup` (python -m sparkops.assets.fetch)")


def make_slice(corpus: Path, n: int | None) -> tuple[Path, int]:
    """The first n documents (the corpus is shuffled by its generator), or the whole corpus."""
    total = sum(1 for _ in open(corpus, "rb"))
    if n is None or n >= total:
        return corpus, total
    out = WORK / "slices" / f"{corpus.stem}_first{n}.jsonl"
    if not out.is_file() or sum(1 for _ in open(out, "rb")) != n:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with open(corpus, "rb") as src, open(tmp, "wb") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
        os.replace(tmp, out)
    return out, n
