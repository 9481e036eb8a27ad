"""PDF with WeasyPrint: a contained fetcher, deterministic bytes, frames, booklet assembly.

Why the booklet is assembled from PDF pieces rather than from WeasyPrint
`Page` objects: a laid-out `Document` holds Pango/HarfBuzz handles (cffi
pointers) and does not pickle, so pages cannot travel from the render
workers to the parent. Each worker therefore lays out one piece (front
matter, one account plan, the appendix) ONCE, writes it to PDF bytes once,
and those bytes serve both `accounts/<slug>.pdf` and `booklet.pdf`. The
running header and "page X of Y" are not in the pieces (their numbers are
unknown while a piece is laid out); they come from a cheap frame document
(templates/frame.html: empty pages with the same @page size and margins)
whose pages are stamped on the content pages as form XObjects.

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
    pdf: bytes                      # without frames
    pages: int
    anchors: dict[str, int]         # anchor -> page index within the piece
    bookmarks: tuple[tuple[int, str, int, str | None], ...]   # (level, label, page index, anchor)
    links: tuple[PieceLink, ...]


def layout_and_write(html: str, base_url: str, fetcher, *, when: datetime, key: str,
                     times: dict[str, float] | None = None) -> Piece:
    """Lay out an HTML document once and write its PDF bytes once.

    `times` accumulates CPU seconds of WeasyPrint's layout and writing (the
    benchmark's "WeasyPrint share").
    """
    from weasyprint import HTML

    times = {} if times is None else times
    t0 = time.process_time()
    doc = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    times["layout"] = times.get("layout", 0.0) + time.process_time() - t0
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
    bookmarks = tuple(bookmarks)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc.metadata.created = stamp
    doc.metadata.modified = stamp
    t0 = time.process_time()
    pdf = doc.write_pdf(pdf_identifier=_identifier(key))
    times["write"] = times.get("write", 0.0) + time.process_time() - t0
    return Piece(pdf, len(doc.pages), anchors, bookmarks, tuple(links))


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


def _stamp(writer, page, xobject_ref) -> None:
    """Draw the frame over the page, the page's own graphics state isolated."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\nq " + FRAME_XOBJECT.encode() + b" Do Q\n")
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


def _finish(writer, meta: Meta) -> bytes:
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    stamp = meta.when.strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({
        "/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
        "/Creator": "kamreport", "/Producer": "kamreport (WeasyPrint, pypdf)",
        "/CreationDate": stamp, "/ModDate": stamp,
    })
    writer._root_object[NameObject("/Lang")] = TextStringObject(meta.language)
    ident = ByteStringObject(_identifier(meta.key))
    writer._ID = ArrayObject([ident, ident])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assemble(pieces: list[Piece], frame_pdf: bytes | list | None, meta: Meta, *,
             outline: list[tuple[str, int]] = (), frame_skip: frozenset[int] = frozenset()) -> bytes:
    """Concatenate pieces, stamp frame page i on page i, restore cross-piece links.

    `frame_pdf` (one PDF, or consecutive PDF chunks or pypdf pages) must have exactly as many
    pages as the pieces together; page
    indexes in `frame_skip` get no frame (the cover). `outline` is
    (title, 0-based page) for the PDF bookmarks.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link

    writer = PdfWriter()
    offsets, anchors = [], {}
    for piece in pieces:
        offsets.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(piece.pdf)), import_outline=False)
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
        for i, page in enumerate(writer.pages):
            if i not in frame_skip:
                _stamp(writer, page, _frame_xobject(writer, frame_pages[i]))
    for piece, offset in zip(pieces, offsets):
        for link in piece.links:
            if link.anchor in anchors:
                writer.add_annotation(offset + link.page, Link(
                    rect=link.rect, target_page_index=anchors[link.anchor]))
    for title, page in outline:
        writer.add_outline_item(title=title, page_number=page)
    return _finish(writer, meta)


def stamp_piece(piece: Piece, frame_pdf: bytes | list | None, meta: Meta) -> bytes:
    """A standalone PDF (an account plan): the piece with its own frame."""
    return assemble([piece], frame_pdf, meta,
                    outline=[(label, i) for level, label, i, _a in piece.bookmarks if level == 1][:50])


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename (SPEC §6).

    The final path holds the old file or the new one, never half of either.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
