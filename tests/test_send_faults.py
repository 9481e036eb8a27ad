"""`kamreport send` against servers that misbehave on purpose (issue 12,
"Send"; SPEC §7): a connection that breaks after DATA, a run killed
mid-delivery, a send log that cannot be written, a server that trickles
`220-` lines, 421 replies. Real sockets on 127.0.0.1 throughout: aiosmtpd
where a server behaves, a small scripted server (RawSmtp) where it must not.
Timeouts come from KAMREPORT_SMTP_TIMEOUT / _DEADLINE, so each test is quick.
The periods are English, so are the messages asserted (a Chinese period's
messages are Chinese: README "Messages").
"""
from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kamreport.errors import KamError
from kamreport.deliver.send import smtp_config
from test_send import assert_secret_absent, run, smtp_env

HANG, DROP = "hang", "drop"                    # instead of a reply: say nothing / close
TRICKLE_LINES, TRICKLE_BYTES = "trickle lines", "trickle bytes"
FAST = {"KAMREPORT_SMTP_TIMEOUT": "0.5", "KAMREPORT_SMTP_DEADLINE": "10"}
BUSY = "421 4.3.2 Service not available, closing transmission channel"


class RawSmtp:
    """A scripted SMTP server in a thread. `hook(verb, arg)` may return a
    reply (str), HANG or DROP for any command, or None for the normal one;
    `after_data` is what follows the final "." of a message."""

    def __init__(self, hook=None, greeting="220 raw.test ESMTP", after_data="250 2.0.0 queued",
                 data_delay=0.0):
        self.hook = hook or (lambda verb, arg: None)
        self.greeting, self.after_data, self.data_delay = greeting, after_data, data_delay
        self.commands: list[str] = []
        self.messages: list[bytes] = []        # every message whose final "." arrived
        self.connections = 0
        self.held: list[float] = []            # seconds each trickled connection lasted
        self.got_data = threading.Event()
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self):
        self.stop.set()
        self.sock.close()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn:
            try:
                self._talk(conn)
            except OSError:
                pass            # the client went away: that is what some tests do

    @staticmethod
    def _say(conn, text):
        conn.sendall(text.encode() + b"\r\n")

    def _act(self, conn, reply) -> bool:
        """Carry out a reply; False when the conversation is over."""
        if reply == DROP:
            return False
        if reply == HANG:
            conn.settimeout(0.05)
            while not self.stop.is_set():
                try:
                    if not conn.recv(4096):
                        return False
                except TimeoutError:
                    continue
            return False
        self._say(conn, reply)
        return not reply.startswith("421")

    def _talk(self, conn):
        if self.greeting in (TRICKLE_LINES, TRICKLE_BYTES):
            t0 = time.monotonic()
            try:
                while not self.stop.is_set():        # forever, each piece well within any timeout
                    conn.sendall(b"220-still here\r\n" if self.greeting == TRICKLE_LINES else b"2")
                    time.sleep(0.05)
            finally:
                self.held.append(time.monotonic() - t0)
            return
        if not self._act(conn, self.greeting):
            return
        f = conn.makefile("rb")
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            self.commands.append(cmd)
            verb, _, arg = cmd.partition(" ")
            verb = verb.upper()
            reply = self.hook(verb, arg)
            if reply is None:
                reply = {"EHLO": "250-raw.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME",
                         "AUTH": "235 2.7.0 ok", "QUIT": "221 bye",
                         "DATA": "354 go ahead"}.get(verb, "250 ok")
            if verb == "DATA" and reply.startswith("354"):
                self._say(conn, reply)
                body = []
                while (part := f.readline()) not in (b".\r\n", b""):
                    body.append(part)
                self.messages.append(b"".join(body))
                self.got_data.set()
                time.sleep(self.data_delay)          # scanning the attachments, say
                reply = self.after_data
            if not self._act(conn, reply) or verb == "QUIT":
                return


