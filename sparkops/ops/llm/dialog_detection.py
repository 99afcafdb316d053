"""Data-Juicer 1.6.1's dialog detection LLM mappers (``dialog_intent_detection_mapper``,
``dialog_sentiment_detection_mapper``, ``dialog_topic_detection_mapper``,
``dialog_sentiment_intensity_mapper``): one request per user turn, in order, each showing the
turns before it with the analysis and label (or intensity) the model gave them; the analyses and
labels go into the record's meta as lists.

Pure halves here, one step at a time, as the DataFrame half (``sparkops.spark.llm_dialog_detection.
detection_mapper``) runs them, one turn per round: ``start`` (the turns of a record),
``request`` (the messages of its next turn), ``read`` (an answer), ``advance`` (the turn's
values into the history), ``finish`` (the meta lists); ``converse`` runs them for one record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm.dialog_quality import output_lang
from sparkops.ops.llm.dialog_turns import clip_pair, non_negative, turns
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer 1.6.1's default system prompts (dialog_*_mapper.py, DEFAULT_SYSTEM_PROMPT; Apache-2.0),
# reproduced as facts: an op with its name asks the model the same question
SYSTEM_PROMPTS = {
    "intent_detection": (
        "请判断用户和LLM多轮对话中用户的意图。\n"
        "要求：\n"
        "- 需要先进行分析，然后列出用户所具有的意图，下面是一个样例，请模仿样例格式输出。\n"
        "用户：你好，我最近对人工智能很感兴趣，能给我讲讲什么是机器学习吗？\n"
        "意图分析：用户在请求信息，希望了解有关机器学习的基础知识。\n"
        "意图类别：信息查找\n"
        "LLM：你好！当然可以。机器学习是一种人工智能方法，允许计算机通过数据自动改进和学习。\n"
        "用户：听起来很有趣，有没有推荐的入门书籍或资料？\n"
        "意图分析：用户在请求建议，希望获取关于机器学习的入门资源。\n"
        "意图类别：请求建议\n"
        "LLM：有很多不错的入门书籍和资源。一本常被推荐的书是《Python机器学习实践》（Python M"
        "achine Learning），它涵盖了基础知识和一些实际案例。此外，您还可以参考Coursera"
        "或edX上的在线课程，这些课程提供了系统的学习路径。\n"
        "用户：谢谢你的建议！我还想知道，学习机器学习需要什么样的数学基础？\n"
        "意图分析：用户在寻求信息，希望了解学习机器学习所需的前提条件，特别是在数学方面。\n"
        "意图类别：信息查找\n"
        "LLM：学习机器学习通常需要一定的数学基础，特别是线性代数、概率论和统计学。这些数学领域帮助理解算法"
        "的工作原理和数据模式分析。如果您对这些主题不太熟悉，建议先从相关基础书籍或在线资源开始学习。\n"
        "用户：明白了，我会先补习这些基础知识。再次感谢你的帮助！\n"
        "意图分析：用户表达感谢，并表示计划付诸行动来补充所需的基础知识。\n"
        "意图类别：其他"
    ),
    "sentiment_detection": (
        "请判断用户和LLM多轮对话中用户所具有的情绪。\n"
        "要求：\n"
        "- 需要先进行分析，然后罗列用户所具有的情绪，下面是一个样例，请模仿样例格式输出。\n"
        "用户：最近工作压力好大，我觉得整个人都快被压垮了。\n"
        "情感分析：用户的言语中透露出明显的压力和疲惫感，可能还夹杂着一些无助和焦虑。\n"
        "情感类别：压力、疲惫、无助、焦虑\n"
        "LLM：听起来你真的承受了很多，面临这种情况确实不容易。有没有考虑过找一些放松的方式，比如听音乐或者"
        "散步来减轻压力呢？\n"
        "用户：试过了，但是好像没什么效果，每天的事情都堆积如山。\n"
        "情感分析：用户感到无力解决现状，有挫败感，并且对尝试放松的方式失去信心。\n"
        "情感类别：无力、挫败\n"
        "LLM：我理解你的感受，有时候压力积累到一定程度确实让人难以承受。或许你可以尝试规划一下时间，把任务"
        "分成小块来完成，这样可能会减少一些压力感。\n"
        "用户：这个主意不错，我会试着让自己更有条理一些，谢谢你的建议。\n"
        "情感分析：用户对建议表现出认同和感激，同时展现出试图积极面对问题的态度。\n"
        "情感类别：认同、感激、积极\n"
        "LLM：不用谢，我很高兴能帮到你。记得给自己一些时间去适应新的计划，有任何需要随时可以跟我说哦！\n"
    ),
    "sentiment_intensity": (
        "请判断用户和LLM多轮对话中用户的情绪变化。\n"
        "要求：\n"
        "- 用户情绪值是-5到5之间到整数，-5表示极度负面，5表示极度正面，-5到5之间数值表示情绪从负面"
        "逐渐到正面的变化过程，0代表情呈绪中性。\n"
        "- 只输出当轮对话的分析，不要继续构造对话。\n"
        "- 需要先进行分析，然后确定用户的情绪值，下面是一个样例，请模仿样例格式输出。\n"
        "用户：你好，我对可持续发展的定义有点模糊，帮我解释一下？\n"
        "情绪分析：刚开始，还没得到LLM回复，用户情绪呈中性。\n"
        "情绪值：0\n"
        "LLM：当然可以！可持续发展是指在满足当代人的需求的同时，不损害子孙后代满足其自身需求的能力的发展模"
        "式。它包括经济发展、社会发展和环境保护三个主要方面。通过合理利用资源和保护环境，我们可以确保未来的世"
        "代也能享有健全的生态系统和经济制度。\n"
        "用户：谢谢你的解释！那你能告诉我一些普通人可以采取的可持续生活方式吗？\n"
        "情绪分析：对回答感到满意，情绪正面。\n"
        "情绪值：1\n"
        "LLM：当然可以，普通人可以通过减少一次性产品的使用、选择公共交通或拼车、节约用水、以及支持本地和可"
        "持续发展的企业等方式来践行可持续生活。此外，关注垃圾分类和多用电子账单也是不错的选择。\n"
        "用户：你提到支持本地企业，这一点我很感兴趣。能详细说说为什么这对可持续发展有促进作用吗？\n"
        "情绪分析：觉得回答实用且具体，情绪进一步转好。\n"
        "情绪值：2\n"
        "LLM：呃，我最近发现了一部新电影，讲述了一个关于外星人和地球土著合作保护环境的故事。虽然它是科幻片"
        "，但很有启发性，推荐你去看看。\n"
        "用户：什么吗，根本是答非所问。\n"
        "情绪分析：LLM没有回应问题而是提到无关内容，导致用户情绪直线下降。\n"
        "情绪值：-2\n"
        "LLM：抱歉刚才的偏题！支持本地企业有助于减少长途运输产生的碳足迹，使供应链更加环保。此外，本地企业"
        "也更有可能采用可持续的生产方式，同时促进社区经济的繁荣。\n"
        "用户：还行吧，算你能够掰回来。\n"
        "情绪分析：问题得到解答，问题偏题得到纠正，情绪稍有好转。\n"
        "情绪值：-1\n"
    ),
    "topic_detection": (
        "请判断用户和LLM多轮对话中用户所讨论的话题。\n"
        "要求：\n"
        "- 针对用户的每个query，需要先进行分析，然后列出用户正在讨论的话题，下面是一个样例，请模仿样例"
        "格式输出。\n"
        "用户：你好，今天我们来聊聊秦始皇吧。\n"
        "话题分析：用户提到秦始皇，这是中国历史上第一位皇帝。\n"
        "话题类别：历史\n"
        "LLM：当然可以，秦始皇是中国历史上第一个统一全国的皇帝，他在公元前221年建立了秦朝，并采取了一系"
        "列重要的改革措施，如统一文字、度量衡和货币等。\n"
        "用户：秦始皇修建的长城和现在的长城有什么区别？\n"
        "话题分析：用户提到秦始皇修建的长城，并将其与现代长城进行比较，涉及建筑历史和地理位置。\n"
        "话题类别：历史LLM：秦始皇时期修建的长城主要是为了抵御北方游牧民族的入侵，它的规模和修建技术相对较"
        "为简陋。现代人所看到的长城大部分是明朝时期修建和扩建的，明长城不仅规模更大、结构更坚固，而且保存得比"
        "较完好。\n"
        "用户：有意思，那么长城的具体位置在哪些省份呢？\n"
        "话题分析：用户询问长城的具体位置，涉及到地理知识。\n"
        "话题类别：地理\n"
        "LLM：长城横跨中国北方多个省份，主要包括河北、山西、内蒙古、宁夏、陕西、甘肃和北京等。每一段长城都"
        "建在关键的战略位置，以便最大限度地发挥其防御作用。\n"
    ),
}
# Data-Juicer 1.6.1's templates and patterns (DEFAULT_*), and the output-language notes it appends
# to the system prompt (data_juicer/utils/agent_output_locale.py: dialog_detection_output_language_note)
QUERY_TEMPLATE, RESPONSE_TEMPLATE = "用户：{query}\n", "LLM：{response}\n"
KINDS = {
    # op: (mode, prompt key, analysis word, label word, candidates param, values param, meta keys)
    "dialog_intent_detection_mapper": ("intent", "intent_detection", "意图分析", "意图类别", "intent_candidates",
                                       "labels", ("dialog_intent_labels", "dialog_intent_labels_analysis")),
    "dialog_sentiment_detection_mapper": ("sentiment", "sentiment_detection", "情感分析", "情感类别",
                                          "sentiment_candidates", "labels",
                                          ("dialog_sentiment_labels", "dialog_sentiment_labels_analysis")),
    "dialog_topic_detection_mapper": ("topic", "topic_detection", "话题分析", "话题类别", "topic_candidates", "labels",
                                      ("dialog_topic_labels", "dialog_topic_labels_analysis")),
    "dialog_sentiment_intensity_mapper": ("intensity", "sentiment_intensity", "情绪分析", "情绪值", None, "intensity",
                                          ("dialog_sentiment_intensity", "dialog_sentiment_intensity_analysis")),
}
LANGUAGE_NOTES = {
    "zh": {"intent": "\n\n【语言】「意图分析」「意图类别」后的说明请使用简体中文。",
           "topic": "\n\n【语言】「话题分析」「话题类别」后的说明请使用简体中文。",
           "sentiment": "\n\n【语言】「情感分析」「情感类别」后的说明请使用简体中文。",
           "intensity": "\n\n【语言】「情绪分析」后的说明与情绪值整数请按规定格式；分析句用简体中文。"},
    "en": {mode: (f"\n\n【Language】Keep the exact prefixes 「{a}：」「{b}：」 as in the examples; "
                  + ("write the analysis sentence after the colon in **English**; the integer after 情绪值： must "
                     "still be -5..5." if mode == "intensity" else "write the text after each colon in **English**."))
           for mode, a, b in (("intent", "意图分析", "意图类别"), ("topic", "话题分析", "话题类别"),
                              ("sentiment", "情感分析", "情感类别"), ("intensity", "情绪分析", "情绪值"))},
}


def defaults(op_name: str) -> dict[str, str]:
    """Data-Juicer's default templates and patterns of an op."""
    _, _, a, b, cands, values, _ = KINDS[op_name]
    out = {"query_template": QUERY_TEMPLATE, "response_template": RESPONSE_TEMPLATE,
           "analysis_template": f"{a}：{{analysis}}\n", f"{values}_template": f"{b}：{{{values}}}\n",
           "analysis_pattern": f"{a}：(.*?)\n", f"{values}_pattern": f"{b}：(.*?)($|\n)"}
    if cands:
        out["candidate_template"] = f"备选{b}：[{{candidate_str}}]"
    return out


