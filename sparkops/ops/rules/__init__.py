"""FineWeb's heuristic rule sets with datatrove 0.10.1's semantics (Gopher repetition and quality, C4, FineWeb quality)."""
