"""What a header says besides its column name (SPEC §1 "Units and scales in
headers", §1.5 "Qualifiers").

    analyse("销售额（万元）", schema.SALES) -> Header(column=revenue, unit=×10 000 CNY)

People write the unit of a column into its header — `销售额（万元）`,
`Revenue (USD, in thousands)`, `时长（小时）`, `满意度（5分制）` — and mark
what a figure is: `目标` / `budget` (the target, never the actual),
`实际` / `actual`, `去年` / `last year` (ignored). Reading `销售额（万元）` as
yuan makes every figure 10 000× too small, so a bracket that holds a unit
word we cannot read is refused (`unreadable`), never skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import schema, synonyms
from .values import CURRENCIES, SCALES, normalise

MONEY_TYPES = frozenset({schema.MONEY, schema.MONEY_POS})


@dataclass(frozen=True)
class Unit:
    """A unit read from a header or a cell's number format."""
    kind: str                           # money | time | score
    label: str                          # as written: "万元", "in thousands", "小时"
    scale: Decimal | None = None        # money: ×10 000 for 万元
    currency: str | None = None         # money: "USD"
    factor: Decimal | None = None       # time: ×60 for hours; score: ×2 for out of 5
    top: float | None = None            # score: the scale's top as written (5, 10, 100)


@dataclass(frozen=True)
class Header:
    column: schema.Column | None
    lang: str = ""                      # zh | en: how the column name was written
    unit: Unit | None = None
    qualifier: str = ""                 # target | actual | prior | ""
    unreadable: str = ""                # a bracket with a unit word we cannot read
    misplaced: str = ""                 # a unit of the wrong kind for this column


# Bracketed parts: （…） (…) […] 【…】
_BRACKET = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
_SPLIT = re.compile(r"[\n\r/|]+")

_SCALE_WORDS: dict[str, Decimal] = {
    **{k: v for k, v in SCALES.items() if k not in ("b", "mm")},
    "thousand": Decimal(10**3), "thousands": Decimal(10**3), "'000": Decimal(10**3), "000s": Decimal(10**3),
    "000": Decimal(10**3), "million": Decimal(10**6), "millions": Decimal(10**6),
    "billion": Decimal(10**9), "billions": Decimal(10**9), "mil": Decimal(10**6),
}
_CURRENCY_WORDS = dict(CURRENCIES)
_MONEY_TOKEN = re.compile(
    "|".join(re.escape(w) for w in sorted({*_SCALE_WORDS, *_CURRENCY_WORDS}, key=len, reverse=True)))
_TIME_UNITS = {"小时": Decimal(60), "hours": Decimal(60), "hour": Decimal(60), "hrs": Decimal(60),
               "hr": Decimal(60), "h": Decimal(60), "分钟": Decimal(1), "minutes": Decimal(1),
               "minute": Decimal(1), "mins": Decimal(1), "min": Decimal(1), "分": Decimal(1)}
_SCORE_UNITS = {
    **dict.fromkeys(("5分制", "五分制", "outof5", "1-5", "0-5", "满分5", "满分5分", "1to5"), (Decimal(2), 5.0)),
    **dict.fromkeys(("10分制", "十分制", "outof10", "0-10", "1-10", "满分10", "满分10分", "0to10"), (Decimal(1), 10.0)),
    **dict.fromkeys(("百分制", "100分制", "outof100", "0-100", "1-100", "满分100", "满分100分", "%"),
                    (Decimal("0.1"), 100.0)),
}
# Words that make a bracket a unit; one we cannot read is refused.
_UNITISH = re.compile(r"[元万萬千亿億币镑¥￥$€£]|美金|分制|满分|小时|分钟|thousand|million|billion|hour|"
                      r"minute|lakhs?|crores?|\b(usd|eur|rmb|cny|hkd|gbp|jpy|k|m|mn|bn|h|hrs?|mins?)\b|out ?of|^\d+-\d+$",
                      re.IGNORECASE)
