"""The booklet (and a manager's pack) written from pieces: pages in order,
frames and the overlay drawn over them, links, named destinations, the
outline, one font subset per font.

kamreport writes this file itself, not a PDF library: the pieces' objects
arrive serialized with their references split out (pieces.Parts), and are
concatenated under new numbers; no PDF is parsed (0.4 s of CPU for 442
pages where pypdf's parse and clone took 4 s). Only bytes are handled
here: the pydyf objects stay in pieces.py.
"""
from __future__ import annotations

from . import fonts
from .pieces import Meta, Parts, Piece, file_identifier, info_bytes, pdf_number, pdf_string


class Writer:
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
    (fonts.merge_fonts). `overlay`: a one-page frame document drawn on every
    framed page as well (the booklet's "of N pages", which is known last).
    Links into other pieces go to their anchors; the pieces' named
    destinations become the booklet's (the first piece's, if two share a
    name).
    """
    parts = [p.load() for p in pieces]
    extra = list(frames or ()) + ([overlay] if overlay is not None else [])
    total = sum(len(p.roots) for p in parts)
    if frames is not None and sum(len(f.roots) for f in frames) != total:
        raise ValueError(f"frame has {sum(len(f.roots) for f in frames)} pages, content {total}")
    book = Writer()
    catalog, tree, info, empty = (book.new() for _ in range(4))
    book.put(info, info_bytes(meta))
    # What a page draws where no frame (or overlay) is: an empty form.
    book.put(empty, b"<</Type /XObject/Subtype /Form/BBox [0 0 0 0]/Length 0>>", b"")
    fontmaps = fonts.merge_fonts(parts + extra, book) if share_fonts else [{} for _ in parts + extra]

    forms = []
    for f, fontmap in zip(extra, fontmaps[len(parts):]):
        numbers = book.place(f, fontmap)
        forms += [numbers[n] for n in f.roots]
    overlay_form = forms.pop() if overlay is not None else empty

    page_refs, dests, anchors, link_slots = [], {}, {}, []
    for piece, p, fontmap in zip(pieces, parts, fontmaps):
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

    num = pdf_number
    for slot, link in zip(link_slots, (link for piece in pieces for link in piece.links)):
        if link.anchor not in anchors:
            continue        # left null: nothing to go to
        page, x, y = dests.get(link.anchor, (anchors[link.anchor], None, None))
        target = (b"/XYZ %s %s 0" % (num(x), num(y))) if x is not None else b"/Fit"
        book.put(slot, b"<</Type /Annot/Subtype /Link/Rect [%s]/BS <</W 0>>/Dest [%d 0 R %s]>>"
                 % (b" ".join(num(v) for v in link.rect), page_refs[page], target))

    book.put(tree, b"<</Type /Pages/Kids [%s]/Count %d>>"
             % (b" ".join(b"%d 0 R" % r for r in page_refs), len(page_refs)))
    entries = b"<</Type /Catalog/Pages %d 0 R/Lang %s" % (tree, pdf_string(meta.language))
    if dests:
        entries += b"/Names <</Dests <</Names [%s]>>>>" % b" ".join(
            pdf_string(name) + b" [%d 0 R /XYZ %s %s 0]" % (page_refs[page], num(x), num(y))
            for name, (page, x, y) in sorted(dests.items()))
    if outline:
        root = book.new()
        first_last, count = _put_outline(book, root, _outline_tree(outline), page_refs)
        book.put(root, b"<</Type /Outlines%s/Count %d>>" % (first_last, count))
        entries += b"/Outlines %d 0 R" % root
    book.put(catalog, entries + b">>")
    return book.write(catalog, info, file_identifier(meta.key))


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


def _put_outline(book: Writer, parent: int, items: list, page_refs: list[int]) -> tuple[bytes, int]:
    """Write `items` as the outline children of object `parent`: the parent's
    /First and /Last entries, and how many entries are open below it (all)."""
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
            pdf_string(title), parent, page_refs[page], below,
            b"/Prev %d 0 R" % numbers[k - 1] if k else b"",
            b"/Next %d 0 R" % numbers[k + 1] if k + 1 < len(numbers) else b""))
    return b"/First %d 0 R/Last %d 0 R" % (numbers[0], numbers[-1]), count
