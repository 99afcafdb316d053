"""Data-Juicer's QA synthesis: ``generate_qa_from_text_mapper`` (a document in, a row per
question-answer pair the model wrote about it out) and ``generate_qa_from_examples_mapper`` (a
new sample written after a few seed samples, kept while it is not too close to them by ROUGE-L).

Pure halves here: the prompts, the answer parser, the seed file, the seeded choice of examples
and the similarity verdict, as Data-Juicer 1.6.1's ``GenerateQAFromTextMapper`` and
``GenerateQAFromExamplesMapper`` build and parse them (checked against Data-Juicer itself:
``tests/llm_generate_corpus.py``). The DataFrame half is ``sparkops.spark.llm_generate_qa``.

Data-Juicer runs both on a local Hugging Face model (``hf_model``); here that model is reached
through the OpenAI-compatible endpoint under that name, as every LLM op.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import replace
from pathlib import Path

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.core.params import positive
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.text.rouge import rouge_l_f

# Data-Juicer 1.6.1 generate_qa_from_text_mapper.py: its default output_pattern (the answer format
# of the alibaba-pai doc2qa models: "Human: ... Assistant: ...", repeated)
TEXT_OUTPUT_PATTERN = r"Human:(.*?)Assistant:(.*?)(?=Human|$)"

# Data-Juicer 1.6.1 generate_qa_from_examples_mapper.py: its default prompt and answer format
EXAMPLES_SYSTEM_PROMPT = (
    "请你仔细观察多个示例数据的输入和输出，按照你的理解，总结出相应规矩，然后写出一个新的【问题】和【回答】。"
    "注意，新生成的【问题】和【回答】需要满足如下要求：\n"
    "1. 生成的【问题】和【回答】不能与输入的【问题】和【回答】一致，但是需要保持格式相同。\n"
    "2. 生成的【问题】不一定要局限于输入【问题】的话题或领域，生成的【回答】需要正确回答生成的【问题】。\n"
    "3. 提供的【问题】和【回答】可能是多轮对话，生成的【问题】和【回答】也可以是多轮，但是需要保持格式相同。\n"
    "4. 生成的【问题】和【回答】必须成对出现，而且【问题】需要在【回答】之前。\n"
)
EXAMPLES_INPUT_TEMPLATE = "{}"
EXAMPLE_TEMPLATE = "\n如下是一条示例数据：\n{}"
QA_PAIR_TEMPLATE = "【问题】\n{}\n【回答】\n{}\n"
EXAMPLES_OUTPUT_PATTERN = r"【问题】(.*?)【回答】(.*?)(?=【问题】|$)"

NO_PAIRS = "no_pairs"  # the rule of a document whose answer gave no pair (``<op>:no_pairs``)
UNPARSABLE, TOO_SIMILAR = "unparsable answer", "too similar"


# -- parameters ------------------------------------------------------------------------------------

def hf_llm_params(model: str) -> tuple[Param, ...]:
    """The LLM client's parameters for an op whose Data-Juicer model is ``hf_model`` (no
    ``api_or_hf_model`` / ``is_hf_model``); ``try_num`` 1: Data-Juicer asks these ops once."""
    out = []
    for p in llm_params(model):
        if p.name == "api_or_hf_model":
            out.append(replace(p, name="hf_model", doc="Model name sent to the endpoint (`model`): Data-Juicer's "
                               "Hugging Face model, served behind the endpoint under this name."))
        elif p.name == "enable_vllm":
            out.append(replace(p, doc="Must be false: serve the model behind vLLM's OpenAI-compatible server."))
        elif p.name == "try_num":
            out.append(replace(p, default=1, doc="Requests per row at most: an answer without a pair or a failed "
                               "request is asked again (as a new request) up to this many times. Data-Juicer asks "
                               "once: 1."))
        elif p.name != "is_hf_model":
            out.append(p)
    return tuple(out)


def hf_settings(values: dict, where: str) -> dict:
    """``llm_settings`` for an ``hf_model`` op: the model is sent under its name."""
    if values["enable_vllm"]:
        raise OpError(f"{where}: enable_vllm: sparkops reaches models through an OpenAI-compatible endpoint only: "
                      f"serve '{values['hf_model']}' (vLLM's OpenAI server, or `sparkops llm serve --model "
                      "FILE.gguf`) and set model_params.base_url or OPENAI_BASE_URL")
    settings = llm_settings({**values, "api_or_hf_model": values["hf_model"], "is_hf_model": False}, where)
    return {**values, **settings, "api_or_hf_model": values["hf_model"]}


def pair_pattern(value: str | None, default: str, where: str) -> re.Pattern:
    """``output_pattern`` compiled as Data-Juicer uses it (``re.findall(..., re.DOTALL)``); it must
    have two groups: Data-Juicer unpacks each match into (question, answer)."""
    try:
        pattern = re.compile(value or default, re.DOTALL)
    except re.error as err:
        raise OpError(f"{where}: output_pattern is not a regular expression: {err}") from None
    if pattern.groups != 2:
        raise OpError(f"{where}: output_pattern needs exactly two groups (question, answer), it has "
                      f"{pattern.groups}")
    return pattern


def parse_pairs(raw: str | None, pattern: re.Pattern) -> list[tuple[str, str]]:
    """Data-Juicer's ``parse_output``: every match's two groups, stripped, in order."""
    if raw is None:
        return []
    return [(q.strip(), a.strip()) for q, a in pattern.findall(raw)]


# -- generate_qa_from_text_mapper ------------------------------------------------------------------

def text_messages(text: str) -> list[dict]:
    """Data-Juicer sends the document alone, as the user's turn (no system prompt)."""
    return [{"role": "user", "content": text}]


