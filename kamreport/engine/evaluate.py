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
* Every risk carries `action`, the next step of SPEC §4's fixed table
  (ACTIONS). "The most influential decision maker" is the decision maker
  with the highest influence (blank lowest; ties: the first in the Contacts
  sheet); LOW_SATISFACTION prefers a champion, then a decision maker; the
  complaint to close is the oldest one open past `complaint_days`. Money
  and dates read as in the reports (fmt.money_short, fmt date).
* History (health at as_of and 3, 6, 9 months earlier) applies the same
  rules at each date: plans all count (they carry no creation date), each
  read as it stood at that date (status_at, due ≤ that date).
* Targets: a zero target is a target (target_q 0, no attainment).
* Movers rank the change revenue_q − revenue_pq in money; the largest drop
  of the headlines is the first of movers_down.
* Headlines, most important first (HEADLINE_ORDER): key accounts lost,
  revenue at risk, key accounts with a high risk and no plan, the largest
  drop, renewals due, key accounts won, then the pyramid and time shares
  (the group furthest, and more than 10 points, from its target). Each has
  a sentence in the report language besides its code, figure and customers.
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

from .. import fmt
from .classify import dec, frac, round_half_up, weighted_mean
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


def _pct(x: Fraction | float | None) -> str:
    if x is None:
        return "—"
    return f"{round_half_up(frac(x) * 100, 1)}%"


def _n1(x: Fraction | float | None) -> str:
    return "—" if x is None else str(round_half_up(frac(x), 1))


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
                      cadence: int | None, svc: Service, ex: Execution, lang: str
                      ) -> tuple[tuple[HealthComponent, ...], dict[str, Fraction | None]]:
    """The five components (0–100, None when missing) with a readable basis."""
    zh = lang == "zh"
    if growth_yoy is not None:
        g, gname = growth_yoy, ("同比增长" if zh else "growth YoY")
    else:
        g, gname = growth_qoq, ("环比增长" if zh else "growth QoQ")
    values = component_values(g, latest_satisfaction, days_since_touch, cadence, svc, ex)
    no = "无" if zh else "none"
    basis = {
        "growth": f"{gname} {_pct(g)}" if g is not None else (f"增长：{no}" if zh else "growth: none"),
        "satisfaction": (f"最近满意度 {_n1(latest_satisfaction)}" if zh else f"latest satisfaction {_n1(latest_satisfaction)}")
        if latest_satisfaction is not None else (f"满意度调查：{no}" if zh else "survey: none"),
        "engagement": (((f"距上次接触 {days_since_touch} 天" if zh else
                         f"{_plural(days_since_touch, 'day', 'days')} since the last touch")
                        if days_since_touch is not None else ("无接触记录" if zh else "no touch"))
                       + ((f"，联系周期 {cadence} 天" if zh else f", cadence {_plural(cadence, 'day', 'days')}")
                          if cadence is not None else ("，无联系周期" if zh else ", no cadence"))),
        "service": (f"近12个月投诉 {svc.complaints_ttm} 项，已解决 {svc.resolved_ttm} 项" if zh else
                    f"{svc.resolved_ttm} of {_plural(svc.complaints_ttm, 'complaint', 'complaints')} "
                    f"resolved (TTM)"),
        "execution": (f"到期行动 {ex.due} 项，按时完成 {ex.on_time} 项" if zh else
                      f"{ex.on_time} of {_plural(ex.due, 'due action', 'due actions')} on time"),
    }
    comps = tuple(HealthComponent(name, float(HEALTH_WEIGHTS[name]),
                                  None if values[name] is None else float(values[name]), basis[name])
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


ROLE_WORDS = {"decision_maker": ("决策者", "decision maker"), "champion": ("支持者", "champion")}

# The next step per risk (SPEC §4 "Next step per risk"): code -> (zh, en).
# `{who}` names the person where one fits; each entry has a wording for when
# nobody is known (`…_none`). Money and dates go through fmt, as in the reports.
ACTIONS: dict[str, tuple[str, str]] = {
    "CONTACT_OVERDUE": ("拜访最具影响力的决策者{who}", "Visit {who}, the most influential decision maker"),
    "CONTACT_OVERDUE_none": ("找到客户的关键决策者并上门拜访", "Find the customer's key decision maker and visit"),
    "LOW_SATISFACTION": ("与{who}（{role}）开展服务回顾", "Hold a service review with {who} ({role})"),
    "LOW_SATISFACTION_none": ("与客户的支持者或决策者开展服务回顾",
                              "Hold a service review with the customer's champion or decision maker"),
    "OPEN_COMPLAINT": ("结清{date}的投诉{more}", "Close the complaint of {date}{more}"),
    "CONTRACT_EXPIRING": ("在{date}前启动续约谈判", "Start renewal talks before {date}"),
    "REVENUE_DROP": ("由{manager}与决策者{who}一起复盘该客户",
                     "Review the account with {manager} and {who}, the decision maker"),
    "REVENUE_DROP_none": ("由{manager}与客户决策者一起复盘该客户",
                          "Review the account with {manager} and the customer's decision maker"),
    "CREDIT_OVERDUE": ("与客户商定{amount}逾期款的还款计划", "Agree a payment plan for the {amount} overdue"),
    "ACTION_OVERDUE": ("重新安排或关闭{n}项逾期行动", "Reschedule or close the {actions}"),
    "RELATIONSHIP_DECLINING": ("安排我方高层支持者{who}与客户高层会面",
                               "Arrange a meeting of our executive sponsor {who} with the customer's leadership"),
    "RELATIONSHIP_DECLINING_none": ("安排我方高层支持者与客户高层会面",
                                    "Arrange an executive-sponsor meeting with the customer's leadership"),
    "NO_ACCOUNT_MANAGER": ("指定一名客户经理", "Assign an account manager"),
    "CONCENTRATION": ("拓展其他客户，降低对该客户的依赖", "Widen the portfolio to depend less on this account"),
    "NO_ACTION_PLAN": ("为高风险制定行动计划（负责人、截止日期）",
                       "Write an action plan for the high risks (owner and due date)"),
}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one}" if n == 1 else f"{n:,} {many}"


