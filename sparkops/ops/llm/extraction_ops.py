"""Declarations of Data-Juicer 1.6.1's LLM extraction mappers (kernels:
``sparkops.ops.llm.extraction``; DataFrame halves: ``sparkops.spark.llm_extraction``), with
Data-Juicer's parameter names and defaults and the Spark type of each meta value they write."""

from __future__ import annotations

from sparkops.core import Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm import extraction as X
from sparkops.ops.llm.params import llm_params
from sparkops.ops.llm.stats import mapper_stats

RELATION_ITEM = (f"struct<{X.SOURCE}:string,{X.TARGET}:string,{X.DESCRIPTION}:string,"
                 f"{X.KEYWORDS}:array<string>,{X.STRENGTH}:double>")
ENTITY_ITEM = f"struct<{X.ENTITY_NAME}:string,{X.ENTITY_TYPE}:string,{X.ENTITY_DESCRIPTION}:string>"

_COMMON_NOTES = (
    "An LLM op run as a selector-kind frame (`sparkops.spark.llm`: Delta response cache, retries, usage). The values "
    "go into the `meta` struct (a later op or SQL reads `meta.<key>`); `stats.<prefix>_raw` keeps the model's last "
    "answer and `stats.<prefix>_reason` why no answer parsed (unparsable answer, endpoint error: a failed request "
    "counts as Data-Juicer's empty answer and is asked again by the next run). A row whose meta already holds a "
    "non-null value under the output key is left as it is, not asked (Data-Juicer: 'generated already'). A row "
    "without text is not asked and gets the op's empty value. `drop_text: true` is refused (a job's export writes "
    "the text back).")


def _common(model_param_default: str = "gpt-4o") -> tuple[Param, ...]:
    return (*llm_params(model_param_default, model_param="api_model", local_switches=False),
            Param("drop_text", "bool", False, "Data-Juicer drops the text field; must be false here (a job's "
                  "export writes the text)."))


def _str(name: str, doc: str) -> Param:
    return Param(name, "str", None, f"{doc} Null: Data-Juicer's default.", nullable=True)


def _key(name: str, default: str, doc: str) -> Param:
    return Param(name, "str", default, doc, check=lambda v: None if v else "must not be empty")


FRAME = "sparkops.spark.llm_extraction:"

declare(Op(
    name="extract_keyword_mapper", kind="selector", family="llm",
    doc="Generate high-level keywords of the text with an LLM (LightRAG's prompt), into meta.keyword.",
    params=(*_common(), _key("keyword_key", "keyword", "Meta key of the keywords (`array<string>`)."),
            _str("prompt_template", "The prompt, with `{completion_delimiter}` and `{input_text}`."),
            _str("completion_delimiter", "Marks the end of the output (`<|COMPLETE|>`)."),
            _str("output_pattern", "Regex (VERBOSE | DOTALL, at most one group) whose matches are split at "
                 "punctuation into keywords.")),
    stats=mapper_stats("extract_keyword"), frame=FRAME + "keyword_mapper", prepare=X.prepare_keyword,
    notes=_COMMON_NOTES + " Keywords: every `(\"content_keywords\" ...)` match split at zh / en punctuation; an "
                          "answer without one is asked again up to `try_num` times, then the row gets `[]`.",
))

declare(Op(
    name="extract_nickname_mapper", kind="selector", family="llm",
    doc="Extract who calls whom by which nickname with an LLM, into meta.nickname.",
    params=(*_common(), _key("nickname_key", "nickname", "Meta key of the nickname relations (an array of "
                             "relation structs)."),
            _str("system_prompt", "The system prompt (Chinese)."),
            _str("input_template", "The user turn, with `{text}`."),
            _str("output_pattern", "Regex (VERBOSE | DOTALL, six groups) of one nickname block.")),
    stats=mapper_stats("extract_nickname"), frame=FRAME + "nickname_mapper", prepare=X.prepare_nickname,
    notes=_COMMON_NOTES + " Each relation is `{relation_source_entity, relation_target_entity, relation_description "
                          "(the nickname), relation_keywords: [nickname], relation_strength: null}`; a block whose "
                          "names disagree with its double check, or whose nickname is the name, is skipped; "
                          "duplicates once, in the answer's order (Data-Juicer's set order varies with the hash "
                          "seed). No relation after `try_num` answers: Data-Juicer's one empty relation.",
))

