"""Hand run behind docs/decisions/trafilatura-xpath.md: each of trafilatura's XPath expressions
that sparkops compiles, timed against its lxml twin on the raw trees of real pages, and the
whole ``trafilatura.extract`` (the web bench's options) with and without them.

    PYTHONPATH=. .venv/bin/python tools/trafilatura_xpath_timing.py [WARC_DIR] [--pages N]

WARC_DIR defaults to the web bench's corpus (bench/work/web/warc, built by `make bench`);
the first N HTML responses (default 500) are used. Prints one line per expression.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def pages(folder: Path, n: int) -> list[str]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                if "html" in (rec.http_headers.get("Content-Type", "") if rec.http_headers else ""):
                    out.append(rec.reader.read().decode("utf-8", "replace"))
                    if len(out) == n:
                        return out
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warc_dir", nargs="?", default="bench/work/web/warc")
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()

    import trafilatura
    from trafilatura import xpaths
    from trafilatura.utils import load_html

    from sparkops.ops.web import trafilatura_xpath as tx

    html = pages(Path(args.warc_dir), args.pages)
    trees = [t for t in (load_html(p) for p in html) if t is not None]
    compiled = tx.compile_all()
    total_lxml = total_ours = 0.0
    for name in tx.LISTS:
        for i, (theirs, ours) in enumerate(zip(getattr(xpaths, name), compiled[name])):
            if not isinstance(ours, tx.CompiledXPath):
                continue
            t = time.perf_counter()
            for tree in trees:
                theirs(tree)
            a = time.perf_counter() - t
            t = time.perf_counter()
            for tree in trees:
                ours(tree)
            b = time.perf_counter() - t
            total_lxml, total_ours = total_lxml + a, total_ours + b
            print(f"{name}[{i}]: lxml {a:.3f} s, compiled {b:.3f} s ({a / b:.1f}x)")
    print(f"all compiled expressions on {len(trees)} trees: lxml {total_lxml:.2f} s, compiled {total_ours:.2f} s "
          f"({total_lxml / total_ours:.1f}x)")

    def extract_all():
        return [trafilatura.extract(p, favor_precision=True, include_comments=False) for p in html]

    extract_all()  # warm
    t = time.perf_counter()
    plain = extract_all()
    a = time.perf_counter() - t
    tx.install()
    t = time.perf_counter()
    fast = extract_all()
    b = time.perf_counter() - t
    print(f"trafilatura.extract on {len(html)} pages: lxml {a:.2f} s, compiled {b:.2f} s ({a / b:.2f}x); "
          f"same texts: {plain == fast}")


if __name__ == "__main__":
    main()
