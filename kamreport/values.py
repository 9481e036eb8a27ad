"""Value parsers of SPEC §1 "Values".

Every parser takes one raw cell value as the workbook library hands it over
(str, float, int, bool, date, datetime, or a `CellError` for an error cell or
a formula without a cached value) and returns the parsed value, `None` for a
blank, or raises `BadValue(code, **params)`. The reader turns a `BadValue`
into a Problem at that cell; `messages.py` words the code in zh and en.

The reader calls these once per cell, a million times for a full sheet, so
each parser starts with the cheap, common case (`type(v) is str` / `float` /
`date`) and keeps the slow normalisation (full-width characters, 万/亿,
currency signs) for text that needs it.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from datetime import date, datetime, timedelta
from typing import Any, Callable

from . import schema
from .model import Birthday


class BadValue(Exception):
    """A cell value that does not fit its column; `code` is a messages.py key."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class CellError:
    """An Excel error cell (`#DIV/0!`, …) or a formula with no cached value.

    python-calamine returns both as "" (its issue #105), which would look
    like a blank; the reader finds them in the sheet XML and puts one of
    these in the cell instead, so the parser reports a bad value.
    """
    __slots__ = ("error", "formula")

    def __init__(self, error: str | None, formula: str | None = None) -> None:
        self.error = error          # "#DIV/0!"; None = formula without cached value
        self.formula = formula      # formula text without "=", when known

    def text(self) -> str:
        if self.error:
            return self.error
        return "=" + self.formula if self.formula else "="

    def __repr__(self) -> str:  # for test failure output
        return f"CellError({self.error!r}, {self.formula!r})"


def check_error(v: Any) -> None:
    """Raise the right BadValue for a CellError (shared by every parser)."""
    if v.error:
        raise BadValue("cell_error", error=v.error)
    raise BadValue("formula_no_value")


# ---------------------------------------------------------------------------
# Text normalisation

# Full-width digits, signs and punctuation people type with a Chinese IME.
_FULLWIDTH = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "，": ",", "．": ".", "－": "-", "＋": "+", "％": "%", "／": "/", "：": ":",
    "（": "(", "）": ")", "\u3000": " ", "。": ".", "—": "-", "－": "-",
})
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def normalise(s: str) -> str:
    """Full-width -> ASCII, every kind of space removed (numbers, dates)."""
    return _SPACES.sub("", s.translate(_FULLWIDTH))


def cell_text(v: Any) -> str:
    """A raw value as a person would read it in the cell (for messages)."""
    if v is None:
        return ""
    if isinstance(v, CellError):
        return v.text()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ") if (v.hour, v.minute, v.second) != (0, 0, 0) else v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


# ---------------------------------------------------------------------------
# id, text, markdown

def parse_id(v: Any) -> str | None:
    if type(v) is str:
        return v.strip() or None
    if type(v) is float:
        # A numeric cell 1001 arrives as 1001.0; ids are text.
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if type(v) is int:
        return str(v)
    if v is None:
        return None
    if isinstance(v, CellError):
        check_error(v)
    raise BadValue("not_id")


def parse_text(v: Any) -> str | None:
    if type(v) is str:
        return v.strip() or None
    if v is None:
        return None
    if isinstance(v, CellError):
        check_error(v)
    # A phone number typed as a number, a date in a free-text column: keep
    # what the person sees rather than reject the row.
    return cell_text(v) or None


def parse_markdown(v: Any) -> str | None:
    if type(v) is str:
        # Keep inner line breaks (Markdown paragraphs); drop outer blank space.
        return v.strip() or None
    return parse_text(v)


# ---------------------------------------------------------------------------
# money, number, percent, int

_UNITS = {"万": Decimal(10**4), "萬": Decimal(10**4), "亿": Decimal(10**8), "億": Decimal(10**8),
          "千": Decimal(10**3), "百万": Decimal(10**6)}
_MONEY = re.compile(
    r"^(?P<neg1>-)?(?P<paren>\()?(?P<cur>[¥￥$€£]|RMB|CNY|USD|EUR)?(?P<neg2>-)?"
    r"(?P<num>\d[\d,]*(?:\.\d*)?|\.\d+)"
    r"(?P<unit>百万|万|萬|亿|億|千)?(?P<yuan>元)?(?P<close>\))?$",
    re.IGNORECASE)


def _number_text(s: str) -> float:
    """`1,234.5`, `¥1,234`, `-300`, `1.2万`, `3亿`, `(300)`, full-width forms."""
    return float(_decimal_text(s))


