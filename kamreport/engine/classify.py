"""Classification of every customer (SPEC §3): money sums, ABC, pillars,
score, attractiveness, key reasons, tier, relationship type, strategy.

Exact arithmetic, on purpose (engine/exact.py): money sums are Decimals,
so two customers with the same figures tie exactly (ABC and percentile ties
are decided by the spec's rules, not by rounding noise); percentile ranks,
pillars and the score are Fractions, rounded half-up on their true value.

Everything here is a pure function of records, a `Period` and `Settings`;
the engine calls `classify` twice (for the period and for the period three
months earlier) to get the tier migration.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .exact import ZERO, dec, frac, mean, round_half_up, weighted_mean
from ..model import Customer, Sale
from .period import month_index
from .results import Period, PillarInputs
from .settings import Settings

TIERS = ("key", "ordinary", "prospect", "unattractive")
TIER_RANK = {t: i for i, t in enumerate(TIERS)}      # lower is better


# --------------------------------------------------------------------------
# Sales, aggregated once by customer and month


@dataclass(frozen=True)
class MonthSales:
    revenue: Decimal
    gross_profit: Decimal | None          # None when no row of the month had one
    overdue: Decimal | None               # None when no row of the month had one


def _money(x) -> Decimal:
    # dec() without the isinstance chain: Sales values are floats (or ints in tests).
    return Decimal(repr(x)) if x.__class__ is float else dec(x)


def aggregate_sales(sales: Iterable[Sale]) -> dict[str, dict[int, MonthSales]]:
    """customer_id -> month index -> sums. One pass over the Sales rows;
    several rows for one customer-month are summed (SPEC §1)."""
    acc: dict[str, dict[int, list]] = {}
    for s in sales:
        months = acc.get(s.customer_id)
        if months is None:
            months = acc[s.customer_id] = {}
        i = s.month.year * 12 + s.month.month - 1          # month_index, inlined: the hot loop
        m = months.get(i)
        if m is None:
            m = months[i] = [ZERO, None, None]
        m[0] += _money(s.revenue)
        if s.gross_profit is not None:
            m[1] = (m[1] or ZERO) + _money(s.gross_profit)
        if s.overdue_amount is not None:
            m[2] = (m[2] or ZERO) + _money(s.overdue_amount)
    return {cid: {i: MonthSales(*v) for i, v in months.items()} for cid, months in acc.items()}


@dataclass(frozen=True)
class Money:
    revenue_q: Decimal
    revenue_pq: Decimal
    revenue_yq: Decimal
    revenue_ttm: Decimal
    gross_profit_ttm: Decimal | None


def window_sum(months: Mapping[int, MonthSales], window: Iterable[date]) -> tuple[Decimal, Decimal | None]:
    """(revenue, gross_profit) over the months of `window`; gross profit is
    None when no month in the window has a value (SPEC §3)."""
    rev, gp = ZERO, None
    for d in window:
        m = months.get(month_index(d))
        if m is not None:
            rev += m.revenue
            if m.gross_profit is not None:
                gp = (gp or ZERO) + m.gross_profit
    return rev, gp


def period_money(months: Mapping[int, MonthSales], period: Period) -> Money:
    ttm_rev, ttm_gp = window_sum(months, period.ttm)
    return Money(window_sum(months, period.q)[0], window_sum(months, period.pq)[0],
                 window_sum(months, period.yq)[0], ttm_rev, ttm_gp)


# --------------------------------------------------------------------------
# ABC


def abc_classes(basis: Mapping[str, Decimal | None], a_cut: float, b_cut: float
                ) -> dict[str, tuple[str, Fraction | None]]:
    """customer_id -> (class, share of the total held by the customers ahead).

    Customers with basis > 0 sorted by basis descending, ties by customer_id;
    A while `before < a_cut`, B while `before < b_cut`, else C; basis ≤ 0 or
    None: N with no share. The customer that crosses the cut is still A.
    """
    positive = sorted(((v, cid) for cid, v in basis.items() if v is not None and v > 0),
                      key=lambda t: (-t[0], t[1]))
    total = sum((v for v, _ in positive), ZERO)
    a, b = frac(a_cut), frac(b_cut)
    out: dict[str, tuple[str, Fraction | None]] = {
        cid: ("N", None) for cid, v in basis.items() if v is None or v <= 0}
    ahead = ZERO
    for v, cid in positive:
        before = Fraction(ahead) / Fraction(total)
        out[cid] = ("A" if before < a else "B" if before < b else "C", before)
        ahead += v
    return out


# --------------------------------------------------------------------------
# Percentile rank and the score


def percentile_ranks(values: Mapping[str, object]) -> dict[str, Fraction]:
    """pr(x) = 100 × |{y ∈ S : y < x}| / (|S| − 1), or 100 when |S| = 1, where
    S is the present (non-None) values; customer_id -> rank."""
    present = {cid: v for cid, v in values.items() if v is not None}
    ordered = sorted(present.values())
    n = len(ordered)
    if n == 1:
        return {cid: Fraction(100) for cid in present}
    return {cid: Fraction(100 * bisect.bisect_left(ordered, v), n - 1) for cid, v in present.items()}


def strategic_pillar(strategic_fit: int | None, industry_position: int | None) -> Fraction | None:
    return mean([None if x is None else Fraction((x - 1) * 25) for x in (strategic_fit, industry_position)])


def score_of(pillars: Mapping[str, Fraction | None], s: Settings) -> Decimal:
    """Weighted mean of the present pillars, half-up to one decimal; 0 when none."""
    m = weighted_mean([(frac(s.weight_value), pillars["value"]),
                       (frac(s.weight_potential), pillars["potential"]),
                       (frac(s.weight_strategic), pillars["strategic"])])
    return round_half_up(m, 1) if m is not None else Decimal("0.0")


def attractiveness(score: Decimal, s: Settings) -> str:
    if score >= dec(s.attractive_high):
        return "high"
    if score >= dec(s.attractive_medium):
        return "medium"
    return "low"


# --------------------------------------------------------------------------
# Reasons, tier, relationship


def agreement_active(c: Customer, as_of: date) -> bool:
    return c.long_term_agreement and (c.contract_end is None or c.contract_end >= as_of)


def key_reasons(c: Customer, as_of: date, abc_class: str, potential: Fraction | None,
                revenue_ttm: Decimal, s: Settings) -> tuple[str, ...]:
    reasons = []
    if c.designated_key:
        reasons.append("designated")
    if agreement_active(c, as_of):
        reasons.append("agreement")
    if abc_class == "A":
        reasons.append("top_contributor")
    # A pillar is compared as reported, rounded to one decimal (SPEC §1): 79.95 is 80.0.
    if potential is not None and round_half_up(potential, 1) >= dec(s.high_potential) and revenue_ttm > 0:
        reasons.append("high_potential")
    return tuple(reasons)


def tier_of(reasons: tuple[str, ...], revenue_ttm: Decimal, attract: str) -> str:
    if reasons:
        return "key"
    if revenue_ttm > 0:
        return "ordinary"
    if attract in ("high", "medium"):
        return "prospect"
    return "unattractive"


def move_of(tier_prev: str, tier: str) -> str:
    if TIER_RANK[tier] < TIER_RANK[tier_prev]:
        return "up"
    if TIER_RANK[tier] > TIER_RANK[tier_prev]:
        return "down"
    return "same"


def tenure_years(since: date | None, as_of: date) -> Fraction | None:
    if since is None or since > as_of:
        return None
    return Fraction((as_of - since).days) / Fraction("365.25")


def relationship_type(c: Customer, as_of: date, tenure: Fraction | None,
                      share_of_wallet: Fraction | None) -> tuple[str, str]:
    """(type, source): the input value, else inferred (never strategic_alliance)."""
    if c.relationship_type:
        return c.relationship_type, "input"
    if agreement_active(c, as_of) and tenure is not None and tenure >= 3:
        return "partner", "inferred"
    if share_of_wallet is not None and share_of_wallet >= Fraction(3, 10):
        return "preferred_supplier", "inferred"
    if c.relationship_stage in ("good", "very_strong") and tenure is not None and tenure >= 2:
        return "preferred_supplier", "inferred"
    return "vendor", "inferred"


# --------------------------------------------------------------------------
# The whole classification


@dataclass(frozen=True)
class Classification:
    customer_id: str
    money: Money
    abc_class: str
    abc_basis_value: Decimal | None
    abc_cum_share_before: Fraction | None
    tenure_years: Fraction | None
    share_of_wallet: Fraction | None
    headroom: Decimal | None
    pillars: dict[str, Fraction | None]      # value, potential, strategic (unrounded)
    pillar_inputs: PillarInputs
    score: Decimal                           # rounded half-up, one decimal
    attractiveness: str
    key_reasons: tuple[str, ...]
    tier: str
    relationship_type: str
    relationship_type_source: str


def _f(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def classify(customers: Iterable[Customer], sales: Mapping[str, Mapping[int, MonthSales]],
             period: Period, s: Settings, use_gross_profit: bool) -> dict[str, Classification]:
    """Classify every customer for `period` (SPEC §3).

    `use_gross_profit` is False when the workbooks have no gross_profit
    column or `abc_basis` is revenue: ABC then ranks revenue_ttm.
    """
    customers = list(customers)
    as_of = period.as_of
    money = {c.customer_id: period_money(sales.get(c.customer_id, {}), period) for c in customers}

    basis = {cid: (m.gross_profit_ttm if use_gross_profit else m.revenue_ttm) for cid, m in money.items()}
    abc = abc_classes(basis, s.abc_a_cut, s.abc_b_cut)

    headroom = {c.customer_id: (None if c.market_size is None else
                                max(dec(c.market_size) - money[c.customer_id].revenue_ttm, ZERO))
                for c in customers}
    selling = {cid for cid, m in money.items() if m.revenue_ttm > 0}
    pr_revenue = percentile_ranks({cid: money[cid].revenue_ttm for cid in selling})
    pr_gp = percentile_ranks({cid: money[cid].gross_profit_ttm for cid in selling})
    pr_headroom = percentile_ranks(headroom)
    pr_growth = percentile_ranks({c.customer_id: c.market_growth for c in customers})

    out: dict[str, Classification] = {}
    for c in customers:
        cid, m = c.customer_id, money[c.customer_id]
        value = mean([pr_revenue.get(cid), pr_gp.get(cid)]) if cid in selling else None
        potential = mean([pr_headroom.get(cid), pr_growth.get(cid)])
        pillars = {"value": value, "potential": potential,
                   "strategic": strategic_pillar(c.strategic_fit, c.industry_position)}
        score = score_of(pillars, s)
        attract = attractiveness(score, s)
        tenure = tenure_years(c.since, as_of)
        sow = (Fraction(m.revenue_ttm) / frac(c.market_size)
               if c.market_size is not None and c.market_size > 0 else None)
        abc_class, before = abc[cid]
        reasons = key_reasons(c, as_of, abc_class, potential, m.revenue_ttm, s)
        rtype, source = relationship_type(c, as_of, tenure, sow)
        out[cid] = Classification(
            customer_id=cid, money=m, abc_class=abc_class,
            abc_basis_value=basis[cid], abc_cum_share_before=before,
            tenure_years=tenure, share_of_wallet=sow, headroom=headroom[cid],
            pillars=pillars,
            pillar_inputs=PillarInputs(
                revenue_ttm_pr=_f(pr_revenue.get(cid)), gross_profit_ttm_pr=_f(pr_gp.get(cid)),
                headroom=None if headroom[cid] is None else float(headroom[cid]),
                headroom_pr=_f(pr_headroom.get(cid)), market_growth=c.market_growth,
                market_growth_pr=_f(pr_growth.get(cid)), strategic_fit=c.strategic_fit,
                industry_position=c.industry_position),
            score=score, attractiveness=attract, key_reasons=reasons,
            tier=tier_of(reasons, m.revenue_ttm, attract),
            relationship_type=rtype, relationship_type_source=source)
    return out
