"""Cases for the Data-Juicer fixture of general_field_filter and document_line_deduplicator
(standard library only: shared by tools/dj_parity/gen_catalogue_agent_fixture.py and the test).

general_field_filter runs over ``field_filters_corpus.records()`` (real alpaca / GSM8K records
with derived fields, and odd values); document_line_deduplicator over
``parity_corpus.documents()`` (C4, wiki, novels, UDHR, SFT, raw HTML pages, edge cases) plus
the ``LINE_EXTRA`` documents below.
"""

from __future__ import annotations

GENERAL_FIELD_CASES = [
    "10 < meta.words <= 300 and text != 'nothing here'",
    "meta.lang == 'zh' or score > 0.5",
    "meta.input_len == 0",
    "'list' in meta.tags",
    "meta.chars not in ['1584', '0']",
    "not meta.answer",
    "score >= 0.01 and __dj__meta__.lang in ('en', 'zh')",
    "-score < -0.1",
    "meta.stats.depth > 5",
    "1 < 2 < meta.words",
    "meta.words > '5'",
    "text > 'M'",
    "{meta.lang} == {'en'}",
    "meta.missing not in [1, 2]",
    "meta.missing in [None]",
    "not (meta.lang == 'en' and meta.words < 100) or score",
    "__dj__stats__.score_stat >= 0.5",
    "",
]

LINE_CASES = [
    {},
    {"frequency_threshold": 1},
    {"frequency_threshold": 2, "lowercase": True, "ignore_special_character": True},
    {"frequency_threshold": 3, "min_line_length": 0, "skip_brackets": False, "skip_markdown_headers": False,
     "skip_latex_env": False, "skip_html_tags": False},
    {"frequency_threshold": 0, "min_line_length": 10},
]

# boilerplate the way a crawl has it, beside the real documents
LINE_EXTRA = [
    ("line:footer_%d" % i, body + "\n© 2024 Example Corp. All rights reserved.\nPrivacy Policy | Terms of Use\n"
     "# Related\n\\begin{document}\n<div class=\"nav\">\n{ }\n12:30\n--- \n")
    for i, body in enumerate([
        "Weather today is sunny.\nHigh of 25C.",
        "Stock markets rose.\r\nInvestors cheered.",
        "Recipe: pancakes\nMix flour and eggs.",
        "我们的产品很好。\n欢迎光临！",
        "privacy policy | terms of use",
        "",
        "   \n\t\n",
    ])
]

# a dataset of one document, and of two (threshold 0: every countable line is frequent)
LINE_SMALL = [
    ("one", [("a", "Repeated line\nRepeated line\nx")]),
    ("two", [("a", "Repeated line\nonly here"), ("b", "Repeated line\n")]),
]

# python_lambda_mapper / python_file_mapper over python_records(): (op, params)
USER_FUNCTIONS = "tests/fixtures/catalogue_user_functions.py"  # from the project root
PYTHON_CASES = [
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'].strip().lower()}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {**s, 'text': s['output'][::-1], "
                                            "'words': len(s['output'].split())}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'] + s['input']} if s['input'] "
                                            "else s['text']"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'][:10] + str(1 // len(s['input']))}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda b: {'text': [t.upper() for t in b['text']], "
                                            "'n': [len(o) for o in b['output']]}", "batched": True}),
    ("python_lambda_mapper", {}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS, "function_name": "tag_batch", "batched": True}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS, "function_name": "not_a_dict"}),
]


def python_records(shared_data) -> list[dict]:
    """Alpaca records (every 20th English, every 10th Chinese) as {id, text, input, output},
    plus odd texts."""
    import json
    from pathlib import Path

    out = []
    for lang, step in (("en", 20), ("zh", 10)):
        recs = json.loads((Path(shared_data) / "sft" / f"alpaca_{lang}_demo.json").read_text(encoding="utf-8"))
        for i in range(0, len(recs), step):
            r = recs[i]
            out.append({"id": f"{lang}:{i}", "text": r["instruction"], "input": r["input"], "output": r["output"]})
    for name, text in (("empty", ""), ("space", "   "), ("emoji", "\U0001F600 ok"), ("long", "x" * 5000)):
        out.append({"id": f"odd:{name}", "text": text, "input": "", "output": text})
    return out


