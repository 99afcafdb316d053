"""text_tagging_by_prompt_mapper: Data-Juicer 1.6.1's prompt tagging (``ops/mapper/
text_tagging_by_prompt_mapper.py``): the text and the tag list in one user turn, the stripped answer
as the text's one tag. Data-Juicer runs a local vLLM / Hugging Face model; here ``hf_model`` is the
model asked behind the OpenAI-compatible endpoint (DataFrame half: ``sparkops.spark.llm_text_tagging``)."""

from __future__ import annotations

from dataclasses import replace

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm.generate_qa import hf_llm_params, hf_settings
from sparkops.ops.llm.stats import USAGE

TEXT_TAGS = "__dj__text_tags__"  # Data-Juicer's Fields.text_tags

# Data-Juicer 1.6.1's defaults (facts: the parity fixture checks our requests against its own)
CLASSIFICATION_PROMPT = """
请对下面的example文本回复的任务类别进行检测,并进行分类。
备选的分类包括：{tag_list}。
只回复对应的分类,不回复其他内容。
example文本:
{text}
"""
CLASSIFICATION_LIST = ["数学", "代码", "翻译", "角色扮演", "开放领域问答", "特定领域问答", "提取", "生成", "头脑风暴",
                       "分类", "总结", "改写", "其他"]
IDENTITY_BINARY_PROMPT = """
检测下面的example文本的回复中是否包含人工智能模型的自我认知(例如表现出自己是一个AI人工助手)。
备选的分类包括：{tag_list}。
只回复对应的分类,不回复其他内容。

example文本:
{text}
"""
BINARY_LIST = ["是", "否"]


def messages(text, p: dict) -> list[dict]:
    """One user turn: the prompt with ``{text}`` and ``{tag_list}`` (the list's Python repr, as
    ``str.format`` writes a list)."""
    return [{"role": "user", "content": p["prompt"].format(text=text, tag_list=p["tag_list"])}]


def parse(raw: str | None) -> list[str]:
    """The text's tags: the answer stripped, as a one-element list (whatever it says)."""
    return [(raw or "").strip()]


def _prepare(values: dict, where: str) -> dict:
    try:
        values["prompt"].format(text="", tag_list=[])
    except (KeyError, IndexError, ValueError) as err:
        raise OpError(f"{where}: prompt must be a str.format template with only {{text}} and {{tag_list}} "
                      f"(literal braces doubled): {err!r}") from None
    # vLLM or Hugging Face: here the model is always reached behind the endpoint
    p = hf_settings({**values, "enable_vllm": False}, where)
    return {**p, "read_keys": [values["text_key"]] if values["text_key"] else []}


def _params() -> tuple[Param, ...]:
    out = []
    for p in hf_llm_params("Qwen/Qwen2.5-7B-Instruct"):
        if p.name == "enable_vllm":
            p = replace(p, default=True, doc="Data-Juicer's switch between vLLM and transformers; both are the "
                        "model behind the endpoint here (vLLM's OpenAI-compatible server is one), so it is "
                        "accepted either way.")
        elif p.name == "try_num":
            p = replace(p, doc="Requests per row at most: a failed request is asked again up to this many times "
                        "(every answer is a tag). Data-Juicer asks once: 1.")
        out.append(p)
    return (*out,
            Param("prompt", "str", CLASSIFICATION_PROMPT, "The user turn, with `{text}` and `{tag_list}` (the "
                  "list's Python repr). Data-Juicer's default: the task-category prompt (Chinese); its other "
                  "prompt, `DEFAULT_IDENTITY_BINARY_PROMPT`, is in `sparkops.ops.llm.text_tagging`."),
            Param("tag_list", "list[str]", list(CLASSIFICATION_LIST), "The tags offered to the model."),
            Param("trust_remote_code", "bool", False, "Data-Juicer's transformers option; no effect here."),
            Param("tensor_parallel_size", "int", None, "Data-Juicer's vLLM option; set it on the server.",
                  nullable=True),
            Param("max_model_len", "int", None, "Data-Juicer's vLLM option; set it on the server.", nullable=True),
            Param("max_num_seqs", "int", 256, "Data-Juicer's vLLM option; set it on the server."),
            Param("text_key", "str", None, "Record field of the text; default: the input's text field.",
                  nullable=True))


declare(Op(
    name="text_tagging_by_prompt_mapper", kind="selector", family="llm",
    doc="Tag each text with an LLM: the text and the tag list in Data-Juicer's prompt, the stripped answer as "
        f"its tag (`{TEXT_TAGS}`, a one-element list).",
    params=_params(),
    stats=(Stat("text_tagging_raw", "string", "The model's answer, verbatim (null: not asked, or the request "
                                              "failed)."),
           Stat("text_tagging_reason", "string", "Why the row has no tag (no text, endpoint error), or null."),
           *USAGE),
    frame="sparkops.spark.llm_text_tagging:tagging", prepare=_prepare,
    notes=f"An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`: cache, retries, "
          f"usage). `{TEXT_TAGS}` (`array<string>`) is a column and a field of the job's record, as Data-Juicer "
          "writes it beside the text: `[answer.strip()]`, whatever the answer says (Data-Juicer does not check it "
          "against `tag_list`). Data-Juicer runs `hf_model` locally (vLLM by default, else a transformers "
          "pipeline) and sends the one user turn through its chat template; here it is the model asked behind "
          "the OpenAI-compatible endpoint (`model_params.base_url`, `OPENAI_BASE_URL`), which applies the chat "
          "template. Data-Juicer's `update_sampling_params` (`max_tokens` / `max_new_tokens` from the model's "
          "generation config) has no counterpart: give `sampling_params.max_tokens`. A row without text is not "
          "asked (no tag, reason `no text`); a failed request leaves the tag null with the reason (Data-Juicer's "
          "local model cannot fail that way) and is asked again by the next run.",
))
