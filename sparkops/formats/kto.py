"""KTO: one conversation and a boolean ``label`` (is the last answer desirable).

Read as LLaMA-Factory ships it (``messages`` or ShareGPT ``conversations``, ending with the
assistant's answer, and ``label``) or as TRL's unpaired preference record (``prompt``,
``completion``, ``label``). The intermediate record keeps ``label`` as a field; written back as
``messages`` and ``label``.
"""

from __future__ import annotations

from sparkops.formats.dialog import (RESPONSE, FormatProblem, content_text, dj_to_turns, read_turns, rest, turns_to_dj,
                                     type_name)
from sparkops.formats.sharegpt import sharegpt_to_dj

LABEL = "label"


def _label(obj: dict) -> None:
    if LABEL not in obj:
        raise FormatProblem(f"missing field '{LABEL}'")
    if not isinstance(obj[LABEL], bool):
        raise FormatProblem(f"'{LABEL}' is {type_name(obj[LABEL])}, not a boolean")


def kto_to_dj(obj: dict) -> dict:
    _label(obj)
    if "messages" in obj:
        return sharegpt_to_dj(obj, "messages", "role", "content", require_last="assistant")
    if "conversations" in obj:
        return sharegpt_to_dj(obj, "conversations", "from", "value", require_last="assistant")
    if "prompt" not in obj or "completion" not in obj:
        raise FormatProblem("needs 'messages', 'conversations', or 'prompt' and 'completion'")
    prompt, completion = obj["prompt"], obj["completion"]
    if isinstance(prompt, str):
        turns = [("user", prompt)]
    else:
        turns = read_turns(prompt, "prompt", "role", "content")
    if isinstance(completion, list):
        turns += read_turns(completion, "completion", "role", "content")
    else:
        turns.append(("assistant", content_text(completion, "completion")))
    dialog = turns_to_dj(turns, "prompt+completion", require_last="assistant")
    return {**rest(obj, ("prompt", "completion")), **dialog}


def dj_to_kto(rec: dict) -> dict:
    _label(rec)
    if not (rec.get(RESPONSE) or "").strip():
        raise FormatProblem("empty response: a KTO record labels an answer")
    turns, out = dj_to_turns(rec)
    return {"messages": [{"role": role, "content": text} for role, text in turns], **out}
