"""Untimed parity pass: per-document keep decision of each Data-Juicer filter alone against the
same sparkops filter alone, on the same documents (the first N of the benchmark corpus).

    .venv/bin/python bench/runners/parity.py --corpus bench/work/corpus/corpus.jsonl --docs 5000 \
        --result bench/work/out/parity.result.json

The cases are the 11 filters of bench/runners/recipe.py with the recipe's parameters, plus
``EXTRA_CASES`` (a filter whose recipe parameters keep every document, run again with
Data-Juicer's default so that its decision is actually tested). Each filter runs alone on
every document (no short circuit: the recipe order does not matter here).

- Data-Juicer's side is bench/runners/parity_dj.py in its own venv (``--dj-python``): the op classes
  called directly, batch by batch, as the executor calls them.
- sparkops' side runs here without Spark: the registry's bound op (``get_op(name).bind``),
  ``compute`` over ``Doc`` batches and ``keep`` per document: the same kernels the Spark
  UDFs and the fused pass call.

For every case: documents, agreements, documents only Data-Juicer keeps, only sparkops keeps,
the agreement, how many documents' statistics differ (beyond 1e-9, 1e-4 for ``lang_score``,
the tolerances of tests/test_parity_dj.py), Data-Juicer errors, up to ``EXAMPLES`` examples
of the disagreements (id, both decisions and statistics, an excerpt), and a known cause where
one is documented (``KNOWN_CAUSES``).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT)]  # this checkout's sparkops and bench/, as bench/run.py does

from bench.runners import recipe  # noqa: E402

DJ_PY = ROOT / ".peers" / "dj" / "bin" / "python"
WORDLISTS = ROOT / "sparkops" / "assets" / "wordlists"
EXAMPLES = 3
EXCERPT = 160
TOLERANCE = {"lang_score": 1e-4}  # fastText builds differ in the last digits; tests/test_parity_dj.py
DEFAULT_TOLERANCE = 1e-9

# a recipe filter whose parameters keep every document, again with Data-Juicer's default
EXTRA_CASES = [
    {"id": "stopwords_filter (min_ratio 0.3)", "op": "stopwords_filter",
     "params": {"lang": "en", "min_ratio": 0.3, "max_ratio": 1.0},
     "note": "Data-Juicer's default min_ratio; the recipe's 0.0 keeps every document"},
]

# op -> why its decisions may differ on purpose, and where that is documented. Filled only from
# documentation (tools/dj_parity/README.md, docs/OPERATORS.md): a deliberate, documented
# difference; anything else in the table is a finding to look at.
KNOWN_CAUSES: dict[str, str] = {}


def cases() -> list[dict]:
    out = [{"id": name, "op": name, "params": recipe.params(name), "note": ""} for name in recipe.op_names()]
    return out + [dict(c) for c in EXTRA_CASES]


def dj_cases(cs: list[dict], wordlists: Path = WORDLISTS) -> list[dict]:
    """The cases with the parameters only Data-Juicer needs (its offline word-list folders)."""
    out = []
    for c in cs:
        params = dict(c["params"])
        if c["op"] in recipe.DJ_EXTRA:
            params[recipe.DJ_EXTRA[c["op"]]] = str(wordlists)
        out.append({"id": c["id"], "op": c["op"], "params": params})
    return out


def read_docs(corpus: Path, n: int | None) -> tuple[list[str], list[str]]:
    """(ids, texts) of the first n records (a missing or null text is '', as both sides read it)."""
    ids, texts = [], []
    with open(corpus, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if n is not None and i >= n:
                break
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d.get("text") or "")
    return ids, texts


# --------------------------------------------------------------------------- sparkops side


def sparkops_side(cs: list[dict], texts: list[str], batch: int = 2000) -> dict[str, dict]:
    """{case id: {"stats": [per-doc dict], "keep": [bool], "s": seconds}} from the registry's
    kernels, each op alone on fresh documents (no cache shared between ops)."""
    from sparkops.text.doc import Doc
    from sparkops.core import get_op

    out = {}
    for c in cs:
        t0 = time.perf_counter()
        op = get_op(c["op"])
        bound = op.bind(c["params"])
        keys = [s.key for s in op.stats]
        stats, keep = [], []
        for lo in range(0, len(texts), batch):
            got = bound.compute([Doc(t) for t in texts[lo:lo + batch]])
            for i in range(len(got[keys[0]])):
                row = {k: got[k][i] for k in keys}
                stats.append(row)
                keep.append(bool(bound.keep(row)))
        out[c["id"]] = {"stats": stats, "keep": keep, "s": time.perf_counter() - t0}
    return out


# --------------------------------------------------------------------------- Data-Juicer side


def dj_side(cs: list[dict], corpus: Path, n: int, work: Path, dj_python: Path = DJ_PY, log=print) -> dict:
    """Runs bench/runners/parity_dj.py in Data-Juicer's venv; its result JSON."""
    work.mkdir(parents=True, exist_ok=True)
    cases_path, result = work / "parity_dj_cases.json", work / "parity_dj.result.json"
    cases_path.write_text(json.dumps(dj_cases(cs)))
    result.unlink(missing_ok=True)
    cmd = [str(dj_python), str(HERE / "parity_dj.py"), "--corpus", str(corpus), "--docs", str(n),
           "--cases", str(cases_path), "--result", str(result)]
    log(f"parity: Data-Juicer side ({dj_python})")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0 or not result.is_file():
        raise RuntimeError(f"parity_dj.py failed (exit {r.returncode}):\n{(r.stderr or r.stdout)[-3000:]}")
    return json.loads(result.read_text())