def text_pairs(raw: str | None, p: dict) -> list[tuple[str, str]]:
    """The pairs a document's answer gives, at most ``max_num``."""
    pairs = parse_pairs(raw, p["pattern"])
    return pairs if p["max_num"] is None else pairs[:p["max_num"]]


def _prepare_text(values: dict, where: str) -> dict:
    p = hf_settings(values, where)
    p["pattern"] = pair_pattern(values["output_pattern"], TEXT_OUTPUT_PATTERN, where)
    # a record field the document is read from (a DataFrame's column of that name)
    p["read_keys"] = [values["text_key"]] if values["text_key"] else []
    return p


# -- generate_qa_from_examples_mapper --------------------------------------------------------------

def chatml_pairs(messages: list) -> list[tuple[str | None, str]]:
    """Data-Juicer's ``_parse_chatml_str``: a pair per assistant turn, with the last user turn
    before it (None when there was none); other roles are skipped."""
    user, pairs = None, []
    for message in messages:
        if message["role"] == "user":
            user = message["content"]
        elif message["role"] == "assistant":
            pairs.append((user, message["content"]))
    return pairs


def load_seeds(path: str, where: str) -> list[list[tuple[str | None, str]]]:
    """The seed samples of a chatml JSONL file (one ``{"messages": [...]}`` per line), each its
    pairs; lines without a pair are left out, as Data-Juicer does. Errors name the line."""
    if not path:
        raise OpError(f"{where}: seed_file is required: a chatml JSONL file, one {{\"messages\": [...]}} per line "
                      "(Data-Juicer: \"Please provide `seed_file` in chatml format.\")")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise OpError(f"{where}: seed_file '{path}': {getattr(err, 'strerror', None) or err}") from None
    samples = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:  # Data-Juicer's json.loads raises on a blank line; nothing to read there
            continue
        at = f"{where}: seed_file '{path}' line {n}"
        try:
            data = json.loads(line)
        except ValueError as err:
            raise OpError(f"{at}: not JSON ({err})") from None
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise OpError(f"{at}: no 'messages' list of {{role, content}} objects (chatml)")
        try:
            pairs = chatml_pairs(messages)
        except KeyError as err:
            raise OpError(f"{at}: a message without {err}") from None
        for q, a in pairs:
            if not isinstance(a, str) or not (q is None or isinstance(q, str)):
                raise OpError(f"{at}: a user or assistant content that is not a string (chatml text turns only)")
        if pairs:
            samples.append(pairs)
    if not samples:
        raise OpError(f"{where}: seed_file '{path}': no question-answer pair (a user turn, then an assistant "
                      "turn) on any line (Data-Juicer: \"No QA data was parsed from the seed file!\")")
    return samples


