"""Read and validate the input workbooks (SPEC §1): paths -> model.Dataset.

    read_workbooks(["crm.xlsx", "sales.xlsx"], lang=None) -> Dataset

For each workbook, in command-line order, and each of its sheets that
schema.py knows: find the header row, map columns, parse every row with one
precomputed parser per column (values.py), and turn what does not fit into
Problems:

- fatal: the file cannot be read, a required sheet is missing from every
  workbook, or a sheet lacks a required column. Nothing is built: the
  Dataset holds the problems and no records.
- error: the row is rejected (bad/blank required value, duplicate
  customer_id in Customers, customer_id not in Customers).
- warning: the row is kept with that field blank (bad optional value), or
  a sheet-level remark (unknown or duplicate column, no gross_profit).
  SPEC §1 says "reported once as info" for unknown columns but its Problems
  list says warning; we use warning so the user sees them in the counts.
- info: a sheet kamreport does not read.

For every sheet key, `rows[key].read == accepted + rejected`; fully blank
rows are skipped and not counted.

Customer ids are checked after every workbook's Customers sheet is read, so
the Customers of a.xlsx may serve the Sales of b.xlsx.
"""
from __future__ import annotations

import gc
import hashlib
import re
from dataclasses import MISSING, fields
from datetime import date
from typing import Any, Callable, Iterable

from . import messages, model, schema, values
from .model import ERROR, FATAL, INFO, WARNING, Loc, Problem
from .values import BadValue, CellError
from .xlsx import Book, BadWorkbook, SheetData, SheetRef, col_letter, read_sheet, scan_sheet

HEADER_ROWS = 10          # the header row is among the first 10 rows (SPEC §1)
DOC_SHEETS = {"readme", "说明", "使用说明", "填写说明", "instructions"}

RECORD_TYPES: dict[str, type] = {
    "Customers": model.Customer, "Sales": model.Sale, "Activities": model.Activity,
    "Contacts": model.Contact, "Surveys": model.Survey, "Plans": model.Plan,
    "Competitors": model.Competitor,
}
DATASET_FIELD = {
    "Customers": "customers", "Sales": "sales", "Activities": "activities",
    "Contacts": "contacts", "Surveys": "surveys", "Plans": "plans",
    "Competitors": "competitors",
}


class _Problem:
    """A problem before its message is worded (the language is known last)."""
    __slots__ = ("order", "severity", "file", "sheet", "row", "column", "header", "value",
                 "code", "params", "effect")

    def __init__(self, order: tuple, severity: str, file: str, sheet: str = "", row: int | None = None,
                 column: str = "", header: str = "", value: str = "", code: str = "",
                 params: dict | None = None, effect: str = "") -> None:
        self.order = order
        self.severity = severity
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.header = header
        self.value = value
        self.code = code
        self.params = params or {}
        self.effect = effect

    def finish(self, lang: str) -> Problem:
        text = messages.message(self.code, lang, header=self.header, value=self.value, **self.params)
        if self.effect:
            text += messages.effect(self.effect, lang)
        return Problem(self.severity, self.file, self.sheet, self.row, self.column,
                       self.header, self.value, text)


class _Table:
    """One sheet of one workbook being read: its columns and what it yielded."""

    def __init__(self, file_index: int, path: str, ref: SheetRef, spec: schema.Sheet) -> None:
        self.file_index = file_index
        self.path = path
        self.ref = ref
        self.spec = spec
        self.header_row = 0                              # Excel row number
        self.columns: dict[str, tuple[int, str, str]] = {}   # key -> (index in row, letter, header text)
        self.zh_headers = 0
        self.en_headers = 0
        self.records: list[Any] = []
        self.shells: list[Any] = []                      # see _prebuild_records


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Header row and columns

_SPLIT_HEADER = re.compile(r"[\n\r/|()（）]+")


def match_column(spec: schema.Sheet, header: Any) -> tuple[schema.Column | None, str]:
    """The column a header names, and whether it was written in zh or en.

    Also accepts bilingual headers such as "客户编号 / Customer ID" or
    "客户编号\\nCustomer ID" by trying each part.
    """
    text = values.cell_text(header).strip()
    if not text:
        return None, ""
    candidates = [text] + [p for p in _SPLIT_HEADER.split(text) if p.strip() and p != text]
    for cand in candidates:
        f = schema.fold(cand)
        for c in spec.columns:
            if f == schema.fold(c.zh):
                return c, "zh"
            if f == schema.fold(c.key):
                return c, "en"
    return None, ""


