"""`kamreport send` (SPEC §7): against a real SMTP server on 127.0.0.1
(aiosmtpd), plain, STARTTLS and implicit TLS with a CA made in the test."""
from __future__ import annotations

import base64
import email
import json
import logging
from email import policy

import pytest
from click.testing import CliRunner

from conftest import SMTP_PASSWORD, SMTP_USER, free_port
from kamreport.cli import main
from kamreport.errors import KamError
from kamreport.deliver.send import SmtpConfig, find_period, parse_address, parse_recipients, smtp_config

ZH_SUBJECT = "重点客户季度报告 2026Q3"
ZH_BOOKLET_NAME = "重点客户季度报告 2026Q3.pdf"


def run(args, env):
    """Invoke the CLI with only the SMTP environment given (nothing leaks in
    from the machine running the tests)."""
    base = {k: "" for k in ("KAMREPORT_SMTP_HOST", "KAMREPORT_SMTP_PORT", "KAMREPORT_SMTP_USER",
                            "KAMREPORT_SMTP_PASSWORD", "KAMREPORT_SMTP_SECURITY",
                            "KAMREPORT_SMTP_CAFILE", "KAMREPORT_MAIL_FROM")}
    return CliRunner().invoke(main, ["send", *args], env={**base, **env})


def smtp_env(port, security="none", auth=False, cafile=None, password=SMTP_PASSWORD):
    env = {"KAMREPORT_SMTP_HOST": "127.0.0.1", "KAMREPORT_SMTP_PORT": str(port),
           "KAMREPORT_SMTP_SECURITY": security, "KAMREPORT_MAIL_FROM": "KAM 报告 <kam@example.com>"}
    if auth:
        env |= {"KAMREPORT_SMTP_USER": SMTP_USER, "KAMREPORT_SMTP_PASSWORD": password}
    if cafile:
        env["KAMREPORT_SMTP_CAFILE"] = cafile
    return env


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def pdf_parts(msg):
    return [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]


def assert_secret_absent(*texts):
    """The password in any of the forms it could take on the wire or in a log."""
    forms = [SMTP_PASSWORD, base64.b64encode(SMTP_PASSWORD.encode()).decode(),
             base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode()]
    for text in texts:
        for form in forms:
            assert form not in text


def our_logs(caplog) -> str:
    # aiosmtpd runs in this process and logs the *server* side of the
    # conversation ("mail.log"); only the client side is kamreport's doing.
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


# ---------------------------------------------------------------- addresses

def test_addresses_are_parsed_strictly():
    a = parse_address("张总 <boss@example.com>", "--to")
    assert (a.display_name, a.addr_spec) == ("张总", "boss@example.com")
    assert parse_address("ceo@mail.example.co", "--to").addr_spec == "ceo@mail.example.co"
    # Commas and semicolons separate; duplicates differ only in case.
    got = parse_recipients(["a@example.com, B@example.com", "b@EXAMPLE.com;c@example.com"], "--to")
    assert [x.addr_spec for x in got] == ["a@example.com", "B@example.com", "c@example.com"]
    for bad in ["boss", "boss@", "@example.com", "a b@example.com", "boss@exa_mple.com",
                "boss@-example.com", "a..b@example.com", "<>", "x" * 65 + "@example.com"]:
        with pytest.raises(KamError, match="not a valid e-mail address"):
            parse_address(bad, "--to")


@pytest.mark.parametrize("evil", ["boss@example.com\r\nBcc: all@example.com",
                                  "boss@example.com\nX: y", "boss@exa\x00mple.com",
                                  "Bo\u2028ss <boss@example.com>", "\u202eboss@example.com"])
def test_control_characters_in_addresses_are_refused(evil):
    with pytest.raises(KamError, match="control character"):
        parse_recipients([evil], "--to")


