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
import unicodedata
from decimal import Decimal
from datetime import date, datetime, timedelta
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from . import schema
from ..model import Birthday
from .synonyms import ENUMS


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


# An address as send.parse_address takes it into the SMTP envelope: ASCII
# dot-atom local part, DNS-label domain with a dot. A Staff email is
# checked when read, so that a mistyped one is an error at its cell.
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def is_email(text: str) -> bool:
    """`text` is one plain address, `name@example.com` (no display name)."""
    return len(text) <= 254 and len(text.partition("@")[0]) <= 64 and _EMAIL.match(text) is not None


# A colour as the documents take it into CSS, SVG and Office XML: a cell
# must not be able to inject anything (url() fetches and the like).
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def is_colour(text: str) -> bool:
    """`text` is a plain `#rgb` or `#rrggbb` colour."""
    return _COLOUR.fullmatch(text) is not None


def fold_name(name: str) -> str:
    """A person's name as compared (an account_manager with its Staff row):
    case, full-width forms folded and every kind of space removed, as ids
    are folded (SPEC §1): `王 芳` (spaced to line up in a column) is 王芳."""
    text = unicodedata.normalize("NFKC", name.translate(_INVISIBLE_NAME)).casefold()
    return "".join(text.split())


_INVISIBLE_NAME = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def parse_markdown(v: Any) -> str | None:
    if type(v) is str:
        # Keep inner line breaks (Markdown paragraphs); drop outer blank space.
        return v.strip() or None
    return parse_text(v)


# ---------------------------------------------------------------------------
# money, number, percent, int

# Scale words a cell (or a header, headers.py) may carry. Keys are matched
# after normalise() and casefold().
SCALES: dict[str, Decimal] = {
    "万": Decimal(10**4), "萬": Decimal(10**4), "亿": Decimal(10**8), "億": Decimal(10**8),
    "千": Decimal(10**3), "百万": Decimal(10**6), "百萬": Decimal(10**6), "千万": Decimal(10**7),
    "k": Decimal(10**3), "m": Decimal(10**6), "mn": Decimal(10**6), "mm": Decimal(10**6),
    "b": Decimal(10**9), "bn": Decimal(10**9),
}
# Currency signs and codes in a cell or header -> ISO code. `¥` is CNY here
# (SPEC §1): the sheets this tool reads are kept in China.
CURRENCIES: dict[str, str] = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY",
    "$": "USD", "us$": "USD", "usd": "USD", "美元": "USD", "美金": "USD",
    "€": "EUR", "eur": "EUR", "欧元": "EUR",
    "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD", "港幣": "HKD",
    "£": "GBP", "gbp": "GBP", "英镑": "GBP",
    "jpy": "JPY", "日元": "JPY", "円": "JPY",
}
_CUR_PREFIX = r"HK\$|US\$|[¥￥$€£]|RMB|CNY|USD|EUR|HKD|GBP|JPY|人民币"
_CUR_SUFFIX = r"元|人民币|RMB|CNY|USD|美元|美金|EUR|欧元|HKD|港币|港元|GBP|英镑|JPY|日元"
_MONEY = re.compile(
    rf"^(?P<neg1>-)?(?P<paren>\()?(?P<cur>{_CUR_PREFIX})?(?P<neg2>-)?"
    r"(?P<num>\d[\d,]*(?:\.\d*)?|\.\d+)"
    r"(?P<unit>百万|百萬|千万|万|萬|亿|億|千|bn|mn|mm|k|m|b)?"
    rf"(?P<cur2>{_CUR_SUFFIX})?(?P<close>\))?$",
    re.IGNORECASE)
MONEY_LIMIT = Decimal(10**15)       # SPEC §1: |x| >= 10^15 is no money a column holds


@dataclass(frozen=True)
class Amount:
    """A number as a cell wrote it: its value, and the unit it carried itself."""
    value: Decimal
    scaled: bool = False            # the cell said 万 / K / M … itself
    currency: str | None = None     # the cell said ¥ / USD / 元 … itself


