"""Markdown sanitising (SECURITY.md cases 8, 9, 10) and safe file names (case 11)."""
from __future__ import annotations

import os

import pytest

from kamreport.report.sanitize import markdown_to_html, slug, unique_slugs


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>hello", ["<script", "alert"]),
    ("[click](javascript:alert(1))", ["javascript:", "href"]),
    ("[click](JaVaScRiPt:alert(1))", ["javascript", "href"]),
    ('<img src="x" onerror="alert(1)">', ["onerror", "src="]),
    ('<a href="#" onclick="steal()">x</a>', ["onclick", "steal"]),
    ("![](file:///etc/passwd)", ["file:", "passwd", "src="]),
    ("![](../../etc/passwd)", ["passwd", "src="]),
    ("![](http://127.0.0.1:8765/x.png)", ["127.0.0.1", "src="]),
    ("[site](https://example.com/)", ["example.com", "href"]),
    ('<p style="background: url(http://127.0.0.1:8765/)">x</p>', ["url(", "style"]),
    ("<style>@import url(http://127.0.0.1:8765/);</style>", ["@import", "<style"]),
    ('<a rel="attachment" href="/etc/passwd">f</a>', ["attachment", "passwd"]),
    ('<svg><image href="file:///etc/passwd"/></svg>', ["<svg", "<image", "passwd"]),
    ('<link rel="attachment" href="file:///etc/passwd">', ["<link", "passwd"]),
    ('<iframe src="http://127.0.0.1:8765/"></iframe>', ["iframe", "127.0.0.1"]),
    ("![](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", ["svg+xml", "src="]),
])
def test_dangerous_markdown_is_neutralised(source, forbidden):
    html = str(markdown_to_html(source)).lower()
    for bad in forbidden:
        assert bad.lower() not in html, (source, html)


def test_harmless_markdown_survives():
    html = str(markdown_to_html("**重点** [mail](mailto:kam@example.com) [top](#summary)\n\n- a\n- b"))
    assert "<strong>重点</strong>" in html
    assert 'href="mailto:kam@example.com"' in html
    assert 'href="#summary"' in html
    assert "<li>a</li>" in html


def test_inline_png_is_kept():
    uri = "data:image/png;base64,iVBORw0KGgo="
    assert f'src="{uri}"' in str(markdown_to_html(f"![logo]({uri})"))


def test_tables_render():
    html = str(markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<table>" in html and "<td>1</td>" in html


def test_blank_markdown_is_empty():
    assert markdown_to_html(None) == "" and markdown_to_html("  \n ") == ""


@pytest.mark.parametrize("cid, expected", [
    ("C001", "C001"),
    ("a/b", "a_b"),
    ("a\\b", "a_b"),
    ("客户1", "__1"),          # two CJK characters -> two underscores
    ("x y", "x_y"),
    ("", "_"),
    (".", "_"),
    ("..", "_"),
    ("../../x", "____x"),     # "..": "_", "/": "_", "..": "_", "/": "_", "x"
    ("CON", "CON_"),
    ("con", "con_"),
    ("Lpt1", "Lpt1_"),
    ("NUL.txt", "NUL_txt_"),
    ("COM10", "COM10"),       # only COM1–COM9 are devices
    (".hidden", "_hidden"),
])
def test_slug(cid, expected):
    assert slug(cid) == expected


@pytest.mark.parametrize("cid", ["../../x", "..", ".", "/etc/passwd", "a/../../b", "C:\\x", "CON", "aux.pdf", "\x00", "…"])
def test_slug_is_a_plain_file_name(cid):
    s = slug(cid)
    assert s and os.sep not in s and "/" not in s and "\\" not in s
    assert ".." not in s and not s.startswith(".")
    assert s.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_unique_slugs_suffix_collisions_case_insensitively():
    got = unique_slugs(["a/b", "a_b", "A_B", "a?b", "C1"])
    assert got == {"a/b": "a_b", "a_b": "a_b-2", "A_B": "A_B-3", "a?b": "a_b-4", "C1": "C1"}
    assert len({v.lower() for v in got.values()}) == len(got)


def test_one_converter_gives_what_a_new_one_gives_text_after_text():
    """markdown_to_html reuses one Markdown converter (reset between texts)
    and remembers short texts: the output is what markdown.markdown gives
    each text alone, in any order, long or short."""
    import markdown
    from kamreport.report import sanitize
    texts = ["**a**\n\n- x\n- y", "| h |\n|---|\n| c |", "1. one\n3. three", "[x][r]\n\n[r]: mailto:a@b.c",
             "plain", "*" * 10 + " long " * 500, "**a**\n\n- x\n- y"]
    for t in texts + texts[::-1]:
        alone = markdown.markdown(t, extensions=["tables", "sane_lists"], output_format="html")
        assert sanitize.markdown_to_html(t) == sanitize.clean_html(alone)
