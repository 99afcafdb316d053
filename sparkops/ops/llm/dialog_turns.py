"""The dialog a record holds, as Data-Juicer 1.6.1's dialog LLM mappers read it
(``data_juicer/ops/mapper/dialog_llm_input_utils.py``): (user, assistant) turns from the history
field, the query / response fields merged in, and the clipping of long turns for a prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """A value as a JSON record holds it: a Spark array (a numpy array in pandas) as a list, a
    struct as a dict, nested ones too."""
    if hasattr(value, "asDict"):
        value = value.asDict(recursive=True)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def non_negative(value) -> str | None:
    """Data-Juicer's ``NonNegativeInt`` parameters."""
    return None if value >= 0 else "must be >= 0"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def turns(fields: Mapping[str, Any], history_key: str, query_key: str, response_key: str) -> list[tuple[str, str]]:
    """The (user, assistant) turns: every history entry with two items or more (None as ''), then
    the query (when truthy) with its response: appended, or replacing the last turn's answer when
    the last turn has the same query, or nothing when the last turn is the same pair (a record
    normalized by agent_dialog_normalize_mapper holds the last turn in both places)."""
    dialog: list[tuple[str, str]] = []
    history = plain(fields.get(history_key))
    if isinstance(history, list):
        for turn in history:
            if isinstance(turn, (list, tuple)) and len(turn) >= 2:
                dialog.append((_text(turn[0]), _text(turn[1])))
    query = plain(fields.get(query_key))
    if query:
        pair = (_text(query), _text(plain(fields.get(response_key)) or ""))
        if dialog and dialog[-1][0] == pair[0]:
            dialog[-1] = pair  # the same pair, or the same query with a new answer
        else:
            dialog.append(pair)
    return dialog


def clip(text: str, max_chars: int, note: str = "truncated") -> str:
    """``text`` cut to ``max_chars`` characters, a ``\\n…[note]…`` suffix included (0: no limit)."""
    if not max_chars or max_chars <= 0 or not text or len(text) <= max_chars:
        return text
    suffix = f"\n…[{note}]…"
    keep = max_chars - len(suffix)
    return suffix.strip() if keep <= 0 else text[:keep] + suffix


def clip_pair(query: Any, response: Any, max_query_chars: int, max_response_chars: int) -> tuple[str, str]:
    return (clip(_text(query), max_query_chars, "query truncated"),
            clip(_text(response), max_response_chars, "response truncated"))
