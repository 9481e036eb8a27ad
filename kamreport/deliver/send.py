"""Deliver a built period by mail (SPEC §7 `send`): the booklet PDF, and with
`--attach-accounts` the account plans, to leadership over SMTP.

`send` only reads what `build` wrote (OUT/<period>/summary.json and the
PDFs); it never recomputes anything, so the mail says exactly what the
booklet says. One message per recipient: a rejected recipient then costs
that recipient only, and the send log (mail/sent.json) can record each
delivery, so a rerun of an unattended job never mails anyone twice.

The log records a recipient before its message is handed to the server
("pending", state "sending") and again after the server's 250 ("sent"), each
write durable (temporary file, fsync, rename, fsync of the folder). A
connection that breaks after the final "." of DATA went out, or a run killed
in between, leaves the recipient as "may have been delivered": reported, and
never sent again without --resend. A log that cannot be written stops the
run before the next message; nothing is sent that could not be recorded.
Every socket read and write has a timeout (KAMREPORT_SMTP_TIMEOUT) and the
whole conversation a deadline (KAMREPORT_SMTP_DEADLINE).

Safety rules, because the job runs unattended with a password in its
environment:
- TLS always verifies the server certificate (a private CA comes from
  KAMREPORT_SMTP_CAFILE); `starttls` never falls back to plain text.
- The password is held in a field that is not in any repr, sent only over
  TLS (or to a loopback relay), and scrubbed from every error message.
- Subject, sender and recipients are checked for CR/LF and other control
  characters (header injection) before anything is built.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import re
import smtplib
import socket
import ssl
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import click

from ..atomic import write_atomic
from ..errors import KamError, in_language
from .. import fmt
from ..texts import TEXTS, Text, text

log = logging.getLogger(__name__)

SENT_SCHEMA = "kamreport.sent/1"
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 30.0                      # seconds per SMTP operation (KAMREPORT_SMTP_TIMEOUT)
DEADLINE = 900.0                    # seconds for the whole conversation (KAMREPORT_SMTP_DEADLINE)
_CHUNK = 64 * 1024                  # a big message is written in pieces, each under the timeout
_MAX_REPLY = 64 * 1024              # bytes of one (multi-line) reply: a flood of 250- lines ends
# The reply to the end of DATA may take long: servers scan the attachments
# first (RFC 5321 4.5.3.2.6 allows 10 minutes). Giving up early would make a
# delivered message "may have been delivered".
_FINAL_REPLY_STEPS = 10
BIG_MESSAGE = 20 * 1024 * 1024      # many servers refuse mails above 20–25 MB
MAX_RISKS_LISTED = 15

# policy.SMTP (CRLF line ends) with 7-bit transfer encodings: a relay
# without 8BITMIME still gets a valid message; non-ASCII headers become
# RFC 2047 words and non-ASCII file names RFC 2231 parameters.
POLICY = email_policy.SMTP.clone(cte_type="7bit")

_LABEL = re.compile(r"^(\d{4})Q([1-4])$|^(\d{4})-(\d{2})$")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>$")


# --------------------------------------------------------------------------
# Texts (zh / en): the catalog's `mail.` entries (kamreport/texts/mail.py)

LANGUAGES = ("zh", "en")


def _mail_texts(lang: str) -> dict[str, str]:
    """The mail's words in `lang`, by their key without the `mail.` prefix."""
    return {k[len("mail."):]: text(k, lang) for k in TEXTS if k.startswith("mail.")}


# --------------------------------------------------------------------------
# Configuration

