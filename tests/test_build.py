"""`kamreport build` end to end (SPEC §6, §7) on a sample workbook made here.

One full build (html, pdf, json; two workers) is shared by the tests of this
file and tests/test_determinism.py; the other builds are json- or html-only
and cheap.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from kamreport.build import jobs as render
from kamreport.cli import main

CUSTOMERS, SEED = 16, 1


@functools.lru_cache(maxsize=None)
def sample_book(root: str, lang: str = "zh") -> Path:
    from kamreport.sample.workbooks import write_workbook
    path = Path(root) / f"sample-{lang}.xlsx"
    write_workbook(str(path), lang=lang, customers=CUSTOMERS, seed=SEED)
    return path


@functools.lru_cache(maxsize=None)
def full_build(root: str, jobs: int = 2) -> tuple[Path, str]:
    """Build the sample once per session (cached): (period folder, CLI output)."""
    out = Path(root) / f"out-jobs{jobs}"
    res = CliRunner().invoke(main, ["build", str(sample_book(root)), "--out", str(out), "--jobs", str(jobs)])
    assert res.exit_code == 0, res.output + repr(res.exception)
    return out / "2026Q3", res.output


@pytest.fixture(scope="session")
def root(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def built(root):
    return full_build(root)


@pytest.fixture(scope="session")
def summary(built) -> dict:
    return json.loads((built[0] / "summary.json").read_text(encoding="utf-8"))


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_outputs_are_the_ones_of_spec_6_and_listed_in_summary(built, summary):
    period, _ = built
    written = sorted(p.relative_to(period).as_posix() for p in period.rglob("*") if p.is_file())
    key = [a for a in summary["accounts"] if a["tier"] == "key"]
    assert key, "the sample must have key accounts"
    expected = {"index.html", "booklet.html", "booklet.pdf", "summary.json", "problems.csv"}
    for a in key:
        expected |= {a["files"]["html"], a["files"]["pdf"]}
    assert set(written) == expected
    # The pieces' spool folder (.pieces-*) is gone.
    assert {p.name for p in period.iterdir() if p.is_dir()} == {"accounts"}
    assert sorted(summary["outputs"]) == sorted(expected)
    assert all(not a.get("files") for a in summary["accounts"] if a["tier"] != "key")


def test_no_weasyprint_warning_and_a_final_summary(built):
    _, output = built
    assert "weasyprint:" not in output, [l for l in output.splitlines() if "weasyprint" in l][:5]
    assert "fontTools" not in output
    # the sample is Chinese: so is what the build says (README "Messages")
    assert re.search(r"把 \d+ 个文件写入 .*2026Q3", output)


def test_every_relative_link_of_index_resolves(built):
    period, _ = built
    soup = BeautifulSoup((period / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [t.get("href") for t in soup.find_all(href=True)] + [t.get("src") for t in soup.find_all(src=True)]
    relative = [u for u in links if not re.match(r"^(#|data:|mailto:|[a-z][a-z0-9+.-]*:)", u)]
    assert relative, "index.html links the account plans and the booklet"
    for url in relative:
        target = period / unquote(urlsplit(url).path)
        assert target.is_file(), url
        assert target.resolve().is_relative_to(period.resolve())


def test_index_shows_the_numbers_of_summary(built, summary):
    period, _ = built
    text = BeautifulSoup((period / "index.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    for a in summary["accounts"]:
        assert a["name"] in text
    assert str(summary["portfolio"]["customers"]) in text
    assert summary["period"] in text


def test_booklet_pdf_contents_point_at_the_right_pages(built, summary):
    period, _ = built
    pages = pdf_pages(period / "booklet.pdf")
    key = [a for a in summary["accounts"] if a["tier"] == "key"]
    contents = next(i for i, p in enumerate(pages) if "目录" in p)
    toc_text = "\n".join(pages[contents:contents + 3])
    for a in key:
        m = re.search(re.escape(a["name"]) + r"\s*\.*\s*(\d+)\s*$", toc_text, re.M)
        assert m, (a["name"], toc_text[:2000])
        n = int(m.group(1))
        assert a["name"] in pages[n - 1]
        # The account's plan starts there: the page before belongs to something
        # else (an account plan's pages carry its running header).
        header = f"{a['name']} · 2026Q3"
        assert header in pages[n - 1] and header not in pages[n - 2], (a["name"], n)
        # The frame numbers the booklet's pages.
        assert re.search(rf"第\s*{n}\s*页\s*/\s*共\s*{len(pages)}\s*页", pages[n - 1]), pages[n - 1][-300:]
    assert not re.search(r"第\s*\d+\s*页", pages[0]), pages[0][-300:]     # the cover has no frame


def test_account_plan_pdfs_are_the_booklet_pages_with_their_own_numbers(built, summary):
    period, _ = built
    booklet = pdf_pages(period / "booklet.pdf")
    for a in [a for a in summary["accounts"] if a["tier"] == "key"]:
        pages = pdf_pages(period / a["files"]["pdf"])
        assert a["name"] in pages[0]
        for i, page in enumerate(pages, 1):
            assert re.search(rf"第\s*{i}\s*页\s*/\s*共\s*{len(pages)}\s*页", page)
        # The same laid-out body appears in the booklet; only the frame
        # (running header, page numbers) differs.
        body = _body_lines(period / a["files"]["pdf"], 1, a["name"])
        assert len(body) > 5
        assert any(body == _body_lines(period / "booklet.pdf", n, a["name"]) for n in range(1, len(booklet) + 1))


def _body_lines(path: Path, page: int, section: str) -> list[str]:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    frame = re.compile(r"^(第\s*\d+\s*页.*|(.*· )?2026Q3|.* · .*回顾)$")
    return [l for l in text.splitlines() if l.strip() and not frame.match(l.strip())]


def test_booklet_embeds_a_cjk_font(built):
    period, _ = built
    out = subprocess.run(["pdffonts", str(period / "booklet.pdf")], capture_output=True, text=True, check=True).stdout
    rows = [l.split() for l in out.splitlines()[2:]]
    cjk = [r for r in rows if "CJK" in r[0]]
    assert cjk, out
    assert all(r[-5] == "yes" for r in rows), out         # every font embedded


def test_booklet_html_holds_every_account_section(built, summary):
    period, _ = built
    soup = BeautifulSoup((period / "booklet.html").read_text(encoding="utf-8"), "html.parser")
    ids = {t["id"] for t in soup.find_all(id=True)}
    for a in [a for a in summary["accounts"] if a["tier"] == "key"]:
        assert any(a["name"] in s.get_text() for s in soup.select("section.booklet-piece"))
    for link in soup.select('a[href^="#"]'):
        assert link["href"][1:] in ids, link["href"]
    for link in soup.select("a[href]"):
        href = link["href"]
        if not href.startswith(("#", "mailto:")):
            # every relative link resolves to a written file, from the period folder
            assert (period / href.split("#")[0]).resolve().is_file(), href


def _head_styles(soup) -> list[str]:
    return [str(s) for s in soup.head.find_all("style", recursive=False)]


def test_booklet_html_is_the_front_with_each_piece_once(built, summary):
    """booklet.html (pipeline.join_booklet_html, render.Page): the front
    matter's document with one section per key account, in booklet order,
    then the appendix's; the pieces' style elements once each, in its head
    (none in its body); no screen-only paragraph (an account page's link
    back to ../index.html) in any piece."""
    from kamreport.report.views import account_anchor
    period, _ = built
    soup = BeautifulSoup((period / "booklet.html").read_text(encoding="utf-8"), "html.parser")
    key = [a for a in summary["accounts"] if a["tier"] == "key"]
    pieces = soup.select("section.booklet-piece")
    assert [s["data-piece"] for s in pieces] == [account_anchor(a["customer_id"]) for a in key] + ["appendix-piece"]
    assert all(s.parent is soup.body for s in pieces)
    head = _head_styles(soup)
    assert head and len(head) == len(set(head))
    assert not [s for s in soup.body.find_all("style") if s.find_parent("svg") is None]
    for a, section in zip(key, pieces):
        page = BeautifulSoup((period / a["files"]["html"]).read_text(encoding="utf-8"), "html.parser")
        assert set(_head_styles(page)) <= set(head)
        assert page.select("p.screen-only") and not section.select("p.screen-only"), a["customer_id"]
        assert section.select_one("h1").get_text() == page.select_one("h1").get_text()
        assert len(section.select("article.account")) == 1


def test_a_block_of_a_user_template_reaches_booklet_html_and_the_pdfs(tmp_path, root):
    """A --templates account.html that extends the packaged one and replaces
    its kpis, style and back_link blocks: the accounts' pages, their
    section in booklet.html and their PDF (alone and in the booklet) show
    it; its style is in booklet.html's head once, and the PDF lays out
    with it (uppercase); its back link stays on the accounts' pages."""
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "account.html").write_text(
        '{% extends "default:account.html" %}'
        '{% block kpis %}<p class="mine-kpi">my-kpi-block</p>{% endblock %}'
        '{% block style %}.mine-kpi { text-transform: uppercase; }{% endblock %}'
        '{% block back_link %}<p class="screen-only"><a href="../index.html">MY-BACK</a></p>{% endblock %}',
        encoding="utf-8")
    out = tmp_path / "out"
    res = _run(sample_book(root), "--out", out, "--format", "html,pdf", "--templates", templates, "--jobs", "2")
    assert res.exit_code == 0, res.output
    period = out / "2026Q3"
    html = (period / "booklet.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    accounts = [s for s in soup.select("section.booklet-piece") if s["data-piece"] != "appendix-piece"]
    assert accounts and all(len(s.select("p.mine-kpi")) == 1 for s in accounts)
    assert html.count(".mine-kpi { text-transform: uppercase; }") == 1
    assert any(".mine-kpi" in s for s in _head_styles(soup)) and "MY-BACK" not in html
    pages = sorted((period / "accounts").glob("*.html"))
    assert pages and all("MY-BACK" in p.read_text(encoding="utf-8") for p in pages)
    pdfs = sorted((period / "accounts").glob("*.pdf"))
    assert pdfs and all("MY-KPI-BLOCK" in "".join(pdf_pages(p)) for p in pdfs)
    assert "".join(pdf_pages(period / "booklet.pdf")).count("MY-KPI-BLOCK") == len(accounts)


# ---------------------------------------------------------------- exit codes

def _tiny_book(path: Path, *, bad_sales_row: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["customer_id", "name", "designated_key"])
    ws.append(["K1", "华东精密", "yes"])
    ws.append(["O1", "Ordinary Ltd", "no"])
    sales = wb.create_sheet("Sales")
    sales.append(["customer_id", "month", "revenue"])
    for cid in ("K1", "O1"):
        for month in ("2026-07", "2026-08", "2026-09"):
            sales.append([cid, month, 1000])
    if bad_sales_row:
        sales.append(["NOPE", "2026-09", 5])
    wb.save(path)
    return path


def _run(*args):
    return CliRunner().invoke(main, ["build", *map(str, args)])


def test_fatal_input_prints_problems_exits_1_and_writes_nothing(tmp_path):
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_text("customer_id,name\n", encoding="utf-8")
    res = _run(bad, "--out", tmp_path / "out")
    assert res.exit_code == 1
    assert "not-a-workbook.xlsx" in res.output and "fatal" in res.output
    assert not (tmp_path / "out").exists()


def test_json_only_build_and_strict(tmp_path):
    book = _tiny_book(tmp_path / "b.xlsx", bad_sales_row=True)
    res = _run(book, "--out", tmp_path / "out", "--format", "json", "--quiet")
    assert res.exit_code == 0, res.output
    period = tmp_path / "out" / "2026Q3"
    assert sorted(p.name for p in period.iterdir()) == ["problems.csv", "summary.json"]
    assert "NOPE" in (period / "problems.csv").read_text(encoding="utf-8")
    res = _run(book, "--out", tmp_path / "strict", "--format", "json", "--strict")
    assert res.exit_code == 1 and "rejected" in res.output
    assert (tmp_path / "strict" / "2026Q3" / "summary.json").is_file()     # written, then exit 1


def test_fail_on_risk(tmp_path):
    book = _tiny_book(tmp_path / "b.xlsx")
    summary_path = tmp_path / "out" / "2026Q3" / "summary.json"
    res = _run(book, "--out", tmp_path / "out", "--format", "json", "--fail-on-risk", "medium")
    risks = [r["severity"] for a in json.loads(summary_path.read_text())["accounts"] for r in a["risks"]]
    # K1 is a key account without account manager and without any touch:
    # NO_ACCOUNT_MANAGER and CONTACT_OVERDUE are high risks.
    assert "high" in risks
    assert res.exit_code == 3
    assert _run(book, "--out", tmp_path / "out", "--format", "json", "--fail-on-risk", "high").exit_code == 3
    assert _run(book, "--out", tmp_path / "out", "--format", "json").exit_code == 0


def test_unknown_format_is_a_usage_error(tmp_path):
    res = _run(_tiny_book(tmp_path / "b.xlsx"), "--format", "html,docx")
    assert res.exit_code == 2 and "docx" in res.output


def _kpis_template(tmp_path: Path, block: str) -> Path:
    """A --templates folder whose account.html replaces the packaged one's kpis block."""
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "account.html").write_text(
        '{% extends "default:account.html" %}{% block kpis %}' + block + '{% endblock %}', encoding="utf-8")
    return templates


