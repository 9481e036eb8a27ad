"""A build is whole, and its faults are one line (SPEC §6 "A build is whole",
§8 "Checks its ground"), tried with real processes and real signals: a
build killed (SIGKILL) at several moments, stopped with SIGTERM or Ctrl-C,
a render worker killed under it, two builds into one out folder, a full
disk and a read-only file system (tmpfs mounts: root only, else skipped),
outputs of the wrong type, a template that raises inside a worker.

Every build here starts from a previous complete build of *other* data
(seed 2), so a mix of old and new files would show in the hashes.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kamreport.build import pipeline as buildmod
from kamreport.cli import main
from kamreport.errors import KamError

LABEL = "2026Q3"
TIMEOUT = 180


# ---------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[int, Path]:
    """Two small English sample workbooks of the same period, other data."""
    from kamreport.sample.workbooks import write_workbook
    root = tmp_path_factory.mktemp("faults-books")
    out = {}
    for seed in (1, 2):
        out[seed] = root / f"book-{seed}.xlsx"
        write_workbook(str(out[seed]), lang="en", customers=12, seed=seed)
    return out


@pytest.fixture(scope="module")
def previous(books, tmp_path_factory) -> Path:
    """An out folder holding a complete build of seed 2 (all formats)."""
    out = tmp_path_factory.mktemp("faults-previous") / "out"
    p = subprocess.run(_cmd(books[2], out), capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    return out


@pytest.fixture
def out(previous, tmp_path) -> Path:
    """A copy of the previous build, for one test to break."""
    dst = tmp_path / "out"
    shutil.copytree(previous, dst, symlinks=True)
    return dst


def _cmd(book: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kamreport.cli", "build", str(book), "--out", str(out),
            "--jobs", "2", *extra]


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _reap_started():
    """Every build a test started with _start is ended and its pipes closed
    when the test ends (the suite fails on a ResourceWarning)."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
        with proc:                  # closes stdout and stderr, waits
            pass


