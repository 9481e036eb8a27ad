"""`kamreport validate` through Click's CliRunner (SPEC §7)."""
from __future__ import annotations


from click.testing import CliRunner

from workbooks import write

from kamreport.cli import main


def run(*args: str):
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def _problem_lines(output: str) -> list[str]:
    """validate's output after its explanation of the sheets (tested in test_layouts)."""
    lines = output.splitlines()
    if lines and (": read as " in lines[0] or "：按“" in lines[0]):
        lines = lines[lines.index("") + 1:]
    return lines


def test_clean_workbook_exits_0_with_row_accounting(tmp_path):
    path = write(tmp_path / "ok.xlsx", {
        "Customers": [["customer_id", "name"], ["C1", "Acme"], ["C2", "Beta"]],
        "Sales": [["customer_id", "month", "revenue", "gross_profit"], ["C1", "2026-07", 10, 2],
                  ["C2", "2026-07", 5, 1]],
    })
    r = run(path)
    assert r.exit_code == 0
    assert _problem_lines(r.output) == [
        "Customers: read 2, accepted 2, rejected 0",
        "Sales: read 2, accepted 2, rejected 0",
        "0 fatal, 0 errors, 0 warnings",
        "OK: the workbooks can be used",
    ]


def test_errors_exit_1_one_line_per_problem(tmp_path):
    path = write(tmp_path / "bad.xlsx", {
        "Customers": [["Customer list"], ["customer_id", "name", "market_size"], ["C1", "Acme", "-5"],
                      ["C1", "Acme again", None]],
        "Sales": [["customer_id", "month", "revenue", "gross_profit"], ["C1", "2026-07", "abc", 1],
                  ["C1", "2026-08", 10, 2]],
    })
    r = run(path, "--lang", "en")
    assert r.exit_code == 1
    assert _problem_lines(r.output) == [
        f'{path}:Customers!C3: warning: market_size "-5" is negative; it must be 0 or more (left blank)',
        f'{path}:Customers!A4: error: customer_id "C1" already appears at {path}:Customers!A3; '
        'the first row is kept (row rejected)',
        f'{path}:Sales!C2: error: revenue "abc" is not a number; write e.g. 1234.5, 1,234.5, ¥1,234, -300, '
        '(300), 1.2万, 3亿 or 12.5K (row rejected)',
        "",
        "Customers: read 2, accepted 1, rejected 1",
        "Sales: read 2, accepted 1, rejected 1",
        "0 fatal, 2 errors, 1 warning",
        "rows with errors are left out; fix them and run again",
    ]


def test_warnings_only_exit_0(tmp_path):
    path = write(tmp_path / "warn.xlsx", {
        "Customers": [["customer_id", "name", "colour"], ["C1", "Acme", "red"]],
        "Sales": [["customer_id", "month", "revenue"], ["C1", "2026-07", 10]],
    })
    r = run(path, "--lang", "en")
    assert r.exit_code == 0
    lines = _problem_lines(r.output)
    # Unknown columns are one info line per sheet (SPEC v1.1), not a warning.
    assert lines[0].startswith(f'{path}:Customers!C1: info: columns not read (not Customers columns): colour;')
    assert lines[1] == (f"{path}:Sales: warning: no gross_profit (毛利) column in any Sales sheet; "
                        "ABC classes fall back to revenue")
    assert lines[-2:] == ["0 fatal, 0 errors, 1 warning", "OK: the workbooks can be used"]


def test_chinese_workbook_reports_in_chinese(tmp_path):
    path = write(tmp_path / "zh.xlsx", {
        "客户": [["客户编号", "客户名称"], ["K1", "甲公司"]],
        "销售": [["客户编号", "月份", "销售额", "毛利"], ["K1", "2026年7月", "1.2万", 1], ["K2", "2026年7月", 5, 1]],
    })
    r = run(path)
    assert r.exit_code == 1
    assert _problem_lines(r.output) == [
        f"{path}:销售!A3: error: 客户编号“K2”不在“客户”表中（该行未采用）",
        "",
        "客户：读取 1 行，采用 1 行，未采用 0 行",
        "销售：读取 2 行，采用 1 行，未采用 1 行",
        "致命 0 个，错误 1 个，警告 0 个",
        "有错误的行不会被采用；请修正后重试",
    ]
    assert _problem_lines(run(path, "--lang", "en").output)[0] == \
        f'{path}:销售!A3: error: customer_id "K2" is not in the Customers sheet (row rejected)'


def test_fatal_is_one_clear_line_without_traceback(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("just some text\n")
    r = run(str(p), "--lang", "en")
    assert r.exit_code == 1
    assert _problem_lines(r.output) == [
        f"{p}: fatal: not a valid workbook: this looks like a text or CSV file; open it in Excel and save it as .xlsx",
        "",
        "nothing was read: fix the fatal problem above and run again",
    ]
    assert "Traceback" not in r.output


def test_missing_file_and_good_file_together(tmp_path):
    good = write(tmp_path / "ok.xlsx", {"Customers": [["customer_id", "name"], ["C1", "Acme"]],
                                        "Sales": [["customer_id", "month", "revenue"], ["C1", "2026-07", 1]]})
    missing = str(tmp_path / "missing.xlsx")
    r = run(good, missing, "--lang", "zh")
    assert r.exit_code == 1
    assert _problem_lines(r.output)[0] == f"{missing}: fatal: 找不到文件"
    assert "Traceback" not in r.output


def test_usage_error_exits_2():
    assert CliRunner().invoke(main, ["validate"]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", "x.xlsx", "--lang", "fr"]).exit_code == 2


def test_every_message_exists_in_zh_and_en_with_the_same_placeholders():
    import re
    import string

    from kamreport.texts import TEXTS

    def fields(text: str) -> set[str]:
        # "known[en]" and "known[zh]" are the same parameter, indexed by language.
        return {f.split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}

    problems = {k: v for k, v in TEXTS.items() if k.startswith("problem.")}
    assert len(problems) > 90
    for code, (zh, en) in problems.items():
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert fields(en) == fields(zh), code


def test_settings_problems_point_at_the_value_cell(tmp_path):
    path = write(tmp_path / "s.xlsx", {
        "Customers": [["customer_id", "name"], ["C1", "Acme"]],
        "Sales": [["customer_id", "month", "revenue", "gross_profit"], ["C1", "2026-07", 10, 2]],
        "Settings": [["key", "value"], ["cadence_key", "thirty"], ["cadnce_ordinary", "60"]],
    })
    r = run(path)
    assert r.exit_code == 0   # warnings only: the defaults stand
    lines = _problem_lines(r.output)
    assert any(l.startswith(f"{path}:Settings!B2: warning: setting cadence_key") for l in lines), lines
    assert any(l.startswith(f"{path}:Settings!B3: warning:") and "cadence_ordinary" in l for l in lines), lines
    assert "0 fatal, 0 errors, 2 warnings" in lines