@pytest.fixture
def raw_smtp():
    servers = []

    def start(**kwargs) -> RawSmtp:
        servers.append(RawSmtp(**kwargs))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def ledger(out: Path, period: str = "2026Q3") -> dict:
    return json.loads((out / period / "mail" / "sent.json").read_text(encoding="utf-8"))


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def cli(args, env, timeout=15):
    """`kamreport send` as its own process (for kills, and for hangs that
    must fail the test instead of the test run)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KAMREPORT_")}
    return subprocess.Popen([sys.executable, "-m", "kamreport.cli", "send", *args],
                            env={**base, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ---------------------------------------------------------------- after the hand-over

@pytest.mark.parametrize("after_data", [DROP, HANG], ids=["dropped", "no reply"])
def test_break_after_data_may_have_been_delivered_and_is_not_sent_again(
        make_built, raw_smtp, smtp_server, after_data):
    raw = raw_smtp(after_data=after_data)
    out = make_built(language="en")
    to = ["--to", "a@example.com", "--to", "b@example.com"]
    # 0.25 s per step; the reply to the final "." is awaited 10 times as long.
    r = run(["--out", str(out), *to], smtp_env(raw.port) | FAST | {"KAMREPORT_SMTP_TIMEOUT": "0.25"})
    assert r.exit_code == 1
    line = one_line(r.output)
    assert line.startswith(f"Error: 127.0.0.1:{raw.port}: the connection broke after the message to "
                           f"a@example.com was handed over (")
    assert "it may have been delivered, so it is not sent again without --resend" in line
    assert "1 more recipient(s) not tried, a rerun sends them" in line
    assert ("(no reply to the end of the message within 2.5 s (10 × KAMREPORT_SMTP_TIMEOUT))"
            if after_data == HANG else "(the server closed the connection)") in line
    assert len(raw.messages) == 1                  # the server did get the whole message
    log = ledger(out)
    assert log["sent"] == [] and [(e["to"], e["state"]) for e in log["pending"]] == [("a@example.com",
                                                                                     "uncertain")]

    # The rerun (a healthy server now) skips a@, says why, and sends b@ only.
    port, good = smtp_server("none")
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 0, r.output
    assert (f"skipped a@example.com: 2026Q3 may have been delivered at {log['pending'][0]['at']} "
            f"(the connection broke after the message was handed over, Message-ID "
            f"{log['pending'][0]['message_id']}); use --resend to send again") in r.output
    assert [m.rcpt_tos for m in good.messages] == [["b@example.com"]]
    # And again: nobody is mailed twice.
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 0 and "already sent" in r.output and "may have been delivered" in r.output
    assert len(good.messages) == 1
    # --resend is the operator's decision: it sends, and the entry is settled.
    r = run(["--out", str(out), "--to", "a@example.com", "--resend"], smtp_env(port))
    assert r.exit_code == 0 and [m.rcpt_tos for m in good.messages] == [["b@example.com"], ["a@example.com"]]
    log = ledger(out)
    assert [e["to"] for e in log["sent"]] == ["b@example.com", "a@example.com"] and log["pending"] == []


def test_a_slow_reply_to_the_end_of_the_message_is_a_delivery(make_built, raw_smtp):
    # The reply to the final "." comes after 4 step timeouts (a server
    # scanning the attachments): delivered, recorded as sent, no doubt raised.
    raw = raw_smtp(data_delay=0.8)
    out = make_built(language="en")
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(raw.port) | FAST
            | {"KAMREPORT_SMTP_TIMEOUT": "0.2"})
    assert r.exit_code == 0, r.output
    assert f"sent 2026Q3 to a@example.com via 127.0.0.1:{raw.port}" in r.output
    log = ledger(out)
    assert [e["to"] for e in log["sent"]] == ["a@example.com"] and log["pending"] == []
    assert "state" not in log["sent"][0]


def test_the_deadline_while_awaiting_the_final_reply_may_have_been_delivered(make_built, raw_smtp):
    raw = raw_smtp(after_data=HANG)
    out = make_built(language="en")
    t0 = time.monotonic()
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(raw.port)
            | {"KAMREPORT_SMTP_TIMEOUT": "5", "KAMREPORT_SMTP_DEADLINE": "1"})
    assert time.monotonic() - t0 < 3
    assert one_line(r.output) == (
        f"Error: 127.0.0.1:{raw.port}: the connection broke after the message to a@example.com was handed "
        f"over (the whole send took longer than its deadline of 1 s (KAMREPORT_SMTP_DEADLINE)); it may "
        f"have been delivered, so it is not sent again without --resend")
    assert ledger(out)["pending"][0]["state"] == "uncertain"
    assert "deadline" in ledger(out)["pending"][0]["reason"]


@pytest.mark.parametrize("verb", ["RCPT", "DATA"])
def test_break_before_the_hand_over_is_not_delivered_and_a_rerun_sends_it(
        make_built, raw_smtp, smtp_server, verb):
    # No reply to RCPT, or to DATA (no 354): the message never left, so it is
    # not "may have been delivered" -- that would leave a recipient without it.
    raw = raw_smtp(hook=lambda v, a: HANG if v == verb else None)
    out = make_built(language="en")
    t0 = time.monotonic()
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(raw.port) | FAST)
    assert time.monotonic() - t0 < 3
    assert r.exit_code == 1
    assert one_line(r.output) == (f"Error: 127.0.0.1:{raw.port}: connection failed while sending to "
                                  f"a@example.com (no progress within 0.5 s (KAMREPORT_SMTP_TIMEOUT)); "
                                  f"it was not delivered")
    assert raw.messages == [] and ledger(out)["pending"] == [] and ledger(out)["sent"] == []
    port, good = smtp_server("none")
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(port))
    assert r.exit_code == 0 and len(good.messages) == 1


def test_killed_mid_delivery_is_may_have_been_delivered(make_built, raw_smtp, smtp_server):
    raw = raw_smtp(after_data=HANG)
    out = make_built(language="en")
    env = smtp_env(raw.port) | {"KAMREPORT_SMTP_TIMEOUT": "30", "KAMREPORT_SMTP_DEADLINE": "60"}
    proc = cli(["--out", str(out), "--to", "a@example.com"], env)
    try:
        assert raw.got_data.wait(10), "the message never reached the server"
        # Recorded before it was handed over, durably (a file, not a buffer).
        [entry] = ledger(out)["pending"]
        assert (entry["to"], entry["state"]) == ("a@example.com", "sending")
        assert entry["message_id"].encode() in raw.messages[0]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    port, good = smtp_server("none")
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(port))
    assert r.exit_code == 0, r.output
    assert one_line(r.output).startswith("skipped a@example.com: 2026Q3 may have been delivered at ")
    assert "(the send was interrupted mid-delivery, Message-ID" in r.output
    assert good.messages == []
    # The dry run tells the same.
    r = run(["--out", str(out), "--to", "a@example.com", "--dry-run"], {})
    assert "(may have been delivered; a real send would skip it without --resend)" in r.output


# ---------------------------------------------------------------- the log cannot be written

def failing_writes(monkeypatch, fail_from: int, err=errno.ENOSPC):
    """kamreport.deliver.send's atomic writes fail from the fail_from-th on (1 = all),
    as on a full disk."""
    import kamreport.deliver.send as send_mod
    real, calls = send_mod.write_atomic, []

    def write(path, data):
        calls.append(Path(path).name)
        if len(calls) >= fail_from:
            raise OSError(err, os.strerror(err), str(path))
        real(path, data)

    monkeypatch.setattr(send_mod, "write_atomic", write)
    return calls


def test_log_not_writable_before_delivery_sends_nothing(make_built, smtp_server, monkeypatch):
    port, server = smtp_server("none")
    out = make_built(language="en")
    to = ["--to", "a@example.com", "--to", "b@example.com"]
    failing_writes(monkeypatch, 1)
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)      # no exception escaped
    log_path = out / "2026Q3" / "mail" / "sent.json"
    assert one_line(r.output) == (f"Error: {log_path}: cannot write the send log (No space left on device); "
                                  f"stopped before sending to a@example.com (2 recipient(s) not sent): a "
                                  f"delivery that cannot be recorded could be repeated by a rerun")
    assert server.messages == []                   # nothing went out that was not recorded
    monkeypatch.undo()                             # space again
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 0 and sorted(m.rcpt_tos[0] for m in server.messages) == ["a@example.com",
                                                                                    "b@example.com"]


def test_log_not_writable_after_delivery_stops_and_nothing_is_sent_twice(make_built, smtp_server,
                                                                          monkeypatch):
    port, server = smtp_server("none")
    out = make_built(language="en")
    to = ["--to", "a@example.com", "--to", "b@example.com"]
    calls = failing_writes(monkeypatch, 2)          # "sending" is written, "sent" is not
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 1 and calls == ["sent.json", "sent.json"]
    line = one_line(r.output)
    assert line.startswith(f"Error: {out / '2026Q3' / 'mail' / 'sent.json'}: cannot write the send log "
                           f"(No space left on device); a@example.com was sent 2026Q3 but stays recorded")
    assert line.endswith("stopped before the next recipient; 1 more recipient(s) not tried, "
                         "a rerun sends them")
    assert [m.rcpt_tos for m in server.messages] == [["a@example.com"]]     # b@ not tried
    monkeypatch.undo()
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 0
    assert "skipped a@example.com: 2026Q3 may have been delivered" in r.output
    assert [m.rcpt_tos for m in server.messages] == [["a@example.com"], ["b@example.com"]]


def test_full_file_system_in_a_real_process(make_built, smtp_server):
    # RLIMIT_FSIZE makes the kernel refuse the log's write(2) (EFBIG), as a
    # full disk would (ENOSPC): no traceback, nothing sent.
    import resource
    port, server = smtp_server("none")
    out = make_built(language="en")

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    base = {k: v for k, v in os.environ.items() if not k.startswith("KAMREPORT_")}
    p = subprocess.run([sys.executable, "-m", "kamreport.cli", "send", "--out", str(out),
                        "--to", "a@example.com"], env=base | smtp_env(port), preexec_fn=small_files,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stdout + p.stderr
    assert one_line(p.stdout + p.stderr).startswith(
        f"Error: {out / '2026Q3' / 'mail' / 'sent.json'}: cannot write the send log (File too large); "
        f"stopped before sending to a@example.com")
    assert server.messages == []
    assert not list((out / "2026Q3" / "mail").glob(".*.tmp"))


# ---------------------------------------------------------------- timeouts and the deadline

@pytest.mark.parametrize("greeting", [TRICKLE_LINES, TRICKLE_BYTES])
def test_a_trickling_server_cannot_hold_the_send_past_its_deadline(make_built, raw_smtp, greeting):
    raw = raw_smtp(greeting=greeting)
    out = make_built(language="en")
    env = smtp_env(raw.port) | {"KAMREPORT_SMTP_TIMEOUT": "1", "KAMREPORT_SMTP_DEADLINE": "1.5"}
    proc = cli(["--out", str(out), "--to", "a@example.com"], env)
    try:
        stdout, stderr = proc.communicate(timeout=20)    # the old code never returned
    finally:
        proc.kill()
    assert proc.returncode == 1, (stdout, stderr)
    # Measured by the server, so that a slow interpreter start does not count:
    # the client hung up within the deadline (plus a little slack), not never.
    for _ in range(100):                # the server notices the hang-up on its next write
        if raw.held:
            break
        time.sleep(0.02)
    [held] = raw.held
    assert 1.4 < held < 2.5, held
    assert one_line(stdout + stderr) == (
        f"Error: 127.0.0.1:{raw.port}: the whole send took longer than its deadline of 1.5 s "
        f"(KAMREPORT_SMTP_DEADLINE) during connect; nothing was sent")
    assert not (out / "2026Q3" / "mail" / "sent.json").exists()


def test_silent_server_times_out_per_step(make_built, raw_smtp):
    raw = raw_smtp(hook=lambda v, a: HANG if v == "EHLO" else None)
    r = run(["--out", str(make_built(language="en")), "--to", "a@example.com"], smtp_env(raw.port) | FAST)
    assert r.exit_code == 1
    assert one_line(r.output) == (f"Error: 127.0.0.1:{raw.port}: no progress within 0.5 s "
                                  f"(KAMREPORT_SMTP_TIMEOUT) during greet; nothing was sent")


def test_timeout_settings_are_checked():
    cfg = smtp_config({"KAMREPORT_SMTP_TIMEOUT": "2.5", "KAMREPORT_SMTP_DEADLINE": "60"})
    assert (cfg.timeout, cfg.deadline) == (2.5, 60.0)
    assert (smtp_config({}).timeout, smtp_config({}).deadline) == (30.0, 900.0)
    for bad in ["0", "-1", "abc", "inf", "nan", "100000"]:
        with pytest.raises(KamError, match=rf"KAMREPORT_SMTP_TIMEOUT='{bad}' is not accepted; give seconds"):
            smtp_config({"KAMREPORT_SMTP_TIMEOUT": bad})
    with pytest.raises(KamError, match="KAMREPORT_SMTP_DEADLINE='0'"):
        smtp_config({"KAMREPORT_SMTP_DEADLINE": "0"})


# ---------------------------------------------------------------- 421 and other replies

@pytest.mark.parametrize("where", ["greeting", "MAIL", "RCPT", "end of DATA"])
def test_421_is_server_busy_not_a_refusal(make_built, raw_smtp, smtp_server, where):
    if where == "greeting":
        raw = raw_smtp(greeting=BUSY)
    elif where == "end of DATA":
        raw = raw_smtp(after_data=BUSY)
    else:
        raw = raw_smtp(hook=lambda v, a: BUSY if v == where else None)
    out = make_built(language="en")
    to = ["--to", "a@example.com", "--to", "b@example.com"]
    r = run(["--out", str(out), *to], smtp_env(raw.port) | FAST)
    assert r.exit_code == 1
    line = one_line(r.output)
    assert f"127.0.0.1:{raw.port}: server busy, try later (421 4.3.2 Service not available" in line
    assert "refused" not in line and "may have been delivered" not in line
    if where == "greeting":
        assert line.endswith("during connect); nothing was sent")
    else:
        assert line.endswith("a@example.com was not sent; 1 more recipient(s) not tried, a rerun sends them")
    assert raw.connections == 1                    # no retry against a busy server
    if (out / "2026Q3" / "mail" / "sent.json").exists():
        assert ledger(out)["pending"] == [] and ledger(out)["sent"] == []
    # Not delivered, so a later run sends both.
    port, good = smtp_server("none")
    assert run(["--out", str(out), *to], smtp_env(port)).exit_code == 0 and len(good.messages) == 2


def test_busy_reply_echoing_the_login_never_shows_the_password(make_built, raw_smtp):
    seen = {}

    def hook(verb, arg):
        if verb == "AUTH":
            seen["auth"] = arg
        if verb == "MAIL":
            return f"421 4.7.0 busy; you said AUTH {seen.get('auth')}"
        return None

    raw = raw_smtp(hook=hook)
    r = run(["--out", str(make_built(language="en")), "--to", "a@example.com"], smtp_env(raw.port, auth=True) | FAST)
    assert r.exit_code == 1 and "server busy, try later (421 4.7.0 busy; you said AUTH PLAIN ***)" in r.output
    assert seen["auth"].startswith("PLAIN ")
    assert_secret_absent(r.output)


def test_temporary_refusals_are_reported_and_retried(make_built, raw_smtp, smtp_server):
    raw = raw_smtp(hook=lambda v, a: "450 4.2.1 try again later" if v == "RCPT" and "grey@" in a else None)
    out = make_built(language="en")
    to = ["--to", "grey@example.com", "--to", "b@example.com"]
    r = run(["--out", str(out), *to], smtp_env(raw.port) | FAST)
    assert r.exit_code == 1
    assert (f"error: 127.0.0.1:{raw.port}: recipient grey@example.com refused for now (450 4.2.1 try again "
            f"later); a rerun tries again") in r.stderr
    assert f"sent 2026Q3 to b@example.com via 127.0.0.1:{raw.port}" in r.output
    verbs = [c.split()[0].upper() for c in raw.commands]
    assert len(raw.messages) == 1 and verbs[verbs.index("RCPT") + 1] == "RSET"   # a clean start for b@
    log = ledger(out)
    assert [e["to"] for e in log["sent"]] == ["b@example.com"] and log["pending"] == []
    port, good = smtp_server("none")
    r = run(["--out", str(out), *to], smtp_env(port))
    assert r.exit_code == 0 and [m.rcpt_tos for m in good.messages] == [["grey@example.com"]]


def test_a_failed_resend_keeps_the_may_have_been_delivered_record(make_built, raw_smtp):
    out = make_built(language="en")
    raw = raw_smtp(after_data=DROP)
    assert run(["--out", str(out), "--to", "a@example.com"], smtp_env(raw.port) | FAST).exit_code == 1
    [first] = ledger(out)["pending"]
    # The operator resends; this server refuses the recipient outright.
    refusing = raw_smtp(hook=lambda v, a: "550 5.1.1 no such user" if v == "RCPT" else None)
    r = run(["--out", str(out), "--to", "a@example.com", "--resend"], smtp_env(refusing.port) | FAST)
    assert r.exit_code == 1 and "recipient a@example.com refused (550 5.1.1 no such user)" in r.output
    # Nothing new was delivered, so the first attempt still stands in the way of a plain rerun.
    assert ledger(out)["pending"] == [first]
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(refusing.port) | FAST)
    assert r.exit_code == 0 and "may have been delivered" in r.output and refusing.connections == 1


def test_mail_folder_that_is_a_file_and_leftover_temporary_logs(make_built, smtp_server):
    port, server = smtp_server("none")
    out = make_built(language="en")
    mail = out / "2026Q3" / "mail"
    mail.write_text("not a folder")
    for args in (["--dry-run"], []):
        r = run(["--out", str(out), "--to", "a@example.com", *args], smtp_env(port))
        assert r.exit_code == 1
        assert one_line(r.output) == f"Error: {mail}: is a file, not the folder of the send log; move it " \
                                     f"away (nothing was sent)"
    assert server.messages == []
    mail.unlink()
    mail.mkdir()
    (mail / ".sent.json.abc123.tmp").write_text('{"half": ')      # a write killed half-way
    r = run(["--out", str(out), "--to", "a@example.com"], smtp_env(port))
    assert r.exit_code == 0 and len(server.messages) == 1
    assert sorted(p.name for p in mail.iterdir()) == [".send.lock", "sent.json"]
