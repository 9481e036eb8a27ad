"""A corpus of misleading workbooks (issue 13; SPEC v1.1 §1 Values, Problems).

Each case is a small workbook shaped like the ones teams keep or ERP/CRM
exports write (用友, 金蝶, Salesforce-like), built here, run through
`kamreport build --format json`, and checked against figures worked out by
hand in the case: revenue_ttm / revenue_q / gross_profit_ttm per customer,
the period, satisfaction, minutes, tenure, the row accounting and the
problems. A reading the reader cannot be sure of must be a refusal naming
file:Sheet!cell, never a number.

Every build here is 2026Q3 (as_of 2026-09-30, TTM = 2025-10 … 2026-09,
Q = 2026-07 … 09, PQ = 2026-04 … 06) unless the case says otherwise.
"""
from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corpus_books import (CUSTOMERS_EN, CUSTOMERS_ZH, build, csv_file, d, serial, tenure,
                          validate, with_formula, xlsx)

approx = lambda x: pytest.approx(x, abs=0.005)      # noqa: E731  money is rounded to 2 decimals


def no_errors(b) -> None:
    assert b.exit_code == 0, b.output
    assert b.count("fatal") == 0 and b.count("error") == 0, b.problems


def counts(b, sheet: str) -> dict:
    """read / accepted / rejected / skipped of a sheet kind in summary.json."""
    r = b.rows(sheet)
    return {k: r.get(k) for k in ("read", "accepted", "rejected", "skipped")}


def infos_at(b, sheet: str, cell: str) -> list[dict]:
    return [p for p in b.at(sheet, cell) if p["severity"] == "info"]


# ============================================================== units in headers

def test_wanyuan_header_under_title_rows(tmp_path):
    """A 销售月报 kept by hand: two title rows, a blank row, 销售额（万元）/毛利（万元）."""
    f = xlsx(tmp_path / "华东销售月报.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["华东区 2026年 销售月报"],
                 ["制表部门：销售管理部"],
                 [],
                 ["客户编号", "客户名称", "月份", "销售额（万元）", "毛利（万元）"],
                 ["KH0001", "华东精密制造有限公司", "2026-07", 12.5, 2.5],
                 ["KH0001", "华东精密制造有限公司", "2026-08", 3, 0.6],
                 ["KH0002", "上海联创科技股份有限公司", "2026-09", 0.85, 0.1],
                 ["KH0003", "北京远航国际贸易有限公司", "2026-05", 1, 0.2]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(155000), approx(155000))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(31000)
    assert b.revenue("KH0002") == (approx(8500), approx(8500))
    assert b.acct("KH0002")["gross_profit_ttm"] == approx(1000)
    assert b.revenue("KH0003") == (approx(10000), approx(0))
    assert b.acct("KH0003")["revenue_pq"] == approx(10000)
    assert b.summary["portfolio"]["revenue_ttm"] == approx(173500)
    # one info line at each unit header (SPEC: "Each applied unit is one info line at the header cell")
    assert infos_at(b, "销售", "D4") and infos_at(b, "销售", "E4")


def test_in_thousands_header_english_report(tmp_path):
    f = xlsx(tmp_path / "monthly.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["Monthly revenue report FY2026"],
                  ["Customer ID", "Month", "Revenue (in thousands)", "Gross profit (in thousands)"],
                  ["C1", "2026-07", 12.5, 3],
                  ["C2", "2026-08", 0.4, 0.1],
                  ["C1", "2026-09", 1, 0.25]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("C1") == (approx(13500), approx(13500))
    assert b.acct("C1")["gross_profit_ttm"] == approx(3250)
    assert b.revenue("C2") == (approx(400), approx(400))
    assert infos_at(b, "Sales", "C2") and infos_at(b, "Sales", "D2")


UNITS = [("销售额（元）", 1), ("销售额（千元）", 1_000), ("销售额（万元）", 10_000),
         ("销售额（百万元）", 1_000_000), ("销售额（亿元）", 100_000_000), ("销售额(万元)", 10_000),
         ("Revenue (k)", 1_000), ("Revenue (K)", 1_000), ("Revenue (m)", 1_000_000),
         ("Revenue (millions)", 1_000_000)]


@pytest.mark.parametrize("header,factor", UNITS, ids=[u[0] for u in UNITS])
def test_each_header_unit_multiplies(tmp_path, header, factor):
    f = xlsx(tmp_path / "u.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", header, "毛利"],
                  ["KH0001", "2026-07", 1.25, 1],
                  ["KH0002", "2026-09", 0.5, 1],
                  ["KH0001", "2026-03", 2, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(3.25 * factor), approx(1.25 * factor))
    assert b.revenue("KH0002") == (approx(0.5 * factor), approx(0.5 * factor))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(2)       # 毛利 has no unit: yuan
    if factor != 1:
        assert infos_at(b, "Sales", "C1"), b.problems


@pytest.mark.parametrize("fmt,factor", [('0.00"万元"', 10_000), ('#,##0"千元"', 1_000), ('0.00"元"', 1),
                                        ('#,##0.00"亿元"', 100_000_000)])
def test_cell_number_format_with_a_unit_multiplies(tmp_path, fmt, factor):
    """A plain 销售额 header whose cells show `12.50万元`: the format is the unit."""
    f = xlsx(tmp_path / "fmt.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 12.5, 100],
                  ["KH0001", "2026-08", 0.3, 100],
                  ["KH0002", "2026-08", 2, 100]]},
        formats={"Sales": {"C2": fmt, "C3": fmt, "C4": fmt}})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(12.8 * factor), approx(12.8 * factor))
    assert b.revenue("KH0002") == (approx(2 * factor), approx(2 * factor))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(200)       # 毛利 cells carry no format


def test_scaling_number_formats_are_not_multiplied(tmp_path):
    """`#,##0,"K"` shows 12500 as 13K and `0!.0,"万"` shows a scaled figure:
    the cell holds plain yuan (SPEC: 'it is not multiplied')."""
    f = xlsx(tmp_path / "scaled.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 12500, 1000],
                  ["KH0002", "2026-08", 125000, 1000],
                  ["KH0003", "2026-09", 7000, 1000],
                  ["KH0003", "2026-09", 300000, 1000]]},
        formats={"Sales": {"C2": '#,##0,"K"', "C3": '0!.0,"万"', "C4": '#,##0.00', "C5": '#,##0,"千元"'}})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(12500), approx(12500))
    assert b.revenue("KH0002") == (approx(125000), approx(125000))
    assert b.revenue("KH0003") == (approx(307000), approx(307000))


def test_cell_with_its_own_unit_under_wanyuan_header(tmp_path):
    f = xlsx(tmp_path / "own.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额（万元）", "毛利"],
                  ["KH0001", "2026-07", "3万", 10],       # 30 000, not 3 亿
                  ["KH0001", "2026-08", "5,000元", 10],    # 5 000
                  ["KH0001", "2026-09", 2, 10],            # 20 000 by the header
                  ["KH0002", "2026-09", "1亿", 10]]})      # 10⁸
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(55000), approx(55000))
    assert b.revenue("KH0002") == (approx(100_000_000), approx(100_000_000))


