"""bench/llm_throughput.py's report: the table names each run's server and slots, the speed-up of
the parallel-slot server over one request at a time is derived from the runs, and a record from
before llama-server was measured still renders. No server is started here."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from bench import llm_throughput as lt  # noqa: E402


def run(server: str | None, slots: int, c: int, seconds: float, completion: int = 640) -> dict:
    r = {"concurrency": c, "requests": 10, "errors": 0, "seconds": seconds, "requests_per_s": 10 / seconds,
         "prompt_tokens": 6000, "completion_tokens": completion, "completion_tokens_per_s": completion / seconds,
         "total_tokens_per_s": (6000 + completion) / seconds, "latency_s_mean": seconds / 10 * c}
    if server:
        r.update(server=server, slots=slots)
    return r


def record(runs: list[dict]) -> dict:
    return {"runs": runs, "n": 10, "max_tokens": 64, "model": "m", "server": "s", "date": "d", "machine": "x",
            "command": "c"}


def test_the_speedup_sentence_compares_the_best_slot_run_with_one_request_at_a_time():
    text = "\n".join(lt.section(record([
        run("llama-cpp-python", 1, 1, 20.0), run("llama-server", 1, 1, 18.0),
        run("llama-cpp-python", 1, 4, 19.0), run("llama-server", 4, 4, 5.0)])))
    assert "| llama-server | 4 | 4 | 10 | 0 | 5.0 | 2.00 |" in text
    assert "llama-server with 4 slots at concurrency 4 serves 4.0x the requests/s" in text
    assert "Measured more than once" not in text  # each (server, concurrency) once


def test_a_record_without_servers_per_run_renders_as_llama_cpp_python_only():
    text = "\n".join(lt.section(record([run(None, 1, 1, 20.0), run(None, 1, 4, 20.0), run(None, 1, 1, 40.0)])))
    assert text.count("| llama-cpp-python | 1 |") == 3
    assert "serves" not in text  # nothing to compare with
    assert "llama-cpp-python at concurrency 1: 0.50, 0.25 requests/s" in text
