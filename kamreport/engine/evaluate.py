"""Evaluation (SPEC §4): growth, engagement, service, satisfaction, plans,
health, risks, portfolio, staff scorecards and the care calendar.

Rules are small pure functions, each over one customer's own records (the
engine groups activities, surveys, plans and contacts by customer once, so
nothing here scans the whole portfolio per customer). Comparisons against
thresholds use exact fractions (see classify.py), so "at the threshold"
means exactly at it.

Readings of the spec chosen here (also in docs/architecture.md, "Engine"):

* A plan action marked done but with completed_on after as_of was still
  open at as_of (the period is looked at as it stood then).
* Complaints open at as_of count whatever their age; complaints_ttm and
  resolved_ttm count complaints dated in TTM.
* prev_satisfaction is the latest survey day before the latest one, even
  if that day is before TTM (several surveys that day: their mean).
* REVENUE_DROP is high at twice the `revenue_drop` setting (0.40 by
  default); CONTRACT_EXPIRING is high within 30 days; LOW_SATISFACTION's
  "fell ≥ 2" is a fixed 2 points.
* Satisfaction is a score: LOW_SATISFACTION compares latest (and prev)
  rounded to one decimal, as reported (v1.1 §1), like health and the band.
* NO_ACTION_PLAN looks at the high risks above it; "an action open at
  as_of whose due is after as_of or blank" is `open_actions` (an overdue
  action is no plan in force).
* Every risk carries what its next step (SPEC §4's fixed table) names
  (`next_step_facts`). "The most influential decision maker" is the decision
  maker with the highest influence (blank lowest; ties: the first in the
  Contacts sheet); LOW_SATISFACTION prefers a champion, then a decision
  maker; the complaint to close is the oldest one open past
  `complaint_days`.
* Nothing here is worded: risks, headlines and health components carry a
  code and the facts they quote (`params`, exact Fractions where the rule
  compared them), and kamreport.texts words them where they are printed.
* History (health at as_of and 3, 6, 9 months earlier) applies the same
  rules at each date: plans all count (they carry no creation date), each
  read as it stood at that date (status_at, due ≤ that date).
* Targets: a zero target is a target (target_q 0, no attainment).
* Movers rank the change revenue_q − revenue_pq in money; the largest drop
  of the headlines is the first of movers_down.
* Headlines, most important first (HEADLINE_ORDER): key accounts lost,
  revenue at risk, key accounts with a high risk and no plan, the largest
  drop, renewals due, key accounts won, then the pyramid and time shares
  (the group furthest, and more than 10 points, from its target).
* The care window is (as_of, as_of + 90 days], like CONTRACT_EXPIRING's.
  Care items are computed for every account (its plan can show them); the
  portfolio calendar lists key accounts only.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .exact import dec, frac, round_half_up, weighted_mean
from ..model import Activity, Birthday, Contact, Customer, Plan, Survey
from .period import month_index
from .results import CareItem, Headline, HealthComponent, ManagerCard, Mover, Period, Risk
from ..inputs.schema import TOUCH_TYPES
from .settings import Settings

HEALTH_WEIGHTS = {"growth": Fraction(3, 10), "satisfaction": Fraction(1, 4),
                  "engagement": Fraction(1, 5), "service": Fraction(3, 20), "execution": Fraction(1, 10)}
_WEIGHT_20THS = {k: int(w * 20) for k, w in HEALTH_WEIGHTS.items()}   # integer sums: coverage is hot
assert all(Fraction(v, 20) == HEALTH_WEIGHTS[k] for k, v in _WEIGHT_20THS.items())
MIN_COVERAGE = Fraction(1, 2)   # health needs components worth half the weight
CARE_DAYS = 90
CONTRACT_HIGH_DAYS = 30
SATISFACTION_FALL = 2
CREDIT_HIGH_SHARE = Fraction(1, 10)
RISK_ORDER = ("REVENUE_DROP", "LOW_SATISFACTION", "CONTACT_OVERDUE", "OPEN_COMPLAINT",
              "CONTRACT_EXPIRING", "ACTION_OVERDUE", "CONCENTRATION", "RELATIONSHIP_DECLINING",
              "NO_ACCOUNT_MANAGER", "CREDIT_OVERDUE", "NO_ACTION_PLAN")


def group_by_customer(records: Iterable) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in records:
        out.setdefault(r.customer_id, []).append(r)
    return out


def q_start(period: Period) -> date:
    return period.q[0]


def ttm_start(period: Period) -> date:
    return period.ttm[0]


# --------------------------------------------------------------------------
# Growth


def growth(current: Decimal, base: Decimal) -> Fraction | None:
    """current / base − 1 when base > 0, else None."""
    if base > 0:
        return Fraction(current) / Fraction(base) - 1
    return None


# --------------------------------------------------------------------------
# Engagement


def cadence_of(tier: str, s: Settings) -> int | None:
    return {"key": s.cadence_key, "ordinary": s.cadence_ordinary,
            "prospect": s.cadence_prospect}.get(tier)


@dataclass(frozen=True)
class Engagement:
    days_since_touch: int | None
    touches_q: int
    minutes_q: Decimal


def engagement(activities: Sequence[Activity], period: Period) -> Engagement:
    as_of, start = period.as_of, q_start(period)
    latest: date | None = None
    touches = 0
    minutes = Decimal(0)
    for a in activities:
        if a.date > as_of:
            continue
        in_q = a.date >= start
        if in_q:
            minutes += Decimal(repr(float(a.minutes or 0)))
        if a.type in TOUCH_TYPES:
            if latest is None or a.date > latest:
                latest = a.date
            touches += in_q
    return Engagement(None if latest is None else (as_of - latest).days, touches, minutes)


# --------------------------------------------------------------------------
# Service


@dataclass(frozen=True)
class Service:
    complaints_ttm: int
    resolved_ttm: int
    mean_resolution_days: Fraction | None
    open_ages: tuple[int, ...]     # days since each complaint still open at as_of


def service(activities: Sequence[Activity], period: Period) -> Service:
    as_of, start = period.as_of, ttm_start(period)
    complaints = resolved = 0
    days: list[int] = []
    open_ages: list[int] = []
    for a in activities:
        if a.type != "complaint" or a.date > as_of:
            continue
        done = a.resolved_on is not None and a.resolved_on <= as_of
        if not done:
            open_ages.append((as_of - a.date).days)
        if a.date >= start:
            complaints += 1
            if done:
                resolved += 1
                days.append(max((a.resolved_on - a.date).days, 0))
    mean_days = Fraction(sum(days), len(days)) if days else None
    return Service(complaints, resolved, mean_days, tuple(sorted(open_ages, reverse=True)))


# --------------------------------------------------------------------------
# Satisfaction


def satisfaction(surveys: Sequence[Survey], period: Period) -> tuple[Fraction | None, Fraction | None]:
    """(latest, prev): the latest survey day in TTM (mean of that day) and
    the latest survey day before it (mean of that day)."""
    by_day: dict[date, list[Fraction]] = {}
    for sv in surveys:
        if sv.date <= period.as_of:
            by_day.setdefault(sv.date, []).append(frac(sv.score))
    days = sorted(by_day)
    if not days or days[-1] < ttm_start(period):
        return None, None
    mean_of = lambda d: sum(by_day[d], Fraction(0)) / len(by_day[d])  # noqa: E731
    return mean_of(days[-1]), (mean_of(days[-2]) if len(days) > 1 else None)


def nps(surveys: Iterable[Survey], period: Period) -> Fraction | None:
    """% of 9–10 minus % of 0–6 over the TTM surveys that have an nps."""
    start, as_of = ttm_start(period), period.as_of
    scores = [sv.nps for sv in surveys if sv.nps is not None and start <= sv.date <= as_of]
    if not scores:
        return None
    promoters = sum(1 for x in scores if x >= 9)
    detractors = sum(1 for x in scores if x <= 6)
    return Fraction(100 * (promoters - detractors), len(scores))


# --------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class Execution:
    overdue: int
    due: int
    on_time: int


def status_at(p: Plan, as_of: date) -> str:
    """A plan's status as it stood at as_of: done later means open then."""
    if p.status == "done" and p.completed_on is not None and p.completed_on > as_of:
        return "open"
    return p.status or "open"