def test_non_unit_brackets_are_no_unit(tmp_path):
    f = xlsx(tmp_path / "net.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["customer_id", "month", "Revenue (net)", "gross_profit"],
                  ["C1", "2026-07", 1000, 100], ["C2", "2026-08", 250, 20]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("C1") == (approx(1000), approx(1000))
    assert b.revenue("C2") == (approx(250), approx(250))
    f2 = xlsx(tmp_path / "含税.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额（含税）", "毛利"], ["KH0001", "2026-07", 1130, 130]]})
    b2 = build(tmp_path / "out2", f2)
    no_errors(b2)
    assert b2.revenue("KH0001") == (approx(1130), approx(1130))


@pytest.mark.parametrize("header,factor,code", [("销售额（万美金）", 10_000, "USD"),
                                                ("Revenue (lakhs)", 100_000, None)])
def test_unreadable_unit_is_refused_at_the_header_never_guessed(tmp_path, header, factor, code):
    """SPEC: 'A bracket that holds a unit word that cannot be read is a fatal
    problem at the header, never a guess'. A reader that does understand the
    unit must apply all of it; a number that ignores it is the one wrong answer."""
    f = xlsx(tmp_path / "odd.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", header, "毛利"], ["KH0001", "2026-07", 12.5, 1]],
        "Settings": [["key", "value"], ["fx_USD", 7.1]]})
    b = build(tmp_path / "out", f)
    if b.exit_code == 1:
        code_, out = validate(f)
        assert code_ == 1 and f"{f}:Sales!C1" in out and header in out, out
        assert b.summary is None
    else:
        want = 12.5 * factor * (7.1 if code else 1)
        assert b.revenue("KH0001")[0] == approx(want), "unit ignored: read as a guess"


# ============================================================== money text

def test_k_m_bn_suffixes(tmp_path):
    f = xlsx(tmp_path / "crm.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["customer_id", "month", "revenue", "gross_profit"],
                  ["C1", "2026-07", "12.5K", "1K"],
                  ["C1", "2026-08", "1.2M", "0.1M"],
                  ["C2", "2026-08", "3bn", 0],
                  ["C3", "2026-09", "1.2m", 0],
                  ["C3", "2026-09", "3B", 0]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("C1") == (approx(1_212_500), approx(1_212_500))
    assert b.acct("C1")["gross_profit_ttm"] == approx(101_000)
    assert b.revenue("C2") == (approx(3_000_000_000), approx(3_000_000_000))
    assert b.revenue("C3") == (approx(3_001_200_000), approx(3_001_200_000))


def test_chinese_money_texts_and_bracket_negatives(tmp_path):
    f = xlsx(tmp_path / "手工台账.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", "¥12,345", "1,000"],
                 ["KH0001", "2026-08", "(1,234)", "(100)"],     # a return
                 ["KH0002", "2026-07", "1.2万", "0.1万"],
                 ["KH0002", "2026-09", "5,000元", "500元"],
                 ["KH0003", "2026-08", "3亿", 0],
                 ["KH0003", "2026-09", "-300", 0],
                 ["KH0003", "2026-09", "1,234.5", 0]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(11111), approx(11111))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(900)
    assert b.revenue("KH0002") == (approx(17000), approx(17000))
    assert b.acct("KH0002")["gross_profit_ttm"] == approx(1500)
    assert b.revenue("KH0003") == (approx(300_000_934.5), approx(300_000_934.5))


def test_foreign_currency_without_fx_is_a_bad_value_naming_the_setting(tmp_path):
    rows = [["customer_id", "month", "revenue", "gross_profit"],
            ["C1", "2026-07", "USD 8,704.23", 0],     # row 2: no fx_USD -> rejected
            ["C1", "2026-08", "RMB 1,000", 0],
            ["C2", "2026-07", "$1,234", 0],           # row 4: rejected
            ["C2", "2026-08", "CNY 200", 0],
            ["C2", "2026-09", "人民币 300", 0]]
    f = xlsx(tmp_path / "fx.xlsx", {"Customers": CUSTOMERS_EN, "Sales": rows})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    assert b.rows("Sales")["rejected"] == 2 and b.rows("Sales")["accepted"] == 3
    for cell, value in (("C2", "USD 8,704.23"), ("C4", "$1,234")):
        [p] = [p for p in b.at("Sales", cell) if p["severity"] == "error"]
        assert p["value"] == value and "fx_USD" in p["message"], p
    assert b.revenue("C1") == (approx(1000), approx(1000))
    assert b.revenue("C2") == (approx(500), approx(500))
    code, out = validate(f)
    [line] = [x for x in out.splitlines() if f"{f}:Sales!C2:" in x]
    assert code == 1 and ": error:" in line and "8,704.23" in line and "fx_USD" in line, out