def test_password_is_not_in_repr():
    cfg = smtp_config({"KAMREPORT_SMTP_HOST": "h", "KAMREPORT_SMTP_USER": "u",
                       "KAMREPORT_SMTP_PASSWORD": SMTP_PASSWORD})
    assert isinstance(cfg, SmtpConfig) and cfg.password == SMTP_PASSWORD
    assert SMTP_PASSWORD not in repr(cfg)
    # Defaults: starttls on the submission port.
    assert (cfg.security, cfg.port, cfg.server) == ("starttls", 587, "h:587")
    assert smtp_config({"KAMREPORT_SMTP_SECURITY": "SSL"}).port == 465
    with pytest.raises(KamError, match="KAMREPORT_SMTP_SECURITY='tls'"):
        smtp_config({"KAMREPORT_SMTP_SECURITY": "tls"})
    with pytest.raises(KamError, match="KAMREPORT_SMTP_PORT='99999'"):
        smtp_config({"KAMREPORT_SMTP_PORT": "99999"})


# ---------------------------------------------------------------- the period

def test_period_spellings_and_latest(make_built, tmp_path):
    out = make_built("2026Q2")
    make_built("2026Q3")
    make_built("2026-08")
    for spelling in ["2026Q2", "2026-Q2", "2026q2"]:
        assert find_period(out, spelling).label == "2026Q2"
    assert find_period(out, "2026-08").folder == out / "2026-08"
    # Latest: 2026Q3 ends in September, after 2026-08.
    assert find_period(out, None).label == "2026Q3"
    (out / "2026Q4").mkdir()          # a folder without summary.json is not built
    assert find_period(out, None).label == "2026Q3"
    with pytest.raises(KamError, match=r"2026Q4 has not been built .*built periods in .*: 2026Q2, 2026-08, 2026Q3"):
        find_period(out, "2026Q4")
    with pytest.raises(KamError, match="no built period found"):
        find_period(tmp_path / "nothing", None)


def test_misspelt_period_is_a_usage_error(make_built):
    out = make_built()
    r = run(["--out", str(out), "--period", "2026Q5", "--to", "a@example.com", "--dry-run"], {})
    assert r.exit_code == 2 and "2026Q3" in r.output     # the message shows an accepted spelling


def test_refuses_unbuilt_or_fatal_builds(make_built):
    out = make_built(language="en", problems={"fatal": 1, "error": 0, "warning": 0})
    r = run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {})
    assert r.exit_code == 1 and "1 fatal problem(s)" in r.output and "problems.csv" in r.output
    assert not (out / "2026Q3" / "mail").exists()

    out = make_built(language="en")
    (out / "2026Q3" / "booklet.pdf").unlink()
    r = run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {})
    assert r.exit_code == 1 and "booklet.pdf is missing" in r.output

    (out / "2026Q3" / "summary.json").write_text("{not json", encoding="utf-8")
    r = run(["--out", str(out), "--period", "2026-Q3", "--to", "a@example.com", "--dry-run"], {})
    assert r.exit_code == 1 and "cannot read it as JSON" in r.output


# ---------------------------------------------------------------- dry run: the message itself

