"""docs/automation.md is run, not only read: the kamreport steps of the
documented GitHub Actions workflow and the documented cron script are
extracted from the Markdown and executed on a small sample in a temporary
folder, with a real SMTP server on 127.0.0.1 standing in for the company's."""
from __future__ import annotations

import email
import importlib.util
import json
import os
import re
import subprocess
import sys
from datetime import date
from email import policy
from pathlib import Path

import pytest
import yaml

from conftest import SMTP_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "automation.md"
BIN = Path(sys.executable).parent          # the virtualenv that holds `kamreport`
SMTP_VARS = ("KAMREPORT_SMTP_HOST", "KAMREPORT_SMTP_PORT", "KAMREPORT_SMTP_USER",
             "KAMREPORT_SMTP_PASSWORD", "KAMREPORT_SMTP_SECURITY", "KAMREPORT_SMTP_CAFILE",
             "KAMREPORT_MAIL_FROM")
# Tuning knobs with defaults: documented, not needed in the workflow's secrets.
SMTP_TUNING = ("KAMREPORT_SMTP_TIMEOUT", "KAMREPORT_SMTP_DEADLINE")

needs_build = pytest.mark.skipif(
    importlib.util.find_spec("kamreport.build.pipeline") is None,
    reason="kamreport/build.py has not landed yet; the documented commands run `kamreport build`")


def fenced_block(marker: str) -> str:
    """The fenced code block right after `<!-- test: MARKER ... -->`."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"<!-- test: {marker}\b[^>]*-->\s*```\w*\n(.*?)\n```", text, re.S)
    assert m, f"{DOC}: no fenced block marked '<!-- test: {marker} -->'"
    return m.group(1)


def workflow() -> dict:
    return yaml.safe_load(fenced_block("workflow"))


def steps() -> list[dict]:
    return workflow()["jobs"]["report"]["steps"]


def clean_env(**extra: str) -> dict[str, str]:
    """The test machine's environment minus any real SMTP settings, with the
    virtualenv's `kamreport` first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in SMTP_VARS and k != "PERIOD"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def init_sample(folder: Path) -> None:
    (folder / "inputs").mkdir(parents=True)
    subprocess.run([str(BIN / "kamreport"), "init", "inputs/sample.xlsx", "--customers", "8",
                    "--seed", "5"], cwd=folder, check=True, capture_output=True, timeout=300)


def check_period_folder(folder: Path) -> dict:
    """The artifacts a build must leave, and the account PDFs it lists."""
    for name in ("index.html", "booklet.html", "booklet.pdf", "summary.json", "problems.csv"):
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, name
    assert (folder / "booklet.pdf").read_bytes().startswith(b"%PDF-")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == folder.name and summary["problems"]["fatal"] == 0
    keys = [a for a in summary["accounts"] if a["tier"] == "key"]
    assert keys, "the sample should have key accounts"
    for acc in keys:
        assert (folder / acc["files"]["pdf"]).read_bytes().startswith(b"%PDF-")
    return summary


def has_high_risk(summary: dict) -> bool:
    return any(r["severity"] == "high" for a in summary["accounts"] for r in a["risks"])


# ---------------------------------------------------------------- the workflow as written

def test_workflow_is_valid_and_complete():
    wf = workflow()
    on = wf.get("on", wf.get(True))            # YAML 1.1 reads a bare `on` as true
    assert on["push"]["paths"] == ["inputs/**"] and "workflow_dispatch" in on
    [cron] = [s["cron"] for s in on["schedule"]]
    assert len(cron.split()) == 5
    by_uses = {s["uses"].split("@")[0]: s for s in steps() if "uses" in s}
    assert {"actions/checkout", "actions/setup-python", "actions/upload-artifact"} <= set(by_uses)
    assert by_uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    upload = by_uses["actions/upload-artifact"]
    assert upload["with"]["path"] == "out/" and "!cancelled()" in upload["if"]

    runs = [s["run"] for s in steps() if "run" in s]
    apt = next(r for r in runs if "apt-get install" in r)
    for pkg in ("fonts-noto-cjk", "libharfbuzz-subset0"):
        assert pkg in apt.split()
    assert "pip install ." in runs
    assert "kamreport build inputs/*.xlsx --out out --quiet --fail-on-risk high" in runs
    # No ${{ }} inside a shell command: values go through env (no script injection).
    assert not any("${{" in r for r in runs)

    send = next(s for s in steps() if s.get("run", "").startswith("kamreport send"))
    # The mail step must run after a build that exited 3 (high risks).
    assert "!cancelled()" in send["if"]
    # It passes exactly the variables kamreport send reads.
    assert set(SMTP_VARS) - {"KAMREPORT_SMTP_CAFILE"} <= set(send["env"])