def test_foreign_currency_with_fx_settings_is_converted(tmp_path):
    f = xlsx(tmp_path / "fx.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["customer_id", "month", "revenue", "gross_profit"],
                  ["C1", "2026-07", "USD 8,704.23", 0],     # 61 800.033
                  ["C1", "2026-08", "RMB 1,000", 0],
                  ["C2", "2026-07", "$1,234", 0],           # 8 761.40
                  ["C2", "2026-08", "CNY 200", 0],
                  ["C2", "2026-09", "人民币 300", 0],
                  ["C3", "2026-09", "€900", 0],             # 7 020
                  ["C3", "2026-09", "HK$500", 0]],          # 460
        "Settings": [["key", "value"], ["fx_USD", 7.1], ["fx_EUR", 7.8], ["fx_HKD", 0.92]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("C1") == (approx(62800.03), approx(62800.03))
    assert b.revenue("C2") == (approx(9261.40), approx(9261.40))
    assert b.revenue("C3") == (approx(7480), approx(7480))


def test_currency_column_beside_the_amount(tmp_path):
    sales = [["客户编号", "月份", "币种", "销售额", "毛利"],
             ["KH0001", "2026-07", "USD", 1000, 100],
             ["KH0001", "2026-08", "CNY", 500, 50],
             ["KH0002", "2026-08", "人民币", 300, 30]]
    f = xlsx(tmp_path / "fx_col.xlsx", {"Customers": CUSTOMERS_ZH, "Sales": sales})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    [p] = [p for p in b.where("error", "Sales") if p["row"] == "2"]
    assert "fx_USD" in p["message"]
    assert b.revenue("KH0001") == (approx(500), approx(500))
    f2 = xlsx(tmp_path / "fx_col2.xlsx", {"Customers": CUSTOMERS_ZH, "Sales": sales,
                                          "Settings": [["键", "值"], ["fx_USD", 7.1]]})
    b2 = build(tmp_path / "out2", f2)
    no_errors(b2)
    assert b2.revenue("KH0001") == (approx(7600), approx(7600))
    assert b2.acct("KH0001")["gross_profit_ttm"] == approx(760)
    assert b2.revenue("KH0002") == (approx(300), approx(300))


@pytest.mark.parametrize("header", ["Revenue (USD)", "销售额（美元）"])
def test_currency_in_the_header(tmp_path, header):
    sales = [["customer_id", "month", header, "gross_profit"],
             ["C1", "2026-07", 1000, 0], ["C2", "2026-08", 20.5, 0]]
    f = xlsx(tmp_path / "usd.xlsx", {"Customers": CUSTOMERS_EN, "Sales": sales,
                                     "Settings": [["key", "value"], ["fx_USD", 7.1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("C1") == (approx(7100), approx(7100))
    assert b.revenue("C2") == (approx(145.55), approx(145.55))
    f2 = xlsx(tmp_path / "usd_nofx.xlsx", {"Customers": CUSTOMERS_EN, "Sales": sales})
    # Every Sales row is refused, so the period must be given.
    b2 = build(tmp_path / "out2", f2, args=("--period", "2026Q3"))
    assert b2.exit_code == 0, b2.output
    assert b2.rows("Sales")["rejected"] == 2
    assert all("fx_USD" in p["message"] for p in b2.where("error", "Sales"))
    assert b2.revenue("C1") == (approx(0), approx(0))


def test_absurd_money_is_a_bad_value_not_a_crash(tmp_path):
    f = xlsx(tmp_path / "huge.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 1e30, 1],              # row 2: rejected
                  ["KH0001", "2026-08", 100, 1e30],            # row 3: kept, gross_profit blank
                  ["KH0002", "2026-08", 1e15, 1],              # row 4: |x| ≥ 10¹⁵ rejected
                  ["KH0002", "2026-09", 999_999_999_999.99, 1],
                  ["KH0003", "2026-09", "1e30", 1]]})          # row 6: rejected
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    assert b.rows("Sales") == {**b.rows("Sales"), "read": 5, "accepted": 2, "rejected": 3}
    assert {p["row"] for p in b.where("error", "Sales")} == {"2", "4", "6"}
    assert [p["row"] for p in b.where("warning", "Sales") if p["column"] == "D"] == ["3"]
    assert b.revenue("KH0001") == (approx(100), approx(100))
    assert b.acct("KH0001")["gross_profit_ttm"] is None
    assert b.revenue("KH0002") == (approx(999_999_999_999.99), approx(999_999_999_999.99))


def test_cached_error_values(tmp_path):
    f = xlsx(tmp_path / "formulas.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", "#DIV/0!", 10],      # row 2: rejected
                  ["KH0001", "2026-08", 200, "#N/A"],        # row 3: kept, warning
                  ["KH0002", "2026-08", 300, 30]]})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    [e] = b.where("error", "Sales")
    assert (e["row"], e["column"], e["value"]) == ("2", "C", "#DIV/0!")
    assert any(p["row"] == "3" and p["column"] == "D" for p in b.where("warning", "Sales"))
    assert b.revenue("KH0001") == (approx(200), approx(200))
    assert b.acct("KH0001")["gross_profit_ttm"] is None
    assert b.acct("KH0002")["gross_profit_ttm"] == approx(30)
    code, out = validate(f)
    assert code == 1 and any(f"{f}:Sales!C2: error:" in x and "#DIV/0!" in x for x in out.splitlines()), out


def test_formula_cells_use_their_cached_value(tmp_path):
    """含税金额 = 未税 × 1.13 typed as a formula: Excel's cached 1130 is the value;
    the same formula never calculated (no cached value) is a bad value."""
    f = xlsx(tmp_path / "formula.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 0, 100],
                  ["KH0001", "2026-08", 0, 100],
                  ["KH0002", "2026-09", 500, 50]]})
    with_formula(f, 2, "C2", "1000*1.13", "1130")
    with_formula(f, 2, "C3", "1000*1.13", None)
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    assert b.revenue("KH0001") == (approx(1130), approx(1130))
    [e] = b.where("error", "Sales")
    assert (e["row"], e["column"]) == ("3", "C")
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(100)
    assert b.revenue("KH0002") == (approx(500), approx(500))


# ============================================================== months

def test_chinese_and_slash_month_texts(tmp_path):
    f = xlsx(tmp_path / "手填月份.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026年7月", 100, 1],
                 ["KH0001", "26年8月", 20, 1],
                 ["KH0002", "2026/9", 300, 1],
                 ["KH0003", "2026-09-15", 40, 1],
                 ["KH0003", "2026年3月", 5, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(120), approx(120))
    assert b.revenue("KH0002") == (approx(300), approx(300))
    assert b.revenue("KH0003") == (approx(45), approx(40))


def test_month_as_yyyymm_number_and_text(tmp_path):
    """金蝶 K/3 style: 期间 202607 as a number (or text)."""
    f = xlsx(tmp_path / "k3.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 202607, 100, 10],
                 ["KH0001", "202609", 50, 5],
                 ["KH0002", 202608, 200, 20],
                 ["KH0002", 202604, 70, 7]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(150), approx(150))
    assert b.revenue("KH0002") == (approx(270), approx(200))
    assert b.acct("KH0002")["revenue_pq"] == approx(70)


