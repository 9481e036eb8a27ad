"""`kamreport build` (SPEC §6, §7): read -> compute -> render -> write, atomically.

Reading and computing (prepare.py) yield every template context up front;
with render workers that stage runs in a child process, so the dataset's
memory is gone before rendering starts. The PDFs are made of pieces, each
laid out once in a worker process (render.run_job): the front matter, one
piece per account plan (also written as accounts/<slug>.pdf with its own
frame) and the appendix. The parent then knows every piece's page count,
fills the contents page with real page numbers (re-laying out the small
front matter), lays out the booklet's frame pages in parallel chunks, stops
the workers and writes booklet.pdf from the pieces' PDF objects
(pdf/booklet.assemble), which wait on disk until then.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import errno
import json
import os
import multiprocessing
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import click

from . import memory
from ..pdf import booklet as booklet_pdf
from ..pdf.fonts import subsetting_problem
from ..pdf.pieces import Meta, Parts, Piece, source_date
from . import packs, plan, prepare, jobs as render
from ..atomic import exchange, fsync_dir, write_atomic
from ..errors import ERR, OK, RISK, KamError, in_language
from ..texts import Text, locale_lang, text
from ..model import ERROR
from ..report.sanitize import strip_bidi

FORMATS = ("html", "pdf", "json", "pptx", "xlsx")
MAX_POLICY_BYTES = 1_000_000
MAX_LOGO_BYTES = 2_000_000
MAX_FRONT_PASSES = 4
BUILD_WAIT = 5.0         # seconds a build waits for another one writing into the same out folder
SEND_WAIT = 60.0         # seconds the swap waits for a `kamreport send` of the period to finish
MIN_ROOM = 1 << 20       # free bytes the out folder needs at least, besides the previous build's size
LOCK_NAME = ".kamreport.lock"
# What a build writes in a period folder (True: a folder). Anything else
# there (the send log mail/, a file of the user's) is carried into the new build.
OUTPUT_NAMES = {"index.html": False, "booklet.html": False, "booklet.pdf": False,
                "summary.json": False, "problems.csv": False, "accounts": True,
                "booklet.pptx": False, "results.xlsx": False, "managers": True}


def parse_formats(value: str | Iterable[str]) -> frozenset[str]:
    """`html,pdf` -> {"html", "pdf"}; an unknown name is a KamError. The CLI
    parses --format once, with this; a set of names (its result) is taken
    as it is, after the same check."""
    if isinstance(value, str) or value is None:
        value = (value or "").split(",")
    parts = [p.strip().lower() for p in value if p.strip()]
    bad = [p for p in parts if p not in FORMATS]
    if bad or not parts:
        raise KamError("build.formats", bad=", ".join(bad) or Text("build.formats_empty"))
    return frozenset(parts)


# --------------------------------------------------------------------------
# Inputs of the render stage


def read_policy(path: str | None) -> str | None:
    """The --policy Markdown file, size-limited, UTF-8."""
    if not path:
        return None
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise KamError("build.policy_too_big", path=path, size=size, limit=MAX_POLICY_BYTES)
        return p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KamError("build.policy_not_utf8", path=path) from None
    except OSError as e:
        raise KamError("build.policy_unreadable", path=path, reason=e.strerror) from None


def logo_data_uri(path: str | None, warn: Callable[[Text], None]) -> str | None:
    """The configured logo as a data: URI: PNG, JPEG or SVG, at most 2 MB.

    Anything else is refused with a warning and the report has no logo; the
    file is identified by its content, not its name.
    """
    import base64
    if not path:
        return None
    p = Path(path)
    try:
        if p.stat().st_size > MAX_LOGO_BYTES:
            warn(Text("build.logo_too_big", path=path, limit=MAX_LOGO_BYTES // 1_000_000))
            return None
        data = p.read_bytes()
    except OSError as e:
        warn(Text("build.logo_unreadable", path=path, reason=e.strerror))
        return None
    head = data[:512].lstrip()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    elif head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]:
        mime = "image/svg+xml"
    else:
        warn(Text("build.logo_not_image", path=path))
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# --------------------------------------------------------------------------
# Output bookkeeping


@dataclass
class Report:
    """What the build tells the user: warnings as they come, files at the end."""
    quiet: bool
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    subset_fallback: bool = False
    times: dict[str, float] = field(default_factory=dict)    # CPU seconds by phase
    marks: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    swapped: Path | None = None     # the period folder, once the new build is in place
    lang: str | None = None         # the report's language, once the workbooks are read (messages)

    def said(self, msg: str | Text) -> str:
        """A line in the report's language (the locale's before it is known);
        a str is worded already (a problem, a library's warning)."""
        return msg.worded(self.lang or locale_lang()) if isinstance(msg, Text) else msg

    def warn(self, msg: str | Text) -> None:
        msg = self.said(msg)
        if msg not in self.warnings:
            self.warnings.append(msg)
            click.echo(text("cli.warning_line", self.lang or locale_lang(), message=msg), err=True)

    def log(self, msg: str | Text) -> None:
        if not self.quiet:
            click.echo(self.said(msg), err=True)

    def mark(self, what: str) -> None:
        """Wall-clock milestone, seconds since the build started (benchmark)."""
        self.marks.append((what, round(time.perf_counter() - self.started, 3)))

    def take(self, res: render.JobResult) -> None:
        """A worker's result: its warnings shown, its CPU seconds counted."""
        self.mark("done " + res.key)
        for k, v in res.times.items():
            self.times["worker_" + k] = self.times.get("worker_" + k, 0.0) + v
        for w in res.warnings:
            self.warn(w)
        if res.subset_fallback and not self.subset_fallback:
            self.subset_fallback = True
            self.warn(Text("build.subset_slow"))


class Runner:
    """Jobs in a process pool of `jobs` workers, or in this process for --jobs 1.

    The pool starts while the workbooks are read (in another process, see
    prepare.py), so the workers never hold the dataset. WeasyPrint and the
    fonts are loaded once, in the parent, before forking: the workers share
    those pages instead of each loading its own copy (less memory, less CPU).
    """

    def __init__(self, jobs: int, lifeline: tuple[int, int] | None = None) -> None:
        self.jobs = jobs
        self.pool = None
        self.board = None
        if jobs > 1:
            render.warm_up()
            ctx = multiprocessing.get_context("fork")
            # The build's settings reach the workers through the board (set_spec).
            self.board = render.board()
            # Forked from this (main) thread, all at once: see render.die_with_parent.
            self.pool = cf.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=render.start_worker,
                                               initargs=(os.getpid(), lifeline, self.board))
            for _ in range(jobs):       # start every worker now (the pool starts them lazily)
                self.pool.submit(int)
            self._stop = os.pipe()
            self._watch = threading.Thread(target=self._watch_workers, name="kamreport-workers", daemon=True)
            self._watch.start()

    def set_spec(self, spec: render.RenderSpec) -> None:
        """The build's settings (its logo too), before its first job: once
        for every worker process (render.board), not with every job."""
        if self.pool is None:
            render.use_spec(spec)
        else:
            render.post_spec(self.board, spec)

    def submit(self, job: render.Job) -> cf.Future:
        if self.pool is not None:
            return self.pool.submit(render.run_job, job)
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(render.run_job(job))
        except BaseException as e:  # noqa: BLE001 - re-raised by fut.result()
            fut.set_exception(e)
        return fut

    def close(self, abort: bool = False) -> None:
        """Stop the workers (again: a no-op). `abort`: the build failed or was
        interrupted; kill them rather than wait for the documents they are
        laying out (which would be thrown away, seconds later)."""
        if self.pool is not None:
            os.write(self._stop[1], b"x")   # workers that end now are meant to
            self._watch.join()
            for fd in self._stop:
                os.close(fd)
            if abort:
                self._unblock()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            os.close(self.board)
            self.board = None

    def _unblock(self) -> None:
        """Kill every worker, and close this process's end of the pool's
        result pipe.

        The pool has no public way to stop a running job: its processes
        are in _processes (pid -> Process). A worker killed while it was
        sending a result leaves the pool's manager thread waiting for the
        rest of the message forever (CPython 3.11, seen here): with no
        writer left it reads the end of file instead, marks the pool broken
        and every future still waited for fails with BrokenProcessPool.
        """
        pool = self.pool
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()

    def _watch_workers(self) -> None:
        """A worker that ends during the build (the OOM killer, kill -9)
        fails the build with BrokenProcessPool, never hangs it (_unblock).
        Waits on the processes' sentinels, which does not reap them."""
        from multiprocessing.connection import wait
        sentinels = [p.sentinel for p in list((getattr(self.pool, "_processes", None) or {}).values())]
        if self._stop[0] not in wait(sentinels + [self._stop[0]]):
            self._unblock()


