"""Anthropic HH-RLHF: ``chosen``/``rejected`` transcripts ``"\\n\\nHuman: ...\\n\\nAssistant: ..."``.

Each transcript is cut at its ``\\n\\nHuman:`` / ``\\n\\nAssistant:`` markers into turns (stripped,
as LLaMA-Factory's hh_rlhf loader does); the two must agree up to their last assistant turn,
which are the answers (``preference.implicit_prompt_to_dj``). ``Human:`` inside a turn (not
after a blank line) is text, as in the data.
"""

from __future__ import annotations

import re

from sparkops.formats.dialog import FormatProblem, field
from sparkops.formats.preference import implicit_prompt_to_dj

_MARKER = re.compile(r"\n\n(Human|Assistant):")


def transcript_turns(text: str, key: str) -> list[tuple[str, str]]:
    parts = _MARKER.split(text)
    if len(parts) == 1:
        raise FormatProblem(f"'{key}' has no '\\n\\nHuman:' or '\\n\\nAssistant:' turn")
    if parts[0].strip():
        raise FormatProblem(f"'{key}' has text before its first turn marker")
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def hh_rlhf_to_dj(obj: dict) -> dict:
    chosen, rejected = field(obj, "chosen"), field(obj, "rejected")
    return implicit_prompt_to_dj(obj, transcript_turns(chosen, "chosen"), transcript_turns(rejected, "rejected"))
