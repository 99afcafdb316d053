"""Statistics every LLM op reports per row: its usage, and for a mapper the model's last answer and
why the record was left as it came."""

from __future__ import annotations

from sparkops.core import Stat

USAGE = (Stat("llm_prompt_tokens", "long", "Prompt tokens of this row's requests (as recorded when cached)."),
         Stat("llm_completion_tokens", "long", "Completion tokens of this row's requests."),
         Stat("llm_requests", "long", "Requests this row needed (Data-Juicer's try_num retries)."),
         Stat("llm_cached", "boolean", "Every answer came from the response cache."))


def mapper_stats(prefix: str) -> tuple[Stat, ...]:
    """``<prefix>_raw``, ``<prefix>_reason`` and the usage (``sparkops.spark.llm.field_mapper``)."""
    return (Stat(f"{prefix}_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
            Stat(f"{prefix}_reason", "string", "Why the fields were not (all) written from an answer: unparsable "
                                                "answer, endpoint error, missing field; or null."),
            *USAGE)