def pick(n_seeds: int, k: int, seed: int, key: str) -> list[int]:
    """The indices of the ``k`` seed samples a row's prompt shows: ``random.sample`` with an RNG
    seeded by (``seed``, the row's key), so a re-run builds the same prompts (and its cache answers
    them). Data-Juicer's ``random.sample`` is unseeded."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode("utf-8", "surrogatepass")).digest()
    return random.Random(int.from_bytes(digest[:8], "big")).sample(range(n_seeds), k)


def build_input(examples: list[list[tuple]], p: dict) -> str:
    """Data-Juicer's ``build_input``: each example's pairs (those with a question and an answer)
    in ``qa_pair_template``, each example in ``example_template``, all in ``input_template``."""
    def pairs(example):
        return "".join(p["qa_pair_template"].format(q, a) for q, a in example if q and a)

    return p["input_template"].format("".join(p["example_template"].format(pairs(e)) for e in examples))


def examples_messages(examples: list[list[tuple]], p: dict) -> list[dict]:
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": build_input(examples, p)}]


def sample_to_str(sample: list[tuple]) -> str:
    """Data-Juicer's ``_sample_to_str``: every question and answer on its own line. A seed pair
    without a question counts as an empty one (Data-Juicer raises TypeError there)."""
    return "\n".join("\n".join("" if x is None else x for x in pair) for pair in sample) + "\n"


def max_rouge_l(pairs: list[tuple], references: list[list[tuple]]) -> float:
    """Data-Juicer's ``_max_rouge_l_score``: the highest ROUGE-L F of the new sample against each
    chosen seed sample, 0.0 at least."""
    hyp, best = sample_to_str(pairs), 0.0
    for ref in references:
        score = rouge_l_f(hyp, sample_to_str(ref))
        if score > best:
            best = score
    return best


def examples_verdict(raw: str | None, chosen: list[list[tuple]], p: dict) -> dict:
    """What Data-Juicer's ``process_single`` makes of an answer: query / response = the last new
    pair and history = the pairs before it while the sample is not too close to the examples
    (``similarity <= similarity_threshold``); else empty query and response, no history (and the
    reason: unparsable, too similar)."""
    pairs = parse_pairs(raw, p["pattern"])
    out = {"query": "", "response": "", "history": [], "pairs": len(pairs), "similarity": None, "reason": None}
    if not pairs:
        return {**out, "reason": UNPARSABLE}
    out["similarity"] = max_rouge_l(pairs, chosen)
    if out["similarity"] > p["similarity_threshold"]:
        return {**out, "reason": TOO_SIMILAR}
    (query, response), history = pairs[-1], [list(pair) for pair in pairs[:-1]]
    return {**out, "query": query, "response": response, "history": history}


def _check_template(name: str, template: str, args: tuple, where: str) -> None:
    try:
        template.format(*args)
    except (IndexError, KeyError, ValueError) as err:
        raise OpError(f"{where}: {name} must take {len(args)} positional '{{}}' placeholder(s) "
                      f"(str.format): {type(err).__name__}: {err}") from None


def _prepare_examples(values: dict, where: str) -> dict:
    p = hf_settings(values, where)
    p["pattern"] = pair_pattern(values["output_pattern"], EXAMPLES_OUTPUT_PATTERN, where)
    p["system_prompt"] = values["system_prompt"] or EXAMPLES_SYSTEM_PROMPT
    p["input_template"] = values["input_template"] or EXAMPLES_INPUT_TEMPLATE
    p["example_template"] = values["example_template"] or EXAMPLE_TEMPLATE
    p["qa_pair_template"] = values["qa_pair_template"] or QA_PAIR_TEMPLATE
    _check_template("input_template", p["input_template"], ("x",), where)
    _check_template("example_template", p["example_template"], ("x",), where)
    _check_template("qa_pair_template", p["qa_pair_template"], ("q", "a"), where)
    p["seeds"] = load_seeds(values["seed_file"], where)
    if values["example_num"] > len(p["seeds"]):
        raise OpError(f"{where}: example_num {values['example_num']} is more than the {len(p['seeds'])} seed "
                      f"sample(s) with a pair in seed_file '{values['seed_file']}' (Data-Juicer's random.sample "
                      "raises on every row)")
    return p


# -- declarations ----------------------------------------------------------------------------------

USAGE = (Stat("llm_prompt_tokens", "long", "Prompt tokens of this row's requests (as recorded when cached)."),
         Stat("llm_completion_tokens", "long", "Completion tokens of this row's requests."),
         Stat("llm_requests", "long", "Requests this row needed (at most try_num)."),
         Stat("llm_cached", "boolean", "Every answer came from the response cache."))
RECORD_KEYS = (Param("query_key", "str", "query", "Record field the question is written to."),
               Param("response_key", "str", "response", "Record field the answer is written to."))

declare(Op(
    name="generate_qa_from_text_mapper", kind="selector", family="llm",
    doc="Question-answer pairs written by an LLM from each document: one row per pair (the input record with "
        "`query` / `response` set), at most `max_num`.",
    params=(*hf_llm_params("alibaba-pai/pai-qwen1_5-7b-doc2qa"),
            Param("max_num", "int", None, "Pairs kept per document at most (the first ones); null: all.",
                  nullable=True, check=positive),
            Param("output_pattern", "str", None, "Regex with two groups (question, answer), found all over the "
                  "answer (DOTALL); default Data-Juicer's `Human: ... Assistant: ...` pattern (notes).", nullable=True),
            Param("text_key", "str", None, "Record field of the document; default: the input's text field.",
                  nullable=True),
            *RECORD_KEYS),
    stats=(Stat("qa_pairs", "long", "Pairs the model's answer gave (before `max_num`); 0: the document is rejected."),
           Stat("qa_index", "long", "This row's pair among them (0-based); null on a rejected row."),
           Stat("qa_raw", "string", "The model's answer, verbatim (null: not asked, or the request failed)."),
           Stat("qa_reason", "string", "Why the document gave no row (no pair in the answer, endpoint error), or "
                                       "null."),
           *USAGE),
    frame="sparkops.spark.llm_generate_qa:qa_from_text", prepare=_prepare_text,
    notes=f"Default `output_pattern`: `{TEXT_OUTPUT_PATTERN}` (the `Human:` / `Assistant:` turns of Data-Juicer's "
          "doc2qa models; a word starting with `Human` inside an answer ends it). "
          "An LLM op run as a selector-kind frame that makes rows (`sparkops.spark.llm_generate_qa`): each document is "
          "sent alone as the user's turn (Data-Juicer's request, no system prompt) to `hf_model` behind the "
          "endpoint; every pair the answer gives becomes a row, in order, `_order` extended by the pair's index, "
          "the pair in the record's `query` / `response` (the document stays in its field). Data-Juicer drops a "
          "document whose answer gives no pair silently; here it goes to the rejected table as "
          "`generate_qa_from_text_mapper:no_pairs` with the answer in `stats.qa_raw`; a failed request as "
          "`error:generate_qa_from_text_mapper: endpoint: ...` (asked again by the next run); a null document as "
          "`null_text`. `try_num` defaults to 1, as Data-Juicer asks once. `enable_vllm: true` is refused: serve "
          "the model behind an endpoint. Data-Juicer's `update_sampling_params` (a `max_new_tokens` from the HF "
          "model's generation config) does not apply: give `sampling_params.max_tokens`.",
))

declare(Op(
    name="generate_qa_from_examples_mapper", kind="selector", family="llm",
    doc="A new question-answer sample written by an LLM after `example_num` seed samples; kept (`query`, "
        "`response`, `history`) while its ROUGE-L against them is at most `similarity_threshold`.",
    params=(*hf_llm_params("Qwen/Qwen2.5-7B-Instruct"),
            Param("seed_file", "str", "", "Chatml JSONL of the seed samples (`{messages: [...]}` per line); "
                  "required. Read once on the driver when the op is bound.", path=True),
            Param("example_num", "int", 3, "Seed samples shown per prompt.", check=positive),
            Param("similarity_threshold", "float", 0.7, "A new sample whose ROUGE-L F against a shown seed "
                  "sample is above this is left empty."),
            Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese).", nullable=True),
            Param("input_template", "str", None, "User message template with one `{}` (the examples).",
                  nullable=True),
            Param("example_template", "str", None, "One example's template with one `{}` (its pairs).",
                  nullable=True),
            Param("qa_pair_template", "str", None, "One pair's template with two `{}` (question, answer).",
                  nullable=True),
            Param("output_pattern", "str", None, "Regex with two groups (question, answer), found all over the "
                  "answer (DOTALL); default Data-Juicer's `【问题】 ... 【回答】 ...` pattern (notes).", nullable=True),
            Param("seed", "int", 42, "sparkops: seeds the choice of examples per row (with the row's key), so a "
                  "re-run builds the same prompts and the response cache answers them."),
            *RECORD_KEYS,
            Param("history_key", "str", "history", "Record field the earlier pairs are written to "
                  "(`[[query, response], ...]`).")),
    stats=(Stat("qa_pairs", "long", "Pairs the model's answer gave."),
           Stat("qa_similarity", "double", "Highest ROUGE-L F of the new sample against the shown seed samples "
                                           "(null: no pair)."),
           Stat("qa_seed_indices", "string", "The shown seed samples (JSON list of their indices among the seed "
                                             "file's samples with a pair)."),
           Stat("qa_raw", "string", "The model's answer, verbatim (null: not asked, or the request failed)."),
           Stat("qa_reason", "string", "Why query / response are empty (unparsable answer, too similar), or null."),
           *USAGE),
    frame="sparkops.spark.llm_generate_qa:qa_from_examples", prepare=_prepare_examples,
    notes=f"Default `output_pattern`: `{EXAMPLES_OUTPUT_PATTERN}`. "
          "An LLM op run as a selector-kind frame that keeps every row it asked (`sparkops.spark.llm_generate_qa`). "
          "The input rows only say how many samples to write (Data-Juicer runs it over an empty dataset of that "
          "length); each row's prompt shows `example_num` seed samples chosen by an RNG seeded with `seed` and "
          "the row's key (a job's `_source` and `_line`, with `_order` where an earlier op made one; on a "
          "DataFrame without them, the row's text), where Data-Juicer's `random.sample` is unseeded, so a re-run "
          "asks the same prompts and the response cache answers them; rows that draw the same examples in the same order "
          "send the same request, asked once, and get the same sample (use more seed samples, or `example_num`, for "
          "more distinct prompts). ROUGE-L is the `rouge` package's "
          "(`sparkops.text.rouge`, checked against it). An unparsable or too similar answer leaves `query` and "
          "`response` empty and `history` `[]`, as Data-Juicer, with `stats.qa_reason`, the answer and the "
          "score; a failed request goes to the rejected table as `error:generate_qa_from_examples_mapper: "
          "endpoint: ...` (Data-Juicer's job would stop). The seed file is read when the op is bound: missing, "
          "not JSON, or without a pair is an error there, as is `example_num` above the seed samples; a blank "
          "line is skipped (Data-Juicer raises on it); a seed pair without a user turn is kept and counts as an "
          "empty question in ROUGE-L (Data-Juicer raises TypeError when it is drawn).",
))