def test_documented_env_names_match_the_code():
    source = (ROOT / "kamreport" / "deliver" / "send.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bKAMREPORT_[A-Z_]*[A-Z]\b", source))
    doc = DOC.read_text(encoding="utf-8")
    assert used == set(SMTP_VARS) | set(SMTP_TUNING)
    for name in used:
        assert f"`{name}`" in doc


def test_cron_period_is_last_month():
    script = fenced_block("cron")
    [line] = [ln for ln in script.splitlines() if ln.startswith("PERIOD=")]
    before = date.today()
    got = subprocess.run(["sh", "-c", f'{line}\nprintf %s "$PERIOD"'], env=clean_env(),
                         capture_output=True, text=True, check=True).stdout
    after = date.today()

    def last_month(d: date) -> str:
        return f"{d.year - (d.month == 1)}-{(d.month - 2) % 12 + 1:02d}"
    assert got in {last_month(before), last_month(after)}
    # An explicit PERIOD wins (re-running an old month).
    got = subprocess.run(["sh", "-c", f'{line}\nprintf %s "$PERIOD"'], env=clean_env(PERIOD="2026-07"),
                         capture_output=True, text=True, check=True).stdout
    assert got == "2026-07"


# ---------------------------------------------------------------- run the documented commands

def expand(value: str, secrets: dict[str, str], variables: dict[str, str]) -> str:
    """GitHub's `${{ secrets.X }}` / `${{ vars.X }}`; anything else is a test failure."""
    def one(m: re.Match) -> str:
        kind, name = m.group(1), m.group(2)
        return (secrets if kind == "secrets" else variables).get(name, "")
    out = re.sub(r"\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}", one, str(value))
    assert "${{" not in out, f"unexpected expression in {value!r}"
    return out


def run_step(step: dict, cwd: Path, secrets: dict, variables: dict) -> subprocess.CompletedProcess:
    env = clean_env(**{k: expand(v, secrets, variables) for k, v in (step.get("env") or {}).items()})
    # GitHub's default shell on Linux runners.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@needs_build
