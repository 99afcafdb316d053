"""LLM access for every LLM operator: one OpenAI-compatible client (``client``), request keys
for the response cache (``requests``), and a local server for tests and demos (``server``).

Pure Python (no pyspark); the Spark side (Delta cache, spooling, the DataFrame algorithm) is
``sparkops.spark.llm``.
"""
