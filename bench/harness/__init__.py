"""What every scenario shares: process-tree measurement (proctree), machine and venv information,
the quiet-machine wait, the timed runs, their summaries, the report's building blocks and the
results file with its Markdown and charts."""
