"""Bad and hostile inputs (SPEC §1 Problems, SECURITY.md cases 1–7).

Every case asserts the exact location (file, sheet, row, column letter),
the severity, and the row accounting: read = accepted + rejected, nothing
dropped silently. Fatal cases assert that nothing is built.
"""
from __future__ import annotations

import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from kamreport.model import SheetCount
from kamreport.inputs.read import read_workbooks
from workbooks import write

CUSTOMERS = [["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]]
SALES = [["customer_id", "month", "revenue"], ["C1", "2026-07", 100]]


def book(tmp_path: Path, **sheets: list[list]) -> str:
    """Customers + Sales (valid unless overridden) + any other sheets."""
    all_sheets = {"Customers": CUSTOMERS, "Sales": SALES}
    all_sheets.update(sheets)
    return write(tmp_path / "in.xlsx", all_sheets)


def rewrite(path: str, edit) -> None:
    """edit(name, bytes) -> bytes | None (None drops the member)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            new = edit(info.filename, data)
            if new is not None:
                z.writestr(info, new)


def sheet_edit(part: str, fn):
    return lambda name, data: fn(data) if name == part else data


def is_gross_profit_remark(p) -> bool:
    """The sheet-level "no gross_profit column" warning most workbooks here get."""
    return p.severity == "warning" and p.row is None and p.sheet == "Sales"


def found(data, severity=None):
    """(file, sheet, row, column, severity) of every problem but that remark."""
    return [(p.file, p.sheet, p.row, p.column, p.severity) for p in data.problems
            if (severity is None or p.severity == severity) and not is_gross_profit_remark(p)]


def assert_fatal(data, path: str, *words: str) -> None:
    assert data.fatal
    assert found(data) == [(path, "", None, "", "fatal")]
    for w in words:
        assert w in data.problems[0].message
    # Nothing is built.
    assert data.customers == () and data.sales == () and data.rows == {}


# ---------------------------------------------------------------------------
# The file itself (fatal)

def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.xlsx")
    assert_fatal(read_workbooks([path], lang="en"), path, "file not found")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    assert_fatal(read_workbooks([str(p)], lang="en"), str(p), "empty")


def test_csv_renamed_to_xlsx(tmp_path):
    p = tmp_path / "data.xlsx"
    p.write_text("customer_id,name\nC1,Acme\n", encoding="utf-8")
    assert_fatal(read_workbooks([str(p)], lang="en"), str(p), "not a valid workbook", "CSV")


def test_old_xls_or_encrypted_workbook(tmp_path):
    # .xls files and password-protected .xlsx files are both OLE containers.
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    data = read_workbooks([str(p)], lang="zh")
    assert_fatal(data, str(p), "不是有效的工作簿", ".xls")


def test_zip_with_encrypted_member(tmp_path):
    path = book(tmp_path)
    raw = bytearray(Path(path).read_bytes())
    # Set the "encrypted" flag bit in every central-directory entry.
    for m in re.finditer(rb"PK\x01\x02", bytes(raw)):
        flags = struct.unpack_from("<H", raw, m.start() + 8)[0]
        struct.pack_into("<H", raw, m.start() + 8, flags | 1)
    Path(path).write_bytes(bytes(raw))
    assert_fatal(read_workbooks([path], lang="en"), path, "encrypted")


def test_truncated_workbook(tmp_path):
    path = book(tmp_path)
    raw = Path(path).read_bytes()
    Path(path).write_bytes(raw[: len(raw) // 2])
    assert_fatal(read_workbooks([path], lang="en"), path, "damaged or truncated")


@pytest.fixture(params=["isal", "zlib"])
def inflater(request, monkeypatch):
    """The reader inflates with ISA-L, or with zlib where isal is missing."""
    from kamreport.inputs import xlsx
    if request.param == "zlib":
        monkeypatch.setattr(xlsx, "_inflater", zlib.decompressobj)
        monkeypatch.setattr(xlsx, "INFLATE_ERRORS", (zlib.error,))
    else:
        from isal import isal_zlib
        assert xlsx._inflater is isal_zlib.decompressobj
    return request.param


def test_both_inflaters_read_a_workbook_alike(tmp_path, inflater):
    rows = SALES + [[f"C{k % 2 + 1}", f"2026-{m:02d}", m * 1.5 + k] for m in range(1, 13) for k in range(400)]
    path = book(tmp_path, Sales=rows)
    data = read_workbooks([path], lang="en")
    assert data.rows["Sales"].accepted == len(rows) - 1
    assert sorted(s.revenue for s in data.sales) == sorted(float(r[2]) for r in rows[1:])


def test_corrupt_deflate_stream_in_a_sheet(tmp_path, inflater):
    path = book(tmp_path, Sales=SALES + [["C1", f"2026-{m:02d}", m] for m in range(1, 13)] * 20)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
    raw = bytearray(Path(path).read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + 60):      # scribble over the compressed data
        raw[k] ^= 0x5A
    Path(path).write_bytes(bytes(raw))
    assert_fatal(read_workbooks([path], lang="en"), path, "damaged or truncated")


def test_a_broken_sheet_after_a_fatal_one_reports_both(tmp_path):
    """A sheet's rows are read while the next sheet is parsed (read_data_sheets):
    when the next sheet cannot be read, the one before is still read and
    its own fatal problem reported, as when sheets were read one by one."""
    acts = [["customer_id", "date", "type"]] + [["C1", f"2026-07-{d:02d}", "visit"] for d in range(1, 29)] * 20
    path = book(tmp_path, Sales=[["customer_id", "month"], ["C1", "2026-07"]], Activities=acts)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet3.xml")
    raw = bytearray(Path(path).read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + 60):
        raw[k] ^= 0x5A
    Path(path).write_bytes(bytes(raw))
    data = read_workbooks([path], lang="en")
    fatal = [(p.sheet, p.message) for p in data.problems if p.severity == "fatal"]
    assert [sheet for sheet, _ in fatal] == ["", "Sales"], fatal
    assert "damaged or truncated" in fatal[0][1] and "revenue" in fatal[1][1]


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "hello")
    assert_fatal(read_workbooks([str(p)], lang="en"), str(p), "without the parts of an .xlsx")


def test_xlsb_is_refused(tmp_path):
    p = tmp_path / "bin.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert_fatal(read_workbooks([str(p)], lang="en"), str(p), ".xlsb")


def test_workbook_without_sheets(tmp_path):
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/workbook.xml", lambda d: re.sub(rb"<sheet [^>]*/>", b"", d)))
    assert_fatal(read_workbooks([path], lang="en"), path, "no worksheets")


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')


def test_billion_laughs_in_the_workbook_part(tmp_path):
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/workbook.xml",
                             lambda d: BILLION_LAUGHS + d.split(b"?>", 1)[-1].replace(
                                 b'name="Customers"', b'name="&lol3;"')))
    t0 = time.perf_counter()
    data = read_workbooks([path], lang="en")
    assert time.perf_counter() - t0 < 30        # generous; a real expansion never ends
    assert_fatal(data, path, "DOCTYPE", "xl/workbook.xml")


def test_xxe_in_a_sheet(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = book(tmp_path)
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>\n'.encode()
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml",
                             lambda d: xxe + d.split(b"?>", 1)[-1].replace(b"<v>", b"<v>&x;", 1)))
    data = read_workbooks([path], lang="en")
    assert_fatal(data, path, "DOCTYPE", "xl/worksheets/sheet1.xml")
    assert not any("TOP-SECRET" in p.message or "TOP-SECRET" in p.value for p in data.problems)


def test_zip_bomb_part_is_refused_before_parsing(tmp_path):
    # 64 MB of zeros deflate to ~64 KB (ratio ~1000:1), declared honestly.
    path = book(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/pad.bin", bytes(64 << 20))
    assert_fatal(read_workbooks([path], lang="en"), path, "zip bomb", "xl/media/pad.bin")


def test_zip_bomb_with_forged_sizes_is_caught_while_inflating(tmp_path):
    # The directory claims 1 KB; the real inflated size is 64 MB. Only
    # counting the bytes actually produced catches it.
    path = book(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings2.xml", b"<sst>" + b" " * (64 << 20) + b"</sst>")
    raw = bytearray(Path(path).read_bytes())
    name = b"xl/sharedStrings2.xml"
    for sig, off in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        for m in re.finditer(re.escape(sig), bytes(raw)):
            n = struct.unpack_from("<H", raw, m.start() + (28 if sig == b"PK\x01\x02" else 26))[0]
            head = 46 if sig == b"PK\x01\x02" else 30
            if raw[m.start() + head:m.start() + head + n] == name:
                struct.pack_into("<I", raw, m.start() + off, 1024)
    Path(path).write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/sharedStrings2.xml").file_size == 1024
    assert_fatal(read_workbooks([path], lang="en"), path, "zip bomb", "sharedStrings2.xml")


def test_forged_dimension_is_harmless(tmp_path):
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml",
                             lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d)))
    data = read_workbooks([path], lang="en")
    assert found(data) == [] and len(data.customers) == 2


def run_bounded(path: str) -> list[str]:
    """read_workbooks in a child with 3 GB of address space: calamine's
    dense allocation would abort the child, not the test run."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from kamreport.inputs.read import read_workbooks\n"
        f"d = read_workbooks([{path!r}], lang='en')\n"
        "print(d.rows.get('Customers')); [print(p.location(), p.severity, p.message) for p in d.problems]\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.splitlines()


@pytest.mark.parametrize("cells, far, read", [
    # The far cell with its reference not first, and with single quotes:
    # the table (A–B) is read; the far cell is outside it.
    (b'<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>', "XFD1048576", 2),
    (b"<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>", "XFD1048576", 2),
    # 40 cells without references in the last row: columns A..AN, so the
    # rectangle is 1,048,576 × 40 cells although no reference says so.
    # That row is a real (third) customer, "x".
    (b'<row r="1048576">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 40 + b"</row>", "AN1048576", 3),
], ids=["attribute_order", "single_quotes", "cells_without_reference"])
def test_far_cells_in_unusual_xml_are_bounded(tmp_path, cells, far, read):
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: d.replace(b"</sheetData>", cells + b"</sheetData>")))
    lines = run_bounded(path)
    assert lines[0] == f"SheetCount(read={read}, accepted={read}, rejected=0, skipped=0)"
    assert lines[1].startswith(f"{path}:Customers!{far} warning this sheet has a value as far as {far}")


def test_cell_reference_beyond_excel_limits_is_fatal(tmp_path):
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: d.replace(
        b"</sheetData>", b'<row r="3"><c r="XFE3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')))
    assert_fatal(read_workbooks([path], lang="en"), path, "XFE3 is beyond Excel's limits")


