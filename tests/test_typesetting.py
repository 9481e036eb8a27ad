"""What leadership reads (issue 16): page furniture, one money and date
convention per language, Chinese punctuation, no words broken across lines,
no internal names, and the browser pages' own screen stylesheet.

The Chinese build is test_build's (shared when it ran in this session); the
English sample is built once here.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from kamreport.cli import main
from test_build import full_build, sample_book

CJK = "\u4e00-\u9fff"


@functools.lru_cache(maxsize=None)
def en_build(root: str) -> Path:
    out = Path(root) / "out-en"
    res = CliRunner().invoke(main, ["build", str(sample_book(root, "en")), "--out", str(out)])
    assert res.exit_code == 0, res.output + repr(res.exception)
    return out / "2026Q3"


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> str:
    shared = tmp_path_factory.getbasetemp() / "build0"     # test_build's, if it ran
    return str(shared) if shared.is_dir() else str(tmp_path_factory.mktemp("typeset"))


@pytest.fixture(scope="module")
def periods(root) -> dict[str, Path]:
    return {"zh": full_build(root)[0], "en": en_build(root)}


def text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def key_pdfs(period: Path) -> list[Path]:
    return sorted((period / "accounts").glob("*.pdf"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_footer_reads_page_n_of_total(periods, lang):
    period = periods[lang]
    for pdf in [period / "booklet.pdf"] + key_pdfs(period)[:3]:
        n = pages(pdf)
        for i, page in enumerate(text(pdf).split("\f")[:-1], 1):
            if pdf.name == "booklet.pdf" and i == 1:
                continue            # the cover has no frame
            # (pdftotext keeps the spaces of the Chinese footer in the booklet
            # but not always in an account plan, where they are drawn all the same)
            if lang == "zh":
                assert f"第{i}页/共{n}页" in re.sub(r"\s", "", page), (pdf.name, i, page[-200:])
            else:
                assert re.search(rf"Page\s+{i}\s+of\s+{n}\b", page), (pdf.name, i, page[-200:])
    if lang == "zh":
        assert f"第 3 页 / 共 {pages(period / 'booklet.pdf')} 页" in text(period / "booklet.pdf")


def _amounts(s: str) -> list[tuple[str, str]]:
    return re.findall(r"¥-?([\d,]+(?:\.\d+)?)([万亿KMB]?)", s)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_money_convention_in_cards_tables_and_messages(periods, lang):
    """万/亿 in Chinese, K/M in English: a sum of 10,000 or more is never
    printed in full on the pages (booklet, account plans, browser pages)."""
    period = periods[lang]
    units = {"万", "亿"} if lang == "zh" else {"K", "M", "B"}
    texts = [text(period / "booklet.pdf")] + [text(p) for p in key_pdfs(period)[:4]]
    for name in ("index.html", "booklet.html"):
        texts.append(BeautifulSoup((period / name).read_text(encoding="utf-8"), "html.parser").get_text(" "))
    found = [a for s in texts for a in _amounts(s)]
    assert len(found) > 50
    full = [f"¥{v}{u}" for v, u in found if not u and float(v.replace(",", "")) >= 10_000]
    assert not full, full[:10]
    assert {u for _, u in found if u} <= units


def test_one_date_format_per_language(periods):
    zh = text(periods["zh"] / "booklet.pdf")
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", zh)
    assert not re.search(r"20\d\d-\d\d-\d\d|20\d\d/\d{1,2}/\d{1,2}", zh)
    en = text(periods["en"] / "booklet.pdf")
    assert re.search(r"20\d\d-\d\d-\d\d", en)
    assert not re.search(r"20\d\d年|\d{1,2}/\d{1,2}/20\d\d", en)


def test_full_width_punctuation_after_chinese_text(periods):
    period = periods["zh"]
    for pdf in [period / "booklet.pdf"] + key_pdfs(period):
        s = text(pdf)
        bad = re.findall(rf"[{CJK}] ?[:;,?!()]|\( ?[{CJK}]", s)
        assert not bad, (pdf.name, bad[:10])


def test_no_internal_names_on_the_pages(periods):
    """growth_yoy, top_contributor…: the only snake_case words are the
    setting names of the methodology's settings table (what a user types)."""
    import dataclasses
    from kamreport.engine.settings import Settings
    settings = {f.name for f in dataclasses.fields(Settings)}
    for lang, period in periods.items():
        for pdf in [period / "booklet.pdf"] + key_pdfs(period):
            words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text(pdf)))
            assert words <= settings, (lang, pdf.name, sorted(words - settings)[:10])


