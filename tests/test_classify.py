"""SPEC §3 classification, every rule against numbers computed by hand."""
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from kamreport.engine import classify as C
from kamreport.engine import exact
from kamreport.engine.core import compute
from kamreport.model import Customer, Dataset, Loc, Sale
from kamreport.engine.period import parse_period
from kamreport.engine.settings import Settings
from kamreport.texts import sentences

L = Loc("t.xlsx", "Customers", 2)
Q3 = parse_period("2026Q3")          # as_of 2026-09-30
S = Settings()


def cust(cid, **kw):
    return Customer(cid, f"Name {cid}", L, **kw)


def sale(cid, y, m, revenue, gp=None, overdue=None):
    return Sale(cid, date(y, m, 1), revenue, Loc("t.xlsx", "Sales", 2), gross_profit=gp, overdue_amount=overdue)


def classify(customers, sales, period=Q3, settings=S, use_gp=True):
    return C.classify(customers, C.aggregate_sales(sales), period, settings, use_gp)


def D(x):
    return Decimal(str(x))


# --------------------------------------------------------------------------
# money sums


def test_period_sums_and_gross_profit_null_when_none_in_ttm():
    sales = [
        sale("A", 2026, 9, 100, 40), sale("A", 2026, 9, 50),          # Q, same month summed: 150
        sale("A", 2026, 5, 70, 10),                                    # PQ
        sale("A", 2025, 8, 30, 5),                                     # YQ (outside TTM Oct25..Sep26)
        sale("A", 2025, 10, -20),                                      # TTM's first month, a return
        sale("A", 2026, 10, 999, 999),                                 # after as_of: ignored
        sale("B", 2026, 7, 10),                                        # no gross profit at all
    ]
    k = classify([cust("A"), cust("B")], sales)
    a = k["A"].money
    assert (a.revenue_q, a.revenue_pq, a.revenue_yq) == (150, 70, 30)
    assert a.revenue_ttm == 150 + 70 - 20          # 200
    assert a.gross_profit_ttm == 40 + 10            # 50; the YQ row is outside TTM
    assert k["B"].money.gross_profit_ttm is None


# --------------------------------------------------------------------------
# ABC


def test_abc_at_and_around_the_cut():
    # total 100; shares ahead: w 0, x .50, y .70, z .90
    out = C.abc_classes({"w": D(50), "x": D(20), "y": D(20), "z": D(10)}, 0.70, 0.90)
    assert out["w"] == ("A", 0)
    assert out["x"] == ("A", Fraction(1, 2))
    assert out["y"] == ("B", Fraction(7, 10))      # before = .70 exactly: not < .70
    assert out["z"] == ("C", Fraction(9, 10))      # before = .90 exactly: not < .90


def test_the_customer_that_crosses_70_percent_is_a():
    # 60 | 30 | 10: the second one takes the running share from .60 to .90, still A
    out = C.abc_classes({"p": D(60), "q": D(30), "r": D(10)}, 0.70, 0.90)
    assert [out[k][0] for k in "pqr"] == ["A", "A", "C"]


def test_abc_ties_by_customer_id():
    # four equal bases: order a, b, c, d whatever the input order; before 0, .25, .5, .75
    out = C.abc_classes({"d": D(25), "c": D(25), "b": D(25), "a": D(25)}, 0.70, 0.90)
    assert [out[k] for k in "abcd"] == [("A", 0), ("A", Fraction(1, 4)), ("A", Fraction(1, 2)),
                                        ("B", Fraction(3, 4))]


def test_abc_zero_negative_null_are_n():
    out = C.abc_classes({"a": D(10), "z": D(0), "n": D(-5), "x": None}, 0.70, 0.90)
    assert out["a"] == ("A", 0)
    assert out["z"] == out["n"] == out["x"] == ("N", None)


def test_abc_exact_at_the_cut_with_cents():
    # 0.99, 0.62, 0.51, 0.18 sum to 2.30; ahead of 0.51 is 1.61 = 70 % exactly.
    # Float arithmetic says 1.6099999999999999 / 2.3000000000000003 < 0.7 (A);
    # the decimal sums give exactly .70, so B.
    sales = [sale(c, 2026, 9, v, v) for c, v in (("a", 0.99), ("b", 0.62), ("c", 0.51), ("d", 0.18))]
    k = classify([cust(c) for c in "abcd"], sales)
    assert [k[c].abc_class for c in "abcd"] == ["A", "A", "B", "C"]
    assert k["c"].abc_cum_share_before == Fraction(7, 10)


