"""The parameters every LLM op takes: Data-Juicer's (model, endpoint, sampling, retries) and the
client's (cache, concurrency, rate limit, timeout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sparkops.core import OpError, Param
from sparkops.core.params import positive


@dataclass(frozen=True)
class DictParam(Param):
    """A mapping parameter (Data-Juicer's ``model_params``, ``sampling_params``): the core's type
    tags have no dict, so this one checks it here (shown as ``dict`` in the docs)."""

    def coerce(self, value: Any, where: str) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            # the value is not shown: model_params may hold an API key
            raise OpError(f"{where}: parameter '{self.name}' must be a mapping with string keys, got "
                          f"{type(value).__name__}")
        return dict(value)


def llm_params(model: str, model_param: str = "api_or_hf_model", local_switches: bool = True) -> tuple[Param, ...]:
    """``model_param``: the op's Data-Juicer name for the model (``api_or_hf_model``, ``api_model``,
    ``hf_model``); ``local_switches``: the op has Data-Juicer's ``is_hf_model`` / ``enable_vllm``."""
    switches = (
        Param("is_hf_model", "bool", False, "Must be false: sparkops reaches models through an endpoint only."),
        Param("enable_vllm", "bool", False, "Must be false: serve vLLM behind its OpenAI-compatible server."),
    ) if local_switches else ()
    return (
        Param(model_param, "str", model, "Model name sent to the endpoint (`model`)."),
        *switches,
        Param("api_endpoint", "str", None, "Endpoint path (appended to the base URL) or URL; default "
              "`/chat/completions`.", nullable=True),
        Param("response_path", "str", None, "Dotted path of the answer in the response; default "
              "`choices.0.message.content`.", nullable=True),
        Param("try_num", "int", 3, "Requests per row at most: an unparsable answer or a failed request is "
              "asked again.", check=positive),
        DictParam("model_params", "dict", {}, "The OpenAI client's arguments: `base_url`, `api_key` (better: "
                  "OPENAI_API_KEY), `timeout`, `max_retries`."),
        DictParam("sampling_params", "dict", {}, "Merged into the request body, e.g. `{temperature: 0}`; part of "
                  "the cache key."),
        Param("cache_path", "str", None, "Folder of the Delta response cache; default: `_llm_cache` in the job's "
              "output folder (none outside a job: every row is asked).", nullable=True, path=True),
        Param("concurrency", "int", 8, "Requests in flight per Python worker.", check=positive),
        Param("rate_limit", "float", None, "Requests started per second per Python worker; null: no limit.",
              nullable=True, check=positive),
        Param("timeout", "float", None, "Seconds per request; default `model_params.timeout` or 120.",
              nullable=True, check=positive),
        Param("max_retries", "int", None, "Retries of a request on timeouts, connection errors, 5xx and 429 "
              "(exponential backoff, Retry-After respected); default `model_params.max_retries` or 3.",
              nullable=True),
        Param("num_partitions", "int", None, "Spark tasks the missing requests are spread over; default: "
              "the default parallelism.", nullable=True, check=positive),
    )


def llm_settings(values: dict, where: str, model_param: str = "api_or_hf_model") -> dict:
    """Checks shared by every LLM op; the client settings its Spark half uses (``client.api_model``:
    the model asked, whatever the op calls its parameter)."""
    if values.get("is_hf_model") or values.get("enable_vllm"):
        raise OpError(f"{where}: is_hf_model / enable_vllm: sparkops reaches models through an OpenAI-compatible "
                      "endpoint only (run `sparkops llm serve --model FILE.gguf`, or vLLM's server, and set "
                      "OPENAI_BASE_URL)")
    return {"client": {"api_model": values[model_param], "api_endpoint": values["api_endpoint"],
                       "model_params": values["model_params"], "concurrency": values["concurrency"],
                       "rate_limit": values["rate_limit"], "timeout": values["timeout"],
                       "max_retries": values["max_retries"], "response_path": values["response_path"]}}
