"""Outputs: summary.json, problems.csv, the deck, the results workbook, manager packs, atomic writes."""
