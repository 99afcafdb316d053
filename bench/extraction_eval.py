"""Extraction quality of html_extract_mapper's methods on two public benchmarks (no Spark).

- **trafilatura**: ``../shared/data/html/trafilatura/evaldata.json`` + ``pages/`` (270 pages of
  trafilatura's own benchmark). Each page lists ``with`` snippets the main text must contain and
  ``without`` snippets of boilerplate it must not. Counted as trafilatura's ``tests/comparison.py``
  does: a snippet is present when it is a substring of the extracted text (no normalisation); a
  page with no text counts all its ``with`` as false negatives and its ``without`` as true
  negatives; the counts are summed over pages; precision = tp/(tp+fp), recall = tp/(tp+fn),
  accuracy = (tp+tn)/all, F1 = 2tp/(2tp+fp+fn).
- **aeb**: ``../shared/data/html/aeb/ground-truth.json`` + ``html/`` (181 pages of ScrapingHub's
  article-extraction-benchmark). Counted as its ``evaluate.py`` does: texts are tokenised as
  ``\\w+``; each page gives true/false positives/negatives over 4-token shingles (with counts),
  normalised to sum to 1 so long pages weigh no more; precision is the mean over pages that
  predicted something, recall the mean over pages with a ground truth, F1 = 2PR/(P+R) of those
  means, accuracy the share of pages whose tokens equal the ground truth's exactly.

Runs: our three methods through ``sparkops.ops.web.extract.extract`` with the op's defaults,
trafilatura 2.3.1 alone (``trafilatura.extract(html)``, defaults, as a user calls it), ours with
``favor_recall`` / ``favor_precision``, and trafilatura falling back to resiliparse where it
finds nothing (combined from the two runs' outputs). Pages are decoded once from bytes with
trafilatura's own ``decode_file``, and every run gets the same str.

    PYTHONPATH=. .venv/bin/python bench/extraction_eval.py [--data ../shared/data/html] [--only NAME,...]

Prints a markdown table and writes ``bench/results_extraction.json`` (scores, how many pages
ended in each status, and per-page extraction seconds: median, 99th percentile, max).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.metadata
import json
import os
import platform
import re
import shlex
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", HERE.parent.parent / "shared" / "data")) / "html"

# --------------------------------------------------------------------------- corpora


def load_pages(data: Path) -> dict[str, list[dict]]:
    """Both corpora as lists of {id, html (str), ...gold}, decoded by trafilatura's decode_file."""
    from trafilatura.utils import decode_file

    def read(path: Path) -> str:
        return decode_file(gzip.decompress(path.read_bytes()))

    evaldata = json.loads((data / "trafilatura" / "evaldata.json").read_text(encoding="utf-8"))
    traf = [{"id": url, "html": read(data / "trafilatura" / "pages" / f"{item['file']}.gz"),
             "with": item["with"], "without": item["without"]} for url, item in sorted(evaldata.items())]
    truth = json.loads((data / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    aeb = [{"id": key, "html": read(data / "aeb" / "html" / f"{key}.html.gz"),
            "body": item.get("articleBody", "")} for key, item in sorted(truth.items())]
    return {"trafilatura": traf, "aeb": aeb}


# --------------------------------------------------------------------------- scores


def snippet_counts(text: str | None, page: dict) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn) of one page, as trafilatura's tests/comparison.py counts them."""
    if not text:
        return 0, len(page["with"]), 0, len(page["without"])
    tp = sum(1 for s in page["with"] if s in text)
    fp = sum(1 for s in page["without"] if s in text)
    return tp, len(page["with"]) - tp, fp, len(page["without"]) - fp


def snippet_scores(texts: list[str | None], pages: list[dict]) -> dict[str, float]:
    tp, fn, fp, tn = (sum(c) for c in zip(*(snippet_counts(t, p) for t, p in zip(texts, pages))))
    return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
            "accuracy": (tp + tn) / (tp + tn + fp + fn), "f1": 2 * tp / (2 * tp + fp + fn),
            "tp": tp, "fn": fn, "fp": fp, "tn": tn}


_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter:
    toks = tokens(text)
    # a text shorter than n tokens is one shorter shingle, as in the benchmark
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def shingle_counts(true: str, pred: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-token shingles, normalised to sum to 1."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp, fp, fn):
    return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))


def _recall(tp, fp, fn):
    return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))


def shingle_scores(texts: list[str | None], pages: list[dict]) -> dict[str, float]:
    counts = [shingle_counts(p["body"], t) for t, p in zip(texts, pages)]
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    accuracy = statistics.mean(float(tokens(p["body"]) == tokens(t)) for t, p in zip(texts, pages))
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall),
            "accuracy": accuracy}


SCORERS = {"trafilatura": snippet_scores, "aeb": shingle_scores}

# --------------------------------------------------------------------------- runs


def ours(method: str, **options):
    from sparkops.ops.web.extract import extract

    def run(html: str):
        found = extract(html, method, options)
        return found.text, found.status
    return run


def standalone_trafilatura(html: str):
    import trafilatura

    from sparkops.ops.web.extract import libraries_as_shipped

    with libraries_as_shipped():  # as it ships, whether or not ours ran first in this process
        text = trafilatura.extract(html)
    return text, "ok" if text else "empty"