def _decimal_text(s: str) -> Decimal:
    # Decimal, not float: `1.62万` must be 16200, not 16200.000000000002, and
    # `1.1%` must be 0.011 — people compare these numbers with their sheet.
    t = normalise(s)
    m = _MONEY.match(t)
    if not m or bool(m["paren"]) != bool(m["close"]):
        raise BadValue("not_number")
    num = m["num"]
    if "," in num:
        # Thousands separators must be in groups of three, else it is likely
        # a decimal comma ("1,5") and guessing would be wrong.
        whole = num.split(".")[0]
        if not re.fullmatch(r"\d{1,3}(,\d{3})+", whole):
            raise BadValue("not_number")
        num = num.replace(",", "")
    x = Decimal(num)
    if m["unit"]:
        x *= _UNITS[m["unit"]]
    negatives = (m["neg1"] is not None) + (m["neg2"] is not None) + (m["paren"] is not None)
    if negatives > 1:
        raise BadValue("not_number")
    return -x if negatives else x


def parse_number(v: Any) -> float | None:
    if type(v) is float:
        if math.isfinite(v):
            return v
        raise BadValue("not_number")
    if type(v) is str:
        s = v.strip()
        if not s:
            return None
        try:
            return float(s) if _PLAIN_NUMBER.match(s) else _number_text(s)
        except ValueError:
            raise BadValue("not_number") from None
    if type(v) is int:
        return float(v)
    if v is None:
        return None
    if isinstance(v, CellError):
        check_error(v)
    raise BadValue("not_number")


_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_money(v: Any) -> float | None:
    return parse_number(v)


def parse_money_pos(v: Any) -> float | None:
    x = parse_number(v)
    if x is not None and x < 0:
        raise BadValue("negative")
    return x


def parse_number_pos(v: Any) -> float | None:
    return parse_money_pos(v)


def parse_number_0_10(v: Any) -> float | None:
    x = parse_number(v)
    if x is not None and not 0 <= x <= 10:
        raise BadValue("out_of_range", lo=0, hi=10)
    return x


def parse_percent(v: Any) -> float | None:
    """`0.08` or `8%` -> 0.08. A bare number beyond ±1 is an error: `8`
    could mean 8 % or 800 %, and the spec will not guess."""
    if type(v) is str:
        s = normalise(v)
        if not s:
            return None
        if s.endswith("%"):
            try:
                return float(_decimal_text(s[:-1]) / 100)
            except BadValue:
                raise BadValue("not_percent") from None
        try:
            x = _number_text(s)
        except BadValue:
            raise BadValue("not_percent") from None
    elif type(v) is float or type(v) is int:
        x = float(v)
        if not math.isfinite(x):
            raise BadValue("not_percent")
    elif v is None:
        return None
    elif isinstance(v, CellError):
        check_error(v)
    else:
        raise BadValue("not_percent")
    if abs(x) > 1:
        raise BadValue("percent_bare")
    return x


def int_parser(lo: int, hi: int) -> Callable[[Any], int | None]:
    def parse_int(v: Any) -> int | None:
        try:
            x = parse_number(v)
        except BadValue as e:
            if e.code == "not_number":
                raise BadValue("not_int", lo=lo, hi=hi) from None
            raise
        if x is None:
            return None
        if not x.is_integer():
            raise BadValue("not_int", lo=lo, hi=hi)
        if not lo <= x <= hi:
            raise BadValue("out_of_range", lo=lo, hi=hi)
        return int(x)
    parse_int.__name__ = f"parse_int_{lo}_{hi}"
    return parse_int


# ---------------------------------------------------------------------------
# date, month, day

EPOCH_1900 = date(1899, 12, 30)   # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug
EPOCH_1904 = date(1904, 1, 1)
_MAX_SERIAL = 2958465              # 9999-12-31

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")


def serial_date(x: float, epoch: date) -> date:
    """An Excel date serial (a number in a date column, formatted or not)."""
    if not 1 <= x <= _MAX_SERIAL:
        raise BadValue("not_date")
    return epoch + timedelta(days=int(x))


