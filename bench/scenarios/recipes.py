"""The recipe scenarios: one plain Data-Juicer recipe YAML, run unchanged by both tools.

- ``rules``: ``bench/recipes/dj_rule_filter.yaml``, the peers' rule-filter recipe (9 ops and
  ``document_minhash_deduplicator``, ../shared/bench/README.md);
- ``ops21``: ``bench/recipes/dj_text_ops21.yaml``, the peers' 21 offline text ops.

In each, ``rules`` / ``ops21`` is the real CLI (``sparkops run RECIPE --fresh --master
local[2]``) and ``dj_rules`` / ``dj_ops21`` Data-Juicer's ``DefaultExecutor``
(bench/runners/dj_job.py). Both read the same per-run copy of the recipe; the two copies differ only
in ``export_path`` (each tool's own output folder). The copy changes ``dataset_path`` (the
corpus or slice), ``np`` (``--np``; sparkops ignores it with a notice) and makes the
word-list folders absolute.

Two scenarios, not one, so that each recipe can be re-run on its own (``--scenarios rules``)
without discarding the other's results (results.json keeps one entry per scenario);
``--scenarios recipes`` selects both.

bench/run.py times the runs; this module holds the scenario's inputs and everything read
after the runs (untimed): kept counts, per-op rows left, and the kept-id agreement with the
cause of every difference that has a known one (sparkops' rejected table says which op
removed a document and, for a deduplicator, which kept document it copies; for a document
only sparkops kept, the check looks for what Data-Juicer's deduplicators would have matched).

The sparkops venv (stdlib, pyyaml, pyarrow, numpy, sparkops' own kernels); run.py imports it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from bench.harness import proctree
from bench.harness.report import (RESULTS_LEGEND, all_runs_table, cpu_role_table, failure_lines, machine_lines,
                                  ratio_lines, results_table, run_lines)
from bench.scenarios import job as job_scenario
from bench.scenarios.job import job_per_op_table

ROOT = Path(__file__).resolve().parents[2]
RECIPE_DIR = ROOT / "bench" / "recipes"
SPARKOPS_CLI = ROOT / ".venv" / "bin" / "sparkops"

RECIPES = {"rules": RECIPE_DIR / "dj_rule_filter.yaml", "ops21": RECIPE_DIR / "dj_text_ops21.yaml"}
SCENARIOS = {"rules": ["rules", "dj_rules"], "ops21": ["ops21", "dj_ops21"]}
ALIASES = {"recipes": ["rules", "ops21"]}  # --scenarios recipes = both
CLI_TOOLS = ("rules", "ops21")
DJ_TOOLS = ("dj_rules", "dj_ops21")
PAIRS = (("rules", "dj_rules"), ("ops21", "dj_ops21"))
TOOLS = {
    "rules": "sparkops run bench/recipes/dj_rule_filter.yaml, local[2]",
    "dj_rules": "Data-Juicer 1.6.1 DefaultExecutor, the same recipe, np=2",
    "ops21": "sparkops run bench/recipes/dj_text_ops21.yaml, local[2]",
    "dj_ops21": "Data-Juicer 1.6.1 DefaultExecutor, the same recipe, np=2",
}
SECTION_TITLES = {
    "rules": "Data-Juicer recipe: the peers' rule filter (10 ops), sparkops run vs Data-Juicer",
    "ops21": "Data-Juicer recipe: 21 offline text ops, sparkops run vs Data-Juicer",
}
EXPORT = "kept.jsonl"  # in bench/work/out/<tool>/; sparkops' Delta tables go to kept_tables/
STAGE = "process"  # the one stage sparkops makes of a Data-Juicer recipe
WORDLIST_PARAMS = {"stopwords_filter": "stopwords_dir", "flagged_words_filter": "flagged_words_dir"}
EXAMPLES = 5


def scenario_of(tool: str) -> str:
    return next(name for name, tools in SCENARIOS.items() if tool in tools)


def expand(scenarios: list[str]) -> list[str]:
    """--scenarios with the alias `recipes` replaced by its scenarios."""
    out = []
    for s in scenarios:
        out += [x for x in ALIASES.get(s, [s]) if x not in out]
    return out


# --------------------------------------------------------------------------- inputs


def entries(cfg: dict) -> list[tuple[str, dict]]:
    """(op, params) of each process entry (`- op:` has params None)."""
    out = []
    for e in cfg["process"]:
        if isinstance(e, str):
            out.append((e, {}))
        else:
            (op, params), = e.items()
            out.append((op, params or {}))
    return out


def op_names(name: str) -> list[str]:
    return [op for op, _ in entries(yaml.safe_load(RECIPES[name].read_text(encoding="utf-8")))]


def write_recipe(tool: str, corpus: Path, out_dir: Path, np: int, wordlists: Path, cfg_dir: Path) -> Path:
    """The recipe of the tool's scenario with dataset_path, export_path (out_dir/kept.jsonl),
    np and the word-list folders switched; ops and parameters unchanged. Written as
    cfg_dir/<tool>_recipe.yaml."""
    name = scenario_of(tool)
    cfg = yaml.safe_load(RECIPES[name].read_text(encoding="utf-8"))
    cfg.update(dataset_path=str(corpus), export_path=str(out_dir / EXPORT), np=np)
    process = []
    for op, params in entries(cfg):
        if op in WORDLIST_PARAMS:
            params = {**params, WORDLIST_PARAMS[op]: str(wordlists)}
        process.append({op: params or None})
    cfg["process"] = process
    cfg_dir.mkdir(parents=True, exist_ok=True)
    path = cfg_dir / f"{tool}_recipe.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return path


def cli_command(recipe: Path, master: str) -> list[str]:
    """As job_scenario.job_command: --json, the document on stdout (the run's result file)."""
    return [str(SPARKOPS_CLI), "run", str(recipe), "--fresh", "--master", master, "--json"]


def recipe_diff(a: Path, b: Path) -> list[str]:
    """Top-level keys whose values differ between the two per-run copies."""
    x, y = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (a, b))
    return sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k))


