"""SFT and preference data formats, to and from Data-Juicer's intermediate dialog record.

``to_dj(fmt, obj)`` reads one source record, ``from_dj(fmt, rec)`` writes one for a trainer;
both return a new dict or raise ``FormatProblem`` with the reason. Pure Python: the job
reader and the export run them inside Spark tasks and on the driver. See ``dialog`` for the
intermediate record.
"""

from __future__ import annotations

from sparkops.formats.alpaca import alpaca_to_dj, dj_to_alpaca
from sparkops.formats.dialog import FormatProblem
from sparkops.formats.hh_rlhf import hh_rlhf_to_dj
from sparkops.formats.kto import dj_to_kto, kto_to_dj
from sparkops.formats.messages import dj_to_messages, messages_to_dj
from sparkops.formats.preference import dj_to_preference, preference_to_dj
from sparkops.formats.sharegpt import dj_to_sharegpt, dj_to_swift, sharegpt_to_dj, swift_to_dj

READERS = {
    "alpaca": alpaca_to_dj,
    "sharegpt": sharegpt_to_dj,
    "sharegpt_swift": swift_to_dj,
    "messages": messages_to_dj,
    "preference": preference_to_dj,
    "kto": kto_to_dj,
    "hh_rlhf": hh_rlhf_to_dj,
}
WRITERS = {
    "alpaca": dj_to_alpaca,
    "sharegpt": dj_to_sharegpt,
    "sharegpt_swift": dj_to_swift,
    "messages": dj_to_messages,
    "preference": dj_to_preference,
    "kto": dj_to_kto,
}
# the intermediate field a job's operators see as the text by default: the answer being trained on
DEFAULT_TEXT_KEY = "response"


def to_dj(fmt: str, obj) -> dict:
    if not isinstance(obj, dict):
        raise FormatProblem(f"not a JSON object ({type(obj).__name__})")
    return READERS[fmt](obj)


def from_dj(fmt: str, rec: dict) -> dict:
    return WRITERS[fmt](rec)


__all__ = ["FormatProblem", "READERS", "WRITERS", "DEFAULT_TEXT_KEY", "to_dj", "from_dj"]
