"""LLM endpoints for the tests: the real local server (llama-cpp-python with SmolLM2-135M-Instruct,
started once per session) and a small loopback HTTP server that misbehaves on purpose (5xx,
429 with Retry-After, garbage, sleeps) for the failure modes."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sparkops.llm import server as llm_server_module


def local_server(tmp_path_factory):
    """The real OpenAI-compatible server on a free loopback port (a session fixture's body:
    ``yield from local_server(tmp_path_factory)``); skips where the llm extra is missing."""
    why = llm_server_module.available()
    if why:
        pytest.skip(f"needs the local LLM server: {why}")
    log = tmp_path_factory.mktemp("llm") / "server.log"
    with llm_server_module.LocalServer(threads=2, n_ctx=2048, log=log) as srv:
        yield srv


def answer_body(content: str, prompt_tokens: int = 11, completion_tokens: int = 7) -> bytes:
    return json.dumps({"id": "x", "object": "chat.completion", "model": "fake",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                 "total_tokens": prompt_tokens + completion_tokens}}).encode()


class FakeEndpoint:
    """``behave(body: dict, n: int) -> (status, headers, bytes, sleep seconds)`` decides each answer
    (``n``: the how-many-th request this is, from 1). Records every request's headers and body,
    and the most requests in flight at once."""

    def __init__(self, behave):
        self.behave, self.requests, self.in_flight, self.max_in_flight = behave, [], 0, 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake.lock:
                    fake.requests.append((dict(self.headers), body))
                    n = len(fake.requests)
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    status, headers, data, sleep = fake.behave(body, n, dict(self.headers))
                    if sleep:
                        time.sleep(sleep)
                finally:
                    # counted out before the answer leaves: a client sends its next request as soon
                    # as it has read this answer, possibly before this thread runs again, and the
                    # count would then show one request more than the client ever had in flight
                    with fake.lock:
                        fake.in_flight -= 1
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> "FakeEndpoint":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def prompt_hash(body: dict) -> int:
    """A stable number per request (its last message), to make a row's fate depend on its content."""
    return int(hashlib.sha256(body["messages"][-1]["content"].encode()).hexdigest(), 16)


def serve_answer_and_stop(extra_args: list[str], expect_first_line: str | None = None, check=None) -> None:
    """`sparkops llm serve --port N <extra_args>` as a user runs it: its first line names the URL
    (and ``expect_first_line``), ``check(port)`` passes, it answers a chat request, SIGTERM stops
    it with exit 0 and "stopped", and nothing listens on the port afterwards."""
    import signal
    import socket
    import subprocess
    import sys

    from sparkops.llm import server
    from sparkops.llm.client import Client, endpoint_from

    port = server.free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sparkops.cli", "llm", "serve", "--port", str(port), *extra_args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/v1" in first and (expect_first_line or "") in first, first
        if check is not None:
            check(port)
        ep = endpoint_from("any", None, {"base_url": f"http://127.0.0.1:{port}/v1"}, env={})
        a = Client(ep).chat([{"role": "user", "content": "Say hi."}], {"max_tokens": 8, "temperature": 0})
        assert a.error is None and a.content and a.completion_tokens and a.prompt_tokens
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0 and "stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    with pytest.raises(OSError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
