"""Data-Juicer 1.6.1's LLM extraction mappers: ``extract_keyword_mapper``,
``extract_nickname_mapper``, ``extract_event_mapper``, ``extract_entity_attribute_mapper``,
``extract_entity_relation_mapper``, ``extract_support_text_mapper``, ``relation_identity_mapper``.

Pure halves, as Data-Juicer builds and reads them: each op's request (``*_messages``) and answer
parser (``parse_*``: the value and whether Data-Juicer's retry loop stops on it), the value a row
gets when no answer parses (Data-Juicer's initial value), and the entity-relation conversation
(a first answer, then gleaning rounds) as a state machine the Spark half steps through. The
prompts and patterns are Data-Juicer's (``sparkops.ops.llm.extraction_prompts``). The DataFrame
halves: ``sparkops.spark.llm_extraction``.
"""

from __future__ import annotations

import re
from typing import Any

from sparkops.core import OpError
from sparkops.ops.llm import extraction_prompts as P
from sparkops.ops.llm.params import llm_settings

FLAGS = re.VERBOSE | re.DOTALL  # how Data-Juicer compiles every answer pattern of these ops
_PUNCT = re.compile(P.PUNCTUATION)
_FALLBACK = re.compile(P.IDENTITY_FALLBACK)

# MetaKeys (data_juicer/utils/constant.py) of the items these ops write
SOURCE, TARGET, DESCRIPTION = "relation_source_entity", "relation_target_entity", "relation_description"
KEYWORDS, STRENGTH = "relation_keywords", "relation_strength"
ENTITY_NAME, ENTITY_TYPE, ENTITY_DESCRIPTION = "entity_name", "entity_type", "entity_entity_description"


def split_by_punctuation(text: str) -> list[str]:
    """Data-Juicer's ``split_text_by_punctuation``: the stripped non-empty pieces between zh / en
    punctuation; ``[text]`` itself (unstripped) when there is none."""
    pieces = [s.strip() for s in _PUNCT.split(text) if s.strip()]
    return pieces or [text]


def _user(content: str) -> dict:
    return {"role": "user", "content": content}


def _system_user(system: str, user: str) -> list[dict]:
    return [{"role": "system", "content": system}, _user(user)]


def _findall(pattern: str, raw: str | None) -> list:
    # a failed call is Data-Juicer's '' answer (its API model returns '' on errors)
    return re.compile(pattern, FLAGS).findall(raw or "")


# -- extract_keyword_mapper --------------------------------------------------------------------------

def keyword_messages(text: str, p: dict) -> list[dict]:
    return [_user(p["prompt_template"].format(completion_delimiter=p["completion_delimiter"], input_text=text))]


def parse_keywords(raw: str | None, p: dict) -> tuple[list[str], bool]:
    """Every match's group, split at punctuation, in order; done when there is one."""
    found = []
    for record in _findall(p["output_pattern"], raw):
        found.extend(split_by_punctuation(record))
    return found, bool(found)


# -- extract_nickname_mapper -------------------------------------------------------------------------

def nickname_messages(text: str, p: dict) -> list[dict]:
    return _system_user(p["system_prompt"], p["input_template"].format(text=text))


def nickname_item(speaker: str, called: str, nickname: str, keywords: list[str], strength=None) -> dict:
    return {SOURCE: speaker, TARGET: called, DESCRIPTION: nickname, KEYWORDS: keywords, STRENGTH: strength}


NO_NICKNAME = [nickname_item("", "", "", [])]  # what a row gets when no answer parses


