"""Settings of SPEC §5: defaults, the Settings sheet, command-line overrides.

The `Settings` dataclass is the settings in force; the booklet's methodology
page prints it. Parsing of the Settings sheet lives here too (engine stage).
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation

from .. import texts
from ..errors import KamError
from ..model import WARNING, Loc, Problem
from ..inputs.values import is_colour, is_email
from ..inputs.schema import fold


@dataclass(frozen=True)
class Settings:
    company: str = ""
    report_title: str = ""          # blank: a default title in the report language
    language: str = "en"            # zh | en
    currency: str = "CNY"
    abc_basis: str = "gross_profit"  # gross_profit | revenue
    abc_a_cut: float = 0.70
    abc_b_cut: float = 0.90
    weight_value: float = 0.5
    weight_potential: float = 0.3
    weight_strategic: float = 0.2
    attractive_high: float = 70
    attractive_medium: float = 40
    high_potential: float = 80
    cadence_key: int = 30
    cadence_ordinary: int = 90
    cadence_prospect: int = 180
    revenue_drop: float = 0.20
    satisfaction_floor: float = 6
    complaint_days: int = 14
    contract_days: int = 90
    concentration: float = 0.20
    mail_to: tuple[str, ...] = ()
    mail_subject: str = ""
    brand_color: str = "#1f4e79"
    logo: str | None = None          # absolute path, resolved against the workbook
    date_order: str = "ymd"          # ymd | dmy | mdy: how year-last dates read (SPEC §1)
    # fx_<CODE> settings: (CODE, report currency per unit), sorted. The reader
    # converts foreign-currency money with them (read.py reads them early).
    fx: tuple[tuple[str, float], ...] = ()


# --------------------------------------------------------------------------
# Parsing (SPEC §5). An unknown key or a bad value in the Settings sheet is a
# warning and the default stands; a bad command-line override is an error
# the user must fix (KamError), because it was typed on purpose just now.

# Chinese aliases, so a Chinese Settings sheet can use Chinese keys too.
ALIASES_ZH = {
    "公司": "company", "报告标题": "report_title", "语言": "language", "币种": "currency",
    "货币": "currency", "abc依据": "abc_basis", "a类界限": "abc_a_cut", "b类界限": "abc_b_cut",
    "价值权重": "weight_value", "潜力权重": "weight_potential", "战略权重": "weight_strategic",
    "高吸引力": "attractive_high", "中吸引力": "attractive_medium", "高潜力": "high_potential",
    "重点客户联系周期": "cadence_key", "普通客户联系周期": "cadence_ordinary",
    "潜在客户联系周期": "cadence_prospect", "销售下降": "revenue_drop",
    "满意度底线": "satisfaction_floor", "投诉天数": "complaint_days",
    "合同提醒天数": "contract_days", "集中度": "concentration", "收件人": "mail_to",
    "邮件主题": "mail_subject", "品牌颜色": "brand_color", "标志": "logo", "logo": "logo",
    "日期顺序": "date_order",
}

KEYS: tuple[str, ...] = tuple(f.name for f in fields(Settings))
_BY_FOLD = {fold(k): k for k in KEYS if k != "fx"} | {fold(k): v for k, v in ALIASES_ZH.items()}

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class BadSetting(ValueError):
    """A setting value that is not accepted: `code` names what is (the
    catalog's `setting_accepts.<code>`, worded with `params`)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params

    def accepted(self, lang: str) -> str:
        return texts.text("setting_accepts." + self.code, lang, **self.params)


def _number(text: str) -> Decimal:
    try:
        d = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise BadSetting("number") from None
    if not d.is_finite():
        raise BadSetting("number")
    return d


def _fraction(text: str) -> float:
    """`0.2` or `20%`; a bare number > 1 is an error (as SPEC §1 percent)."""
    t = text.strip()
    if t.endswith(("%", "％")):
        d = _number(t[:-1]) / 100
    else:
        d = _number(t)
        if d > 1:
            raise BadSetting("fraction_or_percent")
    if not 0 < d <= 1:
        raise BadSetting("fraction")
    return float(d)


def _score(text: str) -> float:
    d = _number(text)
    if not 0 <= d <= 100:
        raise BadSetting("score")
    return float(d)


def _weight(text: str) -> float:
    d = _number(text)
    if d < 0:
        raise BadSetting("weight")
    return float(d)


def _days(text: str, minimum: int = 1) -> int:
    d = _number(text)
    if d != d.to_integral_value() or d < minimum or d > 3650:
        raise BadSetting("days", minimum=minimum)
    return int(d)


def _floor(text: str) -> float:
    d = _number(text)
    if not 0 <= d <= 10:
        raise BadSetting("floor")
    return float(d)


def _language(text: str) -> str:
    t = fold(text)
    for key, words in (("zh", ("zh", "中文", "chinese", "zhcn", "汉语", "简体中文")),
                       ("en", ("en", "english", "英文", "英语", "enus", "engb"))):
        if t in words:
            return key
    raise BadSetting("language")


def _abc_basis(text: str) -> str:
    t = fold(text)
    if t in ("grossprofit", "毛利"):
        return "gross_profit"
    if t in ("revenue", "销售额", "收入"):
        return "revenue"
    raise BadSetting("abc_basis")


def _single_line(text: str) -> str:
    # A CR/LF in a mail subject would let a workbook inject mail headers.
    if "\r" in text or "\n" in text:
        raise BadSetting("single_line")
    return text.strip()


def _mail_to(text: str) -> tuple[str, ...]:
    if "\r" in text or "\n" in text:
        raise BadSetting("mail_to")
    parts = [p.strip() for p in re.split(r"[,;，；\s]+", text) if p.strip()]
    if not parts or not all(is_email(p) for p in parts):
        raise BadSetting("mail_to")
    return tuple(parts)


def _currency(text: str) -> str:
    t = text.strip()
    if not _CURRENCY.match(t):
        raise BadSetting("currency")
    return t.upper()


def _color(text: str) -> str:
    t = text.strip()
    if not is_colour(t):
        raise BadSetting("color")
    return t.lower()


def _logo(text: str, base_file: str | None) -> str:
    # Relative to the workbook that names it (SPEC §5); the renderer reads
    # only this one file, so it must exist now and be an image.
    t = text.strip()
    if not t.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg")):
        raise BadSetting("logo")
    base = os.path.dirname(os.path.abspath(base_file)) if base_file else os.getcwd()
    path = os.path.normpath(os.path.join(base, os.path.expanduser(t)))
    if not os.path.isfile(path):
        raise BadSetting("logo_missing", path=path)
    return path


_PARSERS = {
    "company": lambda t, f: t.strip(),
    "report_title": lambda t, f: _single_line(t),
    "language": lambda t, f: _language(t),
    "currency": lambda t, f: _currency(t),
    "abc_basis": lambda t, f: _abc_basis(t),
    "abc_a_cut": lambda t, f: _fraction(t),
    "abc_b_cut": lambda t, f: _fraction(t),
    "weight_value": lambda t, f: _weight(t),
    "weight_potential": lambda t, f: _weight(t),
    "weight_strategic": lambda t, f: _weight(t),
    "attractive_high": lambda t, f: _score(t),
    "attractive_medium": lambda t, f: _score(t),
    "high_potential": lambda t, f: _score(t),
    "cadence_key": lambda t, f: _days(t),
    "cadence_ordinary": lambda t, f: _days(t),
    "cadence_prospect": lambda t, f: _days(t),
    "revenue_drop": lambda t, f: _fraction(t),
    "satisfaction_floor": lambda t, f: _floor(t),
    "complaint_days": lambda t, f: _days(t, 0),
    "contract_days": lambda t, f: _days(t),
    "concentration": lambda t, f: _fraction(t),
    "mail_to": lambda t, f: _mail_to(t),
    "mail_subject": lambda t, f: _single_line(t),
    "brand_color": lambda t, f: _color(t),
    "logo": lambda t, f: _logo(t, f),
    "date_order": lambda t, f: _date_order(t),
    "fx": lambda t, f: _fx(t),
}


def _date_order(text: str) -> str:
    t = text.strip().casefold()
    if t not in ("ymd", "dmy", "mdy"):
        raise BadSetting("date_order")
    return t


def _fx(text: str) -> float:
    try:
        x = _number(text)
    except BadSetting:
        raise BadSetting("fx") from None
    if not x > 0:
        raise BadSetting("fx")
    return float(x)
assert set(_PARSERS) == set(KEYS), "every Settings field needs a parser"


def parse_value(key: str, text: str, base_file: str | None = None):
    """Parse one setting; raises BadSetting with what is accepted."""
    return _PARSERS[key](str(text), base_file)


def _suggest(word: str) -> str | None:
    match = difflib.get_close_matches(fold(word), list(_BY_FOLD), n=1, cutoff=0.6)
    return _BY_FOLD[match[0]] if match else None


def _msg_unknown(key: str, hint: str | None, lang: str) -> str:
    more = (texts.text("setting_problem.did_you_mean", lang, hint=hint) if hint
            else texts.text("setting_problem.known", lang, known=", ".join(KEYS)))
    return texts.text("setting_problem.unknown", lang, key=key) + more


def _msg_bad(key: str, value: str, e: BadSetting, default, lang: str) -> str:
    shown = default if default not in ("", None, ()) else texts.text("setting_problem.blank", lang)
    return texts.text("setting_problem.bad", lang, key=key, value=value, accepted=e.accepted(lang), default=shown)


def _msg_twice(key: str, first_row: int | None, lang: str) -> str:
    return texts.text("setting_problem.twice", lang, key=key, row=first_row)


def _problem(loc: Loc, header: str, value: str, message: str) -> Problem:
    # A Settings row's Loc carries the letter of its value cell.
    return Problem(WARNING, loc.file, loc.sheet, loc.row, loc.column, header, value, message)


def build_settings(rows, default_language: str = "en",
                   overrides: dict[str, str] | None = None) -> tuple[Settings, list[Problem]]:
    """Settings in force: defaults, then the Settings sheet rows
    `(key, value, Loc)` in order (a later row wins), then `overrides`.

    The language of the warnings is the language finally in force, so it is
    resolved first.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    values: dict[str, object] = {"language": default_language}
    rates: dict[str, float] = {}
    seen: dict[str, Loc] = {}
    pending: list[tuple[str, Loc, str, str, object]] = []   # (kind, loc, key, value, extra)

    for key_text, value_text, loc in rows:
        key_text = "" if key_text is None else str(key_text).strip()
        value_text = "" if value_text is None else str(value_text)
        if not key_text:
            continue
        key = _BY_FOLD.get(fold(key_text))
        fx_code = re.fullmatch(r"fx_?([a-z]{3})", fold(key_text))
        if key is None and fx_code:
            code = fx_code[1].upper()
            if value_text.strip():
                try:
                    rates[code] = parse_value("fx", value_text)
                except BadSetting as e:
                    pending.append(("bad", loc, f"fx_{code}", value_text, e))
            continue
        if key is None:
            pending.append(("unknown", loc, key_text, value_text, _suggest(key_text)))
            continue
        if key in seen:
            pending.append(("twice", loc, key, value_text, seen[key].row))
        seen[key] = loc
        if not value_text.strip():
            # A blank value means "not set": the default (or the previous row) stands.
            continue
        try:
            values[key] = parse_value(key, value_text, loc.file)
        except BadSetting as e:
            pending.append(("bad", loc, key, value_text, e))

    for key, value in overrides.items():
        if key not in _PARSERS:
            raise KamError("override.unknown", key=key, known=", ".join(KEYS))
        try:
            values[key] = parse_value(key, value)
        except BadSetting as e:
            raise KamError("override.bad", option=key.replace("_", "-"), value=value,
                           accepted=texts.Text("setting_accepts." + e.code, **e.params)) from None

    if rates:
        values["fx"] = tuple(sorted(rates.items()))
    settings = replace(Settings(), **values)
    lang = settings.language
    problems: list[Problem] = []
    for kind, loc, key, value, extra in pending:
        if kind == "unknown":
            problems.append(_problem(loc, "key", key, _msg_unknown(key, extra, lang)))
        elif kind == "twice":
            problems.append(_problem(loc, "key", key, _msg_twice(key, extra, lang)))
        else:
            default = getattr(Settings(), key, None)
            problems.append(_problem(loc, "value", value, _msg_bad(key, value, extra, default, lang)))

    settings, more = _check_consistency(settings, seen, lang)
    return settings, problems + more


def _check_consistency(s: Settings, seen: dict[str, Loc], lang: str) -> tuple[Settings, list[Problem]]:
    """Pairs that only make sense together: both cuts, both attractiveness
    thresholds, the three weights. A bad pair falls back to both defaults."""
    d = Settings()
    problems: list[Problem] = []

    def fallback(keys: tuple[str, ...], why: str) -> None:
        nonlocal s
        loc = next((seen[k] for k in reversed(keys) if k in seen), None)
        s = replace(s, **{k: getattr(d, k) for k in keys})
        if loc is not None:
            shown = ", ".join(f"{k}={getattr(d, k)}" for k in keys)
            msg = texts.text("setting_problem." + why, lang) + texts.text("setting_problem.defaults", lang, defaults=shown)
            problems.append(_problem(loc, "value", "", msg))

    if not s.abc_a_cut < s.abc_b_cut:
        fallback(("abc_a_cut", "abc_b_cut"), "cuts")
    if not s.attractive_medium <= s.attractive_high:
        fallback(("attractive_high", "attractive_medium"), "attractive")
    if s.weight_value + s.weight_potential + s.weight_strategic <= 0:
        fallback(("weight_value", "weight_potential", "weight_strategic"), "weights")
    return s, problems


def with_setting_problems(dataset, lang: str | None = None):
    """The dataset with the Settings sheet's problems added, so that
    `kamreport validate` reports them as `build` would (SPEC §5)."""
    from dataclasses import replace
    if dataset.fatal:
        return dataset
    _, problems = build_settings(dataset.settings, dataset.language, {"language": lang})
    return replace(dataset, problems=dataset.problems + tuple(problems))
