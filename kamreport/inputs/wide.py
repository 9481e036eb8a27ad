"""Wide Sales sheets (SPEC §1.5 "Wide layout"): a row per customer
(optionally per product) and a column per month.

    客户编号 | 客户名称 | 1月 | 2月 | … | 12月 | 合计          <- under a merged "2026年"
    KH0001  | 华东甲   | 12  |  9  | … |  …  | 130

find_months() reads the month headers — any month form of SPEC §1, also
`1月`…`12月` with the year from a group header above (`2026年`) or from the
title rows, and a group header `毛利` / `gross profit` or `目标` / `target`
above a second block of months. Totals columns (合计, 总计, 小计, 累计,
Total, YTD, a quarter, a year) are no months. The reader then turns each
non-blank month cell into one Sales row at its month.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import headers, schema, values

_MONTH_NO = re.compile(r"^(\d{1,2})月(份)?$")
_MONTH_NAME = re.compile(r"^([a-z]{3,9})\.?$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_TOTALS_COL = re.compile(r"^(合计|总计|小计|累计|汇总|total|ytd|全年|年度合计|q[1-4]|\d{4}q[1-4]|[一二三四1-4]季度|第[一二三四]季度|"
                         r"(19|20)\d{2}年?(合计|total)?|h[12]|上半年|下半年)$", re.IGNORECASE)
_GP_WORDS = ("毛利", "grossprofit", "gp")
_REVENUE_WORDS = ("销售额", "销售收入", "营业收入", "收入", "销售", "金额", "实际", "revenue", "sales", "amount", "actual")
# Blocks that are not money of a month: a rate, a quantity, cash collected, last year.
_OTHER_WORDS = ("率", "%", "margin", "rate", "数量", "销量", "件数", "台数", "quantity", "qty", "units", "volume",
                "回款", "收款", "collection", "receipt", "去年", "上年", "同期", "lastyear", "prior", "py")
_TARGET_WORDS = ("目标", "预算", "计划", "指标", "target", "budget", "plan", "forecast", "quota")
_UNIT_IN_TITLE = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]+)|\(in\s+([a-z]+)\)|units?\s*:\s*([^\s,;]+)", re.IGNORECASE)


@dataclass(frozen=True)
class MonthColumn:
    index: int              # in the row
    month: date
    block: str              # revenue | gross_profit | target
    header: str
    unit: headers.Unit | None = None    # its own unit (a Columns entry), else the layout's


@dataclass(frozen=True)
class Layout:
    months: tuple[MonthColumn, ...]
    totals: tuple[str, ...]             # the headers of ignored totals columns
    unit: headers.Unit | None           # from a title row (单位：万元) or a group header
    unit_label: str
    ignored: tuple[str, ...] = ()       # month columns of blocks that are not read (毛利率, 数量, 去年)
    header_rows: int = 1                # 2: a 目标 / 实际 row below the months


def _text(v: Any) -> str:
    return values.cell_text(v).strip()


def _month_of(v: Any, year: int | None, hint: str = "") -> date | None:
    """A month header: a date cell, `2026-01`, `202601`, `2026.01`, `Jan-26`, `1月` (with year)."""
    if isinstance(v, datetime):
        return v.date().replace(day=1)
    if isinstance(v, date):
        return v.replace(day=1)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        n = v
        if float(n).is_integer() and 195001 <= n <= 210012 and 1 <= int(n) % 100 <= 12:
            return date(int(n) // 100, int(n) % 100, 1)
        if float(n).is_integer() and 1 <= n <= 12 and year:
            return date(year, int(n), 1)
        if not float(n).is_integer():
            # 2026.01 … as numbers: Excel's 2025.1 is told apart by the row (values.month_hint).
            try:
                return values._number_month(float(n), lambda: hint)
            except values.BadValue:
                return None
        return None
    s = values.normalise(_text(v))
    if not s:
        return None
    m = _MONTH_NO.match(s)
    if m:
        mo = int(m[1])
        return date(year, mo, 1) if year and 1 <= mo <= 12 else None
    m = _MONTH_NAME.match(s.casefold())
    if m and m[1] in values._MONTH_NAMES:
        return date(year, values._MONTH_NAMES[m[1]], 1) if year else None
    try:
        return values._text_month(s)
    except values.BadValue:
        return None


def _group_row(row: list[Any], width: int) -> list[str]:
    """A group header row carried to the right over its (merged) area."""
    out, current = [], ""
    for j in range(width):
        t = _text(row[j]) if j < len(row) else ""
        if t:
            current = t
        out.append(current)
    return out


def _is_title(row: list[Any]) -> bool:
    filled = [j for j, v in enumerate(row) if _text(v)]
    return len(filled) <= 1 and (not filled or filled[0] == 0)


def _block(group: str) -> str:
    """What a group header's months hold: revenue, gross_profit, target —
    or "" for anything else (a margin %, a quantity, collections, last
    year), which is not read: never a guess."""
    f = schema.fold(_YEAR.sub("", group))
    if not f or f in ("年", "年度", "fy"):
        return "revenue"            # a year alone
    if any(w in f for w in _OTHER_WORDS):
        return ""
    if any(w in f for w in _TARGET_WORDS):
        return "target"
    if any(w in f for w in _GP_WORDS):
        return "gross_profit"
    if any(w in f for w in _REVENUE_WORDS):
        return "revenue"
    return ""


def find_months(rows: list[list[Any]], hi: int) -> Layout | None:
    """The month columns of header row `hi`; None when there are fewer than two."""
    header = rows[hi]
    width = len(header)
    title_year = None
    unit: headers.Unit | None = None
    unit_label = ""
    for r in rows[:hi]:
        for v in r:
            t = _text(v)
            if not t:
                continue
            m = _UNIT_IN_TITLE.search(t)
            if m and unit is None:
                word = next(g for g in m.groups() if g)
                got = headers.parse_unit(word)
                if isinstance(got, headers.Unit) and got.kind == "money":
                    unit, unit_label = got, word
            y = _YEAR.search(t)
            if y and title_year is None and not _MONTH_NO.match(t):
                title_year = int(y[1])
    # Group rows: the one or two rows right above the months, not a title
    # (a title is one cell at the left: "FY2026 revenue and gross profit").
    groups = [_group_row(rows[i], width) for i in range(max(0, hi - 2), hi) if not _is_title(rows[i])]
    months: list[MonthColumn] = []
    totals: list[str] = []
    ignored: list[str] = []
    hint = values.month_hint(header)
    for j, v in enumerate(header):
        t = _text(v)
        if not t:
            continue
        above = [g[j] for g in groups if g[j]]
        year = title_year
        block = "revenue"
        for g in above:               # farthest first: the nearest group decides
            y = _YEAR.search(g)
            if y:
                year = int(y[1])
            block = _block(g)
        if _TOTALS_COL.match(schema.fold(t)) or _TOTALS_COL.match(values.normalise(t).casefold()):
            totals.append(t)
            continue
        mo = _month_of(v, year, hint)
        if mo is not None:
            if block:
                months.append(MonthColumn(j, mo, block, t))
            else:
                ignored.append(f"{above[-1] if above else ''} {t}".strip())
    sub = _sub_header(rows, hi, title_year, hint)
    if sub is not None:
        months, ignored = sub
        return Layout(tuple(months), tuple(totals), unit, unit_label, tuple(ignored), header_rows=2)
    if len(months) < 2:
        return None
    return Layout(tuple(months), tuple(totals), unit, unit_label, tuple(ignored))


def _sub_header(rows: list[list[Any]], hi: int, year: int | None,
                hint: str) -> tuple[list[MonthColumn], list[str]] | None:
    """Each month merged over a 目标 / 实际 (target / actual) pair: the row
    below the months names each column's block."""
    if hi + 1 >= len(rows):
        return None
    below = rows[hi + 1]
    words = [(j, _text(v)) for j, v in enumerate(below) if _text(v)]
    if len(words) < 2 or not all(_block(w) and not _YEAR.search(w) and _month_of(w, year) is None
                                 and not re.search(r"\d", w) for _, w in words):
        return None
    carried = _group_row(rows[hi], len(rows[hi]))
    months, ignored = [], []
    for j, w in words:
        mo = _month_of(carried[j], year, hint) if j < len(carried) else None
        if mo is None:
            return None
        months.append(MonthColumn(j, mo, _block(w), f"{carried[j]} {w}"))
    return (months, ignored) if len(months) >= 2 else None


def yearless_months(row: list[Any]) -> list[str]:
    """Headers that would be months with a year (`7月`, `Jul`) but have none
    above them or in a title: the reader refuses them, naming where to put
    the year — never a guessed year."""
    hint = values.month_hint(row)
    return [_text(v) for v in row if _text(v) and _month_of(v, None, hint) is None
            and _month_of(v, 2000, hint) is not None]
