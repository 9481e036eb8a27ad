"""calamine parses a big sheet as two halves in two threads
(inputs/xlsx.py: _halves, _join_halves): the cells, their place and the
merged cells must be exactly those of one parse of the whole sheet."""
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kamreport.inputs import xlsx

VALUES = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-5, 5),
                   st.sampled_from(["", "KH0001", "华东", " x ", "12,3x"]), st.booleans(),
                   st.dates(date(2020, 1, 1), date(2030, 12, 31)))


def _read(path, monkeypatch, split: bool, rows_with_cells: int = 2):
    monkeypatch.setattr(xlsx, "SPLIT_MIN_BYTES", 0 if split else 1 << 62)
    with xlsx.Book(path) as book:
        ref = book.sheets[0]
        scan = xlsx.scan_sheet(book, ref)
        if rows_with_cells >= 2:        # else there is no second row to cut before
            assert (xlsx._halves(book, scan) is not None) is split
        data = xlsx.read_sheet(book, ref, scan)
    return data.rows, data.first_row, data.first_col, sorted(data.merged)


@pytest.fixture(params=["memfd", "file object"])
def copies(request, monkeypatch):
    """The halves' copies as memory files opened by path (Linux), or as
    file objects opened in the calling thread (elsewhere)."""
    if request.param == "file object":
        def no_memfd(*a):
            raise OSError("no memfd here")
        monkeypatch.setattr(xlsx.os, "memfd_create", no_memfd)
    return request.param


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(VALUES, min_size=1, max_size=6), min_size=1, max_size=12),
       top=st.integers(0, 3), left=st.integers(0, 2), merge=st.booleans())
def test_two_halves_read_as_the_whole_sheet(tmp_path_factory, monkeypatch, copies, grid, top, left, merge):
    path = tmp_path_factory.mktemp("split") / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(grid, start=1 + top):
        for c, v in enumerate(row, start=1 + left):
            if v is not None:
                ws.cell(r, c, v)
    if merge and len(grid) > 1:
        ws.merge_cells(start_row=1 + top, start_column=1 + left, end_row=2 + top, end_column=1 + left)
    wb.save(path)
    filled = sum(any(v is not None for v in row) for row in grid)
    assert _read(str(path), monkeypatch, True, filled) == _read(str(path), monkeypatch, False)


def _with_sheet_xml(tmp_path, body: bytes) -> str:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: body,
                                               parts["xl/worksheets/sheet1.xml"], flags=re.S)
    with zipfile.ZipFile(path, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return str(path)


@pytest.mark.parametrize("rows", [
    # rows out of order: the second half's rows are above the first's (parsed whole instead)
    [b'<row r="9"><c r="A9"><v>9</v></c></row>'] * 3 + [b'<row r="2"><c r="B2"><v>2</v></c></row>'] * 3,
    # the second half holds nothing but empty rows
    [b'<row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>3</v></c></row>'] + [b'<row r="%d"/>' % r for r in range(2, 9)],
    # blank rows between the halves, a wider second half starting further left
    [b'<row r="3"><c r="C3"><v>1</v></c></row>', b'<row r="4"><c r="C4"><v>2</v></c></row>',
     b'<row r="7"><c r="A7"><v>3</v></c><c r="E7"><v>4</v></c></row>', b'<row r="8"><c r="B8"><v>5</v></c></row>'],
])
def test_halves_that_do_not_fit_plainly_still_read_as_the_whole(tmp_path, monkeypatch, rows):
    path = _with_sheet_xml(tmp_path, b"<sheetData>" + b"".join(rows) + b"</sheetData>")
    assert _read(path, monkeypatch, True) == _read(path, monkeypatch, False)


def test_a_sheet_whose_cells_do_not_all_name_their_place_is_parsed_whole(tmp_path, monkeypatch):
    """A cell without `r` is placed after the one before it: cut in two, the
    second half would place it from column A."""
    path = _with_sheet_xml(tmp_path, b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c></row>'
                                     b'<row r="2"><c r="A2"><v>3</v></c><c><v>4</v></c></row></sheetData>')
    monkeypatch.setattr(xlsx, "SPLIT_MIN_BYTES", 0)
    with xlsx.Book(path) as book:
        scan = xlsx.scan_sheet(book, book.sheets[0])
        assert xlsx._halves(book, scan) is None
        assert xlsx.read_sheet(book, book.sheets[0], scan).rows == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.skipif(not hasattr(xlsx.os, "memfd_create"), reason="memory files are Linux's")
def test_the_memory_files_are_closed(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    for r in range(1, 50):
        wb.active.append([f"KH{r:04d}", r * 1.5])
    wb.save(tmp_path / "m.xlsx")
    monkeypatch.setattr(xlsx, "SPLIT_MIN_BYTES", 0)
    before = len(xlsx.os.listdir("/proc/self/fd"))
    for _ in range(5):
        with xlsx.Book(str(tmp_path / "m.xlsx")) as book:
            scan = xlsx.scan_sheet(book, book.sheets[0])
            assert xlsx._halves(book, scan) is not None
            assert len(xlsx.read_sheet(book, book.sheets[0], scan).rows) == 49
    assert len(xlsx.os.listdir("/proc/self/fd")) == before