def parse_nicknames(raw: str | None, p: dict) -> tuple[list[dict], bool]:
    """A relation per ``### 称呼方式`` block whose double-checked names agree and whose nickname
    is not the name itself; duplicates once. Data-Juicer dedups through a ``set`` (its order
    varies with the string hash seed); here the first occurrence's order is kept."""
    found = []
    for _, role1, role2, role1_again, role2_again, nickname in _findall(p["output_pattern"], raw):
        if role1.strip() != role1_again.strip() or role2.strip() != role2_again.strip():
            continue
        role1, role2, nickname = role1.strip(), role2.strip(), nickname.strip()
        if role2 == nickname:  # a name, not a nickname
            continue
        if role1 and role2 and nickname:
            found.append((role1, role2, nickname))
    items = [nickname_item(a, b, n, ["nickname"]) for a, b, n in dict.fromkeys(found)]
    return items, bool(items)


# -- extract_event_mapper ----------------------------------------------------------------------------

def event_messages(text: str, p: dict) -> list[dict]:
    return _system_user(p["system_prompt"], p["input_template"].format(text=text))


def parse_events(raw: str | None, p: dict) -> tuple[list[list], bool]:
    """``[[description, [character, ...]], ...]`` per ``### 情节`` block; done when there is one."""
    events = []
    for _, desc, chars in _findall(p["output_pattern"], raw):
        chars = split_by_punctuation(chars)
        if chars:  # never empty (the split gives the text itself): Data-Juicer's check, kept
            events.append([desc, chars])
    return events, bool(events)


# -- extract_entity_attribute_mapper -----------------------------------------------------------------

def attribute_pairs(p: dict) -> list[tuple[str, str]]:
    """The (entity, attribute) questions of every row, in Data-Juicer's order."""
    return [(e, a) for e in p["query_entities"] for a in p["query_attributes"]]


def attribute_messages(text: str, entity: str, attribute: str, p: dict) -> list[dict]:
    return _system_user(p["system_prompt_template"].format(entity=entity, attribute=attribute),
                        p["input_template"].format(text=text))


def parse_attribute(raw: str | None, attribute: str, p: dict) -> tuple[list, bool]:
    """``[description, [demo, ...]]``: the first ``## <attribute>：`` section (the attribute is put
    into the pattern as it is, regex characters and all, as Data-Juicer does), and every non-empty
    fenced excerpt; done with a description and (``require_support_demos``) an excerpt."""
    raw = raw or ""
    try:
        matches = re.compile(p["attr_pattern_template"].format(attribute=attribute), FLAGS).findall(raw)
    except re.error:  # Data-Juicer's loop catches it and keeps its initial value
        return ["", []], False
    desc = matches[0].strip() if matches else ""
    demos = [d.strip() for _, d in _findall(p["demo_pattern"], raw) if d.strip()]
    ok = bool(desc) and (bool(demos) or not p["require_support_demos"])
    return [desc, demos], ok


# -- extract_entity_relation_mapper ------------------------------------------------------------------

NO_ENTITY = [{ENTITY_NAME: "", ENTITY_TYPE: "", ENTITY_DESCRIPTION: ""}]
NO_RELATION = [{SOURCE: "", TARGET: "", DESCRIPTION: "", KEYWORDS: [], STRENGTH: 0.0}]


def relation_prompt(text: str, p: dict) -> str:
    return p["prompt_template"].format(
        tuple_delimiter=p["tuple_delimiter"], record_delimiter=p["record_delimiter"],
        completion_delimiter=p["completion_delimiter"], entity_types=", ".join(p["entity_types"]), input_text=text)


def conversation(text: str, p: dict) -> dict:
    """The state of one attempt before its first request: the history, the answers so far
    (``result``), the next step (``first``, ``glean``, ``loop``, ``done``) and the gleaning round."""
    return {"history": [_user(relation_prompt(text, p))], "result": "", "next": "first", "round": 0}


def next_messages(state: dict, p: dict) -> list[dict] | None:
    """The request the conversation sends next (None: it is done). A gleaning request is the
    history plus the continue prompt; the yes/no question is asked on the history too and is
    not kept in it, as Data-Juicer's ``light_rag_extraction``."""
    step = state["next"]
    if step == "first":
        return state["history"]
    if step == "glean":
        return state["history"] + [_user(p["continue_prompt"])]
    if step == "loop":
        return state["history"] + [_user(p["if_loop_prompt"])]
    return None


