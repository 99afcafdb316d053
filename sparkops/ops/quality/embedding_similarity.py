"""text_embd_similarity_filter: Data-Juicer 1.6.1's filter, on an embedding model that ships in a
package (``sparkops.models.embedding``: WordLlama) instead of an embedding API or a Hugging Face
download.

Data-Juicer's statistic (``text_embd_similarity``): the mean cosine similarity between the
text's embedding and each validation text's embedding; a row whose embedding could not be
computed has no statistic and is kept. The validation texts are ``input_template`` formatted
with each validation record (a record lacking a field of the template: its ``messages``'
contents, in order, as Data-Juicer does, but only when no other record has that field: then
Data-Juicer's Dataset gives it None, formatted as 'None', reproduced here). The mean of cosines is the dot product of the unit
text embedding with the mean of the unit validation embeddings, computed once when the op is
bound.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from sparkops.core import COMMON_FILTER_PARAMS, Example, Op, OpError, Param, Stat, declare
from sparkops.core.declaration import in_range
from sparkops.models.embedding import DIMENSION, check_model, embed
from sparkops.ops.llm.params import DictParam

STAT = "text_embd_similarity"


class RecordsParam(Param):
    """A list of records (Data-Juicer's ``valid_dataset``): the core's type tags have no mapping."""

    def coerce(self, value: Any, where: str) -> Any:
        if value is None:
            return None
        if isinstance(value, (str, bytes)) or not isinstance(value, list) or \
                not all(isinstance(r, Mapping) for r in value):
            raise OpError(f"{where}: parameter '{self.name}' must be a list of records (mappings), "
                          f"got {type(value).__name__}")
        return [dict(r) for r in value]


def template_fields(template: str, where: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as err:
        raise OpError(f"{where}: input_template is not a format string: {err}") from None


def record_text(record: Mapping, template: str, fields: list[str]) -> str:
    """Data-Juicer's ``_sample_to_text``: the template over the record, or over its messages."""
    if all(f in record for f in fields):
        return template.format(**record)
    if "messages" not in record:
        raise KeyError(next(f for f in fields if f not in record))
    contents = [m["content"] for m in record["messages"]]
    return template.format(**dict(zip(fields, contents[:len(fields)])))


def _read_records(path: str, where: str) -> list[dict]:
    p = Path(path)
    if not p.is_file():
        raise OpError(f"{where}: valid_file {path!r} not found")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix == ".json":
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as err:
        raise OpError(f"{where}: valid_file {path!r} is not JSON / JSON lines: {err}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise OpError(f"{where}: valid_file {path!r} must hold records (objects), one per line or as a list")
    return records


def _prepare(p: dict, where: str) -> dict:
    if p["is_hf_model"]:
        raise OpError(f"{where}: is_hf_model must be false: sparkops embeds with a model that ships in a package "
                      "(api_or_hf_model: wordllama), never a Hugging Face download")
    if p["api_or_hf_model"] == "text-embedding-v4":  # Data-Juicer's default: an API model
        raise OpError(f"{where}: api_or_hf_model 'text-embedding-v4' is Data-Juicer's default embedding API, which "
                      "sparkops does not call: set api_or_hf_model: wordllama (an embedding model shipped in a "
                      "package; thresholds do not carry over from another model)")
    check_model(p["api_or_hf_model"], where)
    records = list(p["valid_dataset"] or [])
    if p["valid_file"]:
        records += _read_records(p["valid_file"], where)
    if not records:
        raise OpError(f"{where}: give valid_dataset (records) or valid_file (JSON lines): the texts rows are "
                      "compared with (Data-Juicer's prepare_valid_feature call has no place in a recipe)")
    template = p["input_template"] or "{" + (p.get("text_key") or "text") + "}"
    fields = template_fields(template, where)
    row_fields = {"text", p.get("text_key") or "text"}
    if not set(fields) <= row_fields:
        raise OpError(f"{where}: input_template may name only the row's text ({', '.join(sorted(row_fields))}); "
                      f"it names {', '.join(sorted(set(fields) - row_fields))}")
    # Data-Juicer reads the records through a Hugging Face Dataset, whose columns are the union of
    # the records' fields: a record lacking a field another one has holds None there, which the
    # template formats as 'None' (its messages fallback only applies when no record has the field)
    columns = dict.fromkeys(k for r in records for k in r)
    records = [{k: r.get(k) for k in columns} for r in records]
    texts = []
    for i, r in enumerate(records):
        try:
            texts.append(record_text(r, template, fields))
        except (KeyError, IndexError, TypeError) as err:
            raise OpError(f"{where}: validation record {i} has no field {err} for input_template {template!r} "
                          "(and no messages to take it from)") from None
    vectors, has = embed(texts, p["api_or_hf_model"])
    if not has.any():
        raise OpError(f"{where}: no validation text has a token to embed")
    # mean over validation texts of cos(x, v) = x . mean(v / |v|); a text without tokens counts as
    # a zero vector (a cosine of 0), where Data-Juicer's torch call would count it as 0 too
    centre = vectors.astype(np.float64).sum(axis=0) / len(texts)
    return {**p, "_centre": centre, "_template": template, "_valid_count": len(texts)}


def similarities(texts: list, p: dict) -> list:
    template, key = p["_template"], p.get("text_key") or "text"
    shown = [None if t is None else template.format(**{"text": t, key: t}) for t in texts]
    vectors, has = embed(shown, p["api_or_hf_model"])
    sims = vectors.astype(np.float64) @ p["_centre"]
    return [float(s) if ok else None for s, ok in zip(sims, has)]


def _compute(docs, p):
    return {STAT: similarities([d.text for d in docs], p)}


def _keep(stats, p) -> bool:
    value = stats[STAT]
    return True if value is None else in_range(value, p["min_score"], p["max_score"], p)


declare(Op(
    name="text_embd_similarity_filter", kind="filter", family="quality",
    doc="Keep rows whose mean embedding cosine similarity to a set of validation texts is within "
        "[min_score, max_score] (Data-Juicer's text_embd_similarity_filter; embeddings from WordLlama, "
        "which ships in its package).",
    params=(
        Param("api_or_hf_model", "str", "text-embedding-v4", "The embedding model: `wordllama` (256-d, shipped in "
              "the wordllama package). Data-Juicer's default names its embedding API, which sparkops does not "
              "call: set `wordllama`."),
        Param("is_hf_model", "bool", False, "Must be false (no Hugging Face download)."),
        Param("api_endpoint", "str", "embeddings", "Data-Juicer's API path; unused (no API call)."),
        Param("response_path", "str", "data.0.embedding", "Data-Juicer's API response path; unused."),
        DictParam("model_params", "dict", {}, "Data-Juicer's API client arguments; unused."),
        Param("min_score", "float", 0.1, "Min mean similarity to keep."),
        Param("max_score", "float", 1.0, "Max mean similarity to keep."),
        RecordsParam("valid_dataset", "list[record]", None, "The validation records (`[{text: ...}, ...]`).",
                      nullable=True),
        Param("valid_file", "str", None, "sparkops: a JSON-lines (or .json list) file of more validation records; "
              "relative to the job spec's folder.", nullable=True, path=True),
        Param("ebd_dim", "int", 4096, "Data-Juicer's API dimension; unused (WordLlama: 256)."),
        Param("pooling", "str", None, "Data-Juicer's Hugging Face pooling; unused (WordLlama: mean of token "
              "vectors).", nullable=True),
        Param("input_template", "str", None, "Format string for the model input; default `{text}` (the "
              "text_key). Validation records may use any of their fields; a row's template may name only its text.",
              nullable=True),
        *COMMON_FILTER_PARAMS,
    ),
    stats=(Stat(STAT, "double", "Mean cosine similarity of the text's embedding to the validation texts' "
                "embeddings; null when the text has no token (the row is kept, as Data-Juicer keeps a row "
                "without a similarity)."),),
    compute=_compute, keep=_keep, prepare=_prepare, batch_size=1024,
    range=(STAT, "min_score", "max_score"), sql_params=("api_or_hf_model", "valid_file"),
    requires=("embed",),
    models=(f"WordLlama l2_supercat ({DIMENSION}-d token embeddings, MIT), inside the wordllama 0.4.0.post1 wheel",),
    notes="Data-Juicer's statistic and keep rule; the model differs (Data-Juicer calls an embedding API or a Hugging "
          "Face model, neither reachable here), so thresholds do not carry over. tests/fixtures/dj_embd_similarity.json "
          "holds Data-Juicer 1.6.1's own statistics with WordLlama put in as its model (tools/dj_embd_fixture.py). "
          "In SQL: `text_embd_similarity(text, 'wordllama', 'valid.jsonl')`.",
    examples=(
        Example("text_embd_similarity('Our store offers free shipping on all orders over 50 dollars.', 'wordllama', "
                "'data/c4_sample.jsonl') > text_embd_similarity('qzx vvk ptt rrm', 'wordllama', "
                "'data/c4_sample.jsonl')", True, "web prose is nearer the C4 sample than letter noise"),
        Example("text_embd_similarity('', 'wordllama', 'data/c4_sample.jsonl')", None,
                "no token: no similarity (the filter keeps the row)"),
    ),
))
