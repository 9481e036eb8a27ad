"""Units and qualifiers in headers (SPEC §1 "Units and scales in headers",
§1.5 "Qualifiers"), against values worked out by hand."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from kamreport.inputs import schema
from kamreport.inputs.headers import analyse, format_unit, parse_unit
from kamreport.inputs.values import BadValue, money_parser


@pytest.mark.parametrize("header, scale, currency", [
    ("销售额（元）", None, "CNY"), ("销售额（万元）", 10**4, "CNY"), ("销售额(千元)", 10**3, "CNY"),
    ("销售额（百万元）", 10**6, "CNY"), ("销售额（亿元）", 10**8, "CNY"), ("Revenue (k)", 10**3, None),
    ("Revenue (K)", 10**3, None), ("Revenue (in thousands)", 10**3, None), ("Revenue (m)", 10**6, None),
    ("Revenue (millions)", 10**6, None), ("Revenue (USD)", None, "USD"), ("销售额（美元）", None, "USD"),
    ("销售额（万美元）", 10**4, "USD"), ("Revenue (USD, in thousands)", 10**3, "USD"), ("Revenue ($m)", 10**6, "USD"),
    ("销售额（单位：万元）", 10**4, "CNY"),
])
def test_money_units(header, scale, currency):
    h = analyse(header, schema.SALES)
    assert h.column.key == "revenue" and not h.unreadable
    assert h.unit.kind == "money"
    assert h.unit.scale == (Decimal(scale) if scale else None)
    assert h.unit.currency == currency


@pytest.mark.parametrize("header, factor, top", [
    ("满意度（5分制）", 2, 5), ("满意度(out of 5)", 2, 5), ("满意度 (1-5)", 2, 5),
    ("满意度（百分制）", Decimal("0.1"), 100), ("满意度 (out of 100)", Decimal("0.1"), 100),
    ("满意度（10分制）", 1, 10),
])
def test_score_scales(header, factor, top):
    h = analyse(header, schema.SURVEYS)
    assert h.column.key == "score"
    assert (h.unit.factor, h.unit.top) == (Decimal(factor), top)


@pytest.mark.parametrize("header", ["时长（小时）", "时长(h)", "时长 (hours)"])
def test_hours_are_sixty_minutes(header):
    h = analyse(header, schema.ACTIVITIES)
    assert h.column.key == "minutes" and h.unit.factor == 60


@pytest.mark.parametrize("header, key, qualifier", [
    ("销售额（目标）", "target", "target"), ("目标销售额", "target", "target"), ("销售额预算", "target", "target"),
    ("Revenue budget", "target", "target"), ("Revenue (forecast)", "target", "target"),
    ("销售额（实际）", "revenue", "actual"), ("实际销售额", "revenue", "actual"),
    ("去年销售额", "revenue", "prior"), ("Revenue (prior year)", "revenue", "prior"),
])
def test_qualifiers_decide_what_a_column_is(header, key, qualifier):
    h = analyse(header, schema.SALES)
    assert (h.column.key, h.qualifier) == (key, qualifier)


def test_plans_objective_is_not_a_target():
    # 目标 is the Plans objective column; only Sales money columns have targets.
    assert analyse("目标", schema.PLANS).column.key == "objective"
    assert analyse("目标", schema.SALES).column.key == "target"


@pytest.mark.parametrize("header", ["销售额（万吨）", "Revenue (lakhs)", "销售额（万美金刀）"])
def test_a_unit_word_that_cannot_be_read_is_flagged(header):
    assert analyse(header, schema.SALES).unreadable


@pytest.mark.parametrize("header", ["销售额（含税）", "Revenue (net)", "客户编号（Customer ID）"])
def test_other_brackets_are_no_unit(header):
    h = analyse(header, schema.SALES)
    assert h.column is not None and h.unit is None and not h.unreadable


def test_a_unit_of_the_wrong_kind_is_misplaced():
    assert analyse("时长（万元）", schema.ACTIVITIES).misplaced == "万元"


@pytest.mark.parametrize("code, scale", [
    ('0.00"万元"', 10**4), ('#,##0"千元"', 10**3), ('0.0"亿"', 10**8), ('#,##0,"K"', None), ('0!.0,"万"', None),
    ('#,##0.00', None), ('0.00"元"', None), ('[Red]0.0"万元";-0.0"万元"', 10**4),
])
def test_number_formats(code, scale):
    unit = format_unit(code)
    assert (unit.scale if unit else None) == (Decimal(scale) if scale else None)


def test_parse_unit_says_none_for_plain_words():
    assert parse_unit("含税") is None
    assert parse_unit("万吨") == "万吨"


@given(st.decimals(min_value=-10**8, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from([("万元", 10**4), ("千元", 10**3), ("百万元", 10**6), ("k", 10**3), ("millions", 10**6)]))
def test_a_value_under_a_unit_header_equals_it_written_out_in_yuan(x, unit):
    word, scale = unit
    h = analyse(f"销售额（{word}）", schema.SALES)
    parse = money_parser(h.unit.scale, h.unit.currency)
    assert parse(float(x)) == float(Decimal(repr(float(x))) * scale)
    assert parse(str(x)) == float(x * scale)


def test_foreign_currency_needs_its_rate():
    parse = money_parser(None, "USD", "CNY", {})
    with pytest.raises(BadValue) as e:
        parse(100.0)
    assert e.value.code == "fx_missing" and e.value.params["setting"] == "fx_USD"
    assert money_parser(None, "USD", "CNY", {"USD": Decimal("7.1")})(100.0) == 710.0
    # A cell naming its own currency wins over the header.
    assert money_parser(Decimal(10**4), "CNY", "CNY", {})("5,000元") == 5000.0


def test_a_bad_revenue_beside_a_target_is_one_error(tmp_path):
    from kamreport.inputs.read import read_workbooks
    from tests.workbooks import write
    path = write(tmp_path / "t.xlsx", {
        "客户": [["客户编号", "客户名称"], ["KH1", "甲"]],
        "销售": [["客户编号", "月份", "销售额（万元）", "销售额（目标）"],
                 ["KH1", "2026-07", 1.5, 2], ["KH1", "2026-08", "USD 100", None], ["KH1", "2026-09", None, 3]]})
    data = read_workbooks([path], lang="en")
    # One line: the fx refusal rejects the row (not a warning plus "revenue is blank").
    errors = [(p.location(), p.severity) for p in data.problems if p.severity in ("error", "warning") and p.row]
    assert errors == [(f"{path}:销售!C3", "error")]
    assert "fx_USD" in next(p.message for p in data.problems if p.severity == "error")
    assert [(s.month.month, s.revenue) for s in data.sales] == [(7, 15000.0)]
    # Targets: the column is 目标 with no unit of its own (the 万元 header is revenue's).
    assert [(t.month.month, t.target) for t in data.targets] == [(7, 2.0), (9, 3.0)]
    assert data.rows["Sales"].read == 3 and data.rows["Sales"].accepted == 2 and data.rows["Sales"].rejected == 1
