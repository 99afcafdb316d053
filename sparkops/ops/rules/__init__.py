"""FineWeb's heuristic rule sets (Gopher quality and repetition, C4, FineWeb quality), with
datatrove 0.10.1's definitions, one file per rule set (``common``: what they share).

datatrove (the library FineWeb was built with) is where web-data people meet these rules, so
the operators take its parameter names and defaults and reject exactly the documents it
rejects, for the same reason (``reason(stats, params)`` returns datatrove's reason string).
Each rule set is one filter whose statistics land in the ``stats`` struct, so a decision can
be explained and a threshold explored before a job commits to it; its SQL function returns
them all as a struct (``gopher_quality(text).gopher_words``).

Words are datatrove's: spaCy tokens of the document's language (``spacy_words``). The rules
run on token *spans* of the text, never on a list of word strings: lengths, character classes
and n-gram keys are numpy operations over code points (``sparkops.text.hashing``), so a
document costs one spaCy tokenization and a few array passes, whatever the number of rules.
n-grams are compared by 64-bit hashes of their text (two distinct n-grams of one document
collide with probability about 2**-64 per pair).

What datatrove leaves undefined we define, and say so in the stat docs: a rule whose
denominator is zero (no words, no lines) has a null statistic and does not reject (datatrove
divides by zero there, or compares NaN, which never rejects).
"""
