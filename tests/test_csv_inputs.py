"""CSV and TSV inputs (SPEC §1.5 "CSV"): encodings, separators, decimal commas."""
from __future__ import annotations

from kamreport.inputs.read import read_workbooks

CUSTOMERS = "客户编号,客户名称\nKH1,甲公司\nKH2,乙公司\n"


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_gbk_semicolon_csv_with_decimal_commas(tmp_path):
    c = _write(tmp_path / "客户.csv", CUSTOMERS, "gbk")
    s = _write(tmp_path / "销售.csv", "客户编号;月份;销售额\nKH1;2026-07;1.234,56\nKH2;2026-08;12,5\n", "gbk")
    data = read_workbooks([c, s])
    assert not data.fatal, data.problems
    assert sorted((x.customer_id, x.revenue) for x in data.sales) == [("KH1", 1234.56), ("KH2", 12.5)]
    assert data.language == "zh"


def test_utf8_bom_tab_separated_recognised_by_headers(tmp_path):
    c = _write(tmp_path / "export1.tsv", "\ufeffcustomer_id\tname\tindustry\nC1\tAcme\tRetail\n")
    s = _write(tmp_path / "export2.tsv", "customer_id\tmonth\trevenue\nC1\t2026-07\t1,234.5\n")
    data = read_workbooks([c, s])
    assert not data.fatal, data.problems
    assert [(x.customer_id, x.revenue) for x in data.sales] == [("C1", 1234.5)]


def test_a_csv_whose_headers_fit_customers_and_contacts_alike_is_fatal_like_a_sheet(tmp_path):
    """SPEC §1.5: Customers and Contacts share their required columns; with
    nothing else to tell them apart a fatal problem asks for a Columns entry
    — for a CSV file exactly as for a sheet."""
    from tests.workbooks import write
    c = _write(tmp_path / "export1.csv", "customer_id,name\nC1,Acme\n")
    x = write(tmp_path / "export.xlsx", {"Export": [["customer_id", "name"], ["C1", "Acme"]]})
    for path in (c, x):
        data = read_workbooks([path])
        fatal = [p for p in data.problems if p.severity == "fatal"]
        assert fatal and "Customers" in fatal[0].message and "Contacts" in fatal[0].message, data.problems


def test_a_file_mixing_decimal_forms_is_never_guessed(tmp_path):
    c = _write(tmp_path / "customers.csv", "customer_id,name\nC1,Acme\n")
    s = _write(tmp_path / "sales.csv", 'customer_id;month;revenue\nC1;2026-07;1.5\nC1;2026-08;"2,5"\n')
    data = read_workbooks([c, s])
    assert [x.revenue for x in data.sales] == [1.5]
    [p] = [p for p in data.problems if p.severity == "error"]
    assert (p.sheet, p.row, p.column, p.value) == ("sales", 3, "C", "2,5")