_UNIT_PREFIX = re.compile(r"^(单位|unit|units|in)[:：]?\s*", re.IGNORECASE)

TARGET_WORDS = ("目标", "预算", "计划", "预测", "指标", "预计", "target", "budget", "plan", "forecast", "quota",
                "estimated", "est.")
ACTUAL_WORDS = ("实际", "actual")
PRIOR_WORDS = ("上年同期", "去年同期", "去年", "上年", "同期", "lastyear", "prioryear", "prior")
_QUALIFIERS = [(w, "target") for w in TARGET_WORDS] + [(w, "actual") for w in ACTUAL_WORDS] + \
              [(w, "prior") for w in PRIOR_WORDS]
_QUALIFIERS.sort(key=lambda wq: -len(wq[0]))
_QUALIFIER_WORD = {schema.fold(w): q for w, q in _QUALIFIERS}


def parse_unit(text: str) -> Unit | None | str:
    """A bracket's text as a Unit; None when it names no unit; the text
    itself (a str) when it holds a unit word that cannot be read."""
    raw = text.strip()
    s = _UNIT_PREFIX.sub("", normalise(raw).casefold().replace("，", ","))
    if not s:
        return None
    if s in _TIME_UNITS:
        return Unit("time", raw, factor=_TIME_UNITS[s])
    key = s.replace(" ", "")
    if key in _SCORE_UNITS:
        factor, top = _SCORE_UNITS[key]
        return Unit("score", raw, factor=factor, top=top)
    money = _money_unit(s)
    if money is not None:
        return Unit("money", raw, scale=money[0], currency=money[1])
    if _UNITISH.search(raw) or _UNITISH.search(s):
        return raw
    return None


def _money_unit(s: str) -> tuple[Decimal | None, str | None] | None:
    """`万元`, `usd,inthousands`, `$m`, `千美元` -> (scale, currency), or None."""
    t = re.sub(r"[\s,;:·]+|in|of", "", s)
    scale: Decimal | None = None
    currency: str | None = None
    pos = 0
    while pos < len(t):
        m = _MONEY_TOKEN.match(t, pos)
        if not m:
            return None
        word = m[0]
        if word in _SCALE_WORDS and not (word in _CURRENCY_WORDS and scale is not None):
            if scale is not None:
                return None
            scale = _SCALE_WORDS[word]
        else:
            code = _CURRENCY_WORDS[word]
            if currency is not None and currency != code:
                return None
            currency = code
        pos = m.end()
    if scale is None and currency is None:
        return None
    return scale, currency


_NAMES: dict[str, dict[str, tuple[schema.Column, str]]] = {}


def names(spec: schema.Sheet) -> dict[str, tuple[schema.Column, str]]:
    """Folded header -> (column, zh | en) for one kind of sheet: the spec's
    names first, then the maintained synonyms (synonyms.py)."""
    table = _NAMES.get(spec.key)
    if table is None:
        table = {}
        for c in spec.columns:
            table.setdefault(schema.fold(c.zh), (c, "zh"))
            table.setdefault(schema.fold(c.key), (c, "en"))
        for key, words in synonyms.COLUMNS.get(spec.key, {}).items():
            col = spec.column(key)
            for w in words:
                table.setdefault(schema.fold(w), (col, "zh" if not w.isascii() else "en"))
        _NAMES[spec.key] = table
    return table


def _exact(spec: schema.Sheet, text: str) -> tuple[schema.Column | None, str]:
    f = schema.fold(text)
    if not f:
        return None, ""
    hit = names(spec).get(f)
    return hit if hit is not None else (None, "")


def _qualified(spec: schema.Sheet, text: str) -> tuple[schema.Column | None, str, str]:
    """A header with a qualifier word around the column name: `目标销售额`,
    `Revenue budget`, `去年销售额` -> (column, lang, qualifier)."""
    f = schema.fold(text)
    for word, q in _QUALIFIERS:
        w = schema.fold(word)
        if w in f and f != w:
            rest = f.replace(w, "", 1)
            col, lang = _exact(spec, rest)
            if col is not None:
                return col, lang, q
    return None, "", ""