def test_abc_falls_back_to_revenue():
    # A has the larger revenue, B the larger gross profit; C has revenue but no gross profit
    sales = [sale("A", 2026, 9, 100, 10), sale("B", 2026, 9, 50, 40), sale("C", 2026, 9, 30)]
    cs = [cust("A"), cust("B"), cust("C")]
    by_gp = classify(cs, sales, use_gp=True)
    # gp: B 40, A 10 (total 50): B before 0 -> A; A before .8 -> B; C no gross profit -> N
    assert [by_gp[c].abc_class for c in "ABC"] == ["B", "A", "N"]
    by_rev = classify(cs, sales, use_gp=False)
    # revenue: A 100, B 50, C 30 (total 180): A 0 -> A; B 100/180=.556 -> A; C 150/180=.833 -> B
    assert [by_rev[c].abc_class for c in "ABC"] == ["A", "A", "B"]
    assert by_rev["A"].abc_basis_value == 100


def test_engine_uses_revenue_when_no_gross_profit_column_or_setting():
    cs = (cust("A"), cust("B"))
    sales = (sale("A", 2026, 9, 100, 1), sale("B", 2026, 9, 50, 40))
    no_column = compute(Dataset((), cs, sales, has_gross_profit=False))
    assert {a.customer_id: a.abc_class for a in no_column.accounts} == {"A": "A", "B": "A"}  # B before 100/150=.667
    assert no_column.extra["abc_basis_used"] == "revenue"
    setting = compute(Dataset((), cs, sales, has_gross_profit=True,
                              settings=(("abc_basis", "revenue", Loc("t.xlsx", "Settings", 2)),)))
    assert setting.extra["abc_basis_used"] == "revenue"
    by_gp = compute(Dataset((), cs, sales, has_gross_profit=True))
    # gp: B 40, A 1 (total 41): A before 40/41 = .976 -> C
    assert {a.customer_id: a.abc_class for a in by_gp.accounts} == {"A": "C", "B": "A"}


# --------------------------------------------------------------------------
# percentile rank, pillars, score


def test_percentile_rank_definition():
    # S = {10, 20, 20, 30}: |S|-1 = 3; below 10: 0, below 20: 1, below 30: 3
    pr = C.percentile_ranks({"a": 10, "b": 20, "c": 20, "d": 30, "x": None})
    assert pr == {"a": 0, "b": Fraction(100, 3), "c": Fraction(100, 3), "d": 100}


def test_percentile_rank_single_value_is_100():
    assert C.percentile_ranks({"a": -5, "b": None}) == {"a": 100}
    assert C.percentile_ranks({}) == {}


def test_pillars_and_score_of_a_small_portfolio():
    cs = [cust("C1", market_size=1000, market_growth=0.10, strategic_fit=5, industry_position=4),
          cust("C2", market_size=200, market_growth=0.05, strategic_fit=3),
          cust("C3", market_size=500)]
    sales = [sale("C1", 2026, 9, 300, 120), sale("C2", 2026, 9, 100, 60)]
    k = classify(cs, sales)
    # value (S = C1, C2 with revenue > 0): C1 pr(rev)=100, pr(gp)=100 -> 100; C2 0; C3 none
    assert [k[c].pillars["value"] for c in ("C1", "C2", "C3")] == [100, 0, None]
    # headroom: C1 1000-300=700, C2 200-100=100, C3 500 -> pr 100, 0, 50
    assert [k[c].headroom for c in ("C1", "C2", "C3")] == [700, 100, 500]
    # growth: C1 .10 -> 100, C2 .05 -> 0; potential = mean of present
    assert [k[c].pillars["potential"] for c in ("C1", "C2", "C3")] == [100, 0, 50]
    # strategic: C1 ((5-1)*25 + (4-1)*25)/2 = 87.5; C2 (3-1)*25 = 50
    assert [k[c].pillars["strategic"] for c in ("C1", "C2", "C3")] == [Fraction(175, 2), 50, None]
    # score C1 = .5*100 + .3*100 + .2*87.5 = 97.5; C2 = .2*50 = 10.0;
    # C3: potential only, renormalised -> 50.0
    assert [k[c].score for c in ("C1", "C2", "C3")] == [D("97.5"), D("10.0"), D("50.0")]
    assert [k[c].attractiveness for c in ("C1", "C2", "C3")] == ["high", "low", "medium"]
    # share of wallet C1 = 300/1000
    assert k["C1"].share_of_wallet == Fraction(3, 10)
    assert k["C3"].share_of_wallet == 0 and k["C3"].tier == "prospect"   # a prospect with no sales


