"""One OpenAI-compatible chat-completions client for every LLM operator.

Configured from Data-Juicer's parameters (``data_juicer.utils.model_utils.ChatAPIModel``, 1.6.1):
``api_model`` (the model name), ``api_endpoint`` (default ``/chat/completions``, appended to the
base URL when relative), ``model_params`` (the OpenAI client's arguments: ``base_url``, ``api_key``,
``timeout``, ``max_retries``; others are ignored, as Data-Juicer filters them by the client's
signature) and ``sampling_params`` (merged into the request body). As the OpenAI client does, the
base URL falls back to ``OPENAI_BASE_URL`` then ``https://api.openai.com/v1``, the key to
``OPENAI_API_KEY``.

Stdlib only (urllib): a batch of requests runs on a thread pool, at most ``concurrency`` in flight
per process (shared by every client of the same endpoint in a Python worker), at most
``rate_limit`` started per second, each with a timeout; timeouts, connection errors, 5xx and 429
are retried with exponential backoff (a ``Retry-After`` header wins). A request never raises: its
``Answer`` carries the content, finish reason and token usage, or the error reason.

The API key lives only in the ``Authorization`` header: ``repr`` hides it and every error text is
scrubbed of it, so it reaches no log, table or report.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_ENDPOINT = "/chat/completions"
RETRY_STATUS = (408, 409, 429)  # and every 5xx: the statuses the OpenAI client retries


@dataclass(frozen=True)
class Answer:
    """One request's outcome: ``content`` (None on error), the finish reason, token usage, and
    ``error`` (None when the endpoint answered), e.g. ``http_500: ...``, ``timeout``."""

    content: str | None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error: str | None = None
    attempts: int = 1
    seconds: float = 0.0


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how they are retried. ``api_key`` is never shown (``repr=False``)."""

    url: str
    model: str | None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0
    max_retries: int = 3
    concurrency: int = 4
    rate_limit: float | None = None  # requests started per second, per process; None: no limit
    backoff: float = 0.5  # first retry delay (seconds), doubled per retry
    max_backoff: float = 30.0
    response_path: str | None = None  # Data-Juicer's dotted path of the answer; None: choices.0.message.content


