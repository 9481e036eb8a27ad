"""Read: workbooks and CSV files -> model.Dataset (SPEC §1, §1.5)."""
