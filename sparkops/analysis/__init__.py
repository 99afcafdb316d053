"""The analyzer (``sparkops analyze``): every statistic of a spec's filters (or of the
catalogue's rule filters) over a dataset, as a Delta table, a summary of exact percentiles,
an HTML report, threshold suggestions as a job spec, and diagnoses of settings that cannot
work on the data. ``docs/analyzer.md`` describes it; ``analyze`` is the entry point.

Data-Juicer's analyzer (``data_juicer.core.analyzer``, ``data_juicer.analysis``) and its
k-sigma tool (``tools/hpo/execute_hpo_3sigma.py``) define what is computed; the work is
Spark aggregations, and only small results (percentiles, bucket counts, a few example rows)
reach the driver.
"""

from __future__ import annotations


def analyze(*args, **kwargs):
    """See ``sparkops.analysis.run.analyze`` (imported lazily: it needs pyspark)."""
    from sparkops.analysis.run import analyze as _analyze

    return _analyze(*args, **kwargs)