def test_one_far_away_cell_is_bounded(tmp_path):
    # python-calamine would allocate 1,048,576 × 16,384 cells and abort the
    # process; run in a child with 3 GB of address space to prove it does not.
    path = book(tmp_path)
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: d.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')))
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from kamreport.inputs.read import read_workbooks\n"
        f"d = read_workbooks([{path!r}], lang='en')\n"
        "print(d.rows['Customers']); [print(p.location(), p.severity, p.message) for p in d.problems]\n")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert time.perf_counter() - t0 < 120
    lines = out.stdout.splitlines()
    # The table is read; the far cell is outside it, reported where it is.
    assert lines[0] == "SheetCount(read=2, accepted=2, rejected=0, skipped=0)"
    assert lines[1].startswith(f"{path}:Customers!XFD1048576 warning this sheet has a value as far as XFD1048576")


# ---------------------------------------------------------------------------
# Structure (fatal)

def test_missing_customers_sheet(tmp_path):
    path = write(tmp_path / "s.xlsx", {"Sales": SALES})
    data = read_workbooks([path], lang="en")
    assert found(data) == [(path, "", None, "", "fatal")]
    assert "no Customers sheet" in data.problems[0].message and data.rows == {}


def test_missing_sales_sheet_across_two_workbooks(tmp_path):
    a = write(tmp_path / "a.xlsx", {"Customers": CUSTOMERS})
    b = write(tmp_path / "b.xlsx", {"Contacts": [["customer_id", "name"], ["C1", "Wang"]]})
    data = read_workbooks([a, b], lang="zh")
    assert found(data) == [(f"{a}, {b}", "", None, "", "fatal")]
    assert "销售" in data.problems[0].message and data.contacts == ()


