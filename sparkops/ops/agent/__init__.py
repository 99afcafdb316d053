"""Agent traces: rule-based tags over records holding ``messages`` with tool calls, ``choices`` and usage."""