def advance(state: dict, answer: str | None, p: dict) -> dict:
    """The state after the answer to ``next_messages(state)`` (a failed call answers '', as
    Data-Juicer's API model does)."""
    answer = answer or ""
    step, rounds = state["next"], p["max_gleaning"]
    if step == "first":
        history = state["history"] + [{"role": "assistant", "content": answer}]
        return {"history": history, "result": answer, "next": "glean" if rounds else "done", "round": 0}
    if step == "glean":
        history = next_messages(state, p) + [{"role": "assistant", "content": answer}]
        last = state["round"] == rounds - 1
        return {"history": history, "result": state["result"] + answer, "next": "done" if last else "loop",
                "round": state["round"]}
    if step == "loop":
        more = answer.strip().strip('"').strip("'").lower() == "yes"
        return {**state, "next": "glean" if more else "done", "round": state["round"] + (1 if more else 0)}
    raise ValueError(f"no step after {step!r}")


def _unquoted(item: str) -> str:
    if item and ((item[0] == '"' and item[-1] == '"') or (item[0] == "'" and item[-1] == "'")):
        return item[1:-1]
    return item


def _items(record: str, delimiter: str) -> tuple[str, ...]:
    items = [_unquoted(item.strip()) for item in record.split(delimiter)]
    return tuple(item.strip() for item in items if item.strip())


def _is_float(s: str) -> bool:
    try:
        float(s)
        return True
    except (TypeError, ValueError):
        return False


def parse_relations(raw: str | None, p: dict) -> tuple[list[list[dict]], bool]:
    """``[entities, relations]`` of the conversation's answers (concatenated): an entity per
    ``("entity" ...)`` record of exactly three items, a relation per ``("relationship" ...)`` of
    five whose last is a number; done when there is an entity. A row without relations gets
    Data-Juicer's empty one. Duplicates once, in first-occurrence order (Data-Juicer's ``set``
    order varies with the hash seed)."""
    delimiter = p["tuple_delimiter"]
    entities = [e for e in (_items(r, delimiter) for r in _findall(p["entity_pattern"], raw)) if len(e) == 3]
    relations = [r for r in (_items(r, delimiter) for r in _findall(p["relation_pattern"], raw))
                 if len(r) == 5 and _is_float(r[4])]
    entities = [{ENTITY_NAME: e[0], ENTITY_TYPE: e[1], ENTITY_DESCRIPTION: e[2]} for e in dict.fromkeys(entities)]
    relations = [{SOURCE: r[0], TARGET: r[1], DESCRIPTION: r[2], KEYWORDS: split_by_punctuation(r[3]),
                  STRENGTH: float(r[4])} for r in dict.fromkeys(relations)]
    if not entities:
        return [NO_ENTITY, NO_RELATION], False
    return [entities, relations or NO_RELATION], True


# -- extract_support_text_mapper ---------------------------------------------------------------------

def support_messages(text: str, summary: str, p: dict) -> list[dict]:
    return _system_user(p["system_prompt"], p["input_template"].format(text=text, summary=summary))


def parse_support(raw: str | None, p: dict) -> tuple[str, bool]:
    """The answer, stripped; done when not empty (an empty one leaves the summary itself)."""
    text = (raw or "").strip()
    return text, bool(text)


# -- relation_identity_mapper ------------------------------------------------------------------------

def identity_messages(text: str, p: dict) -> list[dict]:
    return _system_user(p["system_prompt"], p["input_template"].format(
        entity1=p["source_entity"], entity2=p["target_entity"], text=text))


def parse_identity(raw: str | None, p: dict) -> tuple[str, bool]:
    """The last ``所以<target>是<source>的：`` match's relation, else Data-Juicer's fallback: the
    last line saying ``所以|因此|故|可见 ...：<relation>``; done when not empty."""
    relation = ""
    for _, found in _findall(p["output_pattern"], raw):
        relation = found.strip()
    if relation:
        return relation, True
    for line in reversed((raw or "").strip().splitlines()):
        line = line.strip()
        if not line:
            continue
        m = _FALLBACK.search(line)
        if m:
            cand = m.group(1).strip().strip("。.\"\"'")
            if cand:
                return cand, True
    return relation, False