def already_done(fields: Mapping[str, Any], p: dict) -> bool:
    """The record's meta holds both output keys: Data-Juicer leaves it as it is."""
    meta = fields.get("meta")
    if hasattr(meta, "asDict"):
        meta = meta.asDict()
    return isinstance(meta, Mapping) and all(meta.get(k) is not None for k in p["meta_keys"])


def start(fields: Mapping[str, Any], p: dict) -> dict | None:
    """A record's state before its first turn: its turns (clipped), the history shown so far, the
    values per turn; None where the record keeps the values it has."""
    if already_done(fields, p):
        return None
    dialog = turns(fields, p["history_key"], p["query_key"], p["response_key"])
    pairs = [list(clip_pair(q, r, p["max_query_chars_for_prompt"], p["max_response_chars_for_prompt"]))
             for q, r in dialog]
    return {"turns": pairs, "history": [], "analysis": [], "values": [], "raw": [], "reasons": []}


def request(state: dict | None, p: dict) -> list[dict] | None:
    """The messages of the record's next turn; None when none is left."""
    if state is None or len(state["analysis"]) >= len(state["turns"]):
        return None
    query = state["turns"][len(state["analysis"])][0]
    prompt = p["candidate_template"].format(candidate_str=",".join(p["candidates"])) if p["candidates"] else ""
    if p["max_round"] > 0:
        prompt += "".join(state["history"][-p["max_round"] * 4:])
    prompt += p["query_template"].format(query=query)
    return [{"role": "system", "content": p["system"]}, {"role": "user", "content": prompt}]