def execution(plans: Sequence[Plan], as_of: date) -> Execution:
    overdue = due = on_time = 0
    for p in plans:
        status = status_at(p, as_of)
        if status == "open" and p.due is not None and p.due < as_of:
            overdue += 1
        if p.due is not None and p.due <= as_of and status != "cancelled":
            due += 1
            if status == "done" and (p.completed_on is None or p.completed_on <= p.due):
                on_time += 1
    return Execution(overdue, due, on_time)


# --------------------------------------------------------------------------
# Health


def _clamp(x: Fraction) -> Fraction:
    return min(max(x, Fraction(0)), Fraction(100))


def engagement_component(days: int | None, cadence: int | None) -> Fraction | None:
    if cadence is None:
        return None
    if days is None or days >= 3 * cadence:
        return Fraction(0)
    if days <= cadence:
        return Fraction(100)
    return Fraction(100 * (3 * cadence - days), 2 * cadence)


def component_values(g: Fraction | None, latest_satisfaction: Fraction | None, days_since_touch: int | None,
                     cadence: int | None, svc: Service, ex: Execution) -> dict[str, Fraction | None]:
    """The five component values (0–100, None when missing); g = growth_yoy, else growth_qoq."""
    return {
        "growth": None if g is None else _clamp((g + Fraction(3, 10)) / Fraction(3, 5) * 100),
        "satisfaction": None if latest_satisfaction is None else latest_satisfaction * 10,
        "engagement": engagement_component(days_since_touch, cadence),
        "service": (Fraction(100) if svc.complaints_ttm == 0
                    else Fraction(100 * svc.resolved_ttm, svc.complaints_ttm)),
        "execution": None if ex.due == 0 else Fraction(100 * ex.on_time, ex.due),
    }