def test_missing_required_column(tmp_path):
    path = book(tmp_path, Sales=[["Sales"], ["customer_id", "month", "qty"], ["C1", "2026-07", 1]])
    data = read_workbooks([path], lang="en")
    assert found(data) == [(path, "Sales", 2, "", "fatal")]
    msg = data.problems[0].message
    assert "revenue" in msg and "row 2 has customer_id, month but not revenue" in msg
    assert data.sales == () and data.rows == {}


def test_header_below_row_30_is_not_found(tmp_path):
    path = book(tmp_path, Customers=[["note"]] * 30 + CUSTOMERS)
    data = read_workbooks([path], lang="en")
    assert found(data) == [(path, "Customers", None, "", "fatal")]
    assert "first 30 rows" in data.problems[0].message


def test_header_in_row_30_is_found(tmp_path):
    path = book(tmp_path, Customers=[["note"]] * 29 + CUSTOMERS)
    data = read_workbooks([path], lang="en")
    assert not data.fatal and len(data.customers) == 2


# ---------------------------------------------------------------------------
# Rows and values: (sheet rows, expected problem, expected accounting)

ROW_CASES = {
    # name: (extra sheets, [(sheet, row, column, severity, value)], {sheet: (read, accepted, rejected)})
    "duplicate_customer_id": (
        {"Customers": CUSTOMERS + [["C1", "Acme copy"]]},
        [("Customers", 4, "A", "error", "C1")], {"Customers": (3, 2, 1)}),
    "customer_not_in_customers": (
        {"Sales": SALES + [["C9", "2026-07", 5]]},
        [("Sales", 3, "A", "error", "C9")], {"Sales": (2, 1, 1)}),
    "blank_required_name": (
        {"Customers": CUSTOMERS + [["C3", None]]},
        [("Customers", 4, "B", "error", "")], {"Customers": (3, 2, 1)}),
    "blank_required_customer_id": (
        {"Sales": SALES + [[None, "2026-07", 5]]},
        [("Sales", 3, "A", "error", "")], {"Sales": (2, 1, 1)}),
    "revenue_not_a_number": (
        {"Sales": SALES + [["C1", "2026-08", "lots"]]},
        [("Sales", 3, "C", "error", "lots")], {"Sales": (2, 1, 1)}),
    "month_thirteen": (
        {"Sales": SALES + [["C1", "2026-13", 5]]},
        [("Sales", 3, "B", "error", "2026-13")], {"Sales": (2, 1, 1)}),
    "activity_type_unknown": (
        {"Activities": [["customer_id", "date", "type"], ["C1", "2026-07-01", "lunch"]]},
        [("Activities", 2, "C", "error", "lunch")], {"Activities": (1, 0, 1)}),
    "activity_date_in_words": (
        {"Activities": [["customer_id", "date", "type"], ["C1", "yesterday", "call"]]},
        [("Activities", 2, "B", "error", "yesterday")], {"Activities": (1, 0, 1)}),
    "activity_minutes_negative": (
        {"Activities": [["customer_id", "date", "type", "minutes"], ["C1", "2026-07-01", "call", -5]]},
        [("Activities", 2, "D", "warning", "-5")], {"Activities": (1, 1, 0)}),
    "resolved_on_bad_date": (
        {"Activities": [["customer_id", "date", "type", "resolved_on"], ["C1", "2026-07-01", "complaint", "soon"]]},
        [("Activities", 2, "D", "warning", "soon")], {"Activities": (1, 1, 0)}),
    "survey_score_out_of_range": (
        {"Surveys": [["customer_id", "date", "score"], ["C1", "2026-07-01", 11]]},
        [("Surveys", 2, "C", "error", "11")], {"Surveys": (1, 0, 1)}),
    "nps_not_whole": (
        {"Surveys": [["customer_id", "date", "score", "nps"], ["C1", "2026-07-01", 8, 7.5]]},
        [("Surveys", 2, "D", "warning", "7.5")], {"Surveys": (1, 1, 0)}),
    "market_size_negative": (
        {"Customers": [["customer_id", "name", "market_size"], ["C1", "Acme", -5], ["C2", "Beta", 1]]},
        [("Customers", 2, "C", "warning", "-5")], {"Customers": (2, 2, 0)}),
    "market_growth_bare_eight": (
        {"Customers": [["customer_id", "name", "market_growth"], ["C1", "Acme", 8], ["C2", "Beta", "8%"]]},
        [("Customers", 2, "C", "warning", "8")], {"Customers": (2, 2, 0)}),
    "strategic_fit_out_of_range": (
        {"Customers": [["customer_id", "name", "strategic_fit"], ["C1", "Acme", 7], ["C2", "Beta", 3]]},
        [("Customers", 2, "C", "warning", "7")], {"Customers": (2, 2, 0)}),
    "agreement_not_yes_no": (
        {"Customers": [["customer_id", "name", "long_term_agreement"], ["C1", "Acme", "maybe"], ["C2", "Beta", "是"]]},
        [("Customers", 2, "C", "warning", "maybe")], {"Customers": (2, 2, 0)}),
    "relationship_stage_unknown": (
        {"Customers": [["customer_id", "name", "relationship_stage"], ["C1", "Acme", "great"], ["C2", "Beta", None]]},
        [("Customers", 2, "C", "warning", "great")], {"Customers": (2, 2, 0)}),
    "birthday_impossible": (
        {"Contacts": [["customer_id", "name", "birthday"], ["C1", "Wang", "13-45"]]},
        [("Contacts", 2, "C", "warning", "13-45")], {"Contacts": (1, 1, 0)}),
    "plan_status_unknown": (
        {"Plans": [["customer_id", "objective", "action", "status"], ["C1", "Grow", "Visit", "later"]]},
        [("Plans", 2, "D", "warning", "later")], {"Plans": (1, 1, 0)}),
    "plan_missing_action": (
        {"Plans": [["customer_id", "objective", "action"], ["C1", "Grow", None]]},
        [("Plans", 2, "C", "error", "")], {"Plans": (1, 0, 1)}),
    "competitor_share_words": (
        {"Competitors": [["customer_id", "competitor", "share"], ["C1", "Rival", "lots"]]},
        [("Competitors", 2, "C", "warning", "lots")], {"Competitors": (1, 1, 0)}),
    "duplicate_column": (
        {"Customers": [["customer_id", "name", "Name"], ["C1", "Acme", "x"], ["C2", "Beta", "y"]]},
        # Two columns for one field, nothing to tell them apart: fatal (v1.1).
        [("Customers", 1, "C", "fatal", "Name")], {}),
    "unknown_column": (
        {"Sales": [["customer_id", "month", "revenue", "colour"], ["C1", "2026-07", 1, "red"]]},
        [("Sales", 1, "D", "info", "colour")], {"Sales": (1, 1, 0)}),
    "setting_without_key": (
        {"Settings": [["key", "value"], ["company", "Acme"], [None, "orphan"]]},
        [("Settings", 3, "A", "error", "orphan")], {"Settings": (2, 1, 1)}),
    "two_bad_cells_in_one_row": (
        {"Sales": [["customer_id", "month", "revenue", "overdue_amount"], ["C1", "July", "x", -1]]},
        [("Sales", 2, "B", "error", "July"), ("Sales", 2, "C", "error", "x"), ("Sales", 2, "D", "warning", "-1")],
        {"Sales": (1, 0, 1)}),
    "rejected_customer_takes_its_rows_along": (
        # C2's Customers row is rejected (blank name), so its sale is unknown.
        {"Customers": [["customer_id", "name"], ["C1", "Acme"], ["C2", None]],
         "Sales": SALES + [["C2", "2026-07", 5]]},
        [("Customers", 3, "B", "error", ""), ("Sales", 3, "A", "error", "C2")],
        {"Customers": (2, 1, 1), "Sales": (2, 1, 1)}),
}


