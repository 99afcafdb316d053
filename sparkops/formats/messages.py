"""OpenAI / ms-swift messages: ``{"messages": [{"role": ..., "content": ...}, ...]}``.

The same conversation as LLaMA-Factory's ShareGPT with other key names (Data-Juicer's
``messages_to_dj``/``dj_to_messages`` reuse its ShareGPT converters); ``content`` may be a list
of text parts. A message's other keys (``loss_weight``, ``name``) have no place in the
intermediate record and are not carried.
"""

from __future__ import annotations

from sparkops.formats.sharegpt import dj_to_sharegpt, sharegpt_to_dj


def messages_to_dj(obj: dict, require_last: str | None = None) -> dict:
    return sharegpt_to_dj(obj, "messages", "role", "content", require_last)


def dj_to_messages(rec: dict) -> dict:
    return dj_to_sharegpt(rec, "messages", "role", "content", "user", "assistant")