@dataclass(frozen=True)
class SmtpConfig:
    """SMTP settings from the environment. The password is excluded from
    repr so that no traceback, log line or assertion message can show it."""
    host: str
    port: int
    security: str                    # starttls | ssl | none
    user: str | None
    cafile: str | None
    mail_from: str | None
    timeout: float = TIMEOUT         # per socket read or write
    deadline: float = DEADLINE       # the whole SMTP conversation
    password: str | None = field(default=None, repr=False)

    @property
    def server(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host   # IPv6 literal
        return f"{host}:{self.port}"


def smtp_config(env: Mapping[str, str]) -> SmtpConfig:
    """Read KAMREPORT_SMTP_* / KAMREPORT_MAIL_FROM; host may be blank (dry run)."""
    def get(name: str) -> str | None:
        value = (env.get(name) or "").strip()
        return value or None

    security = (get("KAMREPORT_SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITIES:
        raise KamError("send.security", value=security)
    port_text = get("KAMREPORT_SMTP_PORT")
    if port_text is None:
        port = DEFAULT_PORTS[security]
    else:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise KamError("send.port", value=port_text, default=DEFAULT_PORTS[security], security=security)
        port = int(port_text)
    host = get("KAMREPORT_SMTP_HOST") or ""
    if host:
        _check_text(host, "KAMREPORT_SMTP_HOST")
    cafile = get("KAMREPORT_SMTP_CAFILE")
    if cafile and not Path(cafile).is_file():
        raise KamError("send.cafile_missing", path=cafile)
    return SmtpConfig(host=host, port=port, security=security, user=get("KAMREPORT_SMTP_USER"),
                      cafile=cafile, mail_from=get("KAMREPORT_MAIL_FROM"),
                      timeout=_seconds(get("KAMREPORT_SMTP_TIMEOUT"), "KAMREPORT_SMTP_TIMEOUT", TIMEOUT),
                      deadline=_seconds(get("KAMREPORT_SMTP_DEADLINE"), "KAMREPORT_SMTP_DEADLINE", DEADLINE),
                      password=env.get("KAMREPORT_SMTP_PASSWORD") or None)


def _seconds(text: str | None, name: str, default: float) -> float:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86400:       # also refuses nan and inf: a wait must end
        raise KamError("send.seconds", name=name, value=text, default=default)
    return value


# --------------------------------------------------------------------------
# Header safety and addresses

def _bad_char(text: str) -> tuple[int, str] | None:
    """First control character (C0/C1, DEL, line/paragraph separators, bidi
    overrides) in `text`: any of them can split a header or spoof it."""
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp") or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
            return i, ch
    return None


def _check_text(text: str, what: str | Text) -> None:
    bad = _bad_char(text)
    if bad:
        i, ch = bad
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise KamError("send.control_char", what=what, code=f"{ord(ch):04X}", position=i + 1, shown=shown)


def parse_address(text: str, what: str | Text) -> Address:
    """One address, `name@example.com` or `Name <name@example.com>`.

    Deliberately strict (ASCII dot-atom local part, DNS-label domain): the
    address goes into the SMTP envelope, where anything odd is either a
    mistake or an injection attempt.
    """
    _check_text(text, what)
    raw = text.strip()
    m = _NAMED.match(raw)
    name, addr = (m.group("name").strip().strip('"').strip(), m.group("addr").strip()) if m else ("", raw)
    local, at, domain = addr.rpartition("@")
    ok = (at and len(addr) <= 254 and len(local) <= 64 and _LOCAL.match(local)
          and all(_DOMAIN_LABEL.match(label) for label in domain.split(".")))
    if not ok:
        raise KamError("send.bad_address", what=what, value=text)
    return Address(display_name=name, username=local, domain=domain)


def parse_recipients(entries: list[str], what: str | Text) -> list[Address]:
    """Recipients from repeated --to (or the mail_to setting); commas and
    semicolons also separate. Duplicates (case-insensitive) are dropped."""
    out: list[Address] = []
    seen: set[str] = set()
    for entry in entries:
        _check_text(entry, what)
        for part in re.split(r"[,;]", entry):
            if part.strip():
                addr = parse_address(part, what)
                if addr.addr_spec.lower() not in seen:
                    seen.add(addr.addr_spec.lower())
                    out.append(addr)
    return out


# --------------------------------------------------------------------------
# The built period

@dataclass(frozen=True)
class BuiltPeriod:
    label: str
    folder: Path
    summary: dict

    @property
    def settings(self) -> dict:
        return self.summary.get("settings") or {}

    @property
    def language(self) -> str:
        lang = self.settings.get("language") or self.summary.get("language")
        return lang if lang in LANGUAGES else "en"


def _label_key(label: str) -> tuple[int, int]:
    """Sort key: the period's last month (2026Q3 -> Sep 2026, 2026-08 -> Aug)."""
    m = _LABEL.match(label)
    assert m
    if m.group(1):
        return int(m.group(1)), int(m.group(2)) * 3
    return int(m.group(3)), int(m.group(4))


def _normalize_label(text: str) -> str:
    from ..engine.period import parse_period   # the same spellings as build
    return parse_period(text).label


def find_period(out_dir: str | os.PathLike, period: str | None) -> BuiltPeriod:
    """The period folder to send: `--period`, else the latest built period
    (the latest last month; between a quarter and the month that ends it,
    the one built last)."""
    root = Path(out_dir)
    built = sorted((p for p in (root.iterdir() if root.is_dir() else ())
                    if _LABEL.match(p.name) and (p / "summary.json").is_file()),
                   key=lambda p: (_label_key(p.name), (p / "summary.json").stat().st_mtime))
    if period:
        label = _normalize_label(period)
        folder = root / label
    elif built:
        folder = built[-1]
        label = folder.name
    else:
        raise KamError("send.nothing_built", root=root)
    others = ", ".join(p.name for p in built) or Text("send.none_built")
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise KamError("send.not_built", folder=folder, label=label, summary=summary_path, root=root,
                       others=others)
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise KamError("send.summary_unreadable", path=summary_path, reason=str(e)) from None
    if not isinstance(summary, dict) or not str(summary.get("schema", "")).startswith("kamreport.summary/"):
        raise KamError("send.not_summary", path=summary_path)
    built = BuiltPeriod(label=label, folder=folder, summary=summary)
    with in_language(built.language):      # from here on, the period's language is known
        fatal = (summary.get("problems") or {}).get("fatal") or 0
        if fatal:
            raise KamError("send.fatal_build", path=summary_path, label=label, fatal=fatal,
                           problems=folder / "problems.csv")
        if not (folder / "booklet.pdf").is_file():
            raise KamError("send.no_booklet", folder=folder)
    return built


# --------------------------------------------------------------------------
# Attachments

@dataclass(frozen=True)
class Attachment:
    file: str                 # relative to the period folder, as in sent.json
    filename: str             # as named in the mail (may be Chinese)
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _file_name(text: str) -> str:
    """A file name for a mail client: no path separators, no characters
    Windows refuses, no control characters, not too long."""
    text = "".join("_" if (_bad_char(c) or c in '/\\:*?"<>|') else c for c in text)
    text = re.sub(r"\s+", " ", text).strip(" .") or "report"
    return text[:120]


def _title(built: BuiltPeriod) -> str:
    t = _mail_texts(built.language)
    month = "-" in built.label
    return t["month_title"] if month else t["quarter_title"]


def collect_attachments(built: BuiltPeriod, attach_accounts: bool) -> list[Attachment]:
    t = _mail_texts(built.language)
    items = [Attachment("booklet.pdf", _file_name(f"{_title(built)} {built.label}.pdf"),
                        (built.folder / "booklet.pdf").read_bytes())]
    if attach_accounts:
        root = built.folder.resolve()
        for acc in built.summary.get("accounts") or []:
            rel = ((acc.get("files") or {}).get("pdf")) if isinstance(acc, dict) else None
            if not rel:
                continue
            path = (built.folder / rel).resolve()
            # summary.json is our own output, but a file name from it must
            # still never read outside the period folder.
            if root not in path.parents:
                raise KamError("send.plan_outside", path=built.folder / "summary.json", file=rel,
                               folder=built.folder)
            if not path.is_file():
                raise KamError("send.plan_missing", path=path)
            name = _file_name(f"{t['plan']} {acc.get('customer_id', '')} {acc.get('name') or ''}") + ".pdf"
            items.append(Attachment(str(Path(rel).as_posix()), name, path.read_bytes()))
    # Two customers with the same name and id spelling must not collide in a mail client.
    seen: dict[str, int] = {}
    unique = []
    for a in items:
        n = seen.get(a.filename.lower(), 0)
        seen[a.filename.lower()] = n + 1
        if n:
            stem = a.filename[:-4]
            a = Attachment(a.file, f"{stem} ({n + 1}).pdf", a.data)
        unique.append(a)
    return unique


# --------------------------------------------------------------------------
# The message

def default_subject(built: BuiltPeriod) -> str:
    company = (built.settings.get("company") or "").strip()
    subject = f"{_title(built)} {built.label}"
    return f"{company} {subject}" if company else subject


def subject_for(built: BuiltPeriod) -> str:
    """mail_subject, else the default. The period is always in the subject:
    `{period}` in mail_subject marks where; without it, it is appended, so
    that a fixed subject in the workbook still tells one month from the next."""
    custom = (built.settings.get("mail_subject") or "").strip()
    if not custom:
        subject = default_subject(built)
    elif "{period}" in custom:
        subject = custom.replace("{period}", built.label)
    else:
        subject = f"{custom} {built.label}"
    _check_text(subject, Text("send.what.subject", path=built.folder / "summary.json"))
    return subject


def high_risks(summary: dict, manager: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(customer_id, name, messages) of each account with a high risk, in
    summary order (tier, then score): the accounts to look at first; only
    those of account manager `manager` when given."""
    out = []
    for acc in summary.get("accounts") or []:
        if manager is not None and acc.get("account_manager") != manager:
            continue
        msgs = [str(r.get("message") or r.get("code") or "") for r in acc.get("risks") or []
                if r.get("severity") == "high"]
        if msgs:
            out.append((str(acc.get("customer_id", "")), str(acc.get("name") or ""), msgs))
    return out


def _width(text: str) -> int:
    """Columns on a fixed-width screen: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _facts(built: BuiltPeriod) -> list[tuple[str, str]]:
    t = _mail_texts(built.language)
    p = built.summary.get("portfolio") or {}
    currency = built.settings.get("currency") or ""
    nps = p.get("nps")
    return [
        (t["customers"], str(p.get("customers", "—"))),
        (t["key"], str((p.get("tiers") or {}).get("key", "—"))),
        (t["revenue_q"], fmt.mail_money(p.get("revenue_q"), currency)),
        (t["growth_qoq"], fmt.mail_pct(p.get("growth_qoq"))),
        (t["growth_yoy"], fmt.mail_pct(p.get("growth_yoy"))),
        (t["nps"], fmt.mail_signed(nps)),
    ]


def _pack_facts(built: BuiltPeriod, pack: dict) -> list[tuple[str, str]]:
    """The manager's scorecard row (summary.json "managers")."""
    t = _mail_texts(built.language)
    card = next((m for m in built.summary.get("managers") or []
                 if m.get("account_manager") == pack["account_manager"]), {})
    currency = built.settings.get("currency") or ""
    return [
        (t["key"], str(card.get("key", "—"))),
        (t["ordinary"], str(card.get("ordinary", "—"))),
        (t["revenue_q"], fmt.mail_money(card.get("revenue_q"), currency)),
        (t["growth_qoq"], fmt.mail_pct(card.get("growth_qoq"))),
        (t["overdue_actions"], str(card.get("overdue_actions", "—"))),
        (t["high_risk_count"], str(card.get("high_risks", "—"))),
    ]


def bodies(built: BuiltPeriod, attachments: list[Attachment], pack: dict | None = None) -> tuple[str, str]:
    """(plain text, HTML) bodies with the same content. Every value in the
    HTML is escaped: customer names and risk messages come from workbooks.
    `pack` (an entry of summary.json "packs"): the mail of that manager's
    pack — their scorecard and their accounts' high risks."""
    t = _mail_texts(built.language)
    greeting = t["greeting"]
    intro = t["intro"].format(period=built.label, as_of=built.summary.get("as_of", ""))
    facts = _facts(built)
    risks = high_risks(built.summary)
    title_key, more_key, headline = "high_risks", "more_risks", t["headline"]
    if pack is not None:
        greeting = t["pack_greeting"].format(name=pack["account_manager"])
        intro = t["pack_intro"].format(period=built.label, as_of=built.summary.get("as_of", ""),
                                       n=len(pack.get("accounts") or []))
        facts, risks = _pack_facts(built, pack), high_risks(built.summary, pack["account_manager"])
        title_key, more_key, headline = "pack_high_risks", "pack_more_risks", t["pack_card"]
    shown, more = risks[:MAX_RISKS_LISTED], len(risks) - MAX_RISKS_LISTED
    risk_title = t[title_key].format(accounts=len(risks), risks=sum(len(m) for _, _, m in risks))
    problems = built.summary.get("problems") or {}
    quality = (t["quality"].format(error=problems.get("error", 0), warning=problems.get("warning", 0))
               if problems.get("error") or problems.get("warning") else "")
    files = t["attached"].format(files=", ".join(a.filename for a in attachments))

    lines = [greeting, "", intro, "", headline]
    width = max(_width(k) for k, _ in facts)
    lines += [f"  {k}{' ' * (width - _width(k))}  {v}" for k, v in facts]
    lines += ["", risk_title if risks else t["no_high_risks"]]
    lines += [f"  - {name} ({cid}): {t['sep'].join(msgs)}" for cid, name, msgs in shown]
    if more > 0:
        lines.append("  " + t[more_key].format(n=more))
    if quality:
        lines += ["", quality]
    lines += ["", files, "", "-- ", t["footer"], ""]
    text = "\n".join(lines)

    e = html.escape
    rows = "".join(f'<tr><th style="text-align:left;padding:2px 12px 2px 0">{e(k)}</th>'
                   f'<td style="text-align:right">{e(v)}</td></tr>' for k, v in facts)
    items = "".join(f"<li><b>{e(name)}</b> ({e(cid)}): {e(t['sep'].join(msgs))}</li>"
                    for cid, name, msgs in shown)
    if more > 0:
        items += f"<li>{e(t[more_key].format(n=more))}</li>"
    risk_html = (f"<h3>{e(risk_title)}</h3><ul>{items}</ul>" if items
                 else f"<h3>{e(t['no_high_risks'])}</h3>")
    lang = "zh-CN" if built.language == "zh" else "en"
    doc = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
           f'<body style="font-family:sans-serif">'
           f"<p>{e(greeting)}</p><p>{e(intro)}</p>"
           f"<h3>{e(headline)}</h3><table>{rows}</table>"
           f"{risk_html}"
           + (f"<p>{e(quality)}</p>" if quality else "")
           + f"<p>{e(files)}</p><p style=\"color:#666\">{e(t['footer'])}</p></body></html>\n")
    return text, doc


def compose(built: BuiltPeriod, sender: Address, recipient: Address,
            attachments: list[Attachment], subject: str, pack: dict | None = None) -> EmailMessage:
    """multipart/mixed: multipart/alternative (text, HTML) + PDFs."""
    text, doc = bodies(built, attachments, pack)
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(idstring="kamreport", domain=sender.domain)
    # Unattended mail: keeps vacation auto-replies from answering it (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(doc, subtype="html")
    for a in attachments:
        msg.add_attachment(a.data, maintype="application", subtype="pdf", filename=a.filename)
    return msg


# --------------------------------------------------------------------------
# Files: the send log, a lock against overlapping runs (writes are atomic)

def read_sent_log(path: Path, label: str) -> dict:
    """{"schema", "period", "sent": [confirmed deliveries], "pending": [...]}.

    "pending" holds a recipient from just before its message is handed over
    (state "sending") until the server's 250 moves it to "sent"; one whose
    connection broke after the hand-over stays there as "uncertain". Logs
    written before "pending" existed have none: nothing is pending.
    """
    if not path.exists():
        return {"schema": SENT_SCHEMA, "period": label, "sent": [], "pending": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("sent"), list):
            raise ValueError('no "sent" list')
        data.setdefault("pending", [])
        if not isinstance(data["pending"], list) or not all(isinstance(e, dict) for e in data["pending"]):
            raise ValueError('"pending" is not a list of entries')
    except (OSError, UnicodeDecodeError, ValueError) as e:
        # Refuse rather than guess: a guess could mail leadership twice.
        raise KamError("send.log_unreadable", path=path, reason=str(e)) from None
    return data


def _same(entry: dict, addr: str, pack: str | None) -> bool:
    """An entry of the delivery of `pack` (a manager pack's file; None: the
    booklet mail) to `addr`. The log is kept per recipient and pack: a
    manager who was sent the booklet is still owed their pack."""
    return str(entry.get("to", "")).lower() == addr.lower() and entry.get("pack") == pack


def previous_send(sent_log: dict, addr: str, pack: str | None = None) -> dict | None:
    for entry in reversed(sent_log["sent"]):
        if _same(entry, addr, pack):
            return entry
    return None


def pending_send(sent_log: dict, addr: str, pack: str | None = None) -> dict | None:
    """The entry of a delivery to `addr` that was begun and never confirmed.

    Under the send lock no other run is delivering, so a "sending" entry is
    one whose run died (killed, power cut) mid-delivery: like "uncertain",
    the message may have been delivered."""
    for entry in reversed(sent_log.get("pending") or []):
        if _same(entry, addr, pack):
            return entry
    return None


def _fsync_dir(folder: Path) -> None:
    """write_atomic's rename is durable only once the folder itself is
    synced; without it a power cut can bring back the log of before."""
    if not hasattr(os, "O_DIRECTORY"):       # pragma: no cover - Windows cannot open a folder
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_sent_log(path: Path, sent_log: dict) -> None:
    """Durably, or an OSError (full disk, read-only folder): the caller stops."""
    write_atomic(path, (json.dumps(sent_log, ensure_ascii=False, indent=2) + "\n").encode())
    _fsync_dir(path.parent)


def _os_reason(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


@contextlib.contextmanager
def _send_lock(mail_dir: Path) -> Iterator[None]:
    """Two overlapping runs (a slow cron job and a manual one) must not both
    decide that nobody has been mailed yet."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        mail_dir.mkdir(parents=True, exist_ok=True)
        f = open(mail_dir / ".send.lock", "w")
    except OSError as e:
        raise KamError("send.lock_failed", path=mail_dir, reason=_os_reason(e)) from None
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise KamError("send.locked", path=mail_dir) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _eml_name(label: str, addr: str, pack: str | None = None) -> str:
    stem = f"{label}-" + (Path(pack).stem + "-" if pack else "") + addr.replace("@", "_at_")
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) + ".eml"


# --------------------------------------------------------------------------
# SMTP

class _Utf8Auth:
    """AUTH with UTF-8 credentials. smtplib encodes AUTH responses as ASCII,
    so a non-ASCII password fails with a UnicodeEncodeError whose message
    *contains the password*; RFC 4616 (PLAIN) defines UTF-8. Same protocol
    steps as smtplib.SMTP.auth otherwise (auth_login reads the counter)."""

    def auth(self, mechanism, authobject, *, initial_response_ok=True):
        def b64(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            code, resp = self.docmd("AUTH", f"{mechanism} {b64(initial)}")
            self._auth_challenge_count = 1
        else:
            code, resp = self.docmd("AUTH", mechanism)
            self._auth_challenge_count = 0
        while code == 334:
            self._auth_challenge_count += 1
            if self._auth_challenge_count > 5:
                raise smtplib.SMTPException("the server's AUTH exchange does not end")
            code, resp = self.docmd(b64(authobject(base64.decodebytes(resp))))
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_cram_md5(self, challenge=None):
        if challenge is None:
            return None
        return self.user + " " + hmac.HMAC(self.password.encode("utf-8"), challenge, "md5").hexdigest()


class _SmtpTimeout(smtplib.SMTPServerDisconnected):
    """No progress within the per-step timeout, or the whole send's
    deadline passed. A kind of SMTPServerDisconnected (the socket is closed
    when it is raised), so smtplib's own clean-up treats it as such."""

    def __init__(self, deadline: bool, after: float = 0.0, final: bool = False):
        self.deadline, self.after, self.final = deadline, after, final
        super().__init__("the send deadline passed" if deadline else f"timed out after {after:g} s")


class _Guarded:
    """Every socket read and write under a timeout of min(step timeout,
    time left to the deadline), the deadline checked before each one.

    smtplib sets one timeout per recv, so a server that trickles `220-`
    lines, each well within it, held a send forever; and one sendall of a
    big message had to finish within that one timeout. Replies are read
    here with a bound on their size. `handed_over` tells whether the final
    "." of the current DATA went out: only after that can a broken
    connection mean that the message may have been delivered.
    """

    def __init__(self, host: str, port: int, *, step_timeout: float, deadline_at: float, **kwargs):
        # Set before smtplib's __init__, which connects and reads the greeting.
        self._step = self._wait = step_timeout
        self._deadline_at = deadline_at
        self._by_deadline = False
        self._rbuf = b""
        self.handed_over = False
        super().__init__(host, port, timeout=self._left(), **kwargs)

    def _left(self) -> float:
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            raise _SmtpTimeout(deadline=True)
        self._by_deadline = left < self._wait
        return min(self._wait, left)

    def _lost(self, e: OSError) -> smtplib.SMTPServerDisconnected:
        self.close()
        if isinstance(e, smtplib.SMTPServerDisconnected):
            return e
        if isinstance(e, TimeoutError):
            return _SmtpTimeout(deadline=self._by_deadline, after=self._wait,
                                final=self._wait != self._step)
        return smtplib.SMTPServerDisconnected(f"connection lost: {_os_reason(e)}")

    def send(self, s):
        if not self.sock:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if isinstance(s, str):
            s = s.encode(self.command_encoding)
        view = memoryview(s)
        try:
            for i in range(0, len(view), _CHUNK):
                self.sock.settimeout(self._left())
                self.sock.sendall(view[i:i + _CHUNK])
        except OSError as e:
            raise self._lost(e) from None

    def _readline(self) -> bytes:
        while b"\n" not in self._rbuf:
            if len(self._rbuf) > smtplib._MAXLINE:
                self.close()
                raise smtplib.SMTPResponseException(500, b"Line too long.")
            try:
                self.sock.settimeout(self._left())
                chunk = self.sock.recv(4096)
            except OSError as e:
                raise self._lost(e) from None
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("the server closed the connection")
            self._rbuf += chunk
        line, _, self._rbuf = self._rbuf.partition(b"\n")
        return line + b"\n"

    def getreply(self):
        """smtplib's getreply (same results), reading through _readline."""
        if not self.sock:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        resp, size = [], 0
        while True:
            line = self._readline()
            size += len(line)
            if size > _MAX_REPLY:
                self.close()
                raise smtplib.SMTPResponseException(500, b"the server's reply does not end")
            resp.append(line[4:].strip(b" \t\r\n"))
            try:
                errcode = int(line[:3])
            except ValueError:
                errcode = -1
                break
            if line[3:4] != b"-":
                break
        return errcode, b"\n".join(resp)

    def data(self, msg: bytes):
        self.handed_over = False
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        q = re.sub(rb"(?m)^\.", b"..", msg)          # dot-stuffing (RFC 5321 4.5.2)
        if not q.endswith(b"\r\n"):
            q += b"\r\n"
        self.send(q + b".\r\n")
        # The whole message and its end mark are with the server now: it may
        # deliver it even if its reply never arrives.
        self.handed_over = True
        self._wait = self._step * _FINAL_REPLY_STEPS
        try:
            return self.getreply()
        finally:
            self._wait = self._step

    def starttls(self, *args, **kwargs):
        result = super().starttls(*args, **kwargs)
        # Anything read ahead before the handshake is plain text a man in
        # the middle could have injected (smtplib drops its buffer too).
        self._rbuf = b""
        return result

    def close(self):
        self._rbuf = b""
        super().close()


class _SMTP(_Utf8Auth, _Guarded, smtplib.SMTP):
    pass


class _SMTP_SSL(_Utf8Auth, _Guarded, smtplib.SMTP_SSL):
    pass


def _scrub(text: str, secret: str | None, user: str | None = None) -> str:
    """Remove the password (and the base64 forms AUTH puts on the wire) from
    a text that came back from a server or a library, before it is shown."""
    if not secret:
        return text
    forms = {secret, base64.b64encode(secret.encode()).decode(),
             base64.b64encode(f"\0{user or ''}\0{secret}".encode()).decode()}
    # Longest first: base64(password) can sit inside the AUTH PLAIN form
    # (when len(user) + 2 is a multiple of 3), and a set has no fixed order.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _reply(e: smtplib.SMTPResponseException) -> str:
    msg = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
    return f"{e.smtp_code} {' '.join(msg.split())}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def smtp_session(cfg: SmtpConfig, deadline_at: float | None = None) -> Iterator[smtplib.SMTP]:
    """A connected, secured and logged-in SMTP session; every failure is a
    KamError naming host:port and what failed, with the password scrubbed.
    `deadline_at` (time.monotonic()) ends the whole conversation, default
    cfg.deadline from now."""
    if deadline_at is None:
        deadline_at = time.monotonic() + cfg.deadline
    guard = {"step_timeout": cfg.timeout, "deadline_at": deadline_at}
    server = cfg.server
    if cfg.user and not cfg.password:
        raise KamError("send.user_no_password", server=server)
    if cfg.password and not cfg.user:
        raise KamError("send.password_no_user", server=server)
    if cfg.user and cfg.security == "none" and not _is_loopback(cfg.host):
        raise KamError("send.plain_password", server=server)
    context = None
    if cfg.security != "none":
        try:
            context = ssl.create_default_context(cafile=cfg.cafile)
        except (OSError, ssl.SSLError) as e:
            raise KamError("send.cafile_bad", path=cfg.cafile, reason=str(e)) from None
    smtp: smtplib.SMTP | None = None
    step = "connect"
    try:
        log.debug("connecting to %s (%s)", server, cfg.security)
        if cfg.security == "ssl":
            smtp = _SMTP_SSL(cfg.host, cfg.port, context=context, **guard)
        else:
            smtp = _SMTP(cfg.host, cfg.port, **guard)
        step = "greet"
        smtp.ehlo()
        if cfg.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise KamError("send.no_starttls", server=server)
            step = "starttls"
            smtp.starttls(context=context)
            smtp.ehlo()
        if cfg.user:
            if not smtp.has_extn("auth"):
                raise KamError("send.no_auth", server=server, user=cfg.user)
            step = "login"
            smtp.login(cfg.user, cfg.password or "")
    except Exception as e:
        _close(smtp)
        if isinstance(e, KamError):
            raise
        raise _failure(e, step, cfg) from None
    try:
        yield smtp
    finally:
        _close(smtp)


def _failure(e: Exception, step: str, cfg: SmtpConfig) -> KamError:
    """One line naming host:port and what failed; never the password."""
    server = cfg.server
    during = Text("send.step." + step)
    if isinstance(e, ssl.SSLCertVerificationError):
        return _scrubbed(cfg, "send.cert", server=server, reason=e.verify_message)
    if isinstance(e, ssl.SSLError):
        return _scrubbed(cfg, "send.tls", server=server, step=during, reason=e.reason or e)
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return _scrubbed(cfg, "send.login_refused", server=server, user=cfg.user, reply=_reply(e))
    if isinstance(e, smtplib.SMTPResponseException) and e.smtp_code == 421:
        return _scrubbed(cfg, "send.busy_during", server=server, reply=_reply(e), step=during)
    if isinstance(e, smtplib.SMTPResponseException) and 400 <= e.smtp_code < 500:
        return _scrubbed(cfg, "send.temporary", server=server, step=during, reply=_reply(e))
    if isinstance(e, smtplib.SMTPResponseException):
        return _scrubbed(cfg, "send.step_refused", server=server, step=during, reply=_reply(e))
    if isinstance(e, _SmtpTimeout):
        return _scrubbed(cfg, "send.stalled", server=server, why=_why(e, cfg), step=during)
    if isinstance(e, socket.timeout):
        return _scrubbed(cfg, "send.step_timeout", server=server, step=during, timeout=cfg.timeout)
    if isinstance(e, (smtplib.SMTPException, OSError)):
        what = e.strerror if isinstance(e, OSError) and e.strerror else (str(e) or type(e).__name__)
        if step == "connect":
            return _scrubbed(cfg, "send.cannot_connect", server=server, reason=what)
        return _scrubbed(cfg, "send.step_failed", server=server, step=during, reason=what)
    # A library bug or an encoding error could carry the credentials in
    # its message or traceback: one scrubbed line instead.
    return _scrubbed(cfg, "send.step_crashed", server=server, step=during, kind=type(e).__name__, reason=str(e))


def _scrubbed(cfg: SmtpConfig, key: str, /, **params) -> KamError:
    """A KamError whose parameters (texts from a server or a library) no
    longer hold the password."""
    def clean(v):
        if isinstance(v, Text):
            return Text(v.key, **{k: clean(x) for k, x in v.params.items()})
        if isinstance(v, (int, float, Path)) or v is None:
            return v
        return _scrub(str(v), cfg.password, cfg.user)
    return KamError(key, **{k: clean(v) for k, v in params.items()})


def _why(e: OSError, cfg: SmtpConfig) -> Text | str:
    """What broke a connection, in a few words (a library's own words as they are)."""
    if isinstance(e, _SmtpTimeout):
        if e.deadline:
            return Text("send.why.deadline", deadline=cfg.deadline)
        if e.final:
            return Text("send.why.final", after=e.after, steps=_FINAL_REPLY_STEPS)
        return Text("send.why.stalled", after=e.after)
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return str(e) or Text("send.why.closed")
    if isinstance(e, TimeoutError):
        return Text("send.why.timeout", timeout=cfg.timeout)
    return _os_reason(e)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        with contextlib.suppress(OSError):
            smtp.close()


# --------------------------------------------------------------------------
# The command

def _sender(cfg: SmtpConfig, dry_run: bool) -> Address:
    if cfg.mail_from:
        return parse_address(cfg.mail_from, "KAMREPORT_MAIL_FROM")
    if cfg.user and "@" in cfg.user:
        return parse_address(cfg.user, Text("send.what.user_sender"))
    if dry_run:
        return Address(username="kamreport", domain="localhost")
    raise KamError("send.no_mail_from")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


@dataclass(frozen=True)
class _Mail:
    """One message to send: to whom, with what, and the log key (pack)."""
    rcpt: Address
    attachments: list[Attachment]
    subject: str
    pack: dict | None = None           # an entry of summary.json "packs": that manager's pack mail

    @property
    def key(self) -> str | None:
        return self.pack["file"] if self.pack else None

    def compose(self, built: BuiltPeriod, sender: Address) -> EmailMessage:
        return compose(built, sender, self.rcpt, self.attachments, self.subject, self.pack)

    def what(self, label: str) -> str:
        return f"{label} ({self.key})" if self.key else label


def pack_mails(built: BuiltPeriod) -> list[_Mail]:
    """`--per-manager`: one mail per manager pack with a Staff email (SPEC
    §7); one warning line per manager without one (not sent)."""
    packs = built.summary.get("packs")
    where = built.folder / "summary.json"
    if not isinstance(packs, list):
        raise KamError("send.no_packs", path=where)
    t = _mail_texts(built.language)
    root = built.folder.resolve()
    mails = []
    for pack in packs:
        manager, rel, addr = str(pack.get("account_manager") or ""), str(pack.get("file") or ""), pack.get("email")
        if not addr:
            click.echo(text("cli.warning_line", built.language,
                            message=text("send.no_staff_email", built.language, name=manager, file=rel)), err=True)
            continue
        path = (built.folder / rel).resolve()
        if root not in path.parents:        # summary.json is ours, but never read outside the folder
            raise KamError("send.pack_outside", path=where, file=rel, folder=built.folder)
        if not path.is_file():
            raise KamError("send.pack_missing", path=path)
        _check_text(manager, Text("send.what.manager", name=manager, path=where))
        a = parse_address(str(addr), Text("send.what.staff_email", name=manager, path=where))
        rcpt = Address(display_name=manager, username=a.username, domain=a.domain)
        subject = f"{subject_for(built)} · {t['pack_title']} {manager}"
        _check_text(subject, Text("send.what.pack_subject", name=manager))
        name = _file_name(f"{t['pack_title']} {manager} {built.label}") + ".pdf"
        mails.append(_Mail(rcpt, [Attachment(Path(rel).as_posix(), name, path.read_bytes())], subject, pack))
    return mails


def run_send(out_dir: str, period: str | None, to: list[str], attach_accounts: bool,
             dry_run: bool, resend: bool, env: Mapping[str, str] | None = None,
             per_manager: bool = False) -> int:
    """Send (or with dry_run write as .eml) the booklet of a built period;
    with per_manager, each account manager their pack (pack_mails).

    Returns 0 when every recipient got it (or was skipped as already sent
    or as may have been delivered), 1 when a recipient was refused; failures
    that stop the whole run (not built, bad settings, cannot connect, TLS,
    login, server busy, a connection broken mid-message, a send log that
    cannot be written, the deadline) raise KamError.
    """
    env = os.environ if env is None else env
    cfg = smtp_config(env)
    built = find_period(out_dir, period)
    with in_language(built.language):       # messages in the period's language from here on
        return _send(cfg, built, to, attach_accounts, dry_run, resend, per_manager)


def _send(cfg: SmtpConfig, built: BuiltPeriod, to: list[str], attach_accounts: bool, dry_run: bool,
          resend: bool, per_manager: bool) -> int:
    """run_send once the period is found; `lang` is the language of its lines."""
    lang = built.language
    # A blank --to (an unset CI variable expanded to "") falls back to mail_to.
    to = [t for t in to if t and t.strip()]
    if per_manager:
        recipients = []
    elif to:
        recipients = parse_recipients(list(to), "--to")
    else:
        mail_to = built.settings.get("mail_to") or []
        mail_to = [mail_to] if isinstance(mail_to, str) else [str(x) for x in mail_to]
        recipients = parse_recipients(mail_to, Text("send.what.mail_to", path=built.folder / "summary.json"))
    if not recipients and not per_manager:
        raise KamError("send.no_recipient")
    if not dry_run and not cfg.host:
        raise KamError("send.no_host")
    sender = _sender(cfg, dry_run)
    if per_manager:
        mails = pack_mails(built)
        if not mails:
            click.echo(text("send.no_pack_email", lang, label=built.label))
            return 0
    else:
        subject = subject_for(built)
        attachments = collect_attachments(built, attach_accounts)
        mails = [_Mail(rcpt, attachments, subject) for rcpt in recipients]
    total = max(sum(len(a.data) for a in m.attachments) for m in mails)
    if total > BIG_MESSAGE:
        click.echo(text("send.big", lang, size=_size(total)), err=True)

    mail_dir = built.folder / "mail"
    log_path = mail_dir / "sent.json"
    if mail_dir.exists() and not mail_dir.is_dir():
        raise KamError("send.mail_dir_is_file", path=mail_dir)
    if dry_run:
        sent_log = read_sent_log(log_path, built.label)
        for m in mails:
            msg = m.compose(built, sender)
            path = mail_dir / _eml_name(built.label, m.rcpt.addr_spec, m.key)
            try:
                write_atomic(path, msg.as_bytes(policy=POLICY))
            except OSError as e:
                raise KamError("send.cannot_write", path=path, reason=_os_reason(e)) from None
            note = ""
            if pending_send(sent_log, m.rcpt.addr_spec, m.key) and not resend:
                note = text("send.dry_maybe", lang)
            elif previous_send(sent_log, m.rcpt.addr_spec, m.key) and not resend:
                note = text("send.dry_sent", lang)
            click.echo(text("send.wrote", lang, path=path, note=note))
        click.echo(text("send.dry_packs", lang, n=len(mails), size=_size(total)) if per_manager else
                   text("send.dry_run", lang, n=len(mails), attachments=len(mails[0].attachments),
                        size=_size(total)))
        return 0

    with _send_lock(mail_dir):
        sent_log = read_sent_log(log_path, built.label)
        # A run killed inside write_atomic leaves its temporary file; under
        # the lock no other run is writing one.
        for tmp in mail_dir.glob(f".{log_path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()
        todo = []
        for m in mails:
            rcpt = m.rcpt
            before = previous_send(sent_log, rcpt.addr_spec, m.key)
            unsure = pending_send(sent_log, rcpt.addr_spec, m.key)
            if unsure and not resend:
                # Sent again, it would be the second copy whenever the first
                # did arrive; only the operator can find out (--resend).
                how = Text("send.how_uncertain" if unsure.get("state") == "uncertain" else "send.how_interrupted")
                mid = text("send.message_id", lang, id=unsure["message_id"]) if unsure.get("message_id") else ""
                click.echo(text("send.skipped_maybe", lang, addr=rcpt.addr_spec, what=m.what(built.label),
                                at=unsure.get("at"), how=how, mid=mid))
            elif before and not resend:
                # Changed = a file sent then now has other bytes (a rebuild
                # with new data), not merely a different choice of files.
                now = {a.file: a.sha256 for a in m.attachments}
                changed = any(now.get(a.get("file"), a.get("sha256")) != a.get("sha256")
                              for a in before.get("attachments") or [])
                click.echo(text("send.skipped_sent", lang, addr=rcpt.addr_spec, what=m.what(built.label),
                                at=before.get("at"), changed=text("send.changed", lang) if changed else ""))
            else:
                todo.append(m)
        if not todo:
            return 0
        failures = _deliver_all(cfg, built, sender, todo, sent_log, log_path)
    return 1 if failures else 0


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Refused(Exception):
    """The server answered one step of a message with an error code: that
    message was certainly not delivered."""

    def __init__(self, step: str, code: int, reply: bytes | str):
        super().__init__(step, code)
        self.step, self.smtp_code, self.smtp_error = step, code, reply


def _transact(smtp: smtplib.SMTP, sender: str, rcpt: str, data: bytes) -> None:
    """MAIL, RCPT, DATA of one message; returns on the server's 250."""
    smtp.handed_over = False
    code, reply = smtp.mail(sender)
    if code != 250:
        raise _Refused("sender", code, reply)
    code, reply = smtp.rcpt(rcpt)
    if code not in (250, 251):
        raise _Refused("recipient", code, reply)
    try:
        code, reply = smtp.data(data)
    except smtplib.SMTPDataError as e:              # DATA itself refused: no hand-over
        raise _Refused("message", e.smtp_code, e.smtp_error) from None
    if code == -1:
        # Not a reply at all, after the message went out: it may have been taken.
        smtp.close()
        raise smtplib.SMTPServerDisconnected("an unreadable reply to the end of the message")
    if code != 250:
        raise _Refused("message", code, reply)


def _deliver_all(cfg: SmtpConfig, built: BuiltPeriod, sender: Address, todo: list[_Mail], sent_log: dict,
                 log_path: Path) -> int:
    """One message per recipient, each recorded before and after; returns the
    number refused. Anything that stops the run raises KamError, one line."""
    lang = built.language

    def line(text: str) -> str:
        return _scrub(text, cfg.password, cfg.user)

    def save() -> None:
        save_sent_log(log_path, sent_log)

    def rest(i: int) -> Text | str:
        n = len(todo) - i - 1
        return Text("send.more_not_tried", n=n) if n else ""

    failures = 0
    reset = False
    with smtp_session(cfg) as smtp:
        for i, mail in enumerate(todo):
            attachments = mail.attachments
            total = sum(len(a.data) for a in attachments)
            files = [{"file": a.file, "filename": a.filename, "bytes": len(a.data), "sha256": a.sha256}
                     for a in attachments]
            addr = mail.rcpt.addr_spec
            msg = mail.compose(built, sender)
            data = msg.as_bytes(policy=POLICY)
            entry = {"to": addr, "state": "sending", "at": _now(), "server": cfg.server,
                     "message_id": msg["Message-ID"], "subject": mail.subject, "attachments": files}
            if mail.key:
                entry["pack"] = mail.key        # the log is per recipient and pack (_same)
            # A --resend replaces the pending entry of an earlier attempt; that
            # entry comes back if this attempt certainly delivers nothing, so
            # that a later run without --resend still does not send it.
            earlier = [e for e in sent_log["pending"] if _same(e, addr, mail.key)]
            sent_log["pending"] = [e for e in sent_log["pending"] if e not in earlier] + [entry]

            def undo() -> None:
                sent_log["pending"] = [e for e in sent_log["pending"] if e is not entry] + earlier
            try:
                save()
            except OSError as e:
                raise _scrubbed(cfg, "send.log_before", path=log_path, reason=_os_reason(e), addr=addr,
                                n=len(todo) - i) from None
            smtp.handed_over = False     # a broken RSET has handed nothing over
            try:
                if reset:
                    smtp.rset()
                    reset = False
                _transact(smtp, sender.addr_spec, addr, data)
            except _Refused as e:
                undo()
                try:
                    save()
                except OSError as oe:
                    raise _scrubbed(cfg, "send.log_after_refusal", path=log_path, reason=_os_reason(oe),
                                    addr=addr, reply=_reply(e)) from None
                temporary = 400 <= e.smtp_code < 500
                if e.smtp_code == 421:
                    raise _scrubbed(cfg, "send.busy", server=cfg.server, reply=_reply(e), addr=addr,
                                    rest=rest(i)) from None
                if e.step == "sender":
                    if temporary:
                        raise _scrubbed(cfg, "send.sender_for_now", server=cfg.server, sender=sender.addr_spec,
                                        reply=_reply(e), addr=addr, rest=rest(i)) from None
                    raise _scrubbed(cfg, "send.sender_refused", server=cfg.server, sender=sender.addr_spec,
                                    reply=_reply(e)) from None
                what = Text("send.what.recipient" if e.step == "recipient" else "send.what.message_to", addr=addr)
                said = text("send.refused_for_now" if temporary else "send.refused", lang,
                            server=cfg.server, what=what, reply=_reply(e))
                click.echo(line(text("cli.error_line", lang, message=said)), err=True)
                failures += 1
                reset = True
                continue
            except OSError as e:     # smtplib's errors are OSErrors too: a broken connection
                why = _why(e, cfg)
                if getattr(smtp, "handed_over", False):
                    # The log keeps its reason in English, whatever the language of the messages.
                    entry["state"], entry["reason"] = "uncertain", why.worded("en") if isinstance(why, Text) else why
                    # Best effort: if this write fails too, "sending" means the same on a rerun.
                    with contextlib.suppress(OSError):
                        save()
                    raise _scrubbed(cfg, "send.broke_after", server=cfg.server, addr=addr, why=why,
                                    rest=rest(i)) from None
                undo()
                note = ""
                try:
                    save()
                except OSError as oe:
                    note = Text("send.log_unwritable_note", reason=_os_reason(oe), addr=addr)
                raise _scrubbed(cfg, "send.broke", server=cfg.server, addr=addr, why=why,
                                note=note or rest(i)) from None
            # Delivered: "pending" -> "sent" in one atomic write.
            sent_log["pending"].remove(entry)
            done = {k: v for k, v in entry.items() if k != "state"} | {"at": _now()}
            sent_log["sent"].append(done)
            try:
                save()
            except OSError as e:
                raise _scrubbed(cfg, "send.log_after", path=log_path, reason=_os_reason(e), addr=addr,
                                label=built.label, rest=rest(i)) from None
            log.info("sent %s to %s via %s", mail.what(built.label), addr, cfg.server)
            click.echo(text("send.sent", lang, what=mail.what(built.label), addr=addr, server=cfg.server,
                            n=len(attachments), size=_size(total)))
    return failures
