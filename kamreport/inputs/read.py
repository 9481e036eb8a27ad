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

import contextlib
import dataclasses
import difflib
import functools
import gc
import hashlib
import itertools
import math
import operator
import os
import re
import unicodedata
from dataclasses import MISSING, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Iterator

from . import headers, mapping, messages, schema, synonyms, values, wide
from .. import model
from ..model import ERROR, FATAL, INFO, WARNING, Loc, Problem
from .values import BadValue, CellError
from .csvfile import CsvBook, is_csv
from .xlsx import Book, BadWorkbook, SheetData, SheetRef, SheetScan, col_letter, read_sheet, scan_sheet

HEADER_ROWS = 30          # the header row is among the first 30 rows (SPEC §1 v1.1)

# Columns that say how to read a row rather than hold a field (SPEC §1
# "Status", §1 month with a year column, money with a currency column).
CONTROL_COLUMNS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "status": (frozenset({"Sales", "Activities"}), ("状态", "单据状态", "订单状态", "status", "document status")),
    "stage": (frozenset({"Sales"}), ("阶段", "商机阶段", "销售阶段", "stage", "deal stage", "opportunity stage")),
    "year": (frozenset({"Sales"}), ("年", "年份", "年度", "year")),
    "currency": (frozenset({"Sales", "Customers"}), ("币种", "币别", "货币", "currency")),
    # A customer's name where a sheet has no customer_id: rows match by name.
    "customer_name": (frozenset({"Sales", "Activities", "Contacts", "Surveys", "Plans", "Competitors"}),
                      synonyms.CUSTOMER_NAME),
}
_CONTROL_BY_NAME = {schema.fold(n): key for key, (_, names) in CONTROL_COLUMNS.items() for n in names}
VOID_WORDS = frozenset(schema.fold(w) for w in (
    "作废", "已作废", "无效", "取消", "已取消", "删除", "已删除", "void", "voided", "cancelled", "canceled", "deleted"))
WON_WORDS = frozenset(schema.fold(w) for w in ("Closed Won", "Won", "赢单", "已成交", "成交", "已赢单"))
NUMERIC_TYPES = frozenset({schema.MONEY, schema.MONEY_POS, schema.NUMBER_POS, schema.NUMBER_0_10})
_SCALE_WORD = {Decimal(10**3): "千", Decimal(10**4): "万", Decimal(10**6): "百万", Decimal(10**7): "千万",
               Decimal(10**8): "亿", Decimal(10**9): "bn"}
DOC_SHEETS = {"readme", "说明", "使用说明", "填写说明", "instructions"}

RECORD_TYPES: dict[str, type] = {
    "Customers": model.Customer, "Sales": model.Sale, "Activities": model.Activity,
    "Contacts": model.Contact, "Surveys": model.Survey, "Plans": model.Plan,
    "Competitors": model.Competitor, "Targets": model.TargetRow, "Staff": model.Staff,
}
DATASET_FIELD = {
    "Customers": "customers", "Sales": "sales", "Activities": "activities",
    "Contacts": "contacts", "Surveys": "surveys", "Plans": "plans",
    "Competitors": "competitors", "Staff": "staff",
}


# A loaded sheet up to this much XML waits for the next sheet's parse
# window to have its rows read (read_data_sheets).
LATER_BYTES = 64 << 20


class _Later:
    """At most one deferred call, run once by whichever run() comes first."""
    __slots__ = ("fn",)

    def __init__(self) -> None:
        self.fn: Callable[[], None] | None = None

    def set(self, fn: Callable[[], None]) -> None:
        self.fn = fn

    def run(self) -> None:
        fn, self.fn = self.fn, None
        if fn is not None:
            fn()


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
        self.record_ids: set[str] | None = None          # wide: the records' ids, gathered a row at a time
        self.units: dict[str, headers.Unit] = {}         # key -> unit from the header
        self.control: dict[str, int] = {}                # status / stage / year / currency -> index in row
        self.log_type: str | None = None                 # visit / call: a visit log's rows without a type
        self.by_name = False                             # customers matched by name (no customer_id column)
        self.wide = False                                # a column per month (records: one per month cell)
        self.months: tuple[str, ...] = ()                # wide: the months found
        self.month_cols: set[int] = set()                # wide: the month columns' indexes
        self.skipped_why: dict[str, int] = {}            # void / stage / totals / footers / copies -> rows


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

def match_column(spec: schema.Sheet, header: Any) -> tuple[schema.Column | None, str]:
    """The column a header names, and whether it was written in zh or en.

    Also accepts bilingual headers such as "客户编号 / Customer ID" or
    "客户编号\\nCustomer ID" by trying each part, and headers with a unit or
    a qualifier (headers.py).
    """
    text = values.cell_text(header).strip()
    if not text:
        return None, ""
    h = headers.analyse(text, spec)
    return h.column, h.lang


def _header_fields(row: list[Any], spec: schema.Sheet, log: str | None = None,
                   lookup: Callable[[str], Any] | None = None) -> set[str]:
    """The column keys a header row holds, with the stand-ins of SPEC §1.5:
    a customer name for customer_id (matching by name; in Customers the name
    is the id), a visit log's missing type, a target for a revenue."""
    found: set[str] = set()
    names = False
    for v in row:
        if v == "" or isinstance(v, CellError):
            continue
        if lookup is None and v.__class__ is not str:
            continue        # a number or date is a value (a wide sheet's months are found by wide.py)
        col = None
        if lookup is not None:
            e = lookup(values.cell_text(v).strip())
            if e is not None:
                col = next((c for c in spec.columns if schema.fold(e.field) in (schema.fold(c.key), schema.fold(c.zh))),
                           None)
                if col is None:
                    continue
        if col is None:
            col, _ = match_column(spec, v)
        if col is not None:
            found.add(col.key)
        elif spec.key not in ("Customers", "Settings") and _CONTROL_BY_NAME.get(schema.fold(values.cell_text(v))) == "customer_name":
            names = True
    if spec.key == "Sales" and "target" in found:
        found.add("revenue")        # a target-only sheet (SPEC §4 Targets)
    if spec.key == "Customers" and "name" in found:
        found.add("customer_id")
    if names:
        found.add("customer_id")
    if log and spec.key == "Activities":
        found.add("type")
    return found


def _find_header(rows: list[list[Any]], first_row: int, spec: schema.Sheet,
                 log: str | None = None, lookup: Callable[[str], Any] | None = None) -> tuple[int, dict] | tuple[None, dict]:
    """Index of the header row (first of the first 30 with every required column)."""
    required = {c.key for c in spec.required_columns}
    best: tuple[int, set[str]] | None = None
    for i in range(max(0, min(len(rows), HEADER_ROWS - first_row + 1))):
        found = _header_fields(rows[i], spec, log, lookup)
        if required <= found:
            return i, {}
        if found & required and (best is None or len(found & required) > len(best[1] & required)):
            best = (i, found)
    info: dict[str, Any] = {}
    if best is not None:
        i = best[0]
        info = {"row": first_row + i, "found": sorted(best[1] & required),
                "missing": sorted(required - best[1]),
                "headers": [values.cell_text(v) for v in rows[i] if v != "" and not isinstance(v, CellError)]}
    return None, info


def kind_by_headers(rows: list[list[Any]], first_row: int,
                    candidates: list[schema.Sheet]) -> tuple[schema.Sheet | None, list[schema.Sheet]]:
    """The kind whose required columns a header row holds (SPEC §1.5): the
    one that matches most columns; a tie -> (None, the tied kinds)."""
    best: list[tuple[int, schema.Sheet]] = []
    for i in range(max(0, min(len(rows), HEADER_ROWS - first_row + 1))):
        for spec in candidates:
            if spec is schema.SETTINGS or spec is schema.STAFF:
                # A Staff sheet is found by its name only: its one required
                # column (a person's name) is in too many other tables.
                continue
            found = _header_fields(rows[i], spec)
            if {c.key for c in spec.required_columns} <= found:
                best.append((len(found), spec))
        if best:
            # month and revenue mean Sales, even beside customer columns (a flat export).
            if any(sp is schema.SALES for _, sp in best):
                return schema.SALES, []
            top = max(n for n, _ in best)
            winners = [sp for n, sp in best if n == top]
            return (winners[0], []) if len(winners) == 1 else (None, winners)
    return None, []


# ---------------------------------------------------------------------------
# The row loop, generated per table

_new = object.__new__
_CUSTOMER_ID = operator.attrgetter("customer_id")


def _is_tuple_record(cls: type) -> bool:
    """A named-tuple record (model.Sale), built in one call rather than a slot at a time."""
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _field_names(cls: type) -> list[str]:
    return list(cls._fields) if _is_tuple_record(cls) else [f.name for f in fields(cls)]


def _defaults(cls: type) -> dict[str, Any]:
    if _is_tuple_record(cls):
        return dict(cls._field_defaults)
    out = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
    return out


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """Writes field `name` of a frozen slots record in place (its slot's
    descriptor; the frozen __setattr__ is for users of finished records)."""
    return cls.__dict__[name].__set__


def _with_customer_id(cls: type) -> Callable[[Any, str], Any]:
    """(record, id) -> the record with that customer_id: a new tuple, or the
    same slots record with its field set in place (nothing else holds it yet)."""
    if _is_tuple_record(cls):
        return lambda rec, cid: rec._replace(customer_id=cid)
    set_id = _setter(cls, "customer_id")

    def in_place(rec: Any, cid: str) -> Any:
        set_id(rec, cid)
        return rec
    return in_place


