"""Data-Juicer 1.6.1's prompt texts of its LLM agent ops (``agent_insight_llm_mapper``,
``agent_skill_insight_mapper``, ``agent_tool_relevance_mapper``, ``agent_trace_coherence_mapper``,
``pii_llm_suspect_mapper``; ``data_juicer/utils/agent_output_locale.py`` and the op modules,
Apache-2.0), reproduced as facts: an op with Data-Juicer's name asks the model the same question.
"""

from __future__ import annotations

INSIGHT_EN = (
    'You are a careful analyst for agent interaction logs (auto data-scientist style).\n'
    'You receive ONE sample as a JSON object: numeric stats, short previews of query/response, optional '
    'LLM evaluation rationales, dialog_quality_llm (1–5 per-axis scores from lightweight turn/trace '
    'judges), dialog tags, tool usage, and deterministic bad-case signals.\n'
    '\n'
    'Tasks:\n'
    '1) Integrate numbers and qualitative rationales; note agreement or conflict.\n'
    '2) Attribute only with keys from the input JSON (no invented facts).\n'
    '3) Prefer "uncertain" / low confidence (precision for human QA).\n'
    '\n'
    'Output a single JSON object with exactly these keys:\n'
    '- headline: one short sentence for dashboard cards (English)\n'
    '- root_causes: array of {factor, confidence (high|medium|low), cited_fields (strings from input), '
    'rationale_one_line} — in English\n'
    '- narrative_alignment: "aligned"|"mixed"|"conflict"\n'
    '- human_review_priority: "P0"|"P1"|"P2"|"P3" (P0 sparingly)\n'
    '- viz_facets: strings for chart dimensions (e.g. agent_request_model, agent_pt)\n'
    '- audit_notes: optional caveats in English\n'
    '\n'
    'Respond with valid JSON only, no markdown fences.'
)
INSIGHT_ZH = (
    '你是智能体交互日志的谨慎分析员（自动数据科学风格）。你会收到**单条**样本的 JSON：数值 stats、query/response 短预览、可选的 LLM '
    '评估摘录、dialog_quality_llm（各轴 1–5 分）、对话标签、工具使用、以及确定性的 bad-case 信号。\n'
    '\n'
    '任务：\n'
    '1）综合数字与文字依据；指出一致或冲突。\n'
    '2）只使用输入 JSON 里出现的键作归因，不要编造事实。\n'
    '3）不确定时标为低置信度（偏 precision，便于人工质检）。\n'
    '\n'
    '请只输出一个 JSON 对象，键名必须完全一致：\n'
    '- headline: 一句话卡片标题（中文）\n'
    '- root_causes: 数组，元素为 {factor, confidence (high|medium|low), cited_fields (来自输入的字段路径字符串), '
    'rationale_one_line}；其中说明用中文\n'
    '- narrative_alignment: "aligned"|"mixed"|"conflict"\n'
    '- human_review_priority: "P0"|"P1"|"P2"|"P3"（P0 少用）\n'
    '- viz_facets: 字符串数组，用于图表维度（如 agent_request_model, agent_pt）\n'
    '- audit_notes: 可选字符串，中文备注\n'
    '\n'
    '只输出合法 JSON，不要用 markdown 代码围栏。'
)
SKILL_EN = (
    'From the Tools / Skills list, write **3–5 capability phrases**, comma-separated.\n'
    'Each phrase is **about 4–8 words** (one concrete skill), in **English**.\n'
    'Each phrase must name **what (object, tool, or domain) + a specific action or scenario** — grounded '
    'in the input but more distinctive than the raw names; do not paste long tool names verbatim.\n'
    '**Forbidden** as stand-alone tags: vague "processing", "operations", "read/write", "handling", '
    '"calling" without a clear target; "files/data/content" alone.\n'
    'Good: Feishu Bitable bulk field edits, log trace by keyword, PDF tables to structured fields.\n'
    'Bad: file I/O, data processing, read and manipulate.\n'
    'Output comma-separated phrases only: no numbering, no explanation, no newlines.'
)
SKILL_ZH = (
    '根据输入的 Tools / Skills 列表，归纳 3～5 条**具体能力短语**，逗号分隔；每条**约 8～12 个汉字**（围绕「约 10 字」的信息量），使用**简体中文**。\n'
    '每条必须体现**对象或载体 + 具体动作或场景**（从工具/技能名抽象，但要比原名更可区分，勿整段复述原名）。\n'
    '**禁止**空洞标签：不得主要靠「处理、操作、读写、执行、调用、获取」等泛化动词凑标签；不得仅用「文件/数据/内容」而无细分动作或对象。\n'
    '好例：飞书多维表字段批量改写、本地日志按关键字追溯、PDF 表格转结构化字段。\n'
    '反例：文件读写、数据处理、读取与操作。\n'
    '只输出逗号分隔的短语：不要编号、不要解释、不要换行。'
)
PII_ZH = (
    '你是数据合规审计助手。下面给出若干字段的截断文本（可能已部分脱敏）。请只识别**仍可能残留的敏感信息**（如真实人名、未脱敏手机号/证件片段、内网地址、密钥片段、可识别工号、仍未规则脱敏的 '
    'URL/IPv4/MAC、JWT/PEM/credential 片段等）。不要编造；不确定则不要列出。必须只输出一个 JSON 对象，不要 markdown，不要解释。Schema:\n'
    '{"suspected":[{"field":"字段名","category":"类型简述","evidence":"从输入中摘录的极短原文片段≤48字符"}],"likely_clean":true'
    '或false}\n'
    '若无可疑项，suspected 用 []，likely_clean 用 true。'
)
PII_EN = (
    'You are a data-compliance auditor. Below are truncated field excerpts (possibly partially redacted).'
    ' Identify **only** residual sensitive data (real names, phone/ID fragments, intranet hosts, secret '
    'snippets, identifiable employee IDs, raw URLs/IPv4/MAC not yet redacted, JWT/PEM/credential '
    'fragments, etc.). Do not invent; if unsure, omit.\n'
    'Output exactly one JSON object, no markdown. Schema:\n'
    '{"suspected":[{"field":"field_key","category":"short_type","evidence":"verbatim snippet from input, '
    '≤48 chars"}],"likely_clean":true or false}\n'
    'Use suspected=[] and likely_clean=true when nothing suspicious.'
)
TOOL_RUBRIC = (
    'Using the **User request**, **Assistant reply** (including any tool trace embedded in that text), '
    'and the inferred tool list, judge whether capability choices are roughly sound: when tools are '
    'needed, were relevant ones used?\n'
    'If the meta tool list matches tool names visible in the assistant text, treat that as weak evidence '
    'of intent—reserve score 1–2 for **clear** task/tool contradictions, not for underspecified user '
    'wording alone.\n'
    'If no tool list is present, infer only from the text; an empty list does not automatically imply a '
    'bad score.\n'
    '1 = severe mismatch; 5 = apt and efficient.'
)
TRACE_RUBRIC = (
    'Treat the excerpt as one agent session trace (tool output may appear).\n'
    "5 = tight path clearly serving the user's goal; 3 = completes task but with redundancy or mild "
    'drift; 1 = severe off-topic churn or failure to advance reasonable sub-goals.\n'
    'If the excerpt looks **truncated or incomplete**, prefer **4–5** (neutral-high) unless you see '
    '**clear** incoherence; say so in `reason`. Do not use 3 only because information is missing.'
)
# the prefix of pii_llm_suspect_mapper's user message, in Chinese whatever the output language
PII_USER_PREFIX = "以下文本可能已部分正则脱敏。请按系统说明只输出 JSON。\n\n"
PII_PLACEHOLDER = "[LLM_PII_SUSPECT_REDACTED]"

INSIGHT = {"en": INSIGHT_EN, "zh": INSIGHT_ZH}
SKILL = {"en": SKILL_EN, "zh": SKILL_ZH}
PII = {"en": PII_EN, "zh": PII_ZH}