def next_step(code: str, f: RiskFacts, as_of: date, s: Settings, lang: str) -> str:
    """The recommended next step for one risk, in the report language."""
    zh = lang == "zh"
    i = 0 if zh else 1

    def say(key: str, **kw) -> str:
        return ACTIONS[key][i].format(**kw)

    if code in ("CONTACT_OVERDUE", "REVENUE_DROP"):
        dm = most_influential(f.contacts, ("decision_maker",))
        manager = f.account_manager or ("客户经理" if zh else "the account manager")
        if dm is None:
            return say(code + "_none", manager=manager)
        return say(code, who=dm.name, manager=manager)
    if code == "LOW_SATISFACTION":
        p = most_influential(f.contacts, ("champion", "decision_maker"))
        if p is None:
            return say(code + "_none")
        return say(code, who=p.name, role=ROLE_WORDS[p.role][i])
    if code == "OPEN_COMPLAINT":
        old = sorted((d for d in f.open_complaint_ages if d > s.complaint_days), reverse=True)
        first = fmt.make_date(lang)(as_of - timedelta(days=old[0]))
        more = ""
        if len(old) > 1:
            more = f"及其余 {len(old) - 1} 项未结投诉" if zh else                 f" and the {_plural(len(old) - 1, 'other open one', 'other open ones')}"
        return say(code, date=first, more=more)
    if code == "CONTRACT_EXPIRING":
        return say(code, date=fmt.make_date(lang)(f.contract_end))
    if code == "CREDIT_OVERDUE":
        return say(code, amount=fmt.make_money_short(s.currency, lang)(float(f.latest_overdue)))
    if code == "ACTION_OVERDUE":
        n = f.overdue_actions
        return say(code, n=n, actions="overdue action" if n == 1 else f"{n:,} overdue actions")
    if code == "RELATIONSHIP_DECLINING":
        return say(code, who=f.executive_sponsor) if f.executive_sponsor else say(code + "_none")
    return say(code)


def _money(x: Decimal | Fraction, s: Settings, lang: str) -> str:
    return fmt.make_money_short(s.currency, lang)(float(x))


