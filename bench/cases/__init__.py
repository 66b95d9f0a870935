"""One module per measured operation; each exposes ``run(bench) -> dict``."""

CASES = ("query", "summary", "export", "sitrep", "changes", "ingest", "locate")
