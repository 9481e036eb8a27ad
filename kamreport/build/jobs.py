"""Render stage: template contexts -> HTML (Jinja) -> PDF pieces (WeasyPrint).

Runs in worker processes: `run_job(job)` per document; a job carries a
picklable context made by `views.py` (in prepare.py), and the worker holds
the build's `RenderSpec`, read once per process (`board`). `views.finish`
draws the context's charts here, right before rendering. WeasyPrint and the fonts
are loaded once by `warm_up()` in the parent before it forks the workers,
which inherit them (with --jobs 1 everything runs in-process); matplotlib
is imported only by a worker that draws a booklet chart (charts.py).
"""
from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import hashlib
import importlib.resources
import os
import pickle
import re
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from . import memory
from ..pdf import fetcher, pieces
from ..atomic import write_atomic
from ..errors import KamError
from ..report.sanitize import markdown_to_html, strip_bidi


# --------------------------------------------------------------------------
# Templates


def packaged_dir() -> Path:
    """Folder of the packaged templates (a real folder: the package is not zipped)."""
    return Path(str(importlib.resources.files("kamreport.templates")))


class _PackagedLoader(jinja2.BaseLoader):
    """Packaged templates through importlib.resources (works for any install)."""

    def get_source(self, environment, template):
        if "\\" in template or any(part in ("", ".", "..") for part in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        res = importlib.resources.files("kamreport.templates")
        for part in template.split("/"):
            res = res / part
        if not res.is_file():
            raise jinja2.TemplateNotFound(template)
        source = res.read_text(encoding="utf-8")
        return source, None, lambda: True


class _UserLoader(jinja2.FileSystemLoader):
    """The `--templates` folder, contained: a template that is (or lies in a
    folder that is) a symbolic link resolving outside the folder is refused
    before it is opened, with one KamError naming it (SPEC §8: rendering
    reads no file outside the packaged templates and that folder)."""

    def __init__(self, folder: str | Path) -> None:
        super().__init__(str(folder))
        self.folder = str(folder)
        self.root = os.path.realpath(folder)

    def get_source(self, environment, template):
        names = jinja2.loaders.split_template_path(template)    # no "..", no empty part
        path = os.path.join(self.folder, *names)
        if os.path.lexists(path):
            real = os.path.realpath(path)
            if os.path.commonpath([self.root, real]) != self.root:
                raise KamError("template.outside", folder=self.folder, template=template, real=real)
            if not os.path.isfile(real):
                raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


def make_env(lang: str, currency: str, templates_dir: str | Path | None = None) -> jinja2.Environment:
    """The Jinja environment of SPEC §7 `--templates`.

    A template in `templates_dir` overrides the packaged one of the same
    name; `default:NAME` always reaches the packaged one, so a user template
    can `{% extends "default:account.html" %}` and replace a single block.

    Every template runs in Jinja's immutable sandbox (a `--templates` folder
    comes from anyone who can write to it: no attribute beyond the context's
    data, no mutation of the context) with StrictUndefined: a misspelt
    variable is an error naming the template, never a silently blank cell.
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from .. import fmt
    from ..report import labels

    packaged = _PackagedLoader()
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir:
        loaders.append(_UserLoader(templates_dir))
    loaders += [jinja2.PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Every printed value loses its bidi controls (sanitize.strip_bidi):
        # names, cells, Markdown, chart SVG, in packaged and user templates.
        finalize=strip_bidi,
    )
    env.filters.update(fmt.filters(lang, currency))
    env.filters["md"] = markdown_to_html
    env.globals["t"] = labels.translator(lang)
    env.globals["lang"] = lang
    return env


def render_template(env: jinja2.Environment, name, context: dict[str, Any]) -> str:
    """Render one template (a name or a Template); a broken (user) template is
    a KamError naming it."""
    try:
        template = env.get_template(name) if isinstance(name, str) else name
        return template.render(context)
    except jinja2.TemplateSyntaxError as e:
        raise KamError("template.syntax", name=str(e.filename or e.name or name), line=e.lineno,
                       message=e.message) from None
    except jinja2.TemplateNotFound as e:
        raise KamError("template.not_found", name=str(e.name)) from None
    except jinja2.UndefinedError as e:
        raise KamError("template.error", name=str(name), message=e.message) from None
    except KamError:
        raise
    except Exception as e:
        # A --templates template that raises (1 // 0, a filter given the
        # wrong type) is the user's to fix: one line naming it, no traceback.
        # A packaged template's error is a bug and keeps its traceback.
        where = _user_template_line(e.__traceback__)
        if where is None:
            raise
        raise KamError("template.raised", where=where, kind=type(e).__name__, message=str(e)) from None


def _user_template_line(tb) -> str | None:
    """"account.html, line 3" for the innermost frame of a template read from
    a --templates folder (Jinja gives its frames the template's file name and
    line); None when no such frame is in the traceback (packaged templates
    are named "<template>")."""
    where = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            where = f"{os.path.basename(name)}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


# --------------------------------------------------------------------------
# A browser document in the parts booklet.html is made of


STYLE_BLOCKS = ("head_style", "screen_style")     # base.html: each renders one <style> element
BODY_BLOCK = "body"                               # base.html: everything inside <body>
BACK_LINK_BLOCK = "back_link"                     # account.html: the link back to ../index.html


@dataclass(frozen=True)
class Page:
    """A mode-"html" rendering cut along base.html's blocks; booklet.html is
    made of these (pipeline.join_booklet_html).

    `head + between + <its body block> + tail` is the document. `body` is
    its body block without the back_link blocks in it (an account page's
    link to ../index.html, which would lead out of the period folder from
    booklet.html).
    """
    head: str                       # the document up to the end of its last style block
    styles: tuple[str, ...]         # its style blocks (head_style, screen_style), as rendered
    between: str                    # from there to the start of its body block
    body: str
    tail: str                       # after its body block


class _Watched:
    """A template rendered once, noting where some of its blocks start and
    end in its output: what `render_page` hands `render_template` (it has
    a template's `render`), so that errors are reported as for any template.

    Each watched block is wrapped, in this rendering's context only, by a
    generator that notes how many output strings came before it and how
    many after it: Jinja calls a block through `context.blocks[name][0]`
    (the most derived template's block first, `super()` the next one) and
    every output string not buffered reaches the caller in document order,
    so these counts are the block's place in the document. A block rendered
    into a buffer (inside a filter, set or call block) is not where its
    counts say: that is detected (its output is not the span it counts)
    and refused, as is a document without a body block (a --templates
    template that does not extend base.html).
    """
    WATCHED = STYLE_BLOCKS + (BODY_BLOCK, BACK_LINK_BLOCK)

    def __init__(self, env: jinja2.Environment, name) -> None:
        self.env, self.name = env, name
        self.out: list[str] = []
        self.spans: dict[str, list[tuple[int, int]]] = {n: [] for n in self.WATCHED}
        self.buffered: list[str] = []

    def __str__(self) -> str:               # render_template's messages name the template
        return str(getattr(self.name, "name", None) or self.name)

    def _watch(self, name: str):
        def block(context):
            funcs = context.blocks[name]
            real = funcs[funcs.index(block) + 1]
            start = len(self.out)
            own: list[str] = []
            for s in real(context):
                own.append(s)
                yield s
            if "".join(own) != "".join(self.out[start:]):
                self.buffered.append(name)
            self.spans[name].append((start, len(self.out)))
        return block

    def render(self, context: dict[str, Any]) -> str:
        template = self.env.get_template(self.name) if isinstance(self.name, str) else self.name
        ctx = template.new_context(dict(context))
        for name in self.WATCHED:
            ctx.blocks.setdefault(name, []).insert(0, self._watch(name))
        try:
            for s in template.root_render_func(ctx):
                self.out.append(s)
        except Exception:
            self.env.handle_exception()     # a template's traceback, as Template.render gives it
        return "".join(self.out)

    def page(self) -> Page:
        if not self.spans[BODY_BLOCK]:
            raise KamError("build.template_no_body", template=str(self))
        if self.buffered:
            raise KamError("build.template_block_buffered", template=str(self), block=self.buffered[0])
        out = self.out
        start, end = self.spans[BODY_BLOCK][0]
        styles = sorted(span for n in STYLE_BLOCKS for span in self.spans[n] if span[1] <= start)
        cut = styles[-1][1] if styles else start
        body, at = [], start
        for s, e in sorted(self.spans[BACK_LINK_BLOCK]):
            if at <= s and e <= end:
                body += out[at:s]
                at = e
        body += out[at:end]
        return Page(head="".join(out[:cut]), styles=tuple("".join(out[s:e]) for s, e in styles),
                    between="".join(out[cut:start]), body="".join(body), tail="".join(out[end:]))


def render_page(env: jinja2.Environment, name, context: dict[str, Any]) -> tuple[str, Page]:
    """Render a browser document once: its HTML, and its Page for booklet.html."""
    watched = _Watched(env, name)
    html = render_template(env, watched, context)
    return html, watched.page()


# --------------------------------------------------------------------------
# Jobs


@dataclass(frozen=True)
class RenderSpec:
    """What every worker needs: sent once per process (through the pool's
    `board`, or `init_worker` in this process), never with a job."""
    lang: str
    currency: str
    templates_dir: str | None
    when: datetime                 # the PDFs' one timestamp
    company: str
    title: str                     # report title in force
    period: str                    # "2026Q3"
    # The configured logo (pipeline.logo_data_uri): sent with the build's
    # settings, not in every document's context or job (up to 2.7 MB each).
    logo_data_uri: str | None = None


@dataclass(frozen=True)
class Job:
    kind: str                      # index | account | front | appendix | frame
    key: str                       # unique per build: "account:C001", "front"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    html_path: str | None = None   # write the mode-"html" rendering here
    want_html: bool = False        # return the mode-"html" rendering's Page (booklet.html)
    want_piece: bool = False       # lay out the mode-"pdf" rendering
    anchor: str | None = None      # anchor injected at the top of the piece
    part: str | None = None        # "head" | "body": a part of the template (split_sources)
    section: str | None = None     # top-right header drawn by the piece itself (account plans)
    pdf_path: str | None = None    # write the piece with its own frame here (account plans)
    spool: str | None = None       # return the piece's bytes in a file of this folder, not in memory


@dataclass(frozen=True)
class JobResult:
    key: str
    page: Page | None              # want_html: the parts of booklet.html
    piece: pieces.Piece | None
    warnings: tuple[str, ...]
    subset_fallback: bool
    times: dict[str, float] = field(default_factory=dict)   # CPU seconds by phase


_SPEC: RenderSpec | None = None
_ENV: jinja2.Environment | None = None
_FETCHER = None


def warm_up() -> None:
    """Import WeasyPrint, the charts and the fonts once, in the parent, while
    the workbooks are read, before the workers are forked."""
    from ..report import charts, views  # noqa: F401
    pieces.warm_up()


def init_worker(spec: RenderSpec) -> None:
    """Per-build set-up: environment, fetcher, deterministic fontTools dates."""
    global _SPEC, _ENV, _FETCHER, _SPLIT
    _SPEC = spec
    _ENV = make_env(spec.lang, spec.currency, spec.templates_dir)
    _FETCHER = None
    _SPLIT = {}
    _ACCOUNT_FRAMES.clear()
    pieces.ensure_source_date_epoch(spec.when)


def use_spec(spec: RenderSpec) -> None:
    """This process renders the build's jobs itself (--jobs 1)."""
    if spec != _SPEC:
        init_worker(spec)


# The build's RenderSpec reaches its workers through a file, once. The pool
# is forked while the workbooks are read (pipeline.Runner), before the
# settings, and so the logo, are known: the initializer cannot carry them.
# The build writes the spec to a file made before the fork, which each
# worker reads at its first job; the jobs carry none of it.

_BOARD: int | None = None       # in a forked worker: the build's board (start_worker)


def board() -> int:
    """An anonymous file (its descriptor) that the build and every worker
    forked after it share, for the build's RenderSpec (post_spec)."""
    try:
        return os.memfd_create("kamreport-spec", os.MFD_CLOEXEC)
    except (AttributeError, OSError):       # not Linux: an unlinked temporary file
        with tempfile.TemporaryFile() as f:
            return os.dup(f.fileno())


def post_spec(fd: int, spec: RenderSpec) -> None:
    """Write the build's settings on the board, before its first job."""
    data = memoryview(pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
    os.ftruncate(fd, 0)
    at = 0
    while at < len(data):
        at += os.pwrite(fd, data[at:], at)


def _read_board(fd: int) -> RenderSpec:
    size, at, parts = os.fstat(fd).st_size, 0, []
    while at < size:
        part = os.pread(fd, size - at, at)
        if not part:
            break
        parts.append(part)
        at += len(part)
    return pickle.loads(b"".join(parts))


def start_worker(parent: int, line: tuple[int, int] | None, fd: int) -> None:
    """The pool's initializer, in each forked worker: die with the build
    (die_with_parent), and read the build's settings from `fd` at the first
    job, not the ones it was forked with (an earlier in-process build's)."""
    global _BOARD, _SPEC
    die_with_parent(parent, line)
    _BOARD, _SPEC = fd, None


# --------------------------------------------------------------------------
# The front matter in two parts


def _block_names_in(node, name: str) -> list[str] | None:
    """Names of the blocks directly inside block `name` of a parsed template."""
    from jinja2 import nodes
    for block in node.find_all(nodes.Block):
        if block.name == name:
            found: list[str] = []

            def walk(n):
                for child in n.iter_child_nodes():
                    if isinstance(child, nodes.Block):
                        found.append(child.name)
                    else:
                        walk(child)
            walk(block)
            return found
    return None


def split_sources(env: jinja2.Environment, name: str, head: tuple[str, ...] = ("cover", "contents"),
                  container: str = "content") -> tuple[str, str] | None:
    """Two derived templates of `name`: its `head` blocks only, and the rest.

    The booklet's cover and contents are the only part of the front matter
    that depends on page numbers; laid out apart, the rest (summary, charts,
    registers: most of the front) is laid out once, in parallel with the
    accounts, and only the small head is laid out after every page count is
    known. The block structure is read from the first template of `name`'s
    `extends` chain that has the head blocks in its container; None when it does not have the expected blocks (then the whole
    front is laid out twice).
    """
    from jinja2 import nodes
    seen: set[str] = set()
    current, blocks = name, None
    while current not in seen:          # up the extends chain to the template that has them
        seen.add(current)
        try:
            tree = env.parse(env.loader.get_source(env, current)[0])
        except jinja2.TemplateError:
            return None
        blocks = _block_names_in(tree, container)
        if blocks and all(b in blocks for b in head):
            break
        ext = next(iter(tree.find_all(nodes.Extends)), None)
        if ext is None or not isinstance(ext.template, nodes.Const):
            return None
        current = ext.template.value
    else:
        return None
    empty = lambda names: "".join(f"{{% block {b} %}}{{% endblock %}}" for b in names)  # noqa: E731
    base = f'{{% extends "{name}" %}}'
    return (base + empty([b for b in blocks if b not in head]),
            base + empty([b for b in blocks if b in head]))


_SPLIT: dict[str, jinja2.Template | None] = {}


def template_part(name: str, part: str | None) -> jinja2.Template | str:
    """`name` itself, or its "head" / "body" part (see split_sources)."""
    if part is None:
        return name
    key = f"{name}#{part}"
    if key not in _SPLIT:
        sources = split_sources(_ENV, name)
        _SPLIT[key] = None if sources is None else _ENV.from_string(sources[0 if part == "head" else 1])
    if _SPLIT[key] is None:
        raise KamError("template.no_blocks", name=name)
    return _SPLIT[key]


def _fetcher():
    global _FETCHER
    if _FETCHER is None:
        _FETCHER = fetcher.make_fetcher(
            packaged_dir(), Path(_SPEC.templates_dir) if _SPEC.templates_dir else None)
    return _FETCHER


_BODY = re.compile(r"<body\b[^>]*>", re.I)


def inject_anchor(html: str, anchor: str) -> str:
    """Put an empty anchor at the top of the body, so links can target the piece."""
    tag = f'<a id="{anchor}"></a>'
    m = _BODY.search(html)
    return html[:m.end()] + tag + html[m.end():] if m else tag + html


def _finish(context: dict[str, Any]) -> dict[str, Any]:
    """A context as its template reads it: the build's logo in its settings,
    its charts drawn (views.finish)."""
    from ..report import views
    if isinstance(context.get("settings"), dict):
        context = dict(context, settings=dict(context["settings"], logo_data_uri=_SPEC.logo_data_uri))
    done = views.finish(context)
    return done if isinstance(done, dict) else context


def _frame(pages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """A frame document's HTML and stylesheet (templates/frame.html)."""
    spec = _SPEC
    ctx = {"lang": spec.lang, "company": spec.company, "title": spec.title, "period": spec.period,
           "pages": pages}
    return render_template(_ENV, "frame.html", ctx), stylesheet("frame.html", ctx)


def render_frame(pages: list[dict[str, Any]], times: dict[str, float] | None = None) -> pieces.Parts:
    """Frame pages: running header and "page X of Y", one dict per page.

    A page dict has `number`, `total`, `right` (top-right header text, or
    None where the content piece draws its own: account plans) and `blank`
    (no frame: the cover).
    """
    html, css = _frame(pages)
    return pieces.layout_and_write(html, packaged_dir().as_uri() + "/", _fetcher(), when=_SPEC.when, times=times,
                                   forms=True, stylesheets=css).parts


_ACCOUNT_FRAMES: dict[int, Any] = {}


def account_frame(pages: int, times: dict[str, float]):
    """Frame pages 1..k of k for an account plan PDF: a laid-out WeasyPrint
    document, laid out once per k per process.

    An account plan draws its own name in the top-right corner (see
    section_header_css), so its frame depends on its page count only: a
    worker lays out a handful of these, not one per account.
    """
    if pages not in _ACCOUNT_FRAMES:
        html, css = _frame([{"number": i + 1, "total": pages, "right": None, "blank": False}
                            for i in range(pages)])
        _ACCOUNT_FRAMES[pages] = pieces.layout(html, packaged_dir().as_uri() + "/", _fetcher(), times, css)
    return _ACCOUNT_FRAMES[pages]


def css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes, newlines escaped)."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ch in "<>":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def section_header_css(text: str) -> str:
    """A stylesheet drawing `text` in every page's top-right margin box (the
    account plan's name), in the frame's type (templates/frame.html)."""
    return ("@page { @top-right { content: " + css_string(text) + "; vertical-align: bottom;"
            ' font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", sans-serif;'
            " font-size: 7.5pt; color: #6b7280; white-space: nowrap; } }")


def stylesheet(template, context: dict[str, Any]) -> list[str]:
    """The stylesheet of a document for WeasyPrint: its template rendered in
    mode "stylesheet" (base.html and frame.html render their CSS there,
    with a document's own `style` block). [] for a --templates template
    that does not know that mode and renders its document instead: that
    document keeps its own <style> blocks."""
    text = render_template(_ENV, template, dict(context, mode="stylesheet"))
    return [] if text.lstrip().startswith("<") else [text]


def run_job(job: Job) -> JobResult:
    """Render one document (HTML file, PDF piece, account plan PDF) or a frame chunk."""
    if _SPEC is None and _BOARD is not None:
        init_worker(_read_board(_BOARD))        # once per worker process
    assert _SPEC is not None, "init_worker() first"
    times: dict[str, float] = {}
    t_start = time.process_time()
    with fetcher.capture_warnings() as captured:
        page, piece = None, None
        if job.kind == "frame":
            pages = job.context["pages"]
            piece = pieces.Piece(render_frame(pages, times=times), len(pages), {}, (), ())
        else:
            t0 = time.process_time()
            ctx = dict(job.context)
            if job.part == "head":
                ctx["charts"] = {}      # cover and contents draw no chart: skip matplotlib
            ctx = _finish(ctx)
            times["charts"] = time.process_time() - t0
            t0 = time.process_time()
            template = template_part(job.template, job.part)
            if job.want_html:       # rendered once: the file and booklet.html's parts
                html_out, page = render_page(_ENV, template, dict(ctx, mode="html"))
            elif job.html_path:
                html_out = render_template(_ENV, template, dict(ctx, mode="html"))
            if job.html_path:
                write_atomic(Path(job.html_path), html_out.encode("utf-8"))
            if job.want_piece:
                html = render_template(_ENV, template, dict(ctx, mode="pdf"))
                css = stylesheet(template, ctx)
                if job.anchor and f'id="{job.anchor}"' not in html:
                    html = inject_anchor(html, job.anchor)
                if job.section:
                    css.append(section_header_css(job.section))
                times["templates"] = time.process_time() - t0
                base = packaged_dir().as_uri() + "/"
                if job.pdf_path:
                    # accounts/<slug>.pdf: the same pages with the plan's own frame.
                    meta = pieces.Meta(title=job.section or job.key, author=_SPEC.company,
                                       subject=_SPEC.title, language=_SPEC.lang, when=_SPEC.when,
                                       key=job.key)
                    piece, framed = pieces.layout_and_write_framed(
                        html, base, _fetcher(), when=_SPEC.when, meta=meta, times=times, stylesheets=css,
                        frame=lambda pages: account_frame(pages, times))
                    write_atomic(Path(job.pdf_path), framed)
                else:
                    piece = pieces.layout_and_write(html, base, _fetcher(), when=_SPEC.when, times=times,
                                                    stylesheets=css)
            else:
                times["templates"] = time.process_time() - t0
    if job.spool and piece is not None:
        # The build process keeps every piece until the booklet is assembled;
        # on disk they do not add to its memory (~450 KB per account plan).
        path = os.path.join(job.spool, hashlib.sha256(job.key.encode()).hexdigest()[:32] + ".parts")
        try:
            with open(path, "wb") as f:
                pickle.dump(piece.parts, f, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as e:            # a full disk: name the file (write(2) errors name none)
            raise OSError(e.errno, e.strerror, path) from None
        piece = dataclasses.replace(piece, parts=None, path=path)
    times["total"] = time.process_time() - t_start
    memory.trim()       # the worker's next document starts from a small heap (memory.py)
    return JobResult(job.key, page, piece,
                     tuple(captured.warnings), captured.subset_fallback, times)


# --------------------------------------------------------------------------
# Child processes die with the build (SPEC §8: no process outlives the command)


_PR_SET_PDEATHSIG = 1


def lifeline() -> tuple[int, int]:
    """A pipe whose write end only the build process keeps open: a child
    that reads its end of file knows the build is gone (die_with_parent).
    Made before the build forks anything; closed by the build at its end."""
    return os.pipe()


def die_with_parent(parent: int, line: tuple[int, int] | None = None) -> None:
    """In a forked child (render worker, reading process): end as soon as
    the build process ends, however it ends (SIGKILL included).

    On Linux the kernel kills the child when its parent dies (prctl
    PR_SET_PDEATHSIG; the children are forked by the build's main thread,
    which lives as long as the process). Where that is not available, a
    thread waits for the end of file of the build's lifeline pipe. Ctrl-C
    and SIGTERM are the build's to handle: it stops its children itself, so
    a terminal's Ctrl-C (sent to every process of the group) does not print
    a traceback per worker.
    """
    with contextlib.suppress(ValueError):      # not the main thread: keep the dispositions
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(Exception):       # not Linux, no libc: the pipe below does it
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if line is not None:
        read_end, write_end = line
        with contextlib.suppress(OSError):
            os.close(write_end)                # else this child would keep its own lifeline open
        threading.Thread(target=_watch, args=(read_end,), name="kamreport-lifeline", daemon=True).start()
    if os.getppid() != parent:                 # the build died before prctl took effect
        os._exit(1)


def _watch(read_end: int) -> None:
    try:
        while os.read(read_end, 1):
            pass
    except OSError:
        pass
    os._exit(1)


def default_jobs() -> int:
    """Worker processes: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
