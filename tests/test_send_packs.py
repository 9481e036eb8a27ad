"""`kamreport send --per-manager` (SPEC §7): each account manager gets their
pack (build --packs managers) at their Staff email, one message each, with
the guarantees of the booklet mail: the send log per recipient and pack, a
possibly delivered pack never sent again without --resend, --dry-run .eml
files, no password in any output. Real SMTP servers on 127.0.0.1."""
from __future__ import annotations

import json
import logging

from conftest import SMTP_USER
from test_send import assert_secret_absent, our_logs, parse, pdf_parts, run, smtp_env
from test_send_faults import DROP, FAST, ledger, raw_smtp  # noqa: F401 (a fixture)

PACKS = [
    {"account_manager": "李伟", "file": "managers/li.wei.pdf", "email": "li.wei@example.com", "team": "华东",
     "staff": True, "accounts": ["C001"]},
    {"account_manager": "王芳", "file": "managers/fang.wang.pdf", "email": "fang.wang@example.com", "team": None,
     "staff": True, "accounts": ["C_002"]},
    {"account_manager": "陈杰", "file": "managers/manager.pdf", "email": None, "team": None,
     "staff": False, "accounts": []},
]
MANAGERS = [
    {"account_manager": "李伟", "key": 1, "ordinary": 2, "revenue_q": 500000.0, "growth_qoq": 0.1,
     "satisfaction": 8.0, "cadence_compliance": 1.0, "overdue_actions": 1, "high_risks": 1},
    {"account_manager": "王芳", "key": 1, "ordinary": 0, "revenue_q": 200000.0, "growth_qoq": None,
     "satisfaction": None, "cadence_compliance": 0.5, "overdue_actions": 0, "high_risks": 1},
    {"account_manager": "陈杰", "key": 0, "ordinary": 1, "revenue_q": 1000.0, "growth_qoq": None,
     "satisfaction": None, "cadence_compliance": 1.0, "overdue_actions": 0, "high_risks": 0},
]


def built_with_packs(make_built, tiny_pdfs, **kw):
    out = make_built(packs=PACKS, managers=MANAGERS, **kw)
    folder = out / "2026Q3"
    (folder / "managers").mkdir()
    for i, p in enumerate(PACKS):
        (folder / p["file"]).write_bytes(tiny_pdfs["account"] + f"\n% pack {i}\n".encode())
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["accounts"][0]["account_manager"] = "李伟"
    summary["accounts"][1]["account_manager"] = "王芳"
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return out


def test_dry_run_writes_one_eml_per_manager_with_an_email(make_built, tiny_pdfs):
    out = built_with_packs(make_built, tiny_pdfs)
    r = run(["--out", str(out), "--per-manager", "--dry-run"], {})
    assert r.exit_code == 0, r.output
    # The period is Chinese: so are send's lines (README "Messages").
    warnings = [line for line in r.output.splitlines() if line.startswith("警告：")]
    assert warnings == ["警告：陈杰：Staff 表中没有邮箱；managers/manager.pdf 未发送"]
    emls = sorted((out / "2026Q3" / "mail").glob("*.eml"))
    assert [p.name for p in emls] == ["2026Q3-fang.wang-fang.wang_at_example.com.eml",
                                      "2026Q3-li.wei-li.wei_at_example.com.eml"]
    msg = parse(emls[1].read_bytes())
    assert msg["To"].addresses[0].addr_spec == "li.wei@example.com"
    assert msg["To"].addresses[0].display_name == "李伟"
    assert msg["Subject"] == "重点客户季度报告 2026Q3 · 客户经理资料包 李伟"
    [pdf] = pdf_parts(msg)
    assert pdf.get_filename() == "客户经理资料包 李伟 2026Q3.pdf"
    assert pdf.get_content() == (out / "2026Q3" / "managers" / "li.wei.pdf").read_bytes()
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("李伟，您好：") and "您的考核指标" in text and "500,000 CNY" in text
    # Only their accounts' high risks: 李伟 has C001's, not 王芳's C/002.
    assert "华东精密" in text and "没有客户经理" not in text
    assert "试运行：没有发送任何邮件（2 封" in r.output
    assert not (out / "2026Q3" / "mail" / "sent.json").exists()