def _find_header(rows: list[list[Any]], first_row: int, spec: schema.Sheet) -> tuple[int, dict] | tuple[None, dict]:
    """Index of the header row (first of the first 10 with every required column)."""
    required = {c.key for c in spec.required_columns}
    best: tuple[int, set[str]] | None = None
    for i in range(max(0, min(len(rows), HEADER_ROWS - first_row + 1))):
        found: set[str] = set()
        for v in rows[i]:
            if v == "" or isinstance(v, CellError):
                continue
            col, _ = match_column(spec, v)
            if col is not None:
                found.add(col.key)
        if required <= found:
            return i, {}
        if found & required and (best is None or len(found & required) > len(best[1] & required)):
            best = (i, found)
    info: dict[str, Any] = {}
    if best is not None:
        info = {"row": first_row + best[0], "found": sorted(best[1] & required),
                "missing": sorted(required - best[1])}
    return None, info


# ---------------------------------------------------------------------------
# The row loop, generated per table

_new = object.__new__


def _defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
    return out


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """Writes field `name` of a frozen slots record in place (its slot's
    descriptor; the frozen __setattr__ is for users of finished records)."""
    return cls.__dict__[name].__set__


def _prebuild_records(out: list[Any], cls: type, file: str, sheet: str, scan: Any) -> None:
    """Build an empty record of `cls`, with its Loc, for every row, ahead.

    Called while calamine parses the sheet in another thread without the
    GIL (xlsx.read_sheet's `meanwhile`): this thread would otherwise only
    wait, and allocating the record and its Loc was more than half of the
    row loop (≈1 s of it on a full 1,048,575-row sheet). `out[r]` is the
    record of Excel row r, with only its loc set; the row loop sets every
    other field. Each row is read once per table, so each record is used at
    most once; those of blank or rejected rows are dropped.

    Bounded by the sheet's XML size as well as its last row: a stray
    `<row r="1048576">` in a small sheet must not cost a million objects
    (a real row takes well over 64 bytes of XML, a full 8-column row ~275).
    """
    n = min(scan.max_row, scan.bytes // 64, 1 << 20)
    new, Loc_ = _new, Loc
    set_file, set_sheet, set_row, set_column = (_setter(Loc, f) for f in ("file", "sheet", "row", "column"))
    set_loc = _setter(cls, "loc")
    append = out.append
    append(None)                     # there is no row 0
    for r in range(1, n + 1):
        loc = new(Loc_)
        set_file(loc, file)
        set_sheet(loc, sheet)
        set_row(loc, r)
        set_column(loc, "")
        obj = new(cls)
        set_loc(obj, loc)
        append(obj)


def row_reader(cls: type, columns: list[tuple[int, schema.Column]], id_index: int) -> Callable[..., Any]:
    """Compile the row loop of one table: one straight-line block per column.

    A full Activities sheet is 1,048,575 rows × 8 cells, and the speed goal
    leaves a few µs per row for all of checking and record building. A
    generic loop (a tuple of column specs unpacked per cell, a kwargs dict,
    the frozen dataclass __init__ with one object.__setattr__ per field)
    costs several times that. This generated loop handles the common cell
    types inline (a str in a text/id column, a date cell in a date column,
    an enum written exactly as its key or label) and calls the column's
    parser (values.py) for everything else; it sets a record's fields
    through their slots, which is what __init__ does (every field is set;
    blanks take the field's default). Only schema
    identifiers and column indexes go into the source, never workbook text.

    `L` holds records (of `cls`) built ahead for this table, indexed by
    Excel row (see _prebuild_records); rows beyond it get a new one.

    `columns` = (index in row, Column) in sheet order. The function returns
    (records, read, rejected) and reports bad cells through
    `problem(i, k, raw, code, params, required)`, k indexing `columns`.
    """
    defaults = _defaults(cls)
    names = [f.name for f in fields(cls)]
    lines = [
        "def read_rows(rows, start, stop, file, sheet, first_row, problem, blank, BadValue, P, T, L, S):",
        "    same = S.setdefault",
        "    nloc = len(L)",
        "    out = []",
        "    append = out.append",
        "    read = rejected = 0",
        "    for i in range(start, stop):",
        "        row = rows[i]",
        f"        v = row[{id_index}]",
        "        if (v == '' or (v.__class__ is str and v.isspace())) and blank(row):",
        "            continue",
        "        read += 1",
        "        ok = True",
    ]
    for k, (j, col) in enumerate(columns):
        name, required, t = col.key, col.required, col.type
        lines.append(f"        v = row[{j}]")
        # The common case of each type, inline; anything else goes to the
        # column's parser, which also raises BadValue for what is wrong.
        # Ids, names, dates and small numbers repeat from row to row; each
        # cell is a new object from calamine. `same` (S.setdefault) makes
        # equal values one object: 273,550 activity rows took ~65 MB less.
        # A repeated raw text is looked up, not stripped again. Free text
        # (markdown) is rarely repeated: kept as it is.
        if t in (schema.ID, schema.TEXT):
            fast = [f"if v.__class__ is str:", f"    x{k} = same(v, v.strip() or None)"]
        elif t == schema.MARKDOWN:
            fast = [f"if v.__class__ is str:", f"    x{k} = v.strip() or None"]
        elif t == schema.DATE:
            fast = [f"if v.__class__ is date:", f"    x{k} = same(v, v)"]
        elif t == schema.MONTH:
            fast = [f"if v.__class__ is date:", f"    x{k} = v if v.day == 1 else v.replace(day=1)",
                    f"    x{k} = same(x{k}, x{k})"]
        elif t == schema.MONEY:
            fast = [f"if v.__class__ is float and v - v == 0.0:", f"    x{k} = v"]     # finite
        elif t == schema.MONEY_POS:
            fast = [f"if v.__class__ is float and v >= 0.0 and v - v == 0.0:", f"    x{k} = v"]
        elif t == schema.NUMBER_POS:
            fast = [f"if v.__class__ is float and v >= 0.0 and v - v == 0.0:", f"    x{k} = same(v, v)"]
        elif t == schema.ENUM:
            fast = [f"if v.__class__ is str and v in T[{k}]:", f"    x{k} = T[{k}][v]"]
        else:
            fast = []
        fast += ["elif v == '':" if fast else "if v == '':", f"    x{k} = None"]
        lines += ["        " + line for line in fast]
        lines += [
            "        else:",
            "            try:",
            f"                x{k} = P[{k}](v)",
            "            except BadValue as e:",
            # A failed required value is BAD (not None), so that "blank"
            # below is reported only for a blank cell; the row is rejected
            # and BAD never reaches a record.
            f"                x{k} = {'BAD' if required else 'None'}",
            f"                problem(i, {k}, v, e.code, e.params, {required})",
        ]
        if required:
            lines += [
                "                ok = False",
                f"        if x{k} is None:",
                f"            problem(i, {k}, '', 'required_missing', {{}}, True)",
                "            ok = False",
            ]
        elif defaults.get(name) is not None:
            lines += [f"        if x{k} is None:", f"            x{k} = D_{name}"]
    given = {c.key: k for k, (_, c) in enumerate(columns)}
    sets = [f"S_{n}(obj, x{given[n]})" if n in given else f"S_{n}(obj, D_{n})" for n in names if n != "loc"]
    lines += [
        "        if not ok:",
        "            rejected += 1",
        "            continue",
        # L[r] is the record of Excel row r when it was built ahead
        # (_prebuild_records): set every field but loc.
        "        r = first_row + i",
        "        if r < nloc:",
        "            obj = L[r]",
        *("            " + x for x in sets),
        "        else:",
        "            obj = new(cls)",
        *("            " + x for x in sets),
        "            S_loc(obj, Loc(file, sheet, r))",
        "        append(obj)",
        "    return out, read, rejected",
    ]
    namespace: dict[str, Any] = {f"D_{k}": v for k, v in defaults.items()}
    namespace.update({f"S_{n}": _setter(cls, n) for n in names})
    namespace.update(new=_new, cls=cls, Loc=Loc, date=date, BAD=object())
    exec(compile("\n".join(lines), f"<kamreport row reader {cls.__name__}>", "exec"), namespace)
    return namespace["read_rows"]


# ---------------------------------------------------------------------------
# The reader

class _Reader:
    def __init__(self, paths: list[str], lang: str | None) -> None:
        self.paths = paths
        self.lang = lang
        self.problems: list[_Problem] = []
        self.seq = 0
        self.tables: list[_Table] = []
        self.counts: dict[str, list[int]] = {}          # sheet key -> [read, accepted, rejected]
        self.same: dict = {}        # one object per repeated cell value (see row_reader)
        self.customer_first: dict[str, Loc] = {}        # customer_id -> first accepted row
        self.settings: list[tuple[str, str, Loc]] = []
        self.first_customers_table: _Table | None = None
        self.sheet_names_zh = 0

    # -- problems ------------------------------------------------------------
    def add(self, severity: str, fi: int, sheet_index: int, path: str, sheet: str = "",
            row: int | None = None, col: int = 0, header: str = "", value: str = "",
            code: str = "", effect: str = "", **params: Any) -> None:
        self.seq += 1
        order = (fi, sheet_index, row or 0, col, self.seq)
        self.problems.append(_Problem(order, severity, path, sheet, row,
                                      col_letter(col) if col else "", header, value, code, params, effect))

    # -- one workbook ----------------------------------------------------------
    def read_file(self, fi: int, path: str) -> None:
        try:
            with Book(path) as book:
                for ref in book.sheets:
                    spec = schema.find_sheet(ref.name)
                    if spec is None:
                        book.check_prolog(ref.part)
                        # A README sheet (kamreport's own template has one) is
                        # documentation, not data; anything else is noted.
                        if schema.fold(ref.name) not in DOC_SHEETS:
                            self.add(INFO, fi, ref.index, path, ref.name, code="unknown_sheet", name=ref.name)
                        continue
                    if ref.name == spec.zh:
                        self.sheet_names_zh += 1
                    table = _Table(fi, path, ref, spec)
                    scan = scan_sheet(book, ref)
                    shells: list[Any] = []
                    cls = RECORD_TYPES.get(spec.key)
                    data = read_sheet(book, ref, scan, meanwhile=None if cls is None else
                                      lambda: _prebuild_records(shells, cls, path, ref.name, scan))
                    table.shells = shells
                    if data.truncated_at_col:
                        self.add(WARNING, fi, ref.index, path, ref.name, row=int(re.sub(r"\D", "", scan.far_cell) or 0),
                                 col=scan.max_col, value="", code="sheet_truncated",
                                 far_cell=scan.far_cell, last=col_letter(data.truncated_at_col))
                    self.read_table(table, data, book)
                    table.shells = []        # the unused ones (blank, rejected rows)
                    del data
        except BadWorkbook as e:
            self.add(FATAL, fi, -1, path, code=e.code, **e.params)

    def read_table(self, t: _Table, data: SheetData, book: Book) -> None:
        spec, ref, path, fi = t.spec, t.ref, t.path, t.file_index
        rows = data.rows
        if not rows and not spec.required:
            return      # an optional sheet left completely empty: nothing to read
        hi, info = _find_header(rows, data.first_row, spec)
        if hi is None:
            cols = ", ".join(f"{c.key} ({c.zh})" for c in spec.required_columns)
            # The "closest" hint is worded in _finish, once the language is known.
            self.add(FATAL, fi, ref.index, path, ref.name, row=info.get("row"), code="missing_columns",
                     columns=cols, closest=info)
            return
        t.header_row = data.first_row + hi
        self.tables.append(t)
        header = rows[hi]
        known = {"en": ", ".join(c.key for c in spec.columns), "zh": "、".join(c.zh for c in spec.columns)}
        for j, v in enumerate(header):
            if v == "" or v is None:
                continue
            col_no = data.first_col + j
            text = values.cell_text(v).strip()
            if not text:
                continue
            col, how = match_column(spec, v)
            if col is None:
                self.add(WARNING, fi, ref.index, path, ref.name, row=t.header_row, col=col_no,
                         header=text, value=text, code="unknown_column", table=ref.name, known=known)
                continue
            if col.key in t.columns:
                self.add(WARNING, fi, ref.index, path, ref.name, row=t.header_row, col=col_no,
                         header=text, value=text, code="duplicate_column",
                         first=t.columns[col.key][1])
                continue
            t.columns[col.key] = (j, col_letter(col_no), text)
            if how == "zh":
                t.zh_headers += 1
            else:
                t.en_headers += 1
        if spec.key == "Customers" and self.first_customers_table is None:
            self.first_customers_table = t
        self._fill_merged(data, hi)
        if spec.key == "Settings":
            self._read_settings(t, data, hi)
        else:
            self._read_rows(t, data, hi, book)

    @staticmethod
    def _fill_merged(data: SheetData, hi: int) -> None:
        """Copy a merged cell's value into the whole merged area of the data.

        People merge cells to group rows ("C001" once for three sales rows);
        they read as the same value on every row, and so does kamreport.
        Merges that start in or above the header are left alone.
        """
        rows = data.rows
        if not data.merged or not rows:
            return
        width = len(rows[0])
        header_row = data.first_row + hi
        # Excel never writes overlapping merges, so together they cover at
        # most the sheet once; a file that claims more (thousands of merges
        # over the same area) is not allowed to turn this into a long loop.
        budget = len(rows) * width
        for r0, c0, r1, c1 in data.merged:
            if r0 <= header_row:
                continue
            i0, j0 = r0 - data.first_row, c0 - data.first_col
            if not (0 <= i0 < len(rows) and 0 <= j0 < width):
                continue
            i1 = min(r1 - data.first_row + 1, len(rows))
            j1 = min(c1 - data.first_col + 1, width)
            budget -= (i1 - i0) * (j1 - j0)
            if budget < 0:
                break
            v = rows[i0][j0]
            if v == "":
                continue
            for i in range(i0, i1):
                row = rows[i]
                for j in range(j0, min(j1, len(row))):
                    if row[j] == "":
                        row[j] = v

    def _read_rows(self, t: _Table, data: SheetData, hi: int, book: Book) -> None:
        spec, ref, path, fi = t.spec, t.ref, t.path, t.file_index
        cols = sorted((t.columns[c.key][0], c) for c in spec.columns if c.key in t.columns)
        parsers = tuple(values.parser_for(c, book.epoch) for _, c in cols)
        meta = [(data.first_col + j, t.columns[c.key][2]) for j, c in cols]
        add, rows, first_row = self.add, data.rows, data.first_row

        def problem(i: int, k: int, raw: Any, code: str, params: dict, required: bool) -> None:
            col_no, header = meta[k]
            add(ERROR if required else WARNING, fi, ref.index, path, ref.name, first_row + i, col_no,
                header, values.cell_text(raw), code, "rejected" if required else "blank", **params)

        tables = tuple(values.enum_table(c.enum) if c.enum else None for _, c in cols)
        read_rows = row_reader(RECORD_TYPES[spec.key], cols, t.columns["customer_id"][0])
        records, read, rejected = read_rows(
            rows, hi + 1, len(rows), path, ref.name, first_row, problem, _blank, BadValue, parsers, tables,
            t.shells, self.same)
        if spec.key == "Customers":
            records, duplicates = self._first_customers(t, records)
            rejected += duplicates
        t.records = records
        counts = self.counts.setdefault(spec.key, [0, 0, 0])
        counts[0] += read
        counts[1] += len(records)
        counts[2] += rejected

    def _first_customers(self, t: _Table, records: list[Any]) -> tuple[list[Any], int]:
        """Keep the first row of each customer_id, across all workbooks."""
        first_seen = self.customer_first
        j, letter, header = t.columns["customer_id"]
        keep = []
        for rec in records:
            first = first_seen.get(rec.customer_id)
            if first is not None:
                self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, rec.loc.row, _col_no(letter),
                         header, rec.customer_id, "duplicate_id", "rejected", first=_where(first, letter))
                continue
            first_seen[rec.customer_id] = rec.loc
            keep.append(rec)
        return keep, len(records) - len(keep)

    def _read_settings(self, t: _Table, data: SheetData, hi: int) -> None:
        """Settings rows pass through as (key, value-text, Loc).

        The engine's settings stage judges keys and values (SPEC §5: a bad
        one is a warning and the default stands). A blank value passes
        through as "" for the same reason, though schema marks the column
        required (it is required in the header, not in every row).
        """
        ref, path, fi = t.ref, t.path, t.file_index
        kj, k_letter, k_header = t.columns["key"]
        vj, v_letter, _ = t.columns["value"]
        counts = self.counts.setdefault("Settings", [0, 0, 0])
        for i in range(hi + 1, len(data.rows)):
            row = data.rows[i]
            if _blank(row):
                continue
            counts[0] += 1
            key = values.parse_text(row[kj]) if not isinstance(row[kj], CellError) else None
            raw = row[vj]
            value = raw.text() if isinstance(raw, CellError) else (values.parse_text(raw) or "")
            if not key:
                self.add(ERROR, fi, t.ref.index, path, ref.name, data.first_row + i, data.first_col + kj,
                         k_header, value, "settings_no_key", "rejected")
                counts[2] += 1
                continue
            loc = Loc(path, ref.name, data.first_row + i, v_letter)
            self.settings.append((key, value, loc))
            counts[1] += 1

    # -- across workbooks ----------------------------------------------------
    def check_customer_ids(self) -> None:
        """Reject rows whose customer_id is not an accepted Customers row."""
        known = self.customer_first
        for t in self.tables:
            if t.spec.key in ("Customers", "Settings") or not t.records:
                continue
            j, letter, header = t.columns["customer_id"]
            col_no = _col_no(letter)
            keep = [r for r in t.records if r.customer_id in known]
            if len(keep) == len(t.records):
                continue
            counts = self.counts[t.spec.key]
            for r in t.records:
                if r.customer_id not in known:
                    self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, r.loc.row, col_no,
                             header, r.customer_id, "unknown_customer", "rejected")
                    counts[1] -= 1
                    counts[2] += 1
            t.records = keep

    def language(self) -> str:
        if self.lang:
            return self.lang
        t = self.first_customers_table
        if t is not None:
            return "zh" if t.zh_headers > t.en_headers else "en"
        return "zh" if self.sheet_names_zh else "en"