# --------------------------------------------------------------------------- one run of the CLI


def _error_lines(log_path: Path) -> str:
    """When the CLI printed no JSON document: its `error: ...` lines (stderr shares the log with
    Spark's progress bar), else the log's last lines."""
    lines = log_path.read_text(errors="replace").splitlines()
    errs = [i for i, line in enumerate(lines) if "error:" in line and not line.lstrip().startswith("at ")]
    if errs:
        first = lines[errs[0]]
        return "\n".join([first[first.index("error:"):], *lines[errs[0] + 1:errs[0] + 8]])
    return "\n".join(lines[-25:])


def cli_row(row: dict, returncode: int, log_path: Path, out_dir: Path, log, result_path: Path) -> dict:
    """Complete the row of a timed `sparkops run` on a recipe: its JSON document (in
    `result_path`), the kept rows (lines of its JSONL export, checked against the Delta table it
    committed). A run that exits non-zero is recorded as failed with its error (a failure is
    the tool's answer on this recipe, not a harness error) and is not repeated."""
    inner = job_scenario.read_run_json(result_path)
    if returncode != 0 or "run_s" not in inner:
        error = inner.get("error")
        msg = (inner.get("gate_failure") or f"error: {error['message']}") if error else _error_lines(log_path)
        row.update(kept=None, inner=inner, failed=msg)
        log(f"rep {row['rep']} {row['tool']}: FAILED (exit {returncode}) after {row['wall_s']:.1f} s: "
            f"{msg.splitlines()[0] if msg else ''}")
        return row
    export = out_dir / EXPORT
    with open(export, "rb") as f:
        kept = sum(1 for _ in f)
    table_rows = job_scenario.delta_kept(out_dir / "kept_tables" / STAGE)
    if table_rows != kept:
        raise RuntimeError(f"{row['tool']}: export has {kept} lines, its `{STAGE}` table {table_rows} rows")
    inner.update(kept=kept, process_s=inner["run_s"])  # processing = the run time `sparkops run` prints
    row.update(kept=kept, inner=inner)
    log(f"rep {row['rep']} {row['tool']}: wall {row['wall_s']:.1f} s, {row['docs_per_s']:.0f} docs/s, "
        f"CPU {row['cpu_s']:.1f} s, peak RSS {row['peak_rss_bytes'] / 2**30:.2f} GiB, kept {kept}, "
        f"other load {row['other_load_cpu_s']:.1f} CPU-s")
    return row


# --------------------------------------------------------------------------- outputs


