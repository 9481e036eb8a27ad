"""PDF with WeasyPrint: a contained fetcher, deterministic bytes, frames, booklet assembly.

Why the booklet is assembled from PDF pieces rather than from WeasyPrint
`Page` objects: a laid-out `Document` holds Pango/HarfBuzz handles (cffi
pointers) and does not pickle, so pages cannot travel from the render
workers to the parent. Each worker therefore lays out one piece (front
matter, one account plan, the appendix) ONCE and writes it to PDF bytes,
which the booklet takes its pages from; an account plan's same PDF objects
are written a second time as `accounts/<slug>.pdf`. The running header and
"page X of Y" are not in the pieces' own pages (their numbers are unknown
while a piece is laid out); they come from a cheap frame document
(templates/frame.html: empty pages with the same @page size and margins)
whose pages are drawn over the content pages as form XObjects.

WeasyPrint subsets fonts with HarfBuzz keeping the original glyph ids
(HB_SUBSET_FLAGS_RETAIN_GIDS), so every piece refers to the same glyph ids;
pieces still carry their own subset of each font.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import time
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
            self.captured.subset_fallback = True
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
    if current is None or harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
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
    pdf: bytes                      # no frame drawn; b"" when the bytes are in `path`
    pages: int                      # its content pages, the first ones (an account plan's
                                    # frame pages follow them: layout_and_write_framed)
    anchors: dict[str, int]         # anchor -> page index within the piece
    bookmarks: tuple[tuple[int, str, int, str | None], ...]   # (level, label, page index, anchor)
    links: tuple[PieceLink, ...]
    path: str | None = None         # a file holding the bytes (render.Job.spool)

    def data(self) -> bytes:
        return Path(self.path).read_bytes() if self.path else self.pdf


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


def layout(html: str, base_url: str, fetcher, times: dict[str, float] | None = None):
    """Lay out an HTML document: a WeasyPrint `Document`.

    `times` accumulates CPU seconds of WeasyPrint's layout and writing (the
    benchmark's "WeasyPrint share").
    """
    from weasyprint import HTML

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
    import zlib

    import pydyf
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            packer = zlib.compressobj(level=9)
            raw = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)
            obj.stream = [packer.compress(raw) + packer.flush()]
            obj.compress = False
            obj.extra["Filter"] = "/FlateDecode"


def _write(doc, key: str, when: datetime, times: dict[str, float], keep: list | None = None) -> bytes:
    """PDF bytes of a laid-out document; `keep` receives the pydyf PDF and
    its object count before the write (which adds a few)."""
    def finish(_document, pdf) -> None:
        _freeze_streams(pdf)
        if keep is not None:
            keep.append((pdf, len(pdf.objects)))

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.metadata.created = stamp
    doc.metadata.modified = stamp
    t0 = time.process_time()
    data = doc.write_pdf(pdf_identifier=_identifier(key), finisher=finish)
    times["write"] = times.get("write", 0.0) + time.process_time() - t0
    return data


def layout_and_write(html: str, base_url: str, fetcher, *, when: datetime, key: str,
                     times: dict[str, float] | None = None) -> Piece:
    """Lay out an HTML document once and write its PDF bytes once."""
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times)
    anchors, bookmarks, links = _anchors_bookmarks_links(doc)
    return Piece(_write(doc, key, when, times), len(doc.pages), anchors, bookmarks, links)


def layout_and_write_framed(html: str, base_url: str, fetcher, *, when: datetime, key: str, frame,
                            meta: "Meta", times: dict[str, float] | None = None) -> tuple[Piece, bytes]:
    """A piece and its standalone PDF with a frame (an account plan).

    `frame(pages)` gives a laid-out frame document with that many pages
    (render.account_frame). Its pages are written in the same PDF as the
    content pages, after them, so they share the content's font subsets
    (WeasyPrint keys fonts by their description, not by document). Those
    bytes are the piece: the booklet takes its first `pages` pages. Then
    the same PDF objects, written again, become the standalone PDF: each
    frame page turned into a form XObject drawn over its content page
    (streams are compressed once, _freeze_streams). No PDF is parsed.
    """
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times)
    anchors, bookmarks, links = _anchors_bookmarks_links(doc)
    pages = len(doc.pages)
    frame_doc = frame(pages)
    if len(frame_doc.pages) != pages:
        raise ValueError(f"frame has {len(frame_doc.pages)} pages, content {pages}")
    kept: list = []
    data = _write(doc.copy(doc.pages + frame_doc.pages), key, when, times, kept)
    t0 = time.process_time()
    framed = _framed(*kept[0], pages, meta)
    times["stamp"] = times.get("stamp", 0.0) + time.process_time() - t0
    return Piece(data, pages, anchors, bookmarks, links), framed


def _framed(pdf, count: int, pages: int, meta: "Meta") -> bytes:
    """Write a pydyf PDF (already written once: content pages, then as many
    frame pages; `count` objects before that write) again with every frame
    page drawn over its content page."""
    import pydyf

    del pdf.objects[count:]         # what the first write added: info, object and xref streams
    pdf.current_position = 0
    numbers = pdf.pages["Kids"][::3]
    obj = lambda ref: pdf.objects[int(ref.split()[0])]  # noqa: E731 - pydyf references are b"12 0 R"
    begin = pydyf.Stream([b"q"])
    pdf.add_object(begin)
    for i, (content, frame) in enumerate(zip(numbers[:pages], numbers[pages:])):
        page, frame_page = pdf.objects[content], pdf.objects[frame]
        form = obj(frame_page["Contents"])
        form.extra.update({"Type": "/XObject", "Subtype": "/Form",
                           "BBox": pydyf.Array(frame_page["MediaBox"]),
                           "Resources": frame_page["Resources"]})
        # The page's own drawing isolated in q … Q, then its frame (the
        # pages share one /Resources dictionary: one name per frame).
        name = f"{FRAME_XOBJECT[1:]}{i + 1}"
        obj(page["Resources"])["XObject"][name] = form.reference
        end = pydyf.Stream([b"Q", f"q /{name} Do Q".encode()])
        pdf.add_object(end)
        page["Contents"] = pydyf.Array([begin.reference, page["Contents"], end.reference])
        frame_page.clear()          # no longer a page: an empty dictionary nobody refers to
    pdf.pages["Kids"] = pydyf.Array(pdf.pages["Kids"][:3 * pages])
    pdf.pages["Count"] = pages
    pdf.info.clear()
    pdf.info.update({k: pydyf.String(v) for k, v in _info(meta, "kamreport (WeasyPrint)").items()})
    pdf.catalog["Lang"] = pydyf.String(meta.language)
    out = io.BytesIO()
    pdf.write(out, None, _identifier(meta.key), True)
    return out.getvalue()


# --------------------------------------------------------------------------
# Frames and assembly (pypdf)


def _frame_xobject(writer, frame_page):
    """The frame page as a form XObject owned by `writer`."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = DecodedStreamObject()
    contents = frame_page.get_contents()
    form.set_data(contents.get_data() if contents is not None else b"")
    box = frame_page.mediabox
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in
                                          (box.left, box.bottom, box.right, box.top)]),
        NameObject("/Resources"): frame_page["/Resources"].clone(writer),
    })
    return writer._add_object(form.flate_encode())