def test_send_per_manager_then_never_twice(make_built, smtp_server, tiny_pdfs, caplog):
    caplog.set_level(logging.DEBUG)
    port, server = smtp_server("none", auth=True)
    out = built_with_packs(make_built, tiny_pdfs)
    env = smtp_env(port, "none", auth=True)
    r = run(["--out", str(out), "--per-manager"], env)
    assert r.exit_code == 0, r.output
    assert [m.rcpt_tos for m in server.messages] == [["li.wei@example.com"], ["fang.wang@example.com"]]
    assert f"已通过 127.0.0.1:{port} 把 2026Q3 (managers/li.wei.pdf) 发送给 li.wei@example.com" in r.output
    assert "陈杰：Staff 表中没有邮箱" in r.output
    log = ledger(out)
    assert [(e["to"], e["pack"]) for e in log["sent"]] == [("li.wei@example.com", "managers/li.wei.pdf"),
                                                          ("fang.wang@example.com", "managers/fang.wang.pdf")]
    assert log["pending"] == []
    assert_secret_absent(r.output, our_logs(caplog), json.dumps(log, ensure_ascii=False))
    assert SMTP_USER not in json.dumps(log)

    # A rerun sends nothing; a rebuilt pack (new bytes) is still not sent again.
    (out / "2026Q3" / "managers" / "li.wei.pdf").write_bytes(tiny_pdfs["account"] + b"%rebuilt\n")
    r = run(["--out", str(out), "--per-manager"], env)
    assert r.exit_code == 0 and len(server.messages) == 2
    assert "已跳过 li.wei@example.com：2026Q3 (managers/li.wei.pdf) 已于" in r.output
    assert "（此后 PDF 有了变化）" in r.output
    # The booklet is another delivery: a manager sent their pack still gets the booklet.
    r = run(["--out", str(out), "--to", "li.wei@example.com"], env)
    assert r.exit_code == 0 and len(server.messages) == 3 and "把 2026Q3 发送给 li.wei@example.com" in r.output
    # And the booklet sent does not make the pack "already sent" for someone else.
    r = run(["--out", str(out), "--per-manager", "--resend"], env)
    assert r.exit_code == 0 and len(server.messages) == 5
    log = ledger(out)
    assert [e.get("pack") for e in log["sent"]] == ["managers/li.wei.pdf", "managers/fang.wang.pdf", None,
                                                    "managers/li.wei.pdf", "managers/fang.wang.pdf"]


def test_a_pack_that_may_have_been_delivered_is_not_sent_again(make_built, raw_smtp, smtp_server, tiny_pdfs):
    raw = raw_smtp(after_data=DROP)
    out = built_with_packs(make_built, tiny_pdfs)
    r = run(["--out", str(out), "--per-manager"], smtp_env(raw.port) | FAST)
    assert r.exit_code == 1
    assert "发给 li.wei@example.com 的邮件交给服务器后连接中断" in r.output
    assert "另有 1 个收件人没有尝试" in r.output
    log = ledger(out)
    assert [(e["to"], e["pack"], e["state"]) for e in log["pending"]] == [
        ("li.wei@example.com", "managers/li.wei.pdf", "uncertain")]
    port, good = smtp_server("none")
    r = run(["--out", str(out), "--per-manager"], smtp_env(port))
    assert r.exit_code == 0, r.output
    assert "已跳过 li.wei@example.com：2026Q3 (managers/li.wei.pdf) 可能已于" in r.output
    assert [m.rcpt_tos for m in good.messages] == [["fang.wang@example.com"]]
    # The booklet to the same address is not held back by the uncertain pack.
    r = run(["--out", str(out), "--to", "li.wei@example.com"], smtp_env(port))
    assert r.exit_code == 0 and [m.rcpt_tos for m in good.messages][-1] == ["li.wei@example.com"]
    r = run(["--out", str(out), "--per-manager", "--resend"], smtp_env(port))
    assert r.exit_code == 0 and len(good.messages) == 4
    assert ledger(out)["pending"] == []


def test_per_manager_needs_packs_and_takes_no_to(make_built, tiny_pdfs):
    out = make_built(language="en")
    r = run(["--out", str(out), "--per-manager", "--dry-run"], {})
    assert r.exit_code == 1 and "build the period with `--packs managers`" in r.output
    r = run(["--out", str(out), "--per-manager", "--to", "a@example.com"], {})
    assert r.exit_code == 2 and "takes neither --to" in r.output


def test_english_pack_mail(make_built, tiny_pdfs):
    out = built_with_packs(make_built, tiny_pdfs, language="en")
    r = run(["--out", str(out), "--per-manager", "--dry-run"], {})
    assert r.exit_code == 0, r.output
    eml = out / "2026Q3" / "mail" / "2026Q3-fang.wang-fang.wang_at_example.com.eml"
    msg = parse(eml.read_bytes())
    assert msg["Subject"] == "Key account quarterly review 2026Q3 · Account manager pack 王芳"
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("Hello 王芳,") and "Your scorecard" in text and "plans of your 1 key account(s)" in text
