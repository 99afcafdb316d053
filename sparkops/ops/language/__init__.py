"""Language identification (fastText lid.176, as Data-Juicer runs it)."""
