"""Builders for the misread corpus (tests/test_misread_corpus.py).

The workbooks are written with openpyxl the way teams and ERP/CRM exports
leave them: title rows above the header, Chinese, English or mixed headers,
number formats, merged cells, hidden sheets and rows. A CSV writer covers
cells that are typed as text (SPEC §1.5 CSV).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from kamreport.cli import main

AS_OF = date(2026, 9, 30)          # the as_of of every 2026Q3 build here

# Customers sheets: Chinese (as a 用友/金蝶 customer list) and English (CRM).
CUSTOMERS_ZH = [["客户编号", "客户名称", "区域"],
                ["KH0001", "华东精密制造有限公司", "华东"],
                ["KH0002", "上海联创科技股份有限公司", "华东"],
                ["KH0003", "北京远航国际贸易有限公司", "华北"]]
CUSTOMERS_EN = [["Customer ID", "Name", "Region"],
                ["C1", "Acme Components Ltd", "East"],
                ["C2", "Beta Retail Group", "North"],
                ["C3", "Gamma Logistics", "South"]]


def d(y: int, m: int, day: int = 1) -> datetime:
    """An Excel date cell."""
    return datetime(y, m, day)


def serial(day: date) -> int:
    """Excel 1900-system serial of a day (after 1900-03-01)."""
    return (day - date(1899, 12, 30)).days


def xlsx(path: Path, sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = (),
         merges: dict[str, list[str]] | None = None,
         formats: dict[str, dict[str, str]] | None = None,
         hidden_rows: dict[str, list[int]] | None = None) -> str:
    """Write an .xlsx: rows appended as given, then merges (the covered cells
    lose their values, as in Excel), number formats by cell, hidden rows and
    hidden sheets. Returns the path as a string."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref, fmt in (formats or {}).get(name, {}).items():
            ws[ref].number_format = fmt
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        for r in (hidden_rows or {}).get(name, []):
            ws.row_dimensions[r].hidden = True
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.active = next(i for i, n in enumerate(sheets) if n not in hidden)
    wb.save(path)
    return str(path)


def with_formula(path: str, sheet_no: int, ref: str, formula: str, cached: str | None) -> None:
    """Turn cell `ref` of the sheet_no-th worksheet (1-based, as openpyxl
    writes them) into a formula cell, with `cached` as its cached value
    (None: no cached value, as a workbook written by a script and never
    opened in Excel)."""
    import zipfile
    part = f"xl/worksheets/sheet{sheet_no}.xml"
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                text = data.decode("utf-8")
                m = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', text)
                assert m, (ref, text[:400])
                value = f"<v>{cached}</v>" if cached is not None else ""
                text = text[:m.start()] + f'<c r="{ref}"><f>{formula}</f>{value}</c>' + text[m.end():]
                data = text.encode("utf-8")
            z.writestr(info, data)


def csv_file(path: Path, rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return str(path)


# ------------------------------------------------------------------ running

@dataclass
class Built:
    exit_code: int
    output: str
    out: Path
    summary: dict | None
    problems: list[dict]

    @property
    def period(self) -> str | None:
        return self.summary["period"] if self.summary else None

    def acct(self, cid: str) -> dict:
        assert self.summary is not None, self.output
        for a in self.summary["accounts"]:
            if a["customer_id"] == cid:
                return a
        raise AssertionError(f"no account {cid!r} in summary.json: "
                             f"{[a['customer_id'] for a in self.summary['accounts']]}")

    def revenue(self, cid: str) -> tuple:
        a = self.acct(cid)
        return a["revenue_ttm"], a["revenue_q"]

    def count(self, severity: str) -> int:
        assert self.summary is not None, self.output
        return self.summary["problems"].get(severity, 0)

    def where(self, severity: str | None = None, sheet: str | None = None) -> list[dict]:
        return [p for p in self.problems
                if (severity is None or p["severity"] == severity)
                and (sheet is None or p["sheet"] == sheet)]

    def at(self, sheet: str, cell: str) -> list[dict]:
        """Problems pinned to Sheet!cell (e.g. "Sales", "C5")."""
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
        return [p for p in self.problems if p["sheet"] == sheet and p["row"] == row and p["column"] == col]

    def rows(self, sheet: str) -> dict:
        assert self.summary is not None, self.output
        return self.summary["rows"][sheet]


def build(out: Path, *files: str, args: tuple[str, ...] = ()) -> Built:
    """`kamreport build FILES --format json --out OUT`; summary.json and
    problems.csv of the one period folder it made (None / [] when none)."""
    res = CliRunner().invoke(main, ["build", *map(str, files), "--format", "json",
                                    "--out", str(out), "--quiet", *args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    summary, problems = None, []
    folders = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
    if len(folders) == 1:
        s = folders[0] / "summary.json"
        if s.is_file():
            summary = json.loads(s.read_text(encoding="utf-8"))
        pc = folders[0] / "problems.csv"
        if pc.is_file():
            problems = list(csv.DictReader(io.StringIO(pc.read_text(encoding="utf-8-sig"))))
    return Built(res.exit_code, res.output, out, summary, problems)


def validate(*files: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["validate", *map(str, files), "--lang", "en"])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.output


def tenure(since: date, as_of: date = AS_OF) -> float:
    return (as_of - since).days / 365.25
