"""Safety: PII detection/redaction, secrets, toxicity."""
