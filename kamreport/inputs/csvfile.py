"""CSV and TSV inputs (SPEC §1.5 "CSV"): one file is one sheet.

    CsvBook("销售.csv") -> .sheets = [SheetRef("销售", …)], .data = SheetData

The sheet is named after the file (`customers.csv`, `销售.csv`) or, when the
name says nothing, recognised by its header row. Excel on Chinese Windows
saves "CSV" as GB18030/GBK, elsewhere UTF-8 with or without a BOM; the
separator is a comma, a semicolon or a tab. Cells are read like typed text,
so the value parsers of values.py see what a person typed. A file whose
numbers all use a decimal comma (`1.234,56`, usual with `;`) is read that
way; a file that mixes both forms keeps them as written, and the parsers
refuse the ones that are not numbers — never a guess.
"""
from __future__ import annotations

import csv
import io
import os
import re
from datetime import date
from typing import Any

from . import schema
from .values import EPOCH_1900
from .xlsx import BadWorkbook, SheetData, SheetRef

MAX_CSV_BYTES = 1 << 30
CSV_SUFFIXES = (".csv", ".tsv", ".txt")

_DECIMAL_COMMA = re.compile(r"^[-(]?[¥$€]?\d{1,3}(?:\.\d{3})*,\d+\)?$|^[-(]?[¥$€]?\d+,\d+\)?$")
_DECIMAL_POINT = re.compile(r"^[-(]?[¥$€]?\d{1,3}(?:,\d{3})*\.\d+\)?$|^[-(]?[¥$€]?\d+\.\d+\)?$")
_THOUSANDS_ONLY = re.compile(r"^[-(]?[¥$€]?\d{1,3}(?:,\d{3})+\)?$")


def is_csv(path: str) -> bool:
    return path.lower().endswith(CSV_SUFFIXES)


class CsvBook:
    """A CSV file shaped like xlsx.Book for the reader: one sheet."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.epoch: date = EPOCH_1900
        self.unit_styles: dict[bytes, Any] = {}
        self.maybe_totals = True
        stem = os.path.splitext(os.path.basename(path))[0]
        text = _decode(_read(path))
        rows = _rows(text)
        if not rows:
            raise BadWorkbook("empty")
        _decimal_commas(rows)
        width = max(len(r) for r in rows)
        for r in rows:
            if len(r) < width:
                r.extend([""] * (width - len(r)))
        self.data = SheetData(rows, 1, 1, [])
        self.sheets = [SheetRef(stem, "", 0)]
        # By its name; else None, and the reader decides by the headers as
        # it does for a sheet (read.kind_by_headers: a tie is fatal).
        self.spec = schema.find_sheet(stem)

    def check_prolog(self, name: str) -> None:
        return None

    def __enter__(self) -> "CsvBook":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _read(path: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_CSV_BYTES:
            raise BadWorkbook("too_large", part=os.path.basename(path), size=size, limit=MAX_CSV_BYTES)
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise BadWorkbook("missing") from None
    except IsADirectoryError:
        raise BadWorkbook("not_a_file") from None
    except OSError as e:
        raise BadWorkbook("unreadable", detail=e.strerror or str(e)) from None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise BadWorkbook("csv_encoding") from None


def _rows(text: str) -> list[list[Any]]:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not lines:
        return []
    head = "\n".join(lines)
    counts = {d: head.count(d) for d in ("\t", ";", ",")}
    # The header row decides: the separator it holds most of.
    first = max(lines[:30], key=lambda ln: max(ln.count(d) for d in counts))
    delim = max(("\t", ";", ","), key=lambda d: (first.count(d), counts[d]))
    out: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
        out.append([c.strip() if c.strip() else "" for c in row])
    while out and not any(out[-1]):
        out.pop()
    return out


def _decimal_commas(rows: list[list[Any]]) -> None:
    """Rewrite `1.234,56` as `1234.56` when every decimal number in the file
    uses a decimal comma; a file that mixes both forms is left as written."""
    comma = point = False
    for row in rows:
        for c in row:
            if not c or not c[0] in "-(¥$€0123456789":
                continue
            if _DECIMAL_COMMA.match(c) and not _THOUSANDS_ONLY.match(c):
                comma = True
            elif _DECIMAL_POINT.match(c):
                point = True
    if comma and not point:
        for row in rows:
            for j, c in enumerate(row):
                if c and _DECIMAL_COMMA.match(c):
                    row[j] = c.replace(".", "").replace(",", ".")
