"""Data-Juicer's intermediate dialog record, and turning a list of turns into it and back.

Data-Juicer 1.6.1 (``tools/fmt_conversion/post_tuning_dialog``) converts every post-tuning
format to one record shape that its dialog ops read (``query_key``, ``response_key``,
``history_key``, ``system_key``, ``instruction_key``)::

    {"system": str, "instruction": str, "query": str, "response": str,
     "history": [[query, response], ...], <every other field of the source record>}

``query``/``response`` is the last round, ``history`` the rounds before it; a conversation
that ends with the user's turn has ``response: ""``. Preference pairs add
``rejected_response`` (the key Data-Juicer's ``pair_preference_mapper`` writes), the chosen
answer being ``response``.

Where Data-Juicer pairs messages by position and never looks at who speaks, these kernels
check the conversation and raise ``FormatProblem`` with the reason (wrong role order, empty
turn, non-string content, unknown role, missing field).
"""

from __future__ import annotations

SYSTEM, INSTRUCTION, QUERY, RESPONSE, HISTORY = "system", "instruction", "query", "response", "history"
REJECTED = "rejected_response"  # Data-Juicer's pair_preference_mapper default rejected_key
DIALOG_KEYS = (SYSTEM, INSTRUCTION, QUERY, RESPONSE, HISTORY)

# speaker names across LLaMA-Factory (human/gpt), OpenAI/ms-swift (user/assistant) and
# Data-Juicer's own "instruction" role (its converters read and write it)
USER_ROLES = ("human", "user")
ASSISTANT_ROLES = ("gpt", "assistant")
PREAMBLE_ROLES = {"system": SYSTEM, "instruction": INSTRUCTION}
KNOWN_ROLES = (*USER_ROLES, *ASSISTANT_ROLES, *PREAMBLE_ROLES)
TOOL_ROLES = ("function_call", "observation", "tool", "function")


class FormatProblem(ValueError):
    """A record that cannot be converted; the message is the precise reason."""


def type_name(value) -> str:
    return "null" if value is None else type(value).__name__


def field(obj: dict, key: str, where: str = "", optional: bool = False):
    """A string field; ``None`` when optional and absent."""
    if key not in obj:
        if optional:
            return None
        raise FormatProblem(f"missing field '{where}{key}'")
    value = obj[key]
    if not isinstance(value, str):
        raise FormatProblem(f"'{where}{key}' is {type_name(value)}, not a string")
    return value


