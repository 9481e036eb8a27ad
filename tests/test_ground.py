"""SPEC §8 "Checks its ground": before any work, `build` refuses in one line
per missing thing (a CJK font for Chinese PDFs, a writable out folder with
room), and KAMREPORT_CJK_FONT points it at a font file instead.

A machine without CJK fonts is simulated with FONTCONFIG_FILE: a fontconfig
file whose only font folder is DejaVu's (a minimal Debian box)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kamreport.pdf import ground

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"
KAMREPORT = [sys.executable, "-c", "import sys; from kamreport.cli import main; sys.exit(main())"]


def _fontconfig(folder: Path, *dirs: str) -> Path:
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    "<fontconfig>\n" + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
                    + f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return conf


@pytest.fixture
def no_cjk(tmp_path, monkeypatch) -> Path:
    """This process (and its children) on a machine with DejaVu only."""
    conf = _fontconfig(tmp_path / "fc", DEJAVU_DIR)
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    monkeypatch.delenv(ground.CJK_FONT_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return conf


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != ground.CJK_FONT_ENV}
    env.update(extra)
    return env


def test_this_machine_has_a_cjk_font_for_fontconfig_and_the_charts():
    assert ground.list_fonts(":lang=zh")
    regular = ground.cjk_font()
    assert regular.family == "Noto Sans CJK SC" and regular.weight == 80
    assert ground.cjk_font(bold=True).weight == 200


def test_chinese_build_without_a_cjk_font_refuses_in_one_line(small_books, tmp_path):
    conf = _fontconfig(tmp_path / "fc", DEJAVU_DIR)
    out = tmp_path / "out"
    res = subprocess.run([*KAMREPORT, "build", str(small_books["zh"]), "--out", str(out)], capture_output=True,
                         text=True, timeout=120, env=_env(FONTCONFIG_FILE=str(conf)))
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    for what in ("no CJK font", "apt install fonts-noto-cjk", "dnf install google-noto-sans-cjk-fonts",
                 "macOS/Windows", f"{ground.CJK_FONT_ENV}=/"):
        assert what in line, what
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert not out.exists()                 # before any work


def test_which_builds_need_a_cjk_font(small_books, no_cjk, tmp_path):
    out = str(tmp_path / "out")
    # English report of English data: DejaVu is enough.
    ground.check(workbooks=[str(small_books["en"])], out_dir=out, formats={"html", "json", "pdf"}, lang="en")
    # HTML and JSON only: the browser brings its fonts.
    ground.check(workbooks=[str(small_books["zh"])], out_dir=out, formats={"html", "json"}, lang=None)
    # The lines are in --lang (the workbooks are not read yet), else the locale's (English here).
    for book, lang, why in ((small_books["zh"], None, "the workbooks hold Chinese text"),
                            (small_books["en"], "zh", "没有中文（CJK）字体，而报告是中文的")):
        with pytest.raises(ground.GroundError) as e:
            ground.check(workbooks=[str(book)], out_dir=out, formats={"pdf"}, lang=lang)
        assert len(e.value.problems) == 1 and why in e.value.problems[0]


def test_cjk_text_in_english_data_is_found(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = "Customers"
    book.active.append(["Customer", "华东精密"])
    book.save(tmp_path / "a.xlsx")
    book.active["B1"] = "East China Precision"
    book.create_sheet("README").append(["本工作簿的说明"])      # not a sheet kamreport reads
    book.save(tmp_path / "b.xlsx")
    (tmp_path / "c.xlsx").write_bytes(b"not a zip")
    assert ground.has_cjk_text([str(tmp_path / "a.xlsx")])
    assert not ground.has_cjk_text([str(tmp_path / "b.xlsx"), str(tmp_path / "c.xlsx")])


def _shared_strings_book(path: Path, customer_cell: int) -> Path:
    """A workbook as Excel writes it: cells refer to sharedStrings.xml."""
    import zipfile
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1" s="0" t="s"><v>{}</v></c></row>'
             '</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="README" sheetId="1" '
                   'r:id="rId1"/><sheet name="Customers" sheetId="2" r:id="rId2"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Target="worksheets/sheet1.xml" '
                   'Id="rId1"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet.format(0))
        z.writestr("xl/worksheets/sheet2.xml", sheet.format(customer_cell))
        z.writestr("xl/sharedStrings.xml", "<sst><si><t>说明</t></si><si><t>Acme</t></si>"
                   "<si><t>华东精密</t></si></sst>")
    return path


def test_shared_strings_count_only_when_a_data_sheet_uses_them(tmp_path):
    assert not ground.has_cjk_text([str(_shared_strings_book(tmp_path / "en.xlsx", 1))])
    assert ground.has_cjk_text([str(_shared_strings_book(tmp_path / "zh.xlsx", 2))])


def test_a_font_file_named_by_the_environment_is_used(small_books, no_cjk, tmp_path, monkeypatch):
    monkeypatch.setenv(ground.CJK_FONT_ENV, NOTO)
    ground.check(workbooks=[str(small_books["zh"])], out_dir=str(tmp_path / "out"), formats={"pdf"}, lang="zh")
    conf = Path(os.environ["FONTCONFIG_FILE"])
    assert conf != no_cjk and conf.is_relative_to(tmp_path / "xdg")
    assert str(no_cjk) in conf.read_text()          # the machine's configuration, and the file
    assert os.path.samefile(ground.cjk_font().path, NOTO)


@pytest.mark.parametrize("path, says", [("/nonexistent/font.otf", "no such font file"),
                                        (f"{DEJAVU_DIR}/DejaVuSans.ttf", "no Chinese glyphs"),
                                        (__file__, "not a font file")])
def test_a_bad_font_file_is_one_line(path, says, small_books, no_cjk, tmp_path, monkeypatch):
    monkeypatch.setenv(ground.CJK_FONT_ENV, path)
    with pytest.raises(ground.GroundError) as e:
        ground.check(workbooks=[str(small_books["zh"])], out_dir=str(tmp_path), formats={"pdf"}, lang=None)
    assert len(e.value.problems) == 1 and says in e.value.problems[0]
    assert "\n" not in e.value.problems[0]


def test_chinese_build_with_the_font_file_embeds_it_and_is_quiet(small_books, tmp_path):
    """The whole path on a machine without CJK fonts: KAMREPORT_CJK_FONT, a
    real build, the font in the PDF, Chinese text in it, nothing on stderr."""
    conf = _fontconfig(tmp_path / "fc", DEJAVU_DIR)
    out = tmp_path / "out"
    res = subprocess.run([*KAMREPORT, "build", str(small_books["zh"]), "--out", str(out), "--format", "pdf",
                          "--jobs", "1", "--quiet"], capture_output=True, text=True, timeout=600,
                         env=_env(FONTCONFIG_FILE=str(conf), KAMREPORT_CJK_FONT=NOTO,
                                  XDG_CACHE_HOME=str(tmp_path / "xdg")))
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    booklet = next(out.glob("*/booklet.pdf"))
    fonts = subprocess.run(["pdffonts", str(booklet)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts
    text = subprocess.run(["pdftotext", "-l", "1", str(booklet), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "重点客户" in text


def test_out_folder_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "f").write_text("x")
    assert "is a file, not a folder" in ground.out_problem(str(tmp_path / "f"))
    assert "is a file, not a folder" in ground.out_problem(str(tmp_path / "f" / "out"))
    assert ground.out_problem(str(tmp_path / "new" / "out")) is None
    assert not (tmp_path / "new").exists()          # checked, not made
    assert list(tmp_path.iterdir()) == [tmp_path / "f"]     # the probe file is gone


def test_out_folder_without_room_is_one_line(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 10**6, 10**6))
    problem = ground.out_problem(str(tmp_path))
    assert problem and "only 1.0 MB free" in problem and "\n" not in problem


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_out_folder_is_one_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert "cannot write in" in ground.out_problem(str(ro / "out"))
    finally:
        ro.chmod(0o755)


def test_build_refuses_an_out_folder_inside_a_file_before_any_work(small_books, tmp_path):
    (tmp_path / "f").write_text("x")
    out = tmp_path / "f" / "out"
    res = subprocess.run([*KAMREPORT, "build", str(small_books["en"]), "--out", str(out), "--format", "json"],
                         capture_output=True, text=True, timeout=120, env=_env())
    assert res.returncode == 1
    assert res.stderr.splitlines() == [f"error: --out {out}: {tmp_path / 'f'} is a file, not a folder; "
                                       "choose another --out"]


def test_a_machine_without_any_font_is_one_line(small_books, tmp_path):
    (tmp_path / "empty").mkdir()
    conf = _fontconfig(tmp_path / "fc", str(tmp_path / "empty"))
    res = subprocess.run([*KAMREPORT, "build", str(small_books["en"]), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120, env=_env(FONTCONFIG_FILE=str(conf)))
    assert res.returncode == 1
    lines = res.stderr.splitlines()             # not WeasyPrint's "No fonts configured" warning too
    assert len(lines) == 1 and "knows no font at all" in lines[0] and "fonts-dejavu-core" in lines[0], lines
