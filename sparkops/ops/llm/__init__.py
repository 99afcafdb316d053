"""LLM operators: Data-Juicer's ops that ask a model (scores, rewrites). Prompts and answer parsers
here (pure); every call goes through ``sparkops.llm.client`` and the Delta response cache of
``sparkops.spark.llm``."""
