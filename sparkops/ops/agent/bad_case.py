"""agent_bad_case_signal_mapper: bad-case signals of an agent record and a conservative tier
(Data-Juicer 1.6.1's rules), from the tags and statistics earlier ops left.

Each signal is ``{"code", "detail", "weight"}`` (``high`` or ``medium``), in Data-Juicer's
order: tool errors, a low tool success ratio, an empty reply to a long query, token usage and
latency above a threshold, low LLM evaluation scores (``stats.llm_analysis_*``,
``stats.llm_quality_*``), negative sentiment labels, high perplexity, a hard query with a poor
reply, low 1-5 dialog quality scores in meta. The tier: ``high_precision`` for a tool error
(or a high-weight LLM signal), ``watchlist`` for enough medium signals (or a single one),
else ``none``.
"""

from __future__ import annotations

import json
import logging
import os

from sparkops.core import Example, Op, Param, declare
from sparkops.ops.agent.content import STATS, record_meta

FAMILY = "agent"
log = logging.getLogger(__name__)

# the meta records of Data-Juicer's 1-5 dialog / trace quality mappers
DIALOG_QUALITY_KEYS = (
    "dialog_memory_consistency", "dialog_coreference", "dialog_topic_shift", "dialog_error_recovery",
    "dialog_clarification_quality", "dialog_proactivity", "dialog_non_repetition", "agent_trace_coherence",
    "agent_tool_relevance",
)
NEGATIVE_SENTIMENT = ["负面", "negative", "angry", "沮丧", "不满", "frustrated", "disappointed", "unhappy"]
LLM_CODES = ("llm_agent_analysis_eval_low", "llm_reply_quality_eval_low")


