"""The message catalog (kamreport.texts, issue 15): every key in both
languages with the same parameters, and the sentences worded from the
engine's codes read as the reports have always printed them."""
from __future__ import annotations

import string
from datetime import date
from fractions import Fraction

import pytest

from kamreport.texts import TEXTS, text
from kamreport.texts import sentences

# Entries whose Chinese leaves a parameter out on purpose, and why.
ONE_SIDED = {
    "list.more": "zh says the count before the names, so the list just ends in 等",
    "validate.totals": "{es} and {ws} are English plural endings",
}


def _params(form: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(form) if name}


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_key_has_zh_and_en_with_the_same_params(key):
    zh, en = TEXTS[key]
    assert isinstance(zh, str) and zh.strip(), key
    assert all(f.strip() for f in _forms(en)), key
    assert len(_forms(en)) in (1, 2)
    en_params = set().union(*map(_params, _forms(en)))
    if key in ONE_SIDED:
        assert _params(zh) < en_params
    else:
        assert _params(zh) == en_params, key


def test_a_count_picks_the_english_form_and_groups_thousands():
    assert text("risk_message.ACTION_OVERDUE", "en", n=1) == "1 action overdue"
    assert text("risk_message.ACTION_OVERDUE", "en", n=1204) == "1,204 actions overdue"
    assert text("risk_message.ACTION_OVERDUE", "zh", n=1204) == "1204 项行动已逾期"


def test_sentences_quote_exact_figures_money_and_dates_through_fmt():
    p = {"growth_qoq": Fraction(-1235, 10000), "growth_yoy": None, "drop": Fraction(1, 5)}
    # exactly -12.35 % rounds half-up to -12.4 % (a float would give -12.3 %)
    assert sentences.risk_message("REVENUE_DROP", p, "en", "CNY") == \
        "Revenue fell: growth QoQ -12.4%, YoY — (alert at -20.0%)"
    p = {"owed": 123456, "revenue_ttm": 2_500_000}
    assert sentences.risk_message("CREDIT_OVERDUE", p, "zh", "CNY") == "逾期应收款 ¥12.3万（近12个月销售额 ¥250.0万）"
    assert sentences.next_step("CREDIT_OVERDUE", p, "en", "USD") == "Agree a payment plan for the $123.5K overdue"
    p = {"first": date(2026, 8, 21), "others": 2}
    assert sentences.next_step("OPEN_COMPLAINT", p, "zh", "CNY") == "结清2026年8月21日的投诉及其余 2 项未结投诉"
    assert sentences.next_step("OPEN_COMPLAINT", {"first": date(2026, 8, 21), "others": 1}, "en", "CNY") == \
        "Close the complaint of 2026-08-21 and the 1 other open one"


def test_health_bases_and_strategies():
    assert sentences.health_basis("engagement", {"days": 1, "cadence": 30}, "en") == \
        "1 day since the last touch, cadence 30 days"
    assert sentences.health_basis("engagement", {"days": None, "cadence": None}, "zh") == "无接触记录，无联系周期"
    assert sentences.health_basis("service", {"complaints": 1, "resolved": 0}, "en") == "0 of 1 complaint resolved (TTM)"
    assert sentences.health_basis("growth", {"basis": "yoy", "growth": None}, "en") == "growth: none"
    for tier in ("key", "ordinary", "prospect", "unattractive"):
        assert sentences.strategy(tier, "zh") and sentences.strategy(tier, "en")