# --------------------------------------------------------------------------- comparison


def stats_equal(a: dict | None, b: dict | None, keys: list[str]) -> bool:
    if a is None or b is None:
        return False
    for k in keys:
        x, y = a.get(k), b.get(k)
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            if not math.isclose(x, y, rel_tol=0, abs_tol=TOLERANCE.get(k, DEFAULT_TOLERANCE)):
                return False
        elif x != y:
            return False
    return True


def excerpt(text: str, n: int = EXCERPT) -> str:
    """The start of the text on one line (line breaks shown as ⏎), for a Markdown table cell."""
    t = text[:n].replace("\r", "").replace("\n", " ⏎ ").replace("|", "\\|").replace("`", "'")
    return t + ("…" if len(text) > n else "")


def _round(stats: dict | None) -> dict | None:
    return None if stats is None else {k: round(v, 6) if isinstance(v, float) else v for k, v in stats.items()}


def compare(case: dict, ids: list[str], texts: list[str], ours: dict, theirs: dict) -> dict:
    """One row of the parity table (see the module docstring)."""
    keys = list(ours["stats"][0]) if ours["stats"] else []
    dj_keep, sp_keep = theirs["keep"], ours["keep"]
    errors = {int(i): m for i, m in (theirs.get("errors") or {}).items()}
    agree = dj_only = sp_only = stats_differ = 0
    disagree, stat_diff = [], []
    for i, (d, s) in enumerate(zip(dj_keep, sp_keep)):
        if i in errors:
            continue
        same_stats = stats_equal(theirs["stats"][i], ours["stats"][i], keys)
        stats_differ += not same_stats
        if d == s:
            agree += 1
            if not same_stats:
                stat_diff.append(i)
        else:
            disagree.append(i)
            if d:
                dj_only += 1
            else:
                sp_only += 1

    def example(i: int) -> dict:
        dj_stats = {k: theirs["stats"][i].get(k) for k in keys} if theirs["stats"][i] else None
        return {"id": ids[i], "dj_keep": dj_keep[i], "sparkops_keep": sp_keep[i], "dj_stats": _round(dj_stats),
                "sparkops_stats": _round(ours["stats"][i]), "excerpt": excerpt(texts[i]),
                "same_stats": stats_equal(theirs["stats"][i], ours["stats"][i], keys)}

    # disagreements first, alternating directions so both show; then documents whose decision
    # agrees but whose statistics differ (a difference the thresholds happened to hide)
    by_dir = [[i for i in disagree if dj_keep[i]], [i for i in disagree if not dj_keep[i]]]
    picked = [x for pair in zip(*[d + [None] * EXAMPLES for d in by_dir]) for x in pair if x is not None]
    picked = (picked + stat_diff)[:EXAMPLES]
    compared = len(dj_keep) - len(errors)
    return {
        "id": case["id"], "op": case["op"], "params": case["params"], "note": case.get("note", ""),
        "docs": len(dj_keep), "compared": compared, "agree": agree, "dj_keeps_only": dj_only,
        "sparkops_keeps_only": sp_only, "agreement": agree / compared if compared else None,
        "stats_differ": stats_differ, "dj_errors": len(errors),
        "dj_error_examples": [{"id": ids[i], "error": m} for i, m in list(errors.items())[:EXAMPLES]],
        "dj_kept": sum(1 for k in dj_keep if k), "sparkops_kept": sum(1 for k in sp_keep if k),
        "examples": [example(i) for i in picked],
        "known_cause": KNOWN_CAUSES.get(case["op"], ""),
        "dj_s": theirs.get("s"), "sparkops_s": ours.get("s"),
    }


def run(corpus: Path, n: int | None, work: Path, dj_python: Path = DJ_PY, dj_result: dict | None = None,
        log=print) -> dict:
    """The whole pass; ``dj_result`` (a parity_dj.py result) skips running Data-Juicer."""
    cs = cases()
    ids, texts = read_docs(corpus, n)
    t0 = time.time()
    theirs = dj_result if dj_result is not None else dj_side(cs, corpus, len(ids), work, dj_python, log)
    if theirs["ids"] != ids:
        raise RuntimeError("Data-Juicer's side read other documents than sparkops' side")
    t1 = time.time()
    log(f"parity: sparkops side ({len(ids):,} docs, {len(cs)} cases)")
    ours = sparkops_side(cs, texts)
    rows = [compare(c, ids, texts, ours[c["id"]], theirs["cases"][c["id"]]) for c in cs if c["id"] in theirs["cases"]]
    return {"corpus": str(corpus), "docs": len(ids), "data_juicer": theirs.get("data_juicer"),
            "dj_refused_installs": theirs.get("refused_installs", []), "dj_wall_s": t1 - t0,
            "sparkops_wall_s": time.time() - t1, "cases": rows,
            "tolerance": {"default": DEFAULT_TOLERANCE, **TOLERANCE}}


