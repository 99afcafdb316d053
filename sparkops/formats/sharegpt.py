"""ShareGPT, as LLaMA-Factory and as ms-swift write it.

LLaMA-Factory: ``{"conversations": [{"from": "human"|"gpt"|"system", "value": ...}, ...]}``.
To the intermediate record as Data-Juicer's ``llama_factory_sharegpt_to_dj`` (``system``
and ``instruction`` always present, ``""`` when absent); back with LLaMA-Factory's default
tags ``human``/``gpt`` (Data-Juicer's ``dj_to_llama_factory_sharegpt`` writes ``user``/``assistant``,
which LLaMA-Factory reads only with custom ``tags`` in its dataset_info).

ms-swift: ``{"system": ..., "conversation": [{"human": ..., "assistant": ...}, ...]}``, as
Data-Juicer's ``ms_swift_sharegpt_to_dj``/``dj_to_ms_swift_sharegpt``; every round needs both.
"""

from __future__ import annotations

from sparkops.formats.dialog import (DIALOG_KEYS, HISTORY, INSTRUCTION, QUERY, REJECTED, RESPONSE, SYSTEM,
                                     FormatProblem, dj_dialog, dj_to_turns, field, final_query, read_turns, rest,
                                     turns_to_dj, type_name)


def sharegpt_to_dj(obj: dict, key: str = "conversations", role_key: str = "from", content_key: str = "value",
                   require_last: str | None = None) -> dict:
    if key not in obj:
        raise FormatProblem(f"missing field '{key}'")
    dialog = turns_to_dj(read_turns(obj[key], key, role_key, content_key), key, require_last)
    return {**rest(obj, (key,)), **dialog}


def dj_to_sharegpt(rec: dict, key: str = "conversations", role_key: str = "from", content_key: str = "value",
                   user: str = "human", assistant: str = "gpt") -> dict:
    turns, out = dj_to_turns(rec, user, assistant)
    out[key] = [{role_key: role, content_key: text} for role, text in turns]
    return out


def swift_to_dj(obj: dict) -> dict:
    conv = obj.get("conversation")
    if "conversation" not in obj:
        raise FormatProblem("missing field 'conversation'")
    if not isinstance(conv, list):
        raise FormatProblem(f"'conversation' is {type_name(conv)}, not a list of rounds")
    if not conv:
        raise FormatProblem("'conversation' holds no round")
    field(obj, SYSTEM, optional=True)
    field(obj, INSTRUCTION, optional=True)
    rounds = []
    for i, rnd in enumerate(conv):
        at = f"conversation[{i}]."
        if not isinstance(rnd, dict):
            raise FormatProblem(f"conversation[{i}] is {type_name(rnd)}, not a round object")
        human = field(rnd, "human", at)
        assistant = field(rnd, "assistant", at, optional=i == len(conv) - 1)
        if not human.strip():
            raise FormatProblem(f"conversation[{i}]: empty human turn")
        if assistant is not None and not assistant.strip() and i < len(conv) - 1:
            raise FormatProblem(f"conversation[{i}]: empty assistant turn")
        rounds.append((human, assistant or ""))
    out = rest(obj, ("conversation", SYSTEM, INSTRUCTION))
    for key in (SYSTEM, INSTRUCTION):
        if key in obj:
            out[key] = obj[key]
    out.update({QUERY: rounds[-1][0], RESPONSE: rounds[-1][1], HISTORY: [list(r) for r in rounds[:-1]]})
    return out


def dj_to_swift(rec: dict) -> dict:
    system, instruction, pairs, query, response = dj_dialog(rec)
    last = final_query(instruction, query)
    if not last.strip():
        raise FormatProblem("empty query: nothing for the human turn")
    out = rest(rec, (*DIALOG_KEYS, REJECTED))
    if system:
        out[SYSTEM] = system
    out["conversation"] = [{"human": q, "assistant": r} for q, r in pairs] + [{"human": last, "assistant": response}]
    return out
