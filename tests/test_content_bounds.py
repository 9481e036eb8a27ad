"""Content that must stay bounded and honest (issue 12): bidi controls,
user templates in the sandbox, long notes, accounts with thousands of rows.

One real build (`kamreport build … --format html,pdf,json`) of a small
workbook written here serves the end-to-end tests; the rest call the
render environment and the views directly.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from kamreport.cli import main
from kamreport.report.sanitize import BIDI_CONTROLS

RLO, PDF_, RLI, PDI, RLM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200f"
BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")

BIDI_NAME = f"Acme {RLO}dnalloH{PDF_} Trading"
BIDI_NOTES = f"Order {RLO}12345 due{PDF_} today; ticket {RLI}T-77 open{PDI}{RLM} &#x202E;ZYX now."
N_CONTACTS = 600
N_ROWS = 600            # plans and activities of C2
LONG_NOTES = "\n\n".join(f"Paragraph {i:02d}: the customer asked again about delivery terms and the "
                         f"service level of the new line." for i in range(60)) + "\n\nEND-OF-NOTES-MARKER"


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["customer_id", "name", "designated_key", "account_manager", "notes"])
    ws.append(["C1", BIDI_NAME, "yes", f"Wang {RLO}gnaW", BIDI_NOTES])
    ws.append(["C2", "Big Contacts Co", "yes", "Li", "A short note."])
    ws.append(["C3", "Long Notes Co", "yes", "Zhou", LONG_NOTES])
    sales = wb.create_sheet("Sales")
    sales.append(["customer_id", "month", "revenue"])
    for cid in ("C1", "C2", "C3"):
        for month in ("2026-07", "2026-08", "2026-09"):
            sales.append([cid, month, 1000])
    contacts = wb.create_sheet("Contacts")
    contacts.append(["customer_id", "name", "title", "role", "attitude", "influence", "birthday"])
    contacts.append(["C1", f"Zhao {RLO}oahZ", f"CTO{RLM}", "decision_maker", "supporter", 5, None])
    roles = ("decision_maker", "influencer", "champion", "user", "gatekeeper")
    atts = ("supporter", "neutral", "opponent")
    for i in range(N_CONTACTS):
        # Person 0004, 0009, …: influence 5; the rest less.
        contacts.append(["C2", f"Person {i:04d}", f"Engineer grade {i % 7}", roles[i % 5], atts[i % 3],
                         1 + i % 5, f"1980-{10 + i % 3}-{1 + i % 28:02d}"])
    plans = wb.create_sheet("Plans")
    plans.append(["customer_id", "objective", "action", "owner", "due", "status"])
    plans.append(["C1", f"Grow {RLO}worG", "Visit", "Wang", "2026-12-01", "open"])
    for i in range(N_ROWS):
        # Three overdue actions among many done ones: the PDF must show them.
        status, due = ("open", "2026-08-01") if i % 200 == 7 else ("done", f"2026-0{1 + i % 9}-15")
        action = f"Action {i:04d} {status}"
        if i == 407:                        # a 24,000-character cell among them
            action += " LONG-ACTION-START " + "call the buyer again; " * 1000 + "LONG-ACTION-END"
        plans.append(["C2", f"Objective {i:04d}", action, "Li", due, status])
    acts = wb.create_sheet("Activities")
    acts.append(["customer_id", "date", "type", "owner", "minutes", "summary"])
    for i in range(N_ROWS - 1):
        acts.append(["C2", f"2026-{1 + i % 9:02d}-{1 + i % 28:02d}", "visit", "Li", 30,
                     f"Visit {i:04d}: " + "talked about the roadmap and prices. " * 2])
    acts.append(["C2", "2026-09-29", "meeting", "Li", 90,
                 "LONG-SUMMARY-START " + "the board discussed the whole portfolio. " * 60 + "LONG-SUMMARY-END"])
    comps = wb.create_sheet("Competitors")
    comps.append(["customer_id", "competitor", "share", "strengths", "weaknesses"])
    for i in range(40):
        comps.append(["C2", f"Rival {i:02d}", f"{1 + i % 20}%", "price", "service"])
    settings = wb.create_sheet("Settings")
    settings.append(["key", "value"])
    settings.append(["language", "en"])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The period folder of one build of the workbook above."""
    tmp = tmp_path_factory.mktemp("bounds")
    book = _workbook(tmp / "bounds.xlsx")
    out = tmp / "out"
    res = CliRunner().invoke(main, ["build", str(book), "--out", str(out), "--format", "html,pdf,json",
                                    "--jobs", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    return out / "2026Q3"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
                          ).stdout.decode()


# ----------------------------------------------------------------- bidi

def test_no_bidi_control_reaches_html(built):
    for name in ("accounts/C1.html", "index.html", "booklet.html"):
        html = (built / name).read_text(encoding="utf-8")
        assert not BIDI_RE.search(html), (name, [hex(ord(c)) for c in BIDI_RE.findall(html)])
        assert "&#x202E;" not in html and "&#8238;" not in html
    page = (built / "accounts/C1.html").read_text(encoding="utf-8")
    assert "Acme dnalloH Trading" in page
    assert "Order 12345 due today" in page


def test_bidi_controls_do_not_reverse_pdf_text(built):
    text = _pdf_text(built / "accounts/C1.pdf")
    assert "12345 due today" in text, text
    assert "T-77 open" in text
    assert "ZYX now" in text
    assert "Grow worG" in text


def test_markdown_entities_and_filter_strip_bidi():
    from kamreport.build.jobs import make_env
    from kamreport.report.sanitize import markdown_to_html
    assert not BIDI_RE.search(markdown_to_html("a &#x202E; b &#8238; c &#x2067; d \u200f e"))
    env = make_env("en", "CNY")
    out = env.from_string('{{ x }}|{{ x|md }}|{{ "k " ~ x }}|<i title="{{ x }}"></i>').render(x=f"A{RLO}B")
    assert out == 'AB|<p>AB</p>|k AB|<i title="AB"></i>'


# ----------------------------------------------------------------- templates

def _render_user(tmp_path: Path, source: str, ctx: dict | None = None) -> str:
    from kamreport.build import jobs as render
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    (folder / "t.html").write_text(source, encoding="utf-8")
    return render.render_template(render.make_env("en", "CNY", folder), "t.html", ctx or {})


@pytest.mark.parametrize("source", [
    "{{ t.__globals__ }}",                                  # a function's module globals
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",       # the classic escape
    "{{ account.update({'name': 'x'}) }}",                  # mutating the context
    "{{ rows.append(1) }}",
])
def test_user_templates_run_in_the_sandbox(tmp_path, source):
    from kamreport.errors import KamError
    with pytest.raises(KamError, match=r"t\.html"):
        _render_user(tmp_path, source, {"account": {"name": "A"}, "rows": []})


def test_user_template_still_reads_its_context(tmp_path):
    assert _render_user(tmp_path, "{{ account.name }} {{ t('notes') }} {{ 3|pct }}",
                        {"account": {"name": "A"}}) .startswith("A Notes ")


def _outside(tmp_path: Path) -> Path:
    far = tmp_path / "elsewhere"
    far.mkdir()
    (far / "secret.html").write_text("KAM-SECRET-OUTSIDE", encoding="utf-8")
    return far


def test_symlinked_template_outside_the_folder_is_refused(tmp_path):
    from kamreport.build import jobs as render
    from kamreport.errors import KamError
    far = _outside(tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "account.html").symlink_to(far / "secret.html")
    (folder / "uses.html").write_text('{% include "sub/secret.html" %}', encoding="utf-8")
    (folder / "sub").symlink_to(far, target_is_directory=True)
    env = render.make_env("en", "CNY", folder)
    for name in ("account.html", "uses.html", "sub/secret.html"):
        with pytest.raises(KamError, match="outside that folder") as e:
            render.render_template(env, name, {})
        assert "KAM-SECRET-OUTSIDE" not in str(e.value)


def test_symlinks_inside_the_folder_are_fine(tmp_path):
    from kamreport.build import jobs as render
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.html").write_text("A{{ 1 }}", encoding="utf-8")
    (real / "b.html").symlink_to(real / "a.html")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)    # the folder itself a link
    env = render.make_env("en", "CNY", tmp_path / "link")
    assert render.render_template(env, "b.html", {}) == "A1"