def health_components(*, growth_qoq: Fraction | None, growth_yoy: Fraction | None,
                      latest_satisfaction: Fraction | None, days_since_touch: int | None,
                      cadence: int | None, svc: Service, ex: Execution
                      ) -> tuple[tuple[HealthComponent, ...], dict[str, Fraction | None]]:
    """The five components (0–100, None when missing) with the inputs each
    was computed from (worded by texts.sentences.health_basis)."""
    g, basis = (growth_yoy, "yoy") if growth_yoy is not None else (growth_qoq, "qoq")
    values = component_values(g, latest_satisfaction, days_since_touch, cadence, svc, ex)
    params = {
        "growth": {"basis": basis, "growth": g},
        "satisfaction": {"latest": latest_satisfaction},
        "engagement": {"days": days_since_touch, "cadence": cadence},
        "service": {"complaints": svc.complaints_ttm, "resolved": svc.resolved_ttm},
        "execution": {"due": ex.due, "on_time": ex.on_time},
    }
    comps = tuple(HealthComponent(name, float(HEALTH_WEIGHTS[name]),
                                  None if values[name] is None else float(values[name]), params[name])
                  for name in HEALTH_WEIGHTS)
    return comps, values


def health_coverage(values: Mapping[str, Fraction | None]) -> Fraction:
    """The sum of the weights of the present components (SPEC §4 Evidence)."""
    return Fraction(sum(_WEIGHT_20THS[k] for k in _WEIGHT_20THS if values[k] is not None), 20)


