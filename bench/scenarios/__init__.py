"""The scenarios: filters, job, dedup, the recipes (rules, ops21) and rulesets; catalog.py lists
their tools and builds each tool's command."""
