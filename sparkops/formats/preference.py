"""Preference pairs: one prompt, a chosen and a rejected answer.

Read in the shapes trainers ship them:

- LLaMA-Factory's DPO files: ``conversations`` (ShareGPT, ending with the user's turn) with
  ``chosen``/``rejected`` each a ``{"from": "gpt", "value": ...}`` message or a string;
  the same with ``messages`` (role/content);
- TRL's explicit prompt: ``prompt`` (a string or a message list ending with the user's turn),
  ``chosen``/``rejected`` strings or one-message assistant lists;
- TRL's implicit prompt: ``chosen``/``rejected`` whole conversations that agree up to their
  last (assistant) message, as Anthropic's HH-RLHF transcripts (``hh_rlhf``).

In the intermediate record the prompt is ``system``/``instruction``/``history``/``query``, the
chosen answer ``response`` and the rejected one ``rejected_response`` (Data-Juicer's
``pair_preference_mapper`` key). Written back as TRL's conversational preference record:
``prompt`` a message list, ``chosen``/``rejected`` one assistant message each.
"""

from __future__ import annotations

from sparkops.formats.dialog import (ASSISTANT_ROLES, HISTORY, INSTRUCTION, QUERY, REJECTED, RESPONSE, SYSTEM,
                                     FormatProblem, content_text, dj_to_turns, read_turns, rest, turns_to_dj,
                                     type_name)

ANSWERS = ("chosen", "rejected")


def _answer(obj: dict, key: str, role_key: str, content_key: str) -> str:
    """A chosen/rejected answer: a string, an assistant message, or a list of one."""
    if key not in obj:
        raise FormatProblem(f"missing field '{key}'")
    value = obj[key]
    where = key
    if isinstance(value, list):
        if len(value) != 1:
            raise FormatProblem(f"'{key}' holds {len(value)} messages; one assistant message expected "
                                "(or whole conversations, without 'prompt')")
        value, where = value[0], f"{key}[0]"
    if isinstance(value, dict):
        role = value.get(role_key)
        if role_key not in value or content_key not in value:
            raise FormatProblem(f"{where} needs '{role_key}' and '{content_key}'")
        if not isinstance(role, str) or role.lower() not in ASSISTANT_ROLES:
            raise FormatProblem(f"{where}: role '{role}' where an assistant answer is expected")
        value = content_text(value[content_key], f"{where}.{content_key}")
    elif not isinstance(value, str):
        raise FormatProblem(f"'{key}' is {type_name(value)}, not a string or an assistant message")
    if not value.strip():
        raise FormatProblem(f"empty {key} answer")
    return value


def _with_answers(out: dict, obj: dict, role_key: str, content_key: str) -> dict:
    chosen = _answer(obj, "chosen", role_key, content_key)
    out[RESPONSE], out[REJECTED] = chosen, _answer(obj, "rejected", role_key, content_key)
    return out


def preference_to_dj(obj: dict) -> dict:
    if "conversations" in obj or "messages" in obj:
        key, role_key, content_key = (("conversations", "from", "value") if "conversations" in obj
                                      else ("messages", "role", "content"))
        dialog = turns_to_dj(read_turns(obj[key], key, role_key, content_key), key, require_last="user")
        return _with_answers({**rest(obj, (key, *ANSWERS)), **dialog}, obj, role_key, content_key)
    if "prompt" in obj:
        prompt = obj["prompt"]
        if isinstance(prompt, str):
            if not prompt.strip():
                raise FormatProblem("empty prompt")
            dialog = {SYSTEM: "", INSTRUCTION: "", QUERY: prompt, RESPONSE: "", HISTORY: []}
        else:
            dialog = turns_to_dj(read_turns(prompt, "prompt", "role", "content"), "prompt", require_last="user")
        return _with_answers({**rest(obj, ("prompt", *ANSWERS)), **dialog}, obj, "role", "content")
    for key in ANSWERS:
        if key not in obj:
            raise FormatProblem(f"missing field '{key}'")
        if not isinstance(obj[key], list):
            raise FormatProblem(f"'{key}' is {type_name(obj[key])} and there is no 'prompt': "
                                "expected whole conversations (message lists)")
    return implicit_prompt_to_dj(obj, read_turns(obj["chosen"], "chosen", "role", "content"),
                                 read_turns(obj["rejected"], "rejected", "role", "content"))


def implicit_prompt_to_dj(obj: dict, chosen: list, rejected: list) -> dict:
    """Two whole conversations that share their prompt: the last assistant turns are the answers."""
    c = turns_to_dj(chosen, "chosen", require_last="assistant")
    r = turns_to_dj(rejected, "rejected", require_last="assistant")
    for key in (SYSTEM, INSTRUCTION, HISTORY, QUERY):
        if c[key] != r[key]:
            raise FormatProblem(f"chosen and rejected differ before their last assistant turn ({key})")
    out = {**rest(obj, ANSWERS), **c}
    out[REJECTED] = r[RESPONSE]
    return out


def dj_to_preference(rec: dict) -> dict:
    chosen, rejected = rec.get(RESPONSE), rec.get(REJECTED)
    for key, value in ((RESPONSE, chosen), (REJECTED, rejected)):
        if not isinstance(value, str) or not value.strip():
            what = ("missing" if key not in rec else "empty" if isinstance(value, str)
                    else f"{type_name(value)}, not a string")
            raise FormatProblem(f"'{key}' is {what}: a preference pair needs a chosen (response) and a "
                                "rejected (rejected_response) answer")
    turns, out = dj_to_turns(rec, with_response=False)
    out["prompt"] = [{"role": role, "content": text} for role, text in turns]
    out["chosen"] = [{"role": "assistant", "content": chosen}]
    out["rejected"] = [{"role": "assistant", "content": rejected}]
    return out