def test_month_as_yyyy_dot_mm(tmp_path):
    f = xlsx(tmp_path / "dot.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 2026.07, 100, 1],
                 ["KH0002", "2026.08", 200, 1],
                 ["KH0003", 2026.09, 300, 1],
                 ["KH0003", "2026.05", 40, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(100), approx(100))
    assert b.revenue("KH0002") == (approx(200), approx(200))
    assert b.revenue("KH0003") == (approx(340), approx(300))


def test_number_2025_1_is_october_beside_two_digit_months(tmp_path):
    """Excel stores 2025.10 as 2025.1; the column's 2026.03 says months have two digits."""
    f = xlsx(tmp_path / "oct.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 2025.1, 1000, 1],       # October 2025: inside TTM
                 ["KH0001", 2026.03, 10, 1],
                 ["KH0002", 2026.09, 500, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(1010), approx(0))    # as January 2025 it would be 10


def test_number_2026_1_is_january_beside_one_digit_months(tmp_path):
    f = xlsx(tmp_path / "jan.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 2026.1, 1000, 1],       # January 2026 (as October the period would be 2026Q4)
                 ["KH0001", 2026.7, 10, 1],
                 ["KH0002", 2026.9, 500, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(1010), approx(10))
    assert b.revenue("KH0002") == (approx(500), approx(500))


def test_number_2026_1_with_nothing_to_tell_is_refused(tmp_path):
    f = xlsx(tmp_path / "amb.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 2026.1, 1000, 1],       # January or October: a bad value
                 ["KH0002", 2026.11, 500, 1],
                 ["KH0001", 2026.12, 10, 1]]})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    assert b.period == "2026Q4"
    [e] = b.where("error", "销售")
    assert (e["row"], e["column"]) == ("2", "B") and e["value"].startswith("2026.1")
    assert b.revenue("KH0001")[0] == approx(10)                 # either guess would give 1010
    assert b.rows("Sales")["rejected"] == 1
    code, out = validate(f)
    [line] = [x for x in out.splitlines() if f"{f}:销售!B2" in x]
    assert code == 1 and ": error:" in line and "2026.1" in line, out


def test_month_number_beside_a_year_column(tmp_path):
    f = xlsx(tmp_path / "year_col.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["年份", "月份", "客户编号", "销售额", "毛利"],
                 [2026, 7, "KH0001", 100, 1],
                 [2026, "8月", "KH0002", 200, 1],
                 [2026, 9, "KH0001", 50, 1],
                 [2025, 12, "KH0003", 70, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(150), approx(150))
    assert b.revenue("KH0002") == (approx(200), approx(200))
    assert b.revenue("KH0003") == (approx(70), approx(0))


def test_english_month_names_and_mm_yyyy(tmp_path):
    f = xlsx(tmp_path / "crm_months.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["Customer ID", "Month", "Revenue", "Gross profit"],
                  ["C1", "Jul 2026", 100, 1],
                  ["C1", "Jul-26", 20, 1],
                  ["C1", "Aug 2026", 5, 1],
                  ["C2", "July 2026", 200, 1],
                  ["C3", "09/2026", 300, 1],
                  ["C3", "Apr 2026", 7, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("C1") == (approx(125), approx(125))
    assert b.revenue("C2") == (approx(200), approx(200))
    assert b.revenue("C3") == (approx(307), approx(300))


def test_month_numbers_out_of_the_serial_window_are_bad_values(tmp_path):
    f = xlsx(tmp_path / "serials.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", 45, 100, 1],                          # row 2: not a month in 1900
                 ["KH0001", 7, 100, 1],                           # row 3: 7 without a year column
                 ["KH0002", serial(date(2026, 7, 15)), 200, 1],  # a real serial: July 2026
                 ["KH0003", d(2026, 8, 31), 300, 1]]})            # a date cell: August
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0, b.output
    assert b.period == "2026Q3"
    errs = b.where("error", "销售")
    assert sorted((p["row"], p["column"], p["value"]) for p in errs) == [("2", "B", "45"), ("3", "B", "7")]
    assert b.revenue("KH0001") == (approx(0), approx(0))
    assert b.revenue("KH0002") == (approx(200), approx(200))
    assert b.revenue("KH0003") == (approx(300), approx(300))
    assert b.rows("Sales") == {**b.rows("Sales"), "read": 4, "accepted": 2, "rejected": 2}
    code, out = validate(f)
    assert code == 1
    for cell, value in (("B2", "45"), ("B3", "7")):
        [line] = [x for x in out.splitlines() if f"{f}:销售!{cell}:" in x]
        assert ": error:" in line and value in line, out


# ============================================================== dates

def test_since_as_a_year_alone_is_a_bad_value(tmp_path):
    """合作开始日期 typed as 2019: a bad value (warning), tenure null — not 121 years."""
    f = xlsx(tmp_path / "since_year.xlsx", {
        "客户": [["客户编号", "客户名称", "合作开始日期"],
                ["KH0001", "华东精密", 2019],
                ["KH0002", "联创科技", "2019年"],
                ["KH0003", "远航贸易", d(2018, 7, 1)]],
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", 100, 1], ["KH0002", "2026-08", 100, 1],
                 ["KH0003", "2026-09", 100, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.acct("KH0001")["tenure_years"] is None
    assert b.acct("KH0002")["tenure_years"] is None
    assert b.acct("KH0003")["tenure_years"] == pytest.approx(tenure(date(2018, 7, 1)), abs=0.01)
    warned = {(p["row"], p["column"]) for p in b.where("warning", "客户")}
    assert warned == {("2", "C"), ("3", "C")}
    assert b.count("warning") == 2


def test_since_as_a_month_alone_is_its_first_day(tmp_path):
    f = xlsx(tmp_path / "since_month.xlsx", {
        "客户": [["客户编号", "客户名称", "合作开始日期"],
                ["KH0001", "华东精密", "2019年3月"],
                ["KH0002", "联创科技", "2019-3"],
                ["KH0003", "远航贸易", 2019.03]],
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", 100, 1], ["KH0002", "2026-08", 100, 1],
                 ["KH0003", "2026-09", 100, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    want = pytest.approx(tenure(date(2019, 3, 1)), abs=0.01)      # 7.58
    for cid in ("KH0001", "KH0002", "KH0003"):
        assert b.acct(cid)["tenure_years"] == want, cid


def test_contract_end_as_a_month_is_its_last_day(tmp_path):
    """contract_end 2026-12 = 2026-12-31: 92 days after as_of, outside
    contract_days 90 — no CONTRACT_EXPIRING; 2026年10月 = 2026-10-31: 31 days,
    medium (high only ≤ 30 d)."""
    f = xlsx(tmp_path / "contracts.xlsx", {
        "客户": [["客户编号", "客户名称", "长期协议", "合同到期日"],
                ["KH0001", "华东精密", "是", "2026-12"],
                ["KH0002", "联创科技", "是", "2026-12-15"],
                ["KH0003", "远航贸易", "是", "2026年10月"]],
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", 100, 1], ["KH0002", "2026-08", 100, 1],
                 ["KH0003", "2026-09", 100, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)

    def expiring(cid):
        return [r["severity"] for r in b.acct(cid)["risks"] if r["code"] == "CONTRACT_EXPIRING"]
    assert expiring("KH0001") == []
    assert expiring("KH0002") == ["medium"]
    assert expiring("KH0003") == ["medium"]
    assert "agreement" in b.acct("KH0001")["key_reasons"]
    care = {(c["customer_id"], c["date"]) for c in b.summary["care"] if c["kind"] != "birthday"}
    assert ("KH0003", "2026-10-31") in care and not any(c == "KH0001" for c, _ in care)


@pytest.mark.parametrize("order,text,kept", [(None, "15/7/2026", False), (None, "7/15/2026", False),
                                             ("dmy", "15/7/2026", True), ("mdy", "7/15/2026", True),
                                             ("dmy", "7/15/2026", False)])
def test_year_last_dates_follow_date_order(tmp_path, order, text, kept):
    sheets = {
        "Customers": CUSTOMERS_EN,
        "Sales": [["customer_id", "month", "revenue", "gross_profit"], ["C1", "2026-08", 100, 10]],
        "Activities": [["customer_id", "date", "type", "minutes"],
                       ["C1", text, "visit", 30],
                       ["C1", "2026-08-03", "call", 20]]}
    if order:
        sheets["Settings"] = [["key", "value"], ["date_order", order]]
    b = build(tmp_path / "out", xlsx(tmp_path / "dates.xlsx", sheets))
    assert b.exit_code == 0, b.output
    assert b.acct("C1")["minutes_q"] == (50 if kept else 20)
    errs = b.where("error", "Activities")
    if kept:
        assert errs == [] and b.acct("C1")["touches_q"] == 2
    else:
        [e] = errs
        assert (e["row"], e["column"], e["value"]) == ("2", "B", text)


@pytest.mark.parametrize("order,care_date", [(None, "2026-12-01"), ("dmy", None)])
def test_birthday_12_01(tmp_path, order, care_date):
    """12/01 is 1 December (within the 90-day care window after 2026-09-30),
    or 12 January with date_order dmy (outside it)."""
    sheets = {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-08", 1000, 100]],
        "联系人": [["客户编号", "姓名", "职务", "生日"], ["KH0001", "王建国", "采购总监", "12/01"]]}
    if order:
        sheets["设置"] = [["键", "值"], ["date_order", order]]
    b = build(tmp_path / "out", xlsx(tmp_path / "bday.xlsx", sheets))
    no_errors(b)
    assert b.acct("KH0001")["tier"] == "key"
    birthdays = [c["date"] for c in b.summary["care"] if c["kind"] == "birthday"]
    assert birthdays == ([care_date] if care_date else [])


# ============================================================== scales

SCORES = [("满意度（5分制）", 4.5, 9.0), ("Score (out of 5)", 4, 8.0), ("score (1-5)", 3.5, 7.0),
          ("满意度（百分制）", 85, 8.5), ("Score (out of 100)", 72, 7.2)]


@pytest.mark.parametrize("header,raw,score", SCORES, ids=[s[0] for s in SCORES])
def test_satisfaction_scales(tmp_path, header, raw, score):
    f = xlsx(tmp_path / "surveys.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-08", 1000, 100]],
        "Surveys": [["客户编号", "日期", header], ["KH0001", d(2026, 8, 10), raw]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    a = b.acct("KH0001")
    assert a["latest_satisfaction"] == pytest.approx(score)
    assert a["health_components"]["satisfaction"] == pytest.approx(score * 10)
    assert not any(r["code"] == "LOW_SATISFACTION" for r in a["risks"])
    assert infos_at(b, "Surveys", "C1")


HOURS = [("时长（小时）", 1.5, 90), ("时长(h)", 2, 120), ("时长 (hours)", 0.25, 15)]


@pytest.mark.parametrize("header,raw,minutes", HOURS, ids=[h[0] for h in HOURS])
def test_hours_become_minutes(tmp_path, header, raw, minutes):
    f = xlsx(tmp_path / "visits.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-08", 1000, 100]],
        "Activities": [["客户编号", "日期", "类型", header],
                       ["KH0001", d(2026, 8, 10), "拜访", raw],
                       ["KH0001", d(2026, 9, 1), "电话", None]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.acct("KH0001")["minutes_q"] == pytest.approx(minutes)
    assert b.summary["portfolio"]["minutes_q"]["key"] == pytest.approx(minutes)


# ============================================================== qualifiers

@pytest.mark.parametrize("target,actual", [("销售额（目标）", "销售额（实际）"), ("Revenue (budget)", "Revenue (actual)"),
                                           ("销售额（预算）", "销售额"), ("Revenue (forecast)", "Revenue")])
def test_target_column_is_never_revenue(tmp_path, target, actual):
    f = xlsx(tmp_path / "plan.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", target, actual, "毛利"],
                  ["KH0001", "2026-07", 1000, 800, 80],
                  ["KH0001", "2026-08", 1000, 900, 90],
                  ["KH0002", "2026-08", 5000, 300, 30]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(1700), approx(1700))
    assert b.revenue("KH0002") == (approx(300), approx(300))
    assert b.summary["portfolio"]["revenue_ttm"] == approx(2000)


@pytest.mark.parametrize("last_year", ["去年销售额", "销售额（上年同期）", "Revenue (last year)"])
def test_last_year_columns_are_ignored(tmp_path, last_year):
    f = xlsx(tmp_path / "yoy.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", last_year, "毛利"],
                  ["KH0001", "2026-07", 800, 5000, 80],
                  ["KH0002", "2026-08", 300, 100, 30]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(800), approx(800))
    assert b.acct("KH0001")["revenue_yq"] == approx(0)
    assert b.revenue("KH0002") == (approx(300), approx(300))


@pytest.mark.parametrize("h1,h2", [("销售额", "Revenue"), ("销售额", "销售额")])
def test_two_revenue_columns_with_nothing_to_tell_are_fatal(tmp_path, h1, h2):
    f = xlsx(tmp_path / "twice.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", h1, h2, "毛利"],
                  ["KH0001", "2026-07", 800, 900, 80]]})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 1 and b.summary is None, b.output
    code, out = validate(f)
    assert code == 1
    fatal = [line for line in out.splitlines() if "fatal" in line]
    assert fatal and f"{f}:Sales" in fatal[0], out
    text = "\n".join(fatal)
    for col, head in (("C", h1), ("D", h2)):                      # both columns named
        assert re.search(rf"{col}1|columns? {col}\b|{col} ?列", text) or (h1 != h2 and head in text), out


# ============================================================== merged, hidden, void

def test_quarterly_fee_merged_over_month_rows_counts_once_in_its_first_row(tmp_path):
    f = xlsx(tmp_path / "fees.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "产品", "销售额"],
                 ["KH0001", "2026-07", "年度维保服务费", 30000],
                 ["KH0001", "2026-08", "年度维保服务费", None],
                 ["KH0001", "2026-09", "年度维保服务费", None],
                 ["KH0002", "2026-06", "季度技术支持", 20000],
                 ["KH0002", "2026-07", "季度技术支持", None],
                 ["KH0002", "2026-08", "季度技术支持", None],
                 ["KH0003", "2026-09", "备件", 500]]},
        merges={"销售": ["D2:D4", "D5:D7"]})
    b = build(tmp_path / "out", f)
    assert b.exit_code == 0 and b.count("fatal") == 0, b.output
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(30000), approx(30000))
    a2 = b.acct("KH0002")
    assert (a2["revenue_ttm"], a2["revenue_pq"], a2["revenue_q"]) == (approx(20000), approx(20000), approx(0))
    assert b.summary["portfolio"]["revenue_ttm"] == approx(50500)


def test_customer_id_merged_over_its_rows_is_filled(tmp_path):
    f = xlsx(tmp_path / "merged_ids.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", 100, 10],
                 [None, "2026-08", 200, 20],
                 [None, "2026-09", 300, 30],
                 ["KH0002", "2026-09", 50, 5]]},
        merges={"销售": ["A2:A4"]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.rows("Sales") == {**b.rows("Sales"), "read": 4, "accepted": 4, "rejected": 0}
    assert b.revenue("KH0001") == (approx(600), approx(600))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(60)


def test_hidden_backup_sheet_named_like_sales_is_not_read(tmp_path):
    f = xlsx(tmp_path / "backup.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-07", 100, 10]],
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-07", 100, 10],
                 ["KH0002", "2026-09", 999, 99]]},
        hidden=("销售",))
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(100), approx(100))
    assert b.revenue("KH0002") == (approx(0), approx(0))
    assert b.rows("Sales")["read"] == 1 and b.rows("Sales")["accepted"] == 1
    assert any("销售" in (p["sheet"] + p["message"]) for p in b.where("info"))


