"""Hostile content meets the renderer (SECURITY.md cases 8–11, 14).

A real HTTP server on 127.0.0.1 counts requests: rendering must make none,
and no local secret may end up in a PDF.
"""
from __future__ import annotations

import http.server
import io
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from kamreport.pdf import booklet as pdf_booklet, fetcher as pdf_fetcher, pieces as pdf_pieces
from kamreport.build import jobs as render
from kamreport.atomic import write_atomic
from kamreport.cli import main

SECRET = "KAM-SECRET-31415926"


@pytest.fixture()
def server():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.end_headers()
            self.wfile.write(f"<svg xmlns='http://www.w3.org/2000/svg'><text>{SECRET}</text></svg>".encode())

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    srv.shutdown()
    srv.server_close()


@pytest.fixture()
def secret(tmp_path) -> Path:
    p = tmp_path / "secret.txt"
    p.write_text(SECRET, encoding="utf-8")
    return p


def payloads(base: str, secret: Path) -> str:
    """Markdown / raw HTML of SECURITY.md cases 8 and 9, one per paragraph."""
    rel = "../" * 12 + str(secret).lstrip("/")
    return "\n\n".join([
        "<script>document.write('x')</script>",
        "[js](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        f"![]({secret.as_uri()})",
        f"![]({rel})",
        f"![]({base}/markdown-image.png)",
        f'<p style="background: url({base}/inline-style)">styled</p>',
        f"<style>@import url({base}/import); body {{ background: url({base}/style-tag) }}</style>",
        f'<a rel="attachment" href="{secret.as_uri()}">attachment</a>',
        f'<link rel="attachment" href="{secret.as_uri()}">',
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg-image" width="9" height="9"/></svg>',
        f'<object data="{base}/object"></object><iframe src="{base}/iframe"></iframe>',
    ])


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_raw_payloads_reach_nothing_even_unsanitised(server, secret):
    """Defence in depth: the fetcher alone stops every fetch, even if HTML
    escaped the sanitiser (here the payloads go straight into the page)."""
    base, hits = server
    rel = "../" * 12 + str(secret).lstrip("/")
    html = textwrap.dedent(f"""\
        <html><head>
        <link rel="stylesheet" href="{base}/stylesheet.css">
        <link rel="attachment" href="{secret.as_uri()}">
        <style>@import url({base}/import.css); @font-face {{ font-family: X; src: url({base}/font.woff) }}
        body {{ background: url({base}/css-bg) }} p {{ background-image: url({secret.as_uri()}) }}</style>
        </head><body>
        <img src="{secret.as_uri()}"><img src="{rel}"><img src="{base}/img">
        <a rel="attachment" href="{secret.as_uri()}">att</a>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">
          <image href="{base}/svg-image" width="9" height="9"/>
          <image xlink:href="{secret.as_uri()}" width="9" height="9"/></svg>
        <object data="{base}/object"></object><embed src="{base}/embed"><iframe src="{base}/iframe"></iframe>
        <p style="background: url({base}/inline)">text</p>
        </body></html>""")
    fetcher = pdf_fetcher.make_fetcher(render.packaged_dir())
    with pdf_fetcher.capture_warnings() as cap:
        when = datetime(2026, 9, 30, tzinfo=timezone.utc)
        piece = pdf_pieces.layout_and_write(html, render.packaged_dir().as_uri() + "/", fetcher, when=when)
    data = pdf_booklet.assemble([piece], None, pdf_pieces.Meta("T", "", "", "zh", when, "x"))
    assert hits == []
    assert SECRET.encode() not in data
    assert SECRET not in _pdf_text(data)
    assert not PdfReader(io.BytesIO(data)).attachments
    refused = [w for w in cap.warnings if "refused to fetch" in w]
    assert len(refused) >= 8, cap.warnings        # surfaced, not silent


def _hostile_workbook(path: Path, notes: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["customer_id", "name", "designated_key", "account_manager", "notes"])
    ws.append(["../../x", "<b>粗体</b>客户", "yes", "王经理", notes])
    ws.append(["CON", "设备名客户", "yes", "<img src=x onerror=alert(1)>", "plain"])
    sales = wb.create_sheet("Sales")
    sales.append(["customer_id", "month", "revenue"])
    for cid in ("../../x", "CON"):
        for month in ("2026-07", "2026-08", "2026-09"):
            sales.append([cid, month, 1000])
    wb.save(path)


def test_build_with_hostile_workbook(tmp_path, server, secret):
    """Cases 8–11 end to end: payloads in notes, markup in names, hostile ids."""
    base, hits = server
    book = tmp_path / "hostile.xlsx"
    _hostile_workbook(book, payloads(base, secret))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(book), "--out", str(out), "--jobs", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    assert hits == []
    period = out / "2026Q3"
    written = sorted(p.relative_to(period).as_posix() for p in period.rglob("*") if p.is_file())
    assert "accounts/____x.pdf" in written and "accounts/CON_.html" in written
    assert all(p.resolve().is_relative_to(period.resolve()) for p in period.rglob("*"))
    for name in written:
        data = (period / name).read_bytes()
        assert SECRET.encode() not in data, name
        if name.endswith(".html"):
            text = data.decode()
            assert "<b>粗体</b>" not in text, name                       # case 10: escaped if shown
            # The manager's "<img onerror>" may only appear escaped, as text.
            assert "onerror" not in text.replace("&lt;img src=x onerror=alert(1)&gt;", ""), name
            assert "document.write" not in text, name
            assert "javascript:" not in text.lower(), name
            assert base not in text and str(secret) not in text, name
        if name.endswith(".pdf"):
            assert SECRET not in _pdf_text(data)
            assert not PdfReader(io.BytesIO(data)).attachments
    html = (period / "accounts" / "____x.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;粗体&lt;/b&gt;客户" in html
    assert "<b>粗体</b>" not in (period / "index.html").read_text(encoding="utf-8")
    assert "<b>粗体</b>客户" in _pdf_text((period / "accounts" / "____x.pdf").read_bytes())  # shown as text


KILL_SCRIPT = """
import os, sys, time
from kamreport.atomic import write_atomic
def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)
os.fsync = slow_fsync
write_atomic(sys.argv[1], b"N" * 5_000_000)
"""


def test_killed_mid_write_leaves_the_old_file(tmp_path):
    """Case 14: a build killed while writing never leaves a truncated file."""
    target = tmp_path / "booklet.pdf"
    write_atomic(target, b"OLD COMPLETE FILE")
    with subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(target)], stdout=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout.readline().strip() == "writing"
            proc.kill()
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert target.read_bytes() == b"OLD COMPLETE FILE"
    # The half-written temporary file is hidden and never at the final path.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "booklet.pdf"]
    assert all(name.startswith(".booklet.pdf.") and name.endswith(".tmp") for name in leftovers)
