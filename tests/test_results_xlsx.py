"""results.xlsx (SPEC §6 Results workbook, §7 --format xlsx): read back with
openpyxl, its sheets hold summary.json's results with headers in the report
language, a frozen header row, filters, number formats, the band as a
coloured cell, links to the account plans; the same inputs give the same
bytes."""
from __future__ import annotations

import copy
import io
import json
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from kamreport.outputs import workbook as results_xlsx
from kamreport.build.pipeline import run_build
from kamreport.model import Problem
from kamreport.report import labels
from kamreport.sample.workbooks import write_workbook

SHEETS = ["Accounts", "Risks", "Managers", "Care", "Movers", "Problems"]


def build(root, lang="zh", formats="json,xlsx", name="out"):
    book = root / f"sample-{lang}.xlsx"
    if not book.exists():
        write_workbook(str(book), lang=lang, blank=False, customers=20, seed=3)
    assert run_build(workbooks=[str(book)], out_dir=str(root / name), formats=formats, jobs=1, quiet=True) == 0
    return root / name / "2026Q3"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("xlsx")
    folder = build(root)
    return root, folder, json.loads((folder / "summary.json").read_text("utf-8"))


def rows(ws):
    head = [c.value for c in ws[1]]
    return head, [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]


def test_sheets_frozen_filtered(built):
    _, folder, s = built
    wb = load_workbook(folder / "results.xlsx")
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "C2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.bold for c in ws[1])
    assert wb.properties.created == datetime(2026, 9, 30)


def test_accounts_equal_the_summary(built):
    _, folder, s = built
    ws = load_workbook(folder / "results.xlsx")["Accounts"]
    head, got = rows(ws)
    assert head[:4] == ["客户编号", "客户", "客户经理", "客户类别"]
    assert len(got) == len(s["accounts"])
    col = {h: i + 1 for i, h in enumerate(head)}
    for r, (row, a) in enumerate(zip(got, s["accounts"]), start=2):
        assert row["客户编号"] == a["customer_id"] and row["客户"] == a["name"]
        assert row["客户类别"] == {"key": "重点客户", "ordinary": "普通客户", "prospect": "潜在客户",
                               "unattractive": "无吸引力客户"}[a["tier"]]
        assert row["本期销售额"] == a["revenue_q"]
        assert row["近12个月毛利"] == a["gross_profit_ttm"]
        assert row["环比增长"] == a["growth_qoq"]
        assert row["健康度"] == a["health"]
        assert row["综合评分"] == a["score"]
        assert row["风险数"] == len(a["risks"])
        assert ws.cell(r, col["本期销售额"]).number_format == "#,##0.00"
        if a["growth_qoq"] is not None:
            assert ws.cell(r, col["环比增长"]).number_format == "0.0%"
        band = ws.cell(r, col["健康度等级"])
        if a["health_band"]:
            assert band.fill.fgColor.rgb.endswith(results_xlsx.BAND_FILL[a["health_band"]])
        else:
            assert band.value is None


def test_pdf_links_when_the_build_made_plans(tmp_path):
    folder = build(tmp_path, formats="html,json,xlsx,pdf")
    s = json.loads((folder / "summary.json").read_text("utf-8"))
    ws = load_workbook(folder / "results.xlsx")["Accounts"]
    head, got = rows(ws)
    link = head.index("客户计划PDF") + 1
    linked = 0
    for r, a in enumerate(s["accounts"], start=2):
        cell = ws.cell(r, link)
        pdf = (a.get("files") or {}).get("pdf")
        if pdf:
            linked += 1
            assert cell.hyperlink.target == pdf and pdf.startswith("accounts/")
            assert (folder / pdf).is_file()
        else:
            assert cell.hyperlink is None
    assert linked == sum(1 for a in s["accounts"] if a["tier"] == "key")


def test_risks_one_row_each_with_next_step(built):
    _, folder, s = built
    head, got = rows(load_workbook(folder / "results.xlsx")["Risks"])
    next_step = labels.translator("zh")("next_step")    # the reports' wording (labels.py)
    assert head == ["客户编号", "客户", "客户类别", "客户经理", "风险代码", "风险", "级别代码", "级别", "说明", next_step]
    want = [(a["customer_id"], r) for a in s["accounts"] for r in a["risks"]]
    assert [(g["客户编号"], g["风险代码"], g["级别代码"], g["说明"], g[next_step]) for g in got] == \
        [(cid, r["code"], r["severity"], r["message"], r.get("action")) for cid, r in want]