declare(Op(
    name="extract_event_mapper", kind="selector", family="llm",
    doc="Summarise the text into events with their characters with an LLM: one row per event (1 -> N).",
    params=(*_common(), _key("event_desc_key", "event_description", "Meta key of the event's description."),
            _key("relevant_char_key", "relevant_characters", "Meta key of the event's characters "
                 "(`array<string>`)."),
            _str("system_prompt", "The system prompt (Chinese)."),
            _str("input_template", "The user turn, with `{text}`."),
            _str("output_pattern", "Regex (VERBOSE | DOTALL, three groups) of one event block.")),
    stats=(Stat("extract_event_index", "long", "The row's event in its answer (0, 1, ...); null: no event."),
           *mapper_stats("extract_event")),
    frame=FRAME + "event_mapper", prepare=X.prepare_event,
    notes=_COMMON_NOTES + " A batched op in Data-Juicer: each event of a row's answer becomes a row, the input row "
                          "with `meta.event_description` and `meta.relevant_characters` set, `_order` extended by "
                          "the event's index (`stats.extract_event_index`). A row whose answers give no event "
                          "after `try_num` requests stays one row, rejected as `extract_event_mapper:no_events` "
                          "(or `error:extract_event_mapper: endpoint: ...`); Data-Juicer drops it, or, when no "
                          "row of its batch (1000 rows) gives an event, returns the whole batch unchanged.",
))

declare(Op(
    name="extract_entity_attribute_mapper", kind="selector", family="llm",
    doc="Describe given attributes of given entities from the text with an LLM, with supporting excerpts.",
    params=(*_common(),
            Param("query_entities", "list[str]", [], "Entities asked about."),
            Param("query_attributes", "list[str]", [], "Attributes asked about (each entity x each attribute: "
                  "one question)."),
            _key("entity_key", "main_entities", "Meta key of the entity of each question."),
            _key("attribute_key", "attributes", "Meta key of the attribute of each question."),
            _key("attribute_desc_key", "attribute_descriptions", "Meta key of the descriptions."),
            _key("support_text_key", "attribute_support_texts", "Meta key of the excerpts (a list per question)."),
            _str("system_prompt_template", "The system prompt, with `{entity}` and `{attribute}`."),
            _str("input_template", "The user turn, with `{text}`."),
            _str("attr_pattern_template", "Regex of the description, with `{attribute}`."),
            _str("demo_pattern", "Regex (two groups) of one excerpt."),
            Param("require_support_demos", "bool", True, "An answer counts only with a description and an "
                  "excerpt (false: a description is enough).")),
    stats=mapper_stats("extract_entity_attribute"), frame=FRAME + "attribute_mapper", prepare=X.prepare_attribute,
    notes=_COMMON_NOTES + " One question per (entity, attribute), each asked up to `try_num` times; the four meta "
                          "lists are in Data-Juicer's order (entities outer); a question without a parsed answer "
                          "gets '' and `[]`. `stats.extract_entity_attribute_raw` holds every question's last "
                          "answer (a JSON array). The attribute is put into the pattern unescaped, as Data-Juicer.",
))