def test_user_template_block_policy_and_language_in_an_html_build(tmp_path, root):
    templates = _kpis_template(tmp_path, '<p id="mine">MY-KPI-BLOCK</p>')
    policy = tmp_path / "policy.md"
    policy.write_text("# KAM policy\n\nVisit every **key account** monthly. <script>x()</script>", encoding="utf-8")
    out = tmp_path / "out"
    res = _run(sample_book(root), "--out", out, "--format", "html", "--templates", templates,
               "--policy", policy, "--lang", "en", "--jobs", "1")
    assert res.exit_code == 0, res.output
    period = out / "2026Q3"
    assert not (period / "booklet.pdf").exists() and not (period / "summary.json").exists()
    accounts = sorted((period / "accounts").glob("*.html"))
    assert accounts and not list((period / "accounts").glob("*.pdf"))
    html = accounts[0].read_text(encoding="utf-8")
    assert "MY-KPI-BLOCK" in html and 'lang="en"' in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="mine") is not None and soup.find("article") is not None   # rest of the packaged page
    booklet = (period / "booklet.html").read_text(encoding="utf-8")
    assert "<strong>key account</strong>" in booklet and "x()" not in booklet
    assert "rendered accounts/" in res.output                # not a TTY: plain lines


# ---------------------------------------------------------------- units

