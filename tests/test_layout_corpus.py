"""The layout corpus (issue 14; SPEC v1.1 §1.5 "Spreadsheets as teams already keep them").

Each case is a workbook or CSV shaped the way teams really keep them —
synonym sheet and column names, CRM/ERP exports, wide month sheets, totals
and footers, pivot pastes, ids that differ in leading zeros or separators,
a Columns mapping sheet or `--map` file — built with `kamreport build
--format json` and checked against figures worked out by hand in the case.

Every build is 2026Q3 (as_of 2026-09-30; TTM = 2025-10 … 2026-09;
Q = 2026-07 … 09; PQ = 2026-04 … 06) unless the case says otherwise.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from corpus_books import CUSTOMERS_EN, CUSTOMERS_ZH, build, csv_file, d, validate, xlsx
from layout_books import (MONTHS_TTM, build_map, columns_text, entry_for, mapping_rows, month_header,
                          problems_of, read, sheet_entries, validate_args, validate_json, zh_months)

approx = lambda x: pytest.approx(x, abs=0.005)      # noqa: E731  money is rounded to 2 decimals


def no_errors(b) -> None:
    assert b.exit_code == 0, b.output
    assert b.count("fatal") == 0 and b.count("error") == 0, b.problems


def counts(b, sheet: str) -> dict:
    r = b.rows(sheet)
    return {k: r.get(k) for k in ("read", "accepted", "rejected", "skipped")}


def infos(b, sheet: str) -> list[dict]:
    return b.where("info", sheet)


def text_of(ps: list[dict]) -> str:
    return "\n".join(f"{p['header']} | {p['value']} | {p['message']}" for p in ps)


def fatal_lines(out: str) -> list[str]:
    return [x for x in out.splitlines() if ": fatal:" in x]


GP = 1   # a gross_profit value, so no "no gross profit" warning muddies the warning counts


# ====================================================================== sheet recognition

def test_chinese_office_book_with_synonym_sheets_and_columns(tmp_path):
    """客户档案 / 销售明细 / 跟进记录 with 客户编码, 客户全称, 会计期间, 销售收入,
    拜访日期, 跟进方式 and the common words for activity types."""
    f = xlsx(tmp_path / "客户台账2026.xlsx", {
        "客户档案": [["客户编码", "客户全称", "区域"],
                 ["KH0001", "华东精密制造有限公司", "华东"],
                 ["KH0002", "上海联创科技股份有限公司", "华东"]],
        "销售明细": [["客户编码", "会计期间", "销售收入", "毛利"],
                 ["KH0001", "2026-07", 1000, 100],
                 ["KH0001", "2026-09", 500, 50],
                 ["KH0002", "2026-05", 300, 30],
                 ["KH0002", "2025-10", 200, 20],
                 ["KH0002", "2025-09", 9999, 999]],      # before TTM
        "跟进记录": [["客户编码", "拜访日期", "跟进方式", "时长"],
                 ["KH0001", d(2026, 9, 20), "上门拜访", 90],
                 ["KH0001", d(2026, 8, 3), "电话回访", 15],
                 ["KH0001", d(2026, 7, 1), "微信", 5],
                 ["KH0002", d(2026, 6, 30), "走访", 60],
                 ["KH0002", d(2026, 7, 10), "售后", 120]]})   # service: not a touch, but minutes
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(1500), approx(1500))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(150)
    assert b.revenue("KH0002") == (approx(500), approx(0))
    a1, a2 = b.acct("KH0001"), b.acct("KH0002")
    assert (a1["touches_q"], a1["minutes_q"], a1["days_since_touch"]) == (3, pytest.approx(110), 10)
    assert (a2["touches_q"], a2["minutes_q"], a2["days_since_touch"]) == (0, pytest.approx(120), 92)
    assert counts(b, "Sales") == {"read": 5, "accepted": 5, "rejected": 0, "skipped": 0}
    assert counts(b, "Activities") == {"read": 5, "accepted": 5, "rejected": 0, "skipped": 0}


CUSTOMER_SHEETS = ["客户信息", "客户档案", "客户名单", "Accounts"]
SALES_SHEETS = ["销售数据", "销售明细", "销售月报", "Revenue", "Orders", "销售数据2026", "2026年销售", "2026年 销售明细表"]
ACTIVITY_SHEETS = ["拜访记录", "跟进记录", "客户拜访", "Visits", "Calls", "2026年拜访记录"]


@pytest.mark.parametrize("name", CUSTOMER_SHEETS)
def test_unit_customers_sheet_names(tmp_path, name):
    f = xlsx(tmp_path / "c.xlsx", {name: CUSTOMERS_ZH,
                                   "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-09", 10, GP]]})
    ds = read([f])
    assert not ds.fatal, ds.problems
    assert sorted(c.customer_id for c in ds.customers) == ["KH0001", "KH0002", "KH0003"]


@pytest.mark.parametrize("name", SALES_SHEETS)
def test_unit_sales_sheet_names(tmp_path, name):
    f = xlsx(tmp_path / "s.xlsx", {"客户": CUSTOMERS_ZH,
                                   name: [["客户编号", "月份", "销售额", "毛利"],
                                          ["KH0001", "2026-09", 10, GP], ["KH0002", "2026-08", 5, GP]]})
    ds = read([f])
    assert not ds.fatal, ds.problems
    assert sorted((s.customer_id, s.revenue) for s in ds.sales) == [("KH0001", 10), ("KH0002", 5)]


@pytest.mark.parametrize("name", ACTIVITY_SHEETS)
def test_unit_activity_sheet_names(tmp_path, name):
    f = xlsx(tmp_path / "a.xlsx", {"客户": CUSTOMERS_ZH,
                                   "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-09", 10, GP]],
                                   name: [["客户编号", "日期", "类型"], ["KH0001", d(2026, 9, 1), "拜访"],
                                          ["KH0002", d(2026, 9, 2), "电话"]]})
    ds = read([f])
    assert not ds.fatal, ds.problems
    assert sorted((a.customer_id, a.type) for a in ds.activities) == [("KH0001", "visit"), ("KH0002", "call")]


def test_sheets_recognised_by_their_headers(tmp_path):
    """Sheet1 / Sheet2 / Sheet3 as a quick export leaves them: read as the kind
    whose required columns the header row holds, with an info line."""
    f = xlsx(tmp_path / "export.xlsx", {
        "Sheet1": [["客户编号", "客户名称", "行业"], ["KH0001", "华东精密", "制造"], ["KH0002", "联创科技", "IT"]],
        "Sheet2": [["客户编号", "月份", "销售额", "毛利"],
                   ["KH0001", "2026-08", 800, 80], ["KH0002", "2026-09", 200, 20], ["KH0002", "2026-01", 100, 10]],
        "Sheet3": [["客户编号", "日期", "满意度"], ["KH0001", d(2026, 9, 1), 8.5], ["KH0001", d(2026, 6, 1), 6]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(800), approx(800))
    assert b.revenue("KH0002") == (approx(300), approx(200))
    assert b.acct("KH0001")["latest_satisfaction"] == pytest.approx(8.5)
    for sheet in ("Sheet1", "Sheet2", "Sheet3"):
        assert infos(b, sheet), f"no info saying how {sheet} was recognised: {b.problems}"


def test_visit_log_without_a_type_column_is_visits(tmp_path):
    """拜访记录 with 拜访日期 / 拜访人 / 时长 and no type: every row is a visit."""
    f = xlsx(tmp_path / "拜访.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-09", 100, 10], ["KH0002", "2026-09", 50, 5]],
        "拜访记录": [["客户编号", "拜访日期", "拜访人", "时长", "摘要"],
                 ["KH0001", d(2026, 9, 25), "王芳", 60, "季度回顾"],
                 ["KH0001", d(2026, 7, 2), "王芳", 30, None],
                 ["KH0001", d(2026, 6, 30), "王芳", 45, None],          # PQ: not in touches_q
                 ["KH0002", d(2026, 8, 1), "李强", None, "送样"]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    a1, a2 = b.acct("KH0001"), b.acct("KH0002")
    assert (a1["touches_q"], a1["minutes_q"], a1["days_since_touch"]) == (2, pytest.approx(90), 5)
    assert (a2["touches_q"], a2["minutes_q"], a2["days_since_touch"]) == (1, pytest.approx(0), 60)
    assert counts(b, "Activities") == {"read": 4, "accepted": 4, "rejected": 0, "skipped": 0}


def test_customers_and_contacts_told_apart_by_their_other_columns(tmp_path):
    """Two header-recognised sheets with Customer ID + Name: the one with
    Title / Role / Email is Contacts, the other Customers."""
    f = xlsx(tmp_path / "crm.xlsx", {
        "Sheet1": [["Customer ID", "Name", "Title", "Role", "Email"],
                   ["C1", "Li Lei", "CFO", "decision maker", "li@acme.cn"],
                   ["C1", "Han Meimei", "Buyer", "user", "han@acme.cn"]],
        "Sheet2": [["Customer ID", "Name", "Region", "Industry"],
                   ["C1", "Acme Components Ltd", "East", "Machinery"], ["C2", "Beta Retail", "North", "Retail"]],
        "Sales": [["Customer ID", "Month", "Revenue", "Gross profit"],
                  ["C1", "2026-09", 1000, 100], ["C2", "2026-08", 400, 40]]})
    ds = read([f])
    assert not ds.fatal, ds.problems
    assert sorted(c.customer_id for c in ds.customers) == ["C1", "C2"]
    assert sorted(c.name for c in ds.contacts) == ["Han Meimei", "Li Lei"]
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.acct("C1")["name"] == "Acme Components Ltd"
    assert b.revenue("C1") == (approx(1000), approx(1000))
    assert b.revenue("C2") == (approx(400), approx(400))


def test_customers_or_contacts_with_nothing_to_tell_is_fatal_asking_for_a_columns_entry(tmp_path):
    """Sheet1 holds only Customer ID + Name: Customers or Contacts? Refused
    (fatal at that sheet, naming the Columns sheet); a Columns entry
    `Sheet1 → Customers` settles it."""
    rows = [["Customer ID", "Name"], ["C1", "Acme Components Ltd"], ["C2", "Beta Retail"]]
    sales = [["Customer ID", "Month", "Revenue", "Gross profit"], ["C1", "2026-09", 70, 7], ["C2", "2026-07", 30, 3]]
    f = xlsx(tmp_path / "ambiguous.xlsx", {"Sheet1": rows, "Sales": sales})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 1 and b.summary is None, b.output
    code, out = validate(f)
    assert code == 1
    lines = fatal_lines(out)
    assert lines and any(f"{f}:Sheet1" in x for x in lines), out
    assert any("Columns" in x or "列映射" in x for x in lines), out
    g = xlsx(tmp_path / "settled.xlsx", {"Sheet1": rows, "Sales": sales,
                                         "Columns": mapping_rows(("Sheet1", None, "Customers"))})
    b2 = build(tmp_path / "out2", g)
    no_errors(b2)
    assert b2.revenue("C1") == (approx(70), approx(70))
    assert b2.revenue("C2") == (approx(30), approx(30))
    assert b2.summary["portfolio"]["customers"] == 2


def test_a_sheet_name_fitting_two_kinds_is_decided_by_its_columns(tmp_path):
    """客户销售明细 names both Customers and Sales: month + revenue make it Sales."""
    f = xlsx(tmp_path / "明细.xlsx", {
        "客户": CUSTOMERS_ZH,
        "客户销售明细": [["客户编号", "客户名称", "月份", "销售额", "毛利"],
                   ["KH0001", "华东精密制造有限公司", "2026-08", 600, 60],
                   ["KH0003", "北京远航国际贸易有限公司", "2026-09", 40, 4]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(600), approx(600))
    assert b.revenue("KH0003") == (approx(40), approx(40))
    assert b.summary["portfolio"]["customers"] == 3
    assert counts(b, "Sales") == {"read": 2, "accepted": 2, "rejected": 0, "skipped": 0}
