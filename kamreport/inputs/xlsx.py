"""Safe low-level access to untrusted .xlsx workbooks (SECURITY.md cases 1–7).

Design: python-calamine reads the cell values, and one streaming pass of our
own over each sheet's XML finds what calamine cannot tell us.

- Values: openpyxl is about 10× slower than calamine on a full
  1,048,575-row sheet (97 s against 10 s), too slow for the speed goal.
  calamine (Rust) parses shared strings, styles, date formats, 1904-based
  dates and inline strings correctly.
- What calamine hides: it returns an error cell (`#DIV/0!`, `t="e"`) and a
  formula without a cached value as "" (its issue #105), the same as a blank,
  and the spec says both are bad values. Our pass over the sheet XML finds
  them with `bytes.find`, which costs little next to the decompression.
- What calamine cannot survive: it allocates the dense rectangle between the
  first and the last cell, so one value at XFD1048576 asks for ~550 GB and
  the process ABORTS (a Rust OOM abort, not an exception). The same pass
  measures the real extent of the valued cells, and a sheet whose rectangle
  is implausibly large is read by a bounded fallback (openpyxl read-only,
  limited to the table's columns) instead.
- Zip bombs: the declared sizes in the zip directory are checked before
  anything is opened, and every part is inflated by our own stream, which
  counts the bytes it really produces and stops at the limit, because a
  forged directory can declare a few KB for a part that inflates to GBs.
- Billion laughs / XXE: a DOCTYPE or ENTITY declaration in any part's
  prolog refuses the file. No xlsx writer emits one; calamine and openpyxl
  (with defusedxml) would reject or ignore them anyway, and refusing
  outright keeps the behaviour the same for every part and every library.

Everything that can go wrong with the file itself raises `BadWorkbook`
with a messages.py code; the reader turns it into one fatal Problem.
"""
from __future__ import annotations

import functools
import io
import os
import queue
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .values import EPOCH_1900, EPOCH_1904, CellError

try:
    # ISA-L inflates a sheet in half zlib's time; the scan of a big sheet
    # waits on the inflating (Book.stream). Same API, its own error type.
    from isal.isal_zlib import decompressobj as _inflater, error as _IsalError
    INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _IsalError)
except ImportError:      # pragma: no cover - isal is a dependency; zlib does the same, slower
    _inflater = zlib.decompressobj
    INFLATE_ERRORS = (zlib.error,)

# Limits. A full 1,048,575-row × 8-column sheet is ~300 MB of XML, so these
# leave room for real workbooks and refuse only the implausible.
MAX_PART_BYTES = 1 << 30            # one part, inflated
MAX_TOTAL_BYTES = 2 << 30           # all parts, inflated
MAX_RATIO = 200                     # inflated / compressed, for parts above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 16 << 20          # small parts (styles, empty sheets) compress very well
MAX_PARTS = 10_000
# Dense cells calamine may allocate for one sheet (≈32 bytes each in Rust):
# 2**25 ≈ 33.5 M, i.e. Excel's full 1,048,576 rows × 32 columns.
MAX_DENSE_CELLS = 1 << 25
CHUNK = 4 << 20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .xls, and encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_OFFICE_DOC = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"


class BadWorkbook(Exception):
    """The file cannot be read as a workbook; `code` is a messages.py key."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class SheetRef:
    name: str            # as shown on the tab
    part: str            # zip member, "xl/worksheets/sheet1.xml"
    index: int           # position in the workbook, 0-based
    hidden: bool = False  # state="hidden" or "veryHidden" in workbook.xml


@dataclass
class SheetScan:
    """What the streaming pass learned about one sheet."""
    bytes: int = 0                        # inflated size of the sheet XML
    max_row: int = 0                      # 1-based, 0 = no rows seen
    max_col: int = 0                      # 1-based, only counted beyond Z (see scan_sheet)
    far_cell: str = ""                    # the cell that set max_col, "XFD1048576"
    needs_exact: bool = False             # the fast pass saw something only _exact_extent can measure
    far_mode: bool = False                # columns beyond SAFE_COLS: measured by _scan_far_piece
    pieces: list[bytes] | None = None     # the sheet XML, kept for find_bad_cells (see read_sheet)
    bad_cells: dict[tuple[int, int], CellError] = field(default_factory=dict)  # (row, col) 1-based
    hidden_rows: list[int] = field(default_factory=list)          # Excel rows with hidden="1"
    maybe_totals: bool = False                                     # an inline string holds a totals word
    unit_styles: dict[bytes, Any] = field(default_factory=dict)   # style index -> headers.Unit (Book)
    unit_cells: dict[tuple[int, int], Any] = field(default_factory=dict)  # (row, col) -> headers.Unit

    @property
    def dense_cells(self) -> int:
        # The fast pass measures only columns beyond Z; assume up to SAFE_COLS.
        return self.max_row * max(self.max_col, 32)


@dataclass
class SheetData:
    """A sheet's cells as a list of rows, and where that rectangle starts."""
    rows: list[list[Any]]                 # "" = empty cell
    first_row: int                        # Excel row number of rows[0]
    first_col: int                        # 1-based column number of rows[i][0]
    merged: list[tuple[int, int, int, int]]   # (row0, col0, row1, col1), 1-based inclusive
    truncated_at_col: int = 0             # > 0: cells right of this column were not read
    shared_empty: list[Any] | None = None  # the one list standing for every empty row (fallback)


