"""Quality filters: Data-Juicer's text statistics (lengths, character and word ratios, repetition, word lists)."""
