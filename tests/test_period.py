"""SPEC §2: period parsing, defaults from the data, Q/PQ/YQ/TTM windows."""
from datetime import date

import pytest

from kamreport.errors import KamError
from kamreport.engine.period import default_period, parse_period, previous, resolve_period


def months(*pairs):
    return tuple(date(y, m, 1) for y, m in pairs)


@pytest.mark.parametrize("text", ["2026Q3", "2026-Q3", "2026q3", " 2026-q3 "])
def test_quarter_spellings(text):
    p = parse_period(text)
    assert p.label == "2026Q3" and p.kind == "quarter"
    assert p.as_of == date(2026, 9, 30)
    assert p.q == months((2026, 7), (2026, 8), (2026, 9))
    assert p.pq == months((2026, 4), (2026, 5), (2026, 6))
    assert p.yq == months((2025, 7), (2025, 8), (2025, 9))
    # TTM: Oct 2025 .. Sep 2026, 12 months ending with Q's last month
    assert p.ttm[0] == date(2025, 10, 1) and p.ttm[-1] == date(2026, 9, 1) and len(p.ttm) == 12


def test_q1_windows_cross_the_year():
    p = parse_period("2026Q1")
    assert p.as_of == date(2026, 3, 31)
    assert p.pq == months((2025, 10), (2025, 11), (2025, 12))
    assert p.yq == months((2025, 1), (2025, 2), (2025, 3))


def test_month_period():
    p = parse_period("2026-08")
    assert p.label == "2026-08" and p.kind == "month"
    assert p.as_of == date(2026, 8, 31)
    assert p.q == months((2026, 6), (2026, 7), (2026, 8))
    assert p.pq == months((2026, 3), (2026, 4), (2026, 5))
    assert p.yq == months((2025, 6), (2025, 7), (2025, 8))
    # TTM: Sep 2025 .. Aug 2026
    assert p.ttm == months(*[(2025, m) for m in range(9, 13)], *[(2026, m) for m in range(1, 9)])


def test_month_february_leap_as_of():
    assert parse_period("2028-02").as_of == date(2028, 2, 29)
    assert parse_period("2026-02").as_of == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-13", "2026-00", "Q3 2026", "26Q3", "", "2026/08"])
def test_bad_period_is_a_kam_error_saying_what_is_accepted(text):
    with pytest.raises(KamError) as e:
        parse_period(text)
    assert "2026Q3" in str(e.value) and "2026-08" in str(e.value)


def test_bad_period_message_in_chinese():
    with pytest.raises(KamError, match="季度"):
        parse_period("xx", lang="zh")


def test_default_is_latest_quarter_whose_last_month_has_sales():
    # Sales in Jul, Aug 2026 (Q3 incomplete) and Jun 2026 -> Q2 (June is its last month).
    assert default_period(months((2026, 6), (2026, 7), (2026, 8))).label == "2026Q2"
    # September present -> Q3.
    assert default_period(months((2026, 9), (2026, 1))).label == "2026Q3"


def test_default_falls_back_to_quarter_of_latest_month():
    # No quarter-end month at all: Jan, Feb 2026, Aug 2025 -> latest is Feb 2026 -> 2026Q1.
    assert default_period(months((2026, 1), (2026, 2), (2025, 8))).label == "2026Q1"


def test_default_without_sales_asks_for_period():
    with pytest.raises(KamError, match="--period"):
        default_period([])


def test_resolve_prefers_the_option():
    assert resolve_period("2025Q4", months((2026, 9))).label == "2025Q4"
    assert resolve_period(None, months((2026, 9))).label == "2026Q3"
    assert resolve_period("  ", months((2026, 9))).label == "2026Q3"


def test_previous_is_three_months_earlier():
    assert previous(parse_period("2026Q1")).label == "2025Q4"
    p = previous(parse_period("2026-08"))
    assert p.label == "2026-05" and p.as_of == date(2026, 5, 31) and p.kind == "month"