def col_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_number(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# ---------------------------------------------------------------------------
# Inflating parts ourselves, with real limits

_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class Book:
    """An opened, checked workbook: its sheets, date system and zip."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip: zipfile.ZipFile
        self.sheets: list[SheetRef] = []
        self.epoch: date = EPOCH_1900
        self.total_bytes = 0
        self.unit_styles: dict[bytes, Any] = {}   # cell style index -> the unit its format shows
        self.maybe_totals = False                 # a totals or footer word is among its strings
        self._calamine: Any = None
        # The parts calamine reads besides the sheets, as checked at open
        # (copy_with); None when they are too big to keep.
        self.parts: dict[str, bytes] | None = {}
        self.parts_bytes = 0
        _open(self)

    # -- streaming ---------------------------------------------------------
    def stream(self, name: str) -> Iterator[bytes]:
        """Inflate one part in chunks, counting real bytes against the limits.

        Also refuses a DOCTYPE/ENTITY before the part's root element.
        """
        info = self.zip.getinfo(name)
        if info.flag_bits & 0x1:
            raise BadWorkbook("encrypted")
        fp = self.zip.fp
        assert fp is not None
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) < 30 or header[:4] != ZIP_MAGIC:
            raise BadWorkbook("corrupt", detail=f"bad local header for {name}")
        n, m = struct.unpack("<HH", header[26:30])
        fp.seek(info.header_offset + 30 + n + m)
        left = info.compress_size
        if info.compress_type == zipfile.ZIP_DEFLATED:
            inflater: Any = _inflater(-15)
        elif info.compress_type == zipfile.ZIP_STORED:
            inflater = None
        else:
            raise BadWorkbook("corrupt", detail=f"unsupported compression in {name}")
        produced = 0
        in_prolog = True
        prolog_tail = b""
        while left > 0 or (inflater is not None and inflater.unconsumed_tail):
            if inflater is not None and inflater.unconsumed_tail:
                raw = inflater.unconsumed_tail
            else:
                raw = fp.read(min(CHUNK, left))
                if not raw:
                    raise BadWorkbook("corrupt", detail=f"{name} is truncated")
                left -= len(raw)
            if inflater is None:
                out = raw
            else:
                try:
                    out = inflater.decompress(raw, CHUNK)
                except INFLATE_ERRORS as e:
                    raise BadWorkbook("corrupt", detail=f"{name}: {e}") from None
            produced += len(out)
            self._check_size(name, produced, info.compress_size)
            if in_prolog and out:
                head = prolog_tail + out
                m_root = _ROOT_START.search(head)
                end = m_root.start() if m_root else len(head)
                if _DTD.search(head, 0, end):
                    raise BadWorkbook("dtd", part=name)
                if m_root:
                    in_prolog = False
                else:
                    prolog_tail = head[-16:]
            if out:
                yield out
            if inflater is not None and inflater.eof:
                break
        if inflater is not None and not inflater.eof and info.compress_size:
            raise BadWorkbook("corrupt", detail=f"{name} is truncated")
        self.total_bytes += produced
        if self.total_bytes > MAX_TOTAL_BYTES:
            raise BadWorkbook("too_large", part=name, size=self.total_bytes, limit=MAX_TOTAL_BYTES)

    def _check_size(self, name: str, produced: int, compressed: int) -> None:
        if produced > MAX_PART_BYTES or self.total_bytes + produced > MAX_TOTAL_BYTES:
            raise BadWorkbook("too_large", part=name, size=produced, limit=MAX_PART_BYTES)
        if produced > RATIO_MIN_BYTES and produced > MAX_RATIO * max(compressed, 1):
            raise BadWorkbook("zip_bomb", part=name, ratio=produced // max(compressed, 1))

    def check_prolog(self, name: str) -> None:
        """Apply the DTD check to a part nobody will read (its first chunk)."""
        gen = self.stream(name)
        try:
            next(gen, None)
        finally:
            gen.close()

    def stream_ahead(self, name: str) -> Iterator[bytes]:
        """`stream`, with the next chunks inflated by a worker thread.

        zlib and file reads release the GIL, so on a multi-core machine the
        inflating overlaps the caller's scanning of the previous chunk (it
        was about a third of scan_sheet's time). Errors, including the
        limits' BadWorkbook, are re-raised in the caller.
        """
        q: queue.Queue = queue.Queue(maxsize=3)
        stop = threading.Event()
        done = object()

        def produce() -> None:
            try:
                for chunk in self.stream(name):
                    while not stop.is_set():
                        try:
                            q.put(chunk, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(done)
            except BaseException as e:       # handed to the consumer, raised there
                q.put(e)

        worker = threading.Thread(target=produce, name=f"kamreport-inflate-{name}", daemon=True)
        worker.start()
        try:
            while True:
                item = q.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            worker.join()

    def read_part(self, name: str) -> bytes:
        return b"".join(self.stream(name))

    # -- values --------------------------------------------------------------
    def calamine(self) -> Any:
        if self._calamine is None:
            from python_calamine import CalamineWorkbook
            try:
                self._calamine = CalamineWorkbook.from_path(self.path)
            except Exception as e:     # calamine raises its own types and ValueError
                raise BadWorkbook("corrupt", detail=_short(e)) from None
        return self._calamine

    def copy_with(self, ref: SheetRef, xml: bytes) -> Callable[[], Any]:
        """An opener of calamine over a copy of this workbook: its parts as
        checked at open, `xml` as the sheet of `ref`, no other sheet, nothing
        compressed.

        On Linux the copy is a memory file (memfd) that calamine opens by
        its path, in the worker thread that parses it. Elsewhere it is
        opened here, from a file object: calamine reads one in many small
        read() calls, each of which would wait in a worker for this thread's
        GIL (it more than doubled the parse)."""
        from python_calamine import CalamineWorkbook
        assert self.parts is not None

        def write(f: Any) -> None:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as out:
                for name, data in self.parts.items():
                    out.writestr(name, data)
                out.writestr(ref.part, xml)
        try:
            fd = os.memfd_create("kamreport-sheet", os.MFD_CLOEXEC)
        except (AttributeError, OSError):
            fd = -1
        if fd >= 0:
            path = f"/proc/self/fd/{fd}"
            if os.path.exists(path):
                with open(fd, "wb", closefd=False) as f:
                    write(f)

                def from_memory_file() -> Any:
                    try:
                        return CalamineWorkbook.from_path(path)
                    finally:
                        os.close(fd)
                return from_memory_file
            os.close(fd)
        buf = io.BytesIO()
        write(buf)
        buf.seek(0)
        try:
            wb = CalamineWorkbook.from_filelike(buf)
        except Exception as e:     # calamine raises its own types and ValueError
            raise BadWorkbook("corrupt", detail=_short(e)) from None
        return lambda: wb

    def close(self) -> None:
        try:
            if self._calamine is not None:
                self._calamine.close()
        except Exception:   # closing a half-broken workbook must not mask the real problem
            pass
        self.zip.close()

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def sniff(path: str) -> None:
    """Refuse what is plainly not an .xlsx before touching it as a zip."""
    if not os.path.exists(path):
        raise BadWorkbook("missing")
    if not os.path.isfile(path):
        raise BadWorkbook("not_a_file")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise BadWorkbook("unreadable", detail=e.strerror or str(e)) from None
    if not head:
        raise BadWorkbook("empty")
    if head == OLE_MAGIC:
        # Old .xls files and password-protected .xlsx files are both OLE
        # compound files; the user needs the same advice for either.
        raise BadWorkbook("ole")
    if head[:4] != ZIP_MAGIC:
        raise BadWorkbook("not_zip")


def _open(book: Book) -> None:
    sniff(book.path)
    try:
        book.zip = zipfile.ZipFile(book.path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise BadWorkbook("corrupt", detail=_short(e)) from None
    try:
        _check_directory(book)
        _read_structure(book)
    except BaseException:
        book.zip.close()
        raise


def _check_directory(book: Book) -> None:
    infos = book.zip.infolist()
    if len(infos) > MAX_PARTS:
        raise BadWorkbook("too_large", part=f"{len(infos)} parts", size=len(infos), limit=MAX_PARTS)
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise BadWorkbook("encrypted")
        if info.file_size > MAX_PART_BYTES:
            raise BadWorkbook("too_large", part=info.filename, size=info.file_size, limit=MAX_PART_BYTES)
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BadWorkbook("zip_bomb", part=info.filename,
                              ratio=info.file_size // max(info.compress_size, 1))
        declared += info.file_size
    if declared > MAX_TOTAL_BYTES:
        raise BadWorkbook("too_large", part="(all parts)", size=declared, limit=MAX_TOTAL_BYTES)


def _parse_xml(book: Book, name: str) -> Any:
    data = book.read_part(name)
    _keep_part(book, name, data)
    try:
        return SafeET.fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as e:
        if isinstance(e, DefusedXmlException):
            raise BadWorkbook("dtd", part=name) from None
        raise BadWorkbook("corrupt", detail=f"{name}: {_short(e)}") from None


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base_dir.split("/") if p]
    for p in target.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def _read_structure(book: Book) -> None:
    names = set(book.zip.namelist())
    if "[Content_Types].xml" not in names:
        raise BadWorkbook("not_xlsx")
    # Check every part that is not a worksheet now (real size, DTDs): these
    # are what calamine parses when it opens the workbook. Worksheets are
    # streamed by scan_sheet just before their values are read.
    wb_part = "xl/workbook.xml"
    if "_rels/.rels" in names:
        root = _parse_xml(book, "_rels/.rels")
        for rel in root.iter(f"{NS_PKG_REL}Relationship"):
            if rel.get("Type") in (OFFICE_DOC, STRICT_OFFICE_DOC):
                wb_part = _resolve("", rel.get("Target", ""))
    if wb_part not in names:
        if any(n.endswith(".bin") and n.startswith("xl/") for n in names):
            raise BadWorkbook("xlsb")
        raise BadWorkbook("not_xlsx")
    wb = _parse_xml(book, wb_part)
    pr = wb.find(f"{NS_MAIN}workbookPr")
    if pr is not None and pr.get("date1904", "").lower() in ("1", "true"):
        book.epoch = EPOCH_1904
    base = wb_part.rsplit("/", 1)[0] if "/" in wb_part else ""
    rels_part = f"{base}/_rels/{wb_part.rsplit('/', 1)[-1]}.rels" if base else f"_rels/{wb_part}.rels"
    targets: dict[str, str] = {}
    if rels_part in names:
        for rel in _parse_xml(book, rels_part).iter(f"{NS_PKG_REL}Relationship"):
            targets[rel.get("Id", "")] = _resolve(base, rel.get("Target", ""))
    sheets_el = wb.find(f"{NS_MAIN}sheets")
    for i, s in enumerate(sheets_el if sheets_el is not None else ()):
        rid = s.get(f"{NS_REL}id", "")
        part = targets.get(rid, "")
        if part in names:      # chartsheets and dialog sheets have no cells
            if not part.endswith(".bin"):
                hidden = s.get("state", "visible") in ("hidden", "veryHidden")
                book.sheets.append(SheetRef(s.get("name", ""), part, i, hidden))
    if not book.sheets:
        raise BadWorkbook("no_sheets")
    sheet_parts = {s.part for s in book.sheets}
    checked = {"_rels/.rels", wb_part, rels_part}
    styles = f"{base}/styles.xml" if base else "styles.xml"
    if styles in names:
        book.unit_styles = _unit_styles(_parse_xml(book, styles))
        checked.add(styles)
    for name in sorted(names - sheet_parts - checked):
        if name.endswith("/"):
            continue
        tail = b""
        chunks = []
        for chunk in book.stream(name):
            # Totals rows (合计, Total, 制表人 …) can only be where their words
            # are: most workbooks have none, and the reader skips looking.
            if not book.maybe_totals and name.endswith("sharedStrings.xml"):
                book.maybe_totals = has_total_word(tail + chunk)
                tail = chunk[-32:]
            if book.parts is not None:
                chunks.append(chunk)
        _keep_part(book, name, b"".join(chunks))


MAX_KEPT_PARTS = 16 << 20      # Book.parts: shared strings, styles … of a usual workbook


def _keep_part(book: Book, name: str, data: bytes) -> None:
    """Keep a non-sheet part for Book.copy_with, until they add up to too much."""
    if book.parts is None:
        return
    book.parts[name] = data
    book.parts_bytes += len(data)
    if book.parts_bytes > MAX_KEPT_PARTS:
        book.parts = None


_BUILTIN_FORMATS_WITHOUT_UNITS = range(0, 164)   # Excel's built-in formats show no 万 / K


def _unit_styles(root: Any) -> dict[bytes, Any]:
    """Cell style index -> the unit its number format shows (`0.00"万元"`).

    SPEC §1: a number formatted to show 万元 is 万元; the reader multiplies
    it, as it does for a header unit. Only the (few) custom formats matter.
    """
    from .headers import format_unit
    codes: dict[str, Any] = {}
    fmts = root.find(f"{NS_MAIN}numFmts")
    for f in (fmts if fmts is not None else ()):
        unit = format_unit(f.get("formatCode", ""))
        if unit is not None:
            codes[f.get("numFmtId", "")] = unit
    out: dict[bytes, Any] = {}
    if not codes:
        return out
    xfs = root.find(f"{NS_MAIN}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else ()):
        unit = codes.get(xf.get("numFmtId", ""))
        if unit is not None:
            out[str(i).encode()] = unit
    return out


# ---------------------------------------------------------------------------
# The streaming pass over one sheet

EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384
SAFE_COLS = 32           # any number of rows × 32 columns fits MAX_DENSE_CELLS

# Cells as every spreadsheet writer emits them start with `<c r="B7"`. The
# fast pass stops only at cell tags that are NOT like that with one column
# letter and an Excel row number: far columns, rows beyond Excel, and tags
# whose position it cannot read cheaply (no reference, attributes in another
# order, odd spacing or quoting). The literal `<c` prefix keeps it cheap.
# This runs over every cell before calamine may start, so its shape matters:
# the negative lookahead comes first (an ordinary cell is rejected by it at
# once, without the `[\s>/]` test), and the row alternatives share their
# first digit, so rows 1..999999 cost one `\d{0,5}` and no backtracking
# into other branches. Measured on a full 1,048,575-row sheet: 0.65–0.9 s
# against 1.1–1.3 s for the unfactored `(?=..)(?!..|..|..)` form.
_UNUSUAL_CELL = re.compile(
    rb'<c(?! r="[A-Z][1-9](?:\d{0,5}'                              # rows 1..999999, or
    rb'|0(?:[0-3]\d{4}|4(?:[0-7]\d{3}|8(?:[0-4]\d\d|5(?:[0-6]\d|7[0-6])))))")'   # ..1048576
    rb'(?=[\s>/])')
_PLAIN_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"')
_LAST_ROW = re.compile(rb'<row r="(\d+)"')


def scan_sheet(book: Book, ref: SheetRef) -> SheetScan:
    """One pass over the sheet XML: real size, extent, error / no-value cells.

    The pass cuts the stream just before the last `<c` of each chunk, so a
    cell that straddles two chunks is seen whole in the next piece.
    Measuring every cell reference would cost seconds on a full sheet, so
    the fast pass measures only references beyond column Z or row 999,999.
    When it finds a column beyond SAFE_COLS or a cell tag it cannot read
    cheaply, a second, exact pass walks every row and cell tag the way
    calamine places them.
    """
    scan = SheetScan(pieces=[], unit_styles=book.unit_styles)
    carry = b""
    for chunk in book.stream_ahead(ref.part):
        scan.bytes += len(chunk)
        buf = carry + chunk
        cut = buf.rfind(b"<c")
        if cut <= 0:
            cut = len(buf)
        piece, carry = buf[:cut], buf[cut:]
        _scan_piece(piece, scan)
        _keep(piece, scan)
        if len(carry) > CHUNK * 4:     # one enormous cell: nothing of interest in it
            _scan_piece(carry, scan)
            _keep(carry, scan)
            carry = b""
    if carry:
        _scan_piece(carry, scan)
        _keep(carry, scan)
    if scan.needs_exact or (scan.max_col > SAFE_COLS and scan.dense_cells > MAX_DENSE_CELLS):
        _exact_extent(book, ref, scan)
    return scan


def _check_ref(letters: bytes, row: int) -> int:
    col = col_number(letters.upper())
    if not (1 <= row <= EXCEL_ROWS and 1 <= col <= EXCEL_COLS):
        raise BadWorkbook("corrupt", detail=f"cell {letters.decode()}{row} is beyond Excel's limits")
    return col


def _scan_piece(piece: bytes, scan: SheetScan) -> None:
    """Update scan from one piece of sheet XML."""
    if not scan.needs_exact:
        i = piece.rfind(b'<row r="')
        if i >= 0:
            m = _LAST_ROW.match(piece, i)
            if m:
                scan.max_row = max(scan.max_row, int(m[1]))
        if scan.far_mode:
            _scan_far_piece(piece, scan)
            return
        for m in _UNUSUAL_CELL.finditer(piece):
            p = _PLAIN_REF.match(piece, m.start())
            if p is None:
                scan.needs_exact = True     # the exact pass will measure everything
                break
            r = int(p[2])
            c = _check_ref(p[1], r)
            scan.max_row = max(scan.max_row, r)
            if c > scan.max_col:
                scan.max_col = c
                scan.far_cell = f"{p[1].decode()}{r}"
                if c > SAFE_COLS:
                    # A wide sheet (a column per month): measure the rest of it
                    # with whole-piece searches, not a Python step per cell.
                    scan.far_mode = True
                    break
    if scan.far_mode and not scan.needs_exact:
        _scan_far_piece(piece, scan)


# Far mode (SPEC §1.5 wide sheets have 30+ columns): every cell tag must be a
# plain `<c r="AB12"`; rows of 6+ digits and columns of 2–3 letters are
# measured with findall. Anything else needs the exact pass.
_NOT_PLAIN = re.compile(rb'<c(?! r="[A-Z]{1,3}[1-9]\d{0,6}")(?=[\s>/])')
_FAR_COLS = re.compile(rb'<c r="([A-Z]{2,3})\d')
_FAR_ROWS = re.compile(rb'<c r="[A-Z]{1,3}(\d{6,7})"')


def _scan_far_piece(piece: bytes, scan: SheetScan) -> None:
    # Most cells are plain and within the columns seen: step from one that
    # is not to the next, and take a new farthest column as it comes (a
    # wide sheet's header row gives them all at once). Anything else — an
    # unusual tag, a row of 6+ digits — is measured by the exact searches.
    if _NOT_PLAIN_START.search(piece) is None:
        pos = 0
        while (m := _beyond_columns(scan.max_col).search(piece, pos)) is not None:
            p = _PLAIN_REF.match(piece, m.start())
            if p is None or len(p[2]) > 5 or p[2][:1] == b"0":
                break
            scan.max_col = _check_ref(p[1], int(p[2]))
            scan.far_cell = f"{p[1].decode()}{int(p[2])}"
            pos = p.end()
        else:
            return
    if _NOT_PLAIN.search(piece):
        scan.needs_exact = True
        return
    for digits in set(_FAR_ROWS.findall(piece)):
        r = int(digits)
        if r > EXCEL_ROWS:
            raise BadWorkbook("corrupt", detail=f"row {r} is beyond Excel's limits")
        scan.max_row = max(scan.max_row, r)
    for letters in set(_FAR_COLS.findall(piece)):
        c = _check_ref(letters, 1)
        if c > scan.max_col:
            scan.max_col = c
            at = piece.find(b'<c r="' + letters)
            m = _PLAIN_REF.match(piece, at)
            scan.far_cell = f"{letters.decode()}{int(m[2]) if m else 1}"


# A cell tag that does not start `<c r="`: the exact searches measure that piece.
_NOT_PLAIN_START = re.compile(rb'<c(?! r=")(?=[\s>/])')


@functools.lru_cache(maxsize=64)
def _beyond_columns(max_col: int) -> re.Pattern[bytes]:
    """A `<c r="` that is not followed by letters up to max_col and a row of
    at most 5 digits. With _NOT_PLAIN_START, one search of a piece finds
    what the three exact ones (_NOT_PLAIN, _FAR_ROWS, _FAR_COLS) would
    measure, at a fifth of their time; in most pieces of a wide sheet,
    nothing. (One pattern for both cost half again as much: its lookahead
    ran at every `<c`.)"""
    letters = col_letter(max_col)
    n = len(letters)
    upto = [f"[A-Z]{{1,{n - 1}}}"] if n > 1 else []
    for i, ch in enumerate(letters):
        if ch != "A":
            upto.append(letters[:i] + f"[A-{chr(ord(ch) - 1)}]" + "[A-Z]" * (n - i - 1))
    upto.append(letters)
    return re.compile(rf'<c r="(?!(?:{"|".join(upto)})[1-9]\d{{0,4}}")'.encode())


KEEP_BYTES = 320 << 20     # XML kept for the concurrent error-cell search


def _keep(piece: bytes, scan: SheetScan) -> None:
    """Keep a piece for find_bad_cells; past KEEP_BYTES search it right away
    instead, so that a huge sheet does not hold its XML in memory."""
    if scan.pieces is not None and scan.bytes <= KEEP_BYTES:
        scan.pieces.append(piece)
    else:
        _find_in_piece(piece, scan)


def find_bad_cells(scan: SheetScan) -> None:
    """Find error cells and formulas without a cached value in the kept XML.

    Separate from the extent pass so that it can run while calamine parses
    the sheet in another thread (calamine releases the GIL); frees the XML.
    """
    pieces, scan.pieces = scan.pieces or [], None
    for piece in pieces:
        _find_in_piece(piece, scan)


# The words of totals and footer rows (SPEC §1.5), as UTF-8 bytes.
# Text written as character references (`&#21512;`, some writers do) could
# hide them: such parts count as maybe.
TOTAL_WORDS = tuple(w.encode() for w in ("合计", "总计", "小计", "汇总", "共计", "Total", "total", "TOTAL", "制表",
                                          "审核", "Prepared by", "prepared by", "&#"))


def has_total_word(xml: bytes) -> bool:
    """Whether a totals or footer word may be in this XML. Literal searches,
    not one alternation: each runs at memory speed, where the regex stepped
    through every byte (0.4 s on a 10,000 × 36 sheet's XML)."""
    return any(w in xml for w in TOTAL_WORDS)


_HIDDEN_ROW = re.compile(rb"""<row\s[^>]*?\bhidden\s*=\s*["'](?:1|true)["'][^>]*>""")
_STYLED_CELL = re.compile(rb"""<c\s[^>]*?\bs\s*=\s*["'](\d+)["'][^>]*>""")


def _find_in_piece(piece: bytes, scan: SheetScan) -> None:
    if not scan.maybe_totals and b"inlineStr" in piece and has_total_word(piece):
        scan.maybe_totals = True
    if b"hidden" in piece:
        for m in _HIDDEN_ROW.finditer(piece):
            r = _ATTR_R.search(m[0])
            if r:
                scan.hidden_rows.append(int(r[2]))
    if scan.unit_styles and any(b's="' + k + b'"' in piece for k in scan.unit_styles):
        for m in _STYLED_CELL.finditer(piece):
            unit = scan.unit_styles.get(m[1])
            if unit is not None:
                r = _ATTR_R.search(m[0])
                if r:
                    scan.unit_cells[(int(r[2]), col_number(r[1].upper()))] = unit
    # A one-byte search runs at memory speed, where `<f` stops at every `<`:
    # most pieces of a data sheet hold no f and no ' at all.
    for marker in (b't="e"', b"t='e'") if b"'" in piece else (b't="e"',):
        if marker in piece:
            pos = piece.find(marker)
            while pos >= 0:
                _bad_cell(piece, pos, scan)
                pos = piece.find(marker, pos + 5)
    pos = piece.find(b"<f") if b"f" in piece else -1
    while pos >= 0:
        nxt = piece[pos + 2:pos + 3]
        if nxt in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            _bad_cell(piece, pos, scan)
        pos = piece.find(b"<f", pos + 2)


_TAG = re.compile(rb"<(row|c)(?=[\s>/])([^>]*)>")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_CELL_T = re.compile(rb"""\st\s*=\s*["'](\w+)["']""")
_V = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_F = re.compile(rb"<f(?:\s[^>]*)?>(.*?)</f>", re.S)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)(\d+)["']""")


def _exact_extent(book: Book, ref: SheetRef, scan: SheetScan) -> None:
    """Walk every row and cell tag: the real bottom-right of valued cells.

    A row without `r` follows the previous one; a cell without `r` follows
    the previous cell of its row (this is how calamine and Excel place
    them). Costs a few microseconds per cell, only for sheets that need it.
    """
    row = 0
    col = 0
    max_row = max_col = 0
    far = ""
    carry = b""
    for chunk in book.stream(ref.part):
        buf = carry + chunk
        cut = buf.rfind(b"<")
        piece, carry = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
        for m in _TAG.finditer(piece):
            attrs = m[2]
            a = _ATTR_R.search(attrs)
            if m[1] == b"row":
                row = int(a[2]) if a else row + 1
                col = 0
                continue
            if a:
                if a[1]:
                    col = _check_ref(a[1], int(a[2]))
                    row = int(a[2])
                else:
                    col += 1
            else:
                col += 1
            if attrs.endswith(b"/"):
                continue               # an empty cell: calamine does not count it
            if row > EXCEL_ROWS or col > EXCEL_COLS:
                raise BadWorkbook("corrupt", detail=f"cell {col_letter(col)}{row} is beyond Excel's limits")
            if row > max_row:
                max_row = row
            if col > max_col:
                max_col = col
                far = f"{col_letter(col)}{row}"
    scan.max_row = max_row
    scan.max_col = max_col
    scan.far_cell = far


def _bad_cell(piece: bytes, pos: int, scan: SheetScan) -> None:
    """Look at the cell around `pos`; keep it when calamine would hide it."""
    start = piece.rfind(b"<c", 0, pos)
    while start >= 0 and piece[start + 2:start + 3] not in (b" ", b">", b"\t", b"\n", b"\r"):
        start = piece.rfind(b"<c", 0, start)
    if start < 0:
        return
    tag_end = piece.find(b">", start)
    if tag_end < 0:
        return
    tag = piece[start:tag_end + 1]
    if tag.endswith(b"/>"):
        return
    end = piece.find(b"</c>", tag_end)
    if end < 0:
        end = len(piece)
    body = piece[tag_end + 1:end]
    ref = _CELL_REF.search(tag)
    if not ref:
        return       # no reference: we cannot point at it (Excel always writes one)
    key = (int(ref[2]), col_number(ref[1]))
    if key in scan.bad_cells:
        return
    t = _CELL_T.search(tag)
    ctype = t[1] if t else b"n"
    fm = _F.search(body)
    formula = _xml_text(fm[1]) if fm else None
    v = _V.search(body)
    value = _xml_text(v[1]) if v else ""
    if ctype == b"e":
        scan.bad_cells[key] = CellError(value or "#N/A", formula)
    elif b"<f" in body and not value and ctype not in (b"str", b"inlineStr"):
        # A formula whose cached value is missing (never calculated, or
        # written by a library that cannot calculate). An empty cached
        # *string* (t="str", <v></v>) is a real result: a blank.
        scan.bad_cells[key] = CellError(None, formula)


def _xml_text(b: bytes) -> str:
    s = b.decode("utf-8", "replace")
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
             .replace("&apos;", "'").replace("&amp;", "&"))


