"""PDF with WeasyPrint: a contained fetcher, deterministic bytes, frames, booklet assembly.

Why the booklet is assembled from pieces rather than from WeasyPrint
`Page` objects: a laid-out `Document` holds Pango/HarfBuzz handles (cffi
pointers) and does not pickle, so pages cannot travel from the render
workers to the parent. Each worker therefore lays out one piece (front
matter, one account plan, the appendix) ONCE and hands over its PDF
objects, serialized with their references split out (`Parts`), which the
parent writes into booklet.pdf under new numbers without parsing any PDF
(`assemble`); an account plan's same PDF objects are also written as
`accounts/<slug>.pdf`. The running header and "page X of Y" are not in
the pieces' own pages (their numbers are unknown while a piece is laid
out); they come from a cheap frame document (templates/frame.html: empty
pages with the same @page size and margins) whose pages are drawn over
the content pages as form XObjects.

WeasyPrint subsets fonts with HarfBuzz keeping the original glyph ids
(HB_SUBSET_FLAGS_RETAIN_GIDS), so every piece refers to the same glyph ids
and the booklet can embed one subset per font (_merge_fonts).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import pickle
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

LOG = logging.getLogger("kamreport.pdf")

# CSS px -> PDF points (WeasyPrint writes at zoom 1: 96 px = 72 pt).
PX_TO_PT = 0.75
FRAME_XOBJECT = "/KRframe"
OVERLAY_XOBJECT = "/KRtotal"
SUBSET_FALLBACK_TEXT = "Using fontTools instead of HarfBuzz-Subset"


# --------------------------------------------------------------------------
# Fetching: only data: URIs and files below the allowed folders


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def make_fetcher(packaged_dir: Path, templates_dir: Path | None = None):
    """A WeasyPrint URL fetcher that never touches the network or foreign files.

    Served: `data:` URIs, and `file:` URLs that resolve (symlinks followed)
    inside the packaged templates folder or the `--templates` folder. A file
    under the packaged folder is taken from the `--templates` folder when it
    has one of the same name, as templates are. Everything else — http(s),
    ftp, `file:` elsewhere, `..` escapes — is refused with a warning and
    never opened.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    packaged = packaged_dir.resolve()
    user = templates_dir.resolve() if templates_dir else None
    roots = [r for r in (user, packaged) if r is not None]

    class ContainedFetcher(URLFetcher):
        def __init__(self) -> None:
            # Only the data: handler is ever reached through the parent class.
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers=None):  # noqa: D401 - WeasyPrint API
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    return self._refuse(url)
                path = Path(url2pathname(unquote(parts.path))).resolve()
                if user is not None and _inside(path, packaged):
                    override = (user / path.relative_to(packaged)).resolve()
                    if _inside(override, user) and override.is_file():
                        path = override
                if any(_inside(path, r) for r in roots) and path.is_file():
                    return URLFetcherResponse(path.as_uri(), path.read_bytes())
            return self._refuse(url)

        def _refuse(self, url: str):
            LOG.warning("refused to fetch %s: rendering reads only data: URIs and template files",
                        url[:200])
            raise ValueError(f"kamreport does not fetch {url[:200]}")

    return ContainedFetcher()


# --------------------------------------------------------------------------
# WeasyPrint's warnings


@dataclass
class Captured:
    warnings: list[str] = field(default_factory=list)
    subset_fallback: bool = False


class _Collector(logging.Handler):
    def __init__(self, captured: Captured) -> None:
        super().__init__(logging.WARNING)
        self.captured = captured

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if SUBSET_FALLBACK_TEXT in msg:
            # One per font and document: the build says it once, in its own words.
            self.captured.subset_fallback = True
            return
        self.captured.warnings.append(f"{record.name}: {msg}")


