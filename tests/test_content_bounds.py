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
from kamreport.sanitize import BIDI_CONTROLS

RLO, PDF_, RLI, PDI, RLM = "\u202e", "\u202c", "\u2067", "\u2069", "\u200f"
BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")

BIDI_NAME = f"Acme {RLO}dnalloH{PDF_} Trading"
BIDI_NOTES = f"Order {RLO}12345 due{PDF_} today; ticket {RLI}T-77 open{PDI}{RLM} &#x202E;ZYX now."
N_CONTACTS = 600


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["customer_id", "name", "designated_key", "account_manager", "notes"])
    ws.append(["C1", BIDI_NAME, "yes", f"Wang {RLO}gnaW", BIDI_NOTES])
    ws.append(["C2", "Big Contacts Co", "yes", "Li", "short note"])
    sales = wb.create_sheet("Sales")
    sales.append(["customer_id", "month", "revenue"])
    for cid in ("C1", "C2"):
        for month in ("2026-07", "2026-08", "2026-09"):
            sales.append([cid, month, 1000])
    contacts = wb.create_sheet("Contacts")
    contacts.append(["customer_id", "name", "title", "role", "attitude", "influence"])
    contacts.append(["C1", f"Zhao {RLO}oahZ", f"CTO{RLM}", "decision_maker", "supporter", 5])
    roles = ("decision_maker", "influencer", "champion", "user", "gatekeeper")
    atts = ("supporter", "neutral", "opponent")
    for i in range(N_CONTACTS):
        contacts.append(["C2", f"Person {i:04d}", f"Engineer grade {i % 7}", roles[i % 5], atts[i % 3],
                         1 + i % 5])
    plans = wb.create_sheet("Plans")
    plans.append(["customer_id", "objective", "action", "owner", "due", "status"])
    plans.append(["C1", f"Grow {RLO}worG", "Visit", "Wang", "2026-12-01", "open"])
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
    from kamreport.render import make_env
    from kamreport.sanitize import markdown_to_html
    assert not BIDI_RE.search(markdown_to_html("a &#x202E; b &#8238; c &#x2067; d \u200f e"))
    env = make_env("en", "CNY")
    out = env.from_string('{{ x }}|{{ x|md }}|{{ "k " ~ x }}|<i title="{{ x }}"></i>').render(x=f"A{RLO}B")
    assert out == 'AB|<p>AB</p>|k AB|<i title="AB"></i>'