# ------------------------------------------------------------------ agent ops
# No agent trace with tool calls exists under ../shared/data, nor in Data-Juicer's wheel (its
# demos/ are not installed): these traces are written for the fixture, in the formats
# Data-Juicer's agent mappers read (OpenAI tool_calls, Anthropic tool_use, Qwen thinking
# blocks, usage objects), beside pii_corpus.hard_records() and the real chat records of
# pii_corpus.sft_records().
_LONG_TOOL = "line of build output\n" * 800  # 16,800 characters: over the 10,000 default cap
AGENT_TRACES = [
    ("agent:openai_tools", {
        "request_id": "req-001", "request_model": "qwen-max", "pt": "2025-06-01", "total_cost_time": 5300,
        "messages": [
            {"role": "system", "content": "You are a coding agent. Check '/skills/cron/SKILL.md' first."},
            {"role": "user", "content": "List the files in /srv/app and fix the failing test."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "list_dir", "arguments": "{\"path\": \"/srv/app\"}"}},
                {"id": "c2", "type": "function", "function": {"name": "read_file", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "app.py\ntest_app.py\nREADME.md"},
            {"role": "tool", "tool_call_id": "c2", "content": "Error: file not found: /srv/app/conf.yaml"},
            {"role": "assistant", "content": "The config is missing; I will create it."},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "c3", "function": {"name": "write_file", "arguments": "{\"path\": \"conf.yaml\"}"}}]},
            {"role": "tool", "content": "Wrote 120 bytes to conf.yaml"},
            {"role": "assistant", "content": "Done: created conf.yaml, tests pass."}],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done."},
                     "usage": {"prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280}}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280}}),
    ("agent:anthropic", {
        "trace_id": "  tr-9  ",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Search the docs for ## cron usage"}]},
            {"role": "assistant", "content": [{"type": "thinking", "thinking": "I should search."},
                                              {"type": "text", "text": "Searching."}],
             "tool_use": [{"name": "search_docs", "input": {"q": "cron"}}, {"name": "search_docs"}]},
            {"role": "tool_use", "content": [{"type": "text", "text": "Permission denied"}]},
            {"role": "tool", "content": {"results": ["cron.md"], "count": 1}},
            {"role": "assistant", "content": [{"type": "text", "text": {"value": "Found cron.md"}}]}],
        "response_metadata": {"usage": {"input_tokens": 300, "output_tokens": 40}},
        "usage_metadata": {"prompt_tokens": 1, "completion_tokens": 1}}),
    ("agent:zh", {
        "id": 42, "request_model": "deepseek-r1",
        "messages": [
            {"role": "user", "content": "帮我查询订单状态，订单号 A123，然后发邮件通知客户。" * 3},
            {"role": "assistant", "content": [{"type": "reasoning", "reasoning": "先查订单"}], "tool_calls": [
                {"function": {"name": "query_order"}}, {"function_call": {"name": "send_mail"}}]},
            {"role": "tool", "content": "接口调用失败，错误码 500"},
            {"role": "tool", "content": "未失败：邮件已发送"},
            {"role": "tool", "content": "   "},
            {"role": "assistant", "content": "好"}],
        "choices": [{"message": {"content": [{"type": "text", "text": "订单已处理"}]}}],
        "usage": {"prompt_tokens": "900", "completion_tokens": 100}}),
    ("agent:long_tool", {
        "messages": [
            {"role": "user", "content": "Run the build " + "please " * 100},
            {"role": "assistant", "tool_calls": [{"function": {"name": "run_build"}}]},
            {"role": "tool", "content": _LONG_TOOL},
            {"role": "assistant", "content": "ok"}],
        "choices": [{"usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 30}},
                    {"usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 50}}, "x"]}),
    ("agent:tool_first", {
        "messages": [
            {"role": "tool", "content": "orphan result"},
            {"role": "assistant", "content": "Hello without a user"},
            {"role": "tool", "content": "success"},
            {"role": "user", "content": "Why?"},
            {"role": "tool", "content": "OK"},
            {"role": "system", "content": "late system"},
            {"role": "assistant", "tool_calls": [{"function": {"name": f"t{i}"}} for i in range(13)]}],
        "response_usage": {"prompt_tokens": 5}, "usage": None}),
    ("agent:empty_reply", {
        "messages": [{"role": "user", "content": "Please write a detailed migration plan for our PostgreSQL 12 "
                                                 "cluster to version 16, covering downtime."},
                     {"role": "assistant", "content": "Sure."}],
        "meta": {"tool_fail_count": 0, "agent_request_model": "qwen-max", "total_tokens": 99999,
                 "agent_total_cost_time_ms": 61000, "dialog_sentiment_labels": ["Frustrated user"],
                 "agent_trace_coherence": {"score": 1.5}, "dialog_proactivity": {"score": "2"},
                 "dialog_coreference": {"score": 1, "skipped": True}},
        "stats": {"llm_analysis_score": 0.2, "llm_analysis_record": "{\"recommendation\": [\"Discard\"]}",
                  "llm_quality_score": 0.3, "llm_quality_record": {"recommendation": "keep"},
                  "perplexity": 950.0, "llm_difficulty_score": 0.8}}),
    ("agent:meta_tools", {"messages": [{"role": "user", "content": "hi"}],
                          "meta": {"agent_tool_types": ["b", " a ", "b", "", None, 3, "a", "c", "a"],
                                   "tool_success_count": 1, "tool_fail_count": 3, "tool_success_ratio": 0.25}}),
    ("agent:bad_messages", {"messages": [{"role": 5, "content": "x"}]}),
    ("agent:meta_null", {"messages": [], "meta": None}),
    ("agent:no_fields", {"text": "plain text only"}),
]

# (op, params) run on every agent record, each on a fresh copy; CHAIN runs them in this order on one copy
AGENT_CASES = [
    ("agent_dialog_normalize_mapper", {}),
    ("agent_dialog_normalize_mapper", {"include_system_in_first_user": True, "user_label": "用户",
                                       "assistant_label": "助手", "history_tool_result_max_chars": 600,
                                       "history_max_assistant_trace_chars": 900, "history_max_user_chars": 300,
                                       "history_compress_head_ratio": 0.9, "copy_lineage_fields": False,
                                       "request_id_keys": ["trace_id", "id"]}),
    ("agent_dialog_normalize_mapper", {"history_max_assistant_trace_chars": 350, "extract_tool_skill_tags": False,
                                       "copy_request_id": False}),
    ("tool_success_tagger_mapper", {}),
    ("tool_success_tagger_mapper", {"tool_role_names": ["tool"], "error_patterns": ["(?i)denied|失败"],
                                    "store_per_tool_results": False}),
    ("agent_tool_type_mapper", {}),
    ("agent_tool_type_mapper", {"top_k_dominant": 2}),
    ("usage_counter_mapper", {}),
    ("usage_counter_mapper", {"dedupe_identical_usage": False, "usage_key": "response_usage"}),
    ("agent_bad_case_signal_mapper", {}),
    ("agent_bad_case_signal_mapper", {"max_total_tokens": 1000, "max_latency_ms": 5000,
                                      "signal_on_negative_sentiment_hint": True, "signal_on_high_perplexity": True,
                                      "signal_hard_query_poor_reply": True, "llm_analysis_discard_must_be_strict": False,
                                      "llm_text_quality_discard_must_be_strict": False,
                                      "high_precision_on_tool_fail_alone": False, "min_tool_fail_count_for_signal": 2,
                                      "min_medium_signals_for_watchlist": 3}),
]
AGENT_CHAIN = ["agent_dialog_normalize_mapper", "tool_success_tagger_mapper", "agent_tool_type_mapper",
               "usage_counter_mapper", "agent_bad_case_signal_mapper"]


def agent_records() -> list[tuple[str, dict]]:
    import pii_corpus

    hard = [(i, r) for i, r in pii_corpus.hard_records() if i != "hard:deep"]
    # the real chat records that hold a conversation (the others have no messages to read)
    chat = [(i, r) for i, r in pii_corpus.sft_records() if "messages" in r or "conversations" in r]
    return AGENT_TRACES + hard + chat