def _piece(pages, bookmarks=()):
    from kamreport.pdf.pieces import Piece
    return Piece(b"", pages, {}, tuple(bookmarks), ())


def test_contents_number_pages_by_hand():
    from kamreport.build import plan
    body = _piece(5, [(1, "管理摘要", 0, "summary"), (2, "sub", 0, None), (1, "风险", 3, "risks")])
    accounts = [(plan.Account("A", "甲", "acc-A"), 4), (plan.Account("B", "乙", "acc-B"), 3)]
    appendix = _piece(2, [(1, "方法说明", 0, "methodology"), (1, "数据质量", 1, "data-quality")])
    toc = plan.contents(2, body, accounts, appendix)
    # head = pages 1–2; body = 3–7 (summary on 3, risks on 3+3 = 6);
    # 甲 = 8–11, 乙 = 12–14; appendix = 15–16.
    assert [(e.title, e.page) for e in toc] == [
        ("管理摘要", 3), ("风险", 6), ("甲", 8), ("乙", 12), ("方法说明", 15), ("数据质量", 16)]
    assert [e.anchor for e in toc] == ["summary", "risks", "acc-A", "acc-B", "methodology", "data-quality"]
    assert [e.level for e in toc] == [1, 1, 2, 2, 1, 1]
    assert plan.head_guess(10) == 2 and plan.head_guess(31) == 3
    # The template reads them as before: title, anchor, page, level.
    assert plan.context_entries(toc[:1]) == [{"title": "管理摘要", "anchor": "summary", "page": 3, "level": 1}]