def _prebuild_records(out: list[Any], cls: type, file: str, sheet: str, scan: Any) -> None:
    """Build an empty record of `cls`, with its Loc, for every row, ahead.

    Called while calamine parses the sheet in another thread without the
    GIL (xlsx.read_sheet's `meanwhile`): this thread would otherwise only
    wait, and allocating the record and its Loc was more than half of the
    row loop (≈1 s of it on a full 1,048,575-row sheet). `out[r]` is the
    record of Excel row r, with only its loc set; the row loop sets every
    other field (for a named-tuple record, Sale, `out[r]` is its Loc). Each
    row is read once per table, so each record is used at most once; those
    of blank or rejected rows are dropped.

    Bounded by the sheet's XML size as well as its last row: a stray
    `<row r="1048576">` in a small sheet must not cost a million objects
    (a real row takes well over 64 bytes of XML, a full 8-column row ~275).
    """
    n = min(scan.max_row, scan.bytes // 64, 1 << 20)
    out.append(None)                 # there is no row 0
    locs = _locs(file, sheet, range(1, n + 1))
    if _is_tuple_record(cls):
        out.extend(locs)             # a tuple is made whole by the row loop: only its Loc ahead
        return
    new, set_loc, append = _new, _setter(cls, "loc"), out.append
    for loc in locs:
        obj = new(cls)
        set_loc(obj, loc)
        append(obj)


def _locs(file: str, sheet: str, rows: Iterable[int]) -> list[Loc]:
    """The Loc of each of `rows`, made through the slots (what Loc(file,
    sheet, r) makes, without its __init__: a million of them on a full sheet)."""
    new, Loc_ = _new, Loc
    set_file, set_sheet, set_row, set_column = (_setter(Loc, f) for f in ("file", "sheet", "row", "column"))
    out = []
    append = out.append
    for r in rows:
        loc = new(Loc_)
        set_file(loc, file)
        set_sheet(loc, sheet)
        set_row(loc, r)
        set_column(loc, "")
        append(loc)
    return out


# A Sales sheet wider than A:Z is most likely a column per month (SPEC
# §1.5); scan_sheet's fast pass measures only columns beyond Z.
WIDE_COLS = 26


def _sales(months: list[date], revenue: list[float], cids: list[str], locs: list[Loc],
           products: list[str | None], sizes: list[int]) -> list[Any]:
    """A wide sheet's Sale records, one per month cell: one map() making
    each tuple from zip() of its fields.

    `months` and `revenue` are per cell; `cids`, `locs` and `products` per
    source row, whose `sizes` cells they stand for. 10,000 customers × 36
    months are 360,000 records: a Python loop building them one by one took
    as long as calamine's parse of the sheet."""
    def per_row(column: list[Any]) -> Iterator[Any]:
        return itertools.chain.from_iterable(map(itertools.repeat, column, sizes))
    given: dict[str, Iterable[Any]] = {"customer_id": per_row(cids), "month": months, "revenue": revenue,
                                       "loc": per_row(locs)}
    if products.count(None) != len(products):
        given["product"] = per_row(products)
    columns = [given[name] if name in given else itertools.repeat(model.Sale._field_defaults[name])
               for name in model.Sale._fields]
    return list(map(tuple.__new__, itertools.repeat(model.Sale), zip(*columns)))


def _check_buildable(cls: type, given: set[str]) -> None:
    """The generated loop sets slots (or makes a named tuple) and nothing
    else: refuse a record type it would build wrong instead of building it
    silently so — one without slots or not frozen, a `default_factory`,
    `init=False`, a `__post_init__`, or a field without a default that no
    column gives (its rows would fail at the first record)."""
    if _is_tuple_record(cls):
        # typing.NamedTuple allows no __new__ or __init__ of its own: the
        # generated loop's tuple.__new__ is what the constructor does.
        problems = [f"{n}: no column and no default" for n in cls._fields
                    if n != "loc" and n not in given and n not in cls._field_defaults]
        if "loc" not in cls._fields:
            problems.append("no loc field")
        if problems:
            raise TypeError(f"row_reader cannot build {cls.__name__}: " + "; ".join(problems))
        return
    params = getattr(cls, "__dataclass_params__", None)
    problems = []
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        problems.append("not a frozen slots dataclass")
    if hasattr(cls, "__post_init__"):
        problems.append("has __post_init__")
    for f in fields(cls):
        if f.default_factory is not MISSING:
            problems.append(f"{f.name}: default_factory")
        if not f.init:
            problems.append(f"{f.name}: init=False")
        if f.name != "loc" and f.name not in given and f.default is MISSING and f.default_factory is MISSING:
            problems.append(f"{f.name}: no column and no default")
    if problems:
        raise TypeError(f"row_reader cannot build {cls.__name__}: " + "; ".join(problems))


def row_reader(cls: type, columns: list[tuple[int, schema.Column]], id_index: int,
               slow: frozenset[str] = frozenset()) -> Callable[..., Any]:
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

    Columns in `slow` (keys) always go to their parser: a unit in the
    header, or currencies to convert, change what a plain number means.

    `columns` = (index in row, Column) in sheet order. The function returns
    (records, read, rejected) and reports bad cells through
    `problem(i, k, raw, code, params, required)`, k indexing `columns`.
    """
    _check_buildable(cls, {c.key for _, c in columns})
    defaults = _defaults(cls)
    names = _field_names(cls)
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
        if name in slow:
            fast = []
        elif t in (schema.ID, schema.TEXT):
            fast = [f"if v.__class__ is str:", f"    x{k} = same(v, v.strip() or None)"]
        elif t == schema.MARKDOWN:
            fast = [f"if v.__class__ is str:", f"    x{k} = v.strip() or None"]
        elif t == schema.DATE:
            fast = [f"if v.__class__ is date and LO <= v <= HI:", f"    x{k} = same(v, v)"]
        elif t == schema.MONTH:
            fast = [f"if v.__class__ is date and LO <= v <= HI:", f"    x{k} = v if v.day == 1 else v.replace(day=1)",
                    f"    x{k} = same(x{k}, x{k})"]
        elif t == schema.MONEY:
            # |x| >= 10^15 (and inf, nan) go to the parser, which refuses them.
            fast = [f"if v.__class__ is float and -1e15 < v < 1e15:", f"    x{k} = v"]
        elif t == schema.MONEY_POS:
            fast = [f"if v.__class__ is float and 0.0 <= v < 1e15:", f"    x{k} = v"]
        elif t == schema.NUMBER_POS:
            fast = [f"if v.__class__ is float and 0.0 <= v < 1e15:", f"    x{k} = same(v, v)"]
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
    fields_in_order = ", ".join("loc" if n == "loc" else f"x{given[n]}" if n in given else f"D_{n}" for n in names)
    make = [
        # L[r] is the Loc of Excel row r when it was built ahead (_prebuild_records).
        "        loc = L[r] if r < nloc else Loc(file, sheet, r)",
        f"        append(new_tuple(cls, ({fields_in_order},)))",
    ] if _is_tuple_record(cls) else [
        # L[r] is the record of Excel row r when it was built ahead
        # (_prebuild_records): set every field but loc.
        "        if r < nloc:",
        "            obj = L[r]",
        *("            " + x for x in sets),
        "        else:",
        "            obj = new(cls)",
        *("            " + x for x in sets),
        "            S_loc(obj, Loc(file, sheet, r))",
        "        append(obj)",
    ]
    lines += [
        "        if not ok:",
        "            rejected += 1",
        "            continue",
        "        r = first_row + i",
        *make,
        "    return out, read, rejected",
    ]
    namespace: dict[str, Any] = {f"D_{k}": v for k, v in defaults.items()}
    if not _is_tuple_record(cls):
        namespace.update({f"S_{n}": _setter(cls, n) for n in names})
    namespace.update(new=_new, new_tuple=tuple.__new__, cls=cls, Loc=Loc, date=date, BAD=object(),
                     LO=values.FIRST_DATE, HI=values.LAST_DATE)
    exec(compile("\n".join(lines), f"<kamreport row reader {cls.__name__}>", "exec"), namespace)
    return namespace["read_rows"]


# ---------------------------------------------------------------------------
# The reader

class _Reader:
    def __init__(self, paths: list[str], lang: str | None, map_file: str | None = None) -> None:
        self.paths = paths
        self.map_file = map_file
        self.lang = lang
        self.problems: list[_Problem] = []
        self.seq = 0
        self.tables: list[_Table] = []
        self.counts: dict[str, list[int]] = {}          # sheet key -> [read, accepted, rejected, skipped]
        self.same: dict = {}        # one object per repeated cell value (see row_reader)
        self.customer_first: dict[str, Loc] = {}        # customer_id -> first accepted row
        self.customer_fold: dict[str, str] = {}         # fold_id(customer_id) -> customer_id
        self.staff_first: dict[str, Loc] = {}           # fold_name(Staff name) -> first accepted row
        self.settings: list[tuple[str, str, Loc]] = []
        self.first_customers_table: _Table | None = None
        self.sheet_names_zh = 0
        self.ctx = values.Context()
        self.mapping = mapping.Mapping()
        self.flat: list[tuple[_Table, list[Any], list[_Problem]]] = []   # see _flat_customers
        self.named_customers = False                    # a sheet is named Customers (or a synonym)

    # -- problems ------------------------------------------------------------
    def add(self, severity: str, fi: int, sheet_index: int, path: str, sheet: str = "",
            row: int | None = None, col: int = 0, header: str = "", value: str = "",
            code: str = "", effect: str = "", **params: Any) -> None:
        self.seq += 1
        order = (fi, sheet_index, row or 0, col, self.seq)
        self.problems.append(_Problem(order, severity, path, sheet, row,
                                      col_letter(col) if col else "", header, value, code, params, effect))

    def count(self, key: str) -> list[int]:
        return self.counts.setdefault(key, [0, 0, 0, 0])

    # -- the workbooks -------------------------------------------------------
    def read_files(self, files: list[tuple[int, str]]) -> None:
        """Settings sheets of every workbook first: date_order, fx_<CODE> and
        currency decide how the other sheets' cells read (SPEC §5)."""
        with contextlib.ExitStack() as stack:
            books: list[tuple[int, str, Book]] = []
            for fi, path in files:
                try:
                    book = stack.enter_context(CsvBook(path) if is_csv(path) else Book(path))
                    for ref in book.sheets:
                        if mapping.is_columns_sheet(ref.name):
                            self.read_columns(fi, path, book, ref, from_map=False)
                            continue
                        spec = _kind(book, ref)
                        if spec is schema.SETTINGS:
                            self.read_sheet(fi, path, book, ref, spec)
                except BadWorkbook as e:
                    self.add(FATAL, fi, -1, path, code=e.code, **e.params)
                    continue
                books.append((fi, path, book))
            self.ctx = self._context()
            # A flat export's customers are needed only when no sheet is Customers:
            # don't read a big Sales sheet twice when one is named so.
            self.named_customers = any(_kind(book, ref) is schema.CUSTOMERS and not ref.hidden
                                       for _, _, book in books for ref in book.sheets)
            if self.map_file:
                self.read_map(self.map_file)
            for fi, path, book in books:
                try:
                    self.read_data_sheets(fi, path, book)
                except BadWorkbook as e:
                    self.add(FATAL, fi, -1, path, code=e.code, **e.params)

    def read_data_sheets(self, fi: int, path: str, book: Any) -> None:
        """Every sheet of the book but Settings and Columns, in order.

        A sheet's rows are read while calamine parses the next sheet (its
        `meanwhile` window, when this thread would otherwise mostly wait):
        a Customers sheet of 10,000 rows was a tenth of a wide read. Rows are
        still read a sheet at a time in workbook order, so tables, counts
        and problems come out as before; a big sheet is read at once, so that
        two big sheets are not held in memory together."""
        later = _Later()
        try:
            for ref in book.sheets:
                if mapping.is_columns_sheet(ref.name):
                    continue
                kind = self.mapping.kind(ref.name) if self.mapping else None
                spec = schema.find_sheet(kind) if kind else _kind(book, ref)
                if spec is schema.SETTINGS:
                    continue
                if ref.hidden:
                    # A hidden "Sales (old)" is a backup, not data (SPEC §1).
                    book.check_prolog(ref.part)
                    self.add(INFO, fi, ref.index, path, ref.name, code="hidden_sheet", name=ref.name)
                    continue
                if spec is None and schema.fold(ref.name) in DOC_SHEETS:
                    # A README sheet (kamreport's own template has one) is
                    # documentation, not data.
                    book.check_prolog(ref.part)
                    continue
                loaded = self.load_sheet(book, ref, spec, path, meanwhile=later.run)
                later.run()          # if the sheet had no parse window
                take = functools.partial(self.take_sheet, fi, path, book, ref, spec, loaded)
                if loaded[0].bytes <= LATER_BYTES:
                    later.set(take)
                else:
                    take()
        except BadWorkbook:
            later.run()          # the sheets before the broken one are read, as they were before it
            raise
        later.run()

    def read_columns(self, fi: int, path: str, book: Any, ref: SheetRef, from_map: bool) -> None:
        """A Columns sheet's entries (SPEC §1.5 "The Columns sheet")."""
        if isinstance(book, CsvBook):
            data = book.data
        else:
            scan = scan_sheet(book, ref)
            data = read_sheet(book, ref, scan)
        for e in mapping.entries_from_rows(data.rows, path, ref.name, data.first_row, from_map):
            self.mapping.add(e)

    def read_map(self, path: str) -> None:
        """The --map FILE: a .csv, or an .xlsx whose Columns sheet (else its first sheet) maps."""
        fi = len(self.paths)
        try:
            with (CsvBook(path) if is_csv(path) else Book(path)) as book:
                refs = [r for r in book.sheets if mapping.is_columns_sheet(r.name)] or book.sheets[:1]
                for ref in refs:
                    self.read_columns(fi, path, book, ref, from_map=True)
        except BadWorkbook as e:
            self.add(FATAL, fi, -1, path, code=e.code, **e.params)

    def spread_targets(self, t: _Table) -> list[model.Target]:
        """A Targets row's period -> its months: a month, a quarter (2026Q3,
        2026-Q3, 2026年第三季度) or a year (2026, 2026年) spread evenly (SPEC §4)."""
        out: list[model.Target] = []
        j, letter, header = t.columns["period"]
        for rec in t.records:
            months = period_months(rec.period)
            if months is None:
                self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, rec.loc.row, _col_no(letter),
                         header, rec.period, "not_period", "rejected")
                counts = self.count("Targets")
                counts[1] -= 1
                counts[2] += 1
                continue
            share = float(Decimal(repr(rec.target)) / len(months))
            out.extend(model.Target(rec.customer_id, m, share, rec.loc) for m in months)
        return out

    def use_flat_customers(self) -> None:
        """No sheet is Customers: one flat export's rows give them — each
        customer once, from its first row; a different later value is a
        warning (SPEC §1.5). Its Customers count is the distinct customers."""
        if any(t.spec.key == "Customers" for t in self.tables) or not self.flat:
            return
        sales = self.flat[0][0]
        # Several flat exports (one a month) give their customers together.
        records = [rec for _, recs, _ in self.flat for rec in recs]
        found = [p for _, _, problems in self.flat for p in problems]
        customers = _Table(sales.file_index, sales.path, sales.ref, schema.CUSTOMERS)
        customers.header_row = sales.header_row
        customers.zh_headers, customers.en_headers = sales.zh_headers, sales.en_headers
        first: dict[str, Any] = {}
        differs: dict[str, tuple[Any, str]] = {}
        for rec in records:
            key = fold_id(rec.customer_id)
            seen = first.get(key)
            if seen is None:
                first[key] = rec
                continue
            for f in ("name", "industry", "region", "account_manager", "relationship_stage"):
                a, b = getattr(seen, f), getattr(rec, f)
                if b is not None and a is not None and a != b and seen.customer_id not in differs:
                    differs[seen.customer_id] = (rec, f)
        self.problems.extend(found)
        for cid, (rec, f) in differs.items():
            self.add(WARNING, sales.file_index, sales.ref.index, sales.path, sales.ref.name, rec.loc.row,
                     code="flat_differs", value=str(getattr(rec, f)), field=f, customer=cid,
                     first=str(getattr(first[fold_id(cid)], f)))
        customers.records = list(first.values())
        for rec in customers.records:
            self.customer_first[rec.customer_id] = rec.loc
            self.customer_fold.setdefault(fold_id(rec.customer_id), rec.customer_id)
        self.tables.insert(0, customers)
        self.first_customers_table = customers
        n = len(customers.records)
        self.counts["Customers"] = [n, n, 0, 0]
        self.add(INFO, sales.file_index, sales.ref.index, sales.path, sales.ref.name, row=sales.header_row,
                 code="flat_export", count=n)

    def mapping_problems(self) -> None:
        """Entries that matched nothing; entries --map overrode (warnings)."""
        for e in self.mapping.unused():
            self.add(WARNING, len(self.paths), 0, e.loc.file, e.loc.sheet, e.loc.row, code="mapping_unused",
                     value=" / ".join(x for x in (e.sheet, e.column, e.value) if x))
        for old, new in self.mapping.conflicts:
            self.add(WARNING, len(self.paths), 0, new.loc.file, new.loc.sheet, new.loc.row, code="mapping_conflict",
                     value=new.column or new.sheet, first=f"{old.loc.file}:{old.loc.sheet}!{old.loc.row}")

    def _context(self) -> values.Context:
        """The parsing context from the Settings rows (later workbooks win;
        settings.py reports bad values — here a bad one is just not used)."""
        order, currency, fx = "ymd", "CNY", {}
        for key, value, _ in self.settings:
            k = key.strip().casefold()
            v = values.normalise(value or "")
            if k == "date_order" and v.casefold() in values.DATE_ORDERS:
                order = v.casefold()
            elif k == "currency" and re.fullmatch(r"[A-Za-z]{3}", v):
                currency = v.upper()
            elif k.startswith("fx_") and re.fullmatch(r"[a-z]{3}", k[3:]):
                try:
                    rate = Decimal(v)
                except InvalidOperation:
                    continue
                if rate.is_finite() and rate > 0:
                    fx[k[3:].upper()] = rate
        return values.Context(date_order=order, currency=currency, fx=tuple(sorted(fx.items())))

    def read_sheet(self, fi: int, path: str, book: Book, ref: SheetRef, spec: schema.Sheet | None) -> None:
        """Read one sheet as `spec`; None: its name did not say, its headers decide."""
        self.take_sheet(fi, path, book, ref, spec, self.load_sheet(book, ref, spec, path))

    def load_sheet(self, book: Book, ref: SheetRef, spec: schema.Sheet | None, path: str,
                   meanwhile: Callable[[], None] | None = None) -> tuple[Any, SheetData, list[Any]]:
        """The sheet's scan and cells, and the empty records made while
        calamine parsed. `meanwhile` also runs in that window, when there is
        one (a CSV or a sheet too big for calamine has none)."""
        shells: list[Any] = []
        if isinstance(book, CsvBook):
            return SheetScan(), book.data, shells
        scan = scan_sheet(book, ref)
        cls = RECORD_TYPES.get(spec.key) if spec is not None else None
        prebuild: Callable[[], None] | None = None
        # A wide-looking Sales sheet (a column per month) has no row records to make ahead.
        if cls is not None and not (cls is model.Sale and scan.max_col > WIDE_COLS):
            prebuild = lambda: _prebuild_records(shells, cls, path, ref.name, scan)  # noqa: E731

        def window() -> None:
            if prebuild is not None:
                prebuild()
            if meanwhile is not None:
                meanwhile()
        return scan, read_sheet(book, ref, scan, meanwhile=window), shells

    def take_sheet(self, fi: int, path: str, book: Book, ref: SheetRef, spec: schema.Sheet | None,
                   loaded: tuple[Any, SheetData, list[Any]]) -> None:
        """Read the loaded sheet's rows as `spec` (None: its headers decide)."""
        scan, data, shells = loaded
        scan.maybe_totals = scan.maybe_totals or book.maybe_totals
        if spec is None:
            candidates = sheet_kinds(ref.name) or list(schema.SHEETS)
            if schema.SALES in candidates and _looks_wide(data.rows):
                spec, tied = schema.SALES, []      # a column per month: a wide Sales sheet
            else:
                spec, tied = kind_by_headers(data.rows, data.first_row, candidates)
            if spec is None:
                if tied:
                    self.add(FATAL, fi, ref.index, path, ref.name, code="ambiguous_sheet", name=ref.name,
                             kinds=" / ".join(f"{k.key} ({k.zh})" for k in tied))
                else:
                    self.add(INFO, fi, ref.index, path, ref.name, code="unknown_sheet", name=ref.name)
                return
            self.add(INFO, fi, ref.index, path, ref.name, code="sheet_by_headers", name=ref.name,
                     kind=spec.key, kind_zh=spec.zh)
        if ref.name == spec.zh:
            self.sheet_names_zh += 1
        table = _Table(fi, path, ref, spec)
        table.log_type = log_type(ref.name) if spec.key == "Activities" else None
        table.shells = shells
        if data.truncated_at_col:
            self.add(WARNING, fi, ref.index, path, ref.name, row=int(re.sub(r"\D", "", scan.far_cell) or 0),
                     col=scan.max_col, value="", code="sheet_truncated",
                     far_cell=scan.far_cell, last=col_letter(data.truncated_at_col))
        self.read_table(table, data, book, scan)
        table.shells = []        # the unused ones (blank, rejected rows)
        del data

    def read_table(self, t: _Table, data: SheetData, book: Book, scan: Any = None) -> None:
        spec, ref, path, fi = t.spec, t.ref, t.path, t.file_index
        rows = data.rows
        if not rows and not spec.required:
            return      # an optional sheet left completely empty: nothing to read
        lookup = (lambda h: self.mapping.column(ref.name, h)) if self.mapping else None
        hi, info = _find_header(rows, data.first_row, spec, t.log_type, lookup)
        if spec.key == "Sales" and self._try_wide(t, data, hi, lookup, scan):
            return
        if hi is None:
            cols = ", ".join(f"{c.key} ({c.zh})" for c in spec.required_columns)
            # The "closest" hint is worded in _finish, once the language is known.
            self.add(FATAL, fi, ref.index, path, ref.name, row=info.get("row"), code="missing_columns",
                     columns=cols, closest=info, rows=HEADER_ROWS)
            return
        t.header_row = data.first_row + hi
        if not self._map_columns(t, data, hi):
            return
        self.tables.append(t)
        if spec.key == "Customers" and self.first_customers_table is None:
            self.first_customers_table = t
        once = {j for key, (j, _, _) in t.columns.items() if spec.column(key).type in NUMERIC_TYPES}
        self._fill_merged(data, hi, once)
        if spec.key == "Settings":
            self._read_settings(t, data, hi)
            return
        if scan is not None:
            self._hidden_rows(t, data, hi, scan)
            self._format_units(t, data, hi, scan)
        skipped = self._prepare_rows(t, data, hi, scan is None or scan.maybe_totals)
        if spec.key == "Sales" and not self.named_customers:
            self._flat_customers(t, data, hi)
        self._read_rows(t, data, hi, book)
        counts = self.count(spec.key)
        counts[0] += skipped
        counts[3] += skipped

    def _map_columns(self, t: _Table, data: SheetData, hi: int) -> bool:
        """Header cells -> columns, units and control columns; False when a
        header is fatal (an unreadable unit, two columns for one field)."""
        spec, ref, path, fi = t.spec, t.ref, t.path, t.file_index
        header = data.rows[hi]
        unknown: list[str] = []
        unknown_at = 0
        prior: list[str] = []
        ok = True
        for j, v in enumerate(header):
            if v == "" or v is None:
                continue
            col_no = data.first_col + j
            text = values.cell_text(v).strip()
            if not text:
                continue

            def at(severity: str, code: str, **params: Any) -> None:
                self.add(severity, fi, ref.index, path, ref.name, row=t.header_row, col=col_no,
                         header=text, value=text, code=code, **params)

            entry = self.mapping.column(ref.name, text) if self.mapping else None
            if entry is not None:
                h = self._mapped(entry, spec, at)
                if h is None:
                    continue
            else:
                h = headers.analyse(text, spec)
            control = _CONTROL_BY_NAME.get(schema.fold(text))
            if h.column is None and control and spec.key in CONTROL_COLUMNS[control][0]:
                if control in t.control:
                    first_j = t.control[control]
                    at(FATAL, "duplicate_column", first=col_letter(data.first_col + first_j),
                       first_header=values.cell_text(header[first_j]))
                    ok = False
                t.control[control] = j
                continue
            if h.unreadable and (h.column is not None or h.qualifier):
                at(FATAL, "unit_unreadable", unit=h.unreadable)
                ok = False
                continue
            if h.misplaced:
                at(FATAL, "unit_misplaced", unit=h.misplaced, column=h.column.key if h.column else "")
                ok = False
                continue
            if h.qualifier == "prior":
                prior.append(text)
                continue
            if h.column is None:
                unknown.append(text)
                unknown_at = unknown_at or col_no
                continue
            col = h.column
            if col.key in t.columns:
                # Two columns for one field and nothing to tell them apart:
                # taking either would be a guess (SPEC §1.5 Qualifiers).
                at(FATAL, "duplicate_column", first=t.columns[col.key][1], first_header=t.columns[col.key][2])
                ok = False
                continue
            t.columns[col.key] = (j, col_letter(col_no), text)
            if h.unit is not None:
                t.units[col.key] = h.unit
                at(INFO, "unit_applied", unit=h.unit.label, meaning=_unit_meaning(h.unit, self.ctx.currency))
            if h.lang == "zh":
                t.zh_headers += 1
            elif h.lang == "en":
                t.en_headers += 1
        if unknown:
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, col=unknown_at,
                     header=unknown[0], value=", ".join(unknown), code="unknown_columns",
                     names="、".join(unknown) if _has_cjk("".join(unknown)) else ", ".join(unknown),
                     table=ref.name, known={"en": ", ".join(c.key for c in spec.columns),
                                            "zh": "、".join(c.zh for c in spec.columns)})
        if prior:
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="prior_columns",
                     names=", ".join(prior))
        self._stand_ins(t, data, hi)
        missing = [c for c in spec.required_columns if c.key not in t.columns
                   and not (c.key == "revenue" and "target" in t.columns)]
        if ok and missing:
            # A required column was written with a qualifier only (销售额（去年）).
            self.add(FATAL, fi, ref.index, path, ref.name, row=t.header_row, code="missing_columns",
                     columns=", ".join(f"{c.key} ({c.zh})" for c in missing), closest={}, rows=HEADER_ROWS)
            ok = False
        return ok

    def _try_wide(self, t: _Table, data: SheetData, long_hi: int | None, lookup: Any, scan: Any) -> bool:
        """Read a wide Sales sheet (a column per month, SPEC §1.5); False when
        the sheet is not one (a long sheet has a month column)."""
        rows, spec, ref = data.rows, t.spec, t.ref
        layout = None
        for hi in range(max(0, min(len(rows), HEADER_ROWS - data.first_row + 1))):
            row = rows[hi]
            if hi > 0 and "customer_id" not in _header_fields(row, spec, None, lookup):
                # 客户编号 merged over two header rows, the months in the second.
                above = rows[hi - 1]
                row = [v if v != "" else (above[j] if j < len(above) else "") for j, v in enumerate(row)]
            found = _header_fields(row, spec, None, lookup)
            if "customer_id" not in found:
                continue
            if long_hi is not None and "month" in found:
                return False
            layout = wide.find_months(rows, hi)
            if layout is not None:
                if row is not rows[hi]:
                    rows[hi] = row
                break
            if long_hi is None and len(yearless := wide.yearless_months(row)) >= 2:
                self.add(FATAL, t.file_index, t.ref.index, t.path, t.ref.name, row=data.first_row + hi,
                         code="months_without_year", months=", ".join(yearless[:4]) + (" …" if len(yearless) > 4 else ""))
                return True
        if layout is None:
            return False
        fi, path = t.file_index, t.path
        t.header_row = data.first_row + hi
        t.wide = True
        header = rows[hi]
        month_cols = {m.index for m in layout.months}
        t.month_cols = month_cols
        unknown = []
        for j, v in enumerate(header):
            text = values.cell_text(v).strip()
            if not text or j in month_cols or text in layout.totals:
                continue
            h = headers.analyse(text, spec)
            if h.column is not None and h.column.key in ("customer_id", "product") and h.column.key not in t.columns:
                t.columns[h.column.key] = (j, col_letter(data.first_col + j), text)
            elif _CONTROL_BY_NAME.get(schema.fold(text)) == "customer_name" and "customer_name" not in t.control:
                t.control["customer_name"] = j
            elif not (spec.key == "Sales" and schema.fold(text) in (schema.fold(w) for w in synonyms.CUSTOMER_NAME)):
                unknown.append(text)
        self._stand_ins(t, data, hi)
        blocks = {m.block: m for m in reversed(layout.months)}
        for block, m in blocks.items():
            key = "revenue" if block == "revenue" else block
            t.columns.setdefault(key, (m.index, col_letter(data.first_col + m.index), m.header))
        found = sorted({m.month for m in layout.months})
        t.months = tuple(f"{m:%Y-%m}" for m in found)
        shown = ", ".join(f"{m:%Y-%m}" for m in found[:3]) + (f" … {found[-1]:%Y-%m}" if len(found) > 3 else "")
        self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="wide_layout",
                 count=len(layout.months), months=shown,
                 blocks=", ".join(sorted({m.block for m in layout.months})))
        if layout.totals:
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="wide_totals",
                     names=", ".join(layout.totals))
        if layout.ignored:
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="wide_ignored",
                     names=", ".join(layout.ignored[:12]) + (" …" if len(layout.ignored) > 12 else ""))
        # A Columns entry for a month header gives its block and unit.
        if self.mapping:
            months = []
            for m in layout.months:
                e = self.mapping.column(ref.name, m.header)
                if e is not None and schema.fold(e.field) in ("revenue", "销售额", "grossprofit", "毛利", "target", "目标"):
                    block = {"销售额": "revenue", "grossprofit": "gross_profit", "毛利": "gross_profit",
                             "目标": "target"}.get(schema.fold(e.field), schema.fold(e.field))
                    unit = headers.parse_unit(e.unit) if e.unit else None
                    m = wide.MonthColumn(m.index, m.month, block, m.header,
                                         unit if isinstance(unit, headers.Unit) else None)
                months.append(m)
            layout = dataclasses.replace(layout, months=tuple(months))
            for m in layout.months:
                if m.unit is not None:
                    t.units.setdefault(m.block, m.unit)
        if unknown:
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="unknown_columns",
                     names=", ".join(unknown), table=ref.name,
                     known={"en": ", ".join(c.key for c in spec.columns), "zh": "、".join(c.zh for c in spec.columns)})
        if layout.unit is not None:
            for key in blocks:
                t.units[key] = layout.unit
            self.add(INFO, fi, ref.index, path, ref.name, row=t.header_row, code="unit_applied",
                     header=layout.unit_label, unit=layout.unit_label,
                     meaning=_unit_meaning(layout.unit, self.ctx.currency))
        if "customer_id" not in t.columns:
            self.add(FATAL, fi, ref.index, path, ref.name, row=t.header_row, code="missing_columns",
                     columns="customer_id (客户编号)", closest={}, rows=HEADER_ROWS)
            return True
        self.tables.append(t)
        hi += layout.header_rows - 1          # a 目标 / 实际 row below the months is header too
        self._fill_merged(data, hi, month_cols)
        if scan is not None:
            self._hidden_rows(t, data, hi, scan)
        skipped = self._prepare_rows(t, data, hi, scan is None or scan.maybe_totals)
        if not self.named_customers:
            self._flat_customers(t, data, hi - layout.header_rows + 1, first=hi + 1)
        self._read_wide_rows(t, data, hi, layout)
        counts = self.count("Sales")
        counts[0] += skipped
        counts[3] += skipped
        return True

    def _read_wide_rows(self, t: _Table, data: SheetData, hi: int, layout: Any) -> None:
        """Each non-blank month cell is one Sales row at its month; the row
        accounting counts source rows (SPEC §1.5)."""
        rows, ref, path, fi = data.rows, t.ref, t.path, t.file_index
        ctx = self.ctx
        parse = {b: values.parser_for(schema.SALES.column("revenue" if b == "revenue" else b), ctx=ctx,
                                      unit=layout.unit) for b in ("revenue", "gross_profit", "target")}
        # A month column with its own unit (a Columns entry) has its own parser.
        own = {m.index: values.parser_for(schema.SALES.column(m.block), ctx=ctx, unit=m.unit)
               for m in layout.months if m.unit is not None}
        idj, id_letter, id_header = t.columns["customer_id"]
        pj = t.columns["product"][0] if "product" in t.columns else None
        letters = {m.index: col_letter(data.first_col + m.index) for m in layout.months}
        records: list[Any] = []
        read = rejected = 0
        Sale, Loc_ = model.Sale, Loc
        months = [m.month for m in layout.months]
        simple = [(m.index, m.month, m.header) for m in layout.months] \
            if all(m.block == "revenue" for m in layout.months) and len(set(months)) == len(months) \
            and not own else None
        rev_parse = parse["revenue"]
        plain = layout.unit is None and not ctx.fx and ctx.currency == "CNY"
        # The simple layout's rows, read a sheet at a time below (_simple_sales).
        body: list[tuple[list[Any], int, str, str | None]] = []
        for i in range(hi + 1, len(rows)):
            row = rows[i]
            if _blank(row):
                continue
            read += 1
            r = data.first_row + i
            try:
                cid = values.parse_id(row[idj]) if idj < len(row) else None
            except BadValue as e:
                self.add(ERROR, fi, ref.index, path, ref.name, r, data.first_col + idj, id_header,
                         values.cell_text(row[idj]), e.code, "rejected", **e.params)
                rejected += 1
                continue
            if cid is None:
                self.add(ERROR, fi, ref.index, path, ref.name, r, data.first_col + idj, id_header, "",
                         "required_missing", "rejected")
                rejected += 1
                continue
            product = values.parse_text(row[pj]) if pj is not None and pj < len(row) else None
            if simple:
                body.append((row, r, cid, product))
                continue
            cells: dict[date, dict[str, float]] = {}
            first_letter: dict[date, str] = {}
            gp_at: dict[date, tuple[int, str, Any]] = {}
            for m in layout.months:
                v = row[m.index] if m.index < len(row) else ""
                if v == "" or v is None:
                    continue
                try:
                    x = own[m.index](v) if m.index in own else parse[m.block](v)
                except BadValue as e:
                    self.add(ERROR, fi, ref.index, path, ref.name, r, data.first_col + m.index, m.header,
                             values.cell_text(v), e.code, "cell_left_out", **e.params)
                    continue
                if x is None:
                    continue
                d = cells.setdefault(m.month, {})
                d[m.block] = d.get(m.block, 0.0) + x
                first_letter.setdefault(m.month, letters[m.index])
                if m.block == "gross_profit":
                    gp_at.setdefault(m.month, (m.index, m.header, v))
            for month in sorted(cells):
                d = cells[month]
                rev, target = d.get("revenue"), d.get("target")
                if rev is None and target is None:
                    # A gross profit with no revenue beside it is no Sales row:
                    # say so rather than drop a figure silently.
                    j, header, v = gp_at[month]
                    self.add(WARNING, fi, ref.index, path, ref.name, r, data.first_col + j, header,
                             values.cell_text(v), "gp_without_revenue", "cell_left_out", month=f"{month:%Y-%m}")
                    continue
                records.append(Sale(cid, month, rev, Loc_(path, ref.name, r, first_letter[month]),
                                    gross_profit=d.get("gross_profit"), product=product, target=target))
        if simple:
            t.records = self._simple_sales(t, data, body, simple, rev_parse, plain)
        else:
            t.records = records
        counts = self.count("Sales")
        counts[0] += read
        counts[1] += read - rejected
        counts[2] += rejected

    def _simple_sales(self, t: _Table, data: SheetData, body: list[tuple[list[Any], int, str, str | None]],
                      simple: list[tuple[int, date, str]], rev_parse: Callable[[Any], Any], plain: bool) -> list[Any]:
        """The records of a simple wide layout (one revenue block, each month
        once) from its rows `body` (row, Excel row, id, product): one Sale per
        non-blank month cell, in row then month order, one Loc per source row
        (as row_reader builds them).

        The usual sheet — every month value a float in range, and no unit,
        rate or currency to apply — is read a sheet at a time: map() and
        compress() over all its month cells, where a Python step per cell
        (360,000 on a 10,000 × 36 sheet) cost a fifth of the read. Any other
        value sends the sheet through the parser, cell by cell."""
        ref, path, fi = t.ref, t.path, t.file_index
        months = [month for _, month, _ in simple]
        at: list[date] = []
        revenue: list[Any] = []
        sizes: list[int] = []
        whole = False                # read a sheet at a time
        if plain:
            width = max(j for j, _, _ in simple) + 1
            take = operator.itemgetter(*(j for j, _, _ in simple)) if len(simple) > 1 \
                else (lambda row, j=simple[0][0]: (row[j],))
            cells = [take(row if len(row) >= width else row + [""] * (width - len(row))) for row, _, _, _ in body]
            flat = list(itertools.chain.from_iterable(cells))
            filled = list(map(operator.ne, flat, itertools.repeat("")))
            revenue = list(itertools.compress(flat, filled))
            # A nan passes min() and max() but not sum(); bool and int are no floats here.
            if set(map(type, revenue)) <= {float} and (
                    not revenue or (min(revenue) > -1e15 and max(revenue) < 1e15 and math.isfinite(sum(revenue)))):
                at = list(itertools.compress(itertools.cycle(months), filled))
                sizes = list(map(sum, zip(*[iter(filled)] * len(simple))))
                whole = True
            else:
                revenue = []
        if not whole:
            for row, r, _, _ in body:
                before = len(revenue)
                for j, month, header in simple:
                    v = row[j] if j < len(row) else ""
                    if v.__class__ is float and plain and -1e15 < v < 1e15:
                        x = v
                    elif v == "" or v is None:
                        continue
                    else:
                        try:
                            x = rev_parse(v)
                        except BadValue as e:
                            self.add(ERROR, fi, ref.index, path, ref.name, r, data.first_col + j, header,
                                     values.cell_text(v), e.code, "cell_left_out", **e.params)
                            continue
                        if x is None:
                            continue
                    at.append(month)
                    revenue.append(x)
                sizes.append(len(revenue) - before)
        kept = [(r, cid, product) for (_, r, cid, product), k in zip(body, sizes) if k]
        cids = [cid for _, cid, _ in kept]
        products = [product for _, _, product in kept]
        locs = _locs(path, ref.name, (r for r, _, _ in kept))
        t.record_ids = set(cids)
        return _sales(at, revenue, cids, locs, products, [k for k in sizes if k])

    def _flat_customers(self, t: _Table, data: SheetData, hi: int, first: int | None = None) -> None:
        """A Sales sheet that also holds customer columns (a name, region,
        account manager …) may be one flat CRM export (SPEC §1.5): keep its
        customers aside, used only when no sheet is Customers."""
        header = data.rows[hi]
        cols: list[tuple[int, schema.Column]] = []
        for j, v in enumerate(header):
            text = values.cell_text(v).strip()
            if not text:
                continue
            h = headers.analyse(text, schema.CUSTOMERS)
            if h.column is not None and h.column.key not in {c.key for _, c in cols}:
                cols.append((j, h.column))
        keys = {c.key for _, c in cols}
        if "name" not in keys:
            return
        if "customer_id" not in keys:
            name_j = next(j for j, c in cols if c.key == "name")
            cols.append((name_j, schema.CUSTOMERS.column("customer_id")))
        cols.sort(key=lambda jc: jc[0])
        found: list[_Problem] = []
        ref = t.ref

        def problem(i: int, k: int, raw: Any, code: str, params: dict, required: bool) -> None:
            j, col = cols[k]
            found.append(_Problem((t.file_index, ref.index, data.first_row + i, j + 1, 0), WARNING, t.path,
                                  ref.name, data.first_row + i, col_letter(data.first_col + j),
                                  values.cell_text(header[j]), values.cell_text(raw), code, params, "blank"))

        ctx = dataclasses.replace(self.ctx)
        parsers = tuple(values.parser_for(c, ctx=ctx) for _, c in cols)
        tables = tuple(values.enum_table(c.enum) if c.enum else None for _, c in cols)
        idj = next(j for j, c in cols if c.key == "customer_id")
        relaxed = [(j, dataclasses.replace(c, required=False) if c.key != "customer_id" else c) for j, c in cols]
        read_rows = row_reader(model.Customer, relaxed, idj)
        records, _, _ = read_rows(data.rows, first if first is not None else hi + 1, len(data.rows), t.path,
                                  ref.name, data.first_row, problem, _blank, BadValue, parsers, tables, [], self.same)
        self.flat.append((t, [r for r in records if r.name], found))

    def _mapped(self, e: mapping.Entry, spec: schema.Sheet, at: Callable[..., None]) -> headers.Header | None:
        """The Header a Columns entry gives; None for `ignore` (or a bad entry, reported)."""
        if schema.fold(e.field) in ("ignore", "忽略", "不读取"):
            at(INFO, "mapped_ignore")
            return None
        col = next((c for c in spec.columns if schema.fold(e.field) in (schema.fold(c.key), schema.fold(c.zh))), None)
        if col is None:
            at(WARNING, "mapping_field", field=e.field, table=spec.key,
               known=", ".join(c.key for c in spec.columns))
            return None
        unit = None
        if e.unit:
            got = headers.parse_unit(e.unit)
            if not isinstance(got, headers.Unit):
                at(FATAL, "unit_unreadable", unit=e.unit)
                return None
            unit = got
            if unit.kind == "money" and unit.scale is None and unit.currency == "CNY":
                unit = None                 # 元: plain
        return headers.Header(col, "zh" if not e.field.isascii() else "en", unit)

    def _stand_ins(self, t: _Table, data: SheetData, hi: int) -> None:
        """Columns that stand in for a missing required one (SPEC §1.5): a
        Customers sheet without ids uses the name as the id; another sheet
        with a customer name column matches customers by name; a visit log
        without a type column holds visits."""
        spec, ref = t.spec, t.ref
        if "customer_id" not in t.columns:
            near = _near_id_header(data.rows[hi], t) if spec.key == "Customers" and "name" in t.columns else None
            if near is not None:
                # `Custmer ID` beside the name is a mistyped id column: using the
                # names as ids would reject every row of the other sheets.
                j, text = near
                self.add(FATAL, t.file_index, ref.index, t.path, ref.name, row=t.header_row,
                         col=data.first_col + j, header=text, value=text, code="id_header_misspelt")
                t.columns["customer_id"] = (j, col_letter(data.first_col + j), text)
            elif spec.key == "Customers" and "name" in t.columns:
                t.columns["customer_id"] = t.columns["name"]
                self.add(INFO, t.file_index, ref.index, t.path, ref.name, row=t.header_row,
                         col=_col_no(t.columns["name"][1]), code="name_as_id")
            elif "customer_name" in t.control:
                j = t.control.pop("customer_name")
                text = values.cell_text(data.rows[hi][j]).strip()
                t.columns["customer_id"] = (j, col_letter(data.first_col + j), text)
                t.by_name = True
                self.add(INFO, t.file_index, ref.index, t.path, ref.name, row=t.header_row,
                         col=data.first_col + j, header=text, value=text, code="match_by_name")
        if spec.key == "Activities" and "type" not in t.columns and t.log_type:
            header = data.rows[hi]
            j = len(header)
            header.append("type")
            for i in range(hi + 1, len(data.rows)):
                row = data.rows[i]
                row.append("" if _blank(row) else t.log_type)
            t.columns["type"] = (j, col_letter(data.first_col + j), "type")
            self.add(INFO, t.file_index, ref.index, t.path, ref.name, row=t.header_row,
                     code="log_rows", kind=t.log_type)

    def _hidden_rows(self, t: _Table, data: SheetData, hi: int, scan: Any) -> None:
        """Hidden rows are read, as Excel's SUM reads them; say which (SPEC §1)."""
        first = data.first_row + hi + 1
        last = data.first_row + len(data.rows) - 1
        hidden = []
        for r in scan.hidden_rows:
            if first <= r <= last and not _blank(data.rows[r - data.first_row]):
                hidden.append(r)
        if hidden:
            shown = ", ".join(str(r) for r in hidden[:20]) + (" …" if len(hidden) > 20 else "")
            self.add(WARNING, t.file_index, t.ref.index, t.path, t.ref.name, row=hidden[0],
                     code="hidden_rows", count=len(hidden), rows=shown)

    def _format_units(self, t: _Table, data: SheetData, hi: int, scan: Any) -> None:
        """Money cells whose number format shows a unit (`0.00"万元"`) carry it:
        the cell is rewritten as the text a person sees, so it reads by its
        own unit whatever the header says (SPEC §1)."""
        if not scan.unit_cells:
            return
        money = {j: key for key, (j, _, _) in t.columns.items() if t.spec.column(key).type in headers.MONEY_TYPES}
        seen: dict[int, headers.Unit] = {}
        rows, r0, c0 = data.rows, data.first_row, data.first_col
        for (r, c), unit in scan.unit_cells.items():
            i, j = r - r0, c - c0
            if j not in money or not hi < i < len(rows):
                continue
            v = rows[i][j]
            if type(v) not in (int, float):
                continue
            word = _SCALE_WORD.get(unit.scale, "") if unit.scale is not None else ""
            if unit.scale is not None and not word:
                continue
            rows[i][j] = f"{Decimal(repr(v))}{word}{unit.currency or ''}"
            seen.setdefault(j, unit)
        for j, unit in seen.items():
            key = money[j]
            self.add(INFO, t.file_index, t.ref.index, t.path, t.ref.name, row=t.header_row,
                     col=data.first_col + j, header=t.columns[key][2], value=t.columns[key][2],
                     code="format_unit", unit=unit.label, meaning=_unit_meaning(unit, self.ctx.currency))

    def _prepare_rows(self, t: _Table, data: SheetData, hi: int, maybe_totals: bool = True) -> int:
        """Rows that say how to read them: void or not-won rows are skipped
        (blanked, counted), a month number takes the row's year, a currency
        column marks the row's money. Returns the number of skipped rows."""
        ctl = t.control
        totals = self._totals(t, data, hi) if maybe_totals else 0
        if not ctl:
            return totals
        rows = data.rows
        blank_row: list[Any] = [""] * max((len(r) for r in rows[hi:hi + 1]), default=1)
        void = stage = 0
        void_rows: list[int] = []
        sj, gj, yj, cj = ctl.get("status"), ctl.get("stage"), ctl.get("year"), ctl.get("currency")
        mj = t.columns["month"][0] if "month" in t.columns else None
        money = [j for key, (j, _, _) in t.columns.items() if t.spec.column(key).type in headers.MONEY_TYPES]
        for i in range(hi + 1, len(rows)):
            row = rows[i]
            if _blank(row):
                continue
            if sj is not None and sj < len(row) and type(row[sj]) is str and schema.fold(row[sj]) in VOID_WORDS:
                rows[i] = blank_row
                void += 1
                void_rows.append(data.first_row + i)
                continue
            if gj is not None and gj < len(row) and not (type(row[gj]) is str and schema.fold(row[gj]) in WON_WORDS):
                rows[i] = blank_row
                stage += 1
                continue
            if yj is not None and mj is not None:
                _month_with_year(row, mj, yj)
            if cj is not None and money:
                _mark_currency(row, cj, money)
        for code, n in (("skipped_void", void), ("skipped_stage", stage)):
            if n:
                t.skipped_why[code.removeprefix("skipped_")] = n
                self.add(INFO, t.file_index, t.ref.index, t.path, t.ref.name, row=t.header_row,
                         code=code, count=n,
                         rows=", ".join(map(str, void_rows[:20])) + (" …" if len(void_rows) > 20 else ""))
        return void + stage + totals

    def _totals(self, t: _Table, data: SheetData, hi: int) -> int:
        """Totals, subtotals and footer rows are skipped, not rejected (SPEC
        §1.5) — also an ERP's per-customer subtotal with its id filled in.
        Rows pasted from a pivot table (an id once per group, blank below,
        the group closed by its 汇总 / Total row) are filled down."""
        rows = data.rows
        date_key = next((k for k in ("month", "date") if k in t.columns), None)
        dj = t.columns[date_key][0] if date_key else None
        # Label cells: every column but the numeric fields and a wide sheet's months.
        numeric = {j for key, (j, _, _) in t.columns.items() if t.spec.column(key).type in NUMERIC_TYPES}
        width = max((len(r) for r in rows[hi:hi + 1]), default=0)
        labels = [j for j in range(width) if j not in numeric and j not in t.month_cols]
        # Only columns where a totals word occurs at all can mark a row: one
        # search a column instead of one a row.
        body = rows[hi + 1:]
        labels = [j for j in labels if _has_total_word(
            "\x1f".join([r[j] for r in body if j < len(r) and r[j].__class__ is str]))]
        idj = t.columns["customer_id"][0] if "customer_id" in t.columns else None
        blank_row: list[Any] = [""] * max((len(r) for r in rows[hi:hi + 1]), default=1)
        skipped: list[int] = []
        footers: list[int] = []
        fills: list[tuple[int, Any]] = []      # (row index, id) for pivot groups
        group: list[int] = []
        current: Any = ""
        closed = False
        # A footer's words start its first filled cell; where that is column
        # A (most rows), one search of column A says whether any can be.
        footer_in_a = _FOOTER_WORD.search("\x1f".join([r[0] for r in body if r and r[0].__class__ is str]))
        for i in range(hi + 1, len(rows)):
            row = rows[i]
            first = row[0] if row else ""
            if first == "" or (first.__class__ is str and not first.strip()):
                if _blank(row):
                    continue
                footer = _is_footer(row)
            else:
                footer = footer_in_a is not None and _is_footer(row)
            if footer:
                rows[i] = blank_row
                footers.append(data.first_row + i)
                continue
            if not labels:
                continue            # no totals row, so no pivot group to fill either
            texts = [row[j] for j in labels if j < len(row) and row[j].__class__ is str]
            # One cheap search a row; the exact rule only where a totals word occurs.
            maybe = bool(texts) and _has_total_word("\x1f".join(texts))
            dated = maybe and dj is not None and dj < len(row) and row[dj] != "" and row[dj] is not None
            if maybe and any(_is_total(v, dated) for v in texts):
                rows[i] = blank_row
                skipped.append(data.first_row + i)
                fills.extend((k, current) for k in group if current != "")
                closed = closed or bool(group)
                group, current = [], ""
                continue
            if idj is not None and idj < len(row):
                if row[idj] == "" or (type(row[idj]) is str and not row[idj].strip()):
                    group.append(i)
                else:
                    current = row[idj]
                    group = []
        if fills and closed:
            for i, v in fills:
                rows[i][idj] = v
            self.add(INFO, t.file_index, t.ref.index, t.path, t.ref.name, row=data.first_row + fills[0][0],
                     col=data.first_col + idj, code="pivot_filled", count=len(fills))
        for code, found in (("skipped_totals", skipped), ("skipped_footers", footers)):
            if found:
                t.skipped_why[code.removeprefix("skipped_")] = len(found)
                self.add(INFO, t.file_index, t.ref.index, t.path, t.ref.name, row=found[0], code=code,
                         count=len(found), rows=", ".join(map(str, found[:20])) + (" …" if len(found) > 20 else ""))
        return len(skipped) + len(footers)

    @staticmethod
    def _fill_merged(data: SheetData, hi: int, once: frozenset[int] | set[int] = frozenset()) -> None:
        """Copy a merged cell's value into the whole merged area of the data.

        People merge cells to group rows ("C001" once for three sales rows);
        they read as the same value on every row, and so does kamreport.
        Merges that start in or above the header are left alone. Money and
        number columns (`once`) are not filled: a quarterly fee merged over
        three month rows counts once, in its first row, as Excel's SUM does.
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
                    if row[j] == "" and j not in once:
                        row[j] = v

    def _read_rows(self, t: _Table, data: SheetData, hi: int, book: Book) -> None:
        spec, ref, path, fi = t.spec, t.ref, t.path, t.file_index
        # By position; customer_id and name may share one column (name as id).
        cols = sorted(((t.columns[c.key][0], c) for c in spec.columns if c.key in t.columns), key=lambda jc: jc[0])
        targets = spec.key == "Sales" and "target" in t.columns
        if targets:
            # A row with a target and no revenue is a target only (SPEC §4).
            cols = [(j, dataclasses.replace(c, required=False) if c.key == "revenue" else c) for j, c in cols]
        ctx = dataclasses.replace(self.ctx, epoch=book.epoch)
        rows = data.rows

        def hint_for(j: int) -> Callable[[], str]:
            memo: list[str] = []

            def hint() -> str:
                if not memo:
                    memo.append(values.month_hint(r[j] for r in rows[hi + 1:] if j < len(r)))
                return memo[0]
            return hint

        enums: dict[str, dict[str, str]] = {}
        for j, c in cols:
            if c.enum is not None:
                table = values.enum_table(c.enum)
                extra = self.mapping.values(ref.name, t.columns[c.key][2], c.key) if self.mapping else {}
                for raw, means in extra.items():
                    key = table.get(schema.fold(means))
                    if key is None:
                        self.add(WARNING, fi, ref.index, path, ref.name, t.header_row, data.first_col + j,
                                 t.columns[c.key][2], means, "mapping_means",
                                 options=" / ".join(k for k, _ in c.enum.options))
                        continue
                    table[raw] = key
                    table[schema.fold(raw)] = key
                enums[c.key] = table
        parsers = tuple(values.parser_for(c, ctx=ctx, unit=t.units.get(c.key), hint=hint_for(j),
                                          enum=enums.get(c.key)) for j, c in cols)
        meta = [(data.first_col + j, t.columns[c.key][2]) for j, c in cols]
        add, first_row = self.add, data.first_row

        def problem(i: int, k: int, raw: Any, code: str, params: dict, required: bool) -> None:
            col_no, header = meta[k]
            add(ERROR if required else WARNING, fi, ref.index, path, ref.name, first_row + i, col_no,
                header, values.cell_text(raw), code, "rejected" if required else "blank", **params)

        tables = tuple(enums.get(c.key) for _, c in cols)
        converting = bool(self.ctx.fx) or self.ctx.currency != "CNY"
        slow = frozenset(c.key for _, c in cols if c.key in t.units or
                         (converting and c.type in headers.MONEY_TYPES))
        read_rows = row_reader(RECORD_TYPES[spec.key], cols, t.columns["name" if spec.key == "Staff" else "customer_id"][0],
                               slow)
        first_problem = len(self.problems)
        records, read, rejected = read_rows(
            rows, hi + 1, len(rows), path, ref.name, first_row, problem, _blank, BadValue, parsers, tables,
            t.shells, self.same)
        if targets:
            keep = []
            j, letter, header = t.columns["revenue"]
            bad = {(p.row, p.column): p for p in self.problems[first_problem:]
                   if p.column == letter and p.severity == WARNING}
            for rec in records:
                if rec.revenue is None and rec.target is None:
                    p = bad.get((rec.loc.row, letter))
                    if p is not None:
                        # The revenue was there but bad: that problem rejects the row.
                        p.severity, p.effect = ERROR, "rejected"
                    else:
                        self.add(ERROR, fi, ref.index, path, ref.name, rec.loc.row, _col_no(letter), header, "",
                                 "required_missing", "rejected")
                    rejected += 1
                    continue
                keep.append(rec)
            records = keep
        if spec.key == "Customers":
            records, duplicates = self._first_customers(t, records)
            rejected += duplicates
        if spec.key == "Staff":
            records, bad = self._check_staff(t, records)
            rejected += bad
        t.records = records
        counts = self.count(spec.key)
        counts[0] += read
        counts[1] += len(records)
        counts[2] += rejected

    def _first_customers(self, t: _Table, records: list[Any]) -> tuple[list[Any], int]:
        """Keep the first row of each customer_id, across all workbooks."""
        first_seen = self.customer_first
        folded = self.customer_fold
        j, letter, header = t.columns["customer_id"]
        keep = []
        for rec in records:
            key = fold_id(rec.customer_id)
            first = first_seen.get(folded.get(key, rec.customer_id))
            if first is not None:
                self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, rec.loc.row, _col_no(letter),
                         header, rec.customer_id, "duplicate_id", "rejected", first=_where(first, letter))
                continue
            first_seen[rec.customer_id] = rec.loc
            folded.setdefault(key, rec.customer_id)
            keep.append(rec)
        return keep, len(records) - len(keep)

    def _check_staff(self, t: _Table, records: list[Any]) -> tuple[list[Any], int]:
        """A bad email rejects its Staff row (a pack must not go to a typo);
        a name seen before, folded as ids are, is a duplicate: the first row
        is kept, across all workbooks."""
        keep = []
        nj, n_letter, n_header = t.columns["name"]
        for rec in records:
            if rec.email is not None and not values.is_email(rec.email):
                j, letter, header = t.columns["email"]
                self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, rec.loc.row, _col_no(letter),
                         header, rec.email, "bad_email", "rejected")
                continue
            key = values.fold_name(rec.name)
            first = self.staff_first.get(key)
            if first is not None:
                self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, rec.loc.row, _col_no(n_letter),
                         n_header, rec.name, "duplicate_staff", "rejected", first=_where(first, n_letter))
                continue
            self.staff_first[key] = rec.loc
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
        counts = self.count("Settings")
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
        """Reject rows whose customer is not an accepted Customers row.

        Besides the id folding of §1, a row's id matches when exactly one
        customer fits it loosely (`101` ~ `000101`, `KH-0005` ~ `KH0005`;
        one warning per sheet); a sheet without ids matches by name. Two
        candidates, or none, are an error naming them or the nearest ones.
        """
        known = self.customer_first
        folded = self.customer_fold
        loose: dict[str, list[str]] = {}
        by_name: dict[str, list[str]] = {}
        for t in self.tables:
            if t.spec.key in ("Customers", "Settings", "Staff") or not t.records:
                continue
            ids = t.record_ids if t.record_ids is not None else set(map(_CUSTOMER_ID, t.records))
            if not t.by_name and known.keys() >= ids:
                continue        # every id as Customers writes it: the common case, checked in C
            if not loose:
                # Built once, only when some sheet needs the loose or by-name match.
                for c in self.tables:
                    if c.spec.key == "Customers":
                        for rec in c.records:
                            loose.setdefault(loose_id(rec.customer_id), []).append(rec.customer_id)
                            by_name.setdefault(fold_id(rec.name), []).append(rec.customer_id)
            j, letter, header = t.columns["customer_id"]
            col_no = _col_no(letter)
            # `ＫＨ０００４`, `kh0004` and `KH0004` are one id (SPEC §1): such a
            # row takes the id as Customers writes it.
            with_id = _with_customer_id(RECORD_TYPES[t.spec.key])
            counts = self.counts[t.spec.key]
            keep = []
            near: list[tuple[str, str]] = []
            seen_rows: set[int] = set()        # wide sheets: one source row, many records
            for r in t.records:
                if t.wide and r.loc.row in seen_rows:
                    continue
                cid = r.customer_id
                if t.by_name:
                    fits = by_name.get(fold_id(cid), [])
                elif cid in known:
                    keep.append(r)
                    continue
                else:
                    canonical = folded.get(fold_id(cid))
                    fits = [canonical] if canonical is not None else loose.get(loose_id(cid), [])
                    if canonical is None and len(fits) == 1:
                        near.append((cid, fits[0]))
                if len(fits) == 1:
                    keep.append(with_id(r, fits[0]))
                    continue
                if fits:
                    self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, r.loc.row, col_no,
                             header, cid, "customer_ambiguous", "rejected", ids=", ".join(fits))
                else:
                    pool = list(by_name) if t.by_name else list(known)
                    hint = difflib.get_close_matches(fold_id(cid) if t.by_name else cid, pool, n=3, cutoff=0.6)
                    if t.by_name:
                        hint = [by_name[h][0] for h in hint]
                    self.add(ERROR, t.file_index, t.ref.index, t.path, t.ref.name, r.loc.row, col_no,
                             header, cid, "unknown_customer_name" if t.by_name else "unknown_customer",
                             "rejected", hint=", ".join(hint))
                counts[1] -= 1
                counts[2] += 1
                if t.wide:
                    seen_rows.add(r.loc.row)
            if near:
                shown = ", ".join(f"{a} → {b}" for a, b in near[:5]) + (" …" if len(near) > 5 else "")
                self.add(WARNING, t.file_index, t.ref.index, t.path, t.ref.name, t.header_row, col_no,
                         header, near[0][0], "customer_loose", count=len(near), examples=shown)
            t.records = keep

    def drop_copies(self) -> None:
        """Sales rows identical in every column that come from two different
        files (overlapping exports) count once: the later file's copy is
        skipped, with one warning per file pair (SPEC §1). Within one file,
        rows for one customer-month are summed, as always."""
        tables = [t for t in self.tables if t.spec.key == "Sales" and t.records]
        if len({t.file_index for t in tables}) < 2:
            return
        first: dict[tuple, int] = {}
        pairs: dict[tuple[int, int], int] = {}
        for t in tables:
            keep = []
            mine: set[tuple] = set()
            for rec in t.records:
                key = (rec.customer_id, rec.month, rec.revenue, rec.gross_profit, rec.product,
                       rec.overdue_amount, rec.target)
                owner = first.get(key)
                if owner is not None and owner != t.file_index:
                    pairs[(owner, t.file_index)] = pairs.get((owner, t.file_index), 0) + 1
                    continue
                mine.add(key)
                keep.append(rec)
            for key in mine:
                first.setdefault(key, t.file_index)
            dropped = len(t.records) - len(keep)
            if dropped:
                t.skipped_why["copies"] = dropped
                counts = self.count("Sales")
                counts[1] -= dropped
                counts[3] += dropped
                t.records = keep
        paths = {t.file_index: (t.path, t.ref) for t in tables}
        for (a, b), n in sorted(pairs.items()):
            path, ref = paths[b]
            self.add(WARNING, b, ref.index, path, ref.name, code="copied_rows", count=n, first=paths[a][0])

    def language(self) -> str:
        if self.lang:
            return self.lang
        t = self.first_customers_table
        if t is not None:
            return "zh" if t.zh_headers > t.en_headers else "en"
        return "zh" if self.sheet_names_zh else "en"


_WHY = ("void", "stage", "totals", "footers", "copies")


def _sheet_info(t: _Table) -> model.SheetInfo:
    cols = []
    for key, (j, letter, header) in sorted(t.columns.items(), key=lambda kv: (kv[1][0], kv[0])):
        unit = t.units.get(key)
        cols.append((letter, header, key, unit.label if unit is not None else ""))
    for key, j in sorted(t.control.items(), key=lambda kv: kv[1]):
        cols.append((col_letter(j + 1), key, f"({key})", ""))
    return model.SheetInfo(t.path, t.ref.name, t.spec.key, t.header_row, "wide" if t.wide else "long",
                           t.months, tuple(cols),
                           tuple((w, t.skipped_why[w]) for w in _WHY if w in t.skipped_why),
                           "name" if t.by_name else "id")


# 2026Q3, 2026-Q3, 2026年第三季度, 2026三季度 — a Q or 季 is required (2026-1 is January).
_QUARTER = re.compile(r"^((?:19|20)\d{2})[-/ ]?(?:q([1-4])|第?([1-4一二三四])季度?)$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"^q([1-4])[-/ ]?((?:19|20)\d{2})$", re.IGNORECASE)


def period_months(text: str) -> list[date] | None:
    """The months of a target period (SPEC §4 Targets), or None."""
    s = values.normalise(text).replace("年", "").replace("度", "") if text else ""
    if not s:
        return None
    if re.fullmatch(r"(19|20)\d{2}", s):
        y = int(s)
        return [date(y, m, 1) for m in range(1, 13)]
    m = _QUARTER.match(s)
    if m:
        digit = m[2] or m[3]
        y, q = int(m[1]), ("一二三四".find(digit) + 1 if digit in "一二三四" else int(digit))
        return [date(y, 3 * (q - 1) + k, 1) for k in (1, 2, 3)]
    m = _QUARTER_FIRST.match(s)
    if m:
        y, q = int(m[2]), int(m[1])
        return [date(y, 3 * (q - 1) + k, 1) for k in (1, 2, 3)]
    try:
        mo = values.month_parser()(text)
    except BadValue:
        return None
    return [mo] if mo is not None else None


def _looks_wide(rows: list[list[Any]]) -> bool:
    """A header row among the first 30 with a customer column and two or more months."""
    for hi in range(min(len(rows), HEADER_ROWS)):
        if "customer_id" in _header_fields(rows[hi], schema.SALES) and wide.find_months(rows, hi) is not None:
            return True
    return False


def _kind(book: Any, ref: SheetRef) -> schema.Sheet | None:
    """The kind of a sheet when its name alone says it (a CSV file: by its
    name or headers); None when the name says nothing or fits two kinds."""
    kinds = sheet_kinds(ref.name)
    if len(kinds) == 1:
        return kinds[0]
    return book.spec if isinstance(book, CsvBook) else None


_SHEET_NAMES: dict[str, schema.Sheet] = {}
_NOISE = re.compile(r"(19|20)\d{2}(年度?|年)?|\d{2}年|\d{1,2}月份?|第?[一二三四1-4]季度|q[1-4]|fy\d+|[\d()（）\[\]【】._\-—·]+",
                    re.IGNORECASE)


def _sheet_names() -> dict[str, schema.Sheet]:
    if not _SHEET_NAMES:
        for spec in schema.SHEETS:
            _SHEET_NAMES[schema.fold(spec.key)] = spec
            _SHEET_NAMES[schema.fold(spec.zh)] = spec
        by_key = {s.key: s for s in schema.SHEETS}
        for key, words in synonyms.SHEETS.items():
            if key in by_key:
                for w in words:
                    _SHEET_NAMES.setdefault(schema.fold(w), by_key[key])
    return _SHEET_NAMES


def sheet_kinds(name: str) -> list[schema.Sheet]:
    """The kinds a sheet name may mean (SPEC §1.5): its exact name or a
    synonym; else the known names inside it once years, months and
    numbers are taken out (`销售数据2026`, `2026年销售`). `客户销售明细`
    fits Customers and Sales: the headers decide."""
    names = _sheet_names()
    f = schema.fold(name)
    if f in names:
        return [names[f]]
    rest = _NOISE.sub("", f)
    if rest in names:
        return [names[rest]]
    found: dict[str, schema.Sheet] = {}
    longest: dict[str, int] = {}
    for word, spec in names.items():
        if len(word) >= 2 and word in rest:
            if len(word) > longest.get(spec.key, 0):
                longest[spec.key] = len(word)
                found[spec.key] = spec
    # A kind's name inside a longer name of another kind (销售 in 销售明细)
    # is no second candidate.
    kinds = list(found.values())
    return [k for k in schema.SHEETS if k in kinds]


def log_type(name: str) -> str | None:
    """visit / call for a sheet named like a visit or call log (拜访记录)."""
    f = schema.fold(name)
    rest = _NOISE.sub("", f)
    for word, kind in synonyms.LOG_TYPES.items():
        w = schema.fold(word)
        if w == f or w == rest or (len(w) >= 2 and w in rest):
            return kind
    return None


def _unit_meaning(unit: headers.Unit, report_currency: str = "CNY") -> dict[str, str]:
    """What an applied unit does, in both languages (for the info line)."""
    parts_en, parts_zh = [], []
    if unit.scale is not None:
        parts_en.append(f"values × {int(unit.scale):,}")
        parts_zh.append(f"数值 × {int(unit.scale):,}")
    if unit.currency and unit.currency != report_currency:
        parts_en.append(f"in {unit.currency} (converted with fx_{unit.currency})")
        parts_zh.append(f"币种 {unit.currency}（按 fx_{unit.currency} 折算）")
    if unit.kind == "time" and unit.factor is not None:
        parts_en.append("hours × 60 = minutes" if unit.factor == 60 else "minutes")
        parts_zh.append("小时 × 60 = 分钟" if unit.factor == 60 else "分钟")
    if unit.kind == "score" and unit.factor is not None:
        top = int(unit.top or 10)
        parts_en.append(f"a score out of {top}, scaled to 0–10 (× {unit.factor})")
        parts_zh.append(f"{top} 分制，换算为 0–10 分（× {unit.factor}）")
    return {"en": "; ".join(parts_en), "zh": "；".join(parts_zh)}


def _has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


_MONTH_NO = re.compile(r"^(\d{1,2})月?$")
_YEAR_NO = re.compile(r"^(\d{4})年?$")


_TOTAL_WORDS = ("合计", "总计", "小计", "汇总", "共计", "total")


def _has_total_word(text: str) -> bool:
    """Whether a totals word occurs in `text` (the cheap search before
    _is_total's exact rule): literal searches, six times faster than one
    case-insensitive alternation."""
    lowered = text.lower()
    return any(w in lowered for w in _TOTAL_WORDS)


_TOTAL_ZH = re.compile(r"^(合计|总计|小计|汇总|共计)|(合计|总计|小计|汇总|共计)$")
_TOTAL_EN = re.compile(r"^(grand\s*totals?|sub-?\s*totals?|totals?)\b|\b(grand\s*totals?|sub-?\s*totals?|totals?)$", re.IGNORECASE)
_FOOTER_WORDS = r"(制表人|制表日期|制表|审核人|审核|复核人|复核|打印日期|打印人|prepared\s*by|approved\s*by|checked\s*by|printed\s*(by|on))"
_FOOTER = re.compile("^" + _FOOTER_WORDS, re.IGNORECASE)
_FOOTER_WORD = re.compile(_FOOTER_WORDS, re.IGNORECASE)


def _is_total(text: str, dated: bool = False) -> bool:
    """A totals word alone or at the start or end of a label (SPEC §1.5):
    `合计`, `华东 小计`, `C0001 汇总`, `Total C0001`; not `TotalEnergies`.
    A short label only (a note that starts with 合计 is no total); an
    English `Total …` start only before an id on a row without a date
    (`Total Logistics Ltd` is a customer, `Total Station` a product)."""
    s = text.strip().strip(":：").strip()
    if not s or len(s) > 24:
        return False
    if _TOTAL_ZH.search(s.replace(" ", "").replace("\u3000", "")):
        return True
    m = _TOTAL_EN.search(s)
    if not m:
        return False
    whole = m.group(0).casefold().replace(" ", "")
    if s.casefold().replace(" ", "") == whole or m.start() > 0 or "grand" in whole or "sub" in whole:
        return True
    # `Total C0001`: an id after the word, on an undated row — not `Total Logistics Ltd`.
    rest = s[m.end():].strip()
    return not dated and " " not in rest and any(ch.isdigit() for ch in rest)


def _is_footer(row: list[Any]) -> bool:
    """A footer line: its first filled cell starts with 制表人, 审核, Prepared by …"""
    for v in row:
        if v == "" or (type(v) is str and not v.strip()):
            continue
        return type(v) is str and bool(_FOOTER.match(v.strip()))
    return False


def _month_with_year(row: list[Any], mj: int, yj: int) -> None:
    """A month number (`7`, `7月`) beside a year column (`2026`, `2026年`)
    is that year's month (SPEC §1 month)."""
    if mj >= len(row) or yj >= len(row):
        return
    mo, yr = _whole(row[mj], _MONTH_NO), _whole(row[yj], _YEAR_NO)
    if mo is not None and yr is not None and 1 <= mo <= 12 and 1950 <= yr <= 2100:
        row[mj] = date(yr, mo, 1)


def _whole(v: Any, text: re.Pattern) -> int | None:
    """A whole number cell, or text like `7月` / `2026年` (its number)."""
    if type(v) in (int, float) and float(v).is_integer():
        return int(v)
    if type(v) is str and (hit := text.match(values.normalise(v))):
        return int(hit[1])
    return None


def _mark_currency(row: list[Any], cj: int, money: list[int]) -> None:
    """A currency column (币种 USD) applies to the row's money cells that do
    not name a currency themselves: they are rewritten with the code, so
    the money parser converts them with fx_<CODE> or refuses them."""
    if cj >= len(row) or type(row[cj]) is not str or not row[cj].strip():
        return
    word = values.normalise(row[cj]).casefold()
    code = values.CURRENCIES.get(word) or (word.upper() if re.fullmatch(r"[a-z]{3}", word) else None)
    for j in money:
        if j >= len(row):
            continue
        v = row[j]
        if type(v) in (int, float):
            text = repr(float(v)) if type(v) is float else str(v)
        elif type(v) is str and v.strip():
            text = v.strip()
        else:
            continue
        if code is None:
            row[j] = f"{text} {row[cj].strip()}"      # an unknown currency: a bad value, never a guess
        elif code != "CNY" or not re.search(r"[A-Za-z¥￥$€£元]", text):
            row[j] = f"{text}{code}"


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\u202f\u3000"), None)


def loose_id(customer_id: str) -> str:
    """An id compared loosely: no spaces, `-`, `_`, `.`, `/`; a number without
    its leading zeros (`KH-0005` ~ `KH0005`, `000101` ~ `101`)."""
    key = re.sub(r"[\s\-_./]+", "", fold_id(customer_id))
    return (key.lstrip("0") or "0") if key.isdigit() else key


def fold_id(customer_id: str) -> str:
    """An id as compared (SPEC §1): full-width forms to ASCII, no-break and
    zero-width spaces removed, case folded."""
    if customer_id.isascii():
        return customer_id.casefold()
    return unicodedata.normalize("NFKC", customer_id.translate(_INVISIBLE)).casefold().strip()


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


def read_workbooks(paths: Iterable[str], lang: str | None = None, map_file: str | None = None) -> model.Dataset:
    """Read and validate workbooks, in order, into one Dataset (SPEC §1)."""
    # A full sheet creates tens of millions of objects and no reference
    # cycles; the cyclic collector would rescan them again and again as
    # they pile up (it more than doubled the read time). Pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_workbooks(paths, lang, map_file)
    finally:
        if was_enabled:
            gc.enable()


def _read_workbooks(paths: Iterable[str], lang: str | None, map_file: str | None = None) -> model.Dataset:
    paths = [str(p) for p in paths]
    r = _Reader(paths, lang, map_file)
    inputs_all = [model.InputFile(p, _sha256(p)) for p in paths]
    files: list[tuple[int, str]] = []
    first_of: dict[str, str] = {}
    inputs = []
    for fi, (path, inp) in enumerate(zip(paths, inputs_all)):
        if os.path.basename(path).startswith("~$"):
            # Excel's lock file beside an open workbook, caught by a glob.
            r.add(WARNING, fi, -1, path, code="lock_file", name=os.path.basename(path)[2:])
            continue
        if inp.sha256 and inp.sha256 in first_of:
            # The same file twice would double every figure (SPEC §1).
            r.add(WARNING, fi, -1, path, code="same_file", first=first_of[inp.sha256])
            continue
        if inp.sha256:
            first_of[inp.sha256] = path
        files.append((fi, path))
        inputs.append(inp)
    r.read_files(files)
    r.mapping_problems()
    r.use_flat_customers()

    all_files = paths[0] if len(paths) == 1 else ", ".join(paths)
    fatal_file = any(p.severity == FATAL for p in r.problems)
    present = {t.spec.key for t in r.tables}
    if not fatal_file:
        for spec in (schema.CUSTOMERS, schema.SALES):
            if spec.key not in present and not any(
                    p.code in ("missing_columns", "duplicate_column", "unit_unreadable", "unit_misplaced")
                    and p.sheet and schema.find_sheet(p.sheet) is spec for p in r.problems):
                r.add(FATAL, len(paths), 0, all_files, code="missing_sheet", name=spec.key, name_zh=spec.zh)
    fatal = any(p.severity == FATAL for p in r.problems)
    if not fatal:
        r.check_customer_ids()
        r.drop_copies()

    sales_tables = [t for t in r.tables if t.spec.key == "Sales"]
    has_gp_column = any("gross_profit" in t.columns for t in sales_tables)
    has_gp = has_gp_column and any(rec.gross_profit is not None for t in sales_tables for rec in t.records)
    if sales_tables and not has_gp_column:
        t = sales_tables[0]
        r.add(WARNING, t.file_index, t.ref.index, t.path, t.ref.name, code="no_gross_profit")
    elif sales_tables and not has_gp and not fatal and any(t.records for t in sales_tables):
        t = next(t for t in sales_tables if "gross_profit" in t.columns)
        j, letter, header = t.columns["gross_profit"]
        r.add(WARNING, t.file_index, t.ref.index, t.path, t.ref.name, row=t.header_row, col=_col_no(letter),
              header=header, value=header, code="no_gross_profit_values")

    lang_out = r.language()
    if fatal:
        # Nothing is built, and the fatal problem is what the user must fix
        # first: report only the fatal ones ("one clear line").
        r.problems = [p for p in r.problems if p.severity == FATAL]
    r.problems.sort(key=lambda p: p.order)
    problems = tuple(_finish(p, lang_out) for p in r.problems)
    if fatal:
        return model.Dataset(inputs=tuple(inputs), problems=problems, has_gross_profit=has_gp, language=lang_out)

    collected: dict[str, list[Any]] = {k: [] for k in DATASET_FIELD}
    targets: list[model.Target] = []
    for t in r.tables:
        if t.spec.key == "Targets":
            targets.extend(r.spread_targets(t))
            continue
        if t.spec.key not in collected:
            continue
        if t.spec.key == "Sales" and "target" in t.columns:
            for rec in t.records:
                if rec.target is not None:
                    targets.append(model.Target(rec.customer_id, rec.month, rec.target, rec.loc))
            collected["Sales"].extend(rec for rec in t.records if rec.revenue is not None)
        else:
            collected[t.spec.key].extend(t.records)
    rows = {k: model.SheetCount(*v) for k, v in r.counts.items()}
    for spec in (schema.CUSTOMERS, schema.SALES):
        rows.setdefault(spec.key, model.SheetCount())
    return model.Dataset(
        inputs=tuple(inputs),
        sheets=tuple(_sheet_info(t) for t in r.tables),
        settings=tuple(r.settings),
        rows={s.key: rows[s.key] for s in schema.SHEETS if s.key in rows},
        problems=problems,
        has_gross_profit=has_gp,
        language=lang_out,
        targets=tuple(targets),
        **{DATASET_FIELD[k]: tuple(v) for k, v in collected.items()},
    )


def _near_id_header(header: list[Any], t: _Table) -> tuple[int, str] | None:
    """A header cell no column claims that reads like a customer_id name
    with a typo (`Custmer ID`, `客户编吗`): (its index, its text)."""
    used = {j for j, _, _ in t.columns.values()} | set(t.control.values())
    names = {schema.fold(n) for n in ("customer_id", "客户编号", *synonyms.COLUMNS["Customers"]["customer_id"])}
    for j, v in enumerate(header):
        if j in used or v.__class__ is not str or not v.strip():
            continue
        f = schema.fold(v)
        # One slip in Chinese (客户编吗), two in a longer English name
        # (Custmer ID); `Customer Type` and 客户类型 are other columns.
        slips = 2 if f.isascii() and len(f) >= 8 else 1
        if any(_edits(f, n, slips) <= slips for n in names):
            return j, v.strip()
    return None


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for k, cb in enumerate(b, 1):
            cur.append(min(prev[k] + 1, cur[k - 1] + 1, prev[k - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _nearest(col: schema.Column, found: list[str]) -> tuple[str, str]:
    """(the header found closest to one of col's known names, or "", the
    name to suggest: col's Chinese name when that header is Chinese)."""
    known = [col.zh, col.key]
    best: tuple[float, str] | None = None
    for h in found:
        fh = schema.fold(h)
        for name in known:
            r = difflib.SequenceMatcher(None, fh, schema.fold(name)).ratio()
            if r >= 0.5 and (best is None or r > best[0]):
                best = (r, h)
    if best is None:
        return "", col.zh if any(not h.isascii() for h in found) else col.key
    return best[1], col.zh if not best[1].isascii() else col.key


def _finish(p: _Problem, lang: str) -> Problem:
    if p.code == "missing_columns":
        info = p.params.get("closest") or {}
        hint = ""
        if info:
            hint = messages.message("closest", lang, row=info["row"],
                                    found=", ".join(info["found"]), missing=", ".join(info["missing"]))
            spec = schema.find_sheet(p.params.get("kind", "")) or schema.find_sheet(p.sheet)
            headers_found = info.get("headers") or []
            if headers_found:
                hint += messages.message("headers_found", lang, headers=", ".join(headers_found[:15]))
            if spec is not None:
                for key in info["missing"]:
                    header, name = _nearest(spec.column(key), headers_found)
                    note = (f"（“{header}”）" if lang == "zh" else f' (for "{header}")') if header else ""
                    hint += messages.message("did_you_mean_column", lang, header=note, name=name)
        p.params = dict(p.params, closest=hint)
    return p.finish(lang)