@pytest.mark.parametrize("case", list(ROW_CASES), ids=list(ROW_CASES))
def test_row_and_value_problems(tmp_path, case):
    sheets, expected, counts = ROW_CASES[case]
    path = book(tmp_path, **sheets)
    for lang in ("en", "zh"):
        data = read_workbooks([path], lang=lang)
        got = [(p.sheet, p.row, p.column, p.severity, p.value) for p in data.problems
               if not is_gross_profit_remark(p)]
        assert got == expected
        for p in data.problems:
            assert p.file == path and p.message
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", p.message), p.message
        for sheet, (read, accepted, rejected) in counts.items():
            assert data.rows[sheet] == SheetCount(read, accepted, rejected)
        assert all(c.read == c.accepted + c.rejected for c in data.rows.values())


def test_error_cell_in_customer_id_and_formula_without_value(tmp_path):
    path = book(tmp_path, Customers=CUSTOMERS + [["C3", "=UPPER(\"x\")"]])
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: re.sub(
        rb'<c r="A2"[^>]*>.*?</c>', b'<c r="A2" t="e"><f>VLOOKUP(1,B:B,2)</f><v>#N/A</v></c>', d, flags=re.S)))
    data = read_workbooks([path], lang="en")
    assert found(data) == [(path, "Customers", 2, "A", "error"), (path, "Customers", 4, "B", "error"),
                           (path, "Sales", 2, "A", "error")]
    assert data.problems[0].value == "#N/A" and data.problems[1].value == '=UPPER("x")'
    assert data.rows["Customers"] == SheetCount(3, 1, 2)
    # C1 was rejected, so its sale is unknown too: nothing silently kept.
    assert data.rows["Sales"] == SheetCount(1, 0, 1)


