"""Value parsers of SPEC §1 "Values": every form and alias, and the errors."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, strategies as st

from kamreport.inputs import schema, values
from kamreport.model import Birthday
from kamreport.inputs.values import EPOCH_1904, BadValue, CellError, cell_text, date_parser, day_parser, enum_parser, int_parser, month_parser, parse_bool, parse_id, parse_markdown, parse_money, parse_money_pos, parse_number_0_10, parse_number_pos, parse_percent, parse_text, parser_for


def bad(parse, v) -> str:
    """The BadValue code a parser raises for v (fails the test if none)."""
    with pytest.raises(BadValue) as e:
        parse(v)
    return e.value.code


# -- id, text ---------------------------------------------------------------

@pytest.mark.parametrize("raw, want", [
    (1001, "1001"), (1001.0, "1001"), ("1001", "1001"), ("  C001 ", "C001"),
    (1001.5, "1001.5"), ("", None), ("   ", None), (None, None),
])
def test_id(raw, want):
    assert parse_id(raw) == want


def test_id_rejects_dates_and_booleans():
    assert bad(parse_id, date(2026, 1, 1)) == "not_id"
    assert bad(parse_id, True) == "not_id"


@pytest.mark.parametrize("raw, want", [
    ("  Acme  ", "Acme"), ("", None), (" \t", None), (13800138000.0, "13800138000"),
    (date(2026, 7, 15), "2026-07-15"), (True, "TRUE"), (2.5, "2.5"),
])
def test_text(raw, want):
    assert parse_text(raw) == want


def test_markdown_keeps_inner_lines():
    assert parse_markdown("  # Title\n\n- a\n- b \n") == "# Title\n\n- a\n- b"


# -- money / number ---------------------------------------------------------

@pytest.mark.parametrize("raw, want", [
    (1234.5, 1234.5), (-300.0, -300.0), (7, 7.0),
    ("1,234.5", 1234.5), ("¥1,234", 1234.0), ("￥1,234", 1234.0), ("-300", -300.0),
    ("1.2万", 12000.0),          # 1.2 × 10 000
    ("3亿", 300000000.0),        # 3 × 10^8
    ("１，２３４．５", 1234.5),  # full-width digits and comma, typed with a Chinese IME
    ("－３００", -300.0),
    ("(300)", -300.0),           # accounting negative
    ("1 234", 1234.0),           # a space as thousands separator
    ("12元", 12.0), ("RMB 1,000", 1000.0), ("-¥5", -5.0), ("¥-5", -5.0),
    (".5", 0.5), ("0.5万", 5000.0),
])
def test_money_forms(raw, want):
    assert parse_money(raw) == pytest.approx(want)


@pytest.mark.parametrize("raw", ["abc", "1,2", "12,34.5", "1.2.3", "--5", "(5", "5%", "1e5", "万",
                                 date(2026, 1, 1), True, float("nan"), float("inf")])
def test_money_rejects(raw):
    assert bad(parse_money, raw) == "not_number"


def test_money_blank():
    assert parse_money("") is None and parse_money("  ") is None and parse_money(None) is None


def test_money_non_negative():
    assert parse_money_pos("0") == 0.0
    assert bad(parse_money_pos, "-1") == "negative"
    assert bad(parse_number_pos, -0.5) == "negative"


def test_number_0_10():
    assert parse_number_0_10("8.5") == 8.5
    assert parse_number_0_10(10.0) == 10.0
    assert bad(parse_number_0_10, 10.5) == "out_of_range"
    assert bad(parse_number_0_10, "-1") == "out_of_range"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_money_round_trips_with_thousands_separators(n):
    # Whatever integer someone types with separators and a currency sign
    # comes back as the same number.
    text = f"¥{n:,}" if n >= 0 else f"-¥{-n:,}"
    assert parse_money(text) == float(n)
    assert parse_money(f"{n:,}") == float(n)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_money_wan_scaling(d):
    # "x万" is x × 10 000, to float precision.
    assert parse_money(f"{d}万") == pytest.approx(float(d) * 1e4)


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, exclude_min=True, exclude_max=True))
def test_numeric_cells_pass_through(x):
    assert parse_money(x) == x


@pytest.mark.parametrize("raw", [1e15, -1e15, 1e30, "1e30", "10000000000亿"])
def test_money_beyond_what_a_column_holds_is_a_bad_value(raw):
    # SPEC §1: |x| >= 10^15 is a bad value, never a crash (1e30 raised
    # decimal.InvalidOperation in v1).
    assert bad(parse_money, raw) in ("too_large_value", "not_number")


# -- percent ----------------------------------------------------------------

@pytest.mark.parametrize("raw, want", [
    (0.08, 0.08), ("0.08", 0.08), ("8%", 0.08), ("8 %", 0.08), ("８％", 0.08), ("-5%", -0.05),
    (1.0, 1.0), ("150%", 1.5), (0, 0.0), ("12.5%", 0.125),
])
def test_percent(raw, want):
    assert parse_percent(raw) == pytest.approx(want)


def test_percent_bare_number_above_one_is_an_error():
    # "8" could mean 8 % or 800 %: SPEC says only "8%" means 8 %.
    assert bad(parse_percent, 8.0) == "percent_bare"
    assert bad(parse_percent, "8") == "percent_bare"
    assert bad(parse_percent, "-3") == "percent_bare"
    assert bad(parse_percent, "abc%") == "not_percent"
    assert bad(parse_percent, "abc") == "not_percent"


@given(st.integers(min_value=-100, max_value=100))
def test_percent_sign_and_fraction_agree(n):
    assert parse_percent(f"{n}%") == pytest.approx(n / 100)
    assert parse_percent(n / 100) == pytest.approx(n / 100)


# -- int ranges -------------------------------------------------------------

def test_int_ranges():
    p15 = int_parser(1, 5)
    assert p15(3.0) == 3 and p15("5") == 5 and p15(" 1 ") == 1 and p15("３") == 3
    assert bad(p15, 0.0) == "out_of_range"
    assert bad(p15, 6) == "out_of_range"
    assert bad(p15, 2.5) == "not_int"
    assert bad(p15, "high") == "not_int"
    p010 = int_parser(0, 10)
    assert p010(0.0) == 0 and p010(10.0) == 10
    assert p15("") is None


# -- dates ------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    date(2026, 7, 15), datetime(2026, 7, 15, 9, 30), "2026-07-15", "2026/7/15", "2026.7.15",
    "2026年7月15日", " 2026-7-15 ", "２０２６－０７－１５", "2026-07-15 00:00:00", "2026-07-15T08:00",
    46218.0,          # serial of 2026-07-15: (2026-07-15 − 1899-12-30) = 46218 days
    46218,
])
def test_date_forms(raw):
    assert date_parser()(raw) == date(2026, 7, 15)


def test_date_serial_1904():
    # 1904 system: serial 0 = 1904-01-01, so 2026-07-15 is 46218 − 1462 = 44756.
    assert date_parser(EPOCH_1904)(44756.0) == date(2026, 7, 15)


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "July 15", "abc", -1.0, 0.0,
                                 3e7, True, 45.0])
def test_date_rejects(raw):
    assert bad(date_parser(), raw) == "not_date"


def test_year_last_date_needs_the_date_order_setting():
    assert bad(date_parser(), "15/07/2026") == "year_last"


@pytest.mark.parametrize("raw", [date(2026, 7, 15), "2026-07", "2026/7", "2026年7月", "2026-07-15",
                                 "2026年07月", 46218.0, "2026.7"])
def test_month_forms(raw):
    assert month_parser()(raw) == date(2026, 7, 1)


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "July", "abc"])
def test_month_rejects(raw):
    assert bad(month_parser(), raw) == "not_month"


def test_a_year_alone_is_not_a_month():
    assert bad(month_parser(), "2026") == "year_only"


@pytest.mark.parametrize("raw, want", [
    ("07-15", Birthday(7, 15)), ("7/15", Birthday(7, 15)), ("7月15日", Birthday(7, 15)),
    ("02-29", Birthday(2, 29)),                 # a leap-day birthday is valid
    ("1980-07-15", Birthday(7, 15, 1980)), (date(1980, 7, 15), Birthday(7, 15, 1980)),
    ("1980年7月15日", Birthday(7, 15, 1980)),
])
def test_day_forms(raw, want):
    assert day_parser()(raw) == want


@pytest.mark.parametrize("raw", ["13-01", "02-30", "7/32", "abc"])
def test_day_rejects(raw):
    assert bad(day_parser(), raw) == "not_day"


# -- bool, enum -------------------------------------------------------------

@pytest.mark.parametrize("raw", ["TRUE", "true", "yes", "Y", "y", "1", "是", "有", "√", "✓", True, 1.0])
def test_bool_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["FALSE", "no", "N", "n", "0", "否", "无", False, 0.0])
def test_bool_false(raw):
    assert parse_bool(raw) is False


def test_bool_blank_and_bad():
    assert parse_bool("") is None and parse_bool(None) is None
    assert bad(parse_bool, "maybe") == "not_bool"
    assert bad(parse_bool, 2.0) == "not_bool"


@pytest.mark.parametrize("raw", ["preferred_supplier", "Preferred supplier", "PREFERRED SUPPLIER",
                                 "preferred-supplier", "优先供应商", " 优先供应商 "])
def test_enum_aliases(raw):
    assert enum_parser(schema.RELATIONSHIP_TYPE)(raw) == "preferred_supplier"


def test_every_enum_key_label_and_words():
    for enum in (schema.RELATIONSHIP_STAGE, schema.RELATIONSHIP_TYPE, schema.ACTIVITY_TYPE,
                 schema.CONTACT_ROLE, schema.ATTITUDE, schema.PLAN_STATUS):
        parse = enum_parser(enum)
        for key, zh in enum.options:
            assert parse(key) == key
            assert parse(zh) == key
            assert parse(key.replace("_", " ").title()) == key


def test_enum_rejects():
    parse = enum_parser(schema.ACTIVITY_TYPE)
    with pytest.raises(BadValue) as e:
        parse("lunch")
    assert e.value.code == "not_enum" and "visit (拜访)" in e.value.params["options"]
    assert bad(parse, 3.0) == "not_enum"
    assert parse("") is None


# -- error cells --------------------------------------------------------------

@pytest.mark.parametrize("column", [c for s in schema.SHEETS for c in s.columns], ids=lambda c: c.key)
def test_every_parser_reports_error_cells(column):
    # An Excel error or a formula without a cached value is a bad value in
    # every column type, never a blank (SPEC §1, SECURITY case 5).
    parse = parser_for(column)
    with pytest.raises(BadValue) as e:
        parse(CellError("#DIV/0!", "1/0"))
    assert e.value.code == "cell_error" and e.value.params["error"] == "#DIV/0!"
    with pytest.raises(BadValue) as e:
        parse(CellError(None, "SUM(A1:A3)"))
    assert e.value.code == "formula_no_value"


def test_cell_text():
    assert cell_text(1001.0) == "1001"
    assert cell_text(0.1) == "0.1"
    assert cell_text(datetime(2026, 7, 15)) == "2026-07-15"
    assert cell_text(CellError(None, "A1*2")) == "=A1*2"
    assert cell_text(CellError("#N/A")) == "#N/A"


@pytest.mark.parametrize("text, expected", [
    ("1.62万", 16200.0), ("0.07亿", 7000000.0), ("1.1万", 11000.0), ("¥0.3万", 3000.0),
])
def test_units_are_exact_not_float_products(text, expected):
    # 1.62 * 1e4 in floats is 16200.000000000002; the sheet says 16200.
    assert values.parse_money(text) == expected


@pytest.mark.parametrize("text, expected", [("1.1%", 0.011), ("8.5%", 0.085), ("0.3%", 0.003)])
def test_percent_text_is_exact(text, expected):
    # 1.1 / 100 in floats is 0.011000000000000001.
    assert values.parse_percent(text) == expected