def _stamp(writer, page, xobject_ref, extra_ref=None) -> None:
    """Draw the frame (and the shared overlay) over the page, the page's own
    graphics state isolated."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\nq " + FRAME_XOBJECT.encode() + b" Do Q\n"
                   + (b"q " + OVERLAY_XOBJECT.encode() + b" Do Q\n" if extra_ref is not None else b""))
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    parts = list(contents) if isinstance(contents, ArrayObject) else (
        [page.raw_get("/Contents")] if contents is not None else [])
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *parts, writer._add_object(after)])
    # WeasyPrint shares one /Resources dictionary between the pages of a
    # document: each page gets its own shallow copy, or every page would
    # show the last page's frame.
    resources = page.get("/Resources")
    resources = DictionaryObject(resources.get_object()) if resources is not None else DictionaryObject()
    xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    xobjects[NameObject(FRAME_XOBJECT)] = xobject_ref
    if extra_ref is not None:
        xobjects[NameObject(OVERLAY_XOBJECT)] = extra_ref
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    language: str
    when: datetime
    key: str                        # seeds the file identifier


def _info(meta: Meta, producer: str) -> dict[str, str]:
    """The document information of a PDF kamreport writes (pypdf or pydyf)."""
    stamp = meta.when.strftime("D:%Y%m%d%H%M%SZ")
    return {"Title": meta.title, "Author": meta.author, "Subject": meta.subject, "Creator": "kamreport",
            "Producer": producer, "CreationDate": stamp, "ModDate": stamp}


def _finish(writer, meta: Meta) -> bytes:
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer.add_metadata({"/" + k: v for k, v in _info(meta, "kamreport (WeasyPrint, pypdf)").items()})
    writer._root_object[NameObject("/Lang")] = TextStringObject(meta.language)
    ident = ByteStringObject(_identifier(meta.key))
    writer._ID = ArrayObject([ident, ident])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assemble(pieces: list[Piece], frame_pdf: bytes | list | None, meta: Meta, *,
             outline: list[tuple[str, int]] = (), frame_skip: frozenset[int] = frozenset(),
             share_fonts: bool = False, overlay: bytes | None = None) -> bytes:
    """Concatenate pieces, stamp frame page i on page i, restore cross-piece links.

    `frame_pdf` (one PDF, or consecutive PDF chunks or pypdf pages) must have exactly as many
    pages as the pieces together; page
    indexes in `frame_skip` get no frame (the cover). `outline` is
    (title, 0-based page) for the PDF bookmarks. `share_fonts`: one subset
    per font for the whole document (merge_fonts). `overlay`: a one-page PDF
    drawn on every framed page as well (the booklet's "of N pages", which is
    known last).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link

    writer = PdfWriter()
    offsets, anchors = [], {}
    for piece in pieces:
        offsets.append(len(writer.pages))
        # A piece's first `pages` pages (an account plan's PDF holds its frame's after them).
        writer.append(PdfReader(io.BytesIO(piece.data())), pages=(0, piece.pages), import_outline=False)
        for name, i in piece.anchors.items():
            anchors.setdefault(name, offsets[-1] + i)
    total = len(writer.pages)
    if frame_pdf is not None:
        chunks = [frame_pdf] if isinstance(frame_pdf, bytes) else list(frame_pdf)
        frame_pages = []
        for chunk in chunks:
            if isinstance(chunk, bytes):
                frame_pages += PdfReader(io.BytesIO(chunk)).pages
            else:           # already a pypdf page
                frame_pages.append(chunk)
        if len(frame_pages) != total:
            raise ValueError(f"frame has {len(frame_pages)} pages, content {total}")
        shared = (_frame_xobject(writer, PdfReader(io.BytesIO(overlay)).pages[0])
                  if overlay is not None else None)
        for i, page in enumerate(writer.pages):
            if i not in frame_skip:
                _stamp(writer, page, _frame_xobject(writer, frame_pages[i]), shared)
    for piece, offset in zip(pieces, offsets):
        for link in piece.links:
            if link.anchor in anchors:
                writer.add_annotation(offset + link.page, Link(
                    rect=link.rect, target_page_index=anchors[link.anchor]))
    for title, page in outline:
        writer.add_outline_item(title=title, page_number=page)
    if share_fonts:
        merge_fonts(writer)
    return _finish(writer, meta)


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
_HB = None