def test_dtd_in_a_sheet_kamreport_does_not_read(tmp_path):
    path = book(tmp_path, Notes=[["anything"]])
    rewrite(path, sheet_edit("xl/worksheets/sheet3.xml", lambda d: BILLION_LAUGHS + d.split(b"?>", 1)[-1]))
    assert_fatal(read_workbooks([path], lang="en"), path, "DOCTYPE", "xl/worksheets/sheet3.xml")


def test_empty_optional_sheet_is_not_an_error(tmp_path):
    path = book(tmp_path, Plans=[])
    data = read_workbooks([path], lang="en")
    assert found(data) == [] and "Plans" not in data.rows
    # …but an empty required sheet has no header: fatal.
    path2 = write(tmp_path / "e.xlsx", {"Customers": [], "Sales": SALES})
    assert found(read_workbooks([path2], lang="en")) == [(path2, "Customers", None, "", "fatal")]


def test_thousands_of_overlapping_merges_stay_cheap(tmp_path):
    # Excel never overlaps merges; 100,000 copies of one merge over the body
    # (4 × 10^8 cell visits if each were filled) must stay cheap.
    rows = [["customer_id", "name"], ["C1", "Acme"]] + [[None, None]] * 2000 + [["C9", "Last"]]
    path = book(tmp_path, Customers=rows)
    merges = b'<mergeCells count="100000">' + b'<mergeCell ref="A2:B2002"/>' * 100000 + b"</mergeCells>"
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: d.replace(b"</sheetData>", b"</sheetData>" + merges)))
    t0 = time.perf_counter()
    data = read_workbooks([path], lang="en")
    assert time.perf_counter() - t0 < 20
    # The first merge is applied: rows 3..2002 read as C1 / Acme and are
    # rejected as duplicates of row 2 (2,000 of them); C9 below is kept.
    assert data.rows["Customers"] == SheetCount(2002, 2, 2000)
    assert [c.customer_id for c in data.customers] == ["C1", "C9"]