def _amount_text(s: str) -> Amount:
    # Decimal, not float: `1.62万` must be 16200, not 16200.000000000002, and
    # `1.1%` must be 0.011 — people compare these numbers with their sheet.
    t = normalise(s)
    m = _MONEY.match(t)
    if not m or bool(m["paren"]) != bool(m["close"]):
        raise BadValue("not_number")
    if m["cur"] and m["cur2"] and CURRENCIES[m["cur"].casefold()] != CURRENCIES[m["cur2"].casefold()]:
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
    unit = m["unit"]
    if unit:
        x *= SCALES[unit.casefold()]
    negatives = (m["neg1"] is not None) + (m["neg2"] is not None) + (m["paren"] is not None)
    if negatives > 1:
        raise BadValue("not_number")
    cur = m["cur"] or m["cur2"]
    # A cell that names its currency (`5,000元`, `¥1,234`) is written out in
    # full: read by its own unit, whatever scale the header gives.
    return Amount(-x if negatives else x, bool(unit) or bool(cur), CURRENCIES[cur.casefold()] if cur else None)


def _decimal_text(s: str) -> Decimal:
    a = _amount_text(s)
    if a.currency is not None:
        raise BadValue("not_number")      # a currency in a plain number column
    return a.value


def _number_text(s: str) -> float:
    """`1,234.5`, `-300`, `1.2万`, `3亿`, `(300)`, `12.5K`, full-width forms."""
    return float(_decimal_text(s))


def _plain_decimal(v: Any) -> Amount | None:
    """A raw cell as an Amount (None for blank); text by its own unit."""
    if type(v) is float:
        if not math.isfinite(v):
            raise BadValue("not_number")
        return Amount(Decimal(repr(v)))
    if type(v) is int:
        return Amount(Decimal(v))
    if type(v) is str:
        s = v.strip()
        if not s:
            return None
        return Amount(Decimal(s)) if _PLAIN_NUMBER.match(s) else _amount_text(s)
    if v is None:
        return None
    if isinstance(v, CellError):
        check_error(v)
    raise BadValue("not_number")


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


def money_parser(scale: Decimal | None = None, currency: str | None = None, report_currency: str = "CNY",
                 fx: dict[str, Decimal] | None = None, nonnegative: bool = False) -> Callable[[Any], float | None]:
    """A money parser for one column (SPEC §1 money).

    `scale` and `currency` come from the header (headers.py); a cell that
    carries its own unit (`3万`, `5,000元`, `USD 8,704.23`) is read by it,
    whatever the header says. A currency other than the report's is
    converted with `fx` (the `fx_<CODE>` settings) or is a bad value that
    names the setting: never a number read in the wrong currency.
    """
    fx = fx or {}
    plain = scale is None and currency is None

    def parse_money(v: Any) -> float | None:
        if type(v) is float and plain and -1e15 < v < 1e15:
            x = v
        else:
            a = _plain_decimal(v)
            if a is None:
                return None
            x_dec = a.value
            if not a.scaled and scale is not None:
                x_dec *= scale
            cur = a.currency or currency
            if cur is not None and cur != report_currency:
                rate = fx.get(cur)
                if rate is None:
                    raise BadValue("fx_missing", currency=cur, setting=f"fx_{cur}")
                x_dec *= rate
            if abs(x_dec) >= MONEY_LIMIT:
                raise BadValue("too_large_value")
            x = float(x_dec)
        if nonnegative and x < 0:
            raise BadValue("negative")
        return x
    return parse_money


parse_money = money_parser()
parse_money_pos = money_parser(nonnegative=True)


def scaled_number_parser(factor: Decimal | None, lo: float | None, hi: float | None,
                         unit_hi: float | None = None) -> Callable[[Any], float | None]:
    """A number ≥ 0 (minutes) or in lo..hi (a score), times the header's
    factor (hours → minutes, 5分制 → 0–10). The range is checked on the
    value as written (`unit_hi`: 5 for a score out of 5)."""
    def parse_scaled(v: Any) -> float | None:
        x = parse_number(v)
        if x is None:
            return None
        if abs(x) >= 1e15:
            raise BadValue("too_large_value")
        top = unit_hi if unit_hi is not None else hi
        if lo is not None and top is not None and not lo <= x <= top:
            raise BadValue("out_of_range", lo=_num(lo), hi=_num(top))
        if lo is None and x < 0:
            raise BadValue("negative")
        if factor is not None:
            x = float(Decimal(repr(x)) * factor)
        return x
    return parse_scaled


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


parse_number_pos = scaled_number_parser(None, None, None)
parse_number_0_10 = scaled_number_parser(None, 0, 10)


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
# SPEC §1: a date outside 1950..2100 is not plausible in these sheets (a
# number misread as a serial lands in 1905 or 2454), birthdays excepted.
FIRST_DATE, LAST_DATE = date(1950, 1, 1), date(2100, 12, 31)
DATE_ORDERS = ("ymd", "dmy", "mdy")