# ---------------------------------------------------------------------------
# Reading the values

def read_sheet(book: Book, ref: SheetRef, scan: SheetScan, max_cols: int = 64,
               meanwhile: Callable[[], None] | None = None) -> SheetData:
    """The sheet's cells, with error / no-value cells replaced by CellError.

    `meanwhile`, if given, is called in this thread while calamine parses
    in another (calamine path only): the caller's chance to use the idle
    core for work it would otherwise do after the parse.

    calamine when the dense rectangle is bounded; otherwise openpyxl
    read-only limited to the first `max_cols` columns (the table's columns
    are near the left; the cell that made the sheet huge is reported by the
    caller through `truncated_at_col`).
    """
    if scan.dense_cells <= MAX_DENSE_CELLS:
        data = _read_calamine(book, ref, scan, meanwhile)
    else:
        find_bad_cells(scan)
        data = _read_openpyxl(book, ref, min(max_cols, scan.max_col))
    _patch_bad_cells(data, scan)
    return data


def _read_calamine(book: Book, ref: SheetRef, scan: SheetScan,
                   meanwhile: Callable[[], None] | None = None) -> SheetData:
    # calamine parses in worker threads, without the GIL, while this thread
    # looks for error cells in the XML the extent pass kept: on two cores
    # the search costs no wall time. The extent was checked before this
    # point, so the parse cannot hit calamine's dense-allocation abort.
    halves = _halves(book, scan)
    openers = [book.copy_with(ref, xml) for xml in halves] if halves else [book.calamine]
    split, halves = halves is not None, None       # the copies hold the XML now
    got: list[Any] = [None] * len(openers)

    def parse(k: int) -> None:
        try:
            got[k] = openers[k]().get_sheet_by_name(ref.name)
        except BaseException as e:      # re-raised below, in the caller's thread
            got[k] = e

    workers = [threading.Thread(target=parse, args=(k,), name=f"kamreport-calamine-{ref.name}-{k}")
               for k in range(len(got))]
    for w in workers:
        w.start()
    try:
        find_bad_cells(scan)
        if meanwhile is not None:
            meanwhile()
    finally:
        for w in workers:
            w.join()
    try:
        for g in got:
            if isinstance(g, BaseException):
                raise g
        parts = [(sh.to_python(skip_empty_area=True), sh.start) for sh in got]
        merged_raw = got[0].merged_cell_ranges or []
        joined = _join_halves(*parts) if split else parts[0]
        if joined is None:
            # Rows out of order in the XML: the halves overlap. Parse it whole.
            sheet = book.calamine().get_sheet_by_name(ref.name)
            joined = sheet.to_python(skip_empty_area=True), sheet.start
            merged_raw = sheet.merged_cell_ranges or []
        rows, start = joined
    except BadWorkbook:
        raise
    except Exception as e:
        raise BadWorkbook("corrupt", detail=f"{ref.name}: {_short(e)}") from None
    if not rows or start is None:
        return SheetData([], 1, 1, [])
    merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in merged_raw]
    return SheetData(rows, start[0] + 1, start[1] + 1, merged)