# A pivot table's value header: 求和项:销售额 / Sum of Amount is that column
# summed (what a Sales row holds); a count or an average is not.
_PIVOT_SUM = re.compile(r"^(求和项|sum\s+of)\s*[:：]?\s*", re.IGNORECASE)


def analyse(header: str, spec: schema.Sheet) -> Header:
    """The column, unit and qualifier a header names in sheet `spec`."""
    text = _PIVOT_SUM.sub("", header.strip())
    if not text:
        return Header(None)
    col, lang = _exact(spec, text)
    if col is not None:
        return Header(col, lang)
    unit: Unit | None = None
    unreadable = ""
    qualifier = ""
    words: list[str] = []
    for inner in _BRACKET.findall(text):
        q = _QUALIFIER_WORD.get(schema.fold(inner))
        if q is not None:
            qualifier = qualifier or q      # 销售额（目标）, Revenue (actual)
            continue
        if _exact(spec, inner)[0] is not None:
            words.append(inner)          # a bilingual alias: 客户编号（Customer ID）
            continue
        got = parse_unit(inner)
        if isinstance(got, Unit):
            unit = got if unit is None else unit
        elif isinstance(got, str):
            unreadable = got
        else:
            for word, q in _QUALIFIERS:
                if schema.fold(word) in schema.fold(inner):
                    qualifier = qualifier or q
                    break
    outside = _BRACKET.sub(" ", text)
    parts = [p.strip() for p in _SPLIT.split(outside) if p.strip()]
    candidates = [outside.strip()] + [p for p in parts if p != outside.strip()] + words
    for cand in candidates:
        col, lang = _exact(spec, cand)
        if col is not None:
            break
    if col is None:
        # A trailing "/万元": a part that is a unit.
        for p in parts[1:]:
            got = parse_unit(p)
            if isinstance(got, Unit) and unit is None:
                unit = got
        for cand in candidates:
            col, lang, q = _qualified(spec, cand)
            if col is not None:
                qualifier = qualifier or q
                break
    if col is None:
        return Header(None, unreadable=unreadable)
    return _fit(col, lang, unit, qualifier, unreadable, spec)


def _fit(col: schema.Column, lang: str, unit: Unit | None, qualifier: str, unreadable: str,
         spec: schema.Sheet) -> Header:
    if qualifier == "target":
        if spec.key == "Sales" and col.key == "revenue":
            col = spec.column("target")
        elif col.key != "target":
            return Header(None, qualifier="target")
    if unit is not None:
        kind = "money" if col.type in MONEY_TYPES else "time" if col.key == "minutes" else \
            "score" if col.type == schema.NUMBER_0_10 else ""
        if unit.kind != kind:
            return Header(col, lang, None, qualifier, unreadable, misplaced=unit.label)
    return Header(col, lang, unit, qualifier, unreadable)


def format_unit(code: str) -> Unit | None:
    """A unit a cell number format shows (`0.00"万元"`, `#,##0"K"`), or None.

    A thousands comma right before the literal (`#,##0,"K"`, `0!.0,"万"`)
    makes Excel show the value scaled: the cell holds plain units, so the
    format is no unit to apply (SPEC §1).
    """
    section = _first_section(code)
    literal = "".join(m[1] or m[2] for m in re.finditer(r'"([^"]*)"|\\(.)', section))
    if not literal.strip():
        return None
    skeleton = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", section)
    if re.search(r"[0#?],+\s*$", skeleton.rstrip()) or re.search(r"[0#?],+(?![0#?])", skeleton):
        return None
    got = parse_unit(literal)
    if isinstance(got, Unit) and got.kind == "money" and got.scale is not None:
        return got
    return None


def _first_section(code: str) -> str:
    out, quoted = [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            break
        out.append(ch)
    return "".join(out)