def _harfbuzz():
    global _HB
    if _HB is None:
        import cffi
        ffi = cffi.FFI()
        ffi.cdef(_HB_CDEF)
        _HB = (ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0"))
    return _HB


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
    """The font at path/index reduced to `gids`, glyph ids kept (as WeasyPrint does)."""
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


def _identity(font_bytes: bytes | str, index: int = 0) -> tuple | None:
    """Name-table identity of a font: (unique id, version, PostScript name)."""
    from fontTools.ttLib import TTFont
    try:
        src = io.BytesIO(font_bytes) if isinstance(font_bytes, bytes) else font_bytes
        font = TTFont(src, fontNumber=index, lazy=True)
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
        nxt = items[i + 1].get_object() if hasattr(items[i + 1], "get_object") else items[i + 1]
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


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def _to_unicode(stream) -> dict[int, bytes] | None:
    data = stream.get_data()
    if b"beginbfrange" in data:
        return None
    out: dict[int, bytes] = {}
    for block in _BFCHAR.findall(data):
        for gid, uni in _PAIR.findall(block):
            out[int(gid, 16)] = uni
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


def merge_fonts(writer) -> int:
    """Give every subset of the same font in `writer` one shared subset.

    Returns how many font copies were removed.
    """
    from pypdf.generic import (ArrayObject, DecodedStreamObject, NameObject, NullObject,
                               NumberObject)

    def drop(ref) -> None:
        # An object nobody references any more is written as null.
        if hasattr(ref, "idnum") and ref.pdf is writer:
            writer._objects[ref.idnum - 1] = NullObject()

    groups: dict[str, list] = {}
    for obj in writer._objects:
        if (isinstance(obj, dict) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0"
                and obj.get("/Encoding") == "/Identity-H"):
            groups.setdefault(str(obj["/BaseFont"]), []).append(obj)
    removed = 0
    for base, fonts in sorted(groups.items()):
        if len(fonts) < 2:
            continue
        try:
            cids = [f["/DescendantFonts"][0].get_object() for f in fonts]
            descriptors = [c["/FontDescriptor"].get_object() for c in cids]
            key = next(k for k in ("/FontFile3", "/FontFile2") if k in descriptors[0])
            if any(key not in d for d in descriptors) or any(c.get("/CIDToGIDMap", "/Identity") != "/Identity"
                                                              for c in cids):
                continue
            widths: dict[int, object] = {}
            unicode: dict[int, bytes] = {}
            for f, c in zip(fonts, cids):
                widths.update(_widths(c.get("/W", [])))
                tu = _to_unicode(f["/ToUnicode"].get_object()) if "/ToUnicode" in f else {}
                if tu is None:
                    raise ValueError("bfrange")
                unicode.update(tu)
            first = descriptors[0]
            subset = first[key].get_object().get_data()
            family = str(first.get("/FontFamily", ""))
            original = _find_original(family, base.endswith("-Bold") or "-Bold-" in base,
                                      int(first.get("/ItalicAngle", 0)) != 0, subset)
            if original is None:
                continue
            gids = set(widths) | set(unicode) | {0}
            data = _hb_subset(original[0], original[1], gids, notdef_outline=False)
            if data is None:
                continue
        except (KeyError, ValueError, TypeError, IndexError, StopIteration):
            continue
        program = DecodedStreamObject()
        program.set_data(data)
        for k, v in first[key].get_object().items():
            if k not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
                program[NameObject(k)] = v
        if key == "/FontFile2":
            program[NameObject("/Length1")] = NumberObject(len(data))
        drop(first.raw_get(key))
        first[NameObject(key)] = writer._add_object(program.flate_encode())
        w = ArrayObject()
        for g in sorted(widths):
            w += [NumberObject(g), ArrayObject([widths[g]])]
        cids[0][NameObject("/W")] = w
        cmap = DecodedStreamObject()
        cmap.set_data(_cmap(unicode))
        if "/ToUnicode" in fonts[0]:
            drop(fonts[0].raw_get("/ToUnicode"))
        fonts[0][NameObject("/ToUnicode")] = writer._add_object(cmap.flate_encode())
        for f, c, d in zip(fonts[1:], cids[1:], descriptors[1:]):
            drop(d.raw_get(key))
            drop(c.raw_get("/FontDescriptor"))
            drop(f["/DescendantFonts"][0])
            if "/ToUnicode" in f:
                drop(f.raw_get("/ToUnicode"))
            f[NameObject("/DescendantFonts")] = fonts[0]["/DescendantFonts"]
            f[NameObject("/ToUnicode")] = fonts[0].raw_get("/ToUnicode")
            removed += 1
    return removed