# A sheet of this much XML is parsed as two halves in two threads (calamine
# parses on one core; a 10,000 × 36 wide sheet took half the time). Below,
# a second thread gains little; above, holding the XML three times over
# (pieces, the halves, calamine's copies) costs too much memory.
SPLIT_MIN_BYTES = 4 << 20
SPLIT_MAX_BYTES = 64 << 20
_SHEET_DATA = re.compile(rb"<sheetData>")


def _halves(book: Book, scan: SheetScan) -> tuple[bytes, bytes] | None:
    """The sheet's XML as two sheets with about half its rows each: the
    first with everything after the rows (merged cells), the second with
    the rest of the rows only. None when the sheet is small or big, when
    the scan did not see every cell tag name its cell (`<c r="B7"`: only
    then does a cell's place not depend on the rows before it), or when
    the XML is not laid out plainly (a prefixed `<x:sheetData>`)."""
    if (scan.pieces is None or scan.needs_exact or book.parts is None
            or not SPLIT_MIN_BYTES <= scan.bytes <= min(SPLIT_MAX_BYTES, KEEP_BYTES)):
        return None
    xml = b"".join(scan.pieces)
    m = _SHEET_DATA.search(xml)
    end = xml.rfind(b"</sheetData>")
    if m is None or end < m.end() or not xml[-64:].rstrip().endswith(b"</worksheet>"):
        return None
    center = (m.end() + end) // 2
    mid = xml.find(b"<row ", center, end)
    if mid < 0:     # the last row is the bigger half: cut before it
        mid = xml.rfind(b"<row ", m.end() + 1, end)
    if mid < 0:
        return None
    view = memoryview(xml)
    return (b"".join((view[:mid], view[end:])),
            b"".join((view[:m.end()], view[mid:end], b"</sheetData></worksheet>")))