def health_of(values: Mapping[str, Fraction | None]) -> Decimal | None:
    """Weighted mean of the present components, half-up to one decimal;
    None when their weights sum to less than MIN_COVERAGE (not enough
    evidence: never shown as healthy)."""
    if health_coverage(values) < MIN_COVERAGE:
        return None
    m = weighted_mean([(HEALTH_WEIGHTS[k], values[k]) for k in HEALTH_WEIGHTS])
    return None if m is None else round_half_up(m, 1)


def health_band(health: Decimal | None, coverage: Fraction | None = None) -> str | None:
    """green ≥ 70, amber ≥ 40, red below (on the rounded health); `insufficient`
    for a scored customer (coverage given) whose evidence is below 0.5;
    None for customers without health (prospect, unattractive)."""
    if health is None:
        return "insufficient" if coverage is not None and coverage < MIN_COVERAGE else None
    return "green" if health >= 70 else "amber" if health >= 40 else "red"


@dataclass(frozen=True)
class ActivityIndex:
    """One customer's activities as the history needs them: touch dates
    sorted (the latest touch up to any date is a bisection) and the
    complaints (few), so four period ends cost one pass over the rows."""
    touches: tuple[date, ...]
    complaints: tuple[Activity, ...]


def activity_index(activities: Sequence[Activity]) -> ActivityIndex:
    touches = [a.date for a in activities if a.type in TOUCH_TYPES]
    touches.sort()
    return ActivityIndex(tuple(touches), tuple([a for a in activities if a.type == "complaint"]))


def days_since_touch_at(idx: ActivityIndex, as_of: date) -> int | None:
    i = bisect.bisect_right(idx.touches, as_of)
    return None if i == 0 else (as_of - idx.touches[i - 1]).days


def health_at(tier: str, revenue_q: Decimal, revenue_pq: Decimal, revenue_yq: Decimal,
              idx: ActivityIndex, surveys: Sequence[Survey], plans: Sequence[Plan],
              period: Period, s: Settings) -> tuple[Decimal | None, Fraction | None, str | None]:
    """(health, coverage, band) of one customer for `period`, by the rules
    above on its records dated up to period.as_of (SPEC §4 History); all
    None for a customer without health (prospect, unattractive)."""
    if tier not in ("key", "ordinary"):
        return None, None, None
    yoy = growth(revenue_q, revenue_yq)
    values = component_values(yoy if yoy is not None else growth(revenue_q, revenue_pq),
                              satisfaction(surveys, period)[0], days_since_touch_at(idx, period.as_of),
                              cadence_of(tier, s), service(idx.complaints, period),
                              execution(plans, period.as_of))
    health, coverage = health_of(values), health_coverage(values)
    return health, coverage, health_band(health, coverage)


# --------------------------------------------------------------------------
# Risks


@dataclass(frozen=True)
class RiskFacts:
    """What the risk rules look at, for one customer at as_of."""
    tier: str
    growth_qoq: Fraction | None
    growth_yoy: Fraction | None
    latest_satisfaction: Fraction | None
    prev_satisfaction: Fraction | None
    days_since_touch: int | None
    cadence: int | None
    open_complaint_ages: tuple[int, ...]
    long_term_agreement: bool
    contract_end: date | None
    overdue_actions: int
    revenue_ttm: Decimal
    portfolio_revenue_ttm: Decimal
    relationship_stage: str | None
    account_manager: str | None
    latest_overdue: Decimal | None          # overdue_amount of the latest Sales month ≤ as_of
    # v1.1: NO_ACTION_PLAN and the next step of each risk
    open_actions: int = 0                   # actions open at as_of, due after as_of or blank
    contacts: tuple[Contact, ...] = ()      # the customer's people, as in the Contacts sheet
    executive_sponsor: str | None = None


def open_actions(plans: Sequence[Plan], as_of: date) -> int:
    """Actions open at as_of (status as it stood then) whose due is after
    as_of or blank: a plan in force (SPEC §4 NO_ACTION_PLAN)."""
    return sum(1 for p in plans
               if status_at(p, as_of) == "open" and (p.due is None or p.due > as_of))


