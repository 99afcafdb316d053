"""Rebuild tests/fixtures/latex_sources.json.gz (real LaTeX sources, verbatim) from git clones.

    python tools/dj_parity/build_latex_sources.py <latex3/latex2e clone> <google-research/arxiv-latex-cleaner clone>

Reads each file at a pinned commit (``git show``): LaTeX's own guides and LaTeX News issues, and
two graphics guides with figures (latex3/latex2e, LPPL 1.3c: unmodified files may be
redistributed), and arxiv-latex-cleaner's test project (Apache-2.0). Each entry records its
repository, commit, path and licence.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "latex_sources.json.gz"
L2E_COMMIT = "7a74a9a09ce3925a786269953e8a02dcea0b7226"
ALC_COMMIT = "bcc1460cc4be72ddac08f22c54b23f23f14b102d"
L2E_FILES = [("cfgguide", "base/doc/cfgguide.tex"), ("modguide", "base/doc/modguide.tex"),
             ("ltnews40", "base/doc/ltnews40.tex"), ("ltnews44", "base/doc/ltnews44.tex"),
             ("rotex", "required/graphics/rotex.tex"), ("grfguide", "required/graphics/grfguide.tex")]
ALC_FILES = ["test_data/tex/main.tex", "test_data/tex/figures/figure_included.tex",
             "test_data/tex/figures/figure_not_included.tex", "test_data/tex/figures/figure_not_included_2.tex"]


def show(repo: str, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"{commit}:{path}"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def main(l2e: str, alc: str) -> int:
    docs = [{"id": f"latex2e:{name}", "repo": "latex3/latex2e", "commit": L2E_COMMIT, "path": p,
             "licence": "LPPL-1.3c", "text": show(l2e, L2E_COMMIT, p)} for name, p in L2E_FILES]
    docs += [{"id": "arxiv_latex_cleaner:" + p.split("test_data/tex/")[1], "repo": "google-research/arxiv-latex-cleaner",
              "commit": ALC_COMMIT, "path": p, "licence": "Apache-2.0", "text": show(alc, ALC_COMMIT, p)}
             for p in ALC_FILES]
    about = ("Real LaTeX sources, verbatim and unmodified (LPPL-1.3c files may be redistributed unmodified; "
             "Apache-2.0 files with their notice: the repository's LICENSE).")
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write(json.dumps({"about": about, "docs": docs}, ensure_ascii=False, indent=0, sort_keys=True).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