RUNS = {
    "ours: trafilatura (default)": ours("trafilatura"),
    "trafilatura 2.3.1 standalone": standalone_trafilatura,
    "ours: resiliparse": ours("resiliparse"),
    "ours: readability_inscriptis": ours("readability_inscriptis"),
    "ours: trafilatura favor_recall": ours("trafilatura", favor_recall=True),
    "ours: trafilatura favor_precision": ours("trafilatura", favor_precision=True),
}
FALLBACK = "ours: trafilatura, else resiliparse"
FALLBACK_OF = ("ours: trafilatura (default)", "ours: resiliparse")


def timed(run, pages: list[dict]) -> tuple[list, list[str], list[float]]:
    run(pages[0]["html"])  # imports and caches warmed before the clock runs: per-page times only
    texts, statuses, seconds = [], [], []
    for page in pages:
        start = time.perf_counter()
        text, status = run(page["html"])
        seconds.append(time.perf_counter() - start)
        texts.append(text)
        statuses.append(status)
    return texts, statuses, seconds


def seconds_summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {"median": statistics.median(ordered), "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "max": ordered[-1], "total": sum(ordered)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", default="", help="comma-separated run names (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "results_extraction.json")
    args = parser.parse_args(argv)
    corpora = load_pages(args.data)
    names = [n for n in RUNS if not args.only or n in args.only.split(",")]
    results: dict[str, dict] = {}
    outputs: dict[tuple[str, str], list] = {}
    for name in names:
        results[name] = {}
        every = []
        for corpus, pages in corpora.items():
            texts, statuses, seconds = timed(RUNS[name], pages)
            every += seconds
            outputs[name, corpus] = texts
            results[name][corpus] = {**SCORERS[corpus](texts, pages), "statuses": dict(Counter(statuses)),
                                     "seconds": seconds_summary(seconds)}
            print(f"{name} / {corpus}: f1 {results[name][corpus]['f1']:.3f}", file=sys.stderr, flush=True)
        results[name]["seconds"] = seconds_summary(every)
    if all(n in names for n in FALLBACK_OF):
        first, second = FALLBACK_OF
        results[FALLBACK] = {}
        for corpus, pages in corpora.items():
            texts = [a if a else b for a, b in zip(outputs[first, corpus], outputs[second, corpus])]
            results[FALLBACK][corpus] = SCORERS[corpus](texts, pages)
    same = "ours: trafilatura (default)", "trafilatura 2.3.1 standalone"
    if all(n in names for n in same):
        for corpus in corpora:
            a, b = outputs[same[0], corpus], outputs[same[1], corpus]
            results[same[0]][corpus]["pages_identical_to_standalone"] = sum(x == y for x, y in zip(a, b))
    record = {"pages": {c: len(p) for c, p in corpora.items()}, "results": results,
              "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "command": f"cd {HERE.parent} && " + shlex.join([os.path.relpath(sys.executable, HERE.parent),
                                                             os.path.relpath(__file__, HERE.parent), *(argv or sys.argv[1:])]),
              "machine": f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}",
              "versions": {m: importlib.metadata.version(m) for m in ("trafilatura", "resiliparse", "readability-lxml",
                                                                        "inscriptis")}}
    args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(table(results, record["pages"]))
    return 0


SECTION_TITLE = "Main-text extraction quality: html_extract_mapper vs trafilatura standalone"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded evaluation (bench/results_extraction.json)."""
    ident = record["results"].get("ours: trafilatura (default)", {})
    same = ", ".join(f"{ident[c]['pages_identical_to_standalone']} of {n} ({c})"
                     for c, n in record["pages"].items() if "pages_identical_to_standalone" in ident.get(c, {}))
    return [f"## {SECTION_TITLE}", "",
            f"Run {record.get('date', '(date not recorded)')} on {record.get('machine', '?')}: "
            f"`{record.get('command', 'bench/extraction_eval.py')}` (single process, no Spark; versions "
            + ", ".join(f"{k} {v}" for k, v in (record.get("versions") or {}).items()) + ").", "",
            "trafilatura set: its own benchmark pages (`../shared/data/html/trafilatura`), snippets that must "
            "(`with`) and must not (`without`) appear, counted as trafilatura's comparison script counts them; "
            "AEB: the article-extraction benchmark (`../shared/data/html/aeb`), precision / recall of 4-token "
            "shingles against `articleBody` averaged over pages, accuracy = exact token match, as its evaluate.py. "
            "Times are per page in this one process (the machine may have been shared).", "",
            table(record["results"], record["pages"]), "",
            f"sparkops' default (`html_extract_mapper`, method trafilatura) gives the same text as "
            f"`trafilatura.extract` standalone on {same or 'the pages'}; *trafilatura, else resiliparse* takes "
            "resiliparse's text where trafilatura finds none.", ""]


def table(results: dict, sizes: dict) -> str:
    head = (f"| run | trafilatura set ({sizes['trafilatura']} pages): P | R | F1 | acc "
            f"| AEB ({sizes['aeb']} pages): P | R | F1 | acc | s/page median / p99 / max |")
    lines = [head, "|---" * 10 + "|"]
    for name, by in results.items():
        cells = [name]
        for corpus in ("trafilatura", "aeb"):
            r = by[corpus]
            cells += [f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", f"{r['accuracy']:.3f}"]
        secs = by.get("seconds")
        cells.append(f"{secs['median']:.3f} / {secs['p99']:.2f} / {secs['max']:.2f}" if secs else "(combined)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