def test_build_with_a_symlink_out_of_the_templates_folder_is_one_line(tmp_path):
    far = _outside(tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "style.css").symlink_to(far / "secret.html")
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["customer_id", "name", "designated_key"])
    ws.append(["C1", "One", "yes"])
    sales = wb.create_sheet("Sales")
    sales.append(["customer_id", "month", "revenue"])
    sales.append(["C1", "2026-09", 1000])
    wb.save(book)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(book), "--out", str(out), "--format", "html",
                                    "--templates", str(folder), "--jobs", "1", "--quiet"])
    assert res.exit_code == 1, res.output
    assert "style.css leads outside that folder" in res.output
    assert "Traceback" not in res.output and "KAM-SECRET-OUTSIDE" not in res.output
    assert not (out / "2026Q3").exists()


def test_packaged_templates_fail_on_an_undefined_variable():
    from kamreport.build import jobs as render
    from kamreport.errors import KamError
    env = render.make_env("en", "CNY")
    with pytest.raises(KamError, match="undefined"):
        render.render_template(env, env.from_string("<p>{{ acount }}</p>"), {"account": {}})


# ----------------------------------------------------------------- long notes

def test_long_notes_are_shortened_in_the_pdf_with_a_note_and_a_warning(built):
    assert len(LONG_NOTES) > 5000
    html = (built / "accounts/C3.html").read_text(encoding="utf-8")
    assert "END-OF-NOTES-MARKER" in html and "Paragraph 59" in html       # whole in the HTML
    assert "shortened" not in html
    text = " ".join(_pdf_text(built / "accounts/C3.pdf").split())
    assert "Paragraph 00" in text
    assert "END-OF-NOTES-MARKER" not in text                              # cut in the PDF ...
    assert "shortened — the first" in text and "full text in the HTML plan" in text   # ... visibly
    booklet = " ".join(_pdf_text(built / "booklet.pdf").split())
    assert "END-OF-NOTES-MARKER" not in booklet and "full text in the HTML plan" in booklet
    problems = (built / "problems.csv").read_text(encoding="utf-8-sig")
    assert "the notes of C3 are" in problems and "the account plan PDF shows the first" in problems
    assert "the notes of C1" not in problems and "the notes of C2" not in problems  # short notes: no warning
    summary = json.loads((built / "summary.json").read_text(encoding="utf-8"))
    assert summary["problems"]["warning"] >= 1


