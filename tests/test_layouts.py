"""SPEC §1.5 layouts: totals, subtotals, footers, pivot pastes; loose ids and
matching by name — figures checked against sums done by hand."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from kamreport.inputs.read import read_workbooks
from tests.workbooks import write

CUSTOMERS = [["客户编号", "客户名称"], ["KH0001", "华东甲"], ["KH0002", "华东乙"], ["000101", "华南丙"]]


def _revenue(data):
    out: dict[str, float] = {}
    for s in data.sales:
        out[s.customer_id] = out.get(s.customer_id, 0) + s.revenue
    return out


def test_erp_subtotals_and_footers_are_skipped_and_counted(tmp_path):
    path = write(tmp_path / "erp.xlsx", {"客户": CUSTOMERS, "销售明细": [
        ["销售明细表"], ["客户编号", "月份", "销售额", "产品"],
        ["KH0001", "2026-07", 100, "A"], ["KH0001", "2026-08", 50, "B"], ["KH0001", "", 150, "KH0001 汇总"],
        ["KH0002", "2026-07", 30, "A"], ["华东 小计", None, 180, None], ["合计", None, 180, None],
        ["制表人：张三", None, None, None], ["审核：李四", None, None, None]]})
    data = read_workbooks([path], lang="en")
    assert not data.fatal and _revenue(data) == {"KH0001": 150.0, "KH0002": 30.0}
    c = data.rows["Sales"]
    # 8 data rows: 3 sales, the KH0001 汇总 row, 华东 小计, 合计 and two footer lines.
    assert (c.read, c.accepted, c.rejected, c.skipped) == (8, 3, 0, 5)
    assert not [p for p in data.problems if p.severity == "error"]


def test_pivot_paste_is_filled_down_within_its_group(tmp_path):
    path = write(tmp_path / "pivot.xlsx", {"客户": CUSTOMERS, "销售": [
        ["客户编号", "月份", "销售额"],
        ["KH0001", "2026-07", 10], [None, "2026-08", 20], [None, "2026-09", 30], ["KH0001 汇总", None, 60],
        ["KH0002", "2026-07", 5], [None, "2026-08", 6], ["KH0002 汇总", None, 11], ["总计", None, 71]]})
    data = read_workbooks([path], lang="en")
    assert _revenue(data) == {"KH0001": 60.0, "KH0002": 11.0}
    assert any("pivot" in p.message for p in data.problems if p.severity == "info")


def test_blank_ids_without_a_pivot_total_are_not_filled(tmp_path):
    path = write(tmp_path / "gaps.xlsx", {"客户": CUSTOMERS, "销售": [
        ["客户编号", "月份", "销售额"], ["KH0001", "2026-07", 10], [None, "2026-08", 20]]})
    data = read_workbooks([path], lang="en")
    assert _revenue(data) == {"KH0001": 10.0}
    assert [(p.row, p.severity) for p in data.problems if p.severity == "error"] == [(3, "error")]


def test_a_customer_named_like_total_energies_is_not_a_total(tmp_path):
    path = write(tmp_path / "te.xlsx", {"Customers": [["customer_id", "name"], ["C1", "TotalEnergies"]],
                                        "Sales": [["customer_id", "month", "revenue"], ["C1", "2026-07", 7]]})
    data = read_workbooks([path], lang="en")
    assert len(data.customers) == 1 and _revenue(data) == {"C1": 7.0}


def test_loose_ids_match_when_exactly_one_customer_fits(tmp_path):
    path = write(tmp_path / "loose.xlsx", {"客户": CUSTOMERS, "销售": [
        ["客户编号", "月份", "销售额"], ["KH-0001", "2026-07", 1], ["kh 0002", "2026-07", 2], [101, "2026-07", 3],
        ["KH0009", "2026-07", 4]]})
    data = read_workbooks([path], lang="en")
    assert _revenue(data) == {"KH0001": 1.0, "KH0002": 2.0, "000101": 3.0}
    warnings = [p for p in data.problems if p.severity == "warning" and p.sheet == "销售" and p.row]
    assert len(warnings) == 1 and "KH-0001 → KH0001" in warnings[0].message
    [err] = [p for p in data.problems if p.severity == "error"]
    assert err.value == "KH0009" and "did you mean" in err.message and "KH0001" in err.message


def test_two_candidates_are_an_error_listing_them(tmp_path):
    path = write(tmp_path / "two.xlsx", {"客户": [["客户编号", "客户名称"], ["KH-01", "甲"], ["KH_01", "乙"]],
                                         "销售": [["客户编号", "月份", "销售额"], ["KH01", "2026-07", 1]]})
    data = read_workbooks([path], lang="en")
    [err] = [p for p in data.problems if p.severity == "error"]
    assert "KH-01" in err.message and "KH_01" in err.message and data.sales == ()


def test_sheets_without_ids_match_by_name(tmp_path):
    path = write(tmp_path / "names.xlsx", {
        "客户名单": [["客户名称", "行业"], ["华为", "通信"], ["中兴", "通信"]],
        "销售数据2026": [["单位名称", "年月", "销售收入"], ["华为", "2026-07", 10], ["ＺＴＥ", "2026-07", 5],
                       ["中兴", "2026-08", 3]],
        "拜访记录": [["客户名称", "拜访日期"], ["华为", "2026-07-03"]]})
    data = read_workbooks([path], lang="en")
    assert {c.customer_id for c in data.customers} == {"华为", "中兴"}
    assert _revenue(data) == {"华为": 10.0, "中兴": 3.0}
    assert [(a.customer_id, a.type) for a in data.activities] == [("华为", "visit")]
    [err] = [p for p in data.problems if p.severity == "error"]
    assert err.value == "ＺＴＥ"


def test_columns_sheet_maps_sheet_kind_columns_units_and_values(tmp_path):
    path = write(tmp_path / "mapped.xlsx", {
        "Sheet1": [["Acct #", "Acct"], ["A1", "Acme"], ["A2", "Beta"]],
        "Sheet2": [["Acct #", "Period", "Rev (USD k)", "Colour"], ["A1", "2026-07", 1.5, "red"], ["A2", "2026-08", 2, "x"]],
        "Sheet3": [["Acct #", "When", "How"], ["A1", "2026-07-02", "微信沟通"]],
        "Settings": [["key", "value"], ["fx_USD", 7]],
        "列映射": [["sheet", "column", "field", "unit", "value", "means"],
                  ["Sheet1", "", "Customers", "", "", ""], ["Sheet2", "", "Sales", "", "", ""],
                  ["Sheet3", "", "Activities", "", "", ""],
                  ["", "Acct #", "customer_id", "", "", ""], ["Sheet1", "Acct", "name", "", "", ""],
                  ["Sheet2", "Period", "month", "", "", ""], ["Sheet2", "Rev (USD k)", "revenue", "k USD", "", ""],
                  ["Sheet2", "Colour", "ignore", "", "", ""],
                  ["Sheet3", "When", "date", "", "", ""], ["Sheet3", "How", "type", "", "", ""],
                  ["Sheet3", "How", "", "", "微信沟通", "call"], ["", "Nowhere", "region", "", "", ""]]})
    data = read_workbooks([path], lang="en")
    assert not data.fatal, [p.message for p in data.problems]
    assert _revenue(data) == {"A1": 1.5 * 1000 * 7, "A2": 2 * 1000 * 7}
    assert [(a.customer_id, a.type) for a in data.activities] == [("A1", "call")]
    unused = [p for p in data.problems if p.severity == "warning" and "Nowhere" in p.value]
    assert len(unused) == 1


def test_map_file_serves_every_export_and_wins_over_the_sheet(tmp_path):
    book = write(tmp_path / "crm.xlsx", {
        "Accounts": [["Account ID", "Account Name"], ["001A", "Acme"]],
        "Opportunities": [["Account ID", "Close Date", "Amount", "Stage"], ["001A", "2026-07-15", 100, "Closed Won"],
                          ["001A", "2026-08-15", 900, "Negotiation"], ["001A", "2026-09-15", 50, "Closed Won"]],
        "Columns": [["column", "field", "unit"], ["Amount", "revenue", "元"]]})
    mp = tmp_path / "map.csv"
    mp.write_text("column,field,unit\nAmount,revenue,k\n", encoding="utf-8")
    data = read_workbooks([book], lang="en", map_file=str(mp))
    assert _revenue(data) == {"001A": 150_000.0}
    assert data.rows["Sales"].skipped == 1
    assert any(p.severity == "warning" and "--map" in p.message for p in data.problems)


def test_wide_sheet_with_merged_year_gross_profit_block_totals_and_a_title_unit(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户编号", "客户名称"])
    ws.append(["KH1", "甲"])
    ws.append(["KH2", "乙"])
    s = wb.create_sheet("2026年销售月报")
    s.append(["2026年销售月报（单位：万元）"])
    s.append([None, None, "2026年", None, None, None, "毛利", None, None, None])
    s.append(["客户编号", "客户名称", "7月", "8月", "9月", "合计", "7月", "8月", "9月", "合计"])
    s.merge_cells("C2:F2")
    s.merge_cells("G2:J2")
    s.append(["KH1", "甲", 1, 2, "x", 3, 0.5, 0.5, None, 1])
    s.append(["KH2", "乙", None, 4, 5, 9, None, 1, 1, 2])
    s.append(["KH9", "丙", 1, None, None, 1, None, None, None, None])
    s.append(["合计", None, 2, 6, 5, 13, None, None, None, None])
    path = str(tmp_path / "wide.xlsx")
    wb.save(path)
    data = read_workbooks([path], lang="en")
    got = sorted((x.customer_id, x.month.month, x.revenue, x.gross_profit) for x in data.sales)
    assert got == [("KH1", 7, 10000.0, 5000.0), ("KH1", 8, 20000.0, 5000.0),
                   ("KH2", 8, 40000.0, 10000.0), ("KH2", 9, 50000.0, 10000.0)]
    c = data.rows["Sales"]
    # Source rows: KH1, KH2, KH9 (unknown: rejected once, not per month) and the 合计 row (skipped).
    assert (c.read, c.accepted, c.rejected, c.skipped) == (4, 2, 1, 1)
    errors = [(p.location(), p.value) for p in data.problems if p.severity == "error"]
    assert errors == [(f"{path}:2026年销售月报!E4", "x"), (f"{path}:2026年销售月报!A6", "KH9")]


def test_wide_sheet_with_english_month_headers_and_ytd(tmp_path):
    path = write(tmp_path / "w.xlsx", {
        "Accounts": [["Account ID", "Account Name"], ["A1", "Acme"]],
        "Revenue": [["Account ID", "Jan-26", "Feb-26", "2026/03", "YTD", "Q1"], ["A1", 1, 2, 3, 6, 6]]})
    data = read_workbooks([path], lang="en")
    assert sorted((x.month.month, x.revenue) for x in data.sales) == [(1, 1.0), (2, 2.0), (3, 3.0)]


def test_validate_explains_each_sheet_and_json_says_the_same(tmp_path):
    import json

    from click.testing import CliRunner

    from kamreport.cli import main
    path = write(tmp_path / "v.xlsx", {
        "客户": [["客户编号", "客户名称"], ["KH1", "甲"]],
        "销售数据2026": [["说明"], ["客户编码", "年月", "销售收入（万元）", "单据状态"], ["KH1", 202607, 1.5, ""],
                       ["KH1", 202608, 2, "作废"], ["合计", None, 3.5, None]]})
    r = CliRunner().invoke(main, ["validate", path, "--lang", "en"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert f"{path}:销售数据2026: read as Sales, header row 2, a row per record" in lines
    assert "    C 销售收入（万元） → revenue (unit 万元)" in lines
    assert "  skipped: 1 void, 1 totals/subtotals" in lines
    r = CliRunner().invoke(main, ["validate", path, "--json"])
    got = json.loads(r.output)
    [sales] = [s for s in got["sheets"] if s["kind"] == "Sales"]
    assert sales["header_row"] == 2 and sales["layout"] == "long"
    assert {c["field"]: c["unit"] for c in sales["columns"]}["revenue"] == "万元"
    assert sales["skipped"] == {"void": 1, "totals": 1}
    assert got["rows"]["Sales"] == {"read": 3, "accepted": 1, "rejected": 0, "skipped": 2}


def test_one_flat_crm_export_is_read_as_customers_and_sales(tmp_path):
    path = write(tmp_path / "flat.xlsx", {"商机导出": [
        ["客户编码", "客户名称", "所属行业", "客户经理", "年月", "销售金额"],
        ["KH1", "甲公司", "制造", "王", "2026-07", 100], ["KH1", "甲公司", "制造", "李", "2026-08", 50],
        ["KH2", "乙公司", "零售", "王", "2026-07", 30]]})
    data = read_workbooks([path], lang="en")
    assert not data.fatal, [p.message for p in data.problems]
    assert [(c.customer_id, c.name, c.account_manager) for c in data.customers] == \
        [("KH1", "甲公司", "王"), ("KH2", "乙公司", "王")]
    assert _revenue(data) == {"KH1": 150.0, "KH2": 30.0}
    assert data.rows["Customers"].read == 2 and data.rows["Sales"].read == 3
    [w] = [p for p in data.problems if p.severity == "warning" and p.row]
    assert w.row == 3 and "李" in w.message and "王" in w.message


def test_the_blank_templates_columns_examples_work_once_uncommented(tmp_path):
    # The template's example: 跟进方式 微信 -> call. Uncommented, a visit log uses it.
    path = write(tmp_path / "m.xlsx", {
        "客户": CUSTOMERS,
        "销售": [["客户编号", "月份", "销售额"], ["KH0001", "2026-07", 1]],
        "拜访记录": [["客户编号", "拜访日期", "跟进方式"], ["KH0001", "2026-07-03", "微信"], ["KH0001", "2026-07-04", "飞书"]],
        "列映射": [["sheet", "column", "field", "unit", "value", "means"], ["#", "区域代码", "ignore", "", "", ""],
                  ["", "跟进方式", "type", "", "飞书", "call"]]})
    data = read_workbooks([path], lang="en")
    assert [a.type for a in data.activities] == ["call", "call"]
    assert not [p for p in data.problems if p.severity in ("error", "warning") and p.row]


def test_the_documented_salesforce_mapping_reads_an_export(tmp_path):
    import re
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "synonyms.md").read_text(encoding="utf-8")
    block = re.search(r"### A Salesforce export.*?```csv\n(.*?)```", doc, re.S)[1]
    mp = tmp_path / "salesforce.csv"
    mp.write_text(block, encoding="utf-8")
    accounts = write(tmp_path / "accounts.xlsx", {"Accounts": [
        ["Account ID", "Account Name", "Account Owner"], ["0015g00000AbC", "Acme Ltd", "Ann"]],
        "Settings": [["key", "value"], ["fx_USD", 7.1]]})
    opps = write(tmp_path / "opportunities.xlsx", {"Opportunities": [
        ["Opportunity Name", "Account ID", "Close Date", "Amount", "Stage"],
        ["Renewal", "0015g00000AbC", "2026-07-20", 12.5, "Closed Won"],
        ["Upsell", "0015g00000AbC", "2026-08-03", 40, "Proposal"]]})
    data = read_workbooks([accounts, opps], lang="en", map_file=str(mp))
    assert not data.fatal, [p.message for p in data.problems]
    assert [(c.customer_id, c.name, c.account_manager) for c in data.customers] == [("0015g00000AbC", "Acme Ltd", "Ann")]
    assert [(s.month.month, s.revenue) for s in data.sales] == [(7, 12.5 * 1000 * 7.1)]
    assert data.rows["Sales"].skipped == 1


def _month(m: int) -> str:
    return f"{2025 + m // 12}-{m % 12 + 1:02d}"


def _wide_sales(n_customers: int, months: int, product: bool):
    heads = [_month(m) for m in range(months)]
    rows = [["客户编号", *(["产品"] if product else []), *heads]]
    for i in range(n_customers):
        vals = [float(10 * i + m) if (i + m) % 4 else None for m in range(months)]
        rows.append([f"KH{i:04d}", *([f"P{i % 3}"] if product else []), *vals])
    return rows


def _expected(rows, product: bool):
    out = []
    first = 2 if product else 1
    for r, row in enumerate(rows[1:], start=2):
        for k, v in enumerate(row[first:]):
            if v is not None:
                out.append((row[0], _month(k), v, row[1] if product else None, r))
    return sorted(out)


def test_wide_records_are_whole_sales(tmp_path):
    """A wide Sales sheet's records are made from zip()s of their fields
    (read._sales): every record is a whole Sale — customer, month, revenue,
    product and source row as in the cells, the other fields None — equal
    to the one its constructor builds, with and without a product column."""
    from kamreport.model import Loc, Sale
    customers = [["客户编号", "客户名称"]] + [[f"KH{i:04d}", f"客户{i}"] for i in range(30)]
    for product in (False, True):
        sales = _wide_sales(30, 30, product)
        path = write(tmp_path / f"wide{product}.xlsx", {"客户": customers, "销售": sales})
        data = read_workbooks([path], lang="en")
        assert not data.fatal
        got = sorted((s.customer_id, f"{s.month:%Y-%m}", s.revenue, s.product, s.loc.row) for s in data.sales)
        assert got == _expected(sales, product)
        for s in data.sales:
            assert type(s) is Sale and len(s) == len(Sale._fields)
            assert s == Sale(s.customer_id, s.month, s.revenue, Loc(s.loc.file, s.loc.sheet, s.loc.row, ""),
                             product=s.product)


# Month cells of every kind a team's sheet holds: floats, blanks, text
# numbers, typos, booleans, figures out of range, "nan" typed in.
_CELLS = (None, 0.0, 12.5, -3.25, 7, 1e16, -1e16, True, "", " ", "1,234", "12,3x", "(500)", "1.5万", "nan")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(_CELLS), min_size=3, max_size=3), min_size=1, max_size=5),
       st.integers(min_value=0, max_value=2))
def test_a_simple_wide_sheet_reads_each_month_cell_as_its_parser_does(tmp_path, grid, blank_row):
    """The sheet-at-a-time read of a simple wide layout (read._simple_sales)
    and its cell-by-cell fallback give what the revenue parser gives for
    each cell, in row then month order, and a problem at every cell it
    refuses — whatever mix of values the sheet holds."""
    from kamreport.inputs import schema, values
    from kamreport.inputs.values import BadValue
    parse = values.parser_for(schema.SALES.column("revenue"), ctx=values.Context(), unit=None)
    customers = [["客户编号", "客户名称"]] + [[f"KH{i:04d}", f"客户{i}"] for i in range(len(grid))]
    sales = [["客户编号", *(_month(m) for m in range(3))]]
    sales += [[f"KH{i:04d}", *row] for i, row in enumerate(grid)]
    sales.insert(1 + min(blank_row, len(grid)), [None, None, None, None])
    path = write(tmp_path / "mixed.xlsx", {"客户": customers, "销售": sales})
    expected, refused = [], []
    for r, row in enumerate(sales[1:], start=2):
        for m, v in enumerate(row[1:]):
            if v is None or v == "":
                continue
            try:
                x = parse(v)
            except BadValue:
                refused.append((r, "BCD"[m]))
                continue
            if x is not None:
                expected.append((row[0], _month(m), x, r))
    data = read_workbooks([path], lang="en")
    assert not data.fatal
    assert [(s.customer_id, f"{s.month:%Y-%m}", s.revenue, s.loc.row) for s in data.sales] == expected
    got_refused = [(p.row, p.column) for p in data.problems if p.sheet == "销售" and p.severity == "error"]
    assert sorted(got_refused) == sorted(refused)


def test_a_misspelt_id_header_in_customers_is_fatal_not_names_as_ids(tmp_path):
    """A Customers sheet without ids takes the names as ids (SPEC §1.5) —
    but not when a header beside the name is a misspelt id column: that
    would reject every Sales row as an unknown customer."""
    sales = [["customer_id", "month", "revenue"], ["C1", "2026-07", 5]]
    for header, fatal in (("Custmer ID", True), ("客户编吗", True), ("Acount ID", True),
                          ("Customer Type", False), ("客户类型", False), ("Region", False)):
        path = write(tmp_path / "mis.xlsx", {"Customers": [[header, "name"], ["C1", "Acme"]], "Sales": sales})
        data = read_workbooks([path], lang="en")
        found = [p for p in data.problems if p.severity == "fatal"]
        assert bool(found) is fatal, (header, data.problems)
        if fatal:
            assert f'"{header}"' in found[0].message and found[0].column == "A" and found[0].row == 1


def test_a_wide_gross_profit_without_revenue_is_a_warning_at_its_cell(tmp_path):
    path = write(tmp_path / "gp.xlsx", {
        "客户": [["客户编号", "客户名称"], ["KH1", "甲"]],
        "销售": [[None, "2026年", None, "毛利", None], ["客户编号", "7月", "8月", "7月", "8月"],
                 ["KH1", None, 20, 3, 4]]})
    data = read_workbooks([path], lang="en")
    assert [(x.month.month, x.revenue, x.gross_profit) for x in data.sales] == [(8, 20.0, 4.0)]
    warned = [p for p in data.problems if p.severity == "warning" and "gross profit" in p.message]
    assert [(p.column, p.row, p.value) for p in warned] == [("D", 3, "3")], data.problems


def test_month_columns_without_a_year_are_refused_saying_where_the_year_goes(tmp_path):
    for header in (["客户编号", "7月", "8月", "9月"], ["Account ID", "Jul", "Aug", "Sep"]):
        path = write(tmp_path / "ny.xlsx", {"客户": CUSTOMERS, "销售": [header, ["KH0001", 1, 2, 3]]})
        data = read_workbooks([path], lang="en")
        fatal = [p for p in data.problems if p.severity == "fatal"]
        assert len(fatal) == 1 and "have no year" in fatal[0].message and header[1] in fatal[0].message
        assert not data.sales
