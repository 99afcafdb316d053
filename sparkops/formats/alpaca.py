"""Alpaca (``instruction``, ``input``, ``output``, optional ``system`` and ``history``).

To the intermediate record as Data-Juicer's ``alpaca_to_dj``: ``input`` becomes ``query``,
``output`` becomes ``response``, every other field (``instruction`` too) stays as it is.
Back as ``dj_to_alpaca``: ``query`` -> ``input``, ``response`` -> ``output``; an empty
``system``, ``instruction`` or ``history`` is left out (Data-Juicer leaves out *every* empty
or false field, a KTO ``label: false`` or a score of 0 included; those are kept here).
"""

from __future__ import annotations

from sparkops.formats.dialog import (HISTORY, INSTRUCTION, QUERY, RESPONSE, SYSTEM, FormatProblem, dj_dialog, field,
                                     rest, type_name)


def alpaca_to_dj(obj: dict) -> dict:
    instruction = field(obj, "instruction", optional=True)
    query = field(obj, "input", optional=True)
    response = field(obj, "output")
    field(obj, "system", optional=True)
    if not (instruction or "").strip() and not (query or "").strip():
        raise FormatProblem("empty instruction and input")
    if not response.strip():
        raise FormatProblem("empty output")
    history = obj.get(HISTORY)
    if history is not None:
        if not isinstance(history, list):
            raise FormatProblem(f"'history' is {type_name(history)}, not a list of [query, response] pairs")
        for i, pair in enumerate(history):
            if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, str) for x in pair)):
                raise FormatProblem(f"history[{i}] is not a [query, response] pair of strings")
    out = rest(obj, ("input", "output"))
    if query is not None:  # Data-Juicer writes query only where the record has an input
        out[QUERY] = query
    out[RESPONSE] = response
    return out


def dj_to_alpaca(rec: dict) -> dict:
    dj_dialog(rec)  # checks the dialog fields' types
    out = {k: v for k, v in rest(rec, (QUERY, RESPONSE)).items()
           if not (k in (SYSTEM, INSTRUCTION, HISTORY) and not v)}
    if QUERY in rec:
        out["input"] = rec[QUERY]
    if RESPONSE in rec:
        out["output"] = rec[RESPONSE]
    return out