def _text_date(s: str) -> date:
    # Keep the time's space before removing spaces: "2026-07-15 10:00".
    m = _DATE.match(normalise(s.strip()).replace("T", " "))
    if not m:
        raise BadValue("not_date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise BadValue("not_date") from None


def date_parser(epoch: date = EPOCH_1900) -> Callable[[Any], date | None]:
    """A date parser for one workbook: number serials use its epoch (1900 or 1904)."""
    def parse_date(v: Any) -> date | None:
        t = type(v)
        if t is date:
            return v
        if t is datetime:
            return v.date()
        if t is str:
            return _text_date(v) if v.strip() else None
        if t is float or t is int:
            return serial_date(v, epoch)
        if v is None:
            return None
        if isinstance(v, CellError):
            check_error(v)
        raise BadValue("not_date")
    return parse_date


def month_parser(epoch: date = EPOCH_1900) -> Callable[[Any], date | None]:
    as_date = date_parser(epoch)

    def parse_month(v: Any) -> date | None:
        if type(v) is str:
            s = normalise(v)
            if not s:
                return None
            m = _MONTH.match(s)
            if m:
                y, mo = int(m[1]), int(m[2])
                if 1 <= mo <= 12:
                    return date(y, mo, 1)
                raise BadValue("not_month")
        try:
            d = as_date(v)
        except BadValue as e:
            if e.code == "not_date":
                raise BadValue("not_month") from None
            raise
        return None if d is None else d.replace(day=1)
    return parse_month


def day_parser(epoch: date = EPOCH_1900) -> Callable[[Any], Birthday | None]:
    as_date = date_parser(epoch)

    def parse_day(v: Any) -> Birthday | None:
        if type(v) is str:
            s = normalise(v)
            if not s:
                return None
            m = _DAY.match(s)
            if m:
                mo, d = int(m[1]), int(m[2])
                try:
                    date(2000, mo, d)       # a leap year, so 2-29 is a valid birthday
                except ValueError:
                    raise BadValue("not_day") from None
                return Birthday(mo, d)
        try:
            d = as_date(v)
        except BadValue as e:
            if e.code == "not_date":
                raise BadValue("not_day") from None
            raise
        return None if d is None else Birthday(d.month, d.day, d.year)
    return parse_day


# ---------------------------------------------------------------------------
# bool, enum

_TRUE = {"true", "yes", "y", "1", "是", "有", "√", "✓", "✔", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "無", "×", "✗", "f"}


def parse_bool(v: Any) -> bool | None:
    if type(v) is bool:
        return v
    if type(v) is str:
        s = normalise(v).casefold()
        if not s:
            return None
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise BadValue("not_bool")
    if type(v) is float or type(v) is int:
        if v == 1:
            return True
        if v == 0:
            return False
        raise BadValue("not_bool")
    if v is None:
        return None
    if isinstance(v, CellError):
        check_error(v)
    raise BadValue("not_bool")


def enum_table(enum: schema.Enum) -> dict[str, str]:
    """Folded key / English words / Chinese label -> key."""
    table: dict[str, str] = {}
    for key, zh in enum.options:
        for name in (key, zh, enum.label(key, "en")):
            table[schema.fold(name)] = key
    return table


def enum_parser(enum: schema.Enum) -> Callable[[Any], str | None]:
    """Key, English words ("Preferred supplier") or Chinese label, any case."""
    table = enum_table(enum)
    fold = schema.fold
    options = " / ".join(f"{k} ({zh})" for k, zh in enum.options)

    def parse_enum(v: Any) -> str | None:
        if type(v) is str:
            key = table.get(v) or table.get(fold(v))
            if key:
                return key
            if not v.strip():
                return None
            raise BadValue("not_enum", options=options)
        if v is None:
            return None
        if isinstance(v, CellError):
            check_error(v)
        raise BadValue("not_enum", options=options)
    parse_enum.__name__ = f"parse_{enum.name}"
    return parse_enum


def parser_for(column: schema.Column, epoch: date = EPOCH_1900) -> Callable[[Any], Any]:
    """The parser for one column of one workbook (dates depend on its epoch)."""
    t = column.type
    if t == schema.ID:
        return parse_id
    if t == schema.TEXT:
        return parse_text
    if t == schema.MARKDOWN:
        return parse_markdown
    if t == schema.MONEY:
        return parse_money
    if t == schema.MONEY_POS:
        return parse_money_pos
    if t == schema.NUMBER_POS:
        return parse_number_pos
    if t == schema.NUMBER_0_10:
        return parse_number_0_10
    if t == schema.PERCENT:
        return parse_percent
    if t == schema.INT_1_5:
        return int_parser(1, 5)
    if t == schema.INT_0_10:
        return int_parser(0, 10)
    if t == schema.DATE:
        return date_parser(epoch)
    if t == schema.MONTH:
        return month_parser(epoch)
    if t == schema.DAY:
        return day_parser(epoch)
    if t == schema.BOOL:
        return parse_bool
    if t == schema.ENUM:
        assert column.enum is not None
        return enum_parser(column.enum)
    raise ValueError(f"no parser for column type {t!r}")
