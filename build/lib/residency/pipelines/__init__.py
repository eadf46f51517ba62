"""CI pipelines for a residency project: rendered files, and the summaries their jobs post."""