def read(raw: str | None, p: dict) -> tuple[str, Any, bool]:
    """(analysis, label or intensity, read): the first match of each pattern ('' / 0 without one).
    Not read where Data-Juicer's parse raises: an intensity ``int`` does not take (e.g. '很高')."""
    raw = raw or ""  # Data-Juicer's API model answers '' for a failed call
    try:
        found = re.search(p["analysis_pattern"], raw)
        analysis = found.group(1) if found else ""
        found = re.search(p["values_pattern"], raw)
        if p["intensity"]:
            return analysis, int(found.group(1)) if found else 0, True
        return analysis, found.group(1) if found else "", True
    except (TypeError, ValueError, IndexError):
        return "", None, False


def done(analysis: str, ok: bool) -> bool:
    """Data-Juicer asks a turn again until an answer parses with a non-empty analysis."""
    return ok and len(analysis) > 0


def advance(state: dict, raw: str | None, p: dict, error: str | None = None) -> dict:
    """The state after the current turn's last answer (``raw``; None with ``error``: the requests
    failed, read as Data-Juicer's ''). An answer Data-Juicer cannot parse leaves the values it had
    (the previous turn's; on the first turn Data-Juicer fails, here: '' and 0 / '')."""
    analysis, value, ok = read(None if error else raw, p)
    reason = f"endpoint: {error}" if error else None
    if not ok:
        if state["analysis"]:
            analysis, value = state["analysis"][-1], state["values"][-1]
        else:
            analysis, value = "", 0 if p["intensity"] else ""
        reason = "unparsable answer: the previous turn's values kept" if state["analysis"] else \
            "unparsable answer on the first turn (Data-Juicer fails the sample)"
    elif not analysis and reason is None:
        reason = "no analysis in the answer"
    query, response = state["turns"][len(state["analysis"])]
    history = [p["query_template"].format(query=query), p["analysis_template"].format(analysis=analysis),
               p["values_template"].format(**{p["values_name"]: value}),
               p["response_template"].format(response=response)]
    return {**state, "history": state["history"] + history, "analysis": state["analysis"] + [analysis],
            "values": state["values"] + [value], "raw": state["raw"] + [raw],
            "reasons": state["reasons"] + [reason]}


