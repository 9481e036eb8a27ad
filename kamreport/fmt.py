"""Number, money, percent and date formats for the reports (Jinja filters).

`filters(lang, currency)` returns the dict the render pipeline registers on its
Jinja environment. Every filter maps `None` to an em dash so that an undefined
value (SPEC: "null where undefined") is visible, never "None" or "nan".

Rounding is half-up on the decimal digits as written (`Decimal(repr(x))`),
the same convention SPEC §3/§4 use for scores, so a score of 81.25 prints
"81.3" in the report and in summary.json alike — Python's `format` would
round the binary float half-to-even and sometimes disagree.

Chinese readers expect large sums in 万 (10⁴) and 亿 (10⁸): `money_short`
gives "¥123.5万" / "¥1.23亿" in zh and "¥345.6K" / "¥1.23M" in en. The
pages use it everywhere — KPI tiles, charts, tables and risk messages — so
each language reads one money convention (issue 16). `money` gives the full
figure "¥1,234,567" for files where precision matters (problems, exports).

The engine's sentences (risk messages, health bases; kamreport.texts)
quote its exact Fractions with `exact` / `exact_pct`, rounded half-up on
the true value without a float in between; the plain-text mail of `send`
uses the `mail_*` forms.
"""
from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Callable

DASH = "—"

# ISO code -> symbol. Unknown codes print as "XYZ 1,234".
SYMBOLS = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£",
           "HKD": "HK$", "TWD": "NT$", "SGD": "S$", "KRW": "₩"}


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x)))


def round_half_up(x: float, digits: int = 0) -> Decimal:
    """Round half-up on the shortest decimal form of x (81.25 -> 81.3)."""
    q = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def round_exact(x: Fraction | Decimal | float | int, places: int = 1) -> Decimal:
    """Round the exact value of x half-up (away from zero at .x5).

    The engine's figures are Fractions (a growth of exactly 12.35 % is not
    the float 0.12349999…), so they are rounded without passing through a
    float; a float counts as its shortest decimal form, as in round_half_up.
    """
    if isinstance(x, float):
        x = Decimal(repr(x))
    x = Fraction(x)
    n, d = abs(x.numerator) * 10 ** places, x.denominator
    r = (2 * n + d) // (2 * d)          # floor(n/d + 1/2) in integers
    return Decimal(r if x >= 0 else -r).scaleb(-places)


def exact(x: Any, digits: int = 1) -> str:
    """A figure quoted in a sentence (risk messages, health bases): half-up
    on its exact value, no thousands separators: 5.95 -> '6.0', -3/5 -> '-0.6'."""
    if _missing(x):
        return DASH
    return str(round_exact(x, digits))


def exact_pct(x: Any, digits: int = 1) -> str:
    """A fraction as a percent in a sentence, exact (see `exact`): -3/5 -> '-60.0%'."""
    if _missing(x):
        return DASH
    if isinstance(x, float):
        x = Decimal(repr(x))
    return str(round_exact(Fraction(x) * 100, digits)) + "%"


def _group(d: Decimal, digits: int) -> str:
    """Thousands separators: 1234567.5 -> '1,234,567.5'."""
    s = f"{abs(d):,.{digits}f}"
    return ("-" if d < 0 else "") + s


def currency_symbol(currency: str) -> str:
    code = (currency or "CNY").upper()
    return SYMBOLS.get(code, code + " ")