@contextlib.contextmanager
def capture_warnings() -> Iterator[Captured]:
    """Collect WeasyPrint's (and our fetcher's) warnings during a render.

    WeasyPrint logs resource problems instead of raising; a build surfaces
    them to the user, and the tests fail on them.
    """
    captured = Captured()
    handler = _Collector(captured)
    loggers = [logging.getLogger("weasyprint"), LOG]
    saved = [(lg, lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        yield captured
    finally:
        for lg, propagate, level in saved:
            lg.removeHandler(handler)
            lg.propagate = propagate
            lg.setLevel(level)


# --------------------------------------------------------------------------
# The WeasyPrint and pydyf this module was written against
#
# kamreport uses their internals, all of them in this module: WeasyPrint's
# `weasyprint.pdf.generate_pdf` (its pydyf objects before they are written),
# `Font._harfbuzz_subset` (replaced by _one_pass_subset), `Font.hb_face`,
# `.missing`, `.file_content`, `weasyprint.text.ffi` (its cffi handle and
# the HarfBuzz libraries it loaded), the laid-out pages' `links`,
# `anchors` and `bookmarks`; pydyf's `PDF.objects`, `.pages` (Kids written
# as "n 0 R" triples), `.catalog`, `.info`, `Stream.stream/.extra/.compress`,
# `Object.number/.reference` and `_to_bytes`. setup.cfg pins both to these
# series; tests/test_pdf.py's contract tests fail when their shape changes.
TESTED_WITH = {"weasyprint": "70.", "pydyf": "0.13."}


def internals_problem() -> str | None:
    """Why the installed WeasyPrint or pydyf is not one this module was
    written against (one line), or None."""
    import pydyf
    import weasyprint

    found = {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
    wrong = [f"{name} {found[name]}" for name, series in TESTED_WITH.items()
             if not found[name].startswith(series)]
    if not wrong:
        return None
    want = " ".join(f"'{name}=={series}*'" for name, series in TESTED_WITH.items())
    return (f"kamreport {_own_version()} uses internals of WeasyPrint and pydyf and was written against "
            f"weasyprint {TESTED_WITH['weasyprint']}* and pydyf {TESTED_WITH['pydyf']}*, found "
            f"{', '.join(wrong)}: pip install {want}")


_GATE: list[str | None] = []


def require_tested_internals() -> None:
    """Raise KamError (one line) unless WeasyPrint and pydyf are the series
    this module was written against; checked once per process."""
    if not _GATE:
        _GATE.append(internals_problem())
    if _GATE[0]:
        from ..errors import KamError
        raise KamError(_GATE[0])


def _own_version() -> str:
    from .. import __version__
    return __version__


def subsetting_problem() -> str | None:
    """Why fonts would be subset by the slow fontTools fallback, or None.

    WeasyPrint uses HarfBuzz-Subset when libharfbuzz-subset0 (≥ 4.1) can be
    loaded; otherwise it falls back to fontTools, which takes seconds per
    CJK font and per PDF.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    if harfbuzz_subset is None:
        return "libharfbuzz-subset is not installed"
    if not harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz is older than 4.1"
    return None


# --------------------------------------------------------------------------
# Font subsets in one HarfBuzz pass


def _one_pass_subset(self, to_unicode, hinting):
    """WeasyPrint's `Font._harfbuzz_subset` in one pass instead of two.

    WeasyPrint subsets with the original glyph ids kept, then subsets the
    result again to drop the hints and the empty glyph slots above the
    highest id used. HarfBuzz (6.0 here) already ends a subset that keeps
    the glyph ids at the highest id kept, and WeasyPrint's second pass
    leaves out the tables HarfBuzz does not know (FontForge's FFTM, say),
    so one pass that drops the hints and does not pass unknown tables
    through writes the same bytes: a test compares whole PDFs with CJK (CFF)
    and DejaVu (TrueType) fonts. The second pass re-reads a 65,535-glyph
    CJK font: ~45 ms per font and document, 2–3 fonts per account plan,
    ~15 s of CPU over a 100-account build. When HarfBuzz fails, WeasyPrint's
    own method runs (and warns as it does).
    """
    from weasyprint.text.ffi import ffi as weasyprint_ffi

    ffi = _harfbuzz()[0]
    face = ffi.cast("hb_face_t *", int(weasyprint_ffi.cast("uintptr_t", self.hb_face)))
    content = _subset_face(face, to_unicode, hinting=hinting, notdef_outline=bool(self.missing))
    if content:
        self.file_content = content
        return
    _WEASYPRINT_SUBSET(self, to_unicode, hinting)     # as WeasyPrint would, warning and all


_WEASYPRINT_SUBSET = None


def use_one_pass_subsets() -> bool:
    """Make WeasyPrint subset fonts in one pass (see _one_pass_subset).

    Only for the WeasyPrint this was written against (the private method
    exists, HarfBuzz-Subset is loaded); otherwise WeasyPrint is left as it is.
    """
    global _WEASYPRINT_SUBSET
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    current = getattr(fonts.Font, "_harfbuzz_subset", None)
    if current is _one_pass_subset:
        return True
    if current is None or harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0) \
            or _harfbuzz() is None:
        return False
    _WEASYPRINT_SUBSET = current
    fonts.Font._harfbuzz_subset = _one_pass_subset
    return True


# --------------------------------------------------------------------------
# Determinism


_EPOCH_SET_BY_US: str | None = None


def source_date(as_of: date) -> datetime:
    """The one timestamp a PDF carries: SOURCE_DATE_EPOCH, else as_of 00:00 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and epoch != _EPOCH_SET_BY_US:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc)


def ensure_source_date_epoch(when: datetime) -> None:
    """fontTools stamps `head.modified` from SOURCE_DATE_EPOCH, else the clock.

    A value the user set is kept; one we set for an earlier build in this
    process is replaced (several builds in one process, as in the tests).
    """
    global _EPOCH_SET_BY_US
    current = os.environ.get("SOURCE_DATE_EPOCH")
    if current is None or current == _EPOCH_SET_BY_US:
        _EPOCH_SET_BY_US = str(int(when.timestamp()))
        os.environ["SOURCE_DATE_EPOCH"] = _EPOCH_SET_BY_US


def _identifier(key: str) -> bytes:
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest().encode()


# --------------------------------------------------------------------------
# One piece: lay out once, write once


@dataclass(frozen=True)
class PieceLink:
    """An internal link whose anchor lives in another piece (resolved in the booklet)."""
    page: int                       # page index within the piece
    anchor: str
    rect: tuple[float, float, float, float]   # x0, y0, x1, y1 in PDF points


@dataclass(frozen=True)
class Piece:
    parts: "Parts | None"           # its PDF objects for the booklet; None when they are in `path`
    pages: int                      # its content pages
    anchors: dict[str, int]         # anchor -> page index within the piece
    bookmarks: tuple[tuple[int, str, int, str | None], ...]   # (level, label, page index, anchor)
    links: tuple[PieceLink, ...]
    path: str | None = None         # a file holding the pickled parts (render.Job.spool)

    def load(self) -> "Parts":
        if self.path:
            return pickle.loads(Path(self.path).read_bytes())
        return self.parts


# --------------------------------------------------------------------------
# Stylesheets parsed once per process

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
# Rules whose effect lives outside the stylesheet object (the document's
# font configuration, counter styles, cascade layers, imported sheets):
# such a document keeps its <style> blocks.
_DOCUMENT_WIDE = ("@font-face", "@counter-style", "@layer", "@import")
_SHARED_CSS_MIN = 1_000        # smaller blocks (an account's header) are parsed each time
_CSS: dict[tuple, object] = {}


def _head_stylesheets(html: str) -> tuple[str, list[str]] | None:
    """`html` without the <style> blocks of its head, and their CSS in order.

    None when a stylesheet is anywhere else (a <link>, a <style> in the body
    or with attributes) or the head has a comment (which could hide a
    <style>): that document is laid out as written.
    """
    lower = html.lower()
    head_end = lower.find("</head>")
    if head_end < 0 or "<link" in lower or "<!--" in lower[:head_end] or \
            lower.count("<style") != lower.count("<style", 0, head_end):
        return None
    blocks = _STYLE_BLOCK.findall(html, 0, head_end)
    if len(blocks) != lower.count("<style", 0, head_end) or \
            any(rule in b.lower() for b in blocks for rule in _DOCUMENT_WIDE):
        return None
    return _STYLE_BLOCK.sub("", html[:head_end]) + html[head_end:], blocks


def _stylesheets(blocks: list[str], base_url: str, fetcher) -> list:
    """Parsed stylesheets for `blocks`; the large ones (the templates' CSS,
    the same in every document of a build) from this process's cache.

    WeasyPrint parses a document's <style> blocks again for every document:
    ~60 ms for style.css, about 7 s of CPU over a 100-account build. Passed
    as `stylesheets=`, they count as the user origin instead of the author's;
    for our CSS the cascade is the same: the only other author styles are
    the templates' few `style` attributes, which win over both origins'
    normal declarations, and none of them is !important.
    """
    from weasyprint import CSS

    out = []
    for text in blocks:
        key = (text, base_url, id(fetcher))
        css = _CSS.get(key)
        if css is None:
            css = CSS(string=text, base_url=base_url, url_fetcher=fetcher)
            if len(text) >= _SHARED_CSS_MIN:
                if len(_CSS) >= 8:      # a worker serves one build at a time
                    _CSS.clear()
                _CSS[key] = css
        out.append(css)
    return out


_FONT_CONFIG = None


def shared_font_config():
    """One WeasyPrint FontConfiguration for every document of this process.

    WeasyPrint makes a new one (a new Pango font map, the fonts loaded
    again) for each document unless given one; shared, the fonts and their
    glyph caches stay loaded: ~6 % less layout and ~13 % less writing CPU
    per account plan, measured interleaved in one process. It holds
    nothing of a document but fonts from @font-face rules, so documents
    with those (or any stylesheet not in the head) get their own.
    """
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def warm_up() -> None:
    """Import WeasyPrint and load the fonts (CJK regular and bold) once."""
    from weasyprint import HTML
    HTML(string='<p style="font-family: \'Noto Sans CJK SC\'">字 <b>字</b></p>').render(
        font_config=shared_font_config())


def layout(html: str, base_url: str, fetcher, times: dict[str, float] | None = None):
    """Lay out an HTML document: a WeasyPrint `Document`.

    `times` accumulates CPU seconds of WeasyPrint's layout and writing (the
    benchmark's "WeasyPrint share").
    """
    from weasyprint import HTML

    require_tested_internals()
    use_one_pass_subsets()
    times = {} if times is None else times
    t0 = time.process_time()
    split = _head_stylesheets(html)
    if split is None:
        doc = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    else:
        doc = HTML(string=split[0], base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=_stylesheets(split[1], base_url, fetcher), font_config=shared_font_config())
    times["layout"] = times.get("layout", 0.0) + time.process_time() - t0
    return doc


def _anchors_bookmarks_links(doc) -> tuple[dict[str, int], tuple, tuple[PieceLink, ...]]:
    """A laid-out piece's anchors, bookmarks and links into other pieces
    (taken off its pages: WeasyPrint would drop them with a warning)."""
    own = {name for page in doc.pages for name in page.anchors}
    anchors: dict[str, int] = {}
    links: list[PieceLink] = []
    for i, page in enumerate(doc.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
        keep = []
        for link in page.links:
            link_type, target, rect, _box = link
            if link_type == "internal" and target not in own:
                # The anchor is in another piece: WeasyPrint would drop the link
                # with a warning; the booklet assembly adds it back.
                x1, y1, x2, y2 = rect      # CSS px from the top-left corner
                links.append(PieceLink(i, target, (
                    x1 * PX_TO_PT, (page.height - y2) * PX_TO_PT,
                    x2 * PX_TO_PT, (page.height - y1) * PX_TO_PT)))
            else:
                keep.append(link)
        page.links[:] = keep
    bookmarks = []
    for i, page in enumerate(doc.pages):
        for level, label, target, _state in page.bookmarks:
            # The heading's own id, else the nearest id starting above it on
            # the same page (its section's).
            above = [(y, name) for name, (x, y, *_rest) in page.anchors.items()
                     if y <= target[1] + 2]
            exact = [name for y, name in above if abs(y - target[1]) < 2]
            anchor = exact[0] if exact else (max(above)[1] if above else None)
            bookmarks.append((level, label, i, anchor))
    return anchors, tuple(bookmarks), tuple(links)


def _freeze_streams(pdf) -> None:
    """Compress each stream of a pydyf PDF once, as pydyf would.

    pydyf compresses a stream (zlib level 9) every time its bytes are asked
    for: when it is written, and again for the file identifier's hash of the
    whole file. Compressed once here, a stream writes the same bytes (its
    /Filter set as pydyf sets it) and a second write of the same PDF (the
    framed account plan) costs no compression either.
    """
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            obj.stream = [_deflate(_stream_data(obj))]
            obj.compress = False
            obj.extra["Filter"] = "/FlateDecode"


def _stream_data(stream) -> bytes:
    """A pydyf stream's bytes as pydyf writes them, before any compression."""
    import pydyf
    return b"\n".join(pydyf._to_bytes(item) for item in stream.stream)


def _deflate(data: bytes) -> bytes:
    """Compressed as pydyf compresses a stream (zlib, level 9)."""
    packer = zlib.compressobj(level=9)
    return packer.compress(data) + packer.flush()


def _form_entries(page) -> dict:
    """What turns a pydyf page's contents stream into a form XObject drawing the page."""
    import pydyf
    return {"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(page["MediaBox"]),
            "Resources": page["Resources"]}


def _generate(doc, when: datetime, times: dict[str, float]):
    """WeasyPrint's PDF objects (a pydyf PDF) of a laid-out document, its
    streams compressed once; nothing is serialized yet."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import generate_pdf

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.metadata.created = stamp
    doc.metadata.modified = stamp
    t0 = time.process_time()
    pdf = generate_pdf(doc, None, 1, **DEFAULT_OPTIONS)
    _freeze_streams(pdf)
    times["write"] = times.get("write", 0.0) + time.process_time() - t0
    return pdf


def _timed_parts(pdf, pages: int, links: tuple[PieceLink, ...], times: dict[str, float], *,
                 forms: bool = False) -> "Parts":
    t0 = time.process_time()
    parts = make_parts(pdf, pages, links, forms=forms)
    times["parts"] = times.get("parts", 0.0) + time.process_time() - t0
    return parts


def layout_and_write(html: str, base_url: str, fetcher, *, when: datetime,
                     times: dict[str, float] | None = None, forms: bool = False) -> Piece:
    """Lay out an HTML document once; its PDF objects as booklet parts
    (`forms`: every page as a form XObject, for frames)."""
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times)
    anchors, bookmarks, links = _anchors_bookmarks_links(doc)
    parts = _timed_parts(_generate(doc, when, times), len(doc.pages), links, times, forms=forms)
    return Piece(parts, len(doc.pages), anchors, bookmarks, links)


def layout_and_write_framed(html: str, base_url: str, fetcher, *, when: datetime, frame,
                            meta: "Meta", times: dict[str, float] | None = None) -> tuple[Piece, bytes]:
    """A piece and its standalone PDF with a frame (an account plan).

    `frame(pages)` gives a laid-out frame document with that many pages
    (render.account_frame). Its pages are generated in the same PDF as the
    content pages, after them, so they share the content's font subsets
    (WeasyPrint keys fonts by their description, not by document). The
    booklet's parts take the content pages; then the same PDF objects are
    written as the standalone PDF, each frame page turned into a form
    XObject drawn over its content page. No PDF is parsed.
    """
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times)
    anchors, bookmarks, links = _anchors_bookmarks_links(doc)
    pages = len(doc.pages)
    frame_doc = frame(pages)
    if len(frame_doc.pages) != pages:
        raise ValueError(f"frame has {len(frame_doc.pages)} pages, content {pages}")
    pdf = _generate(doc.copy(doc.pages + frame_doc.pages), when, times)
    parts = _timed_parts(pdf, pages, links, times)     # before _framed changes the objects
    t0 = time.process_time()
    framed = _framed(pdf, pages, meta)
    times["stamp"] = times.get("stamp", 0.0) + time.process_time() - t0
    return Piece(parts, pages, anchors, bookmarks, links), framed


def _framed(pdf, pages: int, meta: "Meta") -> bytes:
    """Write a pydyf PDF (content pages, then as many frame pages) with
    every frame page drawn over its content page."""
    import pydyf

    numbers = pdf.pages["Kids"][::3]
    begin = pydyf.Stream([b"q"])
    pdf.add_object(begin)
    for i, (content, frame) in enumerate(zip(numbers[:pages], numbers[pages:])):
        page, frame_page = pdf.objects[content], pdf.objects[frame]
        form = pdf.objects[_number(frame_page["Contents"])]
        form.extra.update(_form_entries(frame_page))
        # The page's own drawing isolated in q … Q, then its frame (the
        # pages share one /Resources dictionary: one name per frame).
        name = f"{FRAME_XOBJECT[1:]}{i + 1}"
        pdf.objects[_number(page["Resources"])]["XObject"][name] = form.reference
        end = pydyf.Stream([b"Q", f"q /{name} Do Q".encode()])
        pdf.add_object(end)
        page["Contents"] = pydyf.Array([begin.reference, page["Contents"], end.reference])
        frame_page.clear()          # no longer a page: an empty dictionary nobody refers to
    pdf.pages["Kids"] = pydyf.Array(pdf.pages["Kids"][:3 * pages])
    pdf.pages["Count"] = pages
    pdf.info.clear()
    pdf.info.update(_info(meta))
    pdf.catalog["Lang"] = pydyf.String(meta.language)
    out = io.BytesIO()
    pdf.write(out, None, _identifier(meta.key), True)
    return out.getvalue()


# --------------------------------------------------------------------------
# Booklet parts: a piece's PDF objects, ready to be renumbered
#
# The booklet is written here, not by a PDF library: a worker hands over a
# piece's objects already serialized, each reference to another object
# split out as its number (`segments`), and the build process concatenates
# them under new numbers; it parses no PDF. What the booklet adds to a
# piece's pages is wired in by the worker too: each content page draws "q",
# its own contents, "Q", then its frame and the overlay (/KRframe<i>,
# /KRtotal: form XObjects the booklet supplies), and a link into another
# piece is an annotation the booklet supplies. Those are placeholders:
# numbers past the piece's own objects.

# A reference outside a string. Strings are never searched: _flatten keeps
# them apart (pydyf.String), so "(see 3 0 R)" in a title stays text.
_RAW_REF = re.compile(rb"(?<![\w.])(\d+) 0 R\b")


class _Str(bytes):
    """A serialized PDF string (never searched for references)."""


def _flatten(value, out: list) -> None:
    """pydyf's serialization of `value`, as raw syntax and _Str pieces."""
    import pydyf

    if isinstance(value, pydyf.String):
        out.append(_Str(value.data))
    elif isinstance(value, pydyf.Dictionary):
        out.append(b"<<")
        for key, item in value.items():
            out.append(b"/" + pydyf._to_bytes(key) + b" ")
            _flatten(item, out)
        out.append(b">>")
    elif isinstance(value, pydyf.Array):
        out.append(b"[")
        for i, item in enumerate(value):
            if i:
                out.append(b" ")
            _flatten(item, out)
        out.append(b"]")
    else:
        out.append(pydyf._to_bytes(value))


def _segments(value) -> tuple:
    """`value` serialized and split at its references: bytes and object numbers."""
    flat: list = []
    _flatten(value, flat)
    out: list = []
    raw: list[bytes] = []

    def flush() -> None:
        # References are searched in runs of raw syntax, not item by item:
        # pydyf's page tree writes one as three items (12, 0, "R").
        data = b"".join(raw)
        raw.clear()
        last = 0
        for m in _RAW_REF.finditer(data):
            out.extend((data[last:m.start()], int(m.group(1))))
            last = m.end()
        out.append(data[last:])

    for item in flat:
        if isinstance(item, _Str):
            flush()
            out.append(bytes(item))
        else:
            raw.append(item)
    flush()
    merged: list = []
    for item in out:
        if isinstance(item, int):
            merged.append(item)
        elif item:
            if merged and isinstance(merged[-1], bytes):
                merged[-1] += item
            else:
                merged.append(item)
    return tuple(merged)


def _serialized(obj) -> tuple[tuple, bytes | None]:
    """An object's segments and, for a stream, its (compressed) data."""
    import pydyf

    if not isinstance(obj, pydyf.Stream):
        return _segments(obj), None
    data = _stream_data(obj)
    extra = pydyf.Dictionary(obj.extra)
    if obj.compress:
        extra["Filter"] = "/FlateDecode"
        data = _deflate(data)
    extra["Length"] = len(data)
    return _segments(extra), data


def _number(ref) -> int:
    """The object number of a pydyf reference (b"12 0 R")."""
    if not isinstance(ref, bytes):
        raise ValueError(f"not a reference: {ref!r}")
    return int(ref.split()[0])


@dataclass(frozen=True)
class FontUse:
    """A piece's CID font (Type0, Identity-H), as the booklet's font merge needs it."""
    number: int                     # its Type0 dictionary
    base: bytes                     # /BaseFont: WeasyPrint's font hash + PostScript name
    widths: dict[int, object]       # glyph id -> width
    unicode: dict[int, bytes]       # glyph id -> UTF-16BE hex
    cid: bytes                      # the CIDFont dictionary without /W and /FontDescriptor
    descriptor: bytes               # the FontDescriptor without its font file
    key: str                        # "FontFile2" (TrueType) or "FontFile3" (OpenType CFF)
    program: bytes                  # the font file stream's dictionary without length and filter
    subset: int                     # the font file stream (its name table identifies the font)
    deflated: bool
    family: str
    bold: bool
    italic: bool


@dataclass(frozen=True)
class Parts:
    """A piece's (or frame document's) PDF objects for the booklet (make_parts)."""
    objects: dict[int, tuple[tuple, bytes | None]]   # number -> (segments, stream data)
    roots: tuple[int, ...]          # its content pages, or (frames) each page as a form XObject
    tree: int                       # its page tree: the booklet's, in the booklet
    frames: tuple[int, ...] = ()    # placeholder per page: its frame's form XObject
    overlays: tuple[int, ...] = ()  # placeholder per page: the overlay's form XObject
    links: tuple[int, ...] = ()     # placeholder per Piece.links entry: its link annotation
    dests: tuple[tuple[str, int, float, float], ...] = ()   # named destination: name, page, x, y
    fonts: tuple[FontUse, ...] = ()


def _stream(data: bytes) -> tuple[tuple, bytes]:
    return (b"<</Length %d>>" % len(data),), data


def make_parts(pdf, pages: int, links: tuple[PieceLink, ...] = (), *, forms: bool = False) -> Parts:
    """The booklet parts of a pydyf PDF's first `pages` pages (WeasyPrint's
    objects, _generate). `forms`: a frame document, each page's drawing
    made a form XObject instead. `pdf` is left as it was."""
    import pydyf

    objs = pdf.objects
    kids = [int(k) for k in pdf.pages["Kids"][::3][:pages]]
    instead: dict[int, object] = {}         # serialized in place of an object of `pdf`
    objects: dict[int, tuple[tuple, bytes | None]] = {}
    placeholders: set[int] = set()
    count = len(objs)

    def number() -> int:
        nonlocal count
        count += 1
        return count - 1

    frames: list[int] = []
    overlays: list[int] = []
    slots = [0] * len(links)
    if forms:
        roots = []
        for k in kids:
            page = objs[k]
            contents = objs[_number(page["Contents"])]
            instead[contents.number] = pydyf.Stream(contents.stream, {**contents.extra, **_form_entries(page)},
                                                    contents.compress)
            roots.append(contents.number)
    else:
        roots = kids
        begin = number()
        objects[begin] = _stream(b"q")
        resources: dict[int, pydyf.Dictionary] = {}
        for i, k in enumerate(kids):
            page = pydyf.Dictionary(objs[k])
            name, total = f"{FRAME_XOBJECT[1:]}{i + 1}", f"{OVERLAY_XOBJECT[1:]}{i + 1}"
            frames.append(number())
            overlays.append(number())
            end = number()
            objects[end] = _stream(f"Q\nq /{name} Do Q\nq /{total} Do Q".encode())
            own = page["Contents"]
            own = list(own) if isinstance(own, pydyf.Array) else [own]
            page["Contents"] = pydyf.Array([b"%d 0 R" % begin, *own, b"%d 0 R" % end])
            r = _number(page["Resources"])
            if r not in resources:
                res = pydyf.Dictionary(objs[r])
                xobjects = res.get("XObject", pydyf.Dictionary())
                if not isinstance(xobjects, dict):
                    raise ValueError("a page's /XObject resources are not a dictionary")
                res["XObject"] = pydyf.Dictionary(xobjects)
                resources[r] = res
            resources[r]["XObject"][name] = b"%d 0 R" % frames[-1]
            resources[r]["XObject"][total] = b"%d 0 R" % overlays[-1]
            annots = [j for j, link in enumerate(links) if link.page == i]
            if annots:
                page["Annots"] = pydyf.Array(list(page.get("Annots", [])))
                for j in annots:
                    slots[j] = number()
                    page["Annots"].append(b"%d 0 R" % slots[j])
            instead[k] = page
        instead.update(resources)
        placeholders.update(frames, overlays, slots)

    tree = pdf.pages.number
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in objects or n in placeholders or n == tree:
            continue
        if not 0 < n < len(objs):
            raise ValueError(f"object {n} is referred to but not in the PDF")
        objects[n] = _serialized(instead[n] if n in instead else objs[n])
        todo += [x for x in objects[n][0] if isinstance(x, int)]

    dests = []
    if not forms:
        at = {k: i for i, k in enumerate(kids)}
        names = pdf.catalog.get("Names", {}).get("Dests", {}).get("Names", [])
        for name, dest in zip(names[::2], names[1::2]):
            if _number(dest[0]) in at:
                dests.append((name.string, at[_number(dest[0])], float(dest[2]), float(dest[3])))
    fonts = tuple(filter(None, (_font_use(objs, n) for n in sorted(objects) if n < len(objs))))
    return Parts(dict(sorted(objects.items())), tuple(roots), tree, tuple(frames), tuple(overlays),
                 tuple(slots), tuple(dests), fonts)


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def _plain(d: dict, leave: tuple[str, ...]) -> bytes | None:
    """A dictionary without the keys `leave`, serialized; None if it refers to an object."""
    import pydyf
    segments = _segments(pydyf.Dictionary({k: v for k, v in d.items() if k not in leave}))
    return segments[0] if len(segments) == 1 else None


def _font_use(objs, n: int) -> FontUse | None:
    """Object n as a FontUse, if it is a CID font the booklet can merge."""
    import pydyf

    font = objs[n]
    if not (isinstance(font, pydyf.Dictionary) and font.get("Type") == "/Font"
            and font.get("Subtype") == "/Type0" and font.get("Encoding") == "/Identity-H"):
        return None
    try:
        cid = objs[_number(font["DescendantFonts"][0])]
        descriptor = objs[_number(cid["FontDescriptor"])]
        key = next(k for k in ("FontFile3", "FontFile2") if k in descriptor)
        program = objs[_number(descriptor[key])]
        if cid.get("CIDToGIDMap", "/Identity") != "/Identity" or "ToUnicode" not in font:
            return None
        tounicode = objs[_number(font["ToUnicode"])]
        cmap = _stream_data(tounicode)
        if not tounicode.compress and tounicode.extra.get("Filter") == "/FlateDecode":
            cmap = zlib.decompress(cmap)
        if b"beginbfrange" in cmap:
            return None
        unicode = {int(g, 16): u for block in _BFCHAR.findall(cmap) for g, u in _PAIR.findall(block)}
        base = pydyf._to_bytes(font["BaseFont"])
        parts = (_plain(cid, ("W", "FontDescriptor")), _plain(descriptor, (key, "CIDSet")),
                 _plain(program.extra, ("Length", "Filter", "DecodeParms", "Length1")))
        if None in parts:
            return None
        family = descriptor.get("FontFamily")
        return FontUse(n, base, _widths(cid.get("W", [])), unicode, *parts[:2], key, parts[2],
                       program.number, program.compress or program.extra.get("Filter") == "/FlateDecode",
                       family.string if isinstance(family, pydyf.String) else "",
                       base.endswith(b"-Bold") or b"-Bold-" in base,
                       float(descriptor.get("ItalicAngle", 0)) != 0)
    except (KeyError, TypeError, ValueError, IndexError, StopIteration, zlib.error):
        return None


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    language: str
    when: datetime
    key: str                        # seeds the file identifier


def _info(meta: Meta):
    """The document information of a PDF kamreport writes (a pydyf dictionary)."""
    import pydyf
    stamp = meta.when.strftime("D:%Y%m%d%H%M%SZ")
    return pydyf.Dictionary({k: pydyf.String(v) for k, v in (
        ("Title", meta.title), ("Author", meta.author), ("Subject", meta.subject), ("Creator", "kamreport"),
        ("Producer", "kamreport (WeasyPrint)"), ("CreationDate", stamp), ("ModDate", stamp))})


# --------------------------------------------------------------------------
# One copy of each font in the booklet
#
# Every piece embeds its own subset of each font. WeasyPrint subsets with
# HarfBuzz keeping the original glyph ids, so the pieces' content streams
# all refer to the same ids: the booklet can use ONE subset per font made
# from the union of the glyphs, and every piece's font dictionary can point
# at it. The original font file is found with fontconfig and checked
# against the embedded subset (same name-table identity) before it is used;
# when anything does not match, the pieces keep their own subsets.

_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t; typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
# hb-subset.h
_RETAIN_GIDS, _DESUBROUTINIZE, _NO_HINTING, _NOTDEF_OUTLINE = 0x2, 0x4, 0x1, 0x40
_SETS_DROP_TABLE_TAG = 3
# The tables WeasyPrint drops from its subsets (weasyprint/pdf/fonts.py).
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                b"PCLT", b"SVG ")
# The names WeasyPrint tries (weasyprint/text/ffi.py), for each platform.
_HB_NAMES = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib",
             "libharfbuzz-0.dll")
_HB_SUBSET_NAMES = ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
                    "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")
_HB = None


def _dlopen(ffi, names: tuple[str, ...]):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    return None


def _harfbuzz():
    """(ffi, libharfbuzz, libharfbuzz-subset), or None when either library
    cannot be loaded: then WeasyPrint subsets as it does (fontTools when it
    has no HarfBuzz-Subset either) and the booklet keeps each piece's own
    font subsets (_merge_fonts)."""
    global _HB
    if _HB is None:
        import cffi
        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        hb = _dlopen(ffi, _HB_NAMES)
        hbs = _dlopen(ffi, _HB_SUBSET_NAMES) if hb is not None else None
        _HB = (ffi, hb, hbs) if hbs is not None else False
    return _HB or None


def _subset_face(face, gids, *, hinting: bool, notdef_outline: bool) -> bytes | None:
    """`face` reduced to `gids` in one pass, glyph ids kept, WeasyPrint's
    tables dropped: the recipe of every font subset kamreport writes (the
    pieces' through _one_pass_subset, the booklet's merged ones). None when
    HarfBuzz fails."""
    ffi, hb, hbs = _harfbuzz()
    inp = hbs.hb_subset_input_create_or_fail()
    glyphs = hbs.hb_subset_input_glyph_set(inp)
    for g in sorted(gids):
        hb.hb_set_add(glyphs, g)
    drop = hbs.hb_subset_input_set(inp, _SETS_DROP_TABLE_TAG)
    for tag in _DROP_TABLES:
        hb.hb_set_add(drop, hb.hb_tag_from_string(tag, 4))
    hbs.hb_subset_input_set_flags(inp, _RETAIN_GIDS | _DESUBROUTINIZE | (0 if hinting else _NO_HINTING)
                                  | (_NOTDEF_OUTLINE if notdef_outline else 0))
    result = hbs.hb_subset_or_fail(face, inp)
    hbs.hb_subset_input_destroy(inp)
    if result == ffi.NULL:
        return None
    data_blob = hb.hb_face_reference_blob(result)
    length = ffi.new("unsigned int *")
    data = bytes(ffi.buffer(hb.hb_blob_get_data(data_blob, length), length[0]))
    hb.hb_blob_destroy(data_blob)
    hb.hb_face_destroy(result)
    return data or None


def _hb_subset(path: str, index: int, gids: set[int], notdef_outline: bool) -> bytes | None:
    """The font at path/index reduced to `gids`, glyph ids kept (as WeasyPrint
    does); None when HarfBuzz fails or cannot be loaded."""
    if _harfbuzz() is None:
        return None
    ffi, hb, _hbs = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    try:
        if max(gids) >= hb.hb_face_get_glyph_count(face):
            return None
        return _subset_face(face, gids, hinting=False, notdef_outline=notdef_outline)
    finally:
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _fonttools_subset(path: str, index: int, gids: set[int], notdef_outline: bool) -> bytes | None:
    """_hb_subset's recipe with fontTools (no HarfBuzz-Subset): glyph ids
    kept, no hints, WeasyPrint's tables dropped. None when fontTools fails."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=True, passthrough_tables=False, ignore_missing_glyphs=True,
                             hinting=False, desubroutinize=True, notdef_outline=notdef_outline)
    options.drop_tables += [t.decode().strip() for t in _DROP_TABLES]
    try:
        with TTFont(path, fontNumber=index, lazy=False) as font:
            if max(gids) >= font["maxp"].numGlyphs:
                return None
            subsetter = subset.Subsetter(options)
            subsetter.populate(gids=sorted(gids))
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
    except Exception:  # noqa: BLE001 - any failure: the pieces keep their own subsets
        LOG.debug("fontTools could not subset %s", path, exc_info=True)
        return None
    return out.getvalue() or None


def _identity(font_bytes: bytes | str, index: int = 0) -> tuple | None:
    """Name-table identity of a font: (unique id, version, PostScript name)."""
    from fontTools.ttLib import TTFont
    try:
        src = io.BytesIO(font_bytes) if isinstance(font_bytes, bytes) else font_bytes
        with TTFont(src, fontNumber=index, lazy=True) as font:     # closes the file it opened
            name = font["name"]
            return tuple(name.getDebugName(i) for i in (3, 5, 6))
    except Exception:  # noqa: BLE001 - any unreadable font: no identity, no merge
        return None


def _find_original(family: str, bold: bool, italic: bool, subset: bytes) -> tuple[str, int] | None:
    """The installed font file and face index the subset was made from."""
    import subprocess
    pattern = family + (":weight=bold" if bold else ":weight=regular") + (":slant=italic" if italic else "")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
        path, index = found[0], int(found[1])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None
    want = _identity(subset)
    return (path, index) if want and want == _identity(path, index) else None


def _widths(w) -> dict[int, object]:
    """A CIDFont /W array as {gid: width}."""
    out: dict[int, object] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, list):
            for k, width in enumerate(nxt):
                out[first + k] = width
            i += 2
        else:
            last, width = int(items[i + 1]), items[i + 2]
            for g in range(first, last + 1):
                out[g] = width
            i += 3
    return out


def _cmap(mapping: dict[int, bytes]) -> bytes:
    items = sorted(mapping.items())
    blocks = []
    for i in range(0, len(items), 100):       # at most 100 entries per block (PDF spec)
        chunk = items[i:i + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n".encode()
                      + b"".join(b"<%04x> <%s>\n" % (g, u) for g, u in chunk) + b"endbfchar\n")
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            + b"".join(blocks) + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")


class _Booklet:
    """Objects by number, then the whole file (header, objects, xref table, trailer)."""

    def __init__(self) -> None:
        self.count = 0
        self.objects: dict[int, tuple[bytes, bytes | None]] = {}

    def new(self) -> int:
        self.count += 1
        return self.count

    def put(self, number: int, head: bytes, stream: bytes | None = None) -> None:
        self.objects[number] = (head, stream)

    def place(self, parts: Parts, outside: dict[int, int]) -> dict[int, int]:
        """Write the objects reachable from `parts.roots` under new numbers;
        `outside` maps the piece's numbers that are not its own objects
        (page tree, placeholders, merged fonts). Returns the whole map."""
        seen: set[int] = set()
        todo = list(parts.roots)
        while todo:
            n = todo.pop()
            if n in seen or n in outside:
                continue
            if n not in parts.objects:
                raise ValueError(f"a piece refers to its object {n}, which it does not hold")
            seen.add(n)
            todo += [x for x in parts.objects[n][0] if isinstance(x, int)]
        numbers = dict(outside)
        for n in sorted(seen):
            numbers[n] = self.new()
        for n in sorted(seen):
            segments, stream = parts.objects[n]
            self.put(numbers[n], b"".join(x if isinstance(x, bytes) else b"%d 0 R" % numbers[x]
                                          for x in segments), stream)
        return numbers

    def write(self, root: int, info: int, identifier: bytes) -> bytes:
        out = [b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"]
        size = len(out[0])
        offsets = []
        for n in range(1, self.count + 1):
            head, stream = self.objects.get(n, (b"null", None))
            offsets.append(size)
            chunk = b"%d 0 obj\n" % n + head + (b"\nstream\n" + stream + b"\nendstream" if stream is not None
                                                else b"") + b"\nendobj\n"
            out.append(chunk)
            size += len(chunk)
        ident = b"<" + identifier.hex().encode() + b">"
        out.append(b"xref\n0 %d\n0000000000 65535 f \n" % (self.count + 1))
        out.append(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        out.append(b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID [%s %s]>>\nstartxref\n%d\n%%%%EOF\n"
                   % (self.count + 1, root, info, ident, ident, size))
        return b"".join(out)


def assemble(pieces: list[Piece], frames: list[Parts] | None, meta: Meta, *,
             outline: list[tuple] = (), frame_skip: frozenset[int] = frozenset(),
             share_fonts: bool = False, overlay: Parts | None = None) -> bytes:
    """The booklet: the pieces' pages in order, frame i drawn over page i.

    `frames` (frame documents' parts, consecutive) must have exactly as
    many pages as the pieces together; page indexes in `frame_skip` get no
    frame (the cover). `outline` is (title, 0-based page[, level]) for the
    PDF bookmarks, in page order: a level-2 entry nests under the level-1
    entry before it (level 1 when left out). `share_fonts`: one subset per font for the whole document
    (_merge_fonts). `overlay`: a one-page frame document drawn on every
    framed page as well (the booklet's "of N pages", which is known last).
    Links into other pieces go to their anchors; the pieces' named
    destinations become the booklet's (the first piece's, if two share a
    name).
    """
    import pydyf

    parts = [p.load() for p in pieces]
    extra = list(frames or ()) + ([overlay] if overlay is not None else [])
    total = sum(len(p.roots) for p in parts)
    if frames is not None and sum(len(f.roots) for f in frames) != total:
        raise ValueError(f"frame has {sum(len(f.roots) for f in frames)} pages, content {total}")
    book = _Booklet()
    catalog, tree, info, empty = (book.new() for _ in range(4))
    book.put(info, _info(meta).data)
    # What a page draws where no frame (or overlay) is: an empty form.
    book.put(empty, b"<</Type /XObject/Subtype /Form/BBox [0 0 0 0]/Length 0>>", b"")
    fonts = _merge_fonts(parts + extra, book) if share_fonts else [{} for _ in parts + extra]

    forms = []
    for f, fontmap in zip(extra, fonts[len(parts):]):
        numbers = book.place(f, fontmap)
        forms += [numbers[n] for n in f.roots]
    overlay_form = forms.pop() if overlay is not None else empty

    page_refs, dests, anchors, link_slots = [], {}, {}, []
    for piece, p, fontmap in zip(pieces, parts, fonts):
        first = len(page_refs)
        outside = {p.tree: tree, **fontmap}
        for i, (frame, total) in enumerate(zip(p.frames, p.overlays)):
            framed = frames is not None and first + i not in frame_skip
            outside[frame] = forms[first + i] if framed else empty
            outside[total] = overlay_form if framed else empty
        for slot in p.links:
            outside[slot] = book.new()
            link_slots.append(outside[slot])
        numbers = book.place(p, outside)
        page_refs += [numbers[n] for n in p.roots]
        for name, i, x, y in p.dests:
            dests.setdefault(name, (first + i, x, y))
        for name, i in piece.anchors.items():
            anchors.setdefault(name, first + i)

    num = pydyf._to_bytes
    for slot, link in zip(link_slots, (link for piece in pieces for link in piece.links)):
        if link.anchor not in anchors:
            continue        # left null: nothing to go to
        page, x, y = dests.get(link.anchor, (anchors[link.anchor], None, None))
        target = (b"/XYZ %s %s 0" % (num(x), num(y))) if x is not None else b"/Fit"
        book.put(slot, b"<</Type /Annot/Subtype /Link/Rect [%s]/BS <</W 0>>/Dest [%d 0 R %s]>>"
                 % (b" ".join(num(v) for v in link.rect), page_refs[page], target))

    book.put(tree, b"<</Type /Pages/Kids [%s]/Count %d>>"
             % (b" ".join(b"%d 0 R" % r for r in page_refs), len(page_refs)))
    entries = b"<</Type /Catalog/Pages %d 0 R/Lang %s" % (tree, pydyf.String(meta.language).data)
    if dests:
        entries += b"/Names <</Dests <</Names [%s]>>>>" % b" ".join(
            pydyf.String(name).data + b" [%d 0 R /XYZ %s %s 0]" % (page_refs[page], num(x), num(y))
            for name, (page, x, y) in sorted(dests.items()))
    if outline:
        root = book.new()
        first_last, count = _put_outline(book, root, _outline_tree(outline), page_refs)
        book.put(root, b"<</Type /Outlines%s/Count %d>>" % (first_last, count))
        entries += b"/Outlines %d 0 R" % root
    book.put(catalog, entries + b">>")
    return book.write(catalog, info, _identifier(meta.key))


def _outline_tree(outline) -> list[tuple[str, int, list]]:
    """(title, page, children) for the top level; a level-2 entry goes under
    the last level-1 entry (to the top when there is none)."""
    top: list[tuple[str, int, list]] = []
    for title, page, *level in outline:
        item = (title, page, [])
        if (level[0] if level else 1) >= 2 and top:
            top[-1][2].append(item)
        else:
            top.append(item)
    return top


def _put_outline(book: "_Booklet", parent: int, items: list, page_refs: list[int]) -> tuple[bytes, int]:
    """Write `items` as the outline children of object `parent`: the parent's
    /First and /Last entries, and how many entries are open below it (all)."""
    import pydyf

    numbers = [book.new() for _ in items]
    count = 0
    for k, ((title, page, children), n) in enumerate(zip(items, numbers)):
        below = b""
        count += 1
        if children:
            below, open_below = _put_outline(book, n, children, page_refs)
            below += b"/Count %d" % open_below
            count += open_below
        book.put(n, b"<</Title %s/Parent %d 0 R/Dest [%d 0 R /Fit]%s%s%s>>" % (
            pydyf.String(title).data, parent, page_refs[page], below,
            b"/Prev %d 0 R" % numbers[k - 1] if k else b"",
            b"/Next %d 0 R" % numbers[k + 1] if k + 1 < len(numbers) else b""))
    return b"/First %d 0 R/Last %d 0 R" % (numbers[0], numbers[-1]), count


def _merge_fonts(every: list[Parts], book: _Booklet) -> list[dict[int, int]]:
    """One subset per font for all `every`: written to `book`; per parts,
    the number of each merged Type0 font -> the booklet's.

    WeasyPrint subsets with HarfBuzz keeping the original glyph ids, so all
    pieces' content streams refer to the same ids: one subset made from the
    union of their glyphs serves them all. The original font file is found
    with fontconfig and checked against an embedded subset (same name-table
    identity) before it is used; when anything does not match, the pieces
    keep their own subsets. Without HarfBuzz-Subset the merged subsets are
    made with fontTools (a few seconds per CJK font, once per booklet).
    """
    import pydyf

    maps: list[dict[int, int]] = [{} for _ in every]
    subset_font = _hb_subset if _harfbuzz() is not None else _fonttools_subset
    groups: dict[bytes, list[tuple[int, FontUse]]] = {}
    for i, parts in enumerate(every):
        for use in parts.fonts:
            groups.setdefault(use.base, []).append((i, use))
    for base, uses in sorted(groups.items()):
        first = uses[0][1]
        if len(uses) < 2 or any(u.key != first.key for _, u in uses):
            continue
        widths: dict[int, object] = {}
        unicode: dict[int, bytes] = {}
        for _, use in uses:
            widths.update(use.widths)
            unicode.update(use.unicode)
        subset = every[uses[0][0]].objects[first.subset][1]
        original = _find_original(first.family, first.bold, first.italic,
                                  zlib.decompress(subset) if first.deflated else subset)
        program = original and subset_font(original[0], original[1], set(widths) | set(unicode) | {0},
                                           notdef_outline=False)
        if not program:
            continue
        font, cid, descriptor, file, tounicode = (book.new() for _ in range(5))
        packed = zlib.compress(program, 6)
        book.put(file, first.program[:-2] + b"/Filter /FlateDecode/Length %d%s>>" % (
            len(packed), b"/Length1 %d" % len(program) if first.key == "FontFile2" else b""), packed)
        book.put(descriptor, first.descriptor[:-2] + b"/%s %d 0 R>>" % (first.key.encode(), file))
        runs: list[list] = []           # consecutive glyph ids: [first id, width, width, ...]
        for g in sorted(widths):
            if runs and g - 1 in widths:
                runs[-1].append(widths[g])
            else:
                runs.append([g, widths[g]])
        w = b" ".join(b"%d [%s]" % (r[0], b" ".join(pydyf._to_bytes(x) for x in r[1:])) for r in runs)
        book.put(cid, first.cid[:-2] + b"/W [%s]/FontDescriptor %d 0 R>>" % (w, descriptor))
        cmap = zlib.compress(_cmap(unicode), 6)
        book.put(tounicode, b"<</Filter /FlateDecode/Length %d>>" % len(cmap), cmap)
        book.put(font, b"<</Type /Font/Subtype /Type0/BaseFont %s/Encoding /Identity-H"
                       b"/DescendantFonts [%d 0 R]/ToUnicode %d 0 R>>" % (base, cid, tounicode))
        for i, use in uses:
            maps[i][use.number] = font
    return maps