def test_hidden_settings_sheet_is_still_read(tmp_path):
    """SPEC: hidden sheets are not read 'except Settings and Columns sheets,
    which people often hide': its language en wins over the zh headers."""
    f = xlsx(tmp_path / "hidden_settings.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-07", 100, 10]],
        "设置": [["键", "值"], ["language", "en"], ["revenue_drop", 0.5]]},
        hidden=("设置",))
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.summary["language"] == "en"
    assert b.revenue("KH0001") == (approx(100), approx(100))


def test_hidden_rows_are_read_with_one_warning(tmp_path):
    f = xlsx(tmp_path / "hidden_rows.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 100, 10],
                  ["KH0001", "2026-08", 200, 20],     # row 3 hidden
                  ["KH0002", "2026-08", 300, 30],
                  ["KH0002", "2026-09", 400, 40]]},   # row 5 hidden
        hidden_rows={"Sales": [3, 5]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(300), approx(300))
    assert b.revenue("KH0002") == (approx(700), approx(700))
    [w] = b.where("warning")
    assert w["sheet"] == "Sales" and "3" in w["message"] and "5" in w["message"]
    assert b.count("warning") == 1


def test_void_rows_are_skipped_and_counted(tmp_path):
    f = xlsx(tmp_path / "void.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利", "状态"],
                 ["KH0001", "2026-07", 100, 10, "正常"],
                 ["KH0001", "2026-07", 100, 10, "作废"],
                 ["KH0001", "2026-08", 5000, 500, "void"],
                 ["KH0002", "2026-08", 200, 20, None],
                 ["KH0002", "2026-09", 7000, 700, "已取消"],
                 ["KH0003", "2026-09", 900, 90, "Cancelled"]],
        "活动": [["客户编号", "日期", "类型", "时长", "状态"],
                 ["KH0001", d(2026, 8, 1), "拜访", 60, "已完成"],
                 ["KH0001", d(2026, 8, 2), "拜访", 45, "取消"]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert counts(b, "Sales") == {"read": 6, "accepted": 2, "rejected": 0, "skipped": 4}
    assert counts(b, "Activities") == {"read": 2, "accepted": 1, "rejected": 0, "skipped": 1}
    assert b.revenue("KH0001") == (approx(100), approx(100))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(10)
    assert b.revenue("KH0002") == (approx(200), approx(200))
    assert b.revenue("KH0003") == (approx(0), approx(0))
    assert b.acct("KH0001")["minutes_q"] == pytest.approx(60)
    assert b.acct("KH0001")["touches_q"] == 1
    code, out = validate(f)                        # validate's accounting: read = accepted + rejected + skipped
    assert code == 0, out
    [line] = [x for x in out.splitlines() if x.startswith("Sales:")]
    assert "read 6" in line and "accepted 2" in line and "rejected 0" in line and "skipped 4" in line, out


def test_crm_deal_stage_only_won_deals_are_revenue(tmp_path):
    f = xlsx(tmp_path / "opportunities.xlsx", {
        "Customers": CUSTOMERS_EN,
        "Sales": [["customer_id", "month", "revenue", "gross_profit", "Deal stage"],
                  ["C1", "2026-07", 1000, 100, "Closed Won"],
                  ["C1", "2026-08", 5000, 500, "Negotiation"],
                  ["C1", "2026-09", 200, 20, "Won"],
                  ["C2", "2026-09", 300, 30, "Closed Lost"],
                  ["C2", "2026-09", 50, 5, "赢单"]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert counts(b, "Sales") == {"read": 5, "accepted": 3, "rejected": 0, "skipped": 2}
    assert b.revenue("C1") == (approx(1200), approx(1200))
    assert b.revenue("C2") == (approx(50), approx(50))


def test_gross_profit_column_with_no_value_falls_back_to_revenue(tmp_path):
    f = xlsx(tmp_path / "gp_blank.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["KH0001", "2026-07", 700, None],
                 ["KH0002", "2026-08", 200, None],
                 ["KH0003", "2026-09", 100, None]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert [b.acct(c)["abc_class"] for c in ("KH0001", "KH0002", "KH0003")] == ["A", "B", "C"]
    assert all(b.acct(c)["gross_profit_ttm"] is None for c in ("KH0001", "KH0002", "KH0003"))
    assert b.count("warning") == 1 and b.where("warning")[0]["sheet"] == "销售"


# ============================================================== files and ids

def _one_customer_book(path):
    return xlsx(path, {"Customers": CUSTOMERS_EN,
                       "Sales": [["customer_id", "month", "revenue", "gross_profit"],
                                 ["C1", "2026-07", 100, 10], ["C2", "2026-08", 40, 4]]})


def test_the_same_file_twice_is_read_once(tmp_path):
    f = _one_customer_book(tmp_path / "export.xlsx")
    b = build(tmp_path / "out", f, f)
    no_errors(b)
    assert b.revenue("C1") == (approx(100), approx(100))
    assert b.rows("Sales")["accepted"] == 2 and b.rows("Customers")["accepted"] == 3
    assert b.count("warning") == 1


def test_a_byte_copy_under_another_name_is_read_once(tmp_path):
    f = _one_customer_book(tmp_path / "销售导出.xlsx")
    g = tmp_path / "销售导出 (1).xlsx"
    shutil.copyfile(f, g)
    b = build(tmp_path / "out", f, str(g))
    no_errors(b)
    assert b.revenue("C1") == (approx(100), approx(100))
    assert b.revenue("C2") == (approx(40), approx(40))
    assert b.count("warning") == 1


def test_overlapping_exports_count_identical_rows_once(tmp_path):
    a = xlsx(tmp_path / "export_0701_0831.xlsx", {
        "Customers": CUSTOMERS_ZH,
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-07", 100, 10],
                  ["KH0001", "2026-08", 200, 20],
                  ["KH0002", "2026-08", 50, 5],      # twice within one file: summed
                  ["KH0002", "2026-08", 50, 5]]})
    b_ = xlsx(tmp_path / "export_0801_0930.xlsx", {
        "Sales": [["客户编号", "月份", "销售额", "毛利"],
                  ["KH0001", "2026-08", 200, 20],    # same as the first file's row 3
                  ["KH0001", "2026-09", 300, 30]]})
    b = build(tmp_path / "out", a, b_)
    no_errors(b)
    assert b.revenue("KH0001") == (approx(600), approx(600))
    assert b.revenue("KH0002") == (approx(100), approx(100))
    assert b.count("warning") == 1


def test_full_width_and_invisible_space_ids_match(tmp_path):
    f = xlsx(tmp_path / "ids.xlsx", {
        "客户": [["客户编号", "客户名称"], ["KH0004", "深圳海岸电子"], [1001, "苏州工业园"]],
        "销售": [["客户编号", "月份", "销售额", "毛利"],
                 ["ＫＨ０００４", "2026-07", 100, 1],
                 ["kh0004", "2026-08", 20, 1],
                 ["KH0004\u00a0", "2026-09", 3, 1],
                 ["\u200bKH0004", "2026-09", 0.5, 1],
                 ["1001", "2026-09", 7, 1],
                 [1001.0, "2026-08", 8, 1]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.revenue("KH0004") == (approx(123.5), approx(123.5))
    assert b.revenue("1001") == (approx(15), approx(15))


# ============================================================== ERP exports

def test_yonyou_u8_export(tmp_path):
    """用友 U8 销售统计表: merged title, 期间 line, 2026.07 months as text,
    amounts as text with thousands separators, a 单据状态 column."""
    f = xlsx(tmp_path / "U8销售统计表.xlsx", {
        "客户": [["客户编号", "客户名称", "合作开始日期"],
                ["KH0001", "华东精密制造有限公司", "2019年3月"],
                ["KH0002", "上海联创科技股份有限公司", "2021-06-01"]],
        "销售": [["用友U8+ 销售统计表", None, None, None, None],
                 ["会计期间：2026.07—2026.09", None, None, None, None],
                 ["客户编号", "月份", "销售额", "毛利", "单据状态"],
                 ["KH0001", "2026.07", "12,345.60", "2,345.60", "已审核"],
                 ["KH0001", "2026.08", "8,000.00", "1,000.00", "已审核"],
                 ["KH0001", "2026.08", "8,000.00", "1,000.00", "已作废"],
                 ["KH0002", "2026.09", "(1,200.00)", "(200.00)", "已审核"],
                 ["KH0002", "2026.09", "30,000.00", "6,000.00", "已审核"]]},
        merges={"销售": ["A1:E1", "A2:E2"]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert counts(b, "Sales") == {"read": 5, "accepted": 4, "rejected": 0, "skipped": 1}
    assert b.revenue("KH0001") == (approx(20345.60), approx(20345.60))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(3345.60)
    assert b.revenue("KH0002") == (approx(28800), approx(28800))
    assert b.acct("KH0002")["gross_profit_ttm"] == approx(5800)


def test_kingdee_export_bilingual_book(tmp_path):
    """金蝶 K/3 export: English Customers (from the CRM), Chinese Sales with
    期间 202607 numbers, 万元 amounts, hidden audit rows and void documents."""
    f = xlsx(tmp_path / "K3_销售明细.xlsx", {
        "Customers": [["Customer ID", "Name", "Since"],
                      ["KH0001", "East Precision", d(2016, 10, 1)],
                      ["KH0002", "Lianchuang Tech", "2022年1月"]],
        "销售": [["金蝶K/3 销售收入明细表"],
                 ["客户编号", "月份", "销售额（万元）", "毛利（万元）", "单据状态"],
                 ["KH0001", 202607, 1.2, 0.3, "已审核"],
                 ["KH0001", 202608, 0.8, 0.2, "已审核"],      # row 4 hidden
                 ["KH0001", 202609, 5, 1, "作废"],
                 ["KH0002", 202609, 2.5, 0.5, "已审核"],
                 ["KH0002", 202605, 1, 0.1, "已审核"]]},
        hidden_rows={"销售": [4]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.period == "2026Q3"
    assert counts(b, "Sales") == {"read": 5, "accepted": 4, "rejected": 0, "skipped": 1}
    assert b.revenue("KH0001") == (approx(20000), approx(20000))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(5000)
    assert b.revenue("KH0002") == (approx(35000), approx(25000))
    assert b.acct("KH0001")["tenure_years"] == pytest.approx(tenure(date(2016, 10, 1)), abs=0.01)
    assert b.acct("KH0002")["tenure_years"] == pytest.approx(tenure(date(2022, 1, 1)), abs=0.01)
    assert len(b.where("warning", "销售")) == 1                   # the hidden rows


# ============================================================== more columns, other sheets

def test_units_apply_to_every_money_column_not_only_sales(tmp_path):
    """市场规模（万元） and 逾期金额（万元）: market_size 500万 = 5 000 000 yuan, so
    share_of_wallet = 1 000 000 / 5 000 000 and headroom 4 000 000; an overdue
    0.5万 = 5 000 yuan is ≤ 10 % of revenue_ttm (medium), 20万 > 10 % (high)."""
    f = xlsx(tmp_path / "wallet.xlsx", {
        "客户": [["客户编号", "客户名称", "市场规模（万元）"],
                ["KH0001", "华东精密", 500], ["KH0002", "联创科技", "80万"], ["KH0003", "远航贸易", None]],
        "销售": [["客户编号", "月份", "销售额（万元）", "毛利（万元）", "逾期金额（万元）"],
                 ["KH0001", "2026-07", 50, 10, None],
                 ["KH0001", "2026-09", 50, 10, 0.5],
                 ["KH0002", "2026-09", 100, 20, 20]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    a1, a2 = b.acct("KH0001"), b.acct("KH0002")
    assert a1["market_size"] == approx(5_000_000) and a1["headroom"] == approx(4_000_000)
    assert a1["share_of_wallet"] == pytest.approx(0.2)
    assert a2["market_size"] == approx(800_000) and a2["headroom"] == approx(0)   # "80万" read by itself
    credit = {a["customer_id"]: [r["severity"] for r in a["risks"] if r["code"] == "CREDIT_OVERDUE"]
              for a in (a1, a2)}
    assert credit == {"KH0001": ["medium"], "KH0002": ["high"]}


def test_percent_written_as_a_bare_number_is_a_bad_value(tmp_path):
    """市场增长率 8 is not 800 % nor 8 %: a warning at the cell, the field blank
    (SPEC: a bare number with |x| > 1 is a bad value, write 8%)."""
    f = xlsx(tmp_path / "growth.xlsx", {
        "客户": [["客户编号", "客户名称", "市场增长率"],
                ["KH0001", "华东精密", 8], ["KH0002", "联创科技", "8%"], ["KH0003", "远航贸易", "8 %"],
                ["KH0004", "海岸电子", 0.08], ["KH0005", "园区物流", -5]],
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-09", 100, 10]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert {(p["row"], p["column"], p["value"]) for p in b.where("warning", "客户")} == {("2", "C", "8"),
                                                                                        ("6", "C", "-5")}
    assert b.count("warning") == 2
    # KH0002-KH0004 hold the same growth; KH0001 and KH0005 have none: their potential pillar is absent
    pot = {c: b.acct(c)["pillars"]["potential"] for c in ("KH0001", "KH0002", "KH0003", "KH0004", "KH0005")}
    assert pot["KH0001"] is None and pot["KH0005"] is None
    assert pot["KH0002"] == pot["KH0003"] == pot["KH0004"] is not None


def test_plan_due_as_a_month_is_its_last_day(tmp_path):
    """截止日期 2026-09 = 2026-09-30 = as_of: not overdue (overdue is due < as_of);
    2026年8月 = 2026-08-31: overdue."""
    f = xlsx(tmp_path / "plans.xlsx", {
        "客户": CUSTOMERS_ZH,
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["KH0001", "2026-09", 1000, 100],
                 ["KH0002", "2026-09", 1000, 100]],
        "行动计划": [["客户编号", "目标", "行动", "截止日期", "状态"],
                    ["KH0001", "续签年度框架协议", "高层拜访", "2026-09", "进行中"],
                    ["KH0002", "扩大份额", "技术交流会", "2026年8月", "进行中"]]})
    b = build(tmp_path / "out", f)
    no_errors(b)
    assert b.acct("KH0001")["overdue_actions"] == 0
    assert b.acct("KH0002")["overdue_actions"] == 1


def test_mac_1904_workbook_dates(tmp_path):
    """A workbook saved with the 1904 date system: date cells are still their dates."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Customers"
    for row in [["customer_id", "name", "since"], ["C1", "Acme", d(2020, 1, 1)], ["C2", "Beta", None]]:
        ws.append(row)
    sales = wb.create_sheet("Sales")
    for row in [["customer_id", "month", "revenue", "gross_profit"],
                ["C1", d(2026, 7, 1), 100, 10], ["C1", d(2026, 9, 15), 50, 5], ["C2", d(2026, 4, 1), 70, 7]]:
        sales.append(row)
    f = tmp_path / "mac.xlsx"
    wb.save(f)
    b = build(tmp_path / "out", str(f))
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("C1") == (approx(150), approx(150))
    assert b.revenue("C2") == (approx(70), approx(0))
    assert b.acct("C1")["tenure_years"] == pytest.approx(tenure(date(2020, 1, 1)), abs=0.01)


# ============================================================== CSV (cells typed as text)

def test_gbk_csv_sales_with_wanyuan_header(tmp_path):
    """Excel's "CSV" on Chinese Windows: GB18030, 销售额（万元）, 2026.07 as text."""
    cust = xlsx(tmp_path / "客户.xlsx", {"Customers": CUSTOMERS_ZH})
    sales = csv_file(tmp_path / "销售.csv", [["客户编号", "月份", "销售额（万元）", "毛利（万元）"],
                                            ["KH0001", "2026.07", "1.5", "0.5"],
                                            ["KH0001", "202608", "(0.5)", "0"],
                                            ["KH0002", "2026年9月", "1,234", "100"]], encoding="gb18030")
    b = build(tmp_path / "out", cust, sales)
    no_errors(b)
    assert b.period == "2026Q3"
    assert b.revenue("KH0001") == (approx(10000), approx(10000))
    assert b.acct("KH0001")["gross_profit_ttm"] == approx(5000)
    assert b.revenue("KH0002") == (approx(12_340_000), approx(12_340_000))


def test_utf8_csv_crm_export_with_suffixes_and_currency(tmp_path):
    cust = csv_file(tmp_path / "customers.csv", CUSTOMERS_EN)
    sales = csv_file(tmp_path / "sales.csv", [["customer_id", "month", "revenue", "gross_profit"],
                                             ["C1", "Jul 2026", "12.5K", "2K"],
                                             ["C2", "09/2026", "USD 1,000", "USD 100"],
                                             ["C3", "202608", "¥3,000", "300"]])
    settings = csv_file(tmp_path / "settings.csv", [["key", "value"], ["fx_USD", "7.1"]])
    b = build(tmp_path / "out", cust, sales, settings)
    no_errors(b)
    assert b.revenue("C1") == (approx(12500), approx(12500))
    assert b.revenue("C2") == (approx(7100), approx(7100))
    assert b.acct("C2")["gross_profit_ttm"] == approx(710)
    assert b.revenue("C3") == (approx(3000), approx(3000))


# ============================================================== properties

PROP = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HEADER_UNITS = [("销售额（千元）", 1_000), ("销售额（万元）", 10_000), ("销售额（百万元）", 1_000_000),
                ("销售额（亿元）", 100_000_000), ("Revenue (in thousands)", 1_000), ("Revenue (k)", 1_000),
                ("Revenue (millions)", 1_000_000), ("Revenue (m)", 1_000_000)]


@PROP
@given(unit=st.sampled_from(HEADER_UNITS),
       cents=st.lists(st.integers(min_value=-50_000, max_value=5_000_000), min_size=1, max_size=4))
def test_property_unit_header_equals_yuan_written_out(tmp_path_factory, unit, cents):
    """A value under a unit header builds the same revenue_ttm as the same
    value written out in yuan under a plain header."""
    header, factor = unit
    tmp = tmp_path_factory.mktemp("unit")
    in_units = [Decimal(c) / 100 for c in cents]                 # e.g. 12.34 (万元)
    months = ["2026-07", "2026-08", "2026-09", "2026-06"]

    def book(name, head, values):
        rows = [["客户编号", "月份", head, "毛利"]]
        rows += [["KH0001", months[i], float(v), 1] for i, v in enumerate(values)]
        return xlsx(tmp / name, {"Customers": CUSTOMERS_ZH, "Sales": rows})
    b_unit = build(tmp / "o1", book("unit.xlsx", header, in_units))
    b_yuan = build(tmp / "o2", book("yuan.xlsx", "销售额", [v * factor for v in in_units]))
    assert b_unit.exit_code == 0 and b_yuan.exit_code == 0, (b_unit.output, b_yuan.output)
    want = float(sum(v * factor for v in in_units))
    assert b_yuan.revenue("KH0001")[0] == approx(want)
    assert b_unit.revenue("KH0001") == b_yuan.revenue("KH0001")


@PROP
@given(amounts=st.lists(st.integers(min_value=-10_000, max_value=1_000_000), min_size=2, max_size=6),
       data=st.data())
def test_property_merged_amount_sums_like_excel_sum(tmp_path_factory, amounts, data):
    """A merged area in the revenue column (over rows, and possibly over the
    next, ignored column too) counts once, in its first row: the customer's
    revenue_ttm equals Excel's SUM of the column."""
    n = len(amounts)
    top = data.draw(st.integers(0, n - 2))
    bottom = data.draw(st.integers(top + 1, n - 1))
    wide = data.draw(st.booleans())
    tmp = tmp_path_factory.mktemp("merge")
    months = ["2026-07", "2026-08", "2026-09"]
    rows = [["客户编号", "月份", "销售额", "备注"]]
    rows += [["KH0001", months[i % 3], a, "季度费用"] for i, a in enumerate(amounts)]
    rng = f"C{top + 2}:{'D' if wide else 'C'}{bottom + 2}"
    f = xlsx(tmp / "m.xlsx", {"Customers": CUSTOMERS_ZH, "Sales": rows}, merges={"Sales": [rng]})
    b = build(tmp / "out", f)
    assert b.exit_code == 0, b.output
    excel_sum = sum(a for i, a in enumerate(amounts) if not (top < i <= bottom))
    assert b.revenue("KH0001") == (approx(excel_sum), approx(excel_sum))