def endpoint_from(api_model: str | None, api_endpoint: str | None = None, model_params: dict | None = None,
                  *, concurrency: int = 4, rate_limit: float | None = None, timeout: float | None = None,
                  max_retries: int | None = None, response_path: str | None = None,
                  env: dict | None = None) -> Endpoint:
    """An ``Endpoint`` from Data-Juicer's op parameters and the environment."""
    env = os.environ if env is None else env
    params = dict(model_params or {})
    base = (params.get("base_url") or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    path = api_endpoint or DEFAULT_ENDPOINT
    url = path if path.startswith(("http://", "https://")) else f"{base}/{path.lstrip('/')}"
    key = params.get("api_key") or env.get("OPENAI_API_KEY") or None
    return Endpoint(
        url=url, model=api_model, api_key=key,
        timeout=float(timeout if timeout is not None else params.get("timeout") or 120.0),
        max_retries=int(max_retries if max_retries is not None else params.get("max_retries", 3)),
        concurrency=max(1, int(concurrency)), rate_limit=rate_limit, response_path=response_path)


class _RateLimit:
    """At most ``rate`` request starts per second across threads (evenly spaced slots)."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


# per process: one in-flight limit and one rate limit per endpoint URL, shared by every client
# (several Spark tasks of one Python worker, several ops of one pass)
_LIMITS: dict[tuple, tuple[threading.BoundedSemaphore, _RateLimit]] = {}
_LIMITS_LOCK = threading.Lock()


def _limits(ep: Endpoint):
    key = (ep.url, ep.concurrency, ep.rate_limit)
    with _LIMITS_LOCK:
        if key not in _LIMITS:
            _LIMITS[key] = (threading.BoundedSemaphore(ep.concurrency), _RateLimit(ep.rate_limit))
        return _LIMITS[key]


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Client:
    """Chat completions against one ``Endpoint``."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self._slots, self._rate = _limits(endpoint)

    def __repr__(self) -> str:
        return f"Client({self.endpoint!r})"

    def _scrub(self, text: str) -> str:
        key = self.endpoint.api_key
        return text.replace(key, "***") if key else text

    def body(self, messages: list[dict], sampling: dict | None = None) -> dict:
        """The request body, as Data-Juicer builds it: messages and model, then the sampling params."""
        body = {"messages": messages}
        if self.endpoint.model is not None:
            body["model"] = self.endpoint.model
        body.update(sampling or {})
        return body

    def chat(self, messages: list[dict], sampling: dict | None = None) -> Answer:
        """One request, retried on transient failures; never raises."""
        t0 = time.monotonic()
        ep = self.endpoint
        data = json.dumps(self.body(messages, sampling)).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if ep.api_key:
            headers["Authorization"] = f"Bearer {ep.api_key}"
        error, attempt = None, 0
        for attempt in range(1, ep.max_retries + 2):
            wait = None
            self._rate.wait()
            with self._slots:
                try:
                    req = urllib.request.Request(ep.url, data=data, headers=headers, method="POST")
                    with urllib.request.urlopen(req, timeout=ep.timeout) as resp:
                        raw = resp.read()
                    return _answer(raw, attempt, time.monotonic() - t0, self._scrub, ep.response_path)
                except urllib.error.HTTPError as err:
                    detail = err.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
                    error = self._scrub(f"http_{err.code}: {detail}"[:300])
                    if err.code < 500 and err.code not in RETRY_STATUS:
                        break
                    wait = _retry_after(err.headers.get("Retry-After") if err.headers else None)
                except (TimeoutError, socket.timeout):
                    error = f"timeout: no answer within {ep.timeout:g} s"
                except urllib.error.URLError as err:
                    reason = err.reason
                    error = (f"timeout: no answer within {ep.timeout:g} s" if isinstance(reason, (TimeoutError, socket.timeout))
                             else self._scrub(f"connection: {reason}"[:300]))
                except (ConnectionError, OSError) as err:  # reset mid-response, broken pipe
                    error = self._scrub(f"connection: {err}"[:300])
            if attempt <= ep.max_retries:
                delay = min(ep.max_backoff, ep.backoff * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
                time.sleep(min(ep.max_backoff, wait) if wait is not None else delay)
        return Answer(None, error=error, attempts=attempt, seconds=time.monotonic() - t0)

    def chat_many(self, requests: list[tuple[list[dict], dict | None]], on_answer=None) -> list[Answer]:
        """Many requests at once, ``concurrency`` in flight; answers in request order.
        ``on_answer(index, answer)`` is called as each completes (to spool it)."""
        out: list[Answer | None] = [None] * len(requests)

        def one(i):
            out[i] = self.chat(*requests[i])
            if on_answer is not None:
                on_answer(i, out[i])

        if len(requests) <= 1:
            for i in range(len(requests)):
                one(i)
        else:
            with ThreadPoolExecutor(max_workers=min(self.endpoint.concurrency, len(requests))) as pool:
                list(pool.map(one, range(len(requests))))
        return out  # type: ignore[return-value]


def _walk(doc, path: str):
    """Data-Juicer's nested_access: a dotted path, list indices as numbers."""
    for part in path.split("."):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def _answer(raw: bytes, attempts: int, seconds: float, scrub, path: str | None = None) -> Answer:
    """An ``Answer`` from a response body (Data-Juicer's ``choices.0.message.content``)."""
    try:
        doc = json.loads(raw)
        usage = doc.get("usage") or {}
        if path:
            content = _walk(doc, path)
            choice = (doc.get("choices") or [{}])[0]
        else:
            choice = doc["choices"][0]
            content = (choice.get("message") or {}).get("content")
            if content is None:
                content = choice.get("text")  # a completions-style answer
        if not isinstance(content, str):
            raise TypeError("no message content")
        return Answer(content, choice.get("finish_reason"), usage.get("prompt_tokens"),
                      usage.get("completion_tokens"), None, attempts, seconds)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as err:
        head = raw[:120].decode("utf-8", "replace").replace("\n", " ")
        return Answer(None, error=scrub(f"bad_response: {type(err).__name__}: {err}; body starts {head!r}")[:300],
                      attempts=attempts, seconds=seconds)