_TIME = r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE = re.compile(rf"^(\d{{4}})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})日?{_TIME}$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_LAST = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}$")
_YEAR_ONLY = re.compile(r"^\d{4}年?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_MONTH_YY = re.compile(r"^(\d{2})年(\d{1,2})月$")
_MONTH6 = re.compile(r"^(\d{4})(\d{2})$")
_MONTH_YEAR_LAST = re.compile(r"^(\d{1,2})[-/](\d{4})$")
_MONTH_NUMBER = re.compile(r"^(\d{1,2})月?$")
_MONTH_NAMES = {name: i for i, names in enumerate((
    (), ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"))) for name in names}
# `Jul 2026`, `July2026`, `Jul-26`; a two-digit year only after - or ' (`July 15` is a day).
_MONTH_NAMED = re.compile(r"^([a-z]+)(?:[-/.,']?(\d{4})|[-'](\d{2}))$")
_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")


def _plausible(d: date) -> date:
    if not FIRST_DATE <= d <= LAST_DATE:
        raise BadValue("not_plausible", first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat())
    return d


def _ymd(y: int, m: int, d: int, code: str = "not_date") -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise BadValue(code) from None


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def serial_date(x: float, epoch: date) -> date:
    """An Excel date serial, only inside the plausible window (SPEC §1)."""
    if x != x or not 0 <= x <= 2958465:
        raise BadValue("not_date")
    d = epoch + timedelta(days=int(x))
    if not FIRST_DATE <= d <= LAST_DATE:
        raise BadValue("not_date")
    return d


def _frac_digits(x: float) -> str:
    """The digits after the point as Excel shows the number (`2026.07` -> "07")."""
    r = repr(x)
    return r.split(".", 1)[1] if "." in r and "e" not in r else ""


def _number_month(x: float | int, hint: Callable[[], str] | None) -> date | None:
    """A number in a month (or date) cell that is a month form, or None.

    `202607` and `2026.07`. Excel stores `2025.10` as 2025.1: with `hint`
    the column tells ("two" -> October, "one" -> January), else refused.
    """
    if type(x) is not int and not math.isfinite(x):
        return None                  # NaN / inf (a hostile <v>NaN</v>): no month
    if type(x) is int or float(x).is_integer():
        n = int(x)
        if 195001 <= n <= 210012 and 1 <= n % 100 <= 12:
            return date(n // 100, n % 100, 1)
        return None
    y = int(x)
    if not 1950 <= y <= 2100:
        return None
    digits = _frac_digits(float(x))
    if digits == "1":
        how = hint() if hint is not None else ""
        if how == "two":
            return date(y, 10, 1)
        if how == "one":
            return date(y, 1, 1)
        raise BadValue("month_ambiguous", year=y)
    if len(digits) == 1 or (len(digits) == 2 and 1 <= int(digits) <= 12):
        m = int(digits)
        if 1 <= m <= 12:
            return date(y, m, 1)
    return None


def month_hint(values_: Iterable[Any]) -> str:
    """How a column writes its YYYY.MM numbers: "two" when it holds a
    two-digit month below 10 (`2025.03`), "one" for a one-digit one
    (`2025.3`), "" when it does not tell (or tells both)."""
    two = one = False
    for v in values_:
        if type(v) is float and not v.is_integer() and 1950 <= v < 2101:
            d = _frac_digits(v)
            if len(d) == 2 and d[0] == "0":
                two = True
            elif len(d) == 1 and d != "1":
                one = True
    return "two" if two and not one else "one" if one and not two else ""


def _text_month(s: str) -> date | None:
    """A month written as text (already normalised), or None."""
    m = _MONTH.match(s)
    if m:
        y, mo = int(m[1]), int(m[2])
    else:
        m = _MONTH_YY.match(s) or None
        if m:
            y, mo = 2000 + int(m[1]), int(m[2])
        else:
            m = _MONTH6.match(s) or _MONTH_YEAR_LAST.match(s)
            if m and m.re is _MONTH6:
                y, mo = int(m[1]), int(m[2])
            elif m:
                mo, y = int(m[1]), int(m[2])
            else:
                m = _MONTH_NAMED.match(s.casefold())
                if not m or m[1] not in _MONTH_NAMES:
                    return None
                mo = _MONTH_NAMES[m[1]]
                y = int(m[2]) if m[2] else 2000 + int(m[3])
    if not 1 <= mo <= 12:
        raise BadValue("not_month")
    return _plausible(date(y, mo, 1))


def _text_date(s: str, order: str = "ymd", end: bool = False) -> date:
    t = normalise(s.strip())
    m = _DATE.match(t) or _DATE8.match(t)
    if m:
        return _plausible(_ymd(int(m[1]), int(m[2]), int(m[3])))
    m = _YEAR_LAST.match(t)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if order == "dmy":
            return _plausible(_ymd(y, b, a))
        if order == "mdy":
            return _plausible(_ymd(y, a, b))
        raise BadValue("year_last")
    if _YEAR_ONLY.match(t):
        raise BadValue("year_only")
    mo = _text_month(t)
    if mo is not None:
        return _month_end(mo) if end else mo
    raise BadValue("not_date")


def date_parser(epoch: date = EPOCH_1900, order: str = "ymd", end: bool = False,
                hint: Callable[[], str] | None = None) -> Callable[[Any], date | None]:
    """A date parser for one column of one workbook: number serials use its
    epoch (1900 or 1904); `order` is the date_order setting for year-last
    text; a month alone stands for its first day, or with `end` (contract_end,
    due) its last."""
    def parse_date(v: Any) -> date | None:
        t = type(v)
        if t is date:
            return _plausible(v)
        if t is datetime:
            return _plausible(v.date())
        if t is str:
            return _text_date(v, order, end) if v.strip() else None
        if t is float or t is int:
            if (t is int or v.is_integer()) and 19500101 <= v <= 21001231:
                n = int(v)
                return _plausible(_ymd(n // 10000, n // 100 % 100, n % 100))
            if (t is int or v.is_integer()) and 1950 <= v <= 2100:
                raise BadValue("year_only")
            mo = _number_month(v, hint)
            if mo is not None:
                return _month_end(mo) if end else mo
            return serial_date(v, epoch)
        if v is None:
            return None
        if isinstance(v, CellError):
            check_error(v)
        raise BadValue("not_date")
    return parse_date


def month_parser(epoch: date = EPOCH_1900, order: str = "ymd",
                 hint: Callable[[], str] | None = None) -> Callable[[Any], date | None]:
    """SPEC §1 month: any date, `2026-07`, `2026年7月`, `26年7月`, `202607`,
    `2026.07`, `Jul 2026`, `Jul-26`, `09/2026`, a serial in the plausible
    window. A bare month number (`7`, `7月`) needs the sheet's year column
    (the reader combines the two before this parser sees the cell)."""
    as_date = date_parser(epoch, order, hint=hint)

    def parse_month(v: Any) -> date | None:
        t = type(v)
        if t is str:
            s = normalise(v)
            if not s:
                return None
            if _MONTH_NUMBER.match(s):
                raise BadValue("month_needs_year")
            try:
                mo = _text_month(s)
            except BadValue as e:
                if e.code == "not_plausible":
                    raise
                raise BadValue("not_month") from None
            if mo is not None:
                return mo
        elif t is float or t is int:
            if (t is int or v.is_integer()) and 1 <= v <= 12:
                raise BadValue("month_needs_year")
        try:
            d = as_date(v)
        except BadValue as e:
            if e.code in ("not_date", "year_last"):
                raise BadValue("not_month" if e.code == "not_date" else e.code) from None
            raise
        return None if d is None else d.replace(day=1)
    return parse_month


def day_parser(epoch: date = EPOCH_1900, order: str = "ymd") -> Callable[[Any], Birthday | None]:
    """A birthday: a date (any year, even before 1950), `07-15`, `7/15`,
    `7月15日`; `12/01` is month/day unless date_order is dmy."""
    def parse_day(v: Any) -> Birthday | None:
        t = type(v)
        if t is date or t is datetime:
            return Birthday(v.month, v.day, v.year)
        if t is str:
            s = normalise(v)
            if not s:
                return None
            m = _DAY.match(s)
            if m:
                a, b = int(m[1]), int(m[2])
                mo, d = (b, a) if order == "dmy" and "月" not in s else (a, b)
                try:
                    date(2000, mo, d)       # a leap year, so 2-29 is a valid birthday
                except ValueError:
                    raise BadValue("not_day") from None
                return Birthday(mo, d)
            m = _DATE.match(s) or _DATE8.match(s)
            if m:
                d_ = _ymd(int(m[1]), int(m[2]), int(m[3]), "not_day")
                return Birthday(d_.month, d_.day, d_.year)
            m = _YEAR_LAST.match(s)
            if m and order in ("dmy", "mdy"):
                a, b, y = int(m[1]), int(m[2]), int(m[3])
                d_ = _ymd(y, b, a, "not_day") if order == "dmy" else _ymd(y, a, b, "not_day")
                return Birthday(d_.month, d_.day, d_.year)
            raise BadValue("not_day")
        if t is float or t is int:
            if not 1 <= v <= 2958465:
                raise BadValue("not_day")
            d_ = epoch + timedelta(days=int(v))
            return Birthday(d_.month, d_.day, d_.year)
        if v is None:
            return None
        if isinstance(v, CellError):
            check_error(v)
        raise BadValue("not_day")
    return parse_day


# ---------------------------------------------------------------------------
# bool, enum

_TRUE = {"true", "yes", "y", "1", "是", "有", "√", "✓", "✔", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "無", "×", "✗", "f"}


_TRUE_WORDS = frozenset(_TRUE | {normalise(w).casefold() for w in ENUMS["bool"]["true"]})
_FALSE_WORDS = frozenset(_FALSE | {normalise(w).casefold() for w in ENUMS["bool"]["false"]})


def parse_bool(v: Any) -> bool | None:
    if type(v) is bool:
        return v
    if type(v) is str:
        s = normalise(v).casefold()
        if not s:
            return None
        if s in _TRUE_WORDS:
            return True
        if s in _FALSE_WORDS:
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
    """Folded key / English words / Chinese label / common words -> key."""
    table: dict[str, str] = {}
    for key, zh in enum.options:
        for name in (key, zh, enum.label(key, "en")):
            table[schema.fold(name)] = key
    for key, words in ENUMS.get(enum.name, {}).items():
        for w in words:
            table.setdefault(schema.fold(w), key)
    return table


def enum_parser(enum: schema.Enum, table: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    """Key, English words ("Preferred supplier") or Chinese label, any case
    (or `table`: that plus values mapped in a Columns sheet)."""
    table = table if table is not None else enum_table(enum)
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


@dataclass(frozen=True)
class Context:
    """What the parsers of one workbook need besides the cell (SPEC §1, §5)."""
    epoch: date = EPOCH_1900
    date_order: str = "ymd"             # the date_order setting
    currency: str = "CNY"               # the report currency
    fx: tuple[tuple[str, Decimal], ...] = ()   # fx_<CODE> settings


# Month-alone dates stand for the last day in these columns (SPEC §1).
END_DATE_COLUMNS = frozenset({"contract_end", "due"})


def parser_for(column: schema.Column, epoch: date = EPOCH_1900, *, ctx: Context | None = None,
               unit: Any = None, hint: Callable[[], str] | None = None,
               enum: dict[str, str] | None = None) -> Callable[[Any], Any]:
    """The parser for one column of one workbook.

    Dates depend on the workbook's epoch and the date_order setting; money
    on the header's scale and currency (`unit`, a headers.Unit) and the fx
    settings; minutes and scores on the header's unit.
    """
    ctx = ctx or Context(epoch=epoch)
    epoch = ctx.epoch
    t = column.type
    if t == schema.ID:
        return parse_id
    if t == schema.TEXT:
        return parse_text
    if t == schema.MARKDOWN:
        return parse_markdown
    if t in (schema.MONEY, schema.MONEY_POS):
        scale = unit.scale if unit is not None else None
        cur = unit.currency if unit is not None else None
        if unit is None and not ctx.fx and ctx.currency == "CNY":
            return parse_money if t == schema.MONEY else parse_money_pos
        return money_parser(scale, cur, ctx.currency, dict(ctx.fx), nonnegative=t == schema.MONEY_POS)
    if t == schema.NUMBER_POS:
        if unit is not None and unit.factor is not None:
            return scaled_number_parser(unit.factor, None, None)
        return parse_number_pos
    if t == schema.NUMBER_0_10:
        if unit is not None and unit.factor is not None:
            return scaled_number_parser(unit.factor, 0, 10, unit.top)
        return parse_number_0_10
    if t == schema.PERCENT:
        return parse_percent
    if t == schema.INT_1_5:
        return int_parser(1, 5)
    if t == schema.INT_0_10:
        return int_parser(0, 10)
    if t == schema.DATE:
        return date_parser(epoch, ctx.date_order, end=column.key in END_DATE_COLUMNS, hint=hint)
    if t == schema.MONTH:
        return month_parser(epoch, ctx.date_order, hint=hint)
    if t == schema.DAY:
        return day_parser(epoch, ctx.date_order)
    if t == schema.BOOL:
        return parse_bool
    if t == schema.ENUM:
        assert column.enum is not None
        return enum_parser(column.enum, enum)
    raise ValueError(f"no parser for column type {t!r}")