def test_frame_chunks_and_rights_by_hand():
    from kamreport.build import plan
    rights = plan.rights(3, [2, 1], 1, "2026Q3")
    assert rights == ["2026Q3"] * 3 + [None] * 3 + ["2026Q3"]
    assert plan.chunks(40) == 1 and plan.chunks(41) == 2
    many = plan.rights(45, [], 0, "P")
    first, second = plan.chunk_pages(0, many), plan.chunk_pages(1, many)
    assert [p["number"] for p in first] == list(range(1, 41)) and first[0]["blank"] and not first[1]["blank"]
    assert [p["number"] for p in second] == list(range(41, 46)) and {p["total"] for p in first + second} == {None}
    assert plan.overlay_pages(45) == [{"number": None, "total": 45, "right": None, "blank": False}]


def _page_env(tmp_path: Path):
    """Templates shaped like base.html / account.html (the blocks render.Page is cut along)."""
    (tmp_path / "doc.html").write_text(
        "<html><head><title>{{ title }}</title>{% block head_style %}<style>a{}{% block style %}{% endblock %}"
        "</style>{% endblock %}"
        "{% block screen_style %}<style media=\"screen\">s{}</style>{% endblock %}</head>"
        "<body>{% block body %}<h1>{{ title }}</h1>{% block content %}{% endblock %}{% endblock %}</body></html>",
        encoding="utf-8")
    (tmp_path / "acct.html").write_text(
        '{% extends "doc.html" %}{% block style %}b{}{% endblock %}'
        '{% block content %}<p>[{% block back_link %}<a href="../index.html">back</a>{% endblock %}]</p>'
        '{% endblock %}', encoding="utf-8")
    return render.make_env("en", "CNY", tmp_path)


