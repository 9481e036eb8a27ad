"""Properties of the engine over random portfolios (hypothesis)."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kamreport.engine import classify as C
from kamreport.engine import exact
from kamreport.engine.core import compute
from kamreport.model import Activity, Customer, Dataset, Loc, Plan, Sale, Survey
from kamreport.texts import sentences

L = Loc("p.xlsx", "X", 2)
IDS = [f"C{i:02d}" for i in range(12)]
MONTHS = [date(2024 + (i // 12), i % 12 + 1, 1) for i in range(33)]       # Jan 2024 .. Sep 2026
money = st.one_of(st.integers(-500, 5000), st.decimals(-100, 1000, places=2).map(float))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


@st.composite
def datasets(draw):
    n = draw(st.integers(1, 12))
    ids = IDS[:n]
    customers = tuple(Customer(
        cid, cid, L,
        account_manager=draw(maybe(st.sampled_from(["Li", "Wang"]))),
        since=draw(maybe(st.dates(date(2015, 1, 1), date(2027, 1, 1)))),
        long_term_agreement=draw(st.booleans()),
        contract_end=draw(maybe(st.dates(date(2026, 1, 1), date(2027, 6, 1)))),
        designated_key=draw(st.booleans()),
        market_size=draw(maybe(st.integers(0, 20000).map(float))),
        market_growth=draw(maybe(st.decimals(-0.5, 0.5, places=2).map(float))),
        strategic_fit=draw(maybe(st.integers(1, 5))),
        industry_position=draw(maybe(st.integers(1, 5))),
        relationship_stage=draw(maybe(st.sampled_from(["very_strong", "good", "declining", "defensive"]))),
    ) for cid in ids)
    sales = tuple(Sale(draw(st.sampled_from(ids)), draw(st.sampled_from(MONTHS)), draw(money), L,
                       gross_profit=draw(maybe(money)), overdue_amount=draw(maybe(st.integers(0, 300).map(float))))
                  for _ in range(draw(st.integers(1, 40))))
    day = st.dates(date(2025, 1, 1), date(2026, 12, 31))
    acts = tuple(Activity(draw(st.sampled_from(ids)), draw(day),
                          draw(st.sampled_from(["visit", "call", "email", "complaint", "care"])), L,
                          minutes=draw(st.integers(0, 200)), resolved_on=draw(maybe(day)))
                 for _ in range(draw(st.integers(0, 20))))
    surveys = tuple(Survey(draw(st.sampled_from(ids)), draw(day), draw(st.integers(0, 10)), L,
                           nps=draw(maybe(st.integers(0, 10)))) for _ in range(draw(st.integers(0, 8))))
    plans = tuple(Plan(draw(st.sampled_from(ids)), "o", "a", L, due=draw(maybe(day)),
                       status=draw(st.sampled_from(["open", "done", "cancelled"])), completed_on=draw(maybe(day)))
                  for _ in range(draw(st.integers(0, 8))))
    return Dataset((), customers, sales, acts, (), surveys, plans, has_gross_profit=draw(st.booleans()))


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(datasets(), st.sampled_from([None, "2026Q3", "2026Q1", "2026-08"]))
def test_tiers_partition_and_ranges(d, period):
    r = compute(d, period)
    ids = [a.customer_id for a in r.accounts]
    assert sorted(ids) == sorted(c.customer_id for c in d.customers)        # every customer exactly once
    assert sum(r.portfolio.tiers.values()) == len(ids) == r.portfolio.customers
    for a in r.accounts:
        assert a.tier in C.TIERS and a.tier_prev in C.TIERS
        assert 0 <= a.score <= 100
        assert all(v is None or 0 <= v <= 100 for v in a.pillars.values())
        pi = a.pillar_inputs
        assert all(v is None or 0 <= v <= 100 for v in
                   (pi.revenue_ttm_pr, pi.gross_profit_ttm_pr, pi.headroom_pr, pi.market_growth_pr))
        scored = a.tier in ("key", "ordinary")
        assert (a.health_coverage is None) == (not scored)
        # health is there exactly when the evidence is: coverage ≥ 0.5 (SPEC §4)
        assert (a.health is None) == (not scored or a.health_coverage < 0.5)
        assert (a.health_band == "insufficient") == (scored and a.health is None)
        present = sum(h.weight for h in a.health_components if h.value is not None)
        assert not scored or abs(a.health_coverage - present) < 1e-9
        assert a.health is None or 0 <= a.health <= 100
        assert all(h.value is None or 0 <= h.value <= 100 for h in a.health_components)
        assert (a.tier == "key") == bool(a.key_reasons)
        # history: 4 period ends, newest first, 3 months apart; the first is the account itself,
        # the second the migration's previous period
        h = a.history
        assert len(h) == 4 and [p.as_of for p in h] == sorted((p.as_of for p in h), reverse=True)
        assert (h[0].as_of, h[0].tier, h[0].health, h[0].health_band, h[0].revenue_q) == (
            r.period.as_of, a.tier, a.health, a.health_band, a.revenue_q)
        assert h[1].tier == a.tier_prev and h[1].as_of == r.extra["prev_period"].as_of
        assert all((p.health is None) == (p.health_band in (None, "insufficient")) for p in h)
    # every risk can be worded, message and next step, in both languages; NO_ACTION_PLAN only
    # beside another high risk of a key account
    for a in r.accounts:
        assert all(sentences.risk_message(x.code, x.params, lang, "CNY")
                   and sentences.next_step(x.code, x.params, lang, "CNY") for x in a.risks for lang in ("zh", "en"))
        if any(x.code == "NO_ACTION_PLAN" for x in a.risks):
            assert a.tier == "key" and any(x.severity == "high" for x in a.risks)
    # movers: ≤ 5 each, strictly signed, largest first (ties by id), and nobody left out moved more
    change = {a.customer_id: a.revenue_q - a.revenue_pq for a in r.accounts}
    for movers, sign in ((r.portfolio.movers_up, 1), (r.portfolio.movers_down, -1)):
        assert len(movers) <= 5 and all(sign * m.change > 0 for m in movers)
        assert all(m.change == pytest.approx(change[m.customer_id]) for m in movers)
        keys = [(-sign * m.change, m.customer_id) for m in movers]
        assert keys == sorted(keys)
        named = {m.customer_id for m in movers}
        if len(movers) == 5:
            assert all(sign * change[c] <= sign * movers[-1].change + 1e-6 for c in change if c not in named)
        else:
            assert all(sign * change[c] <= 1e-9 for c in change if c not in named)
    at_risk = [a for a in r.accounts if a.tier == "key" and any(x.severity == "high" for x in a.risks)]
    assert r.portfolio.revenue_at_risk == pytest.approx(sum(a.revenue_ttm for a in at_risk))
    assert len(r.headlines) <= 5
    assert all(c in {a.customer_id for a in r.accounts} for h in r.headlines for c in h.customers)
    q = r.portfolio.revenue_by_quarter
    assert len(q) == 8 and q[-1].revenue == pytest.approx(r.portfolio.revenue_q)
    assert q[-2].revenue == pytest.approx(r.portfolio.revenue_pq)
    assert q[-1].revenue_key == pytest.approx(sum(a.revenue_q for a in r.accounts if a.tier == "key"))
    # sorted: tier order, score desc, customer_id
    keys = [(C.TIER_RANK[a.tier], -a.score, a.customer_id) for a in r.accounts]
    assert keys == sorted(keys)
    # the order of the rows does not matter (exact decimal sums, ties by id)
    shuffled = replace(d, sales=d.sales[::-1], activities=d.activities[::-1], surveys=d.surveys[::-1],
                       plans=d.plans[::-1])
    again = compute(shuffled, period)
    assert again.accounts == r.accounts and again.portfolio == r.portfolio and again.managers == r.managers


ORDER = {"A": 0, "B": 1, "C": 2, "N": 3}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(IDS), maybe(st.decimals(-50, 1000, places=2)), min_size=1),
       st.sampled_from([(0.7, 0.9), (0.5, 0.8), (0.2, 0.95)]))
def test_abc_monotone_in_the_basis(basis, cuts):
    out = C.abc_classes(basis, *cuts)
    assert set(out) == set(basis)
    present = [(v, cid) for cid, v in basis.items() if v is not None]
    for v, x in present:
        for w, y in present:
            if v > w:
                assert ORDER[out[x][0]] <= ORDER[out[y][0]]
        assert (out[x][0] == "N") == (v <= 0)
    positive = [cid for cid, v in basis.items() if v is not None and v > 0]
    if positive:
        top = max(positive, key=lambda c: (basis[c], [-ord(ch) for ch in c]))
        assert out[top] == ("A", 0)                  # the top customer is always A


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(IDS), maybe(st.integers(-100, 100)), min_size=1))
def test_percentile_ranks_in_range(values):
    pr = C.percentile_ranks(values)
    assert set(pr) == {k for k, v in values.items() if v is not None}
    assert all(0 <= x <= 100 for x in pr.values())
    for x in pr:
        for y in pr:
            if values[x] < values[y]:
                assert pr[x] < pr[y]
            elif values[x] == values[y]:
                assert pr[x] == pr[y]
    if pr and len(pr) > 1:
        assert min(pr.values()) == 0


@settings(max_examples=200, deadline=None)
@given(st.fractions(0, 100), st.integers(1, 3))
def test_round_half_up_is_within_half_a_unit(x, places):
    r = exact.round_half_up(x, places)
    assert abs(Decimal(x.numerator) / Decimal(x.denominator) - r) <= Decimal(5).scaleb(-places - 1)