def content_text(value, where: str) -> str:
    """A message's content: a string, or a list of text parts (OpenAI's ``{"type": "text",
    "text": ...}``; LLaMA-Factory's v1 data writes ``"value"``) joined without separator."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for j, part in enumerate(value):
            if not isinstance(part, dict):
                raise FormatProblem(f"{where}[{j}] is {type_name(part)}, not a content part")
            if part.get("type", "text") != "text":
                raise FormatProblem(f"{where}[{j}] is a '{part.get('type')}' part; only text parts are supported")
            text = part.get("text", part.get("value"))
            if not isinstance(text, str):
                raise FormatProblem(f"{where}[{j}] has no string 'text'")
            texts.append(text)
        return "".join(texts)
    raise FormatProblem(f"{where} is {type_name(value)}, not a string")


def read_turns(messages, key: str, role_key: str, content_key: str) -> list[tuple[str, str]]:
    """``[(role, content)]`` of a message list, roles as written; checks shape and types."""
    if not isinstance(messages, list):
        raise FormatProblem(f"'{key}' is {type_name(messages)}, not a list of messages")
    turns = []
    for i, msg in enumerate(messages):
        at = f"{key}[{i}]"
        if not isinstance(msg, dict):
            raise FormatProblem(f"{at} is {type_name(msg)}, not a message object")
        if role_key not in msg:
            raise FormatProblem(f"{at} has no '{role_key}'")
        if content_key not in msg:
            raise FormatProblem(f"{at} has no '{content_key}'")
        role = msg[role_key]
        if not isinstance(role, str):
            raise FormatProblem(f"{at}.{role_key} is {type_name(role)}, not a string")
        if msg.get("tool_calls"):
            raise FormatProblem(f"{at} holds tool calls, which the query/response format cannot carry")
        turns.append((role, content_text(msg[content_key], f"{at}.{content_key}")))
    return turns


def turns_to_dj(turns: list[tuple[str, str]], key: str, require_last: str | None = None) -> dict:
    """The dialog fields of a checked conversation.

    A system and an instruction message may open it (once each); then user and assistant
    alternate, user first. ``require_last``: 'user' (a preference prompt) or 'assistant' (a KTO
    completion); otherwise a trailing user turn gives ``response: ""`` as Data-Juicer does.
    """
    preamble = {SYSTEM: "", INSTRUCTION: ""}
    dialog: list[tuple[str, str]] = []
    for i, (role, text) in enumerate(turns):
        at = f"{key}[{i}]"
        low = role.lower()
        if low in PREAMBLE_ROLES:
            name = PREAMBLE_ROLES[low]
            if dialog:
                raise FormatProblem(f"{at}: a '{role}' message after the conversation started")
            if preamble[name]:
                raise FormatProblem(f"{at}: a second '{role}' message")
            preamble[name] = text
            continue
        if low in USER_ROLES:
            side = "user"
        elif low in ASSISTANT_ROLES:
            side = "assistant"
        elif low in TOOL_ROLES:
            raise FormatProblem(f"{at}: role '{role}' (tool use) has no place in the query/response format")
        else:
            raise FormatProblem(f"{at}: unknown role '{role}' (expected one of {', '.join(KNOWN_ROLES)})")
        expected = "user" if len(dialog) % 2 == 0 else "assistant"
        if side != expected:
            if not dialog:
                raise FormatProblem(f"{at}: the conversation starts with an assistant turn ('{role}')")
            raise FormatProblem(f"{at}: wrong role order: two {side} turns in a row ('{turns[i - 1][0]}', '{role}')")
        if not text.strip():
            raise FormatProblem(f"{at}: empty {side} turn")
        dialog.append((side, text))
    if not dialog:
        raise FormatProblem(f"'{key}' holds no user or assistant turn")
    last = dialog[-1][0]
    if require_last and last != require_last:
        raise FormatProblem(f"'{key}' must end with a{'n' if require_last == 'assistant' else ''} "
                            f"{require_last} turn, ends with {last}")
    texts = [t for _, t in dialog]
    if last == "assistant":
        query, response, before = texts[-2], texts[-1], texts[:-2]
    else:
        query, response, before = texts[-1], "", texts[:-1]
    history = [[before[i], before[i + 1]] for i in range(0, len(before), 2)]
    return {SYSTEM: preamble[SYSTEM], INSTRUCTION: preamble[INSTRUCTION], QUERY: query, RESPONSE: response,
            HISTORY: history}


def rest(obj: dict, drop) -> dict:
    """The source record's other fields, in their order."""
    return {k: v for k, v in obj.items() if k not in drop}


# ---- from the intermediate record ----------------------------------------------------------

def dj_dialog(rec: dict) -> tuple[str, str, list[tuple[str, str]], str, str]:
    """(system, instruction, history pairs, query, response) of an intermediate record, checked."""
    if not isinstance(rec, dict):
        raise FormatProblem(f"record is {type_name(rec)}, not an object")
    system = _opt_str(rec, SYSTEM)
    instruction = _opt_str(rec, INSTRUCTION)
    query = _opt_str(rec, QUERY)
    response = _opt_str(rec, RESPONSE)
    history = rec.get(HISTORY) or []
    if not isinstance(history, list):
        raise FormatProblem(f"'history' is {type_name(history)}, not a list of [query, response] pairs")
    pairs = []
    for i, pair in enumerate(history):
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not all(isinstance(x, str) for x in pair)):
            raise FormatProblem(f"history[{i}] is not a [query, response] pair of strings")
        pairs.append((pair[0], pair[1]))
    return system, instruction, pairs, query, response


def _opt_str(rec: dict, key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormatProblem(f"'{key}' is {type_name(value)}, not a string")
    return value


def final_query(instruction: str, query: str) -> str:
    """The last user turn of an exported conversation. Data-Juicer writes its ``instruction``
    as a message of role "instruction", which no trainer knows; Alpaca's meaning (LLaMA-Factory:
    instruction and input joined by a line break) puts it into the user turn it belongs to."""
    return "\n".join(t for t in (instruction, query) if t)


def dj_to_turns(rec: dict, user: str = "user", assistant: str = "assistant",
                with_response: bool = True) -> tuple[list[tuple[str, str]], dict]:
    """([(role, content)], the record's other fields) for a conversational export: a system
    message when there is a system prompt, the history, the last query (instruction merged in),
    the response unless it is empty."""
    system, instruction, pairs, query, response = dj_dialog(rec)
    last = final_query(instruction, query)
    if not last.strip():
        raise FormatProblem("empty query: nothing for the user turn")
    turns = [("system", system)] if system else []
    for q, r in pairs:
        turns += [(user, q), (assistant, r)]
    turns.append((user, last))
    if with_response and response:
        turns.append((assistant, response))
    return turns, rest(rec, (*DIALOG_KEYS, REJECTED))