class Progress:
    """A click progress bar on a terminal, plain log lines otherwise."""

    def __init__(self, total: int, report: Report) -> None:
        self.report = report
        self.bar = None
        if not report.quiet and sys.stderr.isatty():
            # show_pos: "12/48" beside the bar, the documents done and to do.
            self.bar = click.progressbar(length=total, label="rendering", file=sys.stderr,
                                         show_pos=True)
            self.bar.__enter__()

    def step(self, what: str) -> None:
        if self.bar is not None:
            self.bar.update(1)
        else:
            self.report.log(Text("build.rendered", what=what))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


# --------------------------------------------------------------------------
# booklet.html


def join_booklet_html(front: render.Page, sections: Iterable[tuple[str, render.Page]],
                      appendix: render.Page | None) -> str:
    """One browser document: the front matter's document, with each account's
    body block in a <section data-piece=anchor> after its own body, then the
    appendix's body, and the pieces' style blocks the front has not already
    added after its own style blocks (render.Page: cut along base.html's blocks).
    """
    seen = set(front.styles)
    extra: list[str] = []
    bodies: list[str] = []
    for anchor, page in list(sections) + ([("appendix-piece", appendix)] if appendix else []):
        for s in page.styles:
            if s not in seen:
                seen.add(s)
                extra.append(s)
        bodies.append(f'<section class="booklet-piece" data-piece="{anchor}">\n{page.body}\n</section>\n')
    return "".join([front.head, *extra, front.between, front.body, *bodies, front.tail])


# --------------------------------------------------------------------------
# Contents page


def html_toc(accounts: tuple[plan.Entry, ...], lang: str, contexts: dict) -> tuple[plan.Entry, ...]:
    """The contents of an HTML-only build (no layout gives the sections'
    headings): every section of views.booklet_sections, then the accounts."""
    from ..report import views
    secs = views.booklet_sections(lang, policy=bool(contexts.get("appendix", {}).get("policy_md")))
    section = lambda e: plan.Entry(e["title"], e["anchor"], None, 1)  # noqa: E731
    return (*map(section, secs["front"]), *accounts, *map(section, secs["appendix"]))


# --------------------------------------------------------------------------
# The build


