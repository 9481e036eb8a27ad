"""Builders for the layout corpus (tests/test_layout_corpus.py, issue 14).

Reuses corpus_books (xlsx, csv_file, build …) and adds what SPEC §1.5
layouts need: builds with `--map`, `validate` with options and `--json`,
wide month sheets, and a direct reader call for the unit tests.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from corpus_books import Built, build, xlsx
from kamreport.cli import main

MONTHS_TTM = [(2025, m) for m in (10, 11, 12)] + [(2026, m) for m in range(1, 10)]   # TTM of 2026Q3


def build_map(out: Path, *files: str, map_file: str, args: tuple[str, ...] = ()) -> Built:
    """`kamreport build FILES --map MAP --format json`."""
    return build(out, *files, args=("--map", str(map_file), *args))


def validate_args(*files: str, args: tuple[str, ...] = ()) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["validate", *map(str, files), "--lang", "en", *args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.output


def validate_json(*files: str) -> tuple[int, Any]:
    """`kamreport validate --json`; the parsed document (raises when it is not JSON)."""
    code, out = validate_args(*files, args=("--json",))
    return code, json.loads(out)


def sheet_entries(doc: Any) -> list[dict]:
    """Every dict in a validate --json document that describes a sheet (has a
    `kind`), wherever the tool nests them."""
    found: list[dict] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if "kind" in x and ("header_row" in x or "columns" in x):
                found.append(x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(doc)
    return found


def entry_for(doc: Any, sheet: str) -> dict:
    entries = sheet_entries(doc)
    for e in entries:
        if any(e.get(k) == sheet for k in ("sheet", "name", "title")):
            return e
    raise AssertionError(f"no sheet {sheet!r} in validate --json: {json.dumps(doc, ensure_ascii=False)[:1500]}")


def columns_text(entry: dict) -> str:
    return json.dumps(entry.get("columns"), ensure_ascii=False)


def zh_months(n: int = 12) -> list[str]:
    return [f"{m}月" for m in range(1, n + 1)]


def month_header(form: str, y: int, m: int) -> Any:
    """A month column header written the way exports write it."""
    abbr = datetime(y, m, 1).strftime("%b")
    return {"Jan-26": f"{abbr}-{y % 100:02d}",
            "2026/01": f"{y}/{m:02d}",
            "202601": y * 100 + m,
            "2026-01": f"{y}-{m:02d}",
            "date cell": datetime(y, m, 1),
            "2026年1月": f"{y}年{m}月"}[form]


def mapping_rows(*entries: tuple) -> list[list]:
    """A Columns sheet (列映射): sheet, column, field, unit, value, means."""
    return [["sheet", "column", "field", "unit", "value", "means"], *[list(e) + [None] * (6 - len(e)) for e in entries]]


def one_book(tmp: Path, name: str, sheets: dict[str, list[list]], **kw) -> str:
    return xlsx(tmp / name, sheets, **kw)


def read(paths: list[str]):
    """kamreport.inputs.read.read_workbooks, English messages."""
    from kamreport.inputs.read import read_workbooks
    return read_workbooks([str(p) for p in paths], lang="en")


def problems_of(ds, severity: str | None = None) -> list:
    return [p for p in ds.problems if severity is None or p.severity == severity]
