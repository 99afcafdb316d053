"""Cleaning mappers: Data-Juicer 1.6.1's text rewriting with its exact output, one file per
mapper (the three regex cleaners share one declaration): Unicode repair, whitespace,
punctuation, e-mails, links, IPs, repeated sentences. Each kernel maps a list of strings to a
list of strings."""
