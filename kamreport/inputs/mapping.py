"""The Columns mapping (列映射, SPEC §1.5): what the reader cannot know.

A Columns sheet in any input workbook, or a file given with `--map FILE`
(.xlsx or .csv, so one mapping serves every monthly export), has the columns

    sheet   column         field        unit   value   means
    Sheet1                 Sales                              <- a whole sheet's kind
            Amount (USD)   revenue      k                     <- a header -> field, with a unit
            Region code    ignore                             <- a column not to read
            跟进方式        type                 微信     call  <- an enum value -> its key

`sheet` blank = any sheet; a row whose sheet or column starts with `#` is
a comment. A mapping wins over every built-in rule; an entry
that matches nothing is a warning; where the sheet and `--map` disagree,
`--map` wins (warning).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import schema, synonyms
from ..model import Loc

HEADERS = {
    "sheet": ("sheet", "表", "工作表", "表名", "sheet name"),
    "column": ("column", "列", "列名", "原列名", "表头", "header", "原表头", "source column"),
    "field": ("field", "字段", "对应字段", "kamreport field", "映射为"),
    "unit": ("unit", "单位"),
    "value": ("value", "值", "原值", "source value"),
    "means": ("means", "含义", "对应值", "映射值", "meaning"),
}
_HEADER_BY_FOLD = {schema.fold(w): k for k, ws in HEADERS.items() for w in ws}
KINDS = {schema.fold(n): s.key for s in schema.SHEETS for n in (s.key, s.zh)}
COLUMNS_SHEET_NAMES = frozenset(schema.fold(n) for n in ("Columns", *synonyms.SHEETS["Columns"]))


def is_columns_sheet(name: str) -> bool:
    return schema.fold(name) in COLUMNS_SHEET_NAMES


@dataclass(frozen=True)
class Entry:
    sheet: str
    column: str
    field: str
    unit: str
    value: str
    means: str
    loc: Loc
    from_map: bool          # given with --map


@dataclass
class Mapping:
    entries: list[Entry] = field(default_factory=list)
    used: set[int] = field(default_factory=set)        # ids of entries that matched something
    conflicts: list[tuple[Entry, Entry]] = field(default_factory=list)   # (overridden, winner)

    def add(self, entry: Entry) -> None:
        for i, old in enumerate(self.entries):
            if (schema.fold(old.sheet), schema.fold(old.column), schema.fold(old.value)) == \
                    (schema.fold(entry.sheet), schema.fold(entry.column), schema.fold(entry.value)) and \
                    (schema.fold(old.field), schema.fold(old.unit), schema.fold(old.means)) != \
                    (schema.fold(entry.field), schema.fold(entry.unit), schema.fold(entry.means)):
                if old.from_map and not entry.from_map:
                    self.conflicts.append((entry, old))
                    return
                self.conflicts.append((old, entry))
                self.entries[i] = entry
                return
        self.entries.append(entry)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def _sheet_fits(self, e: Entry, sheet: str) -> bool:
        return not e.sheet or schema.fold(e.sheet) == schema.fold(sheet)

    def kind(self, sheet: str) -> str | None:
        """The sheet kind a whole-sheet entry gives (`Sheet1` -> Sales)."""
        for e in self.entries:
            if e.sheet and not e.column and not e.value and schema.fold(e.sheet) == schema.fold(sheet):
                k = KINDS.get(schema.fold(e.field))
                if k:
                    self.used.add(id(e))
                    return k
        return None

    def column(self, sheet: str, header: str) -> Entry | None:
        """The entry for a header of a sheet (a sheet-specific one first)."""
        f = schema.fold(header)
        best = None
        for e in self.entries:
            # A value entry names its column's field too (关系 -> relationship_stage, 一般 -> developing).
            if e.column and (e.field or not e.value) and schema.fold(e.column) == f and self._sheet_fits(e, sheet):
                if best is None or (e.sheet and not best.sheet) or (best.value and not e.value):
                    best = e
        if best is not None:
            self.used.add(id(best))
        return best

    def values(self, sheet: str, header: str, key: str) -> dict[str, str]:
        """Enum value -> means for one column (by its header or its field)."""
        out: dict[str, str] = {}
        fh, fk = schema.fold(header), schema.fold(key)
        for e in self.entries:
            if not e.value or not self._sheet_fits(e, sheet):
                continue
            by_column = bool(e.column) and schema.fold(e.column) == fh
            by_field = bool(e.field) and schema.fold(e.field) in (fk, schema.fold(_zh(key)))
            if by_column or by_field:
                out[e.value] = e.means
                self.used.add(id(e))
        return out

    def unused(self) -> list[Entry]:
        return [e for e in self.entries if id(e) not in self.used]


def _zh(key: str) -> str:
    for s in schema.SHEETS:
        for c in s.columns:
            if c.key == key:
                return c.zh
    return key


def entries_from_rows(rows: list[list[Any]], file: str, sheet: str, first_row: int, from_map: bool) -> list[Entry]:
    """The entries of a Columns table (its header among the first 10 rows)."""
    from .values import cell_text
    for hi, row in enumerate(rows[:10]):
        cols = {}
        for j, v in enumerate(row):
            k = _HEADER_BY_FOLD.get(schema.fold(cell_text(v)))
            if k and k not in cols:
                cols[k] = j
        if "column" in cols or "value" in cols or ("sheet" in cols and "field" in cols):
            break
    else:
        return []
    out = []
    for i in range(hi + 1, len(rows)):
        row = rows[i]

        def get(k: str) -> str:
            j = cols.get(k)
            return cell_text(row[j]).strip() if j is not None and j < len(row) else ""
        e = Entry(get("sheet"), get("column"), get("field"), get("unit"), get("value"), get("means"),
                  Loc(file, sheet, first_row + i), from_map)
        if e.sheet.startswith("#") or e.column.startswith("#"):
            continue            # a comment row (the template's examples)
        if any((e.sheet, e.column, e.field, e.value)):
            out.append(e)
    return out