def test_managers_care_movers(built):
    _, folder, s = built
    wb = load_workbook(folder / "results.xlsx")
    head, got = rows(wb["Managers"])
    assert [g["客户经理"] for g in got] == [m["account_manager"] or "（未指定）" for m in s["managers"]]
    assert [g["本期销售额"] for g in got] == [m["revenue_q"] for m in s["managers"]]
    assert [g["接触达标率"] for g in got] == [m["cadence_compliance"] for m in s["managers"]]
    head, got = rows(wb["Care"])
    assert [(g["客户编号"], g["日期"].date().isoformat(), g["剩余天数"]) for g in got] == \
        [(c["customer_id"], c["date"], c["days"]) for c in s["care"]]
    if got:
        assert wb["Care"].cell(2, head.index("日期") + 1).number_format == "yyyy-mm-dd"
    head, got = rows(wb["Movers"])
    pf = s["portfolio"]
    want = [(m["customer_id"], m["change"]) for m in pf.get("movers_up", []) + pf.get("movers_down", [])]
    if "movers_up" in pf:
        assert [(g["客户编号"], g["销售额变化"]) for g in got] == want


def test_problems_sheet_and_text_is_never_a_formula(built):
    _, _, s = built
    s = copy.deepcopy(s)
    s["accounts"][0]["name"] = "=HYPERLINK(\"http://x\",\"y\")"
    s["accounts"][0]["account_manager"] = "Ann\u202eLee"
    s["accounts"][0]["risks"] = [{"code": "ACTION_OVERDUE", "severity": "medium", "message": "+1\x07", "action": "@x"}]
    probs = [Problem("error", "a.xlsx", "Customers", 7, "C", "名称", "=1+1", "bad value"),
             Problem("warning", "a.xlsx", "Sales", None, "", "", "", "x" * 40_000)]
    wb = load_workbook(io.BytesIO(results_xlsx.workbook_bytes(s, probs, "en")))
    ws = wb["Accounts"]
    assert ws.cell(2, 2).value == "=HYPERLINK(\"http://x\",\"y\")" and ws.cell(2, 2).data_type == "s"
    assert [c.value for c in wb["Accounts"][1]][:2] == ["Customer ID", "Customer"]
    assert ws.cell(2, 3).value == "AnnLee"             # bidi controls dropped, as in the other reports
    head, got = rows(wb["Risks"])
    assert got[0]["Details"] == "+1" and got[0]["Next step"] == "@x"
    head, got = rows(wb["Problems"])
    assert got[0]["Value"] == "=1+1" and got[0]["Row"] == 7 and got[0]["Severity"] == "error"
    assert len(got[1]["Details"]) == results_xlsx.MAX_CELL


def test_same_inputs_same_bytes(built, tmp_path):
    _, folder, s = built
    again = build(tmp_path)
    assert (again / "results.xlsx").read_bytes() == (folder / "results.xlsx").read_bytes()
    z = zipfile.ZipFile(folder / "results.xlsx")
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = z.read("docProps/core.xml").decode()
    assert core.count("2026-09-30T00:00:00Z") == 2


def test_sparse_summary(tmp_path):
    from conftest import summary_doc
    wb = load_workbook(io.BytesIO(results_xlsx.workbook_bytes(summary_doc(language="en"), [], "en")))
    assert wb.sheetnames == SHEETS
    assert wb["Accounts"].max_row == 4 and wb["Risks"].max_row == 4
    assert wb["Accounts"]["C1"].value == "Account manager"
    assert load_workbook(io.BytesIO(results_xlsx.workbook_bytes({}, [], "zh"))).sheetnames == SHEETS


@pytest.mark.parametrize("setting, office", [("#abc", "AABBCC"), ("#1F4E79", "1F4E79"), ("red", "1F4E79")])
def test_header_fill_is_the_booklets_brand_colour(built, setting, office):
    """One reading of the brand colour (report.colours) for the booklet, the
    deck and this workbook: `#abc` is #aabbcc everywhere (the workbook used
    to fall back to the default for a 3-digit colour)."""
    from kamreport.report.colours import brand_color
    _, _, s = built
    s = copy.deepcopy(s)
    s.setdefault("settings", {})["brand_color"] = setting
    wb = load_workbook(io.BytesIO(results_xlsx.workbook_bytes(s, [], "zh")))
    assert wb["Accounts"]["A1"].fill.fgColor.rgb.endswith(office)
    assert brand_color(setting)[1:].upper() == office