def load_calibration(path: str | None):
    """The calibration JSON object, or None (a missing or unreadable file disables it, as in
    Data-Juicer, with a warning)."""
    if not path or not str(path).strip():
        return None
    full = os.path.abspath(os.path.expanduser(str(path).strip()))
    if not os.path.isfile(full):
        log.warning("agent_bad_case_signal_mapper: calibration_json_path is not a file (%s)", full)
        return None
    try:
        with open(full, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        log.warning("agent_bad_case_signal_mapper: cannot read calibration JSON %s: %s", full, err)
        return None
    return data if isinstance(data, dict) else None


def recommendation(record) -> str:
    """An LLM evaluation record's recommendation, lower-cased ('' when there is none)."""
    if isinstance(record, str):
        if not record:
            return ""
        try:
            record = json.loads(record)
        except ValueError:
            return ""
    if not isinstance(record, dict):
        return ""
    rec = record.get("recommendation")
    if isinstance(rec, (list, tuple)) and rec:
        rec = rec[0]
    return "" if rec is None else str(rec).strip().strip('"').lower()


class _Thresholds:
    """The token / latency / perplexity thresholds of one record: the parameters, merged with
    the calibration file's row (its default, then its request model's) as Data-Juicer does."""

    def __init__(self, p: dict, meta: dict):
        self.p = p
        cal = p["calibration"] if p["auto_calibrate_thresholds"] else None
        self.row = {}
        if cal:
            default = cal.get("default") if isinstance(cal.get("default"), dict) else {}
            by_model = cal.get("by_request_model") if isinstance(cal.get("by_request_model"), dict) else {}
            model = str(meta.get("agent_request_model") or "").strip()
            self.row = dict(default)
            if model and model in by_model and isinstance(by_model[model], dict):
                self.row.update(by_model[model])
        self.calibrated = cal is not None

    def _from_row(self, key, cast):
        raw = self.row.get(key)
        if raw is None:
            return None
        try:
            return cast(raw)
        except (TypeError, ValueError):
            return None

    def limit(self, key: str):
        own, cal = self.p[key], self._from_row(key, int)
        if self.p["calibration_manual_overrides_auto"]:
            return own if own is not None else cal
        return cal if cal is not None else own

    def perplexity(self) -> tuple[bool, float]:
        p = self.p
        cal = self._from_row("perplexity_high_threshold", float)
        own, manual = float(p["perplexity_high_threshold"]), p["signal_on_high_perplexity"]
        wanted = manual or (cal is not None and p["auto_enable_perplexity_from_calibration"]
                            and p["auto_calibrate_thresholds"] and self.calibrated)
        if not wanted:
            return False, own
        if p["calibration_manual_overrides_auto"] and manual:
            return True, own
        if cal is not None:
            return True, cal
        return (True, own) if manual else (False, own)


def _llm_signal(stats, signals, score_key, record_key, score_max, strict_discard, high_at, code):
    score = stats.get(score_key)
    rec = recommendation(stats.get(record_key))
    if score is None or float(score) > score_max:
        return
    if strict_discard and rec != "discard":
        return
    weight = "high" if float(score) <= high_at and rec == "discard" else "medium"
    signals.append({"code": code, "detail": f"score={score}, recommendation={rec or 'n/a'}", "weight": weight})


def signals_of(record: dict, p: dict) -> list[dict]:
    meta = record_meta(record)
    stats = record.get(STATS) or {}
    out: list[dict] = []

    def add(code, detail, weight="medium"):
        out.append({"code": code, "detail": detail, "weight": weight})

    fails = int(meta.get("tool_fail_count") or 0)
    if p["signal_on_tool_fail"] and fails >= p["min_fails"]:
        add("tool_message_error_pattern", f"tool_fail_count={fails}", "high")
    succ = int(meta.get("tool_success_count") or 0)
    ratio = meta.get("tool_success_ratio")
    if (p["signal_on_low_tool_success_ratio"] and succ + fails >= p["min_tool_rounds_for_ratio_signal"]
            and ratio is not None and float(ratio) <= p["tool_success_ratio_max_for_signal"]):
        add("low_tool_success_ratio", f"ratio={ratio}, success={succ}, fail={fails}")
    q = (record.get(p["query_key"]) or "").strip()
    r = (record.get(p["response_key"]) or "").strip()
    if (p["signal_on_suspect_empty_response"] and len(q) >= p["min_query_len_for_empty_check"]
            and len(r) <= p["max_response_len_for_empty_check"]):
        add("suspect_empty_or_trivial_final_response", f"query_len={len(q)}, response_len={len(r)}")
    limits = _Thresholds(p, meta)
    max_tokens, tokens = limits.limit("max_total_tokens"), meta.get("total_tokens")
    if max_tokens is not None and tokens is not None and int(tokens) > max_tokens:
        add("high_token_usage", f"total_tokens={tokens}")
    max_latency, latency = limits.limit("max_latency_ms"), meta.get("agent_total_cost_time_ms")
    if max_latency is not None and latency is not None and int(latency) > max_latency:
        add("high_latency_ms", f"total_cost_time_ms={latency}")
    if p["signal_on_llm_analysis_low"]:
        _llm_signal(stats, out, "llm_analysis_score", "llm_analysis_record", p["llm_analysis_score_max_for_bad"],
                    p["llm_analysis_discard_must_be_strict"], p["high_precision_llm_analysis_discard_threshold"],
                    LLM_CODES[0])
    if p["signal_on_llm_text_quality_low"]:
        _llm_signal(stats, out, "llm_quality_score", "llm_quality_record",
                    p["llm_text_quality_score_max_for_bad"], p["llm_text_quality_discard_must_be_strict"],
                    p["high_precision_llm_text_quality_discard_threshold"], LLM_CODES[1])
    if p["signal_on_negative_sentiment_hint"]:
        labels = meta.get("dialog_sentiment_labels")
        if isinstance(labels, list) and labels:
            blob = " ".join(str(x).lower() for x in labels)
            if any(s.lower() in blob for s in p["negative"]):
                add("negative_sentiment_label_hint", f"labels={labels[:6]}")
    on, threshold = limits.perplexity()
    ppl = stats.get("perplexity") if on else None
    if ppl is not None and float(ppl) >= threshold:
        add("high_perplexity", f"perplexity={ppl}")
    if p["signal_hard_query_poor_reply"]:
        d, qs = stats.get("llm_difficulty_score"), stats.get("llm_quality_score")
        if (d is not None and qs is not None and float(d) >= p["hard_query_difficulty_min"]
                and float(qs) <= p["poor_reply_quality_max"]):
            add("hard_query_low_reply_quality_conjunction", f"difficulty={d}, llm_quality_score={qs}")
    if p["signal_on_low_dialog_quality_meta"]:
        th, lows = float(p["dialog_quality_low_score_threshold"]), []
        for key in DIALOG_QUALITY_KEYS:
            rec = meta.get(key)
            if not isinstance(rec, dict) or rec.get("skipped") or rec.get("error") or rec.get("score") is None:
                continue
            try:
                score = float(rec["score"])
            except (TypeError, ValueError):
                continue
            if score <= th:
                lows.append(key)
        if len(lows) >= p["min_axes"]:
            add("dialog_turn_quality_meta_low", f"axes={lows}, threshold={th}")
    return out


def tier_of(signals: list[dict], p: dict) -> str:
    mediums = sum(s["weight"] == "medium" for s in signals)
    if any(s["code"] == "tool_message_error_pattern" and s["weight"] == "high" for s in signals):
        return "high_precision" if p["high_precision_on_tool_fail_alone"] else "watchlist"
    if any(s["code"] in LLM_CODES and s["weight"] == "high" for s in signals):
        return "high_precision"
    if mediums >= p["min_medium_signals_for_watchlist"] or (len(signals) == 1 and signals[0]["weight"] == "medium"):
        return "watchlist"
    return "none"


def tag_bad_case(record: dict, p: dict) -> dict:
    signals = signals_of(record, p)
    meta = record_meta(record)
    meta["agent_bad_case_signals"] = signals
    meta["agent_bad_case_tier"] = tier_of(signals, p)
    return record


def _prepare(p: dict, where: str) -> dict:
    p = dict(p)
    # Data-Juicer clamps these to at least 1
    p["min_fails"] = max(1, p["min_tool_fail_count_for_signal"])
    p["min_axes"] = max(1, p["min_dialog_quality_low_axes_for_signal"])
    p["negative"] = p["negative_sentiment_substrings"] or NEGATIVE_SENTIMENT
    p["calibration"] = (load_calibration(p["calibration_json_path"])
                        if p["auto_calibrate_thresholds"] and p["calibration_json_path"] else None)
    return p


def _b(name, default, doc):
    return Param(name, "bool", default, doc)


def _f(name, default, doc):
    return Param(name, "float", default, doc)


def _i(name, default, doc):
    return Param(name, "int", default, doc)


declare(Op(
    name="agent_bad_case_signal_mapper", kind="mapper", family=FAMILY,
    doc="Attach bad-case signals (tool errors, low tool success, empty replies, cost, latency, low LLM "
        "evaluation, perplexity, low dialog quality) and a conservative tier (`high_precision`, `watchlist`, "
        "`none`) to an agent record's meta.",
    params=(
        Param("query_key", "str", "query", "Field of the last query."),
        Param("response_key", "str", "response", "Field of the last response."),
        _b("signal_on_tool_fail", True, "Signal (high) when meta.tool_fail_count reaches the minimum."),
        _i("min_tool_fail_count_for_signal", 1, "Tool errors needed for that signal (at least 1)."),
        _b("signal_on_low_tool_success_ratio", True, "Signal a low meta.tool_success_ratio."),
        _f("tool_success_ratio_max_for_signal", 0.499, "Ratios up to this are low."),
        _i("min_tool_rounds_for_ratio_signal", 2, "Decided tool results needed for the ratio signal."),
        _b("signal_on_suspect_empty_response", True, "Signal a short response to a long query."),
        _i("min_query_len_for_empty_check", 80, "Queries at least this long (stripped characters)..."),
        _i("max_response_len_for_empty_check", 20, "...answered with at most this many characters."),
        Param("max_total_tokens", "int", None, "Signal meta.total_tokens above this.", nullable=True),
        Param("max_latency_ms", "int", None, "Signal meta.agent_total_cost_time_ms above this.", nullable=True),
        Param("calibration_json_path", "str", None, "Percentile thresholds (`default`, `by_request_model`) "
              "from Data-Juicer's compute_percentile_thresholds.py.", nullable=True, path=True),
        _b("auto_calibrate_thresholds", False, "Use the calibration file's thresholds."),
        _b("calibration_manual_overrides_auto", True, "Explicit thresholds win over the calibration file's."),
        _b("auto_enable_perplexity_from_calibration", True, "A calibrated perplexity threshold turns the "
           "perplexity signal on."),
        _b("signal_on_llm_analysis_low", True, "Signal a low stats.llm_analysis_score."),
        _f("llm_analysis_score_max_for_bad", 0.28, "Scores up to this are low."),
        _b("llm_analysis_discard_must_be_strict", True, "Only when the evaluation recommends `discard`."),
        _f("high_precision_llm_analysis_discard_threshold", 0.24, "A discarded score up to this is high weight."),
        _b("signal_on_llm_text_quality_low", True, "Signal a low stats.llm_quality_score."),
        _f("llm_text_quality_score_max_for_bad", 0.28, "Scores up to this are low."),
        _b("llm_text_quality_discard_must_be_strict", True, "Only when the evaluation recommends `discard`."),
        _f("high_precision_llm_text_quality_discard_threshold", 0.24, "A discarded score up to this is high "
           "weight."),
        _b("signal_on_negative_sentiment_hint", False, "Signal negative meta.dialog_sentiment_labels."),
        Param("negative_sentiment_substrings", "list[str]", None, "Substrings of a negative label; null or "
              "empty: Data-Juicer's (English and Chinese).", nullable=True),
        _b("signal_on_high_perplexity", False, "Signal a high stats.perplexity."),
        _f("perplexity_high_threshold", 800.0, "Perplexities from this up are high."),
        _b("signal_hard_query_poor_reply", False, "Signal a difficult query with a poor reply."),
        _f("hard_query_difficulty_min", 0.72, "stats.llm_difficulty_score from this up is difficult."),
        _f("poor_reply_quality_max", 0.36, "stats.llm_quality_score up to this is poor."),
        _b("high_precision_on_tool_fail_alone", True, "A tool-error signal alone makes the tier high_precision "
           "(else watchlist)."),
        _i("min_medium_signals_for_watchlist", 2, "Medium signals that make the tier watchlist (a single "
           "signal that is medium does too)."),
        _b("signal_on_low_dialog_quality_meta", True, "Signal low 1-5 dialog/trace quality records in meta."),
        _f("dialog_quality_low_score_threshold", 2.0, "Scores up to this are low."),
        _i("min_dialog_quality_low_axes_for_signal", 1, "Low axes needed for that signal (at least 1)."),
    ),
    prepare=_prepare, apply=lambda records, p: [tag_bad_case(r, p) for r in records], record=True,
    sql_name="agent_bad_case_signal", sql_params=(),
    notes="Decisions are Data-Juicer 1.6.1's `process_single` (a fixture it made, "
          "`tests/test_catalogue_agent.py`); meta and stats are the record's `meta` and `stats`. Writes "
          "meta.agent_bad_case_signals (a list of {code, detail, weight}) and meta.agent_bad_case_tier. "
          "Quirks kept: a single medium signal already makes the tier `watchlist` whatever "
          "`min_medium_signals_for_watchlist` says; an LLM evaluation record may be JSON text or an object. "
          "A calibration file that is missing or unreadable disables calibration with a warning, as in "
          "Data-Juicer (read once at bind; the thresholds travel with the op). A value the rules cannot read "
          "as a number (a tool count `'x'`) raises: the row is dropped as an error, as Data-Juicer drops "
          "it. The SQL function returns the text unchanged.",
    examples=(Example("agent_bad_case_signal('unchanged')", "unchanged", "the signals go to the record's meta"),),
))
