"""The ``sparkops`` command: ``run`` (a job spec or Data-Juicer recipe), ``validate``,
``ops`` (list operators) and ``sql`` (query files with the SQL functions)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_ops(args) -> int:
    from sparkops.core import all_ops

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

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as err:  # a wrong op or parameter is the user's to fix: one line, no traceback
        from sparkops.core import OpError

        if isinstance(err, OpError):
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
