"""The benchmark (bench/run.py): harness/ measures and reports, scenarios/ defines what is compared,
runners/ holds the per-tool scripts run as subprocesses, tests/ tests the harness."""