def test_a_page_is_its_document_cut_along_its_blocks(tmp_path):
    env = _page_env(tmp_path)
    html, page = render.render_page(env, "acct.html", {"title": "A"})
    assert html == render.render_template(env, "acct.html", {"title": "A"})       # the same document
    assert page.head + page.between + '<h1>A</h1><p>[<a href="../index.html">back</a>]</p>' + page.tail == html
    assert page.styles == ("<style>a{}b{}</style>", '<style media="screen">s{}</style>')
    assert page.head.endswith(page.styles[-1]) and page.between == "</head><body>"
    assert page.body == "<h1>A</h1><p>[]</p>"                  # without its back_link block
    assert page.tail == "</body></html>"


def test_join_booklet_html_keeps_the_front_and_adds_styles_and_sections(tmp_path):
    from kamreport.build.pipeline import join_booklet_html
    env = _page_env(tmp_path)
    front = render.render_page(env, "doc.html", {"title": "F"})[1]
    acct = render.render_page(env, "acct.html", {"title": "A"})[1]
    other = render.render_page(env, "acct.html", {"title": "B"})[1]
    appendix = render.render_page(env, "doc.html", {"title": "X"})[1]
    out = join_booklet_html(front, [("acc-A", acct), ("acc-B", other)], appendix)
    soup = BeautifulSoup(out, "html.parser")
    # The front's style blocks, then the accounts' one the front has not (once).
    assert [str(s) for s in soup.head.find_all("style")] == [
        "<style>a{}</style>", '<style media="screen">s{}</style>', "<style>a{}b{}</style>"]
    assert [s["data-piece"] for s in soup.select("section.booklet-piece")] == ["acc-A", "acc-B", "appendix-piece"]
    assert out.index("<h1>F</h1>") < out.index("<h1>A</h1>") < out.index("<h1>B</h1>") < out.index("<h1>X</h1>")
    assert "back" not in out and out.endswith("</section>\n</body></html>")
    assert soup.body.find("style") is None and soup.title.string == "F"


def test_a_page_needs_the_body_block_where_it_stands(tmp_path):
    from kamreport.errors import KamError
    env = _page_env(tmp_path)
    (tmp_path / "flat.html").write_text("<html><body>no blocks</body></html>", encoding="utf-8")
    with pytest.raises(KamError, match="flat.html: booklet.html is made of the body block"):
        render.render_page(env, "flat.html", {})
    (tmp_path / "buffered.html").write_text(
        '{% extends "doc.html" %}{% block body %}{% filter upper %}{{ super() }}{% endfilter %}{% endblock %}'
        "{% block content %}{% block back_link %}b{% endblock %}{% endblock %}", encoding="utf-8")
    with pytest.raises(KamError, match="buffered.html: its back_link block is rendered inside a filter"):
        render.render_page(env, "buffered.html", {"title": "T"})