# -- parameters ---------------------------------------------------------------------------------------

def _template(where: str, name: str, template: str, **fields) -> None:
    """A template Data-Juicer would ``format`` with these fields: a KeyError / ValueError there
    fails every row, so it is refused now."""
    try:
        template.format(**fields)
    except (KeyError, IndexError, ValueError) as err:
        raise OpError(f"{where}: {name} must be a str.format template with only the fields "
                      f"{', '.join('{' + f + '}' for f in fields)} (literal braces doubled): {err!r}") from None


def _pattern(where: str, name: str, pattern: str, groups: int | None) -> None:
    try:
        compiled = re.compile(pattern, FLAGS)
    except re.error as err:
        raise OpError(f"{where}: {name} is not a regular expression (compiled VERBOSE | DOTALL): {err}") from None
    if groups is not None and compiled.groups != groups:
        raise OpError(f"{where}: {name} must have {groups} group(s), as Data-Juicer unpacks them; it has "
                      f"{compiled.groups}")


def _common(values: dict, where: str) -> dict:
    if values["drop_text"]:
        raise OpError(f"{where}: drop_text: true is not supported: a job's export writes every record's text "
                      "field back; leave it false (the extracted values are in the rows' meta)")
    return {**values, **llm_settings(values, where, "api_model")}


def prepare_keyword(values: dict, where: str) -> dict:
    p = {**_common(values, where), "prompt_template": values["prompt_template"] or P.KEYWORD_PROMPT,
         "completion_delimiter": values["completion_delimiter"] or P.KEYWORD_COMPLETION_DELIMITER,
         "output_pattern": values["output_pattern"] or P.KEYWORD_PATTERN}
    _template(where, "prompt_template", p["prompt_template"], completion_delimiter="", input_text="")
    _pattern(where, "output_pattern", p["output_pattern"], None)
    if re.compile(p["output_pattern"], FLAGS).groups > 1:
        raise OpError(f"{where}: output_pattern must have at most one group (its matches are split into keywords)")
    return {**p, "out_keys": [p["keyword_key"]]}


def prepare_nickname(values: dict, where: str) -> dict:
    p = {**_common(values, where), "system_prompt": values["system_prompt"] or P.NICKNAME_SYSTEM_PROMPT,
         "input_template": values["input_template"] or P.NICKNAME_INPUT,
         "output_pattern": values["output_pattern"] or P.NICKNAME_PATTERN}
    _template(where, "input_template", p["input_template"], text="")
    _pattern(where, "output_pattern", p["output_pattern"], 6)
    return {**p, "out_keys": [p["nickname_key"]]}


def prepare_event(values: dict, where: str) -> dict:
    p = {**_common(values, where), "system_prompt": values["system_prompt"] or P.EVENT_SYSTEM_PROMPT,
         "input_template": values["input_template"] or P.EVENT_INPUT,
         "output_pattern": values["output_pattern"] or P.EVENT_PATTERN}
    _template(where, "input_template", p["input_template"], text="")
    _pattern(where, "output_pattern", p["output_pattern"], 3)
    if p["event_desc_key"] == p["relevant_char_key"]:
        raise OpError(f"{where}: event_desc_key and relevant_char_key must differ")
    return {**p, "out_keys": [p["event_desc_key"], p["relevant_char_key"]]}