def test_dry_run_writes_parseable_eml(make_built, tiny_pdfs):
    out = make_built()
    r = run(["--out", str(out), "--to", "张总 <boss@example.com>", "--to", "cfo@example.com",
             "--dry-run", "--attach-accounts"], {})
    assert r.exit_code == 0, r.output
    mail = out / "2026Q3" / "mail"
    assert sorted(p.name for p in mail.glob("*.eml")) == ["2026Q3-boss_at_example.com.eml",
                                                          "2026Q3-cfo_at_example.com.eml"]
    assert not (mail / "sent.json").exists()        # nothing was sent
    assert not list(mail.glob(".*.tmp"))            # atomic writes left no temporary file

    raw = (mail / "2026Q3-boss_at_example.com.eml").read_bytes()
    raw.decode("ascii")                             # 7-bit clean: any relay accepts it
    assert b"\r\n" in raw and b"filename*0*=utf-8''" in raw      # RFC 2231 file name
    msg = parse(raw)
    assert msg["Subject"] == ZH_SUBJECT
    assert msg["To"].addresses[0].display_name == "张总"
    assert msg["To"].addresses[0].addr_spec == "boss@example.com"
    assert msg["From"].addresses[0].addr_spec == "kamreport@localhost"   # no MAIL_FROM in a dry run
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/mixed"

    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    # Headline numbers from summary.json: 3 customers, 2 key, 1234567 -> "1,234,567 CNY",
    # growth_qoq 0.125 -> "+12.5 %", growth_yoy -0.05 -> "-5.0 %", nps 35 -> "+35".
    for fact in ["客户数", "1,234,567 CNY", "+12.5 %", "-5.0 %", "+35"]:
        assert fact in text and fact in html
    # The two high risks (not the medium one), with names as written.
    assert "高风险：2 个客户，共 2 项" in text
    assert "华东精密 <b>制造</b> (C001): 销售额同比下降 45.0 %" in text
    assert "Acme & Sons (C/002): 没有客户经理" in text
    assert "1 项行动逾期" not in text
    # HTML escapes workbook text: the <b> from a customer name is shown, not obeyed.
    assert "华东精密 &lt;b&gt;制造&lt;/b&gt;" in html and "Acme &amp; Sons" in html
    assert "<b>制造</b>" not in html

    pdfs = pdf_parts(msg)
    assert [p.get_filename() for p in pdfs] == [ZH_BOOKLET_NAME, "客户计划 C001 华东精密 _b_制造__b_.pdf",
                                                "客户计划 C_002 Acme & Sons.pdf"]
    assert pdfs[0].get_content() == tiny_pdfs["booklet"]
    assert pdfs[1].get_content() == (out / "2026Q3" / "accounts" / "C001.pdf").read_bytes()
    assert pdfs[2].get_content() == (out / "2026Q3" / "accounts" / "C_002.pdf").read_bytes()


def test_subject_defaults_and_setting(make_built):
    out = make_built("2026-08", language="en", settings={"company": "Acme"})
    assert run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {}).exit_code == 0
    msg = parse((out / "2026-08" / "mail" / "2026-08-a_at_example.com.eml").read_bytes())
    assert msg["Subject"] == "Acme Key account monthly review 2026-08"
    assert [p.get_filename() for p in pdf_parts(msg)] == ["Key account monthly review 2026-08.pdf"]
    assert "Customers" in msg.get_body(("plain",)).get_content()

    out = make_built(settings={"mail_subject": "季度复盘 {period} – 请审阅"}, out=out)
    assert run(["--out", str(out), "--period", "2026Q3", "--to", "a@example.com", "--dry-run"], {}).exit_code == 0
    msg = parse((out / "2026Q3" / "mail" / "2026Q3-a_at_example.com.eml").read_bytes())
    assert msg["Subject"] == "季度复盘 2026Q3 – 请审阅"
    # Without {period} the period is appended: a fixed subject still names it.
    out = make_built(settings={"mail_subject": "重点客户季度回顾"}, out=out)
    assert run(["--out", str(out), "--period", "2026Q3", "--to", "a@example.com", "--dry-run"], {}).exit_code == 0
    msg = parse((out / "2026Q3" / "mail" / "2026Q3-a_at_example.com.eml").read_bytes())
    assert msg["Subject"] == "重点客户季度回顾 2026Q3"


@pytest.mark.parametrize("settings", [{"mail_subject": "Report\r\nBcc: everyone@example.com"},
                                      {"company": "Acme\nX-Evil: 1"}])
def test_header_injection_from_the_workbook_is_refused(make_built, settings):
    out = make_built(language="en", settings=settings)
    r = run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {})
    assert r.exit_code == 1 and "control character" in r.output and "mail subject" in r.output
    assert not (out / "2026Q3" / "mail").exists()


def test_recipients_from_mail_to_setting(make_built):
    out = make_built(language="en", settings={"mail_to": ["ceo@example.com", "cfo@example.com"]})
    # A blank --to (an unset CI variable) also falls back to the setting.
    r = run(["--out", str(out), "--dry-run", "--to", ""], {})
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (out / "2026Q3" / "mail").glob("*.eml")) == [
        "2026Q3-ceo_at_example.com.eml", "2026Q3-cfo_at_example.com.eml"]

    out = make_built(language="en", settings={"mail_to": ["ceo@example.com\r\nRCPT TO:<x@evil.example>"]})
    r = run(["--out", str(out), "--dry-run"], {})
    assert r.exit_code == 1 and "the mail_to setting" in r.output and "control character" in r.output

    out = make_built(language="en", settings={"mail_to": []})
    r = run(["--out", str(out), "--dry-run"], {})
    assert r.exit_code == 1 and "no recipient" in r.output