def test_logo_is_read_by_content_and_size_limited(tmp_path):
    from kamreport.build.pipeline import MAX_LOGO_BYTES, logo_data_uri
    warnings: list[str] = []
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 10)
    assert logo_data_uri(str(png), warnings.append).startswith("data:image/png;base64,iVBORw0KGgo")
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    assert logo_data_uri(str(svg), warnings.append).startswith("data:image/svg+xml;base64,")
    assert warnings == []
    fake = tmp_path / "logo2.png"
    fake.write_text("#!/bin/sh\nrm -rf /", encoding="utf-8")      # a .png that is not one
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES)
    assert logo_data_uri(str(fake), warnings.append) is None
    assert logo_data_uri(str(big), warnings.append) is None
    assert logo_data_uri(str(tmp_path / "missing.png"), warnings.append) is None
    warnings = [w.worded("en") for w in warnings]       # texts.Text: worded in the report's language
    assert len(warnings) == 3 and "not a PNG, JPEG or SVG" in warnings[0] and "larger than" in warnings[1]


def test_the_logo_reaches_the_workers_once_not_with_every_job(tmp_path, monkeypatch):
    """The build's RenderSpec (its logo: up to 2.7 MB as a data URI) goes to
    the render workers once, through the pool's board (jobs.board), not
    pickled with every job; the workers' documents have the logo."""
    import base64
    import pickle

    from kamreport.build import pipeline
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
                                       '<!--' + "x" * 20_000 + '--></svg>', encoding="utf-8")
    book = _tiny_book(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(book)
    settings = wb.create_sheet("Settings")
    settings.append(["key", "value"])
    settings.append(["logo", "logo.svg"])
    wb.save(book)
    uri = "data:image/svg+xml;base64," + base64.b64encode((tmp_path / "logo.svg").read_bytes()).decode()
    sent: list[int] = []
    submit = pipeline.Runner.submit

    def recording(self, job):
        sent.append(len(pickle.dumps(job)))
        assert uri.encode() not in pickle.dumps(job)
        return submit(self, job)

    monkeypatch.setattr(pipeline.Runner, "submit", recording)
    res = _run(book, "--out", tmp_path / "out", "--format", "html,pdf", "--jobs", "2", "--quiet")
    assert res.exit_code == 0, res.output
    period = tmp_path / "out" / "2026Q3"
    assert len(sent) > 5 and max(sent) < len(uri)
    for name in ("index.html", "booklet.html", "accounts/K1.html"):
        assert f'<img src="{uri}"' in (period / name).read_text(encoding="utf-8"), name


def test_policy_file_limits(tmp_path):
    from kamreport.build.pipeline import MAX_POLICY_BYTES, read_policy
    from kamreport.errors import KamError
    ok = tmp_path / "p.md"
    ok.write_bytes("\ufeff# 政策".encode("utf-8"))
    assert read_policy(str(ok)) == "# 政策"
    bad = tmp_path / "gbk.md"
    bad.write_bytes("政策".encode("gbk"))
    with pytest.raises(KamError, match="UTF-8"):
        read_policy(str(bad))
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (MAX_POLICY_BYTES + 1))
    with pytest.raises(KamError, match="at most"):
        read_policy(str(big))


def test_printed_booklet_html_holds_at_least_the_pdfs_pages(built):
    # booklet.html keeps the full lists the PDF shortens ("and N more — see
    # the HTML"), so printed it has at least the PDF's pages; the benchmark's
    # one-document baseline lays it out, and so does at least the build's
    # work (bench/README). It was equal before the PDF lists were bounded.
    from pypdf import PdfReader
    from weasyprint import HTML

    from kamreport.pdf import fetcher as pdf_fetcher
    from kamreport.build import jobs as render
    period, _ = built
    html = HTML(filename=str(period / "booklet.html"), base_url=render.packaged_dir().as_uri() + "/",
                url_fetcher=pdf_fetcher.make_fetcher(render.packaged_dir()))
    assert len(html.render().pages) >= len(PdfReader(period / "booklet.pdf").pages)