def finish(state: dict, p: dict) -> dict:
    """Data-Juicer's meta: the labels (repeats dropped, first kept) or the intensities, and the
    analyses, one per turn."""
    values_key, analysis_key = p["meta_keys"]
    values = state["values"] if p["intensity"] else list(dict.fromkeys(state["values"]))
    return {values_key: values, analysis_key: list(state["analysis"])}


def reason(state: dict) -> str | None:
    """Why some turn has no analysis, per turn; null when every turn has one."""
    parts = [f"turn {i + 1}: {r}" for i, r in enumerate(state["reasons"]) if r]
    return "; ".join(parts) or None


def converse(fields: Mapping[str, Any], p: dict, ask) -> dict | None:
    """Data-Juicer's ``process_single`` for one record, ``ask(messages, attempt) -> answer`` (''
    for a failed call): the meta, or None where the record keeps its own."""
    state = start(fields, p)
    if state is None:
        return None
    while (messages := request(state, p)) is not None:
        raw = ""
        for attempt in range(p["try_num"]):
            raw = ask(messages, attempt)
            if done(*read(raw, p)[::2]):
                break
        state = advance(state, raw, p)
    return finish(state, p)


def _template(values: dict, name: str, fill: dict, where: str) -> str:
    text = values[name] or values["_defaults"][name]
    try:
        text.format(**fill)
    except (KeyError, IndexError, ValueError) as err:
        raise OpError(f"{where}: {name} {text!r} must take only {', '.join('{' + k + '}' for k in fill)} "
                      f"({type(err).__name__}: {err})") from None
    return text


