"""Cleaning mappers: Data-Juicer's text rewriting (Unicode, whitespace, punctuation, emails, links, IPs, repeated sentences)."""