def _start(book: Path, out: Path, *extra: str, **kw) -> subprocess.Popen:
    proc = subprocess.Popen(_cmd(book, out, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)
    _started.append(proc)
    return proc


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` (hidden ones too, not the build lock's pid) -> sha256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != buildmod.LOCK_NAME}


def leftovers(out: Path) -> list[str]:
    """What a build must never leave behind in the out folder."""
    found = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != buildmod.LOCK_NAME]
    found += [p.relative_to(out).as_posix() for p in out.rglob("*")
              if p.name.startswith(".pieces-") or p.name.endswith(".tmp")]
    return found


def building(out: Path) -> list[Path]:
    return sorted(out.glob(f".{LABEL}.building-*"))


def descendants(pid: int) -> set[int]:
    """Processes whose parent (transitively) is `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for child, parent in parents.items():
            if parent == p and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped is dead: PID 1 of a container may not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def assert_all_dead(pids: set[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], "processes outlived the build"


def wait_for(cond, proc: subprocess.Popen, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if proc.poll() is not None:
            pytest.fail(f"the build ended (code {proc.returncode}) before {what}: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.005)


def in_building(out: Path, pattern: str):
    """A condition: the new build's folder holds `pattern` and is not
    complete yet (summary.json is its last file; after the swap the
    building folder's name holds the *previous* build, summary.json and all)."""
    def cond():
        for b in building(out):
            with contextlib.suppress(OSError):
                if any(b.glob(pattern)) and not (b / "summary.json").exists():
                    return True
        return False
    return cond


def one_line_error(stderr: str) -> str:
    """The build's error output is one line (warnings about the data aside), no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("warning:")]
    assert len(lines) == 1, stderr
    return lines[0]


# ---------------------------------------------------------------- kills and signals

def test_sigkill_at_any_moment_leaves_the_previous_build_and_no_process(books, out):
    """Killed as soon as the building folder exists, after the first account
    plan, after booklet.html (the booklet is being assembled): each time
    the previous build is there, whole, and no worker survives. The next
    build removes what the killed ones left and is itself whole."""
    before = snapshot(out / LABEL)
    for moment in ("*", "accounts/*.pdf", "booklet.html"):
        proc = _start(books[1], out)
        wait_for(in_building(out, moment), proc, f"{moment} in the building folder")
        kids = descendants(proc.pid)
        assert kids, "render workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait(TIMEOUT)
        assert snapshot(out / LABEL) == before, moment
        assert_all_dead(kids)
    # Each build removed the one killed before it; the last killed one's is left for the next build.
    assert len(building(out)) == 1
    p = subprocess.run(_cmd(books[1], out, "--quiet"), capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    assert leftovers(out) == []
    assert_whole(out / LABEL, before)


def assert_whole(period: Path, previous: dict[str, str]) -> None:
    """`period` holds one new build: exactly the files its summary.json lists,
    none of them a file of the previous build."""
    import json
    after = snapshot(period)
    listed = json.loads((period / "summary.json").read_text(encoding="utf-8"))["outputs"]
    assert sorted(after) == sorted(listed)
    assert not [f for f in after if previous.get(f) == after[f] and f != "problems.csv"]


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_sigterm_and_ctrl_c_stop_the_build_cleanly(books, out, how):
    before = snapshot(out / LABEL)
    # Ctrl-C on a terminal goes to every process of the foreground group.
    proc = _start(books[1], out, "--quiet", start_new_session=True)
    wait_for(in_building(out, "accounts/*.pdf"), proc, "an account plan")
    kids = descendants(proc.pid)
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    line = one_line_error(stderr)
    assert f"interrupted ({how})" in line and "nothing was changed" in line
    assert snapshot(out / LABEL) == before
    assert leftovers(out) == []                     # its building folder is gone too
    assert_all_dead(kids)


def test_a_killed_render_worker_is_one_line(books, out):
    before = snapshot(out / LABEL)
    proc = _start(books[1], out, "--quiet")
    wait_for(in_building(out, "accounts/*.pdf"), proc, "an account plan")
    kids = descendants(proc.pid)
    os.kill(max(kids), signal.SIGKILL)              # the pool's workers are forked last
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "render worker" in one_line_error(stderr)
    assert snapshot(out / LABEL) == before and leftovers(out) == []
    assert_all_dead(kids)


# ---------------------------------------------------------------- two builds

@contextlib.contextmanager
def held(path: Path):
    """flock `path` as another process would (flock locks are per open file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _lines(proc: subprocess.Popen) -> queue.Queue:
    """The process's stderr lines, as they come."""
    q: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [q.put(l) for l in proc.stderr], daemon=True).start()
    return q


def _until(q: queue.Queue, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        line = q.get(timeout=max(0.1, deadline - time.monotonic()))
        if text in line:
            return


def test_a_second_build_waits_then_refuses_in_one_line(books, out):
    before = snapshot(out / LABEL)
    with held(out / buildmod.LOCK_NAME):
        t0 = time.monotonic()
        p = subprocess.run(_cmd(books[1], out, "--format", "json", "--quiet"), capture_output=True,
                           text=True, timeout=TIMEOUT)
        waited = time.monotonic() - t0
    assert p.returncode == 1
    assert "another `kamreport build`" in one_line_error(p.stderr)
    assert waited >= buildmod.BUILD_WAIT
    assert snapshot(out / LABEL) == before and leftovers(out) == []


def test_a_second_build_goes_on_when_the_first_ends_in_time(books, out):
    with held(out / buildmod.LOCK_NAME):
        proc = _start(books[1], out, "--format", "json")
        lines = _lines(proc)
        _until(lines, "waiting for another `kamreport build`")
        assert not building(out)                    # it waits before it writes anything
    assert proc.wait(TIMEOUT) == 0
    assert (out / LABEL / "summary.json").is_file() and leftovers(out) == []


def test_two_real_builds_never_write_at_once(books, out):
    """Two builds started together: at no moment are there two building
    folders; each ends whole (0) or refused in one line (1)."""
    procs = [_start(books[1], out, "--quiet"), _start(books[1], out, "--quiet")]
    most = 0
    while any(p.poll() is None for p in procs):
        most = max(most, len(building(out)))
        time.sleep(0.005)
    assert most <= 1
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, 1])
    for p in procs:
        if p.returncode == 1:
            assert "another `kamreport build`" in one_line_error(p.stderr.read())
    assert leftovers(out) == []


def test_a_reader_always_finds_a_complete_build(books, out):
    """During a rebuild, the period folder and its summary.json are there at
    every look (one RENAME_EXCHANGE swaps the folders)."""
    final = out / LABEL
    proc = _start(books[1], out, "--format", "json", "--quiet")
    looks = missing = 0
    while proc.poll() is None:
        looks += 1
        missing += not (final / "summary.json").is_file()
    assert proc.returncode == 0 and looks > 100
    assert missing == 0
    assert (final / "summary.json").is_file() and not (final / "booklet.pdf").exists()   # the new build


# ---------------------------------------------------------------- mail/ and the user's files

def test_the_send_log_and_the_users_files_are_carried_into_the_new_build(books, out):
    (out / LABEL / "mail").mkdir()
    (out / LABEL / "mail" / "sent.json").write_text('{"period": "2026Q3", "sent": [{"to": "ceo@x"}]}')
    (out / LABEL / "notes.txt").write_text("mine")
    carried = {k: v for k, v in snapshot(out / LABEL).items() if k.startswith("mail/") or k == "notes.txt"}
    p = subprocess.run(_cmd(books[1], out, "--format", "json", "--quiet"), capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    after = snapshot(out / LABEL)
    # The whole new build (json only: the previous PDFs and HTML are gone), and what was carried.
    assert set(after) == {"summary.json", "problems.csv", *carried}
    assert {k: after[k] for k in carried} == carried


def test_the_swap_waits_for_a_running_send(books, out):
    (out / LABEL / "mail").mkdir()
    (out / LABEL / "mail" / "sent.json").write_text('{"period": "2026Q3", "sent": []}')
    with held(out / LABEL / "mail" / ".send.lock"):
        before = snapshot(out / LABEL)
        proc = _start(books[1], out, "--format", "json")
        _until(_lines(proc), "waiting for `kamreport send`")
        time.sleep(0.3)
        assert snapshot(out / LABEL) == before      # the send still sees the build it is sending
    assert proc.wait(TIMEOUT) == 0
    after = snapshot(out / LABEL)
    assert after["mail/sent.json"] == before["mail/sent.json"] and after["summary.json"] != before["summary.json"]


# ---------------------------------------------------------------- leftovers of killed swaps

def _json_build(book: Path, out: Path):
    return CliRunner().invoke(main, ["build", str(book), "--out", str(out), "--format", "json", "--quiet"])


def test_a_swap_killed_between_its_renames_is_mended_by_the_next_build(books, out):
    """Killed after the previous folder was renamed aside (the fallback swap)
    and its send log moved into the new folder: the next build puts both
    back before it starts, and carries the log into its own build."""
    aside = out / f".{LABEL}.replaced-99999"
    (out / LABEL).rename(aside)
    new = out / f".{LABEL}.building-99999"
    (new / "mail").mkdir(parents=True)
    (new / "mail" / "sent.json").write_text("{}")
    (new / "summary.json").write_text("half")
    res = _json_build(books[1], out)
    assert res.exit_code == 0, res.output
    assert (out / LABEL / "mail" / "sent.json").read_text() == "{}"
    assert leftovers(out) == []


def test_pieces_and_temporary_files_of_an_old_killed_build_are_removed(books, out):
    period = out / LABEL
    (period / ".pieces-abc").mkdir()
    (period / ".pieces-abc" / "x.parts").write_bytes(b"x")
    (period / ".booklet.pdf.k2j3.tmp").write_bytes(b"x")
    (period / "accounts" / ".C0001.pdf.zz.tmp").write_bytes(b"x")
    other = out / "2026Q2"
    other.mkdir()
    (other / ".summary.json.q.tmp").write_bytes(b"x")
    res = _json_build(books[1], out)
    assert res.exit_code == 0, res.output
    assert leftovers(out) == []


def test_without_renameat2_the_swap_renames_aside(books, out, monkeypatch):
    monkeypatch.setattr(buildmod, "exchange", lambda a, b: False)
    (out / LABEL / "mail").mkdir()
    (out / LABEL / "mail" / "sent.json").write_text("{}")
    res = _json_build(books[1], out)
    assert res.exit_code == 0, res.output
    assert sorted(snapshot(out / LABEL)) == ["mail/sent.json", "problems.csv", "summary.json"]
    assert leftovers(out) == []


# ---------------------------------------------------------------- wrong types, templates

@pytest.mark.parametrize("make, where", [
    (lambda p: (shutil.rmtree(p), p.write_text("x")), LABEL),
    (lambda p: (shutil.rmtree(p / "accounts"), (p / "accounts").write_text("x")), "accounts"),
    (lambda p: ((p / "booklet.pdf").unlink(), (p / "booklet.pdf").mkdir()), "booklet.pdf"),
    (lambda p: (next((p / "accounts").glob("*.pdf")).unlink(), (p / "accounts" / "C0001.pdf").mkdir()),
     "C0001.pdf"),
], ids=["period folder is a file", "accounts is a file", "booklet.pdf is a folder", "an account plan is a folder"])
def test_an_output_of_the_wrong_type_is_one_line_and_nothing_changes(books, out, make, where):
    make(out / LABEL)
    before = snapshot(out)
    p = subprocess.run(_cmd(books[1], out, "--format", "json", "--quiet"), capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 1
    line = one_line_error(p.stderr)
    assert where in line and "move it away" in line
    assert snapshot(out) == before and leftovers(out) == []


def test_a_template_that_raises_in_a_render_worker_is_one_line(books, out, tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "account.html").write_text(
        '{% extends "default:account.html" %}{% block kpis %}\n{{ 1 // 0 }}{% endblock %}', encoding="utf-8")
    before = snapshot(out / LABEL)
    p = subprocess.run(_cmd(books[1], out, "--templates", str(templates), "--quiet"), capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert p.returncode == 1
    assert "template account.html, line 2: ZeroDivisionError" in one_line_error(p.stderr)
    assert snapshot(out / LABEL) == before and leftovers(out) == []


# ---------------------------------------------------------------- a full disk, a read-only file system

@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                                           capture_output=True).returncode:
        pytest.skip("needs root and tmpfs mounts")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(folder: Path) -> Path:
    """Write until the file system is full."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), open(filler, "wb") as f:
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    return filler


def test_a_full_disk_midway_is_one_line_and_leaves_the_previous_build(books, previous, tmp_path):
    # Room for the start (the build's checks want 20 MB), none once it renders.
    with tmpfs(tmp_path / "disk", "24m") as disk:
        out = disk / "out"
        shutil.copytree(previous, out, symlinks=True)
        before = snapshot(out / LABEL)
        proc = _start(books[1], out, "--quiet")
        wait_for(in_building(out, "*"), proc, "the building folder")
        filler = _fill(disk)
        _, stderr = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 1
        line = one_line_error(stderr)
        assert "No space left on device" in line and "left as it was" in line
        assert snapshot(out / LABEL) == before and leftovers(out) == []
        filler.unlink()
        p = subprocess.run(_cmd(books[1], out, "--quiet"), capture_output=True, text=True, timeout=TIMEOUT)
        assert p.returncode == 0, p.stderr
        assert_whole(out / LABEL, before)
        assert leftovers(out) == []


def test_a_read_only_out_folder_is_one_line(books, previous, tmp_path):
    with tmpfs(tmp_path / "ro", "24m") as disk:
        out = disk / "out"
        shutil.copytree(previous, out, symlinks=True)
        before = snapshot(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        p = subprocess.run(_cmd(books[1], out, "--quiet"), capture_output=True, text=True, timeout=TIMEOUT)
        assert p.returncode != 0
        one_line_error(p.stderr)
        with pytest.raises(KamError, match="cannot write there"):   # the library checks too
            buildmod.run_build(workbooks=[str(books[1])], out_dir=str(out), formats="json", quiet=True)
        assert snapshot(out) == before


def test_room_for_the_new_build_beside_the_previous_one(tmp_path, monkeypatch):
    final = tmp_path / LABEL
    (final / "accounts").mkdir(parents=True)
    (final / "booklet.pdf").write_bytes(b"x" * 3_000_000)
    (final / "notes.txt").write_bytes(b"x" * 9_000_000)     # not the build's: not counted
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(buildmod.shutil, "disk_usage", lambda p: usage._replace(free=3_500_000))
    with pytest.raises(KamError, match="needs about 4.0 MB"):
        buildmod._check_room(tmp_path, final, {"pdf", "json"})
    buildmod._check_room(tmp_path, final, {"json"})          # a json build does not remake the PDFs


# ---------------------------------------------------------------- _head

def test_head_that_never_settles_warns_and_frames_the_pages_it_has():
    """Each layout of cover + contents has another length: after
    MAX_FRONT_PASSES the last head is kept (a warning) and the frames are
    laid out for its length, never a CancelledError."""
    import concurrent.futures as cf

    from kamreport.pdf import pieces as pdf_pieces
    from kamreport.build import jobs as render
    from kamreport.build import plan
    from kamreport.build.pipeline import MAX_FRONT_PASSES, Rendered, _settle_head

    def piece(pages):
        return pdf_pieces.Piece(b"", pages, {}, (), ())

    class Lazy(cf.Future):
        """Runs when its result is asked for; one cancelled before stays cancelled (as in the pool)."""
        def __init__(self, make):
            super().__init__()
            self.make = make

        def result(self, timeout=None):
            if not self.done():
                self.set_result(self.make())
            return super().result(timeout)

    class Runner:
        def __init__(self):
            self.heads, self.jobs = 0, []

        def submit(self, job):
            self.jobs.append(job)
            if job.kind == "front":
                self.heads += 1
                pages = 2 + self.heads % 2          # 3, 2, 3, 2 …: never the length it was laid out for
                return Lazy(lambda: render.JobResult(job.key, None, piece(pages), (), False))
            fut = Lazy(lambda: render.JobResult(job.key, None, piece(len(job.context["pages"])), (), False))
            fut.job = job
            return fut

    class Report:
        def __init__(self):
            self.warned = []

        def take(self, res):
            pass

        def warn(self, msg):
            self.warned.append(msg)

    job = lambda kind, key, template, ctx, **kw: render.Job(kind, key, template, ctx, **kw)  # noqa: E731
    body, appendix = piece(10), piece(3)
    runner, report = Runner(), Report()
    got = Rendered(body=body, appendix=render.JobResult("appendix", None, appendix, (), False),
                   accounts={"A": render.JobResult("account:A", None, piece(4), (), False)})
    booklet = _settle_head(runner, job, lambda t: {"toc": t}, got, [plan.Account("A", "A", "acc-1")], LABEL, report)
    assert runner.heads == MAX_FRONT_PASSES
    assert len(report.warned) == 1 and "did not settle" in report.warned[0].worded("en")
    total = booklet.head.pages + body.pages + 4 + appendix.pages
    # The frames kept are the last ones asked for, for the head kept.
    last = [j for j in runner.jobs if j.key.endswith(":last")]
    framed = [p["number"] for j in last if j.key != "frame:total:last" for p in j.context["pages"]]
    assert framed == list(range(1, total + 1)) and len(booklet.frames) == plan.chunks(total)
    assert [p["total"] for j in last if j.key == "frame:total:last" for p in j.context["pages"]] == [total]


# ---------------------------------------------------------------- the reading process, a crash

_READER = """
import ctypes, os, sys, time
if sys.argv[1] == "pipe":           # no prctl: the lifeline pipe alone must do it
    real = ctypes.CDLL
    class NoPrctl:
        def __init__(self, *a, **k): self.lib = real(*a, **k)
        def __getattr__(self, name):
            if name == "prctl": raise AttributeError(name)
            return getattr(self.lib, name)
    ctypes.CDLL = NoPrctl
from kamreport.build import prepare, jobs as render
prepare.prepare = lambda *a, **k: time.sleep(120)
wait = prepare.start_in_child([], lifeline=render.lifeline(), period=None)
print("reading", flush=True)
wait()
"""


@pytest.mark.parametrize("how", ["prctl", "pipe"])
def test_the_reading_process_dies_with_the_build(how):
    with subprocess.Popen([sys.executable, "-c", _READER, how], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline().strip() == "reading"
            kids = descendants(proc.pid)
            assert len(kids) == 1
        finally:
            proc.kill()             # leaving `with` waits for it
        proc.wait(30)
    assert_all_dead(kids, within=5)


def test_a_crash_leaves_the_previous_build(books, out, monkeypatch):
    """A bug (here: booklet.html cannot be joined) keeps its traceback, and the previous build."""
    def crash(*a, **k):
        raise RuntimeError("a bug")
    monkeypatch.setattr(buildmod, "join_booklet_html", crash)
    before = snapshot(out / LABEL)
    res = CliRunner().invoke(main, ["build", str(books[1]), "--out", str(out), "--format", "html", "--jobs", "1",
                                    "--quiet"])
    assert isinstance(res.exception, RuntimeError)
    assert snapshot(out / LABEL) == before and leftovers(out) == []