class Interrupted(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: cron, systemd and `timeout` stop a build with it."""


def _interrupt(signum, frame) -> None:
    raise Interrupted()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _sigterm_like_ctrl_c():
    """While the build runs, SIGTERM raises Interrupted (a KeyboardInterrupt)
    in the main thread. Python installs handlers from the main thread only;
    elsewhere (a build started in a thread) SIGTERM keeps its disposition."""
    if not _in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_build(*, workbooks: list[str], period: str | None = None, out_dir: str = "out",
              formats: str | Iterable[str] = "html,pdf,json", accounts: str = "key", lang: str | None = None,
              templates_dir: str | None = None, policy: str | None = None, jobs: int | None = None,
              strict: bool = False, quiet: bool = False, fail_on_risk: str | None = None,
              map_file: str | None = None, packs: str | None = None) -> int:
    """Build one period's outputs; returns the exit code (0, 1 or 3).

    The period folder is made beside the previous one and swapped in when
    complete (SPEC §6 "A build is whole"; see _build): an error, Ctrl-C,
    SIGTERM, SIGKILL or a full disk leaves the previous build as it was.
    Every expected failure is a KamError, which the CLI prints as one line.
    """
    fmt = parse_formats(formats)
    check_out_folder(out_dir)   # before any work (SPEC §8 "Checks its ground")
    memory.limit_heap()     # before any fork: the children inherit it (memory.py)
    report = Report(quiet=quiet)
    policy_md = read_policy(policy)
    jobs = jobs or render.default_jobs()
    args = (list(workbooks),)
    if packs and "pdf" not in fmt:
        raise KamError("build.packs_need_pdf")
    kwargs = dict(period=period, lang=lang, formats=fmt, accounts=accounts, policy_md=policy_md, map_file=map_file,
                  packs=packs)
    rendered = bool(fmt & {"html", "pdf"})
    forks = rendered and jobs > 1
    # Every child is forked after this pipe is made; it ends when we do (render.die_with_parent).
    line = render.lifeline() if forks else None
    runner = None
    try:
        with _sigterm_like_ctrl_c():
            try:
                # With render workers, the workbooks are read in a child process (see
                # prepare.py) started before the pool, while the pool starts.
                wait = prepare.start_in_child(*args, lifeline=line, **kwargs) if forks else None
                runner = Runner(jobs, line) if rendered else None
                prepared = wait() if wait else prepare.prepare(*args, **kwargs)
                report.lang = prepared.language
                with in_language(report.lang):     # the messages from here on: the report's language
                    return _build(prepared, out_dir, fmt, templates_dir, strict, quiet, fail_on_risk, report,
                                  runner)
            except KeyboardInterrupt as e:
                how = "SIGTERM" if isinstance(e, Interrupted) else "Ctrl-C"
                if report.swapped is not None:
                    raise KamError("build.interrupted_after", how=how, path=report.swapped).stamp(report.lang) \
                        from None
                raise KamError("build.interrupted", how=how, out=out_dir).stamp(report.lang) from None
            except cf.BrokenExecutor:           # a worker was killed (OOM killer, kill -9)
                raise KamError("build.worker_died", out=out_dir).stamp(report.lang) from None
            except MemoryError:                 # here or in a worker (re-raised by its future)
                raise KamError("build.out_of_memory", out=out_dir).stamp(report.lang) from None
            finally:
                if runner is not None:
                    runner.close(abort=True)        # a no-op after a complete build
    finally:
        for fd in line or ():
            os.close(fd)


def _build(prepared: prepare.Prepared, out_dir, fmt, templates_dir, strict, quiet, fail_on_risk,
           report: Report, runner: Runner | None) -> int:
    """Write the period folder as OUT/.<period>.building-<pid> and swap it in.

    One build at a time writes into an out folder (_out_lock); it first
    removes what killed builds left (_clean_leftovers) and checks that the
    period folder has room and holds nothing of the wrong type.
    """
    started = report.started
    report.times.update(prepared.times)
    lang = prepared.language or "en"
    if prepared.fatal:
        for p in prepared.fatal:
            click.echo(f"{p.location()}: {p.severity}: {p.message}", err=True)
        click.echo(text("build.nothing_built", lang), err=True)
        return ERR
    report.mark("computed")
    result = prepared.result
    for p in result.extra.get("problems", ()):
        if p.severity in (ERROR, "warning"):
            report.warn(f"{p.location()}: {p.message}")

    root = Path(out_dir)
    final = root / result.period.label
    work = root / f".{final.name}.building-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _out_lock(root, report):
            _clean_leftovers(root, report)
            check_period_folder(final)
            _check_room(root, final, fmt)
            try:
                work.mkdir()
                _write_outputs(prepared, work, fmt, templates_dir, report, runner)
                _swap_in(work, final, report)
            finally:
                if runner is not None:
                    runner.close(abort=True)    # before the folder goes: no worker writes into it again
                shutil.rmtree(work, ignore_errors=True)
    except OSError as e:
        raise _os_failure(e, work, final) from None

    elapsed = time.perf_counter() - started
    report.times["main_cpu"] = time.process_time()
    report.times["wall"] = elapsed
    stats = os.environ.get("KAMREPORT_STATS")
    if stats:       # for bench/run.py: CPU seconds by phase
        Path(stats).write_text(json.dumps({"times": report.times, "marks": report.marks,
                                           "accounts": len(prepared.chosen)}, indent=1))
    if not quiet:
        click.echo(text("build.wrote", lang, files=len(prepared.outputs), path=final, seconds=elapsed,
                        plans=len(prepared.chosen), warnings=len(report.warnings)))
        click.echo(final_line(final, prepared.outputs, result.accounts, lang))
    code = OK
    if fail_on_risk:
        wanted = {"high"} if fail_on_risk == "high" else {"high", "medium"}
        if any(r.severity in wanted for a in result.accounts for r in a.risks):
            code = RISK
    if strict and prepared.rejected:
        click.echo(text("build.strict", lang, n=prepared.rejected), err=True)
        code = ERR
    return code


def final_line(final: Path, outputs, accounts, lang: str = "en") -> str:
    """The build's last line: where the booklet is and how many high risks it reports."""
    high = [r for a in accounts for r in a.risks if r.severity == "high"]
    where = len({a.customer_id for a in accounts if any(r.severity == "high" for r in a.risks)})
    risks = (text("build.high_risks", lang, risks=Text("build.n_high_risks", n=len(high)),
                  customers=Text("build.n_customers", n=where))
             if high else text("build.no_high_risks", lang))
    booklet = next((name for name in ("booklet.pdf", "booklet.html") if name in outputs), None)
    return (text("build.booklet", lang, path=final / booklet) if booklet else "") + risks


def _write_outputs(prepared: prepare.Prepared, out: Path, fmt, templates_dir, report: Report,
                   runner: Runner | None) -> None:
    """Every output of the build into the (new, empty) folder `out`."""
    from ..outputs import summary
    from ..report import views

    result = prepared.result
    settings = result.settings
    if fmt & {"html", "pdf"}:
        (out / "accounts").mkdir(exist_ok=True)
        if prepared.packs:
            (out / "managers").mkdir(exist_ok=True)
        spec = render.RenderSpec(
            lang=settings.language, currency=settings.currency, templates_dir=templates_dir,
            when=source_date(result.period.as_of), company=settings.company,
            title=views.report_title(settings, settings.language, result.period.kind),
            period=result.period.label, logo_data_uri=logo_data_uri(settings.logo, report.warn))
        runner.set_spec(spec)
        if "pdf" in fmt:
            problem = subsetting_problem(report.lang or "en")
            if problem:
                report.subset_fallback = True
                report.warn(Text("build.subset_will_be_slow", problem=problem))
        # Pieces wait on disk for the assembly (render.Job.spool), beside the outputs.
        spool = tempfile.mkdtemp(prefix=".pieces-", dir=out) if "pdf" in fmt else None
        try:
            _render_all(prepared, fmt, spec, out, runner, report, spool)
        finally:
            if spool:
                shutil.rmtree(spool, ignore_errors=True)

    if "json" in fmt:
        summary.write_summary(str(out / "summary.json"), prepared.summary)
    if "pptx" in fmt:           # SPEC §6 Deck: from summary.json's content
        from ..outputs import deck
        t0 = time.process_time()
        if settings.logo and deck.logo_bytes(settings.logo) is None:
            report.warn(Text("build.deck_logo", path=settings.logo, limit=deck.MAX_LOGO_BYTES // 1_000_000))
        deck.write_deck(prepared.summary, out / "booklet.pptx", settings.language,
                        views.brand_color(settings.brand_color), settings.logo)
        report.times["pptx"] = time.process_time() - t0
        report.log(Text("cli.wrote", path="booklet.pptx"))
    if "xlsx" in fmt:           # SPEC §6 Results workbook
        from ..outputs import workbook as results_xlsx
        t0 = time.process_time()
        results_xlsx.write_results(prepared.summary, list(prepared.problems), out / "results.xlsx",
                                   settings.language)
        report.times["xlsx"] = time.process_time() - t0
        report.log(Text("cli.wrote", path="results.xlsx"))
    summary.write_problems_csv(str(out / "problems.csv"), list(prepared.problems))


# --------------------------------------------------------------------------
# The out folder: checks, lock, leftovers, the swap


def check_out_folder(out_dir: str | os.PathLike) -> None:
    """Before any work: the out folder (or the folder it will be made in)
    is a writable folder with some room."""
    root = Path(out_dir)
    existing = root
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():          # a dangling link: mkdir would fail on it
            raise KamError("build.out_broken_link", path=existing)
        existing = existing.parent
    if not existing.is_dir():
        raise KamError("build.out_is_file", path=existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise KamError("build.out_not_writable", path=existing)
    free = shutil.disk_usage(existing).free
    if free < MIN_ROOM:
        raise KamError("build.out_no_room", path=existing, free=_size(free), need=_size(MIN_ROOM))


def check_period_folder(final: Path) -> None:
    """The period folder and the outputs in it are of the kind the build
    writes. Anything else in their place is not the build's: the swap would
    throw it away, so the build refuses instead."""
    if final.is_symlink():
        raise KamError("build.period_link", path=final)
    if final.exists() and not final.is_dir():
        raise KamError("build.period_is_file", path=final, label=final.name)
    if not final.is_dir():
        return
    for name, folder in OUTPUT_NAMES.items():
        p = final / name
        if p.is_symlink() or not p.exists():
            continue
        if p.is_dir() != folder:
            raise KamError("build.output_is_file" if folder else "build.output_is_folder", path=p, name=name)
    accounts = final / "accounts"
    if accounts.is_dir() and not accounts.is_symlink():
        for p in sorted(accounts.iterdir()):
            if p.is_dir() and not p.is_symlink():
                raise KamError("build.plan_is_folder", path=p, accounts=accounts)


def _check_room(root: Path, final: Path, fmt) -> None:
    """Room for the new period folder beside the previous one: about the
    previous build's size in the formats asked for, and MIN_ROOM."""
    suffixes = {"." + f for f in fmt} | {".csv"}
    need = MIN_ROOM
    if final.is_dir():
        for name in OUTPUT_NAMES:
            p = final / name
            for f in (p.rglob("*") if p.is_dir() and not p.is_symlink() else [p]):
                if f.suffix in suffixes and f.is_file() and not f.is_symlink():
                    need += f.stat().st_size
    free = shutil.disk_usage(root).free
    if free < need:
        raise KamError("build.no_room", path=root, free=_size(free), need=_size(need), final=final)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


@contextlib.contextmanager
def _out_lock(root: Path, report: Report):
    """One build at a time writes into an out folder (SPEC §6): an flock on
    OUT/.kamreport.lock held until the build ends. The kernel releases it
    when the process ends, however it ends: a killed build leaves no stale
    lock. A second build waits BUILD_WAIT seconds, then refuses."""
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _flock_within(fd, BUILD_WAIT, report,
                             Text("build.waiting_build", path=root)):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = Text("build.locked_by", pid=holder) if holder.isdigit() else ""
            raise KamError("build.locked", path=root, who=who)
        with contextlib.suppress(OSError):  # who holds it, for the message above
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)                        # releases the lock


def _flock_within(f: object, seconds: float, report: Report, waiting: Text) -> bool:
    """Take an exclusive flock on f (a file or descriptor) within `seconds`,
    saying `waiting` once if it must wait; False when it could not."""
    import fcntl
    deadline = time.monotonic() + seconds
    waited = False
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            if not waited:
                report.log(waiting)
                waited = True
            time.sleep(0.1)


_LEFTOVER = re.compile(r"^\.(?P<label>.+)\.(?P<kind>building|replaced)-\d+$")


def _is_temporary(name: str) -> bool:
    """A spool folder or a temporary file of a build that was killed."""
    return name.startswith(".pieces-") or name.endswith(".tmp")


def _clean_leftovers(root: Path, report: Report) -> None:
    """Remove what killed builds left in the out folder (SPEC §8): building
    folders, a period folder set aside by a swap, and the pieces and
    temporary files that builds before the swap wrote into period folders.
    The lock is held, so none of them is in use.

    A swap killed half way is completed backwards: the previous build goes
    back in place, with what it was carrying (the send log)."""
    found = [p for p in root.iterdir() if _LEFTOVER.match(p.name) and p.is_dir() and not p.is_symlink()]
    found.sort(key=lambda p: (_LEFTOVER.match(p.name)["kind"] != "replaced", p.name))
    for p in found:
        final = root / _LEFTOVER.match(p.name)["label"]
        if _LEFTOVER.match(p.name)["kind"] == "replaced" and not final.exists() and not final.is_symlink():
            os.rename(p, final)
            report.log(Text("build.put_back", path=final))
            continue
        if final.is_dir() and not final.is_symlink():
            _carry(p, final)
        shutil.rmtree(p)
        report.log(Text("build.removed_leftover", path=p))
    for period in root.iterdir():
        if period.name.startswith(".") or not period.is_dir() or period.is_symlink():
            continue
        for name in ("", "accounts"):
            folder = period / name
            if not folder.is_dir() or folder.is_symlink():
                continue
            for p in folder.iterdir():
                if _is_temporary(p.name):
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p)
                    else:
                        p.unlink()
                    report.log(Text("build.removed_leftover", path=p))


def _carry(src: Path, dst: Path) -> list[str]:
    """Move what is not a build's from period folder `src` into `dst`: the
    send log mail/ (a rebuild never forgets who was sent the period) and
    the user's own files. Returns their names."""
    moved = []
    for p in sorted(src.iterdir()):
        target = dst / p.name
        if p.name in OUTPUT_NAMES or _is_temporary(p.name) or target.exists() or target.is_symlink():
            continue
        os.rename(p, target)
        moved.append(p.name)
    return moved


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the swap's few renames are done, then
    interrupt as usual. (Blocking them with sigmask would not do: Python runs
    its handlers in the main thread whichever thread the kernel picks.)"""
    if not _in_main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: pending.append(signum))
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if pending:
        raise Interrupted() if signal.SIGTERM in pending else KeyboardInterrupt()


@contextlib.contextmanager
def _send_paused(final: Path, report: Report):
    """A `kamreport send` of the period holds mail/.send.lock (send.py) while
    it reads and writes its log; the log is carried into the new build with
    that lock held, so no delivery is recorded in a folder on its way out.
    Waits SEND_WAIT seconds for a running send, then refuses."""
    lock = final / "mail" / ".send.lock"
    if not lock.is_file() or lock.is_symlink():
        yield
        return
    import fcntl
    with open(lock, "a") as f:          # "a": send opens it with "w"; nothing to truncate
        if not _flock_within(f, SEND_WAIT, report, Text("build.waiting_send", path=final / "mail")):
            raise KamError("build.send_running", path=final / "mail", label=final.name, wait=SEND_WAIT,
                           final=final)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _swap_in(work: Path, final: Path, report: Report) -> None:
    """Put the complete period folder `work` in the place of `final`.

    What is not a build output moves from the previous folder into the new
    one first (_carry). Then one renameat2(RENAME_EXCHANGE) swaps the two
    folders: a reader sees the previous build or the new one, never none,
    never a mix. Without it (not Linux, a file system that cannot), the
    previous folder is renamed aside and the new one in: for the
    microseconds between the two renames there is no period folder. A kill
    anywhere in here is mended by the next build (_clean_leftovers).
    """
    old = None
    with _send_paused(final, report), _signals_held():
        carried = _carry(final, work) if final.is_dir() else []
        try:
            if not final.is_dir():
                os.rename(work, final)
            elif exchange(work, final):
                old = work                  # the previous build, under the building folder's name
            else:
                old = final.with_name(f".{final.name}.replaced-{os.getpid()}")
                os.rename(final, old)
                try:
                    os.rename(work, final)
                except OSError:
                    os.rename(old, final)
                    raise
        except OSError:
            for name in carried:            # the previous build gets its send log back
                with contextlib.suppress(OSError):
                    os.rename(work / name, final / name)
            raise
        report.swapped = final
    fsync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _os_failure(e: OSError, work: Path, final: Path) -> KamError:
    """One line for a failed write (or read) of the build, naming the file
    as the user will know it (in the period folder, not the building one)."""
    where = ""
    if e.filename is not None:
        name = Path(os.fsdecode(e.filename))
        if name.is_relative_to(work):
            rel = name.relative_to(work)
            # A piece or temporary file means nothing to the user: the folder does.
            name = final if any(_is_temporary(part) for part in rel.parts) else final / rel
        where = "" if name == final else Text("build.os_where", path=name)
    hint = {errno.ENOSPC: "build.hint_room", errno.EDQUOT: "build.hint_room",
            errno.EROFS: "build.hint_writable", errno.EACCES: "build.hint_writable"}.get(e.errno)
    return KamError("build.os_failure", where=where, reason=str(e.strerror or e), final=final,
                    hint=Text(hint) if hint else "")


def _translator(lang: str):
    from ..report import labels
    return labels.translator(lang)


class Scheduler:
    """Feeds jobs to the runner, a few at a time, so that urgent jobs (the
    trial layout of the contents, early frame chunks) can jump the queue
    instead of waiting behind every account. Each job comes with what is
    done with its result (`then`)."""

    def __init__(self, runner: Runner, window: int) -> None:
        self.runner, self.window = runner, window
        self.pending: list[tuple[Callable[[], render.Job], Callable[[render.JobResult], None]]] = []
        self.running: dict[cf.Future, tuple[render.Job, Callable[[render.JobResult], None]]] = {}

    def add(self, make: Callable[[], render.Job], then: Callable[[render.JobResult], None],
            urgent: bool = False) -> None:
        if urgent:
            self.pending.insert(0, (make, then))
        else:
            self.pending.append((make, then))

    def results(self) -> Iterable[tuple[render.JobResult, Callable[[render.JobResult], None]]]:
        while self.pending or self.running:
            while self.pending and len(self.running) < self.window:
                make, then = self.pending.pop(0)
                job = make()
                self.running[self.runner.submit(job)] = (job, then)
            done, _ = cf.wait(list(self.running), return_when=cf.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: self.running[f][0].key):
                _job, then = self.running.pop(fut)
                yield fut.result(), then


@dataclass
class Rendered:
    """What the render workers have handed back so far, by document.

    Filled while the jobs come back, in any order; the booklet plan
    (plan.Booklet) is made from it once every piece is in.
    """
    body: Piece | None = None                    # the front matter without cover and contents (or whole)
    appendix: render.JobResult | None = None
    accounts: dict[str, render.JobResult] = field(default_factory=dict)    # customer_id ->
    packs: dict[str, Piece] = field(default_factory=dict)                  # Pack.key -> the pack's front
    trial: Piece | None = None                   # cover + contents with placeholder page numbers
    chunks: dict[int, Parts] = field(default_factory=dict)      # frame chunks laid out during the build
    front_html: render.Page | None = None        # the front matter for booklet.html

    def account_pages(self, accounts: list[plan.Account]) -> list[int | None]:
        return [self.accounts[a.customer_id].piece.pages if a.customer_id in self.accounts else None
                for a in accounts]

    def known_rights(self, accounts: list[plan.Account], period: str) -> list[str | None]:
        """Top-right header of the booklet's first pages, as far as their page
        numbers are known: the trial's cover + contents, the body, the key
        accounts finished so far in booklet order (then the appendix)."""
        if self.trial is None or self.body is None or self.appendix is None:
            return []
        pages = self.account_pages(accounts)
        done = pages[:pages.index(None)] if None in pages else pages
        return plan.rights(self.trial.pages + self.body.pages, done,
                           0 if None in pages else self.appendix.piece.pages, period)


def _render_all(prepared: prepare.Prepared, fmt, spec, out: Path, runner: Runner,
                report: Report, spool: str | None) -> None:
    """Every HTML file and PDF of the build (SPEC §6)."""
    from ..report import views

    result, files, contexts = prepared.result, prepared.files, prepared.contexts
    wanted = set(prepared.chosen)
    chosen = [a for a in result.accounts if a.customer_id in wanted]
    want_pdf, want_html = "pdf" in fmt, "html" in fmt
    anchors = {a.customer_id: views.account_anchor(a.customer_id) for a in chosen}
    # The booklet's sections (SPEC §6: key accounts only, also with --accounts all).
    key_accounts = [plan.Account(a.customer_id, a.name, anchors[a.customer_id]) for a in chosen if a.tier == "key"]
    # Cover and contents laid out apart from the rest of the front matter
    # when the template has those blocks (see render.split_sources).
    split = render.split_sources(render.make_env(spec.lang, spec.currency, spec.templates_dir),
                                 "booklet_front.html") is not None
    job = lambda kind, key, template, ctx, **kw: render.Job(kind, key, template, ctx, **kw)  # noqa: E731
    front_ctx = lambda entries: dict(contexts["front"], toc=plan.context_entries(entries))  # noqa: E731
    provisional = tuple(plan.Entry(a.name, a.anchor, None, 2) for a in key_accounts)
    got = Rendered()

    def stepped(what: str, then: Callable[[render.JobResult], None]) -> Callable[[render.JobResult], None]:
        def done(res: render.JobResult) -> None:
            then(res)
            progress.step(what)
        return done

    def ask_trial() -> None:
        """Once the body and the appendix are laid out: the trial contents
        (plan.trial_contents), whose length fixes the booklet's page numbers
        early, so that the frames are laid out alongside the accounts."""
        if split and want_pdf and got.body is not None and got.appendix is not None:
            trial = plan.trial_contents(got.body, key_accounts, got.appendix.piece)
            sched.add(lambda: job("front", "front:trial", "booklet_front.html", front_ctx(trial),
                                  want_piece=True, part="head"),
                      lambda res: setattr(got, "trial", res.piece), urgent=True)

    def took_body(res: render.JobResult) -> None:
        got.body = res.piece
        ask_trial()

    def took_appendix(res: render.JobResult) -> None:
        got.appendix = res
        ask_trial()

    sched = Scheduler(runner, window=2 * runner.jobs)
    if want_pdf:        # first: it decides how long the tail of the build is
        sched.add(lambda: job("front", "front:body" if split else "front:1", "booklet_front.html",
                              front_ctx(provisional), want_piece=True, part="body" if split else None,
                              spool=spool),
                  stepped("booklet front matter", took_body))
    sched.add(lambda: job("appendix", "appendix", "booklet_appendix.html", contexts["appendix"],
                          want_html=want_html, want_piece=want_pdf, spool=spool),
              stepped("booklet appendix", took_appendix))
    if want_html:
        sched.add(lambda: job("index", "index", "index.html", contexts["index"],
                              html_path=str(out / "index.html")),
                  stepped("index.html", lambda res: None))
    for a in chosen:
        def make(a=a):
            f = files[a.customer_id]
            return job("account", "account:" + a.customer_id, "account.html",
                       contexts["account:" + a.customer_id],
                       html_path=str(out / f["html"]) if want_html else None,
                       want_html=want_html and a.tier == "key", want_piece=want_pdf,
                       anchor=anchors[a.customer_id],
                       # Drawn by WeasyPrint, not Jinja: strip the bidi controls here.
                       section=strip_bidi(f"{a.name} · {spec.period}") if want_pdf else None,
                       pdf_path=str(out / f["pdf"]) if want_pdf else None, spool=spool)
        sched.add(make, stepped(" ".join(files[a.customer_id].values()),
                                lambda res, cid=a.customer_id: got.accounts.update({cid: res})))
    for p in prepared.packs:        # each pack's front; its plans are the pieces above (packs.py)
        sched.add(lambda p=p: packs.front_job(job, p, contexts[p.key], spool),
                  stepped(p.file, lambda res, key=p.key: got.packs.update({key: res.piece})))

    progress = Progress(len(sched.pending), report)
    asked: set[int] = set()            # frame chunks asked for during the build
    try:
        for res, then in sched.results():
            report.take(res)
            then(res)
            if not (split and want_pdf):
                continue
            # Frame pages of the booklet whose numbers are known already are
            # laid out now, not after the last account (plan.chunk_pages).
            known = got.known_rights(key_accounts, spec.period)
            for k in range(len(known) // plan.FRAME_CHUNK):
                if k not in asked:
                    asked.add(k)
                    sched.add(lambda k=k, known=known: _chunk_job(job, k, known),
                              lambda res, k=k: got.chunks.update({k: res.piece.parts}), urgent=True)
    finally:
        progress.close()

    sections = [(a.anchor, got.accounts[a.customer_id]) for a in key_accounts]
    appendix = got.appendix
    booklet = None
    html_job = (lambda entries: job("front", "front:html", "booklet_front.html", front_ctx(entries),
                                    want_html=True)) if want_html else None
    if want_pdf:
        settle = _settle_head if split else _settle_whole_front
        booklet = settle(runner, job, front_ctx, got, key_accounts, spec.period, report,
                         html_job if split else None)
        entries = booklet.contents
    else:
        entries = html_toc(provisional, spec.lang, contexts)
    if want_html:
        # The whole front matter as one browser section (Jinja and charts:
        # ~1 s); with a split front it ran beside the contents' layout.
        if got.front_html is None:
            res = runner.submit(html_job(entries)).result()
            report.take(res)
            got.front_html = res.page
        html = join_booklet_html(got.front_html, [(anchor, r.page) for anchor, r in sections], appendix.page)
        write_atomic(out / "booklet.html", html.encode("utf-8"))
    plans = {cid: r.piece for cid, r in got.accounts.items()}
    pack_frames = packs.frames(runner, job, prepared.packs, got.packs, plans, spec, report)
    # Every document is rendered: the idle workers' memory goes back before
    # the assembly below needs its own (the build's peak was here).
    runner.close()
    if booklet is not None:
        meta = Meta(title=spec.title, author=spec.company, subject=spec.period,
                    language=spec.lang, when=spec.when, key="booklet:" + spec.period)
        t0 = time.process_time()
        data = booklet_pdf.assemble(booklet.pieces(), list(booklet.frames), meta,
                                    outline=plan.outline(booklet.contents,
                                                         _translator(spec.lang)("key_account_sections")),
                                    frame_skip=frozenset({0}), share_fonts=True, overlay=booklet.overlay)
        write_atomic(out / "booklet.pdf", data)
        report.times["assemble"] = time.process_time() - t0
        report.mark("booklet.pdf written")
        report.log(Text("build.wrote_booklet_pdf"))
        packs.write(out, prepared.packs, got.packs, plans, pack_frames, prepared.result, spec, report)


def _chunk_job(job, k: int, page_rights: list[str | None], suffix: str = "") -> render.Job:
    """Frame chunk k of the booklet (plan.chunk_pages) as a render job."""
    return job("frame", f"frame:{k}{suffix}", "frame.html", {"pages": plan.chunk_pages(k, page_rights)})


def _frames(runner, job, page_rights: list[str | None], laid_out: dict[int, Parts], suffix: str):
    """Submit the frame chunks not `laid_out` yet and the overlay for a
    booklet with these pages: ({chunk: future}, the overlay's future)."""
    futs = {k: runner.submit(_chunk_job(job, k, page_rights, suffix))
            for k in range(plan.chunks(len(page_rights))) if k not in laid_out}
    overlay = runner.submit(job("frame", f"frame:total{suffix}", "frame.html",
                                {"pages": plan.overlay_pages(len(page_rights))}))
    return futs, overlay


def _collect_frames(futs, overlay, laid_out: dict[int, Parts], report) -> tuple[tuple[Parts, ...], Parts]:
    """The frame chunks in page order (laid out before, or now) and the overlay."""
    frames = []
    for k in sorted(set(futs) | set(laid_out)):
        if k in futs:
            res = futs[k].result()
            report.take(res)
            frames.append(res.piece.parts)
        else:
            frames.append(laid_out[k])
    res = overlay.result()
    report.take(res)
    return tuple(frames), res.piece.parts


def _settle_head(runner, job, front_ctx, got: Rendered, accounts: list[plan.Account], period: str,
                 report, html_job=None) -> plan.Booklet:
    """Lay out cover + contents with real page numbers; finish the frames.

    The booklet's frame chunks were mostly laid out during the build, from
    the trial contents' length; "of N pages" is the overlay. When the final
    cover + contents has another length, every frame chunk is laid out
    again, and the contents with it, until the length settles. `html_job`:
    the browser front matter, rendered beside the layout once the contents
    are known (into got.front_html).
    """
    body, appendix = got.body, got.appendix.piece
    with_pages = [(a, got.accounts[a.customer_id].piece.pages) for a in accounts]
    account_pages = [n for _, n in with_pages]
    pages = got.trial.pages if got.trial is not None else plan.head_guess(
        len(plan.contents(0, body, with_pages, appendix)))
    laid_out = got.chunks
    for attempt in range(1, MAX_FRONT_PASSES + 1):
        entries = plan.contents(pages, body, with_pages, appendix)
        page_rights = plan.rights(pages + body.pages, account_pages, appendix.pages, period)
        futs, overlay = _frames(runner, job, page_rights, laid_out, f":{attempt}")
        head = runner.submit(job("front", f"front:head{attempt}", "booklet_front.html", front_ctx(entries),
                                 want_piece=True, part="head"))
        html = runner.submit(html_job(entries)) if html_job else None
        res = head.result()
        report.take(res)
        piece = res.piece
        if piece.pages == pages:
            break
        if attempt == MAX_FRONT_PASSES:
            # No length settles (each layout of the contents has another):
            # this head is kept, its page numbers may be off by a page, and
            # the frames are laid out for the pages the booklet really has
            # (the ones submitted above were for another head length).
            report.warn(Text("build.contents_unsettled"))
            for f in [*futs.values(), overlay]:
                f.cancel()
            page_rights = plan.rights(piece.pages + body.pages, account_pages, appendix.pages, period)
            futs, overlay = _frames(runner, job, page_rights, {}, ":last")
            laid_out = {}
            break
        for f in [*futs.values(), overlay, *([html] if html else [])]:
            f.cancel()
        pages, laid_out = piece.pages, {}       # the early chunks numbered pages for another head
    frames, overlay_parts = _collect_frames(futs, overlay, laid_out, report)
    if html is not None:
        res = html.result()
        report.take(res)
        got.front_html = res.page
    return plan.Booklet(piece, body, tuple(got.accounts[a.customer_id].piece for a in accounts),
                        appendix, entries, frames, overlay_parts)


def _settle_whole_front(runner, job, front_ctx, got: Rendered, accounts: list[plan.Account], period: str,
                        report, html_job=None) -> plan.Booklet:
    """A front matter template without cover/contents blocks: lay it all out
    again until the contents' page numbers settle. Its own sections' entries
    come from its own layout (the cover's page left out)."""
    appendix = got.appendix.piece
    with_pages = [(a, got.accounts[a.customer_id].piece.pages) for a in accounts]
    account_pages = [n for _, n in with_pages]

    def entries_of(front: Piece) -> tuple[plan.Entry, ...]:
        own = [e for e in plan.top_entries(front, 1) if e.page > 1]
        return tuple(own) + plan.contents(front.pages, None, with_pages, appendix)

    def frames_for(front: Piece):
        return _frames(runner, job, plan.rights(front.pages, account_pages, appendix.pages, period), {},
                       f":{front.pages}")

    front = got.body
    entries = entries_of(front)
    futs, overlay = frames_for(front)
    for attempt in range(2, MAX_FRONT_PASSES + 2):
        res = runner.submit(job("front", f"front:{attempt}", "booklet_front.html", front_ctx(entries),
                                want_piece=True)).result()
        report.take(res)
        settled = entries_of(res.piece)
        pages_changed = res.piece.pages != front.pages
        front = res.piece
        if settled == entries and not pages_changed:
            break
        entries = settled
        if pages_changed:
            for f in [*futs.values(), overlay]:
                f.cancel()
            futs, overlay = frames_for(front)
    else:
        report.warn(Text("build.contents_unsettled"))
    frames, overlay_parts = _collect_frames(futs, overlay, {}, report)
    return plan.Booklet(front, None, tuple(got.accounts[a.customer_id].piece for a in accounts),
                        appendix, entries, frames, overlay_parts)
