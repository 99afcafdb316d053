"""Pure text machinery shared by the operator families: the cached ``Doc``, character classes,
hashing, shingles, spaCy word spans. No operator declarations, no pyspark."""
