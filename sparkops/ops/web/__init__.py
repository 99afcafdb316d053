"""Web ingestion operators: HTML cleaning and main-text extraction, URL filtering, and the
C4 bad-words / paragraph filters, for pages read from WARC files or HTML (extra ``web``).

Extraction runs one page at a time under a time bound, so a pathological page is rejected
(``timeout``) and never stalls its task.
"""
