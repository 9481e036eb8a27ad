"""Number, money, percent and date formats (kamreport/fmt.py)."""
from datetime import date

import pytest

from kamreport import fmt

ZH = fmt.filters("zh", "CNY")
EN = fmt.filters("en", "CNY")


def test_none_and_nan_print_as_dash():
    for name in ("money", "money_short", "pct", "num", "score", "growth", "date", "days", "month_day"):
        assert ZH[name](None) == "—", name
        assert EN[name](None) == "—", name
    assert EN["num"](float("nan")) == "—"
    assert EN["dash"]("  ") == "—"
    assert EN["dash"]("x") == "x"


def test_money_full_figure_with_separators():
    assert EN["money"](1234567.4) == "¥1,234,567"
    assert EN["money"](1234567.5) == "¥1,234,568"          # half-up
    assert EN["money"](-300) == "-¥300"
    assert EN["money"](-0.4) == "¥0"                       # no "-¥0"
    assert EN["money"](1234.5, 2) == "¥1,234.50"
    assert fmt.filters("en", "USD")["money"](99) == "$99"
    assert fmt.filters("en", "XYZ")["money"](5) == "XYZ 5"


def test_money_short_zh_uses_wan_and_yi():
    # 1,234,567 / 10^4 = 123.4567 -> one decimal: 123.5万
    assert ZH["money_short"](1_234_567) == "¥123.5万"
    # 12,345 / 10^4 = 1.2345 -> 1.2万
    assert ZH["money_short"](12_345) == "¥1.2万"
    # 123,456,789 / 10^8 = 1.23456789 -> two decimals: 1.23亿
    assert ZH["money_short"](123_456_789) == "¥1.23亿"
    assert ZH["money_short"](65_893_000) == "¥6,589.3万"
    assert ZH["money_short"](9_999) == "¥9,999"             # below 万: in full
    assert ZH["money_short"](-56_000) == "-¥5.6万"
    # 99,999,600 / 10^4 = 9999.96 -> rounds to 10000.0万: say 1.00亿
    assert ZH["money_short"](99_999_600) == "¥1.00亿"


def test_money_short_en_uses_k_m_b():
    assert EN["money_short"](345_600) == "¥345.6K"
    assert EN["money_short"](12_345) == "¥12.3K"
    assert EN["money_short"](1_234_567) == "¥1.23M"
    assert EN["money_short"](2_500_000_000) == "¥2.50B"
    assert EN["money_short"](999_960) == "¥1.00M"           # 999.96K rounds up a unit
    assert EN["money_short"](9_500) == "¥9,500"


def test_pct_score_num_round_half_up():
    assert EN["pct"](0.125) == "12.5%"
    assert EN["pct"](0.12345) == "12.3%"
    assert EN["pct"](0.3, 0) == "30%"
    # 81.25 is exact in binary; half-even would give 81.2, the spec says half-up
    assert EN["score"](81.25) == "81.3"
    assert EN["score"](0.05) == "0.1"
    assert EN["num"](1234567) == "1,234,567"
    assert EN["num"](3.14159, 2) == "3.14"


def test_growth_arrows_follow_the_rounded_value():
    assert EN["growth"](0.125) == "▲12.5%"
    assert EN["growth"](-0.03) == "▼3.0%"
    assert EN["growth"](0.0004) == "0.0%"     # 0.04 % prints 0.0 %: no arrow
    assert EN["growth_class"](0.2) == "up"
    assert EN["growth_class"](-0.2) == "down"
    assert EN["growth_class"](None) == ""


def test_dates_per_language():
    d = date(2026, 9, 30)
    assert EN["date"](d) == "2026-09-30"
    assert ZH["date"](d) == "2026年9月30日"
    assert ZH["date"]("2026-07-05") == "2026年7月5日"
    assert ZH["month_day"](date(2026, 10, 5)) == "10月5日"
    assert EN["month_day"](date(2026, 10, 5)) == "10-05"


@pytest.mark.parametrize("n, zh, en", [(1, "1天", "1 day"), (12, "12天", "12 days"), (1200, "1200天", "1,200 days")])
def test_days(n, zh, en):
    assert ZH["days"](n) == zh
    assert EN["days"](n) == en