def most_influential(contacts: Sequence[Contact], roles: Sequence[str]) -> Contact | None:
    """The contact of the first role in `roles` that has any, the most
    influential of them (blank influence counts lowest; ties: the first in
    the Contacts sheet)."""
    for role in roles:
        best = None
        for p in contacts:
            if p.role == role and (best is None or (p.influence or 0) > (best.influence or 0)):
                best = p
        if best is not None:
            return best
    return None


def risks(f: RiskFacts, as_of: date, s: Settings) -> tuple[Risk, ...]:
    """All risk codes that apply, in the spec's order, each with the facts its
    message and its next step quote (texts.sentences words them)."""
    out: list[Risk] = []

    def add(code: str, sev: str, **params) -> None:
        out.append(Risk(code, sev, params | next_step_facts(code, f, as_of, s)))

    present = [g for g in (f.growth_qoq, f.growth_yoy) if g is not None]
    if present:
        low = min(present)
        drop = frac(s.revenue_drop)
        if low <= -drop:
            sev = "high" if low <= -2 * drop else "medium"
            add("REVENUE_DROP", sev, growth_qoq=f.growth_qoq, growth_yoy=f.growth_yoy, drop=drop)

    floor = frac(s.satisfaction_floor)
    if f.latest_satisfaction is not None:
        # Satisfaction is a score: compared as reported, rounded to one decimal (SPEC §1),
        # so a mean of 5.95 that prints 6.0 is not "below 6".
        latest = frac(round_half_up(f.latest_satisfaction, 1))
        below = latest < floor
        fell = (f.prev_satisfaction is not None
                and frac(round_half_up(f.prev_satisfaction, 1)) - latest >= SATISFACTION_FALL)
        if below or fell:
            add("LOW_SATISFACTION", "high" if below else "medium",
                latest=f.latest_satisfaction, prev=f.prev_satisfaction, floor=floor)

    if f.cadence is not None and (f.days_since_touch is None or f.days_since_touch > f.cadence):
        high = f.days_since_touch is None or f.days_since_touch > 2 * f.cadence
        add("CONTACT_OVERDUE", "high" if high else "medium", days=f.days_since_touch, cadence=f.cadence)

    old = sorted((d for d in f.open_complaint_ages if d > s.complaint_days), reverse=True)
    if old:
        add("OPEN_COMPLAINT", "high", n=len(old), limit=s.complaint_days, oldest=old[0])

    if f.long_term_agreement and f.contract_end is not None:
        left = (f.contract_end - as_of).days
        if 0 < left <= s.contract_days:
            add("CONTRACT_EXPIRING", "high" if left <= CONTRACT_HIGH_DAYS else "medium",
                end=f.contract_end, days=left)

    if f.overdue_actions > 0:
        add("ACTION_OVERDUE", "medium", n=f.overdue_actions)

    if f.portfolio_revenue_ttm > 0:
        share = Fraction(f.revenue_ttm) / Fraction(f.portfolio_revenue_ttm)
        if share > frac(s.concentration):
            add("CONCENTRATION", "medium", share=share, limit=s.concentration)

    if f.relationship_stage in ("declining", "defensive"):
        add("RELATIONSHIP_DECLINING", "high" if f.relationship_stage == "declining" else "medium",
            stage=f.relationship_stage)

    if f.tier == "key" and not f.account_manager:
        add("NO_ACCOUNT_MANAGER", "high")

    if f.latest_overdue is not None and f.latest_overdue > 0:
        high = (f.revenue_ttm <= 0
                or Fraction(f.latest_overdue) > CREDIT_HIGH_SHARE * Fraction(f.revenue_ttm))
        add("CREDIT_OVERDUE", "high" if high else "medium", owed=f.latest_overdue, revenue_ttm=f.revenue_ttm)

    if f.tier == "key" and f.open_actions == 0 and any(r.severity == "high" for r in out):
        add("NO_ACTION_PLAN", "medium", n=sum(1 for r in out if r.severity == "high"))
    return tuple(out)


