"""Generators that cut a record's text into chunks, one output row per chunk (``text_chunk_mapper``)."""