def test_documented_ci_steps_run(tmp_path, smtp_server):
    port, server = smtp_server("none")
    init_sample(tmp_path)
    secrets = {"KAMREPORT_SMTP_HOST": "127.0.0.1", "KAMREPORT_SMTP_PORT": str(port),
               "KAMREPORT_SMTP_SECURITY": "none", "KAMREPORT_MAIL_FROM": "kam@example.com"}
    variables = {"KAMREPORT_MAIL_TO": "ceo@example.com, cfo@example.com"}
    # The kamreport steps, in order; checkout, apt and pip are what this
    # virtualenv already is.
    ours = [s for s in steps() if s.get("run", "").startswith("kamreport ")]
    assert [s["run"].split()[1] for s in ours] == ["build", "send"]

    build = run_step(ours[0], tmp_path, secrets, variables)
    assert build.returncode in (0, 3), build.stderr
    [folder] = [p for p in (tmp_path / "out").iterdir() if p.is_dir()]
    summary = check_period_folder(folder)
    # --fail-on-risk high: exit 3 exactly when some account has a high risk.
    assert (build.returncode == 3) == has_high_risk(summary)

    send = run_step(ours[1], tmp_path, secrets, variables)
    assert send.returncode == 0, send.stdout + send.stderr
    assert sorted(m.rcpt_tos[0] for m in server.messages) == ["ceo@example.com", "cfo@example.com"]
    msg = email.message_from_bytes(server.messages[0].data, policy=policy.default)
    [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content() == (folder / "booklet.pdf").read_bytes()
    assert folder.name in msg["Subject"]

    # The same real build, previewed with the account plans attached: one PDF
    # per account plan listed in summary.json, byte for byte.
    preview = subprocess.run([str(BIN / "kamreport"), "send", "--out", "out", "--dry-run",
                              "--attach-accounts", "--to", "ceo@example.com"],
                             cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert preview.returncode == 0, preview.stderr
    eml = folder / "mail" / f"{folder.name}-ceo_at_example.com.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    pdfs = [p.get_content() for p in msg.iter_attachments()]
    plans = [a["files"]["pdf"] for a in summary["accounts"] if (a.get("files") or {}).get("pdf")]
    assert pdfs == [(folder / "booklet.pdf").read_bytes()] + [(folder / f).read_bytes() for f in plans]


@needs_build
def test_documented_cron_script_runs_and_a_rerun_mails_nobody_twice(tmp_path, smtp_server):
    port, server = smtp_server("none", auth=True)     # a local relay that wants a login
    init_sample(tmp_path)
    script = tmp_path / "monthly.sh"
    script.write_text(fenced_block("cron") + "\n", encoding="utf-8")
    env_file = tmp_path / "smtp.env"
    env_file.write_text(
        f"KAMREPORT_SMTP_HOST=127.0.0.1\nKAMREPORT_SMTP_PORT={port}\nKAMREPORT_SMTP_SECURITY=none\n"
        f"KAMREPORT_SMTP_USER=kam-bot\nKAMREPORT_SMTP_PASSWORD='{SMTP_PASSWORD}'\n"
        f"KAMREPORT_MAIL_FROM=\"KAM <kam@example.com>\"\n", encoding="utf-8")
    env_file.chmod(0o600)
    # The sample's data end in 2026-09 (PERIOD re-runs a given month); the
    # script names no recipient, so the workbook's mail_to setting is used.
    env = clean_env(KAMREPORT_HOME=str(tmp_path), KAMREPORT_ENV_FILE=str(env_file), PERIOD="2026-09")

    first = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    folder = tmp_path / "out" / "2026-09"
    summary = check_period_folder(folder)
    mail_to = summary["settings"]["mail_to"]
    mail_to = [mail_to] if isinstance(mail_to, str) else mail_to
    assert mail_to, "the sample workbook should set mail_to"
    assert sorted(m.rcpt_tos[0] for m in server.messages) == sorted(mail_to)
    assert all(m.authenticated for m in server.messages)
    sent = json.loads((folder / "mail" / "sent.json").read_text(encoding="utf-8"))
    assert sorted(e["to"] for e in sent["sent"]) == sorted(mail_to)
    assert SMTP_PASSWORD not in first.stdout + first.stderr

    # The job fires again (a retry, a second cron line): nobody is mailed twice.
    # Only the script's send command is rerun; rebuilding would only cost time.
    [send_line] = [ln for ln in fenced_block("cron").splitlines() if ln.startswith("kamreport send")]
    env_line = [ln for ln in fenced_block("cron").splitlines() if ln.startswith(". ")]
    second = subprocess.run(["sh", "-c", "\n".join(["set -eu", f"cd {tmp_path}", "set -a", *env_line,
                                                     "set +a", send_line])],
                            env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    # (the sample is Chinese, so is what send says: "已跳过 …：2026-09 已于 … 发送过")
    assert second.stdout.count(" 发送过；") == len(mail_to)
    assert len(server.messages) == len(mail_to)


def test_exit_codes_as_documented(tmp_path):
    doc = DOC.read_text(encoding="utf-8")
    table = doc.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert [int(m) for m in re.findall(r"^\| (\d) \|", table, re.M)] == [0, 1, 2, 3]

    def code(*args: str) -> int:
        return subprocess.run([str(BIN / "kamreport"), *args], cwd=tmp_path, env=clean_env(),
                              capture_output=True, timeout=300).returncode
    assert code("build", "missing.xlsx", "--out", "out", "--quiet") == 1     # fatal input
    assert code("build") == 2                                                # missing argument
    assert code("build", "x.xlsx", "--lang", "fr") == 2                      # bad choice
    assert code("send", "--period", "2026Q5", "--dry-run") == 2              # misspelt period
    assert code("build", "x.xlsx", "--period", "2026Q5") == 2                # misspelt period
    assert code("send", "--out", "out", "--dry-run") == 1                    # nothing built
