"""Data-Juicer's ``optimize_prompt_mapper``: per batch of rows, the model sees a few of the batch's
prompts as examples and writes a new, better one; ``gen_num`` times in a chain, each new prompt
joining the examples (the oldest dropped). Each new prompt becomes a new row, a copy of the
batch's first row with the new prompt.

Pure halves here, as Data-Juicer 1.6.1's ``OptimizePromptMapper`` builds and parses them
(``build_input``, ``parse_output``) and chains them (``process_batched``): the prompt of a list of
examples (``messages``), the parser (``parse``), the first examples of a batch (``pick``) and the
next ones (``advance``). The DataFrame half is ``sparkops.spark.llm_optimize_prompt``.
"""

from __future__ import annotations

import random
import re

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.core.params import positive
from sparkops.ops.llm.params import llm_params, llm_settings

# Data-Juicer 1.6.1's defaults (data_juicer/ops/mapper/optimize_prompt_mapper.py, Apache-2.0),
# reproduced as facts: an op with its name asks the model the same question
SYSTEM_PROMPT = ("请你仔细观察多个示例提示词，按照你的理解，总结出相应规矩，然后写出一个新的更好的提示词，以让模型更好地完成指定任务。"
                 "注意，新生成的【提示词】需要满足如下要求：\n"
                 "1. 生成的【提示词】不能与输入的【提示词】完全一致，但是需要保持格式类似。\n"
                 "2. 生成的【提示词】相比于输入的【提示词】不能有很大的变化，更多应该是关键词、核心参数等方面的微调。\n"
                 "3. 生成时只需生成带有【提示词】前缀的提示词，不需生成其他任何额外信息。\n")
INPUT_TEMPLATE = "{}"
EXAMPLE_TEMPLATE = "\n如下是一条示例数据：\n{}"
PROMPT_TEMPLATE = "【提示词】\n{}\n"
OUTPUT_PATTERN = r"【提示词】(.*?)(?=【|$)"
# Data-Juicer's batch size of an op whose _accelerator is "cuda" (base_op.OP.__init__), this one's
BATCH_SIZE = 10


def build_input(examples: list[str], p: dict) -> str:
    """``prompt_template`` in ``example_template`` per example, concatenated, in ``input_template``."""
    return p["input_template"].format("".join(p["example_template"].format(p["prompt_template"].format(e))
                                              for e in examples))


def messages(examples: list[str], p: dict) -> list[dict]:
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": build_input(examples, p)}]


def parse(raw: str | None, p: dict) -> str:
    """The first match of ``output_pattern`` (its group, if it has one), stripped; '' for none."""
    if raw is None:  # Data-Juicer's API model answers '' for a failed call
        return ""
    found = p["pattern"].findall(raw)
    return found[0].strip() if found else ""


def attempts(p: dict) -> int:
    """Requests per new prompt at most: Data-Juicer's loop asks once, then again while the parsed
    prompt is empty, until ``retry_num`` empty ones."""
    return max(1, p["retry_num"])


def pick(prompts: list[str], p: dict, batch: int) -> list[str]:
    """The batch's first examples: ``max_example_num`` of its prompts in random order, as
    Data-Juicer's ``random.sample``, but seeded per batch (``seed``, the batch's number) so a
    re-run asks the same questions and the response cache answers them."""
    return random.Random(f"{p['seed']}:{batch}").sample(prompts, min(p["max_example_num"], len(prompts)))


def advance(examples: list[str], new: str | None, p: dict) -> list[str]:
    """The examples after a new prompt: appended, the oldest dropped beyond ``max_example_num``."""
    if not new:
        return list(examples)
    out = [*examples, new]
    return out[1:] if len(out) > p["max_example_num"] else out


def _prepare(values: dict, where: str) -> dict:
    try:
        pattern = re.compile(values["output_pattern"] or OUTPUT_PATTERN, re.DOTALL)
    except re.error as err:
        raise OpError(f"{where}: output_pattern is not a regular expression: {err}") from None
    if pattern.groups > 1:  # Data-Juicer strips its first findall match: a tuple there raises
        raise OpError(f"{where}: output_pattern may have one group (the new prompt) at most, it has "
                      f"{pattern.groups}")
    out = {**values, **llm_settings(values, where), "pattern": pattern,
           "system_prompt": values["system_prompt"] or SYSTEM_PROMPT,
           "input_template": values["input_template"] or INPUT_TEMPLATE,
           "example_template": values["example_template"] or EXAMPLE_TEMPLATE,
           "prompt_template": values["prompt_template"] or PROMPT_TEMPLATE,
           "read_keys": [values["prompt_key"]]}
    try:
        build_input(["x"], out)
    except (IndexError, KeyError, ValueError) as err:
        raise OpError(f"{where}: input_template, example_template and prompt_template need one '{{}}' each: "
                      f"{type(err).__name__}: {err}") from None
    return out