def read_table(table: Path, columns: list[str]) -> list[dict]:
    """Rows of a Delta table's latest version (pyarrow, no Spark); columns it lacks are None."""
    import pyarrow.parquet as pq

    files, _ = job_scenario.delta_snapshot(table)
    rows = []
    for f in files:
        pf = pq.ParquetFile(f)
        have = [c for c in columns if c in pf.schema_arrow.names]
        t = pf.read(columns=have).to_pylist()
        rows += [{c: r.get(c) for c in columns} for r in t]
    return rows


def _loc(source: str, line: int) -> str:
    return f"{source}:{line}"


def rejected_by_id(tables: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """sparkops' rejected rows by input id (op, text, the kept copy's id for a duplicate,
    its Jaccard/Hamming), and `source:line` -> id of every row the stage saw (what
    `_duplicate_of` names)."""
    cols = ["_record", "_source", "_line", "text", "_dropped_by", "_duplicate_of", "_dup_jaccard", "_dup_hamming"]
    rej = read_table(tables / f"{STAGE}_rejected", cols)
    kept = read_table(tables / STAGE, ["_record", "_source", "_line"])
    where = {_loc(r["_source"], r["_line"]): json.loads(r["_record"])["id"] for r in rej + kept}
    out = {}
    for r in rej:
        i = json.loads(r["_record"])["id"]
        out[i] = {"op": r["_dropped_by"], "text": r["text"],
                  "dup_of": where.get(r["_duplicate_of"]) if r["_duplicate_of"] else None,
                  "dup_of_loc": r["_duplicate_of"], "jaccard": r["_dup_jaccard"], "hamming": r["_dup_hamming"]}
    return out, where


# --------------------------------------------------------------------------- same answer?


def dj_exact_key(text: str, lowercase: bool) -> str:
    """Data-Juicer 1.6.1 document_deduplicator.compute_hash (ignore_non_character off): md5
    of the (lower-cased) text, stripped; whitespace inside the text counts."""
    return hashlib.md5((text.lower() if lowercase else text).strip().encode("utf-8")).hexdigest()


def dj_space_tokens(text: str) -> int:
    """Tokens of Data-Juicer's 'space' tokenization (split on ' ' only, empty tokens dropped):
    a document with fewer than window_size of them has no shingle in Data-Juicer's MinHash/
    SimHash, so all such documents get the same signature."""
    return sum(1 for t in text.split(" ") if t)


def dedup_params(name: str) -> dict[str, dict]:
    """op -> its parameters with Data-Juicer's defaults filled in, for the deduplicators of
    the recipe (what the explanations below need)."""
    defaults = {"document_deduplicator": {"lowercase": False},
                "document_minhash_deduplicator": {"window_size": 5, "jaccard_threshold": 0.7, "lowercase": True},
                "document_simhash_deduplicator": {"window_size": 6, "hamming_distance": 4, "lowercase": True}}
    out = {}
    for op, params in entries(yaml.safe_load(RECIPES[name].read_text(encoding="utf-8"))):
        if op in defaults:
            out[op] = {**defaults[op], **params}
    return out


def best_matches(queries: list[str], pool: list[str]) -> list[tuple[float, int]]:
    """For each query text: the highest exact Jaccard of its shingle set (Data-Juicer's default
    MinHash shingles: 'space', window 5, lower-cased; sparkops' kernels) to a pool text, and
    that text's index (-1: none with J >= 0.3 among the LSH candidates). The candidates come
    from dedup_quality.py's low-threshold LSH."""
    import numpy as np

    from bench.runners import dedup_quality as dq

    class Texts(dq.Corpus):
        def __init__(self, texts: list[str]):  # noqa: D401 - a Corpus over texts, not a file
            self.ids, self.sets = [str(i) for i in range(len(texts))], []
            sigs, keys, has = [], [], []
            for s in range(0, len(texts), dq.BATCH):
                self._sketch(texts[s:s + dq.BATCH], sigs, keys, has)
            self.sig, self.keys, self.has = np.concatenate(sigs), np.concatenate(keys), np.concatenate(has)

    if not queries or not pool:
        return [(0.0, -1)] * len(queries)
    c = Texts(pool + queries)
    kept = np.zeros(len(c.ids), dtype=np.bool_)
    kept[:len(pool)] = True
    best, match, _ = dq.best_kept_match(c, kept)  # in order of the non-kept, i.e. the queries
    return [(float(b), int(m)) for b, m in zip(best, match)]


def explain_only_sparkops_removed(ids: list[str], rejected: dict[str, dict], dj: dict[str, str],
                                  params: dict[str, dict]) -> dict[str, list[str]]:
    """Cause -> ids, for documents Data-Juicer kept and sparkops removed (sparkops' rejected
    table says which op removed each, and for a duplicate which document it copies)."""
    causes: dict[str, list[str]] = {}
    for i in ids:
        r = rejected.get(i)
        if r is None:
            cause = "not in sparkops' rejected table (not read?)"
        elif r["op"] == "document_deduplicator":
            lower = params["document_deduplicator"]["lowercase"]
            copy = dj.get(r["dup_of"]) if r["dup_of"] else None
            if copy is not None and dj_exact_key(copy, lower) != dj_exact_key(dj[i], lower):
                cause = ("document_deduplicator: the same text as a document both kept up to runs of "
                         "whitespace, which sparkops collapses before hashing and Data-Juicer does not")
            elif r["dup_of"] and r["dup_of"] not in dj:
                cause = "document_deduplicator: its copy (which sparkops kept) was removed by Data-Juicer"
            else:
                cause = "document_deduplicator: other"
        elif r["op"] in ("document_minhash_deduplicator", "document_simhash_deduplicator"):
            kept_copy = ("a document sparkops kept (not found by its `_duplicate_of`)" if r["dup_of"] is None else
                         "a document both kept" if r["dup_of"] in dj else "a document only sparkops kept")
            cause = f"{r['op']}: near-duplicate of {kept_copy}"
        elif r["op"] and r["op"].startswith("error:"):
            cause = f"sparkops op error: {r['op'].split(':')[1]}"
        else:
            cause = f"{r['op']}: the filter disagrees with Data-Juicer's (not a dedup difference)"
        causes.setdefault(cause, []).append(i)
    return causes


def explain_only_dj_removed(ids: list[str], sp: dict[str, str], dj: dict[str, str],
                            params: dict[str, dict]) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """Cause -> ids, for documents sparkops kept and Data-Juicer removed. Data-Juicer records
    no reason, so each is checked against what its deduplicators would match among the
    documents it kept: the same exact-dedup key, too few space-separated tokens for a shingle
    (all such documents share one MinHash/SimHash signature), or a kept document with a high
    Jaccard similarity (its MinHash or SimHash). The rest are unexplained: a filter or mapper
    difference, or a SimHash match at a lower Jaccard."""
    causes: dict[str, list[str]] = {}
    detail: dict[str, dict] = {}
    exact = params.get("document_deduplicator")
    by_key = {dj_exact_key(t, exact["lowercase"]): i for i, t in dj.items()} if exact else {}
    near = [op for op in ("document_minhash_deduplicator", "document_simhash_deduplicator") if op in params]
    rest = []
    for i in ids:
        if exact and dj_exact_key(sp[i], exact["lowercase"]) in by_key:
            causes.setdefault("document_deduplicator (Data-Juicer): the same text as a document "
                              "Data-Juicer kept", []).append(i)
            detail[i] = {"copy_of": by_key[dj_exact_key(sp[i], exact["lowercase"])]}
            continue
        short = [op for op in near if dj_space_tokens(sp[i]) < params[op]["window_size"]]
        if short:
            causes.setdefault(f"{short[0]} (Data-Juicer): fewer than {params[short[0]]['window_size']} "
                              "space-separated tokens, no shingle: one signature shared by all such "
                              "documents", []).append(i)
            detail[i] = {"space_tokens": dj_space_tokens(sp[i])}
            continue
        rest.append(i)
    if rest and near:
        pool_ids = list(dj)
        for i, (j, m) in zip(rest, best_matches([sp[i] for i in rest], [dj[k] for k in pool_ids])):
            detail[i] = {"best_kept_j": round(j, 3), "best_kept_id": pool_ids[m] if m >= 0 else None}
            if j >= 0.7:
                cause = ("near-dedup (Data-Juicer): J >= 0.7 to a document Data-Juicer kept; "
                         "sparkops' MinHash/SimHash kept both")
            elif j >= 0.5:
                cause = ("near-dedup (Data-Juicer), likely: J 0.5-0.7 to a document Data-Juicer kept "
                         "(below the MinHash threshold; a SimHash match or a MinHash false positive)")
            else:
                cause = "not explained: no document Data-Juicer kept has J >= 0.5 (a filter or mapper difference?)"
            causes.setdefault(cause, []).append(i)
    else:
        for i in rest:
            causes.setdefault("not explained (a filter or mapper difference?)", []).append(i)
    return causes, detail


def compare(name: str, out_root: Path) -> dict:
    """Kept ids of the last runs of the scenario's two tools, the texts of the ids both kept,
    and the cause of every difference that has a known one."""
    cli, dj_tool = SCENARIOS[name]
    sp = job_scenario.dj_kept_records(out_root / cli / EXPORT)
    dj = job_scenario.dj_kept_records(out_root / dj_tool / EXPORT)
    rejected, _ = rejected_by_id(out_root / cli / "kept_tables")
    params = dedup_params(name)
    only_sp = [i for i in sp if i not in dj]
    only_dj = [i for i in dj if i not in sp]
    common = [i for i in sp if i in dj]
    text_differs = [i for i in common if sp[i] != dj[i]]
    sp_causes = explain_only_sparkops_removed(only_dj, rejected, dj, params)
    dj_causes, dj_detail = explain_only_dj_removed(only_sp, sp, dj, params)
    return {
        "sparkops_kept": len(sp), "dj_kept": len(dj), "both": len(common),
        "n_only_sparkops": len(only_sp), "n_only_dj": len(only_dj),
        "agreement": len(common) / len(set(sp) | set(dj)) if sp or dj else 1.0,
        "sparkops_removed_by_op": _count_ops(rejected),
        "only_dj_causes": {k: {"n": len(v), "examples": v[:EXAMPLES]} for k, v in sp_causes.items()},
        "only_dj_examples": {i: {k: v for k, v in rejected[i].items() if k != "text"}
                             for ids in sp_causes.values() for i in ids[:EXAMPLES] if i in rejected},
        "only_sparkops_causes": {k: {"n": len(v), "examples": v[:EXAMPLES]} for k, v in dj_causes.items()},
        "only_sparkops_examples": {i: dj_detail[i] for ids in dj_causes.values() for i in ids[:EXAMPLES]
                                   if i in dj_detail},
        "n_text_differs": len(text_differs), "text_differs": text_differs[:20],
        "text_differs_examples": [_text_diff(i, sp[i], dj[i]) for i in text_differs[:3]],
    }


def _count_ops(rejected: dict[str, dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rejected.values():
        out[r["op"]] = out.get(r["op"], 0) + 1
    return out


def _text_diff(i: str, a: str, b: str) -> dict:
    """Where two texts first differ, with a little context."""
    k = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lo = max(0, k - 30)
    return {"id": i, "offset": k, "sparkops": a[lo:k + 30], "dj": b[lo:k + 30], "len": [len(a), len(b)]}


def _examples(ids: list[str], detail: dict[str, dict]) -> str:
    """`id` with what is known of it: the copy it duplicates and their similarity."""
    out = []
    for i in ids:
        d = detail.get(i) or {}
        other = d.get("dup_of") or d.get("copy_of") or d.get("best_kept_id")
        sim = (f"sparkops' J {d['jaccard']:.2f}" if d.get("jaccard") is not None else
               f"{d['hamming']} bits apart" if d.get("hamming") is not None else
               f"J {d['best_kept_j']:.2f}" if d.get("best_kept_j") is not None else
               f"{d['space_tokens']} space-separated tokens" if "space_tokens" in d else "")
        out.append(f"`{i}`" + (f" ~ `{other}`" if other else "") + (f" ({sim})" if sim else ""))
    # sparkops' J: the value of `_dup_jaccard` (the signatures' estimate unless `verify`); J: exact,
    # Data-Juicer's MinHash shingles
    return ", ".join(out)


def compare_lines(c: dict, name: str) -> list[str]:
    """The Markdown bullets of the same-answer check."""
    cli, dj_tool = SCENARIOS[name]
    n_union = c["both"] + c["n_only_sparkops"] + c["n_only_dj"]
    head = (f"`{dj_tool}` kept {c['dj_kept']:,} docs, `{cli}` {c['sparkops_kept']:,}: {c['both']:,} kept by both, "
            f"{c['n_only_sparkops']:,} only by sparkops, {c['n_only_dj']:,} only by Data-Juicer "
            f"(agreement {100 * c['agreement']:.2f}% of the {n_union:,} ids either kept)")
    L = [head + (": **identical id sets**." if not c["n_only_sparkops"] and not c["n_only_dj"] else ".")]
    if c["sparkops_removed_by_op"]:
        L.append("sparkops' removals by op (its `process_rejected` table): " + ", ".join(
            f"`{op}` {n:,}" for op, n in sorted(c["sparkops_removed_by_op"].items(), key=lambda kv: -kv[1])) + ".")
    if c["n_only_dj"]:
        L.append(f"Only Data-Juicer kept {c['n_only_dj']:,} (sparkops removed them; the op from sparkops' "
                 "rejected table, *sparkops' J* = its `_dup_jaccard`, the signatures' estimate): " + "; ".join(
                     f"{v['n']:,} × {k} (e.g. {_examples(v['examples'][:3], c['only_dj_examples'])})"
                     for k, v in c["only_dj_causes"].items()) + ".")
    if c["n_only_sparkops"]:
        L.append(f"Only sparkops kept {c['n_only_sparkops']:,} (Data-Juicer removed them; it records no reason, so "
                 "each is checked against what its deduplicators match among the documents it kept; *J* = exact "
                 "Jaccard of Data-Juicer's MinHash shingles to the closest document it kept): " + "; ".join(
                     f"{v['n']:,} × {k} (e.g. {_examples(v['examples'][:3], c['only_sparkops_examples'])})"
                     for k, v in c["only_sparkops_causes"].items()) + ".")
    L.append(f"Text of the {c['both']:,} documents both kept: "
             + ("**identical**." if not c["n_text_differs"] else
                f"**{c['n_text_differs']:,} differ** (e.g. " + "; ".join(
                    f"`{d['id']}` at offset {d['offset']}: sparkops {d['sparkops']!r} vs Data-Juicer {d['dj']!r}"
                    for d in c["text_differs_examples"]) + ")."))
    return L


# --------------------------------------------------------------------------- after the runs


def fix_summary(summary: dict) -> None:
    """run.py's summary gives a CLI run the Spark job script's phases; a `sparkops run` has only
    its own run time (processing), so the phases it lacks are dropped."""
    for tool in CLI_TOOLS:
        for k in ("session_s", "import_s", "stop_s"):
            summary.get(tool, {}).pop(k, None)


def pair_ratios(summary: dict, ours: str, theirs: str, ours_label: str, theirs_label: str) -> dict:
    """Speed, memory and CPU of a sparkops tool against a peer's (medians); also used by the
    rulesets scenario."""
    a, b = summary.get(ours), summary.get(theirs)
    if not a or not b or not a["reps"] or not b["reps"]:
        return {}
    vs = f"{ours_label} vs {theirs_label}"
    return {
        f"{vs} (docs/s, whole process)": a["docs_per_s"]["median"] / b["docs_per_s"]["median"],
        f"{vs} (docs/s, processing only)": b["process_s"]["median"] / a["process_s"]["median"],
        f"peak RSS, sparkops / {theirs_label}": a["peak_rss_gib"]["median"] / b["peak_rss_gib"]["median"],
        f"CPU s, sparkops / {theirs_label}": a["cpu_s"]["median"] / b["cpu_s"]["median"],
    }


def ratios(summary: dict, name: str) -> dict:
    cli, dj_tool = SCENARIOS[name]
    return pair_ratios(summary, cli, dj_tool, "sparkops run", "Data-Juicer")


def last_ok(rows: list[dict], tool: str) -> dict | None:
    mine = [r for r in rows if r["tool"] == tool]
    return mine[-1] if mine and not mine[-1].get("failed") else None


def finish(res: dict, name: str, out_root: Path, log) -> None:
    """The untimed part: same answer with causes, per-op rows left, ratios."""
    rows = res["runs"]
    cli, dj_tool = SCENARIOS[name]
    fix_summary(res["summary"])
    a, b = last_ok(rows, cli), last_ok(rows, dj_tool)
    lines = []
    if (out_root / f"{cli}_recipe.yaml").is_file() and (out_root / f"{dj_tool}_recipe.yaml").is_file():
        diff = recipe_diff(out_root / f"{cli}_recipe.yaml", out_root / f"{dj_tool}_recipe.yaml")
        lines.append(f"The two per-run recipe copies differ only in: {', '.join(f'`{k}`' for k in diff) or 'nothing'}.")
    verification: dict = {"lines": lines}
    if a and b:
        log(f"{name}: same answer? reading both exports and sparkops' rejected table (untimed)")
        c = compare(name, out_root)
        verification = {"lines": lines + compare_lines(c, name), "compare": c}
    else:
        failed = [t for t, r in ((cli, a), (dj_tool, b)) if r is None and any(x["tool"] == t for x in rows)]
        lines.append(f"No comparison: the last run of {', '.join(f'`{t}`' for t in failed)} failed."
                     if failed else "No comparison: only one of the two tools ran.")
    res["verification"] = verification
    log("verification: " + "; ".join(verification["lines"]))
    dj_rows = [r for r in rows if r["tool"] == dj_tool and not r.get("failed")]
    res.update(
        recipe=str(RECIPES[name].relative_to(ROOT)),
        ops=op_names(name),
        ratios=ratios(res["summary"], name),
        per_op=job_scenario.per_op_rows(a["inner"] if a else {}, b["inner"].get("per_op", []) if b else []),
        dj_refused_installs=sorted({x for r in dj_rows for x in r["inner"].get("refused_installs", [])}),
    )


# --------------------------------------------------------------------------- report


def description(res: dict, name: str) -> str:
    cli, dj_tool = SCENARIOS[name]
    ops = res.get("ops") or op_names(name)
    return (f"One plain Data-Juicer recipe, `{res.get('recipe') or RECIPES[name].relative_to(ROOT)}` ({len(ops)} ops: "
            + ", ".join(f"`{op}`" for op in ops) + "), run by both tools. `" + cli + "`: the real CLI, "
            f"`sparkops run RECIPE --fresh --master {res['master']}` (one stage `process`: the ops in one fused "
            "pass, each deduplicator as its own Spark step, the kept rows and the removed ones committed as Delta "
            "tables, then the JSONL export Data-Juicer would write). `" + dj_tool + "`: Data-Juicer's "
            "`DefaultExecutor` (`bench/dj_job.py`, offline, nothing installed) exporting the kept rows as JSONL. "
            "RECIPE is a per-run copy of the committed file with only `dataset_path` (the corpus below), "
            f"`export_path` (each tool's own folder), `np` ({res['np']}; sparkops ignores it with a notice) and the "
            "word-list folders (made absolute) changed. *kept* = lines of each tool's export (for sparkops checked "
            "against its Delta table's commit counts).")


def inside_table(s: dict, name: str) -> list[str]:
    n_ops = len(op_names(name))
    L = ["Inside each process (medians, s): *processing* = for sparkops the run time `sparkops run` prints "
         f"(input read, the {n_ops} ops, Delta commits, export), for Data-Juicer the executor (load, the "
         f"{n_ops} ops, export); *outside* = wall − processing (imports, Spark session or DJ config, "
         "`spark.stop()`, process exit).", ""]
    return L + job_scenario.inside_rows(s, {tool: TOOLS[tool] for tool in SCENARIOS[name]})


def by_design(name: str) -> str:
    """The intended differences of the recipe's deduplicators, in words."""
    ops = dedup_params(name)
    out = []
    near = [op for op in ("document_minhash_deduplicator", "document_simhash_deduplicator") if op in ops]
    if "document_minhash_deduplicator" in ops:
        out.append("sparkops' MinHash uses one-permutation hashing with densification")
    if near:
        out.append("sparkops shingles every whitespace-separated word, Data-Juicer splits on ' ' only and gives "
                   "all documents with fewer than `window_size` such tokens one shared signature")
    if "document_deduplicator" in ops:
        out.append("sparkops' exact dedup collapses whitespace runs before hashing")
    return "; ".join(out) or "none"


def interpret(res: dict, name: str) -> list[str]:
    """A few lines, every number from the scenario's runs."""
    s, r = res["summary"], res.get("ratios", {})
    cli, dj_tool = SCENARIOS[name]
    a, b = s.get(cli), s.get(dj_tool)
    out = []
    failed = [x for x in res["runs"] if x.get("failed")]
    if failed:
        out.append(f"- **{len(failed)} `{failed[0]['tool']}` run(s) failed** (see the error above).")
    if a and b and a["reps"] and b["reps"]:
        paired = (res.get("paired_ratios") or {}).get(f"{cli} vs {dj_tool}", [])
        out.append(f"- Speed: sparkops {r['sparkops run vs Data-Juicer (docs/s, whole process)']:.2f}x "
                   f"Data-Juicer's docs/s on the whole process"
                   + (f" (paired within each repetition {min(paired):.2f}x–{max(paired):.2f}x)" if paired else "")
                   + f", {r['sparkops run vs Data-Juicer (docs/s, processing only)']:.2f}x on processing only; "
                   f"sparkops' fixed cost outside processing is {a['wall_s']['median'] - a['process_s']['median']:.1f} s "
                   f"of its {a['wall_s']['median']:.1f} s, Data-Juicer's "
                   f"{b['wall_s']['median'] - b['process_s']['median']:.1f} s of {b['wall_s']['median']:.1f} s.")
        out.append(f"- CPU {a['cpu_s']['median']:.0f} vs {b['cpu_s']['median']:.0f} CPU-s "
                   f"({r['CPU s, sparkops / Data-Juicer']:.2f}x); peak RSS of the tree "
                   f"{a['peak_rss_gib']['median']:.2f} vs {b['peak_rss_gib']['median']:.2f} GiB "
                   f"({r['peak RSS, sparkops / Data-Juicer']:.2f}x). sparkops also commits the kept and the "
                   "removed rows as Delta tables (with every op's statistics and `_dropped_by`), which "
                   "Data-Juicer does not write.")
        by = a.get("cpu_by_role", {})
        if by:
            out.append(f"- Where sparkops' CPU goes (polled, by process): the JVM {by.get('JVM', 0):.0f} CPU-s, "
                       f"Spark's Python workers {by.get('Spark Python workers', 0):.0f} CPU-s (the operators), "
                       f"the driver {by.get('main process', 0):.0f} CPU-s (including the JSONL export, "
                       "streamed through it).")
    c = (res.get("verification") or {}).get("compare")
    if c:
        diff_ops = [x for x in res.get("per_op") or [] if x["rows_out"] is not None and x["dj_left"] is not None
                    and x["rows_out"] != x["dj_left"]]
        first = diff_ops[0]["op"] if diff_ops else None
        out.append(f"- Same answer: {100 * c['agreement']:.2f}% of the ids either kept are kept by both. "
                   + (f"The rows left first differ after `{first}`" if first else
                      "The rows left are the same after every op")
                   + "; the deduplicators differ by design (" + by_design(name) + ").")
    dj_ops = [x for x in res.get("per_op") or [] if x.get("dj_s") is not None]
    if dj_ops:
        top = sorted(dj_ops, key=lambda x: -x["dj_s"])[:3]
        out.append(f"- Data-Juicer's costliest ops by its own log (last repetition; {sum(x['dj_s'] for x in dj_ops):.1f} s "
                   f"for all {len(dj_ops)}): " + ", ".join(f"`{x['op']}` {x['dj_s']:.1f} s" for x in top) + ".")
    flagged = [x for x in res["runs"] if x.get("disturbed")]
    if flagged:
        out.append(proctree.disturbed_line(flagged))
    return out


def recipe_section(res: dict, name: str) -> list[str]:
    """A recipe scenario (`rules`, `ops21`): one Data-Juicer recipe YAML, both tools."""
    s, tools = res["summary"], {t: TOOLS[t] for t in SCENARIOS[name]}
    L = [f"## {SECTION_TITLES[name]}", "", description(res, name), ""]
    L += run_lines(res)
    L += machine_lines(res, sink=False)
    L += ["### Results", "", RESULTS_LEGEND, ""]
    L += results_table(s, tools)
    L += inside_table(s, name)
    L += cpu_role_table(s, tools)
    ratios = ratio_lines(res)
    if ratios:
        L += ["### Ratios (medians)", ""] + ratios
    L += ["### Same answer?", ""]
    L += [f"- {line}" for line in res.get("verification", {}).get("lines", [])]
    L.append("")
    L += job_per_op_table(res, len(op_names(name)))
    L += all_runs_table(res)
    L += failure_lines(res["all_runs"])
    if res.get("dj_refused_installs"):
        L += [f"Data-Juicer package installs refused during the runs: {', '.join(res['dj_refused_installs'])}.", ""]
    if res.get("interpretation"):
        L += ["### Interpretation", ""] + res["interpretation"] + [""]
    return L
