"""read_workbooks end to end, on workbooks built here with openpyxl.

Cases openpyxl cannot write (cached formula values, error cells) are made
by editing the sheet XML in the saved file (`patch_part`).
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from kamreport.model import Birthday, Loc
from kamreport.inputs.read import read_workbooks

EN_CUSTOMERS = ["customer_id", "name", "account_manager", "since", "long_term_agreement",
                "market_size", "market_growth", "strategic_fit", "relationship_type", "notes"]
ZH_CUSTOMERS = ["客户编号", "客户名称", "客户经理", "合作开始日期", "长期协议", "市场规模", "市场增长率",
                "战略协同", "关系类型", "备注"]


def write(path: Path, sheets: dict[str, list[list]], epoch=None, merges: dict[str, list[str]] | None = None) -> str:
    """Save a workbook: {sheet name: rows}; None = empty cell."""
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return str(path)


def patch_part(path: str, part: str, edit) -> None:
    """Rewrite one zip member of a saved workbook with edit(bytes) -> bytes."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, edit(data) if info.filename == part else data)


def set_cell_xml(path: str, part: str, ref: str, xml: str) -> None:
    """Replace the <c r="ref"> element of a sheet with `xml`."""
    def edit(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', xml.encode(), data, flags=re.S)
        assert n == 1, f"cell {ref} not found"
        return new
    patch_part(path, part, edit)


def minimal(tmp_path: Path, name="book.xlsx", customers=None, sales=None, **more) -> str:
    sheets = {
        "Customers": customers or [["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]],
        "Sales": sales or [["customer_id", "month", "revenue", "gross_profit"], ["C1", "2026-07", 100, 30]],
    }
    sheets.update(more)
    return write(tmp_path / name, sheets)


def messages(data, severity=None):
    return [(p.location(), p.severity, p.message) for p in data.problems
            if severity is None or p.severity == severity]


# -- happy paths --------------------------------------------------------------

def test_english_workbook_with_title_rows(tmp_path):
    path = write(tmp_path / "en.xlsx", {
        "Customers": [
            ["Key accounts 2026"],                 # title row
            [],                                    # blank row
            EN_CUSTOMERS,
            ["C001", " Acme Ltd ", "Wang", "2020-03-01", "yes", "1.2万", "8%", 4, "Preferred supplier", "**vip**"],
            [1002, "Beta", None, datetime(2019, 1, 5), "否", "¥1,234", 0.05, "5", "partner", None],
            [None, None, None, None, None, None, None, None, None, None],   # fully blank: skipped
        ],
        "Sales": [["Customer ID", "Month", "Revenue", "Gross-Profit", "Overdue_Amount"],
                  ["C001", "2026年7月", "3亿", "1.2万", 0],
                  ["1002", date(2026, 8, 20), -300, None, None]],
    })
    data = read_workbooks([path])
    assert not data.problems, messages(data)
    assert data.language == "en" and data.has_gross_profit
    a, b = data.customers
    assert (a.customer_id, a.name, a.account_manager, a.since) == ("C001", "Acme Ltd", "Wang", date(2020, 3, 1))
    assert a.long_term_agreement is True and b.long_term_agreement is False
    assert a.market_size == 12000.0 and b.market_size == 1234.0          # 1.2 × 10 000; ¥1,234
    assert a.market_growth == pytest.approx(0.08) and b.market_growth == 0.05
    assert (a.strategic_fit, b.strategic_fit) == (4, 5)
    assert (a.relationship_type, b.relationship_type) == ("preferred_supplier", "partner")
    assert a.notes == "**vip**" and a.loc == Loc(path, "Customers", 4)
    assert b.customer_id == "1002" and b.since == date(2019, 1, 5)
    s1, s2 = data.sales
    assert (s1.month, s1.revenue, s1.gross_profit, s1.overdue_amount) == (date(2026, 7, 1), 3e8, 12000.0, 0.0)
    assert (s2.customer_id, s2.month, s2.revenue, s2.gross_profit) == ("1002", date(2026, 8, 1), -300.0, None)
    assert data.rows["Customers"].read == 2 and data.rows["Customers"].accepted == 2
    assert data.rows["Sales"].read == 2 and data.rows["Sales"].rejected == 0


def test_chinese_headers_set_the_language(tmp_path):
    path = write(tmp_path / "zh.xlsx", {
        "客户": [ZH_CUSTOMERS, ["K1", "甲公司", "李经理", "2021年5月1日", "是", "3亿", "12%", 3, "战略联盟", None]],
        "销售": [["客户编号", "月份", "销售额"], ["K1", "2026/7", "1,000"]],
        "活动": [["客户编号", "日期", "类型", "时长"], ["K1", "2026.7.15", "拜访", None],
                 ["K1", "2026-07-16", "Complaint", "30"]],
        "联系人": [["客户编号", "姓名", "角色", "态度", "影响力", "生日"],
                   ["K1", "张三", "决策者", "支持", 5, "7月15日"], ["K1", "李四", "user", "Neutral", None, "1980-02-29"]],
        "满意度": [["客户编号", "日期", "满意度", "推荐意愿"], ["K1", "2026-07-01", 8.5, 9]],
        "行动计划": [["客户编号", "目标", "行动", "截止日期", "状态"], ["K1", "增长", "拜访总经理", "2026-09-30", None],
                     ["K1", "增长", "培训", None, "已完成"]],
        "竞争对手": [["客户编号", "竞争对手", "份额"], ["K1", "对手公司", "30%"]],
        "设置": [["键", "值"], ["company", "示例公司"], ["abc_a_cut", 0.7], ["mail_to", None]],
    })
    data = read_workbooks([path])
    assert data.language == "zh"
    assert [p for p in data.problems if p.severity != "warning"] == []
    # No gross_profit column anywhere: one warning, and the flag.
    assert not data.has_gross_profit
    assert messages(data) == [(f"{path}:销售", "warning", "所有销售表都没有“毛利”（gross_profit）列；ABC 分类改按销售额计算")]
    c = data.customers[0]
    assert (c.since, c.long_term_agreement, c.market_size, c.market_growth, c.relationship_type) == \
        (date(2021, 5, 1), True, 3e8, pytest.approx(0.12), "strategic_alliance")
    assert data.sales[0].month == date(2026, 7, 1) and data.sales[0].revenue == 1000.0
    v, comp = data.activities
    assert (v.date, v.type, v.minutes) == (date(2026, 7, 15), "visit", 0.0)     # blank minutes = 0
    assert (comp.type, comp.minutes) == ("complaint", 30.0)
    z, li = data.contacts
    assert (z.role, z.attitude, z.influence, z.birthday) == ("decision_maker", "supporter", 5, Birthday(7, 15))
    assert (li.role, li.attitude, li.birthday) == ("user", "neutral", Birthday(2, 29, 1980))
    assert data.surveys[0].score == 8.5 and data.surveys[0].nps == 9
    p1, p2 = data.plans
    assert (p1.status, p1.due) == ("open", date(2026, 9, 30)) and p2.status == "done"   # blank = open
    assert data.competitors[0].share == pytest.approx(0.30)
    assert [(k, v) for k, v, _ in data.settings] == [("company", "示例公司"), ("abc_a_cut", "0.7"), ("mail_to", "")]
    assert data.settings[0][2] == Loc(path, "设置", 2, "B")     # the value cell
    assert set(data.rows) == {"Customers", "Sales", "Activities", "Contacts", "Surveys", "Plans",
                              "Competitors", "Settings"}
    assert all(c.read == c.accepted + c.rejected for c in data.rows.values())


def test_lang_argument_overrides_the_headers(tmp_path):
    path = write(tmp_path / "zh.xlsx", {"客户": [["客户编号", "客户名称"], ["K1", "甲"]],
                                        "销售": [["客户编号", "月份", "销售额"], ["K1", "2026-07", "abc"]]})
    zh = read_workbooks([path])
    en = read_workbooks([path], lang="en")
    assert zh.language == "zh" and en.language == "en"
    assert [p.message for p in zh.problems if p.severity == "error"] == [
        "销售额“abc”不是数字；可写作 1234.5、1,234.5、¥1,234、-300、(300)、1.2万、3亿 或 12.5K（该行未采用）"]
    assert [p.message for p in en.problems if p.severity == "error"] == [
        '销售额 "abc" is not a number; write e.g. 1234.5, 1,234.5, ¥1,234, -300, (300), 1.2万, 3亿 or 12.5K (row rejected)']


def test_bilingual_and_loose_headers(tmp_path):
    path = minimal(tmp_path, customers=[["客户编号 / Customer ID", "Customer\nName", "  ACCOUNT-MANAGER "],
                                        ["C1", "Acme", "Wang"]])
    data = read_workbooks([path])
    assert data.customers[0].account_manager == "Wang"
    assert not [p for p in data.problems if p.sheet == "Customers"]


def test_header_row_is_the_first_with_all_required_columns(tmp_path):
    # Row 2 mentions customer_id only (a note); row 3 has both required columns.
    path = minimal(tmp_path, customers=[["Customer list"], ["customer_id", "see below"], ["customer_id", "name"],
                                        ["C1", "Acme"]])
    data = read_workbooks([path])
    assert [c.loc.row for c in data.customers] == [4]
    assert data.rows["Customers"].read == 1


def test_several_workbooks_are_concatenated_in_order(tmp_path):
    crm = write(tmp_path / "crm.xlsx", {"Customers": [["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]]})
    s1 = write(tmp_path / "s1.xlsx", {"Sales": [["customer_id", "month", "revenue"], ["C1", "2026-07", 1]]})
    s2 = write(tmp_path / "s2.xlsx", {"Sales": [["customer_id", "month", "revenue"], ["C2", "2026-07", 2],
                                                ["C3", "2026-07", 3]],
                                      "Customers": [["customer_id", "name"], ["C1", "Acme again"]]})
    data = read_workbooks([crm, s1, s2])
    assert [(s.customer_id, s.loc.file) for s in data.sales] == [("C1", s1), ("C2", s2)]
    assert [c.name for c in data.customers] == ["Acme", "Beta"]
    assert [(p.location(), p.severity) for p in data.problems] == [
        (f"{s1}:Sales", "warning"),           # no gross_profit column in any Sales sheet
        (f"{s2}:Sales!A3", "error"),          # C3 is in no Customers sheet
        (f"{s2}:Customers!A2", "error"),      # C1 already in crm.xlsx: the first is kept
    ]
    dup = data.problems[2]
    assert f"{crm}:Customers!A2" in dup.message and dup.value == "C1"
    assert data.rows["Customers"] .read == 3 and data.rows["Customers"].rejected == 1
    assert data.rows["Sales"].read == 3 and data.rows["Sales"].accepted == 2 and data.rows["Sales"].rejected == 1
    assert [i.path for i in data.inputs] == [crm, s1, s2]
    assert data.inputs[0].sha256 == hashlib.sha256(Path(crm).read_bytes()).hexdigest()


def test_merged_cells_in_header_and_body(tmp_path):
    # Header: a title merged across A1:C1, "revenue" merged over C2:D2.
    # Body: customer_id merged down A3:A5 (one customer, three months).
    path = write(tmp_path / "m.xlsx", {
        "Customers": [["customer_id", "name"], ["C1", "Acme"]],
        "Sales": [["Sales 2026", None, None, None],
                  ["customer_id", "month", "revenue", None],
                  ["C1", "2026-07", 10, None], [None, "2026-08", 20, None], [None, "2026-09", 30, None]],
    }, merges={"Sales": ["A1:C1", "C2:D2", "A3:A5"]})
    data = read_workbooks([path])
    assert [(s.customer_id, s.month.month, s.revenue) for s in data.sales] == [("C1", 7, 10), ("C1", 8, 20),
                                                                               ("C1", 9, 30)]
    assert data.rows["Sales"].read == 3


def test_formula_with_cached_value_uses_it(tmp_path):
    path = minimal(tmp_path, sales=[["customer_id", "month", "revenue"], ["C1", "2026-07", "=100+23"]])
    set_cell_xml(path, "xl/worksheets/sheet2.xml", "C2", '<c r="C2"><f>100+23</f><v>123</v></c>')
    data = read_workbooks([path])
    assert data.sales[0].revenue == 123.0
    assert not [p for p in data.problems if p.severity == "error"]


def test_formula_without_cached_value_is_a_bad_value(tmp_path):
    # openpyxl writes formulas without a cached value, as here.
    path = minimal(tmp_path, sales=[["customer_id", "month", "revenue", "gross_profit"],
                                    ["C1", "2026-07", "=SUM(1,2)", 1], ["C1", "2026-08", 5, "=C3*0.3"]])
    data = read_workbooks([path])
    errs = [(p.location(), p.severity, p.value) for p in data.problems]
    # The only gross_profit value is in the rejected row: no value anywhere
    # is the same as no column (SPEC §1), one warning at the header.
    assert errs == [(f"{path}:Sales!D1", "warning", "gross_profit"),
                    (f"{path}:Sales!C2", "error", "=SUM(1,2)"), (f"{path}:Sales!D3", "warning", "=C3*0.3")]
    assert [(s.month.month, s.gross_profit) for s in data.sales] == [(8, None)]
    assert data.rows["Sales"].read == 2 and data.rows["Sales"].rejected == 1


def test_error_cells_are_bad_values_not_blanks(tmp_path):
    path = minimal(tmp_path, sales=[["customer_id", "month", "revenue", "gross_profit"],
                                    ["C1", "2026-07", 1, 2], ["C2", "2026-07", 3, 4]])
    part = "xl/worksheets/sheet2.xml"
    set_cell_xml(path, part, "C2", '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    set_cell_xml(path, part, "D3", '<c r="D3" t="e"><v>#N/A</v></c>')
    data = read_workbooks([path], lang="en")
    got = [(p.location(), p.severity, p.value, p.message) for p in data.problems if p.row != 1]
    assert got == [
        (f"{path}:Sales!C2", "error", "#DIV/0!",
         "revenue holds the Excel error #DIV/0!; fix the formula or type the value (row rejected)"),
        (f"{path}:Sales!D3", "warning", "#N/A",
         "gross_profit holds the Excel error #N/A; fix the formula or type the value (left blank)"),
    ]
    assert [(s.customer_id, s.gross_profit) for s in data.sales] == [("C2", None)]


def test_1904_workbook_dates(tmp_path):
    path = write(tmp_path / "mac.xlsx", {
        "Customers": [["customer_id", "name", "since", "contract_end"], ["C1", "Acme", date(2020, 3, 1), 44756]],
        "Sales": [["customer_id", "month", "revenue"], ["C1", date(2026, 7, 1), 1]],
    }, epoch=CALENDAR_MAC_1904)
    data = read_workbooks([path])
    c = data.customers[0]
    assert c.since == date(2020, 3, 1)
    # A bare serial in a 1904 workbook counts from 1904-01-01: 44756 -> 2026-07-15.
    assert c.contract_end == date(2026, 7, 15)
    assert data.sales[0].month == date(2026, 7, 1)


def test_date_serial_without_date_format(tmp_path):
    path = minimal(tmp_path, customers=[["customer_id", "name", "since"], ["C1", "Acme", 46218]])
    assert read_workbooks([path]).customers[0].since == date(2026, 7, 15)


def test_unknown_columns_are_one_info_line_per_sheet(tmp_path):
    # SPEC v1.1: one info line per sheet names them all (v1: a warning each).
    path = minimal(tmp_path, customers=[["customer_id", "name", "colour", "colour2"], ["C1", "Acme", "red", "x"],
                                        ["C2", "Beta", "blue", "y"]])
    data = read_workbooks([path], lang="en")
    got = [(p.location(), p.severity, p.value) for p in data.problems]
    assert got == [(f"{path}:Customers!C1", "info", "colour, colour2")]
    assert "colour, colour2" in data.problems[0].message
    assert len(data.customers) == 2


def test_whitespace_only_rows_are_blank(tmp_path):
    path = minimal(tmp_path, customers=[["customer_id", "name"], ["C1", "Acme"], ["  ", " \t"], ["C2", "Beta"]])
    data = read_workbooks([path])
    assert data.rows["Customers"].read == 2 and len(data.customers) == 2


def test_generated_row_reader_matches_dataclass_init(tmp_path):
    # Records are built without __init__ for speed; they must be equal to,
    # hash like and pickle like the ones __init__ builds.
    import pickle
    from kamreport.model import Activity
    path = minimal(tmp_path, Activities=[["customer_id", "date", "type"], ["C1", "2026-07-01", "visit"]])
    a = read_workbooks([path]).activities[0]
    b = Activity("C1", date(2026, 7, 1), "visit", Loc(path, "Activities", 2))
    assert a == b and hash(a) == hash(b) and pickle.loads(pickle.dumps(a)) == b and repr(a) == repr(b)


def test_formula_without_value_outside_the_valued_rectangle(tmp_path):
    # The only cell of row 3 is a formula with no value, left of and below
    # every valued cell: calamine's rectangle (B1:C2) excludes it. The
    # reader must still see row 3 (not blank, so read) and reject it for
    # its blank customer_id, rather than drop it.
    path = write(tmp_path / "f.xlsx", {
        "Customers": [[None, "customer_id", "name"], [None, "C1", "Acme"]],
        "Sales": [["customer_id", "month", "revenue"], ["C1", "2026-07", 1]],
    })
    set_cell_xml(path, "xl/worksheets/sheet1.xml", "C2",
                 '<c r="C2" t="inlineStr"><is><t>Acme</t></is></c></row><row r="3"><c r="A3"><f>B2</f></c>')
    data = read_workbooks([path], lang="en")
    assert [(p.location(), p.severity) for p in data.problems] == [(f"{path}:Customers!B3", "error"),
                                                                   (f"{path}:Customers!C3", "error"),
                                                                   (f"{path}:Sales", "warning")]
    assert data.rows["Customers"].read == 2 and data.rows["Customers"].rejected == 1


def test_error_cells_found_when_the_xml_is_too_big_to_keep(tmp_path, monkeypatch):
    # Past KEEP_BYTES the error-cell search runs during the extent pass
    # instead of beside calamine; the result must be the same.
    from kamreport.inputs import xlsx
    monkeypatch.setattr(xlsx, "KEEP_BYTES", 0)
    path = minimal(tmp_path, sales=[["customer_id", "month", "revenue"], ["C1", "2026-07", 1], ["C1", "2026-08", 2]])
    set_cell_xml(path, "xl/worksheets/sheet2.xml", "C3", '<c r="C3" t="e"><v>#REF!</v></c>')
    data = read_workbooks([path], lang="en")
    assert [(p.location(), p.value) for p in data.problems if p.severity == "error"] == [(f"{path}:Sales!C3", "#REF!")]
    assert data.rows["Sales"].rejected == 1


def test_records_built_ahead_and_beyond_are_alike(tmp_path):
    # Records of the rows the extent pass saw are built while calamine
    # parses (_prebuild_records, bounded by the sheet's XML size); a row
    # far below them gets one built in the row loop. Both must equal
    # __init__'s, with every slot filled (an unset slot raises on reading).
    from kamreport.model import Activity
    rows = [["customer_id", "date", "type", "minutes"], ["C1", "2026-07-01", "visit", None],
            [None, "2026-07-02", "visit", 5]] + [[None]] * 3000 + [["C2", "2026-07-03", "call", 7]]
    path = minimal(tmp_path, customers=[["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]],
                   Activities=rows)
    data = read_workbooks([path], lang="en")
    got = data.activities
    want = (Activity("C1", date(2026, 7, 1), "visit", Loc(path, "Activities", 2)),
            Activity("C2", date(2026, 7, 3), "call", Loc(path, "Activities", 3004), minutes=7.0))
    assert got == want
    for a in got:
        assert not hasattr(a, "__dict__") and not hasattr(a.loc, "__dict__")
        assert [getattr(a, f.name) for f in fields(a)] and [getattr(a.loc, f.name) for f in fields(a.loc)]
    assert data.rows["Activities"].read == 3 and data.rows["Activities"].rejected == 1
