"""Causal-LM scoring filters (Data-Juicer 1.6.1's ``llm_perplexity_filter``,
``instruction_following_difficulty_filter``, ``in_context_influence_filter``): Data-Juicer's
loss (``LLMPerplexityFilter._loss``) over a local GGUF model scored in-process
(``sparkops.models.causal_lm``). ``loss``: the formula; ``common``: parameters, templates and
the sample's messages; one file per filter; docs/llm.md ("Causal-LM scoring filters")."""