def _join_halves(first: tuple[list[list[Any]], Any], second: tuple[list[list[Any]], Any]) -> tuple[list, Any] | None:
    """The rows and start calamine gives for the whole sheet, from those of
    its halves: the rectangle from the first filled cell to the last, ""
    where nothing is. None when the halves' rows overlap."""
    (rows1, start1), (rows2, start2) = first, second
    if not rows2 or start2 is None:
        return rows1, start1
    if not rows1 or start1 is None:
        return rows2, start2
    (r1, c1), (r2, c2) = start1, start2
    gap = r2 - (r1 + len(rows1))
    if gap < 0:
        return None
    c0 = min(c1, c2)
    width = max(c1 + len(rows1[0]), c2 + len(rows2[0])) - c0

    def fit(rows: list[list[Any]], c: int) -> list[list[Any]]:
        left, right = c - c0, width - (c - c0) - len(rows[0])
        if not left and not right:
            return rows
        return [[""] * left + row + [""] * right for row in rows]

    return fit(rows1, c1) + [[""] * width for _ in range(gap)] + fit(rows2, c2), (r1, c0)


def _read_openpyxl(book: Book, ref: SheetRef, max_col: int) -> SheetData:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        wb = openpyxl.load_workbook(book.path, read_only=True, data_only=True)
        try:
            ws = wb[ref.name]
            # Read-only openpyxl trusts the <dimension> tag for the last row,
            # which a hostile or sloppy file gets wrong: read what is there.
            ws.reset_dimensions()
            # openpyxl pads every missing row up to the far cell; keep those
            # rows as narrow as the table: the columns used in the first 10
            # rows (where the header must be).
            width = 1
            for values in ws.iter_rows(min_row=1, max_row=10, max_col=max_col, values_only=True):
                for k in range(len(values), 0, -1):
                    if values[k - 1] is not None:
                        width = max(width, k)
                        break
            max_col = width
            rows: list[list[Any]] = []
            empty = [""] * max_col
            for values in ws.iter_rows(min_row=1, max_col=max_col, values_only=True):
                if any(v is not None for v in values):
                    row = ["" if v is None else v for v in values]
                    if len(row) < max_col:
                        row.extend([""] * (max_col - len(row)))
                    rows.append(row)
                else:
                    # Gaps (up to a million rows before a far cell) share one
                    # empty row; _patch_bad_cells copies it before writing.
                    rows.append(empty)
        finally:
            wb.close()
    except (InvalidFileException, KeyError, ValueError, OSError, zipfile.BadZipFile,
            ParseError, DefusedXmlException, zlib.error, RuntimeError, TypeError) as e:
        raise BadWorkbook("corrupt", detail=f"{ref.name}: {_short(e)}") from None
    # openpyxl returns errors as their text ("#DIV/0!"); the scan's
    # CellError replaces them below, the same as on the calamine path.
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    return SheetData(rows, 1, 1, [], truncated_at_col=max_col, shared_empty=empty)