def test_failed_render_leaves_no_pieces_behind(tmp_path, root):
    templates = _kpis_template(tmp_path, "{{ no_such_thing.at_all }}")
    out = tmp_path / "out"
    res = _run(sample_book(root), "--out", out, "--format", "pdf", "--templates", templates, "--jobs", "2")
    assert res.exit_code == 1 and "no_such_thing" in res.output
    # No period folder (there was none before), no building folder, no pieces: only the build lock.
    assert [p.name for p in out.iterdir()] == [".kamreport.lock"]


def test_contents_laid_out_again_when_the_trial_had_another_length(tmp_path, root, monkeypatch):
    """The trial contents layout claims a page too many: the final contents
    (and the frames, and booklet.html's front matter, which is rendered
    beside it) are made again with the right page numbers."""
    import dataclasses

    from kamreport.build import jobs as render
    ran: list[str] = []
    real = render.run_job

    def run_job(job):
        ran.append(job.key)
        res = real(job)
        if job.key == "front:trial":
            res = dataclasses.replace(res, piece=dataclasses.replace(res.piece, pages=res.piece.pages + 1))
        return res

    monkeypatch.setattr(render, "run_job", run_job)
    out = tmp_path / "out"
    res = _run(sample_book(root), "--out", out, "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert ran.count("front:html") == 2 and "front:head2" in ran and "front:head3" not in ran
    period = out / "2026Q3"
    pages = pdf_pages(period / "booklet.pdf")
    html = (period / "booklet.html").read_text(encoding="utf-8")
    toc = re.findall(r'<li class="level-2" data-page="(\d+)"><span class="t"><a href="#acc[^"]+">([^<]*)</a>', html)
    toc = [(name, page) for page, name in toc]
    assert len(toc) >= 2
    for name, page in toc:
        n = int(page)
        header = f"{name} · 2026Q3"         # an account plan's running header
        assert header in pages[n - 1] and header not in pages[n - 2], (name, n)
        assert re.search(rf"第\s*{n}\s*页\s*/\s*共\s*{len(pages)}\s*页", pages[n - 1]), pages[n - 1][-300:]


def test_settled_head_keeps_the_early_frame_chunks_only_when_the_trial_length_was_right():
    """_settle_head: the frame chunks laid out during the build (from the
    trial contents' length) are kept when the final head has that length;
    otherwise the head and every chunk are laid out again."""
    import concurrent.futures as cf

    from kamreport.pdf import pieces as pdf_pieces
    from kamreport.build import plan
    from kamreport.build.pipeline import Rendered, _settle_head

    def piece(pages):
        return pdf_pieces.Piece(b"", pages, {}, (), ())

    class FakeRunner:
        def __init__(self, head_pages):
            self.keys, self.head_pages = [], head_pages

        def submit(self, job):
            self.keys.append(job.key)
            fut = cf.Future()
            fut.set_result(render.JobResult(job.key, None, piece(self.head_pages if job.kind == "front" else 1),
                                            (), False))
            return fut

    class Report:
        def take(self, res): pass
        def warn(self, msg): raise AssertionError(msg)

    body, appendix = piece(10), piece(3)
    accounts = [plan.Account("1", "客户甲", "acc-1"), plan.Account("2", "客户乙", "acc-2")]
    job = lambda kind, key, template, ctx, **kw: render.Job(kind, key, template, ctx, **kw)  # noqa: E731
    for head_pages, again in ((2, False), (3, True)):
        early = "early chunk 0"             # laid out during the build for a 2-page head
        got = Rendered(body=body, appendix=render.JobResult("appendix", None, appendix, (), False),
                       accounts={a.customer_id: render.JobResult("k", None, piece(20), (), False) for a in accounts},
                       trial=piece(2), chunks={0: early})
        runner = FakeRunner(head_pages)
        booklet = _settle_head(runner, job, lambda t: {"toc": t}, got, accounts, "2026Q3", Report())
        assert booklet.head.pages == head_pages
        assert booklet.contents == plan.contents(head_pages, body, [(a, 20) for a in accounts], appendix)
        assert ("front:head2" in runner.keys) is again and "front:head3" not in runner.keys
        assert (booklet.frames[0] == early) is not again
        assert len(booklet.frames) == plan.chunks(head_pages + 10 + 40 + 3)


def _outline(reader) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item) + 1))
    walk(reader.outline, 1)
    return out


