"""The sentences of the engine's codes: risks, next steps, headlines, health
bases and tier strategies, worded from their parameters.

The engine records each finding as a code and the facts it quotes
(`Risk.params`, `Headline.params`, `HealthComponent.params`: exact numbers,
dates, names); these functions word them in one language where they are
printed. Figures go through fmt: `exact`/`exact_pct` for the engine's exact
fractions (half-up on the true value, as the rules compare them), money
as the booklet prints it (`money_short`: 万/亿, K/M), dates as `fmt date`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import fmt
from . import text


def _days(n: int, lang: str) -> str:
    return text("count.days", lang, n=n)


def names(shown: Sequence[str], lang: str, limit: int = 3) -> str:
    """The first `limit` names of a list, 'and 2 more' (zh: 等) after them."""
    first = list(shown[:limit])
    rest = len(shown) - len(first)
    if rest:
        return text("list.sep", lang).join(first) + text("list.more", lang, n=rest)
    if len(first) == 1:
        return first[0]
    return text("list.sep", lang).join(first[:-1]) + text("list.and", lang) + first[-1]


# --------------------------------------------------------------------------
# Risks and their next steps (SPEC §4)


def risk_message(code: str, p: Mapping[str, Any], lang: str, currency: str) -> str:
    """The risk's message, quoting the numbers that raised it."""
    key = "risk_message." + code
    money = fmt.make_money_short(currency, lang)
    if code == "REVENUE_DROP":
        return text(key, lang, qoq=fmt.exact_pct(p["growth_qoq"]), yoy=fmt.exact_pct(p["growth_yoy"]),
                    drop=fmt.exact_pct(p["drop"]))
    if code == "LOW_SATISFACTION":
        return text(key, lang, latest=fmt.exact(p["latest"]), prev=fmt.exact(p["prev"]),
                    floor=fmt.exact(p["floor"]))
    if code == "CONTACT_OVERDUE":
        if p["days"] is None:
            return text(key + "_none", lang, cadence=p["cadence"])
        return text(key, lang, days=p["days"], cadence=p["cadence"])
    if code == "OPEN_COMPLAINT":
        return text(key, lang, n=p["n"], limit=p["limit"], oldest=_days(p["oldest"], lang))
    if code == "CONTRACT_EXPIRING":
        return text(key, lang, end=fmt.make_date(lang)(p["end"]), days=_days(p["days"], lang))
    if code in ("ACTION_OVERDUE", "NO_ACTION_PLAN"):
        return text(key, lang, n=p["n"])
    if code == "CONCENTRATION":
        return text(key, lang, share=fmt.exact_pct(p["share"]), limit=fmt.exact_pct(p["limit"]))
    if code == "RELATIONSHIP_DECLINING":
        return text(key, lang, stage=text("risk_stage." + p["stage"], lang))
    if code == "CREDIT_OVERDUE":
        return text(key, lang, owed=money(float(p["owed"])), ttm=money(float(p["revenue_ttm"])))
    return text(key, lang)


def next_step(code: str, p: Mapping[str, Any], lang: str, currency: str) -> str:
    """The recommended next step for one risk (SPEC §4's fixed table)."""
    key = "next_step." + code
    if code in ("CONTACT_OVERDUE", "REVENUE_DROP"):
        manager = p.get("manager") or text("next_step.the_manager", lang)
        if p.get("who") is None:
            return text(key + "_none", lang, manager=manager)
        return text(key, lang, who=p["who"], manager=manager)
    if code == "LOW_SATISFACTION":
        if p.get("who") is None:
            return text(key + "_none", lang)
        return text(key, lang, who=p["who"], role=text("next_step.role." + p["role"], lang))
    if code == "OPEN_COMPLAINT":
        more = text(key + "_more", lang, n=p["others"]) if p["others"] else ""
        return text(key, lang, date=fmt.make_date(lang)(p["first"]), more=more)
    if code == "CONTRACT_EXPIRING":
        return text(key, lang, date=fmt.make_date(lang)(p["end"]))
    if code == "CREDIT_OVERDUE":
        return text(key, lang, amount=fmt.make_money_short(currency, lang)(float(p["owed"])))
    if code == "ACTION_OVERDUE":
        return text(key, lang, n=p["n"])
    if code == "RELATIONSHIP_DECLINING":
        return text(key, lang, who=p["sponsor"]) if p.get("sponsor") else text(key + "_none", lang)
    return text(key, lang)


# --------------------------------------------------------------------------
# Headlines (SPEC §4)


def headline(code: str, p: Mapping[str, Any], lang: str, currency: str) -> str:
    """The headline as a sentence."""
    key = "headline." + code
    money = fmt.make_money_short(currency, lang)
    if code in ("KEY_ACCOUNTS_LOST", "NO_ACTION_PLAN", "KEY_ACCOUNTS_WON"):
        return text(key, lang, n=len(p["names"]), names=names(p["names"], lang))
    if code == "REVENUE_AT_RISK":
        return text(key, lang, n=p["n"], amount=money(float(p["amount"])))
    if code == "LARGEST_DROP":
        return text(key, lang, name=p["name"], amount=money(float(p["amount"])),
                    before=text("headline.before." + p["period_kind"], lang))
    if code == "RENEWALS_DUE":
        day = fmt.make_date(lang)
        shown = [text("headline.renewal", lang, name=name, date=day(end)) for name, end in p["renewals"][:3]]
        more = len(p["renewals"]) - len(shown)
        listed = text("list.sep", lang).join(shown) + (text("list.more", lang, n=more) if more > 0 else "")
        return text(key, lang, n=len(p["renewals"]), days=p["days"], renewals=listed)
    if code in ("PYRAMID_OFF_TARGET", "TIME_OFF_TARGET"):
        return text(key, lang, group=text("headline.group." + p["group"], lang),
                    share=fmt.pct(p["share"]), target=fmt.pct(p["target"], 0))
    raise KeyError(code)


# --------------------------------------------------------------------------
# Health components and strategies


def health_basis(name: str, p: Mapping[str, Any], lang: str) -> str:
    """What a health component was computed from ("growth YoY -12.0%")."""
    if name == "growth":
        if p["growth"] is None:
            return text("health_basis.growth_none", lang)
        return text("health_basis.growth_" + p["basis"], lang, growth=fmt.exact_pct(p["growth"]))
    if name == "satisfaction":
        if p["latest"] is None:
            return text("health_basis.satisfaction_none", lang)
        return text("health_basis.satisfaction", lang, latest=fmt.exact(p["latest"]))
    if name == "engagement":
        days, cadence = p["days"], p["cadence"]
        touch = (text("health_basis.touch", lang, days=_days(days, lang)) if days is not None
                 else text("health_basis.touch_none", lang))
        return touch + (text("health_basis.cadence", lang, days=_days(cadence, lang)) if cadence is not None
                        else text("health_basis.cadence_none", lang))
    if name == "service":
        return text("health_basis.service", lang, n=p["complaints"], resolved=p["resolved"])
    if name == "execution":
        return text("health_basis.execution", lang, n=p["due"], on_time=p["on_time"])
    raise KeyError(name)


def strategy(tier: str, lang: str) -> str:
    """The tier's strategy text (SPEC §3), in full."""
    return text("strategy." + tier, lang)