def _patch_bad_cells(data: SheetData, scan: SheetScan) -> None:
    """Put a CellError where the scan found an error / no-value cell.

    calamine's rectangle starts at its first valued cell and ends at its
    last one; a formula without a value is no value to it, so such a cell
    may lie outside the rectangle: grow it to include the cell.
    """
    if not scan.bad_cells:
        return
    top = min(r for r, _ in scan.bad_cells)
    left = min(c for _, c in scan.bad_cells)
    if data.rows and top < data.first_row:
        width = len(data.rows[0])
        data.rows[:0] = [[""] * width for _ in range(data.first_row - top)]
        data.first_row = top
    if data.rows and left < data.first_col:
        pad = data.first_col - left
        for row in data.rows:
            row[:0] = [""] * pad
        data.first_col = left
    if not data.rows:
        data.first_row, data.first_col = top, left
    r0, c0 = data.first_row, data.first_col
    width = len(data.rows[0]) if data.rows else 0
    for (r, c), err in scan.bad_cells.items():
        i, j = r - r0, c - c0
        if j >= width:
            if data.truncated_at_col:
                continue           # right of what the bounded fallback reads
            width = j + 1
            for row in data.rows:
                row.extend([""] * (width - len(row)))
        while len(data.rows) <= i:
            data.rows.append([""] * width)
        if data.rows[i] is data.shared_empty:
            data.rows[i] = list(data.rows[i])
        data.rows[i][j] = err