def test_every_problem_of_a_row_is_reported(tmp_path):
    # A bad customer_id must not hide the blank month and the bad revenue.
    path = book(tmp_path, Sales=[["customer_id", "month", "revenue"], [True, None, "x"]])
    data = read_workbooks([path], lang="en")
    assert [(p.location(), p.severity) for p in data.problems if not is_gross_profit_remark(p)] == [
        (f"{path}:Sales!A2", "error"), (f"{path}:Sales!B2", "error"), (f"{path}:Sales!C2", "error")]
    assert [p.message for p in data.problems if not is_gross_profit_remark(p)][1] == \
        "month is required but blank (row rejected)"
    assert data.rows["Sales"] == SheetCount(1, 0, 1)


def _wide_xml_book(tmp_path: Path, extra: bytes) -> str:
    """A 40-column × 5,000-row Customers sheet (over 4 MB of XML: more than
    one piece of the scan) with `extra` cell XML put into row 4,500."""
    from kamreport.inputs.xlsx import col_letter
    path = write(tmp_path / "wide.xlsx", {"Customers": [["customer_id", "name"]], "Sales": SALES})
    rows = []
    for r in range(1, 5001):
        cells = b"".join(b'<c r="%s%d"><v>%d</v></c>' % (col_letter(c).encode(), r, c) for c in range(1, 41))
        rows.append(b'<row r="%d">%s%s</row>' % (r, cells, extra if r == 4500 else b""))
    body = b"<sheetData>" + b"".join(rows) + b"</sheetData>"
    rewrite(path, sheet_edit("xl/worksheets/sheet1.xml", lambda d: re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>",
                                                                       lambda m: body, d, flags=re.S)))
    return path