# ---------------------------------------------------------------- real SMTP

def test_plain_send_then_no_double_send(make_built, smtp_server, tiny_pdfs):
    port, server = smtp_server("none")
    out = make_built()
    env = smtp_env(port)
    r = run(["--out", str(out), "--to", "boss@example.com"], env)
    assert r.exit_code == 0, r.output
    # The period is Chinese: so are the lines send prints (README "Messages").
    assert f"已通过 127.0.0.1:{port} 把 2026Q3 发送给 boss@example.com（1 个附件，" in r.output
    [got] = server.messages
    assert (got.mail_from, got.rcpt_tos, got.tls) == ("kam@example.com", ["boss@example.com"], False)
    msg = parse(got.data)
    assert msg["Subject"] == ZH_SUBJECT and msg["From"].addresses[0].display_name == "KAM 报告"
    [pdf] = pdf_parts(msg)                   # no --attach-accounts: the booklet only
    assert pdf.get_filename() == ZH_BOOKLET_NAME and pdf.get_content() == tiny_pdfs["booklet"]

    log = json.loads((out / "2026Q3" / "mail" / "sent.json").read_text(encoding="utf-8"))
    [entry] = log["sent"]
    assert (log["schema"], log["period"], entry["to"], entry["server"]) == (
        "kamreport.sent/1", "2026Q3", "boss@example.com", f"127.0.0.1:{port}")
    assert entry["message_id"] == msg["Message-ID"] and entry["subject"] == ZH_SUBJECT
    assert entry["attachments"][0]["file"] == "booklet.pdf"
    assert entry["attachments"][0]["bytes"] == len(tiny_pdfs["booklet"])
    # Recorded before and after: nothing is left pending once the 250 came.
    assert log["pending"] == [] and "state" not in entry

    # A rerun (say the cron job fired twice) sends nothing and says so.
    r = run(["--out", str(out), "--to", "boss@example.com"], env)
    assert r.exit_code == 0 and "已跳过 boss@example.com：2026Q3 已于" in r.output
    assert "--resend" in r.output and "变化" not in r.output
    # Asking for the account plans too is not a change of the booklet already sent.
    r = run(["--out", str(out), "--to", "boss@example.com", "--attach-accounts"], env)
    assert "已跳过 boss@example.com" in r.output and "变化" not in r.output
    assert len(server.messages) == 1
    # A new recipient gets it; the old one is still skipped.
    r = run(["--out", str(out), "--to", "boss@example.com", "--to", "new@example.com"], env)
    assert r.exit_code == 0 and [m.rcpt_tos for m in server.messages] == [["boss@example.com"],
                                                                          ["new@example.com"]]
    # A rebuilt booklet is still not sent twice, but the skip line says it changed.
    (out / "2026Q3" / "booklet.pdf").write_bytes(tiny_pdfs["booklet"] + b"%rebuilt\n")
    r = run(["--out", str(out), "--to", "boss@example.com"], env)
    assert "（此后 PDF 有了变化）" in r.output and len(server.messages) == 2
    # --resend sends again and logs it again.
    r = run(["--out", str(out), "--to", "boss@example.com", "--resend"], env)
    assert r.exit_code == 0 and len(server.messages) == 3
    log = json.loads((out / "2026Q3" / "mail" / "sent.json").read_text(encoding="utf-8"))
    assert [e["to"] for e in log["sent"]] == ["boss@example.com", "new@example.com", "boss@example.com"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_private_ca_and_login(make_built, smtp_server, tls_ca, tiny_pdfs, security, caplog):
    caplog.set_level(logging.DEBUG)
    port, server = smtp_server(security, auth=True)
    out = make_built()
    r = run(["--out", str(out), "--to", "boss@example.com", "--attach-accounts"],
            smtp_env(port, security, auth=True, cafile=tls_ca["cafile"]))
    assert r.exit_code == 0, r.output
    [got] = server.messages
    assert got.tls and got.authenticated
    pdfs = pdf_parts(parse(got.data))
    assert [p.get_content() for p in pdfs] == [
        tiny_pdfs["booklet"], (out / "2026Q3/accounts/C001.pdf").read_bytes(),
        (out / "2026Q3/accounts/C_002.pdf").read_bytes()]
    assert_secret_absent(r.output, r.stderr, our_logs(caplog),
                         (out / "2026Q3" / "mail" / "sent.json").read_text(encoding="utf-8"))


def test_wrong_password_is_refused_without_leaking_it(make_built, smtp_server, tls_ca, caplog):
    caplog.set_level(logging.DEBUG)
    port, server = smtp_server("starttls", auth=True)
    out = make_built(language="en")
    env = smtp_env(port, "starttls", auth=True, cafile=tls_ca["cafile"])
    env["KAMREPORT_SMTP_PASSWORD"] = SMTP_PASSWORD + "-wrong"
    r = run(["--out", str(out), "--to", "boss@example.com"], env)
    assert r.exit_code == 1
    line = r.output.strip()
    assert "\n" not in line
    assert line.startswith(f"Error: 127.0.0.1:{port}: login refused for user 'kam-bot' (535")
    assert server.messages == [] and not (out / "2026Q3" / "mail" / "sent.json").exists()
    wrong = env["KAMREPORT_SMTP_PASSWORD"]
    assert wrong not in r.output and wrong not in our_logs(caplog)
    assert_secret_absent(r.output, r.stderr, our_logs(caplog))


def test_login_over_plain_text_on_loopback(make_built, smtp_server):
    # A local relay without TLS may ask for a login; the password then stays on this machine.
    port, server = smtp_server("none", auth=True)
    r = run(["--out", str(make_built()), "--to", "boss@example.com"], smtp_env(port, "none", auth=True))
    assert r.exit_code == 0, r.output
    assert server.messages[0].authenticated and not server.messages[0].tls


def test_password_never_sent_unencrypted_to_a_remote_host(make_built):
    env = smtp_env(25, "none", auth=True) | {"KAMREPORT_SMTP_HOST": "mail.example.com"}
    r = run(["--out", str(make_built(language="en")), "--to", "boss@example.com"], env)
    assert r.exit_code == 1
    assert "mail.example.com:25: refusing to send the SMTP password unencrypted" in r.output
    assert_secret_absent(r.output)


def test_untrusted_certificate_is_refused(make_built, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    port, server = smtp_server("starttls", auth=True)
    # No KAMREPORT_SMTP_CAFILE: the system store does not know the test CA.
    r = run(["--out", str(make_built(language="en")), "--to", "boss@example.com"],
            smtp_env(port, "starttls", auth=True))
    assert r.exit_code == 1
    assert f"127.0.0.1:{port}: TLS certificate not trusted" in r.output
    assert "KAMREPORT_SMTP_CAFILE" in r.output
    assert server.messages == []
    assert_secret_absent(r.output, r.stderr, our_logs(caplog))


def test_implicit_tls_untrusted_certificate_is_refused(make_built, smtp_server):
    port, server = smtp_server("ssl")
    r = run(["--out", str(make_built(language="en")), "--to", "boss@example.com"], smtp_env(port, "ssl"))
    assert r.exit_code == 1 and f"127.0.0.1:{port}: TLS certificate not trusted" in r.output
    assert server.messages == []


def test_server_without_starttls_is_refused(make_built, smtp_server, tls_ca, caplog):
    caplog.set_level(logging.DEBUG)
    port, server = smtp_server("none", auth=True)     # offers AUTH in plain text, no STARTTLS
    r = run(["--out", str(make_built(language="en")), "--to", "boss@example.com"],
            smtp_env(port, "starttls", auth=True, cafile=tls_ca["cafile"]))
    assert r.exit_code == 1
    assert f"127.0.0.1:{port}: the server does not offer STARTTLS; refusing to send in plain text" in r.output
    assert server.messages == []
    # The client stopped before AUTH: the server's own log shows no AUTH command.
    commands = [r.getMessage().split(">> b'", 1)[1].split()[0].upper()
                for r in caplog.records if r.name.startswith("mail.log") and ">> b'" in r.getMessage()]
    assert commands[0] == "EHLO" and "AUTH" not in commands and "MAIL" not in commands
    assert_secret_absent(r.output, our_logs(caplog))


def test_rejected_recipient(make_built, smtp_server):
    port, server = smtp_server("none", reject={"gone@example.com"})
    out = make_built(language="en")
    env = smtp_env(port)
    r = run(["--out", str(out), "--to", "gone@example.com", "--to", "boss@example.com"], env)
    assert r.exit_code == 1
    assert f"error: 127.0.0.1:{port}: recipient gone@example.com refused (550 5.1.1" in r.stderr
    # The other recipient still got it, and only that delivery is logged.
    assert [m.rcpt_tos for m in server.messages] == [["boss@example.com"]]
    log = json.loads((out / "2026Q3" / "mail" / "sent.json").read_text(encoding="utf-8"))
    assert [e["to"] for e in log["sent"]] == ["boss@example.com"]
    # A rerun retries the refused one only.
    r = run(["--out", str(out), "--to", "gone@example.com", "--to", "boss@example.com"], env)
    assert r.exit_code == 1 and "skipped boss@example.com" in r.output
    assert len(server.messages) == 1


def test_unreachable_server(make_built):
    port = free_port()
    r = run(["--out", str(make_built(language="en")), "--to", "boss@example.com"], smtp_env(port, "none"))
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: 127.0.0.1:{port}: cannot connect (Connection refused)"


def test_real_send_needs_host_and_sender(make_built):
    out = make_built(language="en")
    r = run(["--out", str(out), "--to", "boss@example.com"], {})
    assert r.exit_code == 1 and "KAMREPORT_SMTP_HOST is not set" in r.output
    r = run(["--out", str(out), "--to", "boss@example.com"],
            {"KAMREPORT_SMTP_HOST": "127.0.0.1", "KAMREPORT_SMTP_SECURITY": "none"})
    assert r.exit_code == 1 and "KAMREPORT_MAIL_FROM is not set" in r.output
    r = run(["--out", str(out), "--to", "boss@example.com"],
            {"KAMREPORT_SMTP_HOST": "127.0.0.1", "KAMREPORT_MAIL_FROM": "kam@example.com\r\nBcc: x@y.z"})
    assert r.exit_code == 1 and "KAMREPORT_MAIL_FROM contains a control character" in r.output


def test_high_risks_grouped_per_account_and_capped(make_built):
    # 20 accounts: A00..A19, each with one high risk; A00 has a second one and
    # a medium one. Listed: 15 accounts (MAX_RISKS_LISTED), then "5 more".
    accounts = [{"customer_id": f"A{i:02d}", "name": f"Acct {i}", "tier": "key",
                 "risks": [{"code": "X", "severity": "high", "message": f"risk {i}"}]}
                for i in range(20)]
    accounts[0]["risks"] += [{"code": "Y", "severity": "high", "message": "second"},
                             {"code": "Z", "severity": "medium", "message": "medium one"}]
    out = make_built(language="en", accounts=accounts)
    assert run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {}).exit_code == 0
    msg = parse((out / "2026Q3" / "mail" / "2026Q3-a_at_example.com.eml").read_bytes())
    text = msg.get_body(("plain",)).get_content()
    assert "High risks: 21 at 20 account(s)" in text            # 20 + A00's second = 21
    assert "  - Acct 0 (A00): risk 0; second\r\n" in text
    assert "(A14): risk 14" in text and "(A15)" not in text
    assert "… and 5 more account(s); see the risk register in the booklet." in text
    assert "medium one" not in text

    out = make_built("2026Q2", language="en", accounts=[], out=out)
    assert run(["--out", str(out), "--period", "2026Q2", "--to", "a@example.com", "--dry-run"], {}).exit_code == 0
    msg = parse((out / "2026Q2" / "mail" / "2026Q2-a_at_example.com.eml").read_bytes())
    assert "No high risks this period." in msg.get_body(("plain",)).get_content()
    assert "<h3>No high risks this period.</h3>" in msg.get_body(("html",)).get_content()