def test_booklet_bookmarks_nest_the_key_accounts_under_their_section(built, summary):
    from pypdf import PdfReader
    period, _ = built
    reader = PdfReader(period / "booklet.pdf")
    outline = _outline(reader)
    key = [a["name"] for a in summary["accounts"] if a["tier"] == "key"]
    group = next(i for i, (level, title, _) in enumerate(outline) if title == "重点客户计划")
    assert outline[group][0] == 1
    nested = outline[group + 1:group + 1 + len(key)]
    assert sorted(t for _, t, _ in nested) == sorted(key)
    assert {level for level, _, _ in nested} == {2}
    assert outline[group][2] == nested[0][2]        # the section opens on its first account's page
    # Everything else is a section at level 1: the dashboard first, the appendix last.
    others = outline[:group] + outline[group + 1 + len(key):]
    assert {level for level, _, _ in others} == {1}
    assert others[0][1] == "经营仪表板" and others[-1][1] == "数据质量"
    pages = pdf_pages(period / "booklet.pdf")
    for _, title, page in nested:
        assert f"{title} · 2026Q3" in pages[page - 1]


def _link_targets(reader, index: int) -> list[int]:
    """1-based pages the links of page `index` (0-based) go to."""
    annots = [a.get_object() for a in reader.pages[index].get("/Annots") or []]
    return [reader.get_page_number(a["/Dest"][0]) + 1 for a in annots if "/Dest" in a]


def test_booklet_contents_and_account_names_link_to_their_pages(built, summary):
    from pypdf import PdfReader
    period, _ = built
    reader = PdfReader(period / "booklet.pdf")
    outline = _outline(reader)
    pages = pdf_pages(period / "booklet.pdf")
    contents = next(i for i, p in enumerate(pages) if "目录" in p)
    # Every contents entry is a link to the page the bookmark of the same entry opens.
    assert _link_targets(reader, contents) == [p for _, t, p in outline if t != "重点客户计划"]
    # The dashboard's account names link to the accounts' plans.
    starts = {p for level, _, p in outline if level == 2}
    dashboard = next(p for _, t, p in outline if t == "经营仪表板")
    targets = _link_targets(reader, dashboard - 1)
    assert targets and set(targets) <= starts, (targets, starts)


def test_build_ends_naming_the_booklet_and_the_high_risks(built, summary):
    period, output = built
    high = sum(r["severity"] == "high" for a in summary["accounts"] for r in a["risks"])
    where = sum(any(r["severity"] == "high" for r in a["risks"]) for a in summary["accounts"])
    assert high > 1 and where > 1
    last = output.strip().splitlines()[-1]
    # the sample is Chinese: so is the build's last line (README "Messages")
    assert last == f"报告册：{period / 'booklet.pdf'} · {where} 个客户共有 {high} 项高风险"


def test_final_line_counts_in_words():
    from types import SimpleNamespace as NS
    from kamreport.build.pipeline import final_line
    one = [NS(customer_id="C1", risks=[NS(severity="high"), NS(severity="medium")])]
    assert final_line(Path("out/2026Q3"), ("booklet.html",), one) == \
        "booklet: out/2026Q3/booklet.html · 1 high risk across 1 customer"
    assert final_line(Path("o"), ("summary.json",), [NS(customer_id="C1", risks=[])]) == "no high risks"
    assert final_line(Path("o"), ("booklet.pdf",), one * 2, "zh") == "报告册：o/booklet.pdf · 1 个客户共有 2 项高风险"


def test_progress_bar_shows_counts(monkeypatch):
    import io
    from kamreport.build import pipeline as build

    class Tty(io.StringIO):
        def isatty(self):
            return True
    err = Tty()
    monkeypatch.setattr(build.sys, "stderr", err)
    progress = build.Progress(48, build.Report(quiet=False))
    for _ in range(12):
        progress.step("x")
    progress.close()
    assert "12/48" in err.getvalue(), err.getvalue()
