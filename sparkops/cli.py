"""The ``sparkops`` command: ``ops`` (list operators), ``sql`` (query files with the SQL
functions), ``demo`` (the refine pass over the real web samples, into a Delta table)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
DEMO_INPUT = CHECKOUT.parent / "shared" / "data" / "web" / "c4_sample.jsonl"

# The demo's recipe, in Data-Juicer's op syntax: cleaning, then the quality filters.
DEMO_PROCESS = [
    "fix_unicode_mapper",
    "whitespace_normalization_mapper",
    "clean_email_mapper",
    "clean_links_mapper",
    {"language_id_score_filter": {"lang": "en", "min_score": 0.8}},
    {"text_length_filter": {"min_len": 200}},
    {"words_num_filter": {"min_num": 50}},
    {"alphanumeric_filter": {"min_ratio": 0.7}},
    {"special_characters_filter": {"max_ratio": 0.3}},
    {"character_repetition_filter": {"max_ratio": 0.3}},
    {"word_repetition_filter": {"max_ratio": 0.3}},
    {"stopwords_filter": {"min_ratio": 0.3}},
    {"flagged_words_filter": {"max_ratio": 0.01}},
]


def cmd_ops(args) -> int:
    from sparkops.registry import all_ops

    for op in all_ops():
        if args.name and args.name not in op.name:
            continue
        print(f"{op.name}  ({op.kind})\n    {op.doc}")
        for p in op.all_params():
            print(f"    - {p.name}: {p.type} = {p.default!r}")
    return 0


def _conf_pairs(items: list[str]) -> dict[str, str]:
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: --conf {item!r} is not key=value")
        conf[key] = value
    return conf


def cmd_validate(args) -> int:
    from sparkops.jobs.spec import SpecError, load

    try:
        spec = load(args.spec)
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for notice in spec.notices:
        print(f"notice: {notice}")
    print(f"{args.spec}: valid: job '{spec.name}', input {spec.input.format} {spec.input.path}, "
          f"{len(spec.stages)} stage(s): " + ", ".join(f"{s.name} ({len(s.ops)} ops"
                                                      f"{', gated' if s.expect else ''})" for s in spec.stages))
    return 0


def cmd_run(args) -> int:
    from sparkops.jobs.reader import InputError
    from sparkops.jobs.runner import GateFailed, run, summary_table
    from sparkops.jobs.spec import SpecError, load

    try:
        spec = load(args.spec)  # validated before Spark starts
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for notice in spec.notices:
        print(f"notice: {notice}")
    import sparkops

    conf = {"spark.ui.showConsoleProgress": "true", **_conf_pairs(args.conf)}
    spark = sparkops.session(master=args.master, conf=conf, app_name=f"sparkops-{spec.name}")
    try:
        result = run(spark, spec, fresh=args.fresh, say=lambda m: print(f"[sparkops] {m}", flush=True))
    except GateFailed as err:
        print(f"error: gate failed: {err}", file=sys.stderr)
        return 1
    except InputError as err:
        print(f"error: {args.spec}: {err}", file=sys.stderr)
        return 2
    print()
    print(summary_table(result))
    print(f"\ntables: {result.output}/<stage> (kept rows + stats), <stage>_rejected (with _dropped_by), "
          f"_quarantine (unreadable input)")
    return 0


def cmd_sql(args) -> int:
    import sparkops

    spark = sparkops.session(master=args.master)
    for view in args.view:
        name, _, path = view.partition("=")
        fmt = "delta" if Path(path, "_delta_log").is_dir() else path.rsplit(".", 1)[-1].replace("jsonl", "json")
        spark.read.format(fmt).load(path).createOrReplaceTempView(name)
    spark.sql(args.query).show(args.limit, truncate=args.truncate)
    return 0


def cmd_demo(args) -> int:
    import sparkops
    from pyspark.sql import functions as F

    if not DEMO_INPUT.is_file():
        print(f"error: demo input {DEMO_INPUT} not found (it is part of ../shared/data)", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    started = time.time()
    print(f"[demo] starting Spark (local, Delta Lake) ...", flush=True)
    spark = sparkops.session(master=args.master, app_name="sparkops-demo")
    docs = spark.read.json(str(DEMO_INPUT))
    docs.createOrReplaceTempView("docs")
    print(f"[demo] {DEMO_INPUT}: {docs.count()} documents")

    query = ("SELECT count(*) AS n FROM docs "
             "WHERE alnum_ratio(text) >= 0.25 AND lang_id(text).lang = 'en'")
    print(f"[demo] SQL: {query}\n       -> {spark.sql(query).first().n} rows")

    print(f"[demo] fused pass: {len(DEMO_PROCESS)} operators in one Arrow pass per document ...", flush=True)
    result = sparkops.fused(docs, DEMO_PROCESS).cache()
    result.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(str(out))
    summary = (result.groupBy(F.coalesce("_dropped_by", F.lit("(kept)")).alias("outcome"))
               .count().orderBy(F.desc("count")).collect())
    kept = next((r["count"] for r in summary if r.outcome == "(kept)"), 0)
    print(f"[demo] Delta table: {out}  (every row, its stats struct, _keep and _dropped_by)")
    width = max(len(r.outcome) for r in summary)
    for r in summary:
        print(f"         {r.outcome:<{width}}  {r['count']:>5}")
    print(f"[demo] kept {kept} of {docs.count()} documents in {time.time() - started:.1f} s")
    print(f"[demo] explore it: .venv/bin/sparkops sql --view refined={out} "
          f"\"SELECT _dropped_by, avg(stats.alnum_ratio) FROM refined GROUP BY 1\"")
    result.unpersist()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sparkops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ops", help="list operators with their parameters")
    p.add_argument("name", nargs="?", help="only operators whose name contains this")
    p.set_defaults(func=cmd_ops)

    p = sub.add_parser("run", help="run a job spec or a Data-Juicer recipe")
    p.add_argument("spec")
    p.add_argument("--master", help="Spark master (default: local[*], or what spark-submit set)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark conf")
    p.add_argument("--fresh", action="store_true", help="recompute every stage, ignoring committed ones")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check a spec or recipe without running it")
    p.add_argument("spec")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("sql", help="run a SQL query with the sparkops functions")
    p.add_argument("query")
    p.add_argument("--view", action="append", default=[], metavar="NAME=PATH",
                   help="register a file/folder (json, jsonl, parquet, csv or a Delta table) as a view")
    p.add_argument("--master")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--truncate", type=int, default=60)
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("demo", help="refine the C4 sample into a Delta table")
    p.add_argument("--out", default=str(CHECKOUT / "warehouse" / "demo_refined"))
    p.add_argument("--master")
    p.set_defaults(func=cmd_demo)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as err:  # a readable last line; the traceback is for --debug users
        from sparkops.registry import OpError

        if isinstance(err, OpError):
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