# --------------------------------------------------------------------------- report


def _pct(v: float | None) -> str:
    if v is None:
        return "–"
    return "100%" if v == 1 else f"{100 * v:.2f}%"


def _stats(s: dict | None) -> str:
    return "error" if s is None else ", ".join(f"{k} {v}" for k, v in s.items())


def lines(parity: dict | None) -> list[str]:
    """The report's parity section."""
    if not parity:
        return []
    if parity.get("error"):
        return ["### Parity with Data-Juicer (per-document keep decisions)", "",
                f"The parity pass failed: {parity['error']}", ""]
    rows = parity["cases"]
    L = ["### Parity with Data-Juicer (per-document keep decisions)", "",
         f"Untimed (`bench/parity.py`): each filter **alone** (no short circuit), on the first "
         f"{parity['docs']:,} documents of the corpus; Data-Juicer {parity.get('data_juicer') or '?'}'s op class "
         "called directly in its venv (`bench/parity_dj.py`: `compute_stats_batched` + `process_batched`, as "
         "its executor calls them per batch), sparkops' registry kernel without Spark (`bind` + `compute` + "
         "`keep`, what the UDFs and the fused pass run). *stats differ*: documents whose statistics differ "
         f"by more than {parity['tolerance']['default']:g} ({', '.join(f'`{k}` {v:g}' for k, v in parity['tolerance'].items() if k != 'default')}), "
         "whatever the decision. *known cause*: a deliberate difference documented in "
         "`tools/dj_parity/README.md` or `docs/OPERATORS.md`.", "",
         "| operator | docs | agree | DJ keeps only | sparkops keeps only | agreement | kept DJ / sparkops | "
         "stats differ | DJ errors | known cause |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        name = f"`{r['op']}`" + (f" ({r['id'][len(r['op']):].strip(' ()')}: {r['note']})" if r["id"] != r["op"] else "")
        L.append(f"| {name} | {r['docs']:,} | {r['agree']:,} | {r['dj_keeps_only']:,} | {r['sparkops_keeps_only']:,} "
                 f"| {_pct(r['agreement'])} | {r['dj_kept']:,} / {r['sparkops_kept']:,} | {r['stats_differ']:,} | "
                 f"{r['dj_errors']:,} | {r['known_cause'] or '–'} |")
    L.append("")
    total = sum(r["compared"] for r in rows)
    agree = sum(r["agree"] for r in rows)
    L.append(f"In all: {agree:,} of {total:,} decisions agree ({_pct(agree / total if total else None)}); "
             f"{sum(1 for r in rows if r['agree'] < r['compared'])} of {len(rows)} cases have a disagreement. "
             f"Data-Juicer's side took {parity['dj_wall_s']:.0f} s (with its import), sparkops' "
             f"{parity['sparkops_wall_s']:.0f} s.")
    L.append("")
    for r in rows:
        if not r["examples"] and not r["dj_error_examples"]:
            continue
        what = "disagreements" if r["agree"] < r["compared"] else "documents whose statistics differ (same decision)"
        L.append(f"`{r['id']}`: up to {EXAMPLES} {what}:")
        L.append("")
        for e in r["examples"]:
            L.append(f"- `{e['id']}`: Data-Juicer {'keeps' if e['dj_keep'] else 'drops'} ({_stats(e['dj_stats'])}), "
                     f"sparkops {'keeps' if e['sparkops_keep'] else 'drops'} ({_stats(e['sparkops_stats'])}); "
                     f"text: `{e['excerpt']}`")
        for e in r["dj_error_examples"]:
            L.append(f"- `{e['id']}`: Data-Juicer raised `{e['error']}`")
        L.append("")
    return L


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--docs", type=int, default=5000, help="the first N documents (default 5000)")
    ap.add_argument("--result", type=Path, required=True)
    ap.add_argument("--dj-python", type=Path, default=DJ_PY)
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: the result's folder)")
    ap.add_argument("--markdown", action="store_true", help="also print the report section")
    args = ap.parse_args()
    res = run(args.corpus, args.docs, args.work or args.result.parent, args.dj_python)
    args.result.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    for r in res["cases"]:
        print(f"{r['id']}: agree {r['agree']}/{r['compared']}, DJ only {r['dj_keeps_only']}, sparkops only "
              f"{r['sparkops_keeps_only']}, stats differ {r['stats_differ']}, DJ errors {r['dj_errors']}", flush=True)
    if args.markdown:
        print("\n".join(lines(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