def next_step_facts(code: str, f: RiskFacts, as_of: date, s: Settings) -> dict:
    """What the next step of one risk names (SPEC §4 "Next step per risk"):
    the person to see, the complaint to close, the date or the amount."""
    if code in ("CONTACT_OVERDUE", "REVENUE_DROP"):
        dm = most_influential(f.contacts, ("decision_maker",))
        return {"who": None if dm is None else dm.name, "manager": f.account_manager or None}
    if code == "LOW_SATISFACTION":
        p = most_influential(f.contacts, ("champion", "decision_maker"))
        return {"who": None, "role": None} if p is None else {"who": p.name, "role": p.role}
    if code == "OPEN_COMPLAINT":
        old = sorted((d for d in f.open_complaint_ages if d > s.complaint_days), reverse=True)
        return {"first": as_of - timedelta(days=old[0]), "others": len(old) - 1}
    if code == "RELATIONSHIP_DECLINING":
        return {"sponsor": f.executive_sponsor or None}
    return {}


# --------------------------------------------------------------------------
# Targets


def targets_by_month(targets: Iterable, customers: set[str]) -> dict[str, dict[int, Decimal]]:
    """customer_id -> month index -> the sum of every target value for that
    customer and month (SPEC §4 Targets: Sales target columns and Targets
    sheet alike add up). Customers not in `customers` are left out."""
    out: dict[str, dict[int, Decimal]] = {}
    for t in targets:
        if t.customer_id not in customers:
            continue
        months = out.setdefault(t.customer_id, {})
        i = month_index(t.month)
        months[i] = months.get(i, Decimal(0)) + dec(t.target)
    return out


def target_in(months: Mapping[int, Decimal], window: Iterable[date]) -> Decimal | None:
    """The sum of the target values in the window's months; None when none."""
    found = [months[i] for i in (month_index(d) for d in window) if i in months]
    return sum(found, Decimal(0)) if found else None


def attainment(revenue: Decimal, target: Decimal | None) -> Fraction | None:
    """revenue / target when target > 0, else None."""
    if target is None or target <= 0:
        return None
    return Fraction(revenue) / Fraction(target)