def _pattern(values: dict, name: str, where: str) -> str:
    text = values[name] or values["_defaults"][name]
    try:
        groups = re.compile(text).groups
    except re.error as err:
        raise OpError(f"{where}: {name} {text!r} is not a regular expression: {err}") from None
    if groups < 1:
        raise OpError(f"{where}: {name} {text!r} needs a group: its first group is the value read")
    return text


def _prepare(values: dict, where: str, op_name: str) -> dict:
    mode, _, _, _, cands, vname, _ = KINDS[op_name]
    values = {**values, "_defaults": defaults(op_name)}
    lang = output_lang(values["preferred_output_lang"])
    intensity = vname == "intensity"
    p = {**values, **llm_settings(values, where, "api_model"), "op_name": op_name, "intensity": intensity,
         "values_name": vname, "candidates": values.get(cands) if cands else None,
         "system": (values["system_prompt"] or SYSTEM_PROMPTS[KINDS[op_name][1]]) + LANGUAGE_NOTES[lang][mode],
         "meta_keys": (values["intensities_key" if intensity else "labels_key"], values["analysis_key"]),
         "query_template": _template(values, "query_template", {"query": ""}, where),
         "response_template": _template(values, "response_template", {"response": ""}, where),
         "analysis_template": _template(values, "analysis_template", {"analysis": ""}, where),
         "values_template": _template(values, f"{vname}_template", {vname: ""}, where),
         "analysis_pattern": _pattern(values, "analysis_pattern", where),
         "values_pattern": _pattern(values, f"{vname}_pattern", where),
         "read_keys": [values["history_key"], values["query_key"], values["response_key"], "meta"]}
    if cands:
        p["candidate_template"] = _template(values, "candidate_template", {"candidate_str": ""}, where)
    if p["meta_keys"][0] == p["meta_keys"][1]:
        raise OpError(f"{where}: the values and the analyses need two meta keys, both are {p['meta_keys'][0]!r}")
    del p["_defaults"]
    return p


