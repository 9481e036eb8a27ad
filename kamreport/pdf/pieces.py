"""One piece of PDF: laid out once by WeasyPrint, written once, handed over as parts.

Why the booklet is assembled from pieces rather than from WeasyPrint
`Page` objects: a laid-out `Document` holds Pango/HarfBuzz handles (cffi
pointers) and does not pickle, so pages cannot travel from the render
workers to the parent. Each worker therefore lays out one piece (front
matter, one account plan, the appendix) ONCE and hands over its PDF
objects, serialized with their references split out (`Parts`), which the
parent writes into booklet.pdf under new numbers without parsing any PDF
(booklet.assemble); an account plan's same PDF objects are also written as
`accounts/<slug>.pdf` (`layout_and_write_framed`). The running header and
"page X of Y" are not in the pieces' own pages (their numbers are unknown
while a piece is laid out); they come from a cheap frame document
(templates/frame.html: empty pages with the same @page size and margins)
whose pages are drawn over the content pages as form XObjects.

This is the one module that reads WeasyPrint's laid-out pages and the
pydyf objects it generates (internals.py lists what of them it uses);
booklet.py writes bytes only, with `pdf_string` and `pdf_number` from here.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import time
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Sequence

from . import fonts, internals

# CSS px -> PDF points (WeasyPrint writes at zoom 1: 96 px = 72 pt).
PX_TO_PT = 0.75
FRAME_XOBJECT = "/KRframe"
OVERLAY_XOBJECT = "/KRtotal"


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


def file_identifier(key: str) -> bytes:
    """A PDF file identifier seeded by a key (never by the bytes or the clock)."""
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
    path: str | None = None         # a file holding the pickled parts (build/jobs.Job.spool)

    def load(self) -> "Parts":
        if self.path:
            return pickle.loads(Path(self.path).read_bytes())
        return self.parts


# --------------------------------------------------------------------------
# Stylesheets: passed to WeasyPrint as stylesheets, parsed once per process

# Rules whose effect lives outside the stylesheet object (the document's
# font configuration, counter styles, cascade layers, imported sheets): a
# document with any gets a font configuration of its own, and its
# stylesheets are parsed for it alone.
_DOCUMENT_WIDE = ("@font-face", "@counter-style", "@layer", "@import")
_SHARED_CSS_MIN = 1_000        # smaller sheets (an account's header) are parsed each time
_CSS: dict[tuple, object] = {}


def _shares_font_config(html: str, stylesheets: Sequence[str]) -> bool:
    """Whether a document may be laid out with the process's one
    FontConfiguration: nothing in its stylesheets, nor in <style> blocks of
    its own (a --templates template's), acts document-wide. A document that
    links a stylesheet gets its own: the sheet is not read here."""
    lower = html.lower()
    if "<link" in lower:
        return False
    texts = [*stylesheets, *([lower] if "<style" in lower else [])]
    return not any(rule in text.lower() for text in texts for rule in _DOCUMENT_WIDE)


def _parsed(stylesheets: Sequence[str], base_url: str, fetcher, font_config) -> list:
    """WeasyPrint CSS objects for `stylesheets`; with the shared font
    configuration the large ones (the templates' CSS, the same in every
    document of a build) come from this process's cache.

    WeasyPrint would parse a document's <style> blocks again for every
    document: ~60 ms for style.css, about 7 s of CPU over a 100-account
    build. Passed as `stylesheets=`, they count as the user origin instead
    of the author's; for our CSS the cascade is the same: the only author
    styles are the templates' few `style` attributes, which win over both
    origins' normal declarations, and none of them is !important (a test
    compares the bytes with the same CSS in <style> blocks).
    """
    from weasyprint import CSS

    if font_config is not shared_font_config():
        return [CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=font_config)
                for text in stylesheets]
    out = []
    for text in stylesheets:
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
    with those (or a linked stylesheet) get their own (_shares_font_config).
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


def layout(html: str, base_url: str, fetcher, times: dict[str, float] | None = None,
           stylesheets: Sequence[str] = ()):
    """Lay out an HTML document with `stylesheets` (CSS texts, in cascade
    order): a WeasyPrint `Document`.

    `times` accumulates CPU seconds of WeasyPrint's layout and writing (the
    benchmark's "WeasyPrint share").
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    internals.require_tested_internals()
    fonts.use_one_pass_subsets()
    times = {} if times is None else times
    t0 = time.process_time()
    font_config = shared_font_config() if _shares_font_config(html, stylesheets) else FontConfiguration()
    doc = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=_parsed(stylesheets, base_url, fetcher, font_config), font_config=font_config)
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
                     times: dict[str, float] | None = None, forms: bool = False,
                     stylesheets: Sequence[str] = ()) -> Piece:
    """Lay out an HTML document once; its PDF objects as booklet parts
    (`forms`: every page as a form XObject, for frames)."""
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times, stylesheets)
    anchors, bookmarks, links = _anchors_bookmarks_links(doc)
    parts = _timed_parts(_generate(doc, when, times), len(doc.pages), links, times, forms=forms)
    return Piece(parts, len(doc.pages), anchors, bookmarks, links)


def layout_and_write_framed(html: str, base_url: str, fetcher, *, when: datetime, frame,
                            meta: "Meta", times: dict[str, float] | None = None,
                            stylesheets: Sequence[str] = ()) -> tuple[Piece, bytes]:
    """A piece and its standalone PDF with a frame (an account plan).

    `frame(pages)` gives a laid-out frame document with that many pages
    (build/jobs.account_frame). Its pages are generated in the same PDF as the
    content pages, after them, so they share the content's font subsets
    (WeasyPrint keys fonts by their description, not by document). The
    booklet's parts take the content pages; then the same PDF objects are
    written as the standalone PDF, each frame page turned into a form
    XObject drawn over its content page. No PDF is parsed.
    """
    times = {} if times is None else times
    doc = layout(html, base_url, fetcher, times, stylesheets)
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
    pdf.write(out, None, file_identifier(meta.key), True)
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
    widths: dict[int, bytes]        # glyph id -> its width, serialized
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
        widths = {g: pydyf._to_bytes(width) for g, width in _widths(cid.get("W", [])).items()}
        return FontUse(n, base, widths, unicode, *parts[:2], key, parts[2],
                       program.number, program.compress or program.extra.get("Filter") == "/FlateDecode",
                       family.string if isinstance(family, pydyf.String) else "",
                       base.endswith(b"-Bold") or b"-Bold-" in base,
                       float(descriptor.get("ItalicAngle", 0)) != 0)
    except (KeyError, TypeError, ValueError, IndexError, StopIteration, zlib.error):
        return None


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


def info_bytes(meta: Meta) -> bytes:
    """The document information dictionary of a PDF kamreport writes, serialized."""
    return _info(meta).data


def pdf_string(text: str) -> bytes:
    """`text` as a PDF string, written as pydyf writes one."""
    import pydyf
    return pydyf.String(text).data


def pdf_number(value) -> bytes:
    """A number as pydyf writes it (a float as it writes floats)."""
    import pydyf
    return pydyf._to_bytes(value)

