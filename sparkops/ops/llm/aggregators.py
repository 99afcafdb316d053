"""Data-Juicer 1.6.1's LLM aggregators as pure kernels: what each grouped row asks, how an answer is
read, and the rounds a row goes through (``nested_aggregator`` summarises chunks of summaries until
one is left). The Spark half (``sparkops.spark.llm_aggregators``) runs the rounds on the common LLM
step; ``run`` here runs them against any ``ask(messages) -> answer`` (the tests, the parity fixture).

A row's work is a state (a JSON-able dict): ``begin`` builds it from the group's members' meta
dicts, ``questions`` lists the requests of its current round, ``advance`` takes their answers
(after Data-Juicer's retries: each request asked until its answer parses, ``try_num`` at most).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from sparkops.core import OpError
from sparkops.ops.llm import aggregator_prompts as P
from sparkops.ops.llm.extraction import split_by_punctuation
from sparkops.ops.llm.params import llm_settings

BATCH_META = "__dj__batch_meta__"  # Data-Juicer's Fields.batch_meta
FLAGS = re.VERBOSE | re.DOTALL  # how Data-Juicer compiles these ops' answer patterns
NESTED, ATTRIBUTE, RELEVANT, TAGS = ("nested_aggregator", "entity_attribute_aggregator",
                                     "most_relevant_entities_aggregator", "meta_tags_aggregator")
DONE, SKIP = "done", "skip"


# -- Data-Juicer's helpers -------------------------------------------------------------------------------

def avg_split(docs: list[str], token_nums: list[int], max_token_num: int | None) -> list[list[str]]:
    """Data-Juicer's ``avg_split_string_list_under_limit``: consecutive groups of at most
    ``max_token_num`` tokens (a single larger doc is a group of its own), each closed early once it
    holds more than the average of ``total // max + 1`` groups; all in one group without a limit
    or when the total fits."""
    if max_token_num is None or len(docs) != len(token_nums):
        return [docs]
    total = sum(token_nums)
    if total <= max_token_num:
        return [docs]
    avg = total / (total // max_token_num + 1)
    groups, cur, cur_sum = [], [], 0
    for doc, n in zip(docs, token_nums):
        if cur_sum + n > max_token_num and cur:
            groups.append(cur)
            cur, cur_sum = [], 0
        cur.append(doc)
        cur_sum += n
        if cur_sum > avg:
            groups.append(cur)
            cur, cur_sum = [], 0
    if cur:
        groups.append(cur)
    return groups


def token_counts(docs: list[str], p: dict) -> list[int]:
    """Tokens per doc, as Data-Juicer's ``len(tokenizer.encode(doc))`` counts them with a Hugging
    Face tokenizer (special tokens included, e.g. Llama's BOS); only needed with a ``max_token_num``."""
    if p.get("max_token_num") is None:
        return [0] * len(docs)
    from sparkops.ops.quality.token_num import tokenizer

    tok = tokenizer(p["tokenizer_file"])
    return [len(enc.ids) for enc in tok.encode_batch(list(docs), add_special_tokens=True)] if docs else []


def _system_user(system: str, user: str) -> list[dict]:
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


# -- requests and answers ----------------------------------------------------------------------------------

def nested_groups(docs: list[str], p: dict, counts: Callable = token_counts) -> list[list[str]]:
    """One level of ``recursive_summary``: the groups under the token limit; when every doc is a
    group of its own, pairs of them (so each level halves the docs at least)."""
    groups = avg_split(docs, counts(docs, p), p["max_token_num"])
    if len(groups) == len(docs):
        groups = [groups[i] + groups[i + 1] if i + 1 < len(groups) else groups[i] for i in range(0, len(groups), 2)]
    return groups


def nested_messages(group: list[str], p: dict) -> list[dict]:
    subs = "\n".join(p["sub_doc_template"].format(text=d) for d in group)
    return _system_user(p["system_prompt"], p["input_template"].format(sub_docs=subs))


def parse_nested(raw: str | None) -> tuple[str, bool]:
    """The answer stripped, then quote pairs (', ", “”, ‘’, `) around it stripped off while there are."""
    text = (raw or "").strip()
    while len(text) >= 2 and (text[0], text[-1]) in P.QUOTES:
        text = text[1:-1].strip()
    return text, len(text) > 0


def attribute_messages(group: list[str], p: dict) -> list[dict]:
    user = p["input_template"].format(entity=p["entity"], attribute=p["attribute"], sub_docs="\n\n".join(group))
    return _system_user(p["system_prompt"], user)


def _first_match(pattern: str, raw: str | None) -> str:
    found = re.compile(pattern, FLAGS).findall(raw or "")
    return found[0].strip() if found else ""


def parse_attribute(raw: str | None, p: dict) -> tuple[str, bool]:
    text = _first_match(p["output_pattern"], raw)
    return text, len(text) > 0


def relevant_docs(docs: list[str], p: dict, counts: Callable = token_counts) -> list[str]:
    """The docs that fit under ``max_token_num`` counted from the first (stops at the first that
    does not fit: with a first doc over the limit, none)."""
    if p["max_token_num"] is None:
        return docs
    out, total = [], 0
    for n, doc in zip(counts(docs, p), docs):
        total += n
        if total > p["max_token_num"]:
            break
        out.append(doc)
    return out


def relevant_messages(docs: list[str], p: dict) -> list[dict]:
    user = p["input_template"].format(entity=p["entity"], entity_type=p["query_entity_type"],
                                      sub_docs="\n\n".join(docs))
    return _system_user(p["system_prompt"], user)


def parse_relevant(raw: str | None, p: dict) -> tuple[list[str], bool]:
    """The list after the pattern split at zh / en punctuation. Data-Juicer keeps the first answer
    whose split is non-empty, and an answer without a match splits into ``['']``: every answer
    is kept (its retries only count raised errors, which its API model never raises)."""
    items = split_by_punctuation(_first_match(p["output_pattern"], raw))
    return items, len(items) > 0


def tag_counts(tags: list) -> dict[str, int]:
    """Each tag's count over the members' tags (a string, or a list of strings), first appearance first."""
    counts: dict[str, int] = {}
    for tag in tags:
        for t in ([tag] if isinstance(tag, str) else tag):
            counts[t] = counts.get(t, 0) + 1
    return counts


def tags_messages(counts: dict[str, int], p: dict) -> list[dict]:
    rows = "\n".join(p["tag_template"].format(tag=k, cnt=v) for k, v in counts.items())
    return _system_user(p["system_prompt"], p["input_template"].format(target_tag_str=p["target_tag_str"],
                                                                       tag_strs=rows))


def parse_tags(raw: str | None, p: dict) -> tuple[dict[str, str], bool]:
    """``{tag: merged tag}`` of every match (a later match of a tag wins)."""
    tag_map = {a: b for a, b in re.compile(p["output_pattern"], FLAGS).findall(raw or "")}
    return tag_map, len(tag_map) > 0


def remap_tags(tags: list, tag_map: dict[str, str]) -> list:
    return [tag_map.get(t, t) if isinstance(t, str) else [tag_map.get(x, x) for x in t] for t in tags]


def parse(stage: str, raw: str | None, q: dict) -> tuple[Any, bool]:
    """An answer to a request of this stage read as Data-Juicer reads it: (value, parsed); a
    failed request is Data-Juicer's API model's '' answer."""
    if stage == TAGS:
        return parse_tags(raw, q)
    if stage == RELEVANT:
        return parse_relevant(raw, q)
    return parse_nested(raw) if stage == NESTED else parse_attribute(raw, q)


# -- a grouped row's rounds ----------------------------------------------------------------------------------

def _is_string_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def begin(op: str, metas: list | None, batch_meta: dict | None, p: dict) -> dict:
    """The state of a grouped row: ``metas`` its members' meta dicts (None: the row has no meta),
    ``batch_meta`` its ``__dj__batch_meta__``. A row the op leaves as it is gets stage ``skip`` and
    the reason (Data-Juicer returns such a sample unchanged, with a warning)."""
    def skip(reason):
        return {"stage": SKIP, "reason": reason, "rounds": 0}

    if op != TAGS and (batch_meta or {}).get(p["output_key"]) is not None:
        return skip(f"generated already: {BATCH_META}.{p['output_key']}")
    if metas is None or not metas:
        return skip("no meta")
    metas = [m if isinstance(m, dict) else {} for m in metas]
    if op == TAGS:
        tags = [m.get(p["meta_tag_key"]) for m in metas]
        if not all(isinstance(t, str) or _is_string_list(t) for t in tags):
            return skip(f"meta.{p['meta_tag_key']} is not a string or a list of strings in every member")
        return {"stage": TAGS, "tags": tags, "counts": tag_counts(tags), "rounds": 0}
    key = p["input_key"]
    if key not in metas[0]:  # Data-Juicer looks at the first member only
        return skip(f"missing: meta.{key}")
    docs = [m.get(key) for m in metas]
    if not _is_string_list(docs):
        return skip(f"meta.{key} is not a string in every member")
    stage = {NESTED: NESTED, ATTRIBUTE: ATTRIBUTE, RELEVANT: RELEVANT}[op]
    return _settle({"stage": stage, "docs": docs, "rounds": 0}, p)


def _settle(state: dict, p: dict) -> dict:
    """A nested summary of no doc is '', of one doc that doc: done without a request."""
    docs = state.get("docs")
    if state["stage"] == ATTRIBUTE and not docs:
        return {**state, "stage": DONE, "value": ""}
    if state["stage"] == NESTED and len(docs) <= 1:
        return {**state, "stage": DONE, "value": docs[0] if docs else ""}
    return state


def round_stage(op: str, n: int) -> str:
    """The stage of every row asking in round ``n`` (from 0): rows advance in lockstep, and only an
    entity attribute changes stage (its chunk summaries, then the nested summary of them)."""
    if op == ATTRIBUTE:
        return ATTRIBUTE if n == 0 else NESTED
    return {NESTED: NESTED, RELEVANT: RELEVANT, TAGS: TAGS}[op]


def stage_params(state: dict, p: dict) -> dict:
    """The parameters of the state's requests: the nested summary after an entity attribute uses
    Data-Juicer's NestedAggregator defaults (its prompts) with the op's limits."""
    return p["nested"] if state["stage"] == NESTED and p.get("nested") is not None else p


def questions(state: dict, p: dict, counts: Callable = token_counts) -> list[list[dict]]:
    """The messages of the row's current round ([] when it is done or skipped)."""
    stage, q = state["stage"], stage_params(state, p)
    if stage == NESTED:
        return [nested_messages(g, q) for g in nested_groups(state["docs"], q, counts)]
    if stage == ATTRIBUTE:
        return [attribute_messages(g, q) for g in avg_split(state["docs"], counts(state["docs"], q),
                                                            q["max_token_num"])]
    if stage == RELEVANT:
        return [relevant_messages(relevant_docs(state["docs"], q, counts), q)]
    if stage == TAGS:
        return [tags_messages(state["counts"], q)]
    return []


def advance(state: dict, answers: list[tuple[Any, str | None, str | None]], p: dict) -> dict:
    """The state after its round: ``answers`` per question (value as parsed, or None when every
    request failed; the last answer; the reason it is not a parsed answer)."""
    stage, q = state["stage"], stage_params(state, p)
    values = [parse(stage, "", q)[0] if v is None else v for v, _, _ in answers]
    reason = state.get("reason") or next((f"round {state['rounds'] + 1}: {r}" for _, _, r in answers if r), None)
    raw = answers[-1][1] if answers else state.get("raw")
    state = {**state, "rounds": state["rounds"] + 1, "reason": reason, "raw": raw}
    if stage in (NESTED, ATTRIBUTE):
        return _settle({**state, "stage": NESTED, "docs": values}, p)
    if stage == RELEVANT:
        return {**state, "stage": DONE, "value": values[0]}
    tag_map = values[0]
    return {**state, "stage": DONE, "tag_map": tag_map, "value": remap_tags(state["tags"], tag_map)}


def ask_until_parsed(ask: Callable, messages: list[dict], stage: str, q: dict, try_num: int):
    """Data-Juicer's retry loop: asked until the answer parses, ``try_num`` times at most; a failed
    call (``ask`` returns None) is Data-Juicer's API model's '' answer."""
    value, raw, reason = None, None, None
    for _ in range(try_num):
        raw = ask(messages)
        value, ok = parse(stage, raw, q)
        if ok:
            return value, raw, None
        reason = "endpoint error" if raw is None else "unparsable answer"
    return value, raw, reason


def run(op: str, metas: list | None, batch_meta: dict | None, p: dict, ask: Callable,
        counts: Callable = token_counts) -> dict:
    """A grouped row's whole work against ``ask(messages) -> answer | None``, as Data-Juicer runs it."""
    state = begin(op, metas, batch_meta, p)
    while state["stage"] not in (DONE, SKIP):
        q = stage_params(state, p)
        answers = [ask_until_parsed(ask, m, state["stage"], q, p["try_num"]) for m in questions(state, p, counts)]
        state = advance(state, answers, p)
    return state


# -- parameters -------------------------------------------------------------------------------------------

def _template(where: str, name: str, template: str, **fields) -> None:
    """A template Data-Juicer ``format``s with these fields: one it cannot format fails every row there."""
    try:
        template.format(**fields)
    except (KeyError, IndexError, ValueError) as err:
        raise OpError(f"{where}: {name} must be a str.format template with only the fields "
                      f"{', '.join('{' + f + '}' for f in fields)} (literal braces doubled): {err!r}") from None


def _pattern(where: str, name: str, pattern: str, groups: int) -> None:
    try:
        compiled = re.compile(pattern, FLAGS)
    except re.error as err:
        raise OpError(f"{where}: {name} is not a regular expression (compiled VERBOSE | DOTALL): {err}") from None
    if compiled.groups != groups:
        raise OpError(f"{where}: {name} must have {groups} group(s), as Data-Juicer reads them; it has "
                      f"{compiled.groups}")


def _common(values: dict, where: str) -> dict:
    p = {**values, **llm_settings(values, where, "api_model")}
    if values.get("max_token_num") is not None:
        from sparkops.ops.quality.token_num import tokenizer_file

        p["tokenizer_file"] = tokenizer_file(values["tokenizer"], where)
    return p


def _nested_defaults() -> dict:
    return {"system_prompt": P.NESTED_SYSTEM_PROMPT, "sub_doc_template": P.NESTED_SUB_DOC,
            "input_template": P.NESTED_INPUT}


def prepare_nested(values: dict, where: str) -> dict:
    p = _common(values, where)
    p["input_key"] = values["input_key"] or "text"  # Data-Juicer: input_key or the op's text_key
    p["output_key"] = values["output_key"] or p["input_key"]
    defaults = _nested_defaults()
    for name in defaults:
        p[name] = values[name] or defaults[name]
    _template(where, "sub_doc_template", p["sub_doc_template"], text="")
    _template(where, "input_template", p["input_template"], sub_docs="")
    return p


def _required(values: dict, where: str, *names: str) -> None:
    missing = [n for n in names if values[n] is None]
    if missing:
        raise OpError(f"{where}: {' and '.join(missing)} must be given (Data-Juicer: 'The {' and '.join(names)} "
                      "cannot be None!')")


def prepare_attribute(values: dict, where: str) -> dict:
    _required(values, where, "entity", "attribute")
    p = _common(values, where)
    system = values["system_prompt_template"] or P.ATTRIBUTE_SYSTEM_TEMPLATE
    _template(where, "system_prompt_template", system, entity="", attribute="", word_limit="", example="")
    p["example_prompt"] = values["example_prompt"] or P.ATTRIBUTE_EXAMPLE
    p["system_prompt"] = system.format(entity=values["entity"], attribute=values["attribute"],
                                       word_limit=values["word_limit"], example=p["example_prompt"])
    p["input_template"] = values["input_template"] or P.ATTRIBUTE_INPUT
    _template(where, "input_template", p["input_template"], entity="", attribute="", sub_docs="")
    pattern = values["output_pattern_template"] or P.ATTRIBUTE_PATTERN_TEMPLATE
    _template(where, "output_pattern_template", pattern, entity="", attribute="")
    # the names go into the pattern unescaped (VERBOSE: a space in them matches nothing), as in Data-Juicer
    p["output_pattern"] = pattern.format(entity=values["entity"], attribute=values["attribute"])
    _pattern(where, "output_pattern_template", p["output_pattern"], 1)
    # Data-Juicer's NestedAggregator of the op: its default prompts, the op's model and limits
    p["nested"] = {**p, **_nested_defaults()}
    return p


def prepare_relevant(values: dict, where: str) -> dict:
    _required(values, where, "entity", "query_entity_type")
    p = _common(values, where)
    system = values["system_prompt_template"] or P.RELEVANT_SYSTEM_TEMPLATE
    _template(where, "system_prompt_template", system, entity="", entity_type="")
    p["system_prompt"] = system.format(entity=values["entity"], entity_type=values["query_entity_type"])
    p["input_template"] = values["input_template"] or P.RELEVANT_INPUT
    _template(where, "input_template", p["input_template"], entity="", entity_type="", sub_docs="")
    p["output_pattern"] = values["output_pattern"] or P.RELEVANT_PATTERN
    _pattern(where, "output_pattern", p["output_pattern"], 1)
    return p


def prepare_tags(values: dict, where: str) -> dict:
    p = _common(values, where)
    p["system_prompt"] = values["system_prompt"] or P.TAGS_SYSTEM_PROMPT
    p["input_template"] = values["input_template"] or P.TAGS_INPUT
    _template(where, "input_template", p["input_template"], target_tag_str="", tag_strs="")
    target = values["target_tag_template"] or P.TAGS_TARGET
    _template(where, "target_tag_template", target, target_tags="")
    p["tag_template"] = values["tag_template"] or P.TAGS_TAG
    _template(where, "tag_template", p["tag_template"], tag="", cnt=0)
    p["target_tag_str"] = target.format(target_tags=", ".join(values["target_tags"])) if values["target_tags"] else ""
    p["output_pattern"] = values["output_pattern"] or P.TAGS_PATTERN
    _pattern(where, "output_pattern", p["output_pattern"], 2)
    return p