def test_no_word_broken_across_lines(periods):
    """No hyphenation ("Chang-sha", "John-son"), and a KPI line breaks
    between its parts, never inside 同比增长."""
    for pdf in [periods["en"] / "booklet.pdf"] + key_pdfs(periods["en"]):
        broken = re.findall(r"[A-Za-z]+-\n[a-z]+", text(pdf))
        assert not broken, (pdf.name, broken[:10])
    for pdf in [periods["zh"] / "booklet.pdf"] + key_pdfs(periods["zh"]):
        s = text(pdf)
        assert not re.search(r"同比增\n|环比增\n|同比\n增长|环比\n增长", s), pdf.name


def test_english_counts_have_real_plurals(periods):
    period = periods["en"]
    s = "\n".join(text(p) for p in [period / "booklet.pdf"] + key_pdfs(period))
    wrong = re.findall(r"\b1 (?:accounts|customers|days|risks|actions|complaints|contacts|points)\b"
                       r"|\b(?:[02-9]|\d\d+) (?:account|customer|day|complaint|action)\b(?! (?:manager|plan))", s)
    assert not wrong, wrong[:10]


def test_screen_stylesheet_is_for_browsers_only(periods):
    """booklet.html and index.html carry a screen stylesheet with narrow-screen
    rules (blocks stack, tables scroll); WeasyPrint never reads it."""
    from kamreport.pdf import fetcher as pdf_fetcher, pieces as pdf_pieces
    from kamreport.build import jobs as render
    period = periods["zh"]
    for name in ("booklet.html", "index.html", "accounts/" + key_pdfs(period)[0].with_suffix(".html").name):
        soup = BeautifulSoup((period / name).read_text(encoding="utf-8"), "html.parser")
        screen = [s for s in soup.head.find_all("style") if s.get("media") == "screen"]
        assert len(screen) == 1, name
        assert "@media (max-width" in screen[0].string and "overflow-x: auto" in screen[0].string
        assert not any("max-width:" in (s.string or "") and "@media (" in (s.string or "")
                       for s in soup.head.find_all("style") if s.get("media") != "screen"), name
    # Printed by WeasyPrint (the benchmark's baseline prints booklet.html):
    # no warning about the screen rules.
    html = (period / "index.html").read_text(encoding="utf-8")
    with pdf_fetcher.capture_warnings() as captured:
        pdf_pieces.layout(html, render.packaged_dir().as_uri() + "/", pdf_fetcher.make_fetcher(render.packaged_dir()))
    assert not [m for m in captured.warnings if "media" in m.lower() or "max-width" in m], captured.warnings


def test_browser_contents_list_every_section_without_pdf_page_numbers(root, periods):
    for period in (periods["zh"],):
        soup = BeautifulSoup((period / "booklet.html").read_text(encoding="utf-8"), "html.parser")
        items = soup.select("ol.toc li:not(.group)")
        assert items and not soup.select("ol.toc .p")
        assert all(li.find("a", href=True) for li in items)
    # An HTML-only build has no layout to take the headings from: the
    # contents still list the sections, not only the accounts.
    out = Path(root) / "out-html-only"
    res = CliRunner().invoke(main, ["build", str(sample_book(root)), "--out", str(out), "--format", "html"])
    assert res.exit_code == 0, res.output
    soup = BeautifulSoup((out / "2026Q3" / "booklet.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = [a["href"] for a in soup.select("ol.toc a")]
    assert hrefs[:2] == ["#dashboard", "#summary"] and "#methodology" in hrefs
    assert all(soup.find(id=h[1:]) for h in hrefs), [h for h in hrefs if not soup.find(id=h[1:])]


def test_english_bookmarks_nest_under_key_account_plans(periods):
    from pypdf import PdfReader
    reader = PdfReader(periods["en"] / "booklet.pdf")
    titles = [o.title if not isinstance(o, list) else [c.title for c in o] for o in reader.outline]
    group = titles.index("Key account plans")
    assert isinstance(titles[group + 1], list) and len(titles[group + 1]) == len(key_pdfs(periods["en"]))
    assert all(isinstance(t, str) for i, t in enumerate(titles) if i != group + 1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_is_one_page_in_both_languages(periods, lang):
    from pypdf import PdfReader
    reader = PdfReader(periods[lang] / "booklet.pdf")
    top = {o.title: reader.get_destination_page_number(o) + 1 for o in reader.outline if not isinstance(o, list)}
    dashboard, summary = ("经营仪表板", "管理摘要") if lang == "zh" else ("Dashboard", "Executive summary")
    assert top[summary] == top[dashboard] + 1, top