def num(x: Any, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; num(3.14159, 2) -> '3.14'."""
    if _missing(x):
        return DASH
    d = round_half_up(x, digits)
    if d == 0:
        d = abs(d)  # no "-0"
    return _group(d, digits)


def score(x: Any) -> str:
    """Scores and health, 0–100, one decimal: 81.25 -> '81.3'."""
    return num(x, 1)


def pct(x: Any, digits: int = 1) -> str:
    """A fraction as a percent: 0.125 -> '12.5%'."""
    if _missing(x):
        return DASH
    return num(x * 100, digits) + "%"


def growth(x: Any, digits: int = 1) -> str:
    """Signed growth with an arrow: 0.125 -> '▲12.5%', -0.03 -> '▼3.0%'.

    The arrow follows the rounded value, so a growth that prints as 0.0 %
    carries no arrow rather than a misleading ▲ or ▼.
    """
    if _missing(x):
        return DASH
    d = round_half_up(x * 100, digits)
    if d > 0:
        return "▲" + _group(d, digits) + "%"
    if d < 0:
        return "▼" + _group(-d, digits) + "%"
    return _group(abs(d), digits) + "%"


def growth_class(x: Any) -> str:
    """CSS class for a growth figure: 'up', 'down' or '' (flat / unknown)."""
    if _missing(x):
        return ""
    d = round_half_up(x * 100, 1)
    return "up" if d > 0 else "down" if d < 0 else ""


def make_money(currency: str) -> Callable[..., str]:
    sym = currency_symbol(currency)

    def money(x: Any, digits: int = 0) -> str:
        """Full figure: 1234567.4 -> '¥1,234,567'; negatives '-¥300'."""
        if _missing(x):
            return DASH
        d = round_half_up(x, digits)
        if d == 0:
            d = abs(d)
        sign = "-" if d < 0 else ""
        return f"{sign}{sym}{abs(d):,.{digits}f}"
    return money


def short_number(x: float, lang: str) -> str:
    """Compact magnitude without currency: zh 123.5万 / 1.23亿, en 345.6K / 1.23M / 2.50B.

    万 with one decimal and 亿 with two, as Chinese financial reports write
    them; below 10,000 the figure is printed in full because 万/K would not
    shorten it.
    """
    a = abs(x)
    sign = "-" if x < 0 else ""
    if lang == "zh":
        steps = ((1e8, 1e8, "亿", 2), (1e4, 1e4, "万", 1))
    else:
        steps = ((1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2), (1e4, 1e3, "K", 1))
    for threshold, base, unit, digits in steps:
        if a >= threshold:
            d = round_half_up(a / base, digits)
            # 9999.96万 rounds to 10000.0万: say 1.00亿 instead (and K -> M, M -> B)
            bigger = {"万": 1e8, "K": 1e6, "M": 1e9}.get(unit)
            if bigger and d * Decimal(base) >= Decimal(bigger):
                return short_number(math.copysign(bigger, x), lang)
            return f"{sign}{d:,.{digits}f}{unit}"
    return sign + f"{round_half_up(a, 0):,.0f}"


def make_money_short(currency: str, lang: str) -> Callable[[Any], str]:
    sym = currency_symbol(currency)

    def money_short(x: Any) -> str:
        if _missing(x):
            return DASH
        s = short_number(float(x), lang)
        if s.startswith("-"):
            return "-" + sym + s[1:]
        return sym + s
    return money_short


def make_date(lang: str) -> Callable[[Any], str]:
    def fmt_date(d: Any) -> str:
        """en '2026-09-30'; zh '2026年9月30日'. Accepts date or ISO string."""
        if _missing(d) or d == "":
            return DASH
        if isinstance(d, str):
            d = date.fromisoformat(d)
        if lang == "zh":
            return f"{d.year}年{d.month}月{d.day}日"
        return d.isoformat()
    return fmt_date


def make_month_day(lang: str) -> Callable[[Any], str]:
    def month_day(d: Any) -> str:
        """Care dates: en 'Oct 5' style is locale-bound, so '10-05'; zh '10月5日'."""
        if _missing(d):
            return DASH
        if isinstance(d, str):
            d = date.fromisoformat(d)
        if lang == "zh":
            return f"{d.month}月{d.day}日"
        return f"{d.month:02d}-{d.day:02d}"
    return month_day


def make_days(lang: str) -> Callable[[Any], str]:
    def days(n: Any) -> str:
        """A count of days: '12天' / '12 days' ('1 day')."""
        if _missing(n):
            return DASH
        n = int(n)
        if lang == "zh":
            return f"{n}天"
        return f"{n} day" if n in (1, -1) else f"{n:,} days"
    return days


# The plain-text mail of `kamreport send` (deliver/send.py) reads summary.json's
# rounded figures and prints them in fixed, language-neutral forms: the
# full amount with its ISO code, a signed percent, a signed score.


def mail_money(x: Any, currency: str) -> str:
    """1234567.4, "CNY" -> '1,234,567 CNY' (no code: '1,234,567')."""
    return DASH if x is None else f"{x:,.0f} {currency}".strip()


def mail_pct(x: Any) -> str:
    """A fraction as a signed percent: 0.125 -> '+12.5 %'."""
    return DASH if x is None else f"{x * 100:+.1f} %"


def mail_signed(x: Any) -> str:
    """A signed whole number, for NPS: 35.0 -> '+35'."""
    return DASH if x is None else f"{x:+.0f}"


def dash(x: Any) -> Any:
    """Blank text -> em dash; anything else unchanged (escaped by Jinja)."""
    if _missing(x) or (isinstance(x, str) and not x.strip()):
        return DASH
    return x


def filters(lang: str, currency: str) -> dict[str, Callable[..., Any]]:
    """The Jinja filters, by name, for one report language and currency."""
    return {
        "money": make_money(currency),
        "money_short": make_money_short(currency, lang),
        "pct": pct,
        "num": num,
        "score": score,
        "growth": growth,
        "growth_class": growth_class,
        "date": make_date(lang),
        "month_day": make_month_day(lang),
        "days": make_days(lang),
        "dash": dash,
    }