def params(op_name: str) -> tuple[Param, ...]:
    """Data-Juicer's parameters of the op, its order and defaults."""
    mode, _, a, b, cands, vname, (values_key, analysis_key) = KINDS[op_name]
    common = {q.name: q for q in llm_params("gpt-4o", "api_model", local_switches=False)}
    what = "intensity (an integer)" if vname == "intensity" else "label"
    return (
        common.pop("api_model"),
        *((Param(cands, "list[str]", None, "Labels the model picks from (shown as Data-Juicer's candidate line); "
                 "null: open labels.", nullable=True),) if cands else ()),
        Param("max_round", "int", 10, "Earlier turns shown with each turn (0: none).", check=non_negative),
        Param("intensities_key" if vname == "intensity" else "labels_key", "str", values_key,
              f"Meta field of the {what} list, one per turn" + ("." if vname == "intensity" else
                                                                " (repeats dropped).")),
        Param("analysis_key", "str", analysis_key, "Meta field of the analyses, one per turn."),
        common.pop("api_endpoint"), common.pop("response_path"),
        Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese, with an example "
              "dialog).", nullable=True),
        Param("query_template", "str", None, f"User turn in the prompt; default `{QUERY_TEMPLATE!r}`.",
              nullable=True),
        Param("response_template", "str", None, f"Assistant turn in the prompt; default `{RESPONSE_TEMPLATE!r}`.",
              nullable=True),
        *((Param("candidate_template", "str", None, f"Candidates line; default `'备选{b}：[{{candidate_str}}]'`.",
                 nullable=True),) if cands else ()),
        Param("analysis_template", "str", None, f"Analysis line of an earlier turn; default `'{a}：{{analysis}}\\n'`.",
              nullable=True),
        Param(f"{vname}_template", "str", None, f"{what.capitalize()} line of an earlier turn; default "
              f"`'{b}：{{{vname}}}\\n'`.", nullable=True),
        Param("analysis_pattern", "str", None, f"Regex of the analysis in an answer (group 1); default "
              f"`'{a}：(.*?)\\n'`.", nullable=True),
        Param(f"{vname}_pattern", "str", None, f"Regex of the {what} in an answer (group 1); default "
              f"`'{b}：(.*?)($|\\n)'`.", nullable=True),
        replace(common.pop("try_num"), doc="Requests per turn at most: asked again while the answer has no "
                "analysis (a failed request reads as an empty answer)."),
        Param("max_query_chars_for_prompt", "int", 0, "Characters of a user turn shown at most (0: all).",
              check=non_negative),
        Param("max_response_chars_for_prompt", "int", 0, "Characters of an assistant turn shown at most (0: all).",
              check=non_negative),
        common.pop("model_params"), common.pop("sampling_params"),
        Param("preferred_output_lang", "str", "zh", "Language of the analyses: `zh...` Chinese, else English "
              "(the Chinese prefixes stay).", nullable=True),
        Param("history_key", "str", "history", "Record field of the earlier turns: a list of [query, response] "
              "pairs (Data-Juicer's base op default)."),
        Param("query_key", "str", "query", "Record field of the last user message."),
        Param("response_key", "str", "response", "Record field of the last reply."),
        *common.values(),
    )


def stat_prefix(op_name: str) -> str:
    return op_name.removesuffix("_mapper")


def _declare(op_name: str) -> None:
    mode, _, _, _, cands, vname, (values_key, analysis_key) = KINDS[op_name]
    prefix = stat_prefix(op_name)
    lists = "sentiment intensities (-5..5)" if vname == "intensity" else f"{mode} labels"
    declare(Op(
        name=op_name, kind="selector", family="llm",
        doc=f"The user's {lists} and their analyses per dialog turn, by an LLM, into meta.{values_key} and "
            f"meta.{analysis_key}.",
        params=params(op_name),
        stats=(Stat(f"{prefix}_raw", "array<string>", "The model's last answer per turn, verbatim."),
               Stat(f"{prefix}_reason", "string", "Per turn, why it has no analysis (no analysis in the answer, "
                                                  "unparsable answer, endpoint error); null when all have one."),
               *USAGE),
        frame="sparkops.spark.llm_dialog_detection:detection_mapper",
        prepare=lambda values, where: _prepare(values, where, op_name),
        notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`), one round of "
              "requests per turn: the dialog's turns (`history_key` pairs, then `query_key`/`response_key` unless "
              "the history's last turn already is that pair) are asked one by one, each prompt showing the "
              "earlier turns (at most `max_round`) with the analysis and "
              f"{'intensity' if vname == 'intensity' else 'label'} the model gave them. A turn is asked again "
              "(up to `try_num` requests) while its answer has no analysis; then its last answer's values are "
              f"kept ('' {'and 0 ' if vname == 'intensity' else ''}without a match). `meta.{values_key}` and "
              f"`meta.{analysis_key}` are lists as in Data-Juicer"
              + ("" if vname == "intensity" else " (the labels without repeats)")
              + "; a dialog without turns gets empty lists; a record whose meta already holds both keys is not "
              "asked (it keeps them when their types are this op's). A failed request reads as Data-Juicer's "
              "'' answer."
              + (" An intensity `int` does not take ('很高', '3.5') is unparsable: as in Data-Juicer the turn "
                 "keeps the previous turn's values; on the first turn Data-Juicer fails the whole sample, here "
                 "the turn gets '' and 0 and the reason says so. (Data-Juicer keeps an earlier attempt of the same "
                 "turn that parsed with an empty analysis; here only the last attempt counts.)"
                 if vname == "intensity" else ""),
    ))


for _name in KINDS:
    _declare(_name)