declare(Op(
    name="extract_entity_relation_mapper", kind="selector", family="llm",
    doc="Extract knowledge-graph entities and relations with an LLM (LightRAG's prompt and gleaning rounds).",
    params=(*_common(),
            Param("entity_types", "list[str]", None, "Entity types; null: organization, person, geo, event.",
                  nullable=True),
            _key("entity_key", "entity", "Meta key of the entities."),
            _key("relation_key", "relation", "Meta key of the relations."),
            _str("prompt_template", "The prompt, with `{tuple_delimiter}`, `{record_delimiter}`, "
                 "`{completion_delimiter}`, `{entity_types}`, `{input_text}`."),
            _str("tuple_delimiter", "Between a record's items (`<|>`)."),
            _str("record_delimiter", "Between records (`##`)."),
            _str("completion_delimiter", "Marks the end (`<|COMPLETE|>`)."),
            Param("max_gleaning", "int", 1, "Extra requests asking for missed entities (after the first, a "
                  "YES/NO question decides whether to go on).", check=lambda v: None if v >= 0 else "must be >= 0"),
            _str("continue_prompt", "The gleaning request."),
            _str("if_loop_prompt", "The YES/NO question."),
            _str("entity_pattern", "Regex (one group) of an entity record."),
            _str("relation_pattern", "Regex (one group) of a relation record.")),
    stats=mapper_stats("extract_entity_relation"), frame=FRAME + "relation_mapper", prepare=X.prepare_relation,
    notes=_COMMON_NOTES + " Data-Juicer's call sequence per attempt: the prompt; then up to `max_gleaning` gleaning "
                          "requests on the growing conversation, each but the last followed by the YES/NO question "
                          "(asked on the conversation, not kept in it; anything but `yes` stops). The answers, "
                          "concatenated, are parsed; without an entity the whole sequence is asked again (the "
                          "attempt number is part of every request's cache key), up to `try_num` times, then the "
                          "row gets Data-Juicer's one empty entity and relation. Relations need five items, the "
                          "last a number (`relation_strength`); duplicates once, in the answer's order.",
))

declare(Op(
    name="extract_support_text_mapper", kind="selector", family="llm",
    doc="Find the passage of the text a meta summary describes with an LLM, into meta.support_text.",
    params=(*_common(), _key("summary_key", "event_description", "Meta key of the summary read."),
            _key("support_text_key", "support_text", "Meta key of the passage written."),
            _str("system_prompt", "The system prompt (Chinese, with an example)."),
            _str("input_template", "The user turn, with `{text}` and `{summary}`.")),
    stats=mapper_stats("extract_support_text"), frame=FRAME + "support_mapper", prepare=X.prepare_support,
    notes=_COMMON_NOTES + " The summary is the row's `meta.<summary_key>` (the meta column an earlier op wrote, "
                          "else the input record's `meta`); a row without a string summary is left as it is, not "
                          "asked (reason in the stats). The answer, stripped, is the passage; an empty answer is "
                          "asked again up to `try_num` times, then the summary itself is written, as Data-Juicer.",
))

declare(Op(
    name="relation_identity_mapper", kind="selector", family="llm",
    doc="Name the relation of a target entity to a source entity in the text with an LLM, into meta.role_relation.",
    params=(*_common(),
            Param("source_entity", "str", None, "The source entity (e.g. 用户).", nullable=True),
            Param("target_entity", "str", None, "The target entity (e.g. 助手).", nullable=True),
            _key("output_key", "role_relation", "Meta key of the relation."),
            _str("system_prompt_template", "The system prompt, with `{entity1}` and `{entity2}`."),
            _str("input_template", "The user turn, with `{entity1}`, `{entity2}` and `{text}`."),
            _str("output_pattern_template", "Regex (two groups) with `{entity1}` and `{entity2}`.")),
    stats=mapper_stats("relation_identity"), frame=FRAME + "identity_mapper", prepare=X.prepare_identity,
    notes=_COMMON_NOTES + " The relation is the last match's second group, stripped, else Data-Juicer's fallback "
                          "(the last line `所以|因此|故|可见 ...：<relation>`); an answer without one is asked again up "
                          "to `try_num` times, then ''. Without both entities every row gets '' unasked, as "
                          "Data-Juicer. The entities are put into the (VERBOSE) pattern unescaped, as Data-Juicer; "
                          "a pattern that no longer compiles is refused.",
))