def risks(f: RiskFacts, as_of: date, s: Settings, lang: str) -> tuple[Risk, ...]:
    """All risk codes that apply, in the spec's order, with a message quoting
    the numbers in the report language."""
    zh = lang == "zh"
    out: list[Risk] = []

    def add(code: str, sev: str, en: str, cn: str) -> None:
        out.append(Risk(code, sev, cn if zh else en, next_step(code, f, as_of, s, lang)))

    present = [g for g in (f.growth_qoq, f.growth_yoy) if g is not None]
    if present:
        low = min(present)
        drop = frac(s.revenue_drop)
        if low <= -drop:
            sev = "high" if low <= -2 * drop else "medium"
            add("REVENUE_DROP", sev,
                f"Revenue fell: growth QoQ {_pct(f.growth_qoq)}, YoY {_pct(f.growth_yoy)} "
                f"(alert at -{_pct(drop)})",
                f"销售额下降：环比 {_pct(f.growth_qoq)}，同比 {_pct(f.growth_yoy)}（预警线 -{_pct(drop)}）")

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
                f"Satisfaction {_n1(f.latest_satisfaction)} (previous {_n1(f.prev_satisfaction)}, floor {_n1(floor)})",
                f"满意度 {_n1(f.latest_satisfaction)}（上次 {_n1(f.prev_satisfaction)}，底线 {_n1(floor)}）")

    if f.cadence is not None and (f.days_since_touch is None or f.days_since_touch > f.cadence):
        high = f.days_since_touch is None or f.days_since_touch > 2 * f.cadence
        if f.days_since_touch is None:
            en, cn = f"No contact on record (cadence {f.cadence} days)", f"没有任何接触记录（联系周期 {f.cadence} 天）"
        else:
            en = f"Last contact {f.days_since_touch} days ago (cadence {f.cadence} days)"
            cn = f"距上次接触已 {f.days_since_touch} 天（联系周期 {f.cadence} 天）"
        add("CONTACT_OVERDUE", "high" if high else "medium", en, cn)

    old = [d for d in f.open_complaint_ages if d > s.complaint_days]
    if old:
        add("OPEN_COMPLAINT", "high",
            f"{_plural(len(old), 'complaint', 'complaints')} open for more than {s.complaint_days} days "
            f"(oldest {_plural(max(old), 'day', 'days')})",
            f"{len(old)} 个投诉超过 {s.complaint_days} 天未解决（最久 {max(old)} 天）")

    if f.long_term_agreement and f.contract_end is not None:
        left = (f.contract_end - as_of).days
        if 0 < left <= s.contract_days:
            end = fmt.make_date(lang)(f.contract_end)
            add("CONTRACT_EXPIRING", "high" if left <= CONTRACT_HIGH_DAYS else "medium",
                f"Agreement ends on {end}, in {_plural(left, 'day', 'days')}",
                f"长期协议将于{end}到期，还有 {left} 天")

    if f.overdue_actions > 0:
        add("ACTION_OVERDUE", "medium", f"{_plural(f.overdue_actions, 'action', 'actions')} overdue",
            f"{f.overdue_actions} 项行动已逾期")

    if f.portfolio_revenue_ttm > 0:
        share = Fraction(f.revenue_ttm) / Fraction(f.portfolio_revenue_ttm)
        if share > frac(s.concentration):
            add("CONCENTRATION", "medium",
                f"{_pct(share)} of portfolio revenue (TTM), above {_pct(s.concentration)}",
                f"占组合近12个月销售额的 {_pct(share)}，超过 {_pct(s.concentration)}")

    if f.relationship_stage in ("declining", "defensive"):
        cn_stage = {"declining": "倒退", "defensive": "防守"}[f.relationship_stage]
        add("RELATIONSHIP_DECLINING", "high" if f.relationship_stage == "declining" else "medium",
            f"Relationship stage is {f.relationship_stage}", f"关系状态为“{cn_stage}”")

    if f.tier == "key" and not f.account_manager:
        add("NO_ACCOUNT_MANAGER", "high", "Key account without an account manager", "重点客户未指定客户经理")

    if f.latest_overdue is not None and f.latest_overdue > 0:
        high = (f.revenue_ttm <= 0
                or Fraction(f.latest_overdue) > CREDIT_HIGH_SHARE * Fraction(f.revenue_ttm))
        owed, ttm = _money(f.latest_overdue, s, lang), _money(f.revenue_ttm, s, lang)
        add("CREDIT_OVERDUE", "high" if high else "medium",
            f"Overdue receivables {owed} (revenue TTM {ttm})",
            f"逾期应收款 {owed}（近12个月销售额 {ttm}）")

    if f.tier == "key" and f.open_actions == 0 and any(r.severity == "high" for r in out):
        n = sum(1 for r in out if r.severity == "high")
        add("NO_ACTION_PLAN", "medium",
            f"{_plural(n, 'high risk', 'high risks')} and no open action in the plan",
            f"有 {n} 项高风险，但行动计划中没有进行中的行动")
    return tuple(out)


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


GROUP_WORDS = {"key": ("重点客户", "key accounts"), "ordinary": ("普通客户", "ordinary customers"),
               "other": ("潜在客户和无吸引力客户", "prospects and unattractive customers")}


