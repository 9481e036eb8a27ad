"""The engine (SPEC §2–§5): settings -> period -> classify -> evaluate.

`compute(dataset, period, overrides)` is the one entry point the build and
the tests use. It reads nothing and writes nothing; it groups every record
list by customer once (O(rows)), sorts where the rules need order
(O(n log n)) and then works per customer on that customer's own records.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from . import classify as C
from . import evaluate as E
from ..model import Dataset
from .period import last_month_index, month_start, previous, resolve_period, window_label
from .results import Account, HistoryPoint, Period, Portfolio, PortfolioQuarter, QuarterRevenue, Result
from .settings import Settings, build_settings

TIER_GROUP = {"key": "key", "ordinary": "ordinary", "prospect": "other", "unattractive": "other"}


def _f(x) -> float | None:
    return None if x is None else float(x)


def revenue_by_quarter(months, period: Period) -> tuple[QuarterRevenue, ...]:
    """The 8 three-month windows ending with Q, oldest first."""
    last = last_month_index(period)
    out = []
    for k in range(7, -1, -1):
        end = last - 3 * k
        rev, gp = C.window_sum(months, [month_start(i) for i in range(end - 2, end + 1)])
        out.append(QuarterRevenue(window_label(end, period.kind), float(rev), _f(gp)))
    return tuple(out)


def compute(dataset: Dataset, period: str | None = None,
            overrides: dict[str, str] | None = None) -> Result:
    """Classify and evaluate every customer of `dataset` for `period`
    (default: from the data). Raises KamError for a bad period; setting
    problems are returned in `Result.extra["problems"]`."""
    settings, problems = build_settings(dataset.settings, dataset.language, overrides)
    lang = settings.language

    # The reader rejects duplicate ids; keep the first here too, defensively.
    customers, seen = [], set()
    for c in dataset.customers:
        if c.customer_id not in seen:
            seen.add(c.customer_id)
            customers.append(c)

    sales = C.aggregate_sales(s for s in dataset.sales if s.customer_id in seen)
    per = resolve_period(period, (s.month for s in dataset.sales if s.customer_id in seen), lang)
    prev = previous(per)
    use_gp = dataset.has_gross_profit and settings.abc_basis == "gross_profit"
    now = C.classify(customers, sales, per, settings, use_gp)
    before = C.classify(customers, sales, prev, settings, use_gp)
    # History (SPEC §4): as_of, then the month-ends 3, 6 and 9 months earlier; the
    # second is the migration's previous period, so tier_prev is history[1].tier.
    back = [prev, previous(prev)]
    back.append(previous(back[-1]))
    history_classes = [(per, now), (prev, before)] + [
        (p, C.classify(customers, sales, p, settings, use_gp)) for p in back[1:]]

    activities = E.group_by_customer(dataset.activities)
    surveys = E.group_by_customer(dataset.surveys)
    plans = E.group_by_customer(dataset.plans)
    contacts = E.group_by_customer(dataset.contacts)
    targets = E.targets_by_month(dataset.targets, seen)
    as_of = per.as_of
    portfolio_ttm = sum((k.money.revenue_ttm for k in now.values()), Decimal(0))

    accounts = []
    targets_q: dict[str, Decimal | None] = {}
    for c in customers:
        k = now[c.customer_id]
        m = k.money
        months = sales.get(c.customer_id, {})
        acts = activities.get(c.customer_id, ())
        qoq, yoy = E.growth(m.revenue_q, m.revenue_pq), E.growth(m.revenue_q, m.revenue_yq)
        cadence = E.cadence_of(k.tier, settings)
        eng = E.engagement(acts, per)
        svc = E.service(acts, per)
        latest, prev_sat = E.satisfaction(surveys.get(c.customer_id, ()), per)
        ex = E.execution(plans.get(c.customer_id, ()), as_of)
        comps, values = E.health_components(
            growth_qoq=qoq, growth_yoy=yoy, latest_satisfaction=latest,
            days_since_touch=eng.days_since_touch, cadence=cadence, svc=svc, ex=ex)
        scored = k.tier in ("key", "ordinary")   # health is for key and ordinary customers only
        health = E.health_of(values) if scored else None
        coverage = E.health_coverage(values) if scored else None
        facts = E.RiskFacts(
            tier=k.tier, growth_qoq=qoq, growth_yoy=yoy, latest_satisfaction=latest,
            prev_satisfaction=prev_sat, days_since_touch=eng.days_since_touch, cadence=cadence,
            open_complaint_ages=svc.open_ages, long_term_agreement=c.long_term_agreement,
            contract_end=c.contract_end, overdue_actions=ex.overdue, revenue_ttm=m.revenue_ttm,
            portfolio_revenue_ttm=portfolio_ttm, relationship_stage=c.relationship_stage,
            account_manager=c.account_manager, latest_overdue=E.latest_overdue(months, as_of),
            open_actions=E.open_actions(plans.get(c.customer_id, ()), as_of),
            contacts=tuple(contacts.get(c.customer_id, ())), executive_sponsor=c.executive_sponsor)
        tier_prev = before[c.customer_id].tier
        history = [HistoryPoint(per.label, as_of, k.tier, _f(health), E.health_band(health, coverage),
                                float(m.revenue_q))]
        idx = None
        for p, classes in history_classes[1:]:
            kp = classes[c.customer_id]
            if idx is None and kp.tier in ("key", "ordinary"):
                idx = E.activity_index(acts)
            h, _, band = E.health_at(kp.tier, kp.money.revenue_q, kp.money.revenue_pq, kp.money.revenue_yq,
                                     idx, surveys.get(c.customer_id, ()), plans.get(c.customer_id, ()),
                                     p, settings)
            history.append(HistoryPoint(p.label, p.as_of, kp.tier, _f(h), band, float(kp.money.revenue_q)))
        target_q = E.target_in(targets.get(c.customer_id, {}), per.q)
        accounts.append(Account(
            customer_id=c.customer_id, name=c.name, account_manager=c.account_manager,
            executive_sponsor=c.executive_sponsor, sales_manager=c.sales_manager,
            industry=c.industry, region=c.region,
            tier=k.tier, tier_prev=tier_prev, move=C.move_of(tier_prev, k.tier),
            key_reasons=k.key_reasons, abc_class=k.abc_class,
            abc_basis_value=_f(k.abc_basis_value), abc_cum_share_before=_f(k.abc_cum_share_before),
            score=float(k.score), pillars={n: _f(v) for n, v in k.pillars.items()},
            pillar_inputs=k.pillar_inputs, attractiveness=k.attractiveness,
            relationship_stage=c.relationship_stage, relationship_type=k.relationship_type,
            relationship_type_source=k.relationship_type_source,
            tenure_years=_f(k.tenure_years), share_of_wallet=_f(k.share_of_wallet),
            headroom=_f(k.headroom), market_size=c.market_size,
            long_term_agreement=c.long_term_agreement, contract_end=c.contract_end,
            designated_key=c.designated_key,
            revenue_q=float(m.revenue_q), revenue_pq=float(m.revenue_pq), revenue_yq=float(m.revenue_yq),
            revenue_ttm=float(m.revenue_ttm), gross_profit_ttm=_f(m.gross_profit_ttm),
            revenue_by_quarter=revenue_by_quarter(months, per),
            growth_qoq=_f(qoq), growth_yoy=_f(yoy),
            days_since_touch=eng.days_since_touch, cadence=cadence, touches_q=eng.touches_q,
            minutes_q=float(eng.minutes_q), complaints_ttm=svc.complaints_ttm,
            resolved_ttm=svc.resolved_ttm, open_complaints=len(svc.open_ages),
            mean_resolution_days=_f(svc.mean_resolution_days),
            latest_satisfaction=_f(latest), prev_satisfaction=_f(prev_sat),
            health=_f(health), health_band=E.health_band(health, coverage),
            health_coverage=_f(coverage),
            health_components=comps if scored else tuple(
                h.__class__(h.name, h.weight, None, h.params) for h in comps),
            risks=E.risks(facts, as_of, settings),
            overdue_actions=ex.overdue,
            care=E.care_items(c, contacts.get(c.customer_id, ()), as_of),
            notes=c.notes,
            target_q=_f(target_q), attainment_q=_f(E.attainment(m.revenue_q, target_q)),
            history=tuple(history),
        ))
        targets_q[c.customer_id] = target_q

    accounts.sort(key=lambda a: (C.TIER_RANK[a.tier], -a.score, a.customer_id))
    portfolio = _portfolio(accounts, now, dataset, per, settings, targets_q,
                           _portfolio_quarters(accounts, sales, targets, per))
    care = tuple(sorted((i for a in accounts if a.tier == "key" for i in a.care), key=E.care_key))
    groups = ("key", "ordinary", "other")
    counts = {g: sum(1 for a in accounts if TIER_GROUP[a.tier] == g) for g in groups}
    minutes = {g: sum((Decimal(repr(a.minutes_q)) for a in accounts if TIER_GROUP[a.tier] == g), Decimal(0))
               for g in groups}
    heads = E.headlines(accounts, portfolio.movers_down, counts, minutes, per, settings)
    return Result(
        period=per, settings=settings, accounts=tuple(accounts), portfolio=portfolio,
        managers=E.manager_cards(accounts), care=care,
        extra={"problems": problems, "prev_period": prev,
               "period_source": "option" if period and period.strip() else "data",
               "abc_basis_used": "gross_profit" if use_gp else "revenue"},
        headlines=heads)


def _portfolio_quarters(accounts, sales, targets, period: Period) -> tuple[PortfolioQuarter, ...]:
    """The portfolio's 8 three-month windows ending with Q, oldest first: revenue
    and targets of all customers and of the key accounts (tier at as_of)."""
    last = last_month_index(period)
    key = {a.customer_id for a in accounts if a.tier == "key"}
    out = []
    for k in range(7, -1, -1):
        end = last - 3 * k
        window = [month_start(i) for i in range(end - 2, end + 1)]
        rev = {"all": Decimal(0), "key": Decimal(0)}
        tgt: dict[str, Decimal | None] = {"all": None, "key": None}
        for a in accounts:
            groups = ("all", "key") if a.customer_id in key else ("all",)
            r = C.window_sum(sales.get(a.customer_id, {}), window)[0]
            t = E.target_in(targets.get(a.customer_id, {}), window)
            for g in groups:
                rev[g] += r
                if t is not None:
                    tgt[g] = (tgt[g] or Decimal(0)) + t
        out.append(PortfolioQuarter(window_label(end, period.kind), float(rev["all"]), float(rev["key"]),
                                    _f(tgt["all"]), _f(tgt["key"])))
    return tuple(out)


def _portfolio(accounts, classes, dataset: Dataset, per: Period, s: Settings,
               targets_q: dict[str, Decimal | None], quarters: tuple[PortfolioQuarter, ...] = ()) -> Portfolio:
    money = [classes[a.customer_id].money for a in accounts]
    total = lambda attr: sum((getattr(m, attr) for m in money), Decimal(0))  # noqa: E731
    rq, rpq, ryq, rttm = total("revenue_q"), total("revenue_pq"), total("revenue_yq"), total("revenue_ttm")
    gps = [m.gross_profit_ttm for m in money if m.gross_profit_ttm is not None]
    n = len(accounts)
    tiers = {t: sum(1 for a in accounts if a.tier == t) for t in C.TIERS}
    groups = ("key", "ordinary", "other")
    count_by_group = {g: sum(v for t, v in tiers.items() if TIER_GROUP[t] == g) for g in groups}
    minutes = {g: Decimal(0) for g in groups}
    for a in accounts:
        minutes[TIER_GROUP[a.tier]] += Decimal(repr(a.minutes_q))
    all_minutes = sum(minutes.values(), Decimal(0))
    migrations: dict[str, dict[str, int]] = {t: {u: 0 for u in C.TIERS} for t in C.TIERS}
    for a in accounts:
        migrations[a.tier_prev][a.tier] += 1
    seen = {a.customer_id for a in accounts}
    score = E.nps((sv for sv in dataset.surveys if sv.customer_id in seen), per)
    qoq, yoy = E.growth(rq, rpq), E.growth(rq, ryq)
    up, down = E.movers({a.customer_id: classes[a.customer_id].money.revenue_q
                         - classes[a.customer_id].money.revenue_pq for a in accounts})
    target_q, attained = E.target_totals((classes[a.customer_id].money.revenue_q, targets_q[a.customer_id])
                                         for a in accounts)
    return Portfolio(
        customers=n, tiers=tiers,
        tier_share={g: (count_by_group[g] / n if n else 0.0) for g in groups},
        revenue_q=float(rq), revenue_pq=float(rpq), revenue_yq=float(ryq), revenue_ttm=float(rttm),
        gross_profit_ttm=float(sum(gps, Decimal(0))) if gps else None,
        growth_qoq=_f(qoq), growth_yoy=_f(yoy), nps=_f(score),
        minutes_q={g: float(v) for g, v in minutes.items()},
        time_share={g: (float(Fraction(v) / Fraction(all_minutes)) if all_minutes > 0 else None)
                    for g, v in minutes.items()},
        migrations=migrations,
        abc_counts={x: sum(1 for a in accounts if a.abc_class == x) for x in "ABCN"},
        target_q=_f(target_q), attainment_q=_f(attained), revenue_by_quarter=quarters,
        movers_up=up, movers_down=down, revenue_at_risk=float(E.revenue_at_risk(accounts)),
    )
