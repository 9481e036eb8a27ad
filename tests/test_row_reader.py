"""The generated row loop (read.row_reader) against the plain reading it
stands for: every column's parser, the record type's own constructor. A
property over every record type, random cells of every kind, so a fast path
that reads a cell differently from its parser cannot hide."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kamreport.inputs import read, schema, values
from kamreport.model import Loc

KINDS = sorted(read.RECORD_TYPES)


def _cells(col: schema.Column):
    words = [st.sampled_from([k for k, _ in col.enum.options] + [lab for _, lab in col.enum.options])] \
        if col.enum is not None else []
    return st.one_of(
        st.just(""), st.just("  "), st.text(max_size=6),
        st.sampled_from(["C1", " C2 ", "ＫＨ０１", "2026-07", "7月", "3万", "1,234.5", "是", "no", "5"]),
        st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-1e6, max_value=1e6),
        st.integers(min_value=-3, max_value=12),
        st.dates(min_value=date(1940, 1, 1), max_value=date(2110, 12, 31)),
        *words)


def _expected(cls, spec_cols, rows, file, sheet, first_row, id_index):
    """Each cell through its column's parser; the record through cls(...)."""
    parsers = [values.parser_for(c, enum=values.enum_table(c.enum) if c.enum else None) for c in spec_cols]
    defaults = dict(cls._field_defaults) if issubclass(cls, tuple) else \
        {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    out, read_n, rejected = [], 0, 0
    for i, row in enumerate(rows):
        if read._blank(row):
            continue
        read_n += 1
        ok, got = True, {}
        for k, c in enumerate(spec_cols):
            v = row[k]
            try:
                x = None if v == "" else parsers[k](v)
            except values.BadValue:
                x, bad = None, True
            else:
                bad = False
            if c.required and (bad or x is None):
                ok = False
            if x is None and not c.required:
                x = defaults.get(c.key)
            got[c.key] = x
        if not ok:
            rejected += 1
            continue
        out.append(cls(**got, loc=Loc(file, sheet, first_row + i)))
    return out, read_n, rejected


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_loop_reads_like_the_parsers_and_the_constructor(kind, data):
    cls = read.RECORD_TYPES[kind]
    spec = schema.find_sheet(kind)
    cols = list(spec.columns)
    n = data.draw(st.integers(min_value=0, max_value=6))
    rows = [[data.draw(_cells(c)) for c in cols] for _ in range(n)]
    id_key = "name" if kind == "Staff" else "customer_id"      # as read.read_table keys its rows
    id_index = next(k for k, c in enumerate(cols) if c.key == id_key)
    parsers = tuple(values.parser_for(c, enum=values.enum_table(c.enum) if c.enum else None) for c in cols)
    tables = tuple(values.enum_table(c.enum) if c.enum else None for c in cols)
    # Prebuilt records for some rows (as read._prebuild_records makes them), none for others.
    ahead: list = []
    if data.draw(st.booleans()):
        read._prebuild_records(ahead, cls, "f.xlsx", kind, type("Scan", (), {"max_row": 3, "bytes": 1 << 20})())
    loop = read.row_reader(cls, list(enumerate(cols)), id_index)
    got, read_n, rejected = loop(rows, 0, len(rows), "f.xlsx", kind, 1, lambda *a: None, read._blank,
                                 values.BadValue, parsers, tables, ahead, {})
    assert (got, read_n, rejected) == _expected(cls, cols, rows, "f.xlsx", kind, 1, id_index)
    assert all(type(r) is cls for r in got)


def test_row_reader_refuses_what_it_would_build_wrong():
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        customer_id: str
        loc: Loc
        tags: list = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithPostInit:
        customer_id: str
        loc: Loc

        def __post_init__(self):
            pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class NeedsAColumn:
        customer_id: str
        loc: Loc
        revenue: float

    class TupleNeedsAColumn(NamedTuple):
        customer_id: str
        loc: Loc
        revenue: float

    class TupleWithoutLoc(NamedTuple):
        customer_id: str

    cid = schema.CUSTOMERS.column("customer_id")
    for cls, why in ((WithFactory, "default_factory"), (WithPostInit, "__post_init__"),
                     (NeedsAColumn, "revenue: no column and no default"),
                     (TupleNeedsAColumn, "revenue: no column and no default"), (TupleWithoutLoc, "no loc")):
        with pytest.raises(TypeError, match=why):
            read.row_reader(cls, [(0, cid)], 0)