def _where(loc: Loc, letter: str) -> str:
    return f"{loc.file}:{loc.sheet}!{letter}{loc.row}"


def _col_no(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n


def _blank(row: list[Any]) -> bool:
    """A row with nothing but empty or white-space cells."""
    for v in row:
        if v == "":
            continue
        if type(v) is str and not v.strip():
            continue
        return False
    return True


def read_workbooks(paths: Iterable[str], lang: str | None = None) -> model.Dataset:
    """Read and validate workbooks, in order, into one Dataset (SPEC §1)."""
    # A full sheet creates tens of millions of objects and no reference
    # cycles; the cyclic collector would rescan them again and again as
    # they pile up (it more than doubled the read time). Pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_workbooks(paths, lang)
    finally:
        if was_enabled:
            gc.enable()


def _read_workbooks(paths: Iterable[str], lang: str | None) -> model.Dataset:
    paths = [str(p) for p in paths]
    r = _Reader(paths, lang)
    inputs = tuple(model.InputFile(p, _sha256(p)) for p in paths)
    for fi, path in enumerate(paths):
        r.read_file(fi, path)

    all_files = paths[0] if len(paths) == 1 else ", ".join(paths)
    fatal_file = any(p.severity == FATAL for p in r.problems)
    present = {t.spec.key for t in r.tables}
    if not fatal_file:
        for spec in (schema.CUSTOMERS, schema.SALES):
            if spec.key not in present and not any(
                    p.code == "missing_columns" and p.sheet and schema.find_sheet(p.sheet) is spec
                    for p in r.problems):
                r.add(FATAL, len(paths), 0, all_files, code="missing_sheet", name=spec.key, name_zh=spec.zh)
    fatal = any(p.severity == FATAL for p in r.problems)
    if not fatal:
        r.check_customer_ids()

    sales_tables = [t for t in r.tables if t.spec.key == "Sales"]
    has_gp = any("gross_profit" in t.columns for t in sales_tables)
    if sales_tables and not has_gp:
        t = sales_tables[0]
        r.add(WARNING, t.file_index, t.ref.index, t.path, t.ref.name, code="no_gross_profit")

    lang_out = r.language()
    if fatal:
        # Nothing is built, and the fatal problem is what the user must fix
        # first: report only the fatal ones ("one clear line").
        r.problems = [p for p in r.problems if p.severity == FATAL]
    r.problems.sort(key=lambda p: p.order)
    problems = tuple(_finish(p, lang_out) for p in r.problems)
    if fatal:
        return model.Dataset(inputs=inputs, problems=problems, has_gross_profit=has_gp, language=lang_out)

    collected: dict[str, list[Any]] = {k: [] for k in DATASET_FIELD}
    for t in r.tables:
        if t.spec.key in collected:
            collected[t.spec.key].extend(t.records)
    rows = {k: model.SheetCount(*v) for k, v in r.counts.items()}
    for spec in (schema.CUSTOMERS, schema.SALES):
        rows.setdefault(spec.key, model.SheetCount())
    return model.Dataset(
        inputs=inputs,
        settings=tuple(r.settings),
        rows={s.key: rows[s.key] for s in schema.SHEETS if s.key in rows},
        problems=problems,
        has_gross_profit=has_gp,
        language=lang_out,
        **{DATASET_FIELD[k]: tuple(v) for k, v in collected.items()},
    )


def _finish(p: _Problem, lang: str) -> Problem:
    if p.code == "missing_columns":
        info = p.params.get("closest") or {}
        hint = ""
        if info:
            hint = messages.message("closest", lang, row=info["row"],
                                    found=", ".join(info["found"]), missing=", ".join(info["missing"]))
        p.params = dict(p.params, closest=hint)
    return p.finish(lang)
