"""Reader speed benchmark (SPEC §8 "Bounded", product requirement).

Generates a workbook whose Activities sheet is full (1,048,575 data rows ×
8 columns by default), then in ONE process times:

1. the raw python-calamine read of that sheet
   (`CalamineWorkbook.from_path(p).get_sheet_by_name(n).to_python()`),
2. kamreport's `read_workbooks` (read + validate, every sheet),
3. optionally (`--openpyxl`) openpyxl read-only iteration, for reference.

and prints the times, the ratio kamreport / calamine (goal ≤ 1.5) and peak
RSS. The workbook is written as raw XML (shared strings, a date style), which
takes seconds instead of the minutes openpyxl's writer would need.

    .venv/bin/python bench/read_bench.py              # full size
    .venv/bin/python bench/read_bench.py --rows 100000
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date
from xml.sax.saxutils import escape

MAX_ROWS = 1_048_575          # Excel's last row minus the header row

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""

EPOCH = date(1899, 12, 30)


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: str, sheets: list[tuple[str, list[list]]]) -> None:
    """Write a minimal valid .xlsx: str -> shared string, date -> styled serial, number."""
    sst: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        overrides = []
        wb_sheets = []
        wb_rels = []
        for n, (name, rows) in enumerate(sheets, 1):
            overrides.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType='
                             '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
            wb_sheets.append(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>')
            wb_rels.append(f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                           f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>')
            with z.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<sheetData>')
                cols = [_col(i) for i in range(64)]
                buf = []
                for r, row in enumerate(rows, 1):
                    cells = []
                    for c, v in enumerate(row):
                        if v is None or v == "":
                            continue
                        ref = f"{cols[c]}{r}"
                        if isinstance(v, str):
                            i = sst.get(v)
                            if i is None:
                                i = sst[v] = len(sst)
                            cells.append(f'<c r="{ref}" t="s"><v>{i}</v></c>')
                        elif isinstance(v, date):
                            cells.append(f'<c r="{ref}" s="1"><v>{(v - EPOCH).days}</v></c>')
                        else:
                            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                    buf.append(f'<row r="{r}">{"".join(cells)}</row>')
                    if len(buf) >= 10000:
                        f.write("".join(buf).encode())
                        buf.clear()
                f.write("".join(buf).encode())
                f.write(b"</sheetData></worksheet>")
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets="\n".join(overrides)))
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                   f'<sheets>{"".join(wb_sheets)}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(wb_rels)
                   + '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   + '<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", STYLES)
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in sst)
        z.writestr("xl/sharedStrings.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   f'count="{len(sst)}" uniqueCount="{len(sst)}">{items}</sst>')


def activities_rows(n: int, customers: int, seed: int = 1):
    """A header and n realistic activity rows (ids, dates, enums, names, minutes, text)."""
    rnd = random.Random(seed)
    types = ["visit", "meeting", "call", "email", "care", "training", "service", "complaint"]
    owners = [f"Owner {i}" for i in range(40)]
    contacts = [f"Contact {i}" for i in range(300)]
    summaries = [f"Discussed item {i}" for i in range(500)]
    yield ["customer_id", "date", "type", "owner", "contact", "minutes", "resolved_on", "summary"]
    base = date(2024, 1, 1).toordinal()
    for _ in range(n):
        t = rnd.choice(types)
        d = date.fromordinal(base + rnd.randrange(1000))
        resolved = date.fromordinal(d.toordinal() + rnd.randrange(30)) if t in ("complaint", "service") else None
        yield [f"C{rnd.randrange(customers):04d}", d, t, rnd.choice(owners), rnd.choice(contacts),
               rnd.choice((15, 30, 45, 60, 90)), resolved, rnd.choice(summaries)]


def make_workbook(path: str, rows: int, customers: int = 500) -> None:
    cust = [["customer_id", "name", "industry"]] + [
        [f"C{i:04d}", f"Customer {i}", "Retail"] for i in range(customers)]
    sales = [["customer_id", "month", "revenue", "gross_profit"]] + [
        [f"C{i:04d}", date(2026, m, 1), 1000 + i, 200 + i] for i in range(customers) for m in (7, 8, 9)]
    write_xlsx(path, [("Customers", cust), ("Sales", sales), ("Activities", activities_rows(rows, customers))])


def make_wide_workbook(path: str, customers: int = 10_000, months: int = 36) -> None:
    """A wide Sales sheet (SPEC §1.5): a row per customer, a column per month
    (`2024-01` … headers), as the most common Chinese sales sheet is kept."""
    rnd = random.Random(3)
    cust = [["customer_id", "name"]] + [[f"C{i:05d}", f"Customer {i}"] for i in range(customers)]
    heads = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    sales = [["customer_id", "name", *heads, "Total"]]
    for i in range(customers):
        vals = [round(rnd.uniform(0, 5e4), 2) if rnd.random() > 0.1 else None for _ in range(months)]
        sales.append([f"C{i:05d}", f"Customer {i}", *vals, round(sum(v or 0 for v in vals), 2)])
    write_xlsx(path, [("Customers", cust), ("Sales", sales)])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=MAX_ROWS, help="Activities data rows (default: a full sheet)")
    ap.add_argument("--openpyxl", action="store_true", help="also time openpyxl read-only iteration (slow)")
    ap.add_argument("--keep", metavar="PATH", help="write the workbook here and keep it")
    ap.add_argument("--reuse", metavar="PATH", help="time an existing bench workbook instead of generating one")
    ap.add_argument("--repeat", type=int, default=1, help="alternate the timings N times, report the median ratio")
    ap.add_argument("--wide", action="store_true",
                    help="time a wide Sales sheet (10,000 customers x 36 months; goal <= 2x calamine) instead")
    a = ap.parse_args(argv)
    sheet, goal = ("Sales", 2.0) if a.wide else ("Activities", 1.5)
    rows = max(1, min(a.rows, MAX_ROWS))

    from python_calamine import CalamineWorkbook
    from kamreport.inputs.read import read_workbooks

    tmp = tempfile.mkdtemp(prefix="kam-bench-")
    path = a.reuse or a.keep or os.path.join(tmp, "bench.xlsx")
    if not a.reuse:
        t0 = time.perf_counter()
        if a.wide:
            make_wide_workbook(path)
        else:
            make_workbook(path, rows)
        print(f"generated {'a wide 10,000 x 36 Sales sheet' if a.wide else f'{rows:,} activity rows'} in "
              f"{time.perf_counter() - t0:.1f} s ({os.path.getsize(path) / 1e6:.1f} MB) -> {path}")

    # The machine is shared: time calamine and kamreport alternately,
    # `--repeat` times, and judge the median of the per-pair ratios.
    ratios, ratios_nogc = [], []
    for k in range(a.repeat):
        gc.collect()
        t0 = time.perf_counter()
        raw = CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()
        t_cal = time.perf_counter() - t0
        n_raw = len(raw)
        del raw
        gc.collect()
        print(f"[{k + 1}] calamine raw to_python : {t_cal:7.2f} s  ({n_raw:,} rows)  "
              f"peak RSS so far {peak_rss_mb():,.0f} MB")

        # A stricter baseline: the same raw read with the cyclic GC paused, as
        # read_workbooks does. The goal is stated against the plain read
        # above; this one shows how much of the margin the GC pause explains.
        gc.disable()
        t0 = time.perf_counter()
        raw = CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()
        t_cal_nogc = time.perf_counter() - t0
        del raw
        gc.enable()
        gc.collect()
        print(f"[{k + 1}] calamine raw, GC paused: {t_cal_nogc:7.2f} s")

        t0 = time.perf_counter()
        data = read_workbooks([path])
        t_kam = time.perf_counter() - t0
        counts = data.rows.get(sheet)
        print(f"[{k + 1}] kamreport read+validate: {t_kam:7.2f} s  ({sheet} {counts}, "
              f"problems {len(data.problems)})")
        del data
        gc.collect()
        ratios.append(t_kam / t_cal)
        ratios_nogc.append(t_kam / t_cal_nogc)
        print(f"[{k + 1}] ratio kamreport / calamine = {ratios[-1]:.2f}; against the GC-paused read "
              f"{ratios_nogc[-1]:.2f}")
    print(f"median ratio kamreport / calamine = {statistics.median(ratios):.2f}  (goal <= {goal}); "
          f"against the GC-paused read {statistics.median(ratios_nogc):.2f}")

    if a.openpyxl:
        import openpyxl
        t0 = time.perf_counter()
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in wb[sheet].iter_rows(values_only=True))
        wb.close()
        t_op = time.perf_counter() - t0
        print(f"openpyxl read-only     : {t_op:7.2f} s  ({n:,} rows), {t_op / t_cal:.1f}x calamine (last run)")

    print(f"peak RSS {peak_rss_mb():,.0f} MB (goal < 2048 MB)")
    if not (a.keep or a.reuse):
        os.remove(path)
    os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