def test_shorten_markdown_cuts_at_a_boundary_and_labels_exist_in_both_languages():
    from kamreport.report import labels, views
    assert views.shorten_markdown("short", 2000) is None
    cut = views.shorten_markdown(LONG_NOTES, views.NOTES_PDF_MAX)
    assert len(cut) <= views.NOTES_PDF_MAX and LONG_NOTES.startswith(cut) and cut.endswith("line.")
    assert len(views.shorten_markdown("x" * 5000, 2000)) == 2000          # no boundary: a hard cut
    for key in ("notes_shortened", "notes_shortened_problem"):
        zh, en = labels.LABELS[key]
        assert "{n}" in zh and "{n}" in en and "{shown}" in zh and "{shown}" in en


# ----------------------------------------------------------------- long lists

def test_an_account_with_hundreds_of_rows_gives_a_bounded_pdf(built):
    pdf = built / "accounts/C2.pdf"
    assert len(PdfReader(pdf).pages) <= 6
    text = " ".join(_pdf_text(pdf).split())
    # the most relevant rows, and how many more, and where
    assert "Person 0004" in text and "Person 0001" not in text           # influence 5 first, 2 left out
    assert "the 20 most influential contacts; and 580 more — see the HTML plan" in text
    for i in (7, 207, 407):                                              # overdue actions come first
        assert f"Action {i:04d} open" in text
    assert "the first 12 actions, overdue and open first; and 588 more — see the HTML plan" in text
    assert "LONG-ACTION-START" in text and "LONG-ACTION-END" not in text
    assert "LONG-SUMMARY-START" in text and "LONG-SUMMARY-END" not in text   # the latest, shortened
    assert "the latest 8 touches; 592 more activities in the HTML plan" in text     # touches only (issue 16)
    assert "long texts are shortened in the PDF" in text
    assert "and 32 more — see the HTML plan" in text                    # competitors
    assert "the next 10 care dates; and 590 more — see the HTML plan" in text
    # the booklet's section of the account is the same bounded plan
    booklet = " ".join(_pdf_text(built / "booklet.pdf").split())
    assert "the 20 most influential contacts; and 580 more — see the HTML plan" in booklet


def test_the_html_plan_keeps_the_rows(built):
    html = (built / "accounts/C2.html").read_text(encoding="utf-8")
    assert all(f"Person {i:04d}" in html for i in range(N_CONTACTS))
    assert all(f"Action {i:04d} " in html for i in range(N_ROWS))
    assert html.count("Rival ") == 40 and "LONG-SUMMARY-END" in html and "LONG-ACTION-END" in html
    assert "see the HTML plan" not in html and "most influential" not in html
    # activities: the latest 200, and where the older ones are
    assert html.count("<td class=\"md\"><p>Visit ") == 199
    assert "the latest 200 activities; 400 older ones are in the workbook" in html


