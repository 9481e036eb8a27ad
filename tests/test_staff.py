"""The Staff / 员工 sheet (SPEC §6 "Manager packs"): name, email, team, read
by the rules of §1 (names, synonyms, problems at their cells)."""
from kamreport.inputs import values
from kamreport.inputs.read import read_workbooks

from workbooks import write

CUSTOMERS = [["customer_id", "name", "account_manager"], ["C1", "Acme", "Li Wei"], ["C2", "Beta", "Wang Fang"]]
SALES = [["customer_id", "month", "revenue"], ["C1", "2026-07", 100], ["C2", "2026-07", 50]]


def _read(tmp_path, staff_name, rows):
    path = write(tmp_path / "b.xlsx", {"Customers": CUSTOMERS, "Sales": SALES, staff_name: rows})
    return read_workbooks([path], lang="en")


def test_staff_sheet_by_synonyms(tmp_path):
    data = _read(tmp_path, "团队成员", [["员工姓名", "电子邮件", "部门"],
                                       ["Li Wei", "li.wei@example.com", "East"], ["Wang Fang", None, "South"]])
    assert [(s.name, s.email, s.team) for s in data.staff] == [
        ("Li Wei", "li.wei@example.com", "East"), ("Wang Fang", None, "South")]
    assert data.rows["Staff"].read == 2 and data.rows["Staff"].accepted == 2
    assert not [p for p in data.problems if p.severity in ("error", "fatal")]


def test_staff_english_names_and_title_rows(tmp_path):
    data = _read(tmp_path, "Sales Reps", [["Our team"], [], ["Full Name", "E-mail", "Department"],
                                          ["Li Wei", "li.wei@example.com", "East"]])
    assert [s.name for s in data.staff] == ["Li Wei"]
    assert data.staff[0].loc.row == 4


def test_bad_email_and_duplicate_name_are_errors_at_their_cells(tmp_path):
    data = _read(tmp_path, "Staff", [["name", "email", "team"],
                                     ["Li Wei", "li.wei@example.com", "East"],
                                     ["Wang Fang", "wang fang@example", "South"],
                                     ["ＬＩ  wei", "other@example.com", "North"]])
    assert [s.name for s in data.staff] == ["Li Wei"]
    errors = [p for p in data.problems if p.severity == "error"]
    assert [p.location() for p in errors] == [f"{tmp_path / 'b.xlsx'}:Staff!B3", f"{tmp_path / 'b.xlsx'}:Staff!A4"]
    assert "not an email address" in errors[0].message and "rejected" in errors[0].message
    assert "Staff!A2" in errors[1].message
    assert data.rows["Staff"].read == 3 and data.rows["Staff"].rejected == 2


def test_missing_name_column_is_fatal(tmp_path):
    data = _read(tmp_path, "Staff", [["email", "team"], ["li.wei@example.com", "East"]])
    assert data.fatal
    assert any(p.sheet == "Staff" and "name" in p.message for p in data.problems)


def test_a_name_column_alone_does_not_make_a_sheet_staff(tmp_path):
    data = _read(tmp_path, "Sheet7", [["name", "email"], ["Li Wei", "li.wei@example.com"]])
    assert data.staff == ()


def test_fold_name():
    assert values.fold_name("ＬＩ\u00a0 Wei\u200b") == values.fold_name("li wei")
    assert values.fold_name("王\u3000芳") == values.fold_name("王芳") != values.fold_name("王方")