def test_headroom_never_negative_and_market_size_zero_has_no_share_of_wallet():
    cs = [cust("A", market_size=100), cust("B", market_size=0)]
    k = classify(cs, [sale("A", 2026, 9, 150), sale("B", 2026, 9, 10)])
    assert k["A"].headroom == 0 and k["A"].share_of_wallet == Fraction(3, 2)
    assert k["B"].headroom == 0 and k["B"].share_of_wallet is None


def test_score_rounds_half_up():
    # .5*70 + .3*82.5 + .2*62.5 = 35 + 24.75 + 12.5 = 72.25 -> 72.3 (round() would say 72.2)
    pillars = {"value": Fraction(70), "potential": Fraction(165, 2), "strategic": Fraction(125, 2)}
    assert C.score_of(pillars, S) == D("72.3")
    assert round(72.25, 1) == 72.2       # why Decimal: Python rounds this one down


def test_score_renormalises_over_present_pillars():
    # value missing: (.3*50 + .2*100) / (.3 + .2) = 35 / .5 = 70.0
    assert C.score_of({"value": None, "potential": Fraction(50), "strategic": Fraction(100)}, S) == D("70.0")
    # nothing present -> 0
    assert C.score_of({"value": None, "potential": None, "strategic": None}, S) == 0


def test_round_half_up_exact_values():
    assert exact.round_half_up(Fraction(7225, 100)) == D("72.3")
    assert exact.round_half_up(Fraction(7224999, 100000)) == D("72.2")
    assert exact.round_half_up(Fraction(100, 3)) == D("33.3")
    assert exact.round_half_up(Fraction(-5, 100), 1) == D("-0.1")


@pytest.mark.parametrize("score,expected", [("70.0", "high"), ("69.9", "medium"), ("40.0", "medium"),
                                            ("39.9", "low"), ("0.0", "low")])
def test_attractiveness_thresholds(score, expected):
    assert C.attractiveness(D(score), S) == expected


# --------------------------------------------------------------------------
# key reasons, tier, relationship type


def test_key_reasons_in_order():
    c = cust("A", designated_key=True, long_term_agreement=True, contract_end=None)
    assert C.key_reasons(c, Q3.as_of, "A", Fraction(80), D(1), S) == (
        "designated", "agreement", "top_contributor", "high_potential")


def test_agreement_until_as_of_counts_the_day_before_does_not():
    on = cust("A", long_term_agreement=True, contract_end=Q3.as_of)
    before = cust("A", long_term_agreement=True, contract_end=Q3.as_of - timedelta(days=1))
    without = cust("A", long_term_agreement=False, contract_end=Q3.as_of)
    assert C.key_reasons(on, Q3.as_of, "B", None, D(0), S) == ("agreement",)
    assert C.key_reasons(before, Q3.as_of, "B", None, D(0), S) == ()
    assert C.key_reasons(without, Q3.as_of, "B", None, D(0), S) == ()


def test_high_potential_needs_revenue_and_80():
    c = cust("A")
    assert C.key_reasons(c, Q3.as_of, "B", Fraction(80), D("0.01"), S) == ("high_potential",)
    # the pillar is compared as reported, rounded to one decimal: 79.95 is 80.0, 79.9499… is 79.9
    assert C.key_reasons(c, Q3.as_of, "B", Fraction(7995, 100), D(100), S) == ("high_potential",)
    assert C.key_reasons(c, Q3.as_of, "B", Fraction(7995, 100) - Fraction(1, 10**6), D(100), S) == ()
    assert C.key_reasons(c, Q3.as_of, "B", Fraction(7994, 100), D(100), S) == ()
    assert C.key_reasons(c, Q3.as_of, "N", Fraction(100), D(0), S) == ()


