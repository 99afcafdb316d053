"""Response-cache keys: what makes two LLM requests the same question."""

from __future__ import annotations

import hashlib
import json


def request_key(model: str | None, messages: list[dict], sampling: dict | None = None, attempt: int = 0) -> str:
    """sha256 (hex) of the model, the messages and the sampling parameters, canonical JSON.

    ``attempt`` > 0 is a retry of an answer that could not be parsed (Data-Juicer's ``try_num``):
    a different key, so a retry asks again instead of reading the cached unparsable answer, and a
    re-run finds every attempt cached. The endpoint URL and the key are not part of it: the same
    model behind another URL answers the same question."""
    payload = {"model": model, "messages": messages, "sampling": sampling or {}}
    if attempt:
        payload["attempt"] = attempt
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