STATS = (
    Stat("optimize_prompt_generated", "boolean", "A row the op made (a new prompt; rejected when the model gave "
                                                 "none), false for the batch's own rows."),
    Stat("optimize_prompt_batch", "long", "The batch of the row (its place in the order // batch_size)."),
    Stat("optimize_prompt_round", "long", "Which of the gen_num generations made a new row (null on the batch's "
                                          "own rows)."),
    Stat("optimize_prompt_raw", "string", "The model's last answer for a new row, verbatim."),
    Stat("optimize_prompt_reason", "string", "Why a generation gave no prompt (empty parse after retry_num "
                                             "answers, endpoint error), or null."),
    Stat("llm_prompt_tokens", "long", "Prompt tokens of the generation's requests (as recorded when cached)."),
    Stat("llm_completion_tokens", "long", "Completion tokens of the generation's requests."),
    Stat("llm_requests", "long", "Requests the generation needed (retry_num retries of an empty prompt)."),
    Stat("llm_cached", "boolean", "Every answer came from the response cache."),
)

declare(Op(
    name="optimize_prompt_mapper", kind="selector", family="llm",
    doc="Write new prompts from each batch's prompts with an LLM, as new rows.",
    params=(*(q for q in llm_params("Qwen/Qwen2.5-7B-Instruct") if q.name != "try_num"),
            Param("gen_num", "int", 3, "New prompts per batch (a chain: each joins the examples of the next).",
                  check=positive),
            Param("max_example_num", "int", 3, "Prompts shown to the model as examples at most.", check=positive),
            Param("keep_original_sample", "bool", True, "Keep the batch's own rows; false: only the new ones."),
            Param("retry_num", "int", 3, "Requests per new prompt at most while the parsed prompt is empty."),
            Param("prompt_key", "str", "prompt", "Record field of the prompt (Data-Juicer's prompt_key)."),
            Param("batch_size", "int", BATCH_SIZE, "Rows per batch, in the data's order (Data-Juicer's default for "
                  "this op).", check=positive),
            Param("seed", "int", 42, "Seed of each batch's choice of examples (Data-Juicer's is unseeded)."),
            Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese).", nullable=True),
            Param("input_template", "str", None, "User message template with one `{}` (the examples).",
                  nullable=True),
            Param("example_template", "str", None, "Template of one example with one `{}`.", nullable=True),
            Param("prompt_template", "str", None, "Template of one prompt with one `{}`.", nullable=True),
            Param("output_pattern", "str", None, "Regex of the new prompt in the answer (its first match; its "
                  "group if it has one).", nullable=True)),
    stats=STATS, frame="sparkops.spark.llm_optimize_prompt:optimize_prompt", prepare=_prepare,
    notes="An LLM op run as a selector-kind frame (`sparkops.spark.llm`'s cache and spool): the rows, in the "
          "data's order, are cut into batches of `batch_size`; per batch `max_example_num` prompts are picked "
          "(seeded by `seed` and the batch's number, where Data-Juicer's random.sample is unseeded) and `gen_num` "
          "generations run as rounds, every batch's request of a round asked at once. A new prompt is a new row: "
          "the batch's first row with the prompt replaced (in the record, a prompt column, and the text when it "
          "holds the prompt), placed after the batch's rows (`_order`), `stats.optimize_prompt_generated` true. A "
          "generation that gives no prompt after `retry_num` answers (Data-Juicer skips it) is a rejected row "
          "(`optimize_prompt_mapper:no_prompt`, or `error:...: endpoint: ...`) with the raw answer and the "
          "reason. `keep_original_sample: false` rejects the batch's own rows (`optimize_prompt_mapper`). Rows "
          "whose prompt is missing or not a string are not examples; a batch where no row has the field is left "
          "as it is, as in Data-Juicer. `is_hf_model` / `enable_vllm` are refused: serve the model behind an "
          "endpoint.",
))