@pytest.mark.parametrize("extra, exact", [
    (b"", False),
    (b'<c r="AZ4500"><v>1</v></c>', False),           # a column beyond the rest, in a later piece
    (b'<c r="B200000"><v>1</v></c>', False),          # a row far below its <row>
    (b'<c s="0" r="C4500"><v>1</v></c>', True),       # not a plain tag: the exact pass measures
    (b'<c r="c4500"><v>1</v></c>', True),
    (b'<c r="AO4500"><v>1</v></c>', False),           # the first column beyond AN
    (b'<c r="BA4500"><v>1</v></c>', False),
    (b'<c r="AAA4500"><v>1</v></c>', False),          # three letters
    (b'<c r="A04500"><v>1</v></c>', True),            # a leading zero
    (b'<c r="XFD1048576"><v>1</v></c>', False),       # the last cell Excel has
    (b'<c><v>1</v></c>', True),                       # no reference: after the previous cell
    (b'<c\tr="AP4500"><v>1</v></c>', True),
])
def test_a_wide_sheets_extent_is_measured_in_every_piece(tmp_path, extra, exact):
    """The fast scan of a sheet wider than SAFE_COLS (one search a piece,
    the exact searches only where it finds something) measures what the
    exact pass measures: the extent that bounds calamine's allocation."""
    from kamreport.inputs import xlsx
    path = _wide_xml_book(tmp_path, extra)
    book = xlsx.Book(path)
    ref = next(r for r in book.sheets if r.name == "Customers")
    fast = xlsx.scan_sheet(book, ref)
    assert fast.bytes > xlsx.CHUNK and fast.far_mode
    assert fast.needs_exact is exact
    truth = xlsx.SheetScan()
    xlsx._exact_extent(book, ref, truth)
    assert (fast.max_row, fast.max_col) == (truth.max_row, truth.max_col)


@pytest.mark.parametrize("max_col", [1, 25, 26, 27, 38, 52, 53, 702, 703, 16384])
def test_the_fast_scans_column_bound_is_exactly_the_columns_up_to_max_col(max_col):
    """_beyond_columns(max_col) finds a plain cell exactly when its column
    is past max_col (or its row is not 1–99,999 without a leading zero)."""
    from kamreport.inputs import xlsx
    pattern = xlsx._beyond_columns(max_col)
    for col in sorted({1, 2, 25, 26, 27, 28, 51, 52, 53, 701, 702, 703, 704, 16383, 16384,
                       max(1, max_col - 1), max_col, min(16384, max_col + 1)}):
        for row, row_ok in ((1, True), (99999, True), (100000, False)):
            cell = b'<c r="%s%d"><v>1</v></c>' % (xlsx.col_letter(col).encode(), row)
            assert (pattern.search(cell) is not None) == (col > max_col or not row_ok), (max_col, col, row)
    assert pattern.search(b'<c r="A01"><v>1</v></c>') is not None
