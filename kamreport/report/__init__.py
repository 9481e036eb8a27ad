"""Report: view models, labels, formatting, charts and sanitising for the documents (SPEC §6)."""
