"""The booklet plan (SPEC §6 "Booklet"): its pieces in order, their page
counts, the contents with page numbers, and the frames.

booklet.pdf is: the head (cover and contents), the body (the rest of the
front matter), one section per key account (the pages of its account
plan) and the appendix. Each is a piece laid out once in a render worker;
only the head depends on the page numbers, so it is laid out last, once
every page count is known (pipeline._settle_head). A front matter template
without separate cover and contents blocks is laid out whole, as the head,
with no body.

The running header and "page X" of every page come from frame documents
of FRAME_CHUNK pages each, laid out as soon as their page numbers are
known; "of N pages" is one overlay page drawn on every framed page, laid
out when N is known. Page 1 (the cover) has no frame.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

from ..pdf.pieces import Parts, Piece
from ..report.sanitize import strip_bidi

FRAME_CHUNK = 40          # booklet frame pages per frame document
PLACEHOLDER_PAGE = 888    # the trial contents' page numbers: as wide as any real one


@dataclass(frozen=True)
class Account:
    """A key account's section of the booklet."""
    customer_id: str
    name: str
    anchor: str


@dataclass(frozen=True)
class Entry:
    """One line of the contents page, and one PDF bookmark."""
    title: str
    anchor: str | None
    page: int | None              # 1-based booklet page; None in an HTML-only build
    level: int                    # 1: a section of the front matter or appendix; 2: a key account


@dataclass(frozen=True)
class Booklet:
    """booklet.pdf, ready to be assembled (pdf/booklet.assemble)."""
    head: Piece                   # cover and contents (the whole front matter without a body)
    body: Piece | None            # the rest of the front matter
    accounts: tuple[Piece, ...]   # one per key account, in contents order
    appendix: Piece
    contents: tuple[Entry, ...]
    frames: tuple[Parts, ...]     # FRAME_CHUNK pages each, consecutive, as many pages as the booklet
    overlay: Parts                # "of N pages", one page drawn on every framed page

    def pieces(self) -> list[Piece]:
        return [self.head, *([self.body] if self.body is not None else []), *self.accounts, self.appendix]


def context_entries(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The contents as the front matter template reads them (`toc`)."""
    return [asdict(e) for e in entries]


def top_entries(piece: Piece, first_page: int) -> list[Entry]:
    """Contents entries for a piece's top-level headings (h1 bookmarks), the
    contents' own heading left out; `first_page`: the booklet page number of
    the piece's first page."""
    top = min((b[0] for b in piece.bookmarks), default=1)
    return [Entry(label, anchor, first_page + i, 1)
            for level, label, i, anchor in piece.bookmarks if level == top and anchor != "contents"]


def contents(head_pages: int, body: Piece | None, accounts: Sequence[tuple[Account, int]],
             appendix: Piece | None) -> tuple[Entry, ...]:
    """The contents with booklet page numbers, in booklet order: the body's
    sections, each key account (with its page count), the appendix's."""
    page = head_pages + 1
    out: list[Entry] = []
    if body is not None:
        out += top_entries(body, page)
        page += body.pages
    for account, pages in accounts:
        out.append(Entry(account.name, account.anchor, page, 2))
        page += pages
    if appendix is not None:
        out += top_entries(appendix, page)
    return tuple(out)


def trial_contents(body: Piece, accounts: Sequence[Account], appendix: Piece) -> tuple[Entry, ...]:
    """Every entry of the final contents, with placeholder page numbers: laid
    out, its length is (almost always) the final head's, known long before
    the last account plan is."""
    return tuple(Entry(e.title, e.anchor, PLACEHOLDER_PAGE, e.level)
                 for e in contents(0, body, [(a, 0) for a in accounts], appendix))


def head_guess(entries: int) -> int:
    """Pages of cover + contents before they are laid out: a first guess."""
    return 1 + max(1, -(-entries // 30))


def rights(front_pages: int, account_pages: Sequence[int], appendix_pages: int, period: str) -> list[str | None]:
    """The top-right header of every booklet page: the period on the front
    matter and the appendix, none on an account's pages (its piece draws its
    own name there)."""
    return [period] * front_pages + [None] * sum(account_pages) + [period] * appendix_pages


def chunks(pages: int) -> int:
    """Frame documents for a booklet of `pages` pages."""
    return -(-pages // FRAME_CHUNK)


def chunk_pages(k: int, page_rights: Sequence[str | None]) -> list[dict[str, Any]]:
    """Frame chunk k (pages k*FRAME_CHUNK+1 …) as templates/frame.html reads
    it: header and "page X", no total; the cover blank. Fixed chunks, so the
    bytes never depend on when a chunk was laid out."""
    first = k * FRAME_CHUNK + 1
    return [{"number": n, "total": None, "right": page_rights[n - 1], "blank": n == 1}
            for n in range(first, min(first + FRAME_CHUNK, len(page_rights) + 1))]


def overlay_pages(total: int) -> list[dict[str, Any]]:
    """The one overlay page: "of N pages", drawn on every framed page."""
    return [{"number": None, "total": total, "right": None, "blank": False}]


def outline(entries: Sequence[Entry], group: str) -> list[tuple[str, int, int]]:
    """The PDF bookmarks (title, 0-based page, level): the contents' entries,
    each run of level-2 entries (the key accounts) under a level-1 `group`
    entry on the run's first page, as the contents page groups them."""
    out: list[tuple[str, int, int]] = []
    for e in entries:
        if e.level == 2 and (not out or out[-1][2] != 2):
            out.append((group, e.page - 1, 1))
        out.append((strip_bidi(e.title), e.page - 1, e.level))
    return out
