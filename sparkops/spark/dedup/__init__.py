"""DataFrame-level deduplication algorithms (Spark joins and aggregations, nothing collected)."""
