"""Field filters: keep rows by the value of a record field other than the text."""