def target_totals(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> tuple[Decimal | None, Fraction | None]:
    """(target, attainment) over the customers that have a target: the sum of
    their targets, and their revenue over it (SPEC §4: portfolio, manager)."""
    rev, tgt, any_ = Decimal(0), Decimal(0), False
    for r, t in pairs:
        if t is not None:
            rev, tgt, any_ = rev + r, tgt + t, True
    if not any_:
        return None, None
    return tgt, attainment(rev, tgt)


# --------------------------------------------------------------------------
# Movers, revenue at risk, headlines (SPEC §4)

MOVERS = 5
HEADLINES = 5
PYRAMID_TARGET = {"key": Fraction(1, 10), "ordinary": Fraction(3, 10), "other": Fraction(3, 5)}
TIME_TARGET = {"key": Fraction(3, 5), "ordinary": Fraction(3, 10), "other": Fraction(1, 10)}
OFF_TARGET = Fraction(1, 10)          # "more than 10 points from its target"
# Most important first: what was lost, what is exposed, what needs a decision,
# the worst fall, what must be renewed, what was won, then the portfolio's shape.
HEADLINE_ORDER = ("KEY_ACCOUNTS_LOST", "REVENUE_AT_RISK", "NO_ACTION_PLAN", "LARGEST_DROP",
                  "RENEWALS_DUE", "KEY_ACCOUNTS_WON", "PYRAMID_OFF_TARGET", "TIME_OFF_TARGET")


def movers(changes: Mapping[str, Decimal]) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
    """(up, down): the ≤ 5 customers with the largest increase / decrease of
    revenue_q − revenue_pq, only changes > 0 / < 0, ties by customer_id."""
    up = sorted(((v, cid) for cid, v in changes.items() if v > 0), key=lambda t: (-t[0], t[1]))
    down = sorted(((v, cid) for cid, v in changes.items() if v < 0), key=lambda t: (t[0], t[1]))
    return (tuple(Mover(cid, float(v)) for v, cid in up[:MOVERS]),
            tuple(Mover(cid, float(v)) for v, cid in down[:MOVERS]))


def has_high_risk(a) -> bool:
    return any(r.severity == "high" for r in a.risks)


def revenue_at_risk(accounts: Iterable) -> Decimal:
    """The revenue_ttm of the key accounts with a high risk."""
    return sum((dec(a.revenue_ttm) for a in accounts if a.tier == "key" and has_high_risk(a)), Decimal(0))


def _off_target(shares: Mapping[str, Fraction | None], target: Mapping[str, Fraction]):
    """The group whose share is furthest (more than 10 points) from its target, or None."""
    best = None
    for g in ("key", "ordinary", "other"):
        if shares.get(g) is None:
            continue
        off = shares[g] - target[g]
        if abs(off) > OFF_TARGET and (best is None or abs(off) > abs(best[1])):
            best = (g, off)
    return best


def headlines(accounts: Sequence, down: Sequence[Mover], counts: Mapping[str, int],
              minutes: Mapping[str, Decimal], period: Period, s: Settings,
              limit: int = HEADLINES) -> tuple[Headline, ...]:
    """The ≤ 5 computed headlines, most important first (HEADLINE_ORDER):
    each with its code, figure, the customers it names and what its
    sentence quotes (texts.sentences.headline words it)."""
    by_value = lambda accs: sorted(accs, key=lambda a: (-dec(a.revenue_ttm), a.customer_id))  # noqa: E731
    found: dict[str, Headline] = {}

    def add(code, figure, unit, accs, **params):
        found[code] = Headline(code, float(figure), unit, tuple(a.customer_id for a in accs), params,
                               params.get("group"))

    def named(accs):
        return tuple(a.name for a in accs)

    lost = by_value([a for a in accounts if a.tier_prev == "key" and a.tier != "key"])
    if lost:
        add("KEY_ACCOUNTS_LOST", len(lost), "count", lost, names=named(lost))
    risky = by_value([a for a in accounts if a.tier == "key" and has_high_risk(a)])
    if risky:
        at_risk = revenue_at_risk(risky)
        add("REVENUE_AT_RISK", at_risk, "money", risky, n=len(risky), amount=float(at_risk))
    unplanned = by_value([a for a in accounts if any(r.code == "NO_ACTION_PLAN" for r in a.risks)])
    if unplanned:
        add("NO_ACTION_PLAN", len(unplanned), "count", unplanned, names=named(unplanned))
    if down:
        worst = next(a for a in accounts if a.customer_id == down[0].customer_id)
        add("LARGEST_DROP", down[0].change, "money", [worst], name=worst.name, amount=-down[0].change,
            period_kind=period.kind)
    renewals = sorted((a for a in accounts if any(r.code == "CONTRACT_EXPIRING" for r in a.risks)),
                      key=lambda a: (a.contract_end, a.customer_id))
    if renewals:
        add("RENEWALS_DUE", len(renewals), "count", renewals,
            renewals=tuple((a.name, a.contract_end) for a in renewals), days=s.contract_days)
    won = by_value([a for a in accounts if a.tier == "key" and a.tier_prev != "key"])
    if won:
        add("KEY_ACCOUNTS_WON", len(won), "count", won, names=named(won))
    n = sum(counts.values())
    pyramid = _off_target({g: Fraction(v, n) for g, v in counts.items()} if n else {}, PYRAMID_TARGET)
    if pyramid:
        g, off = pyramid
        add("PYRAMID_OFF_TARGET", off, "ratio", [], group=g,
            share=float(PYRAMID_TARGET[g] + off), target=float(PYRAMID_TARGET[g]))
    total = sum(minutes.values(), Decimal(0))
    time = _off_target({g: Fraction(v) / Fraction(total) for g, v in minutes.items()} if total > 0 else {},
                       TIME_TARGET)
    if time:
        g, off = time
        add("TIME_OFF_TARGET", off, "ratio", [], group=g,
            share=float(TIME_TARGET[g] + off), target=float(TIME_TARGET[g]))
    return tuple(found[c] for c in HEADLINE_ORDER if c in found)[:limit]


# --------------------------------------------------------------------------
# Care calendar


def next_birthday(b: Birthday, as_of: date) -> date:
    """The first birthday strictly after as_of; 29 Feb is 28 Feb in other years."""
    def on(year: int) -> date:
        if b.month == 2 and b.day == 29:
            try:
                return date(year, 2, 29)
            except ValueError:
                return date(year, 2, 28)
        return date(year, b.month, b.day)
    d = on(as_of.year)
    return d if d > as_of else on(as_of.year + 1)


def care_items(c: Customer, contacts: Sequence[Contact], as_of: date) -> tuple[CareItem, ...]:
    """Birthdays and the contract end in (as_of, as_of + 90 days], by date."""
    end = as_of + timedelta(days=CARE_DAYS)
    items = []
    for p in contacts:
        if p.birthday is None:
            continue
        try:
            d = next_birthday(p.birthday, as_of)
        except ValueError:          # an impossible day such as 31 Apr: nothing to remind
            continue
        if d <= end:
            items.append(CareItem(c.customer_id, c.name, "birthday", d, p.name, (d - as_of).days))
    if c.contract_end is not None and as_of < c.contract_end <= end:
        items.append(CareItem(c.customer_id, c.name, "contract_end", c.contract_end, None,
                              (c.contract_end - as_of).days))
    return tuple(sorted(items, key=care_key))


def care_key(i: CareItem):
    return (i.date, i.customer_id, i.kind, i.who or "")


# --------------------------------------------------------------------------
# Staff scorecards


def manager_cards(accounts: Iterable) -> tuple[ManagerCard, ...]:
    """Per account_manager over their key and ordinary accounts (results.Account)."""
    groups: dict[str, list] = {}
    for a in accounts:
        if a.account_manager and a.tier in ("key", "ordinary"):
            groups.setdefault(a.account_manager, []).append(a)
    cards = []
    for name in sorted(groups):
        accs = groups[name]
        rq = sum((Decimal(repr(a.revenue_q)) for a in accs), Decimal(0))
        rpq = sum((Decimal(repr(a.revenue_pq)) for a in accs), Decimal(0))
        g = growth(rq, rpq)
        sats = [frac(a.latest_satisfaction) for a in accs if a.latest_satisfaction is not None]
        compliant = sum(1 for a in accs if not any(r.code == "CONTACT_OVERDUE" for r in a.risks))
        target_q, attained = target_totals(
            (Decimal(repr(a.revenue_q)), None if a.target_q is None else Decimal(repr(a.target_q)))
            for a in accs)
        cards.append(ManagerCard(
            account_manager=name,
            key=sum(1 for a in accs if a.tier == "key"),
            ordinary=sum(1 for a in accs if a.tier == "ordinary"),
            revenue_q=float(rq),
            growth_qoq=None if g is None else float(g),
            satisfaction=float(sum(sats, Fraction(0)) / len(sats)) if sats else None,
            cadence_compliance=compliant / len(accs),
            overdue_actions=sum(a.overdue_actions for a in accs),
            high_risks=sum(1 for a in accs for r in a.risks if r.severity == "high"),
            target_q=None if target_q is None else float(target_q),
            attainment_q=None if attained is None else float(attained),
        ))
    return tuple(cards)


def latest_overdue(months: Mapping[int, object], as_of: date) -> Decimal | None:
    """overdue_amount of the customer's latest Sales month up to as_of."""
    limit = month_index(as_of)
    upto = [i for i in months if i <= limit]
    if not upto:
        return None
    return months[max(upto)].overdue
