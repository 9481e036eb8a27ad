"""The period of a report (SPEC §2): Q, PQ, YQ, TTM and as_of.

A period is either a calendar quarter (`2026Q3`) or a month (`2026-08`); in
both cases Q is the three months ending with its last month, so every rule
downstream is written once. The default comes from the Sales data and never
from the wall clock, so the same inputs give the same report on any day.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

from ..errors import KamError
from .results import Period

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[qQ]\s*([1-4])\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,2})\s*$")


def month_index(d: date) -> int:
    """Months since year 0: month arithmetic becomes integer arithmetic."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> date:
    y, m = index // 12, index % 12 + 1
    return date(y, m, calendar.monthrange(y, m)[1])


def _months(last: int, count: int) -> tuple[date, ...]:
    """`count` months ending with month index `last`, oldest first."""
    return tuple(month_start(i) for i in range(last - count + 1, last + 1))


def quarter_label(index: int) -> str:
    """Label of the calendar quarter that contains month index `index`."""
    return f"{index // 12}Q{(index % 12) // 3 + 1}"


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def make_period(last_month: int, kind: str) -> Period:
    """The period whose Q ends with month index `last_month`.

    For a quarter `last_month` is the quarter's last month (Mar, Jun, Sep,
    Dec); for a month period any month.
    """
    if kind == "quarter" and last_month % 3 != 2:
        raise ValueError("a quarter ends in March, June, September or December")
    label = quarter_label(last_month) if kind == "quarter" else month_label(last_month)
    return Period(
        label=label,
        kind=kind,
        as_of=month_end(last_month),
        q=_months(last_month, 3),
        pq=_months(last_month - 3, 3),
        yq=_months(last_month - 12, 3),
        ttm=_months(last_month, 12),
    )


def last_month_index(period: Period) -> int:
    return month_index(period.q[-1])


def previous(period: Period) -> Period:
    """The period three months earlier (PQ as a period): for tier_prev."""
    return make_period(last_month_index(period) - 3, period.kind)


def parse_period(text: str, lang: str | None = None) -> Period:
    """`2026Q3`, `2026-Q3`, `2026q3` (a quarter) or `2026-08` (a month)."""
    m = _QUARTER.match(text or "")
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        if year >= 1:
            return make_period(year * 12 + q * 3 - 1, "quarter")
    m = _MONTH.match(text or "")
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if year >= 1 and 1 <= month <= 12:
            return make_period(year * 12 + month - 1, "month")
    raise KamError("period.unreadable", text=text).stamp(lang)


def default_period(sales_months: Iterable[date], lang: str | None = None) -> Period:
    """The latest quarter whose last month has a Sales row, else the quarter
    of the latest Sales month (SPEC §2)."""
    months = {month_index(d) for d in sales_months}
    if not months:
        raise KamError("period.no_sales").stamp(lang)
    quarter_ends = [i for i in months if i % 3 == 2]
    if quarter_ends:
        return make_period(max(quarter_ends), "quarter")
    latest = max(months)
    return make_period(latest - latest % 3 + 2, "quarter")


def resolve_period(text: str | None, sales_months: Iterable[date], lang: str | None = None) -> Period:
    """`--period` when given, else the default from the data."""
    if text is not None and text.strip():
        return parse_period(text, lang)
    return default_period(sales_months, lang)


def window_label(last_month: int, kind: str) -> str:
    """Label of the 3-month window ending with `last_month` (revenue trend):
    the quarter for quarter periods, the window's last month for month periods."""
    return quarter_label(last_month) if kind == "quarter" else month_label(last_month)
