"""Workbooks built in the tests: one helper shared by the reader tests."""
from __future__ import annotations

from pathlib import Path

import openpyxl


def write(path: Path, sheets: dict[str, list[list]]) -> str:
    """An .xlsx with these sheets, rows appended as given; returns the path."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return str(path)