def _names(accs: Sequence, zh: bool, limit: int = 3) -> str:
    shown = [a.name for a in accs[:limit]]
    rest = len(accs) - len(shown)
    if zh:
        return "、".join(shown) + ("等" if rest else "")      # the count is said before the names
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


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
              minutes: Mapping[str, Decimal], period: Period, s: Settings, lang: str,
              limit: int = HEADLINES) -> tuple[Headline, ...]:
    """The ≤ 5 computed headlines, most important first (HEADLINE_ORDER):
    each with its code, figure and the customers it names."""
    zh = lang == "zh"
    money = fmt.make_money_short(s.currency, lang)
    day = fmt.make_date(lang)
    by_value = lambda accs: sorted(accs, key=lambda a: (-dec(a.revenue_ttm), a.customer_id))  # noqa: E731
    found: dict[str, Headline] = {}

    def add(code, figure, unit, accs, cn, en, group=None):
        found[code] = Headline(code, float(figure), unit, tuple(a.customer_id for a in accs),
                               cn if zh else en, group)

    def plural(n, one, many):
        return f"{n} {one}" if n == 1 else f"{n:,} {many}"

    lost = by_value([a for a in accounts if a.tier_prev == "key" and a.tier != "key"])
    if lost:
        add("KEY_ACCOUNTS_LOST", len(lost), "count", lost,
            f"流失 {len(lost)} 家重点客户：{_names(lost, True)}",
            f"{plural(len(lost), 'key account', 'key accounts')} lost: {_names(lost, False)}")
    risky = by_value([a for a in accounts if a.tier == "key" and has_high_risk(a)])
    if risky:
        at_risk = revenue_at_risk(risky)
        add("REVENUE_AT_RISK", at_risk, "money", risky,
            f"{len(risky)} 家重点客户有高风险，涉及近12个月销售额 {money(float(at_risk))}",
            f"{money(float(at_risk))} of revenue (TTM) at risk on "
            f"{plural(len(risky), 'key account', 'key accounts')} with a high risk")
    unplanned = by_value([a for a in accounts if any(r.code == "NO_ACTION_PLAN" for r in a.risks)])
    if unplanned:
        add("NO_ACTION_PLAN", len(unplanned), "count", unplanned,
            f"{len(unplanned)} 家有高风险的重点客户没有行动计划：{_names(unplanned, True)}",
            f"{plural(len(unplanned), 'key account', 'key accounts')} with a high risk "
            f"{'has' if len(unplanned) == 1 else 'have'} no plan: {_names(unplanned, False)}")
    if down:
        worst = next(a for a in accounts if a.customer_id == down[0].customer_id)
        before = ("上季度" if zh else "the previous quarter") if period.kind == "quarter" else \
            ("前三个月" if zh else "the previous 3 months")
        add("LARGEST_DROP", down[0].change, "money", [worst],
            f"降幅最大：{worst.name}，较{before}减少 {money(-down[0].change)}",
            f"Largest drop: {worst.name}, down {money(-down[0].change)} on {before}")
    renewals = sorted((a for a in accounts if any(r.code == "CONTRACT_EXPIRING" for r in a.risks)),
                      key=lambda a: (a.contract_end, a.customer_id))
    if renewals:
        cn = "、".join(f"{a.name}（{day(a.contract_end)}）" for a in renewals[:3])
        en = ", ".join(f"{a.name} ({day(a.contract_end)})" for a in renewals[:3])
        more = len(renewals) - 3
        add("RENEWALS_DUE", len(renewals), "count", renewals,
            f"{len(renewals)} 份长期协议将在 {s.contract_days} 天内到期：{cn}" + ("等" if more > 0 else ""),
            f"{plural(len(renewals), 'agreement', 'agreements')} up for renewal within {s.contract_days} days: "
            f"{en}" + (f" and {more} more" if more > 0 else ""))
    won = by_value([a for a in accounts if a.tier == "key" and a.tier_prev != "key"])
    if won:
        add("KEY_ACCOUNTS_WON", len(won), "count", won,
            f"新增 {len(won)} 家重点客户：{_names(won, True)}",
            f"{plural(len(won), 'new key account', 'new key accounts')}: {_names(won, False)}")
    n = sum(counts.values())
    pyramid = _off_target({g: Fraction(v, n) for g, v in counts.items()} if n else {}, PYRAMID_TARGET)
    if pyramid:
        g, off = pyramid
        share = fmt.pct(float(PYRAMID_TARGET[g] + off))
        aim = fmt.pct(float(PYRAMID_TARGET[g]), 0)
        add("PYRAMID_OFF_TARGET", off, "ratio", [],
            f"{GROUP_WORDS[g][0]}占客户总数的 {share}（目标 {aim}）",
            f"{GROUP_WORDS[g][1].capitalize()} are {share} of customers (target {aim})", g)
    total = sum(minutes.values(), Decimal(0))
    time = _off_target({g: Fraction(v) / Fraction(total) for g, v in minutes.items()} if total > 0 else {},
                       TIME_TARGET)
    if time:
        g, off = time
        share = fmt.pct(float(TIME_TARGET[g] + off))
        aim = fmt.pct(float(TIME_TARGET[g]), 0)
        add("TIME_OFF_TARGET", off, "ratio", [],
            f"{GROUP_WORDS[g][0]}占用了 {share} 的时间（目标 {aim}）",
            f"{GROUP_WORDS[g][1].capitalize()} take {share} of the time (target {aim})", g)
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
