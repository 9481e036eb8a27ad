"""Shared fixtures. Keep this small: a built period folder made without the
build (for delivery tests) and a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import copy
import json
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SMTP_USER = "kam-bot"
SMTP_PASSWORD = "s3cr3t-Pa55-密码"     # non-ASCII on purpose: must never leak in any encoding


# ---------------------------------------------------------------- messages

@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Messages fall back to the locale's language (README "Messages"): the
    tests assume a non-Chinese one, whatever the machine's."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LC_MESSAGES", "C.UTF-8")


# ---------------------------------------------------------------- PDFs

@pytest.fixture(scope="session")
def tiny_pdfs() -> dict[str, bytes]:
    """Two small real PDFs (booklet, account plan), rendered once per session."""
    from weasyprint import HTML
    html = '<html><head><meta charset="utf-8"></head><body><h1>{}</h1></body></html>'
    return {"booklet": HTML(string=html.format("重点客户季度报告 booklet")).write_pdf(),
            "account": HTML(string=html.format("客户计划 account plan")).write_pdf()}


def summary_doc(period: str = "2026Q3", language: str = "zh") -> dict:
    """summary.json of SPEC §6 shape plus "settings", hand-made for 3 customers."""
    return {
        "schema": "kamreport.summary/1", "generator": "kamreport 1.0.0",
        "period": period, "as_of": "2026-09-30", "language": language,
        "inputs": [{"path": "inputs/sample.xlsx", "sha256": "0" * 64}],
        "rows": {"Customers": {"read": 4, "accepted": 3, "rejected": 1}},
        "problems": {"fatal": 0, "error": 1, "warning": 2},
        "portfolio": {"customers": 3, "tiers": {"key": 2, "ordinary": 1, "prospect": 0, "unattractive": 0},
                      "revenue_q": 1234567.0, "revenue_ttm": 4000000.0, "gross_profit_ttm": 900000.0,
                      "growth_qoq": 0.125, "growth_yoy": -0.05, "nps": 35.0,
                      "time_share": {"key": 0.6, "ordinary": 0.3, "other": 0.1}},
        "accounts": [
            {"customer_id": "C001", "name": "华东精密 <b>制造</b>", "tier": "key", "score": 81.5,
             "risks": [{"code": "REVENUE_DROP", "severity": "high", "message": "销售额同比下降 45.0 %"},
                       {"code": "ACTION_OVERDUE", "severity": "medium", "message": "1 项行动逾期"}],
             "files": {"html": "accounts/C001.html", "pdf": "accounts/C001.pdf"}},
            {"customer_id": "C/002", "name": "Acme & Sons", "tier": "key", "score": 70.0,
             "risks": [{"code": "NO_ACCOUNT_MANAGER", "severity": "high", "message": "没有客户经理"}],
             "files": {"html": "accounts/C_002.html", "pdf": "accounts/C_002.pdf"}},
            {"customer_id": "C003", "name": "普通客户", "tier": "ordinary", "score": 50.0, "risks": [],
             "files": {}},
        ],
        "managers": [],
        "outputs": ["index.html", "booklet.html", "booklet.pdf", "accounts/C001.pdf", "accounts/C_002.pdf"],
        "settings": {"company": "", "report_title": "", "language": language, "currency": "CNY",
                     "mail_to": [], "mail_subject": ""},
    }


@pytest.fixture
def make_built(tmp_path, tiny_pdfs):
    """make_built(period=..., language=..., settings={...}, **top-level overrides)
    -> the out root holding OUT/<period>/ as build would leave it."""
    def make(period: str = "2026Q3", language: str = "zh", settings: dict | None = None,
             out: Path | None = None, **overrides) -> Path:
        out = out or tmp_path / "out"
        folder = out / period
        (folder / "accounts").mkdir(parents=True, exist_ok=True)
        doc = copy.deepcopy(summary_doc(period, language))
        doc["settings"].update(settings or {})
        doc.update(overrides)
        (folder / "summary.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        (folder / "booklet.pdf").write_bytes(tiny_pdfs["booklet"])
        (folder / "accounts" / "C001.pdf").write_bytes(tiny_pdfs["account"])
        (folder / "accounts" / "C_002.pdf").write_bytes(tiny_pdfs["account"] + b"\n% C_002\n")
        (folder / "problems.csv").write_text("severity,file,sheet,row,column,header,value,message\n",
                                             encoding="utf-8")
        return out
    return make


# ---------------------------------------------------------------- SMTP

def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    authenticated: bool


@dataclass
class Recorder:
    """aiosmtpd handler: records every message and every command verb seen;
    refuses the recipients in `reject` with 550."""
    reject: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content,
                                      server.transport.get_extra_info("ssl_object") is not None,
                                      bool(session.authenticated)))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def tls_ca(tmp_path_factory):
    """A private CA (trustme) and a server certificate for 127.0.0.1."""
    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    cafile = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return {"server_ctx": server_ctx, "cafile": str(cafile)}


@pytest.fixture
def smtp_server(tls_ca):
    """smtp_server(security="none"|"starttls"|"ssl", auth=False, reject=())
    starts aiosmtpd on 127.0.0.1:<free port>; returns (port, Recorder)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == SMTP_USER.encode()
              and auth_data.password == SMTP_PASSWORD.encode())
        return AuthResult(success=ok, handled=False)

    started = []

    def start(security: str = "none", auth: bool = False, reject=()):
        recorder = Recorder(reject=set(reject))
        kwargs = {}
        if security == "starttls":
            kwargs["tls_context"] = tls_ca["server_ctx"]
        if security == "ssl":
            kwargs["ssl_context"] = tls_ca["server_ctx"]
        if auth:
            kwargs["authenticator"] = authenticator
            kwargs["auth_require_tls"] = security == "starttls"
        port = free_port()
        ctl = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
        ctl.start()
        started.append(ctl)
        return port, recorder

    yield start
    for ctl in started:
        ctl.stop()


@pytest.fixture(scope="session")
def small_books(tmp_path_factory) -> dict[str, Path]:
    """A 6-customer sample workbook in each language (seed 3), read-only."""
    from kamreport.sample.workbooks import write_workbook
    root = tmp_path_factory.mktemp("small-books")
    out = {}
    for lang in ("zh", "en"):
        out[lang] = root / f"s-{lang}.xlsx"
        write_workbook(str(out[lang]), lang=lang, customers=6, seed=3)
    return out
