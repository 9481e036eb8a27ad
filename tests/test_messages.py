"""The product's messages in the user's language (issue 15, README
"Messages"): --lang when given, else the report's once it is known (the
workbook for build, the built period's summary.json for send), else the
locale's, else English. Every failure stays one line."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kamreport.cli import main


def build(*args):
    return CliRunner().invoke(main, ["build", *map(str, args), "--format", "json", "--quiet"])


@pytest.mark.parametrize("lang, line", [
    ("zh", "错误：--out {out}：{file} 是文件，不是文件夹；请换一个 --out"),
    ("en", "error: --out {out}: {file} is a file, not a folder; choose another --out")])
def test_an_out_inside_a_file_in_the_language_of_lang(small_books, tmp_path, lang, line):
    # (--out naming a file itself is Click's usage error, exit 2, in Click's words)
    (tmp_path / "f").write_text("not a folder")
    out = tmp_path / "f" / "out"
    # the Chinese workbook either way: --lang decides, before anything is read
    r = build(small_books["zh"], "--out", out, "--lang", lang)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [line.format(out=out, file=tmp_path / "f")]


def test_without_lang_the_locale_decides_before_the_workbook_is_read(small_books, tmp_path, monkeypatch):
    (tmp_path / "f").write_text("not a folder")
    out = tmp_path / "f" / "out"
    monkeypatch.setenv("LC_MESSAGES", "zh_CN.UTF-8")
    r = build(small_books["en"], "--out", out)
    assert r.exit_code == 1 and r.stderr.startswith(f"错误：--out {out}：{tmp_path / 'f'} 是文件")
    monkeypatch.setenv("LC_MESSAGES", "en_GB.UTF-8")
    r = build(small_books["zh"], "--out", out)
    assert r.exit_code == 1 and r.stderr.startswith(f"error: --out {out}: {tmp_path / 'f'} is a file")


@pytest.mark.parametrize("book, line", [
    ("zh", "Error: {final} 是文件，不是文件夹：请把它移走（生成会把报告期 2026Q3 写在那里）"),
    ("en", "Error: {final} is a file, not a folder: move it away (the build writes period 2026Q3 there)")])
def test_once_the_workbook_is_read_its_language_decides(small_books, tmp_path, monkeypatch, book, line):
    # A Chinese locale does not change an English report's messages, nor an English one a Chinese report's.
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8" if book == "zh" else "zh_CN.UTF-8")
    out = tmp_path / "out"
    out.mkdir()
    final = out / "2026Q3"
    final.write_text("in the way")
    r = build(small_books[book], "--out", out, "--period", "2026Q3")
    assert r.exit_code == 1
    assert r.output.splitlines() == [line.format(final=final)]


def test_a_misspelt_format_is_a_usage_error_in_the_language_of_lang(small_books):
    r = CliRunner().invoke(main, ["build", str(small_books["zh"]), "--lang", "zh", "--format", "html,docx"])
    assert r.exit_code == 2 and "docx 不是 html、pdf、json、pptx、xlsx 之一" in r.output
    r = CliRunner().invoke(main, ["build", str(small_books["zh"]), "--format", "html,docx", "--lang", "en"])
    assert r.exit_code == 2 and "docx is not one of html, pdf, json, pptx, xlsx" in r.output


def send(out, *args):
    return CliRunner().invoke(main, ["send", "--out", str(out), *args], env={
        k: "" for k in ("KAMREPORT_SMTP_HOST", "KAMREPORT_MAIL_FROM", "KAMREPORT_SMTP_USER",
                        "KAMREPORT_SMTP_PASSWORD")})


@pytest.mark.parametrize("language, line", [
    ("zh", "Error: {folder}：缺少 booklet.pdf；发送前请以 PDF 输出生成该报告期（`--format html,pdf,json`）"),
    ("en", "Error: {folder}: booklet.pdf is missing; build the period with PDF output "
           "(`--format html,pdf,json`) before sending")])
def test_send_speaks_the_language_of_the_built_period(make_built, language, line):
    out = make_built(language=language)
    (out / "2026Q3" / "booklet.pdf").unlink()
    r = send(out, "--to", "a@example.com", "--dry-run")
    assert r.exit_code == 1 and r.output.splitlines() == [line.format(folder=out / "2026Q3")]


def test_send_errors_of_a_zh_period_and_its_report_lines(make_built):
    out = make_built(language="zh", settings={"mail_to": []})
    r = send(out, "--dry-run")
    assert r.exit_code == 1
    assert r.output == "Error: 没有收件人：请用 --to ADDRESS 指定，或在工作簿的 Settings 表中设置 mail_to\n"
    r = send(out, "--to", "a@example.com")          # a real send with no server set
    assert r.exit_code == 1 and "没有设置 KAMREPORT_SMTP_HOST" in r.output
    r = send(out, "--to", "a@example.com", "--dry-run")
    assert r.exit_code == 0
    assert r.output.splitlines()[-1].startswith("试运行：没有发送任何邮件（1 封，1 个附件，")


def test_before_a_period_is_found_send_speaks_the_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("LC_MESSAGES", "zh_CN.UTF-8")
    r = send(tmp_path / "nothing", "--to", "a@example.com", "--dry-run")
    assert r.exit_code == 1 and "没有已生成的报告期" in r.output and "kamreport build WORKBOOK" in r.output
    monkeypatch.delenv("LC_MESSAGES")
    monkeypatch.setenv("LANG", "C.UTF-8")
    r = send(tmp_path / "nothing", "--to", "a@example.com", "--dry-run")
    assert r.exit_code == 1 and "no built period found" in r.output


def test_init_speaks_the_language_of_the_workbook(tmp_path):
    r = CliRunner().invoke(main, ["init", str(tmp_path / "x.csv"), "--lang", "zh"])
    assert r.exit_code == 1 and r.output == f"Error: {tmp_path / 'x.csv'}：文件名必须以 .xlsx 结尾\n"
    r = CliRunner().invoke(main, ["init", str(tmp_path / "x.csv"), "--lang", "en"])
    assert r.exit_code == 1 and r.output == f"Error: {tmp_path / 'x.csv'}: the file name must end in .xlsx\n"