def test_more_labels_say_where_the_rest_is_in_both_languages():
    from kamreport.report import labels
    for key in ("more_contacts_pdf", "more_plans_pdf", "more_activities_pdf", "more_competitors_pdf",
                "more_care_pdf"):
        zh, en = labels.LABELS[key]
        assert "{n}" in zh and "{shown}" in zh and "网页版客户计划" in zh, key
        assert "{n}" in en and "{shown}" in en and "see the HTML plan" in en, key
    zh, en = labels.LABELS["more_activities_html"]
    assert "工作簿" in zh and "workbook" in en


def test_for_pdf_keeps_the_first_rows_and_says_how_many_more_in_chinese():
    from kamreport.report import labels, views
    t = labels.translator("zh")
    rows = list(range(1234))
    cut = views._for_pdf(rows, 12, t, "more_plans_pdf")
    assert cut["rows"] == rows[:12] and cut["more"] == 1222
    assert cut["note"] == "此处显示前 12 项行动（逾期与进行中优先）；另有 1,222 项，见网页版客户计划"
    assert cut["texts_note"] is None
    assert views._for_pdf(rows[:12], 12, t, "more_plans_pdf")["note"] is None
    long = [{"action": "很长的行动 " * 100, "owner": "王"}]
    clipped = views._for_pdf(long, 12, t, "more_plans_pdf", ("action", "owner"))
    assert clipped["rows"][0]["action"].endswith(" …") and len(clipped["rows"][0]["action"]) <= views.TEXT_PDF_MAX + 2
    assert clipped["rows"][0]["owner"] == "王" and long[0]["action"].startswith("很长")   # a copy
    assert clipped["texts_note"] == "较长的文字在 PDF 中已截短（…），全文见网页版客户计划"


def _outline_titles(items) -> list[str]:
    out = []
    for item in items:
        out += _outline_titles(item) if isinstance(item, list) else [item.title]
    return out


def test_bidi_controls_reach_neither_the_pdf_header_nor_the_outline(built):
    # The account plan's top-right header and the booklet's outline are
    # drawn from the name outside Jinja (build.py), so they strip it there.
    plan = PdfReader(built / "accounts/C1.pdf")
    header = plan.pages[0].extract_text()
    assert "Acme dnalloH Trading · 2026Q3" in header, header
    assert not BIDI_RE.search(header), [hex(ord(c)) for c in BIDI_RE.findall(header)]
    assert not BIDI_RE.search(str(plan.metadata.title)), plan.metadata.title
    titles = _outline_titles(PdfReader(built / "booklet.pdf").outline)
    assert "Acme dnalloH Trading" in titles, titles
    assert not any(BIDI_RE.search(t) for t in titles), titles


def test_the_booklet_care_calendar_is_bounded_in_the_pdf_and_whole_in_the_html(built):
    from kamreport.report import views
    reader = PdfReader(built / "booklet.pdf")
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    first = next(i for i, p in enumerate(pages) if "Care calendar" in p and "Days away" in p)
    more_re = re.compile(r"the next (\d+) care dates; and ([\d,]+) more — see the HTML booklet")
    last = next((i for i in range(first, len(pages)) if more_re.search(pages[i])), None)
    assert last is not None and last - first <= 2, (first, last)       # was 35 pages for 600 contacts
    m = more_re.search(pages[last])
    shown, more = int(m[1]), int(m[2].replace(",", ""))
    assert shown == views.BOOKLET_CARE_PDF and more >= N_CONTACTS - shown
    assert "Person 0000" in pages[first] and f"Person {N_CONTACTS - 1:04d}" not in " ".join(pages[first:last + 1])
    html = (built / "booklet.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="care"'):]
    section = section[:section.index("</section>")]
    assert section.count("<tr>") - 1 == shown + more                     # every date, no note
    assert "see the HTML booklet" not in html


def test_more_care_booklet_label_in_both_languages():
    from kamreport.report import labels, views
    zh, en = labels.LABELS["more_care_booklet_pdf"]
    assert "网页版手册" in zh and "see the HTML booklet" in en
    cut = views._for_pdf(list(range(45)), 40, labels.translator("zh"), "more_care_booklet_pdf")
    assert cut["note"] == "此处显示最近的 40 项关怀日程；另有 5 项，见网页版手册"