def test_tiers():
    assert C.tier_of(("designated",), D(0), "low") == "key"
    assert C.tier_of((), D("0.01"), "low") == "ordinary"
    assert C.tier_of((), D(0), "medium") == "prospect"
    assert C.tier_of((), D(-10), "high") == "prospect"
    assert C.tier_of((), D(0), "low") == "unattractive"


def test_tenure():
    # 2026-09-30 minus 2025-09-30 = 365 days -> 365 / 365.25
    assert C.tenure_years(date(2025, 9, 30), Q3.as_of) == Fraction(365 * 4, 1461)
    assert C.tenure_years(Q3.as_of, Q3.as_of) == 0
    assert C.tenure_years(date(2026, 10, 1), Q3.as_of) is None
    assert C.tenure_years(None, Q3.as_of) is None


def test_relationship_type_input_and_inferred():
    as_of = Q3.as_of
    t3 = C.tenure_years(as_of - timedelta(days=1096), as_of)     # 1096/365.25 = 3.0007 >= 3
    t_short = C.tenure_years(as_of - timedelta(days=1095), as_of)  # 2.998 < 3
    agreed = cust("A", long_term_agreement=True)
    assert C.relationship_type(cust("A", relationship_type="strategic_alliance"), as_of, None, None) == (
        "strategic_alliance", "input")
    assert C.relationship_type(agreed, as_of, t3, None) == ("partner", "inferred")
    assert C.relationship_type(agreed, as_of, t_short, None) == ("vendor", "inferred")
    assert C.relationship_type(cust("A"), as_of, None, Fraction(3, 10)) == ("preferred_supplier", "inferred")
    assert C.relationship_type(cust("A"), as_of, None, Fraction(299, 1000)) == ("vendor", "inferred")
    good = cust("A", relationship_stage="good")
    t2 = C.tenure_years(as_of - timedelta(days=731), as_of)      # 731/365.25 = 2.0014
    t_lt2 = C.tenure_years(as_of - timedelta(days=730), as_of)   # 1.9986
    assert C.relationship_type(good, as_of, t2, None) == ("preferred_supplier", "inferred")
    assert C.relationship_type(good, as_of, t_lt2, None) == ("vendor", "inferred")
    assert C.relationship_type(cust("A", relationship_stage="developing"), as_of, t3, None) == ("vendor", "inferred")


def test_strategy_texts_exist_in_both_languages():
    for tier in C.TIERS:
        assert sentences.strategy(tier, "zh") and sentences.strategy(tier, "en")
    assert "战略联盟" in sentences.strategy("key", "zh") and "first deal" in sentences.strategy("prospect", "en")


# --------------------------------------------------------------------------
# migration


def test_migration_up_and_same():
    cs = (cust("UP"), cust("SAME", designated_key=True))
    sales = (sale("UP", 2026, 8, 100), sale("SAME", 2026, 1, 10))   # UP's first sale is in Q3
    r = compute(Dataset((), cs, sales), "2026Q3")
    got = {a.customer_id: (a.tier_prev, a.tier, a.move) for a in r.accounts}
    # At 2026-06-30 UP had no sales and no pillar: score 0, low -> unattractive.
    # At 2026-09-30 it has revenue 100 of 110, first in ABC -> A -> key.
    assert got["UP"] == ("unattractive", "key", "up")
    assert got["SAME"] == ("key", "key", "same")
    assert r.portfolio.migrations["unattractive"]["key"] == 1
    assert r.portfolio.migrations["key"]["key"] == 1


def test_migration_down_when_agreement_ends():
    cs = (cust("BIG"), cust("DOWN", long_term_agreement=True, contract_end=date(2026, 8, 15)))
    # BIG 900, DOWN 100 (total 1000): DOWN before .9 -> C, no longer a top contributor
    sales = (sale("BIG", 2026, 3, 900), sale("DOWN", 2026, 3, 100))
    r = compute(Dataset((), cs, sales), "2026Q3")
    down = next(a for a in r.accounts if a.customer_id == "DOWN")
    assert (down.tier_prev, down.tier, down.move) == ("key", "ordinary", "down")
    assert r.extra["prev_period"].label == "2026Q2"


def test_move_order():
    assert C.move_of("prospect", "ordinary") == "up"
    assert C.move_of("key", "unattractive") == "down"
    assert C.move_of("ordinary", "ordinary") == "same"
