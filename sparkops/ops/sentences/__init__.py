"""Sentence mappers: ``sentence_split_mapper`` (one sentence per line, NLTK Punkt)."""
