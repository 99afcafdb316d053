"""The DataFrame halves of the selectors (same file names as ``sparkops.ops.select``): each ranks or
filters the whole table in Spark (sorts, joins, aggregations; only counts reach the driver)."""