def prepare_attribute(values: dict, where: str) -> dict:
    p = {**_common(values, where),
         "system_prompt_template": values["system_prompt_template"] or P.ATTRIBUTE_SYSTEM_PROMPT,
         "input_template": values["input_template"] or P.ATTRIBUTE_INPUT,
         "attr_pattern_template": values["attr_pattern_template"] or P.ATTRIBUTE_PATTERN,
         "demo_pattern": values["demo_pattern"] or P.ATTRIBUTE_DEMO_PATTERN}
    _template(where, "system_prompt_template", p["system_prompt_template"], entity="", attribute="")
    _template(where, "input_template", p["input_template"], text="")
    _template(where, "attr_pattern_template", p["attr_pattern_template"], attribute="")
    _pattern(where, "demo_pattern", p["demo_pattern"], 2)
    keys = [p["entity_key"], p["attribute_key"], p["attribute_desc_key"], p["support_text_key"]]
    if len(set(keys)) != 4:
        raise OpError(f"{where}: entity_key, attribute_key, attribute_desc_key and support_text_key must differ")
    return {**p, "out_keys": keys}


def prepare_relation(values: dict, where: str) -> dict:
    p = {**_common(values, where), "entity_types": values["entity_types"] or list(P.RELATION_ENTITY_TYPES),
         "prompt_template": values["prompt_template"] or P.RELATION_PROMPT,
         "tuple_delimiter": values["tuple_delimiter"] or P.RELATION_TUPLE_DELIMITER,
         "record_delimiter": values["record_delimiter"] or P.RELATION_RECORD_DELIMITER,
         "completion_delimiter": values["completion_delimiter"] or P.RELATION_COMPLETION_DELIMITER,
         "continue_prompt": values["continue_prompt"] or P.RELATION_CONTINUE_PROMPT,
         "if_loop_prompt": values["if_loop_prompt"] or P.RELATION_IF_LOOP_PROMPT,
         "entity_pattern": values["entity_pattern"] or P.RELATION_ENTITY_PATTERN,
         "relation_pattern": values["relation_pattern"] or P.RELATION_RELATION_PATTERN}
    _template(where, "prompt_template", p["prompt_template"], tuple_delimiter="", record_delimiter="",
              completion_delimiter="", entity_types="", input_text="")
    for name in ("entity_pattern", "relation_pattern"):
        _pattern(where, name, p[name], 1)
    if p["entity_key"] == p["relation_key"]:
        raise OpError(f"{where}: entity_key and relation_key must differ")
    return {**p, "out_keys": [p["entity_key"], p["relation_key"]]}


def prepare_support(values: dict, where: str) -> dict:
    p = {**_common(values, where), "system_prompt": values["system_prompt"] or P.SUPPORT_SYSTEM_PROMPT,
         "input_template": values["input_template"] or P.SUPPORT_INPUT}
    _template(where, "input_template", p["input_template"], text="", summary="")
    return {**p, "out_keys": [p["support_text_key"]]}


def prepare_identity(values: dict, where: str) -> dict:
    src, tgt = values["source_entity"], values["target_entity"]
    template = values["system_prompt_template"] or P.IDENTITY_SYSTEM_PROMPT
    pattern = values["output_pattern_template"] or P.IDENTITY_PATTERN
    _template(where, "system_prompt_template", template, entity1="", entity2="")
    _template(where, "output_pattern_template", pattern, entity1="", entity2="")
    p = {**_common(values, where), "input_template": values["input_template"] or P.IDENTITY_INPUT,
         # Data-Juicer formats both at init, a missing entity as 'None'
         "system_prompt": template.format(entity1=src, entity2=tgt),
         "output_pattern": pattern.format(entity1=src, entity2=tgt)}
    _template(where, "input_template", p["input_template"], entity1="", entity2="", text="")
    _pattern(where, "output_pattern_template (with the entities put in)", p["output_pattern"], 2)
    return {**p, "out_keys": [p["output_key"]]}


def no_answer(op: str, p: dict) -> Any:
    """What Data-Juicer writes when no answer parses (after ``try_num`` requests)."""
    return {"extract_keyword_mapper": [], "extract_nickname_mapper": NO_NICKNAME, "extract_event_mapper": [],
            "extract_entity_relation_mapper": [NO_ENTITY, NO_RELATION], "relation_identity_mapper": ""}[op]
