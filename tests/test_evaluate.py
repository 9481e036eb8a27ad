"""SPEC §4 evaluation: each rule at, just inside and just outside its
threshold, with the expected numbers worked out in the comments."""
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from kamreport.engine import evaluate as E
from kamreport.engine.core import compute
from kamreport.model import Activity, Birthday, Contact, Customer, Dataset, Loc, Plan, Sale, Survey, Target
from kamreport.engine.period import parse_period
from kamreport.engine.settings import Settings
from kamreport.texts import TEXTS, sentences

L = Loc("t.xlsx", "X", 2)
Q3 = parse_period("2026Q3")
AS_OF = Q3.as_of                         # 2026-09-30
S = Settings()


def day(n):
    """as_of + n days."""
    return AS_OF + timedelta(days=n)


def act(kind, when, cid="A", minutes=0.0, resolved_on=None):
    return Activity(cid, when, kind, L, minutes=minutes, resolved_on=resolved_on)


def F(x):
    return Fraction(Decimal(str(x)))


# --------------------------------------------------------------------------
# growth, engagement, service, satisfaction, plans


def test_growth():
    assert E.growth(Decimal(120), Decimal(100)) == Fraction(1, 5)
    assert E.growth(Decimal(50), Decimal(0)) is None
    assert E.growth(Decimal(50), Decimal(-10)) is None


def test_engagement_counts_touches_and_minutes():
    acts = [act("visit", date(2026, 9, 20), minutes=60),   # touch in Q
            act("email", date(2026, 9, 29), minutes=5),    # not a touch; its minutes count
            act("call", date(2026, 6, 30), minutes=10),    # touch before Q
            act("complaint", date(2026, 7, 1), minutes=15),
            act("meeting", date(2026, 10, 1), minutes=99)]  # after as_of: ignored
    e = E.engagement(acts, Q3)
    assert e.days_since_touch == 10             # 09-30 minus 09-20
    assert e.touches_q == 1
    assert e.minutes_q == 60 + 5 + 15
    assert E.engagement([act("email", date(2026, 9, 1))], Q3).days_since_touch is None


def test_cadence_per_tier_from_settings():
    s = replace(S, cadence_key=20)
    assert [E.cadence_of(t, s) for t in ("key", "ordinary", "prospect", "unattractive")] == [20, 90, 180, None]


def test_service():
    acts = [act("complaint", date(2026, 9, 1), resolved_on=date(2026, 9, 11)),   # 10 days
            act("complaint", date(2026, 3, 1), resolved_on=date(2026, 3, 5)),    # 4 days
            act("complaint", date(2026, 9, 20), resolved_on=date(2026, 10, 2)),  # resolved after as_of: open
            act("complaint", date(2024, 1, 1)),                                   # old, still open
            act("complaint", date(2025, 9, 30), resolved_on=date(2025, 10, 3)),  # before TTM
            act("service", date(2026, 9, 1))]
    s = E.service(acts, Q3)
    assert s.complaints_ttm == 3 and s.resolved_ttm == 2
    assert s.mean_resolution_days == 7            # (10 + 4) / 2
    assert s.open_ages == ((AS_OF - date(2024, 1, 1)).days, 10)


def test_satisfaction_latest_mean_of_day_and_previous():
    sv = lambda d, x: Survey("A", d, x, L)  # noqa: E731
    surveys = [sv(date(2026, 8, 1), 8), sv(date(2026, 8, 1), 7), sv(date(2026, 5, 1), 9),
               sv(date(2026, 5, 1), 9.5), sv(date(2026, 10, 1), 1)]
    latest, prev = E.satisfaction(surveys, Q3)
    assert latest == F(7.5) and prev == F(9.25)      # (8+7)/2, (9+9.5)/2
    # the only survey before TTM (Oct 2025 .. Sep 2026): no latest satisfaction
    assert E.satisfaction([sv(date(2025, 9, 30), 8)], Q3) == (None, None)
    # the previous may be older than TTM
    assert E.satisfaction([sv(date(2025, 1, 1), 4), sv(date(2026, 1, 1), 6)], Q3) == (6, 4)


def test_nps():
    sv = lambda d, n: Survey("A", d, 5, L, nps=n)  # noqa: E731
    # 10, 9 promoters; 8 passive; 6, 0 detractors -> 40 % - 40 % = 0
    assert E.nps([sv(date(2026, 9, 1), n) for n in (10, 9, 8, 6, 0)], Q3) == 0
    # 10, 10, 7 -> 2/3 = 66.67 % - 0
    assert E.nps([sv(date(2026, 9, 1), n) for n in (10, 10, 7)], Q3) == Fraction(200, 3)
    # in points, -100..100 (not a fraction, not 0-10): all detractors -100, all promoters 100
    assert E.nps([sv(date(2026, 9, 1), n) for n in (0, 6)], Q3) == -100
    assert E.nps([sv(date(2026, 9, 1), 9)], Q3) == 100
    # 9, 9, 3 promoters 2 of 3, detractors 1 of 3 -> 33.33… points (summary.json: 33.3)
    assert E.nps([sv(date(2026, 9, 1), n) for n in (9, 9, 3)], Q3) == Fraction(100, 3)
    # outside TTM or without nps: none
    assert E.nps([sv(date(2025, 9, 1), 10), sv(date(2026, 9, 1), None)], Q3) is None


def test_execution_of_plans():
    p = lambda due, status="open", done=None: Plan("A", "o", "a", L, due=due, status=status, completed_on=done)  # noqa: E731
    plans = [p(day(-1)),                                  # overdue, due
             p(AS_OF),                                    # due today: due, not overdue
             p(day(-20), "done", day(-25)),               # on time
             p(day(-20), "done", None),                   # done, no date: on time
             p(day(-20), "done", day(-10)),               # late
             p(day(-20), "cancelled"),                    # not a due action
             p(day(-5), "done", day(3)),                  # done after as_of: open then -> overdue
             p(day(5)),                                   # not due yet
             p(None)]                                     # no due date
    ex = E.execution(plans, AS_OF)
    assert (ex.overdue, ex.due, ex.on_time) == (2, 6, 2)


# --------------------------------------------------------------------------
# health


def test_growth_component():
    svc, ex = E.Service(0, 0, None, ()), E.Execution(0, 0, 0)
    comp = lambda q, y: E.health_components(growth_qoq=q, growth_yoy=y, latest_satisfaction=None,  # noqa: E731
                                            days_since_touch=0, cadence=30, svc=svc, ex=ex)[1]["growth"]
    assert comp(F(0.5), F(-0.12)) == 30            # yoy wins: (-.12 + .30) / .60 * 100 = 30
    assert comp(F(0.5), None) == 100               # (0.5+.3)/.6*100 = 133.3 -> clamped
    assert comp(F(-0.5), None) == 0                # negative -> clamped
    assert comp(None, None) is None


@pytest.mark.parametrize("days,expected", [(0, 100), (30, 100), (45, 75), (89, Fraction(5, 3)), (90, 0), (None, 0)])
def test_engagement_component(days, expected):
    # cadence 30: 100 up to 30 days, 0 from 90; 45 days -> 100 * (90 - 45) / 60 = 75
    assert E.engagement_component(days, 30) == expected


def test_service_execution_satisfaction_components():
    base = dict(growth_qoq=None, growth_yoy=None, days_since_touch=None, cadence=30)
    _, v = E.health_components(latest_satisfaction=F(8.5), svc=E.Service(3, 2, None, ()),
                               ex=E.Execution(0, 4, 3), **base)
    assert v["satisfaction"] == 85
    assert v["service"] == Fraction(200, 3)        # 2 of 3 resolved
    assert v["execution"] == 75                    # 3 of 4 on time
    _, v = E.health_components(latest_satisfaction=None, svc=E.Service(0, 0, None, ()),
                               ex=E.Execution(0, 0, 0), **base)
    assert v["satisfaction"] is None and v["service"] == 100 and v["execution"] is None


def test_health_weighted_and_renormalised():
    full = {"growth": Fraction(30), "satisfaction": Fraction(85), "engagement": Fraction(75),
            "service": Fraction(100), "execution": Fraction(75)}
    # .3*30 + .25*85 + .2*75 + .15*100 + .1*75 = 9 + 21.25 + 15 + 15 + 7.5 = 67.75 -> 67.8 (half-up)
    assert E.health_of(full) == Decimal("67.8")
    # growth and execution missing: (21.25 + 15 + 15) / .6 = 85.4166… -> 85.4
    assert E.health_of(dict(full, growth=None, execution=None)) == Decimal("85.4")


@pytest.mark.parametrize("h,band", [("70.0", "green"), ("69.9", "amber"), ("40.0", "amber"), ("39.9", "red")])
def test_health_band(h, band):
    assert E.health_band(Decimal(h)) == band
    assert E.health_band(Decimal(h), Fraction(1)) == band
    assert E.health_band(None) is None


def test_health_needs_half_the_weight_as_evidence():
    none = dict.fromkeys(E.HEALTH_WEIGHTS)
    # satisfaction .25 + service .15 + execution .10 = exactly .50: enough
    v = dict(none, satisfaction=Fraction(90), service=Fraction(100), execution=Fraction(50))
    assert E.health_coverage(v) == Fraction(1, 2)
    # (.25*90 + .15*100 + .1*50) / .5 = (22.5 + 15 + 5) / .5 = 85.0
    assert E.health_of(v) == Decimal("85.0") and E.health_band(E.health_of(v), Fraction(1, 2)) == "green"
    # without execution: .40 < .50 -> no health, band insufficient (not green)
    v = dict(v, execution=None)
    assert E.health_coverage(v) == Fraction(2, 5)
    assert E.health_of(v) is None and E.health_band(None, Fraction(2, 5)) == "insufficient"
    # engagement .20 + service .15 (always present for a scored customer) = .35
    v = dict(none, engagement=Fraction(100), service=Fraction(100))
    assert E.health_coverage(v) == Fraction(7, 20) and E.health_of(v) is None
    assert E.health_coverage(dict.fromkeys(E.HEALTH_WEIGHTS, Fraction(1))) == 1


def test_key_account_without_sales_or_survey_is_insufficient_not_healthy():
    d = Dataset((), (Customer("K", "NK", L, designated_key=True, account_manager="Li"),
                     Customer("O", "NO", L), Customer("P", "NP", L)),
                (Sale("O", date(2026, 9, 1), 10, L), Sale("O", date(2025, 9, 1), 10, L)),
                (act("visit", date(2026, 9, 20), "K"), act("visit", date(2026, 9, 20), "O")))
    r = compute(d, "2026Q3")
    k, o, p = (next(a for a in r.accounts if a.customer_id == c) for c in "KOP")
    # K: no growth, no survey, no due action: engagement .2 + service .15 = .35
    assert (k.health, k.health_band, k.health_coverage) == (None, "insufficient", 0.35)
    # the components are still reported
    assert {h.name: h.value for h in k.health_components} == {
        "growth": None, "satisfaction": None, "engagement": 100.0, "service": 100.0, "execution": None}
    # O: growth yoy 0 -> 50; .3 + .2 + .15 = .65: (15 + 20 + 15) / .65 = 76.923… -> 76.9
    assert (o.health, o.health_band, o.health_coverage) == (76.9, "green", 0.65)
    # a prospect (or unattractive customer) has no health and no coverage
    assert p.tier == "unattractive" and (p.health, p.health_band, p.health_coverage) == (None, None, None)


# --------------------------------------------------------------------------
# risks

CALM = E.RiskFacts(tier="ordinary", growth_qoq=None, growth_yoy=None, latest_satisfaction=None,
                   prev_satisfaction=None, days_since_touch=0, cadence=90, open_complaint_ages=(),
                   long_term_agreement=False, contract_end=None, overdue_actions=0,
                   revenue_ttm=Decimal(10), portfolio_revenue_ttm=Decimal(1000),
                   relationship_stage=None, account_manager="Li", latest_overdue=None,
                   open_actions=1)      # a plan in force: the single rules are tested one at a time


def worded(f, as_of, s, lang):
    """E.risks with each message and next step as the reports word them."""
    return [Said(r.code, r.severity, sentences.risk_message(r.code, r.params, lang, s.currency),
                 sentences.next_step(r.code, r.params, lang, s.currency)) for r in E.risks(f, as_of, s)]


@dataclass(frozen=True)
class Said:
    code: str
    severity: str
    message: str
    action: str


def said(h, lang="en", currency="CNY"):
    """A headline as the reports word it."""
    return sentences.headline(h.code, h.params, lang, currency)


def risk(lang="en", s=S, **kw):
    found = E.risks(replace(CALM, **kw), AS_OF, s)
    return [(r.code, r.severity) for r in found]


def test_calm_customer_has_no_risk():
    assert risk() == []


@pytest.mark.parametrize("qoq,yoy,expected", [
    (-0.1999, None, []),
    (-0.20, None, [("REVENUE_DROP", "medium")]),
    (-0.3999, None, [("REVENUE_DROP", "medium")]),
    (-0.40, None, [("REVENUE_DROP", "high")]),
    (-0.10, -0.25, [("REVENUE_DROP", "medium")]),     # the lower of the two
    (None, -0.5, [("REVENUE_DROP", "high")]),
])
def test_revenue_drop(qoq, yoy, expected):
    conv = lambda x: None if x is None else F(x)  # noqa: E731
    assert risk(growth_qoq=conv(qoq), growth_yoy=conv(yoy)) == expected


def test_revenue_drop_threshold_from_settings_and_message():
    s = replace(S, revenue_drop=0.30)
    assert risk(s=s, growth_qoq=F(-0.25)) == []
    [r] = worded(replace(CALM, growth_qoq=F(-0.6), growth_yoy=F(-0.25)), AS_OF, s, "en")
    assert r.severity == "high" and "-60.0%" in r.message and "-25.0%" in r.message
    [r] = worded(replace(CALM, growth_qoq=F(-0.6)), AS_OF, s, "zh")
    assert "环比 -60.0%" in r.message


@pytest.mark.parametrize("latest,prev,expected", [
    (6, None, []),
    (5.9, None, [("LOW_SATISFACTION", "high")]),
    (7, 9, [("LOW_SATISFACTION", "medium")]),          # fell exactly 2
    (7, 8.9, []),                                      # fell 1.9
    (5.95, None, []),                                  # compared as reported: 6.0
    (5.9499, None, [("LOW_SATISFACTION", "high")]),    # reported 5.9
    (7.04, 8.96, [("LOW_SATISFACTION", "medium")]),    # 7.0 after 9.0: fell 2.0 as reported
    (5, 9, [("LOW_SATISFACTION", "high")]),
    (None, 9, []),
])
def test_low_satisfaction(latest, prev, expected):
    conv = lambda x: None if x is None else F(x)  # noqa: E731
    assert risk(latest_satisfaction=conv(latest), prev_satisfaction=conv(prev)) == expected


@pytest.mark.parametrize("days,expected", [
    (30, []), (31, [("CONTACT_OVERDUE", "medium")]), (60, [("CONTACT_OVERDUE", "medium")]),
    (61, [("CONTACT_OVERDUE", "high")]), (None, [("CONTACT_OVERDUE", "high")]),
])
def test_contact_overdue(days, expected):
    assert risk(tier="key", cadence=30, days_since_touch=days) == expected


def test_no_cadence_no_contact_risk():
    assert risk(tier="unattractive", cadence=None, days_since_touch=None) == []


def test_open_complaint_older_than_14_days():
    assert risk(open_complaint_ages=(14, 3)) == []
    assert risk(open_complaint_ages=(15,)) == [("OPEN_COMPLAINT", "high")]
    assert risk(s=replace(S, complaint_days=20), open_complaint_ages=(15,)) == []


@pytest.mark.parametrize("offset,expected", [
    (0, []),                                    # ends on as_of: not after it
    (1, [("CONTRACT_EXPIRING", "high")]),
    (30, [("CONTRACT_EXPIRING", "high")]),
    (31, [("CONTRACT_EXPIRING", "medium")]),
    (90, [("CONTRACT_EXPIRING", "medium")]),
    (91, []),
])
def test_contract_expiring(offset, expected):
    assert risk(long_term_agreement=True, contract_end=day(offset)) == expected
    assert risk(long_term_agreement=False, contract_end=day(offset)) == []


def test_action_overdue():
    assert risk(overdue_actions=1) == [("ACTION_OVERDUE", "medium")]


def test_concentration():
    # 20 % of 1000 exactly is not above 20 %
    assert risk(revenue_ttm=Decimal(200)) == []
    assert risk(revenue_ttm=Decimal("200.01")) == [("CONCENTRATION", "medium")]
    assert risk(revenue_ttm=Decimal(5), portfolio_revenue_ttm=Decimal(0)) == []


def test_relationship_declining():
    assert risk(relationship_stage="declining") == [("RELATIONSHIP_DECLINING", "high")]
    assert risk(relationship_stage="defensive") == [("RELATIONSHIP_DECLINING", "medium")]
    assert risk(relationship_stage="limited") == []


def test_no_account_manager_only_for_key():
    assert risk(tier="key", cadence=30, account_manager=None) == [("NO_ACCOUNT_MANAGER", "high")]
    assert risk(tier="ordinary", account_manager=None) == []


@pytest.mark.parametrize("overdue,expected", [
    (None, []), (0, []),
    (10, [("CREDIT_OVERDUE", "medium")]),             # 10 of revenue_ttm 100 = 10 %: not above
    (10.01, [("CREDIT_OVERDUE", "high")]),
])
def test_credit_overdue(overdue, expected):
    conv = None if overdue is None else Decimal(str(overdue))
    assert risk(latest_overdue=conv, revenue_ttm=Decimal(100)) == expected


def test_risks_keep_the_spec_order():
    got = risk(growth_qoq=F(-0.5), latest_satisfaction=F(2), tier="key", cadence=30, days_since_touch=None,
               overdue_actions=2, relationship_stage="declining", account_manager=None)
    assert [c for c, _ in got] == ["REVENUE_DROP", "LOW_SATISFACTION", "CONTACT_OVERDUE", "ACTION_OVERDUE",
                                   "RELATIONSHIP_DECLINING", "NO_ACCOUNT_MANAGER"]


def test_latest_overdue_month_up_to_as_of():
    from kamreport.engine.classify import aggregate_sales
    sales = [Sale("A", date(2026, 8, 1), 1, L, overdue_amount=5), Sale("A", date(2026, 8, 1), 1, L, overdue_amount=2),
             Sale("A", date(2026, 9, 1), 1, L), Sale("A", date(2026, 10, 1), 1, L, overdue_amount=50)]
    months = aggregate_sales(sales)["A"]
    assert E.latest_overdue(months, AS_OF) is None                   # September has no overdue value
    assert E.latest_overdue(months, date(2026, 8, 31)) == 7          # 5 + 2


# --------------------------------------------------------------------------
# care calendar


def test_birthday_29_feb():
    b = Birthday(2, 29)
    assert E.next_birthday(b, date(2026, 12, 31)) == date(2027, 2, 28)
    assert E.next_birthday(b, date(2027, 12, 31)) == date(2028, 2, 29)
    assert E.next_birthday(Birthday(2, 28), date(2027, 2, 28)) == date(2028, 2, 28)   # today's is past


def test_care_window_and_contract_end():
    c = Customer("A", "A co", L, contract_end=day(90))
    contacts = [Contact("A", "On as_of", L, birthday=Birthday(9, 30)),        # next is next year
                Contact("A", "Tomorrow", L, birthday=Birthday(10, 1, 1980)),
                Contact("A", "Day 90", L, birthday=Birthday(12, 29)),          # 2026-12-29 = as_of + 90
                Contact("A", "Day 91", L, birthday=Birthday(12, 30)),
                Contact("A", "Nobody", L)]
    items = E.care_items(c, contacts, AS_OF)
    assert [(i.kind, i.who, i.days) for i in items] == [
        ("birthday", "Tomorrow", 1), ("birthday", "Day 90", 90), ("contract_end", None, 90)]
    on = Customer("A", "A co", L, contract_end=AS_OF)
    assert E.care_items(on, [], AS_OF) == ()


def test_care_feb_29_in_window():
    # as_of 2026-12-31 (Q4): 29 Feb -> 2027-02-28, 31 + 28 = 59 days later
    c = Customer("A", "A co", L)
    [i] = E.care_items(c, [Contact("A", "Leap", L, birthday=Birthday(2, 29))], date(2026, 12, 31))
    assert (i.date, i.days) == (date(2027, 2, 28), 59)


# --------------------------------------------------------------------------
# the whole engine on a small portfolio


def portfolio():
    c = lambda cid, **kw: Customer(cid, f"N{cid}", L, **kw)  # noqa: E731
    customers = (
        c("K1", account_manager="Li", designated_key=True, relationship_stage="declining"),
        c("K2", account_manager="Li", long_term_agreement=True, contract_end=date(2026, 10, 20)),
        c("O1", account_manager="Wang"),
        c("P1", market_size=1000, strategic_fit=5),     # no sales, potential 100, strategic 100
        c("U1"),
    )
    s = lambda cid, y, m, r: Sale(cid, date(y, m, 1), r, L)  # noqa: E731
    sales = (s("K1", 2026, 8, 100), s("K1", 2026, 5, 200), s("K1", 2025, 8, 100),
             s("K2", 2026, 9, 50), s("O1", 2026, 9, 10), s("O1", 2026, 6, 10))
    acts = (act("visit", date(2026, 9, 20), "K1", 120), act("call", date(2026, 5, 1), "K2", 30),
            act("meeting", date(2026, 9, 1), "O1", 60), act("care", date(2026, 9, 1), "P1", 30))
    surveys = (Survey("K1", date(2026, 9, 1), 8, L, nps=10), Survey("O1", date(2026, 9, 1), 6, L, nps=5))
    plans = (Plan("K1", "o", "a", L, due=date(2026, 9, 1)),)
    contacts = (Contact("K2", "Ms Zhao", L, birthday=Birthday(10, 8)),
                Contact("O1", "Mr Qian", L, birthday=Birthday(10, 9)))
    return Dataset((), customers, sales, acts, contacts, surveys, plans)


def test_engine_accounts_sorted_and_evaluated():
    r = compute(portfolio())
    assert r.period.label == "2026Q3"                 # latest quarter whose last month (Sep) has sales
    assert [(a.customer_id, a.tier) for a in r.accounts] == [
        ("K1", "key"), ("K2", "key"), ("O1", "ordinary"), ("P1", "prospect"), ("U1", "unattractive")]
    k1 = r.accounts[0]
    # K1: Q 100, PQ 200, YQ 100 -> qoq -.5, yoy 0
    assert (k1.revenue_q, k1.revenue_pq, k1.revenue_yq, k1.revenue_ttm) == (100, 200, 100, 300)
    assert (k1.growth_qoq, k1.growth_yoy) == (-0.5, 0.0)
    # health: growth (0 + .3)/.6*100 = 50; satisfaction 80; engagement 10 days <= 30 -> 100;
    # service 100; execution 0 of 1 due -> 0:
    # .3*50 + .25*80 + .2*100 + .15*100 + .1*0 = 15 + 20 + 20 + 15 + 0 = 70.0 -> green
    assert k1.health == 70.0 and k1.health_band == "green"
    # its only action is overdue (due 09-01): high risks and no plan in force -> NO_ACTION_PLAN
    assert [c for c in (r.code for r in k1.risks)] == [
        "REVENUE_DROP", "ACTION_OVERDUE", "CONCENTRATION", "RELATIONSHIP_DECLINING", "NO_ACTION_PLAN"]
    assert all(sentences.next_step(x.code, x.params, "en", "CNY") for x in k1.risks)
    k2 = r.accounts[1]
    assert k2.key_reasons == ("agreement",) and k2.days_since_touch == 152
    assert ("CONTRACT_EXPIRING", "high") in [(x.code, x.severity) for x in k2.risks]    # 20 days left
    assert ("CONTACT_OVERDUE", "high") in [(x.code, x.severity) for x in k2.risks]      # 152 > 60
    assert r.accounts[3].health is None and r.accounts[3].health_band is None
    # revenue trend: 8 quarters ending 2026Q3, oldest first
    assert [q.label for q in k1.revenue_by_quarter] == [
        "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert [q.revenue for q in k1.revenue_by_quarter][-5:] == [100, 0, 0, 200, 100]


def test_engine_portfolio_managers_care():
    r = compute(portfolio())
    p = r.portfolio
    assert p.tiers == {"key": 2, "ordinary": 1, "prospect": 1, "unattractive": 1}
    assert p.tier_share == {"key": 0.4, "ordinary": 0.2, "other": 0.4}
    # minutes in Q: key 120 (K2's call is in Q2), ordinary 60, other 30 -> 210
    assert p.minutes_q == {"key": 120, "ordinary": 60, "other": 30}
    assert p.time_share["key"] == pytest.approx(120 / 210)
    # Q: K1 100 + K2 50 + O1 10; PQ: K1 200 + O1 10; TTM: K1 300 (Aug 2025 is outside) + 50 + 20
    assert p.revenue_q == 160 and p.revenue_pq == 210 and p.revenue_ttm == 370
    # nps over 10 and 5: 50 % - 50 % = 0
    assert p.nps == 0
    li, wang = r.managers
    assert (li.account_manager, li.key, li.ordinary, li.revenue_q) == ("Li", 2, 0, 150)
    assert li.growth_qoq == pytest.approx(150 / 200 - 1)
    assert li.satisfaction == 8 and li.cadence_compliance == 0.5 and li.overdue_actions == 1
    # high risks: K1 REVENUE_DROP (-50 %) and RELATIONSHIP_DECLINING; K2 CONTRACT_EXPIRING and CONTACT_OVERDUE
    assert li.high_risks == 4
    assert (wang.key, wang.ordinary, wang.satisfaction, wang.cadence_compliance) == (0, 1, 6, 1.0)
    # care calendar: key accounts only (O1's contact is left out), by date
    assert [(i.customer_id, i.kind, i.date) for i in r.care] == [
        ("K2", "birthday", date(2026, 10, 8)), ("K2", "contract_end", date(2026, 10, 20))]
    assert len(next(a for a in r.accounts if a.customer_id == "O1").care) == 1


def test_month_period_windows_and_labels():
    r = compute(portfolio(), "2026-08")
    k1 = next(a for a in r.accounts if a.customer_id == "K1")
    # Q = Jun-Aug 2026 (100), PQ = Mar-May (200), YQ = Jun-Aug 2025 (100)
    assert (k1.revenue_q, k1.revenue_pq, k1.revenue_yq) == (100, 200, 100)
    assert k1.revenue_by_quarter[-1].label == "2026-08" and k1.revenue_by_quarter[0].label == "2024-11"


def test_everything_after_as_of_is_ignored():
    d = portfolio()
    later = replace(d, sales=d.sales + (Sale("U1", date(2026, 10, 1), 1e6, L),),
                    activities=d.activities + (act("visit", date(2026, 10, 1), "K2"),),
                    surveys=d.surveys + (Survey("K1", date(2026, 10, 2), 1, L),))
    a, b = compute(d, "2026Q3"), compute(later, "2026Q3")
    assert a.accounts == b.accounts and a.portfolio == b.portfolio


def test_language_override_changes_messages_and_strategy():
    r = compute(portfolio(), overrides={"language": "zh"})
    assert r.settings.language == "zh"
    *_, rel, plan = r.accounts[0].risks
    assert "关系状态" in sentences.risk_message(rel.code, rel.params, "zh", "CNY")
    assert sentences.next_step(plan.code, plan.params, "zh", "CNY") == "为高风险制定行动计划（负责人、截止日期）"
    assert "战略联盟" in sentences.strategy(r.accounts[0].tier, "zh")


def test_risk_messages_quote_the_numbers():
    [r] = worded(replace(CALM, latest_overdue=Decimal("12.5"), revenue_ttm=Decimal(100)), AS_OF,
                  replace(S, currency="USD"), "en")
    # money as the reports print it (fmt.money_short): in full below 10,000
    assert r.message == "Overdue receivables $13 (revenue TTM $100)"
    [r] = worded(replace(CALM, latest_overdue=Decimal(123456), revenue_ttm=Decimal(2_500_000), portfolio_revenue_ttm=Decimal(10**8)), AS_OF, S, "zh")
    assert r.message == "逾期应收款 ¥12.3万（近12个月销售额 ¥250.0万）"
    [r] = worded(replace(CALM, latest_overdue=Decimal(123456), revenue_ttm=Decimal(2_500_000), portfolio_revenue_ttm=Decimal(10**8)), AS_OF, S, "en")
    assert r.message == "Overdue receivables ¥123.5K (revenue TTM ¥2.50M)"
    [r] = worded(replace(CALM, tier="key", cadence=30, days_since_touch=45), AS_OF, S, "zh")
    assert r.message == "距上次接触已 45 天（联系周期 30 天）"
    [r] = worded(replace(CALM, long_term_agreement=True, contract_end=day(20)), AS_OF, S, "en")
    assert r.message == "Agreement ends on 2026-10-20, in 20 days"
    [r] = worded(replace(CALM, long_term_agreement=True, contract_end=day(1)), AS_OF, S, "en")
    assert r.message == "Agreement ends on 2026-10-01, in 1 day"
    [r] = worded(replace(CALM, long_term_agreement=True, contract_end=day(20)), AS_OF, S, "zh")
    assert r.message == "长期协议将于2026年10月20日到期，还有 20 天"
    [r] = worded(replace(CALM, overdue_actions=1), AS_OF, S, "en")
    assert r.message == "1 action overdue"
    [r] = worded(replace(CALM, open_complaint_ages=(40, 20)), AS_OF, S, "en")
    assert r.message == "2 complaints open for more than 14 days (oldest 40 days)"


def test_all_eleven_codes_at_once_in_spec_order():
    everything = replace(CALM, tier="key", cadence=30, growth_qoq=F(-0.5), latest_satisfaction=F(3),
                         days_since_touch=None, open_complaint_ages=(40,), long_term_agreement=True,
                         contract_end=day(10), overdue_actions=1, revenue_ttm=Decimal(900),
                         relationship_stage="declining", account_manager=None, latest_overdue=Decimal(1),
                         open_actions=0)
    for lang in ("en", "zh"):
        got = worded(everything, AS_OF, S, lang)
        assert tuple(r.code for r in got) == E.RISK_ORDER and len(E.RISK_ORDER) == 11
        assert all(r.message and r.action for r in got)
    # every code has its message and its next step in the catalog
    for prefix in ("risk_message.", "next_step."):
        assert all(prefix + code in TEXTS for code in E.RISK_ORDER)


# --------------------------------------------------------------------------
# NO_ACTION_PLAN (SPEC §4)


def plan(due=None, status="open", completed_on=None):
    return Plan("A", "o", "a", L, due=due, status=status, completed_on=completed_on)


def test_open_actions_are_open_at_as_of_and_not_yet_due():
    assert E.open_actions([plan(day(1)), plan(None)], AS_OF) == 2      # due after as_of, or blank
    assert E.open_actions([plan(day(0))], AS_OF) == 0                  # due on as_of: not after it
    assert E.open_actions([plan(day(-5))], AS_OF) == 0                 # overdue is no plan in force
    assert E.open_actions([plan(day(30), "cancelled"), plan(day(30), "done", day(-1))], AS_OF) == 0
    # done after as_of: it was open at as_of
    assert E.open_actions([plan(day(30), "done", day(3))], AS_OF) == 1


@pytest.mark.parametrize("kw,expected", [
    # key account, a high risk (no contact on record), no plan in force -> NO_ACTION_PLAN, medium
    (dict(), [("CONTACT_OVERDUE", "high"), ("NO_ACTION_PLAN", "medium")]),
    (dict(open_actions=1), [("CONTACT_OVERDUE", "high")]),                      # a plan in force
    (dict(tier="ordinary", cadence=90), [("CONTACT_OVERDUE", "high")]),          # not a key account
    (dict(days_since_touch=45), [("CONTACT_OVERDUE", "medium")]),                # no high risk
    (dict(days_since_touch=0, overdue_actions=2), [("ACTION_OVERDUE", "medium")]),
])
def test_no_action_plan(kw, expected):
    base = dict(tier="key", cadence=30, days_since_touch=None, open_actions=0)
    assert risk(**{**base, **kw}) == expected


def test_no_action_plan_message():
    f = replace(CALM, tier="key", cadence=30, days_since_touch=None, growth_qoq=F(-0.5), open_actions=0)
    *_, r = worded(f, AS_OF, S, "en")
    assert (r.code, r.message) == ("NO_ACTION_PLAN", "2 high risks and no open action in the plan")
    *_, r = worded(f, AS_OF, S, "zh")
    assert r.message == "有 2 项高风险，但行动计划中没有进行中的行动"


# --------------------------------------------------------------------------
# the next step of each risk (SPEC §4 "Next step per risk")


PEOPLE = (Contact("A", "Ms Lin", L, role="decision_maker", influence=3),
          Contact("A", "Mr Hu", L, role="decision_maker", influence=5),
          Contact("A", "Ms Gao", L, role="decision_maker", influence=5),    # ties: the first listed
          Contact("A", "Mr Xu", L, role="champion", influence=None),
          Contact("A", "Ms Ye", L, role="influencer", influence=5))


def action(code, lang="en", s=S, **kw):
    [r] = [r for r in worded(replace(CALM, **kw), AS_OF, s, lang) if r.code == code]
    return r.action


def test_most_influential():
    assert E.most_influential(PEOPLE, ("decision_maker",)).name == "Mr Hu"
    assert E.most_influential(PEOPLE, ("champion", "decision_maker")).name == "Mr Xu"
    assert E.most_influential(PEOPLE[:3], ("champion", "decision_maker")).name == "Mr Hu"
    assert E.most_influential(PEOPLE[4:], ("champion", "decision_maker")) is None


def test_next_step_names_the_person():
    overdue = dict(tier="key", cadence=30, days_since_touch=40, contacts=PEOPLE)
    assert action("CONTACT_OVERDUE", **overdue) == "Visit Mr Hu, the most influential decision maker"
    assert action("CONTACT_OVERDUE", "zh", **overdue) == "拜访最具影响力的决策者Mr Hu"
    assert action("CONTACT_OVERDUE", **dict(overdue, contacts=PEOPLE[3:])) == \
        "Find the customer's key decision maker and visit"
    low = dict(latest_satisfaction=F(5), contacts=PEOPLE)
    assert action("LOW_SATISFACTION", **low) == "Hold a service review with Mr Xu (champion)"
    assert action("LOW_SATISFACTION", "zh", **dict(low, contacts=PEOPLE[:3])) == "与Mr Hu（决策者）开展服务回顾"
    assert action("LOW_SATISFACTION", **dict(low, contacts=())) == \
        "Hold a service review with the customer's champion or decision maker"
    drop = dict(growth_qoq=F(-0.3), contacts=PEOPLE)
    assert action("REVENUE_DROP", **drop) == "Review the account with Li and Mr Hu, the decision maker"
    assert action("REVENUE_DROP", "zh", **drop) == "由Li与决策者Mr Hu一起复盘该客户"
    assert action("REVENUE_DROP", **dict(drop, contacts=(), account_manager=None)) == \
        "Review the account with the account manager and the customer's decision maker"
    assert action("RELATIONSHIP_DECLINING", relationship_stage="defensive", executive_sponsor="Dr Wu") == \
        "Arrange a meeting of our executive sponsor Dr Wu with the customer's leadership"
    assert action("RELATIONSHIP_DECLINING", "zh", relationship_stage="declining") == "安排我方高层支持者与客户高层会面"


def test_next_step_dates_and_money_as_the_reports_print_them():
    # complaints open 40 and 20 days: the oldest was made on 09-30 - 40 days = 08-21
    assert action("OPEN_COMPLAINT", open_complaint_ages=(40, 20, 3)) == \
        "Close the complaint of 2026-08-21 and the 1 other open one"
    assert action("OPEN_COMPLAINT", "zh", open_complaint_ages=(40,)) == "结清2026年8月21日的投诉"
    assert action("OPEN_COMPLAINT", "zh", open_complaint_ages=(40, 20, 15)) == "结清2026年8月21日的投诉及其余 2 项未结投诉"
    assert action("CONTRACT_EXPIRING", long_term_agreement=True, contract_end=day(20)) == \
        "Start renewal talks before 2026-10-20"
    assert action("CONTRACT_EXPIRING", "zh", long_term_agreement=True, contract_end=day(20)) == \
        "在2026年10月20日前启动续约谈判"
    assert action("CREDIT_OVERDUE", "zh", latest_overdue=Decimal(56789)) == "与客户商定¥5.7万逾期款的还款计划"
    assert action("CREDIT_OVERDUE", latest_overdue=Decimal(56789)) == "Agree a payment plan for the ¥56.8K overdue"
    assert action("ACTION_OVERDUE", overdue_actions=1) == "Reschedule or close the overdue action"
    assert action("ACTION_OVERDUE", overdue_actions=3) == "Reschedule or close the 3 overdue actions"
    assert action("ACTION_OVERDUE", "zh", overdue_actions=3) == "重新安排或关闭3项逾期行动"
    assert action("NO_ACCOUNT_MANAGER", tier="key", account_manager=None) == "Assign an account manager"
    assert action("CONCENTRATION", revenue_ttm=Decimal(500)) == "Widen the portfolio to depend less on this account"


# --------------------------------------------------------------------------
# targets (SPEC §4 Targets)


def tgt(cid, y, m, x):
    return Target(cid, date(y, m, 1), x, L)


def test_target_helpers():
    t = E.targets_by_month([tgt("A", 2026, 7, 100), tgt("A", 2026, 7, 50.5), tgt("A", 2026, 9, 0.1),
                            tgt("A", 2026, 6, 999), tgt("Z", 2026, 7, 1)], {"A"})
    assert t == {"A": {2026 * 12 + 6: Decimal("150.5"), 2026 * 12 + 8: Decimal("0.1"),
                       2026 * 12 + 5: Decimal(999)}}                      # Z is not a customer
    assert E.target_in(t["A"], Q3.q) == Decimal("150.6")                 # Jul 150.5 + Sep 0.1
    assert E.target_in(t["A"], Q3.yq) is None
    assert E.target_in({2026 * 12 + 6: Decimal(0)}, Q3.q) == 0           # a zero target is a target
    assert E.attainment(Decimal(120), Decimal(100)) == Fraction(6, 5)
    assert E.attainment(Decimal(120), Decimal(0)) is None and E.attainment(Decimal(1), None) is None
    # totals over those with a target: (10 + 30) / (20 + 60) = .5; C's revenue has no target: left out
    assert E.target_totals([(Decimal(10), Decimal(20)), (Decimal(30), Decimal(60)), (Decimal(99), None)]) == (
        Decimal(80), Fraction(1, 2))
    assert E.target_totals([(Decimal(10), None)]) == (None, None)


def test_engine_targets_per_account_manager_and_portfolio():
    d = portfolio()
    # K1 (Li): Q revenue 100, targets Jul 60 + Aug 40 + Sep 50 = 150 -> 2/3; a June target is PQ's
    # K2 (Li): Q revenue 50, target 0 -> target_q 0, no attainment
    # O1 (Wang): Q revenue 10, no target
    d = replace(d, targets=(tgt("K1", 2026, 7, 60), tgt("K1", 2026, 8, 40), tgt("K1", 2026, 9, 50),
                            tgt("K1", 2026, 6, 1000), tgt("K2", 2026, 9, 0), tgt("U1", 2026, 10, 5)))
    r = compute(d, "2026Q3")
    a = {x.customer_id: x for x in r.accounts}
    assert (a["K1"].target_q, a["K1"].attainment_q) == (150, pytest.approx(2 / 3))
    assert (a["K2"].target_q, a["K2"].attainment_q) == (0, None)
    assert (a["O1"].target_q, a["O1"].attainment_q) == (None, None)
    assert a["U1"].target_q is None                     # October is after as_of
    # portfolio: K1 + K2 have a target: (100 + 50) / (150 + 0) = 1.0
    assert (r.portfolio.target_q, r.portfolio.attainment_q) == (150, 1.0)
    li, wang = r.managers
    assert (li.target_q, li.attainment_q) == (150, 1.0)
    assert (wang.target_q, wang.attainment_q) == (None, None)
    assert compute(portfolio()).portfolio.target_q is None


# --------------------------------------------------------------------------
# history (SPEC §4 History)


def test_history_four_period_ends_newest_first():
    d = portfolio()
    d = replace(d, activities=d.activities + (act("visit", date(2026, 6, 10), "K1"),),
                surveys=d.surveys + (Survey("K1", date(2026, 6, 15), 6, L),))
    r = compute(d, "2026Q3")
    a = {x.customer_id: x for x in r.accounts}
    k1 = a["K1"]
    assert [(h.period, h.as_of) for h in k1.history] == [
        ("2026Q3", date(2026, 9, 30)), ("2026Q2", date(2026, 6, 30)),
        ("2026Q1", date(2026, 3, 31)), ("2025Q4", date(2025, 12, 31))]
    # 2026Q3 as the account itself: health 70.0 (see above), revenue_q 100
    assert (k1.history[0].tier, k1.history[0].health, k1.history[0].health_band, k1.history[0].revenue_q) == (
        "key", 70.0, "green", 100)
    # 2026Q2 on the data up to 06-30: Q Apr-Jun 200, no PQ/YQ revenue -> no growth; the survey
    # of 06-15 (6 -> 60), the visit of 06-10 (20 days <= 30 -> 100), service 100, the plan due
    # 09-01 is not yet due -> no execution. Coverage .25 + .2 + .15 = .6:
    # (.25*60 + .2*100 + .15*100) / .6 = 50 / .6 = 83.33… -> 83.3
    assert (k1.history[1].tier, k1.history[1].health, k1.history[1].health_band, k1.history[1].revenue_q) == (
        "key", 83.3, "green", 200)
    # 2026Q1: no touch yet, no survey, no growth: engagement 0 + service: .35 -> insufficient
    assert (k1.history[2].health, k1.history[2].health_band, k1.history[2].revenue_q) == (None, "insufficient", 0)
    # O1 sold in Jun and Sep 2026: ordinary at 09-30 and 06-30, nothing in the TTM to 03-31 -> unattractive
    assert [h.tier for h in a["O1"].history] == ["ordinary", "ordinary", "unattractive", "unattractive"]
    assert [h.health_band for h in a["O1"].history][2:] == [None, None]
    # tier_prev is the second entry and agrees with the migration
    for x in r.accounts:
        assert x.tier_prev == x.history[1].tier and x.tier == x.history[0].tier
    assert a["O1"].move == "same"     # ordinary at 06-30 already


def test_portfolio_revenue_by_quarter_all_and_key():
    d = replace(portfolio(), targets=(Target("K1", date(2026, 8, 1), 120, L), Target("O1", date(2026, 9, 1), 5, L),
                                      Target("O1", date(2026, 4, 1), 7, L)))
    q = compute(d, "2026Q3").portfolio.revenue_by_quarter
    assert [x.label for x in q] == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    # 2026Q3: K1 100 + K2 50 + O1 10 = 160, key 150; 2026Q2: K1 200 + O1 10; 2025Q3: K1's Aug 2025 100
    assert [(x.revenue, x.revenue_key) for x in q] == [
        (0, 0), (0, 0), (0, 0), (100, 100), (0, 0), (0, 0), (210, 200), (160, 150)]
    # targets: 2026Q3 K1 120 + O1 5 (key: 120); 2026Q2 O1 7 (no key target); none before
    assert [(x.target, x.target_key) for x in q][-3:] == [(None, None), (7, None), (125, 120)]
    m = compute(portfolio(), "2026-08").portfolio.revenue_by_quarter
    assert (m[0].label, m[-1].label, m[-1].revenue) == ("2024-11", "2026-08", 110)   # Jun-Aug 2026: K1 100 + O1 10


# --------------------------------------------------------------------------
# movers, revenue at risk, headlines (SPEC §4)


def test_movers_at_most_five_each_ties_by_id():
    ch = {"F": Decimal(10), "B": Decimal(10), "A": Decimal(5), "C": Decimal("0.01"), "D": Decimal(7),
          "E": Decimal(1), "G": Decimal(0), "H": Decimal(-3), "I": Decimal(-30), "J": Decimal(-3)}
    up, down = E.movers(ch)
    # +10 B and F (tie: by id), +7 D, +5 A, +1 E; C's +0.01 is the sixth; G (0) is neither
    assert [(m.customer_id, m.change) for m in up] == [("B", 10), ("F", 10), ("D", 7), ("A", 5), ("E", 1)]
    assert [(m.customer_id, m.change) for m in down] == [("I", -30), ("H", -3), ("J", -3)]
    assert E.movers({}) == ((), ())


def test_engine_movers_revenue_at_risk_and_headlines():
    r = compute(portfolio(), "2026Q3")
    p = r.portfolio
    # revenue_q - revenue_pq: K1 100 - 200 = -100, K2 50 - 0 = +50, O1 10 - 10 = 0
    assert [(m.customer_id, m.change) for m in p.movers_up] == [("K2", 50)]
    assert [(m.customer_id, m.change) for m in p.movers_down] == [("K1", -100)]
    # both key accounts have a high risk: TTM 300 + 50
    assert p.revenue_at_risk == 350
    # nobody moved in or out of key; pyramid key 2/5 = 40 % vs 10 % (+30 points; other 40 % vs 60 %
    # is -20); time: key 120/210 = 57.1 % vs 60 %, other 30/210 = 14.3 % vs 10 %: within 10 points
    assert [(h.code, h.figure, h.unit, h.customers) for h in r.headlines] == [
        ("REVENUE_AT_RISK", 350, "money", ("K1", "K2")),
        ("NO_ACTION_PLAN", 2, "count", ("K1", "K2")),
        ("LARGEST_DROP", -100, "money", ("K1",)),
        ("RENEWALS_DUE", 1, "count", ("K2",)),
        ("PYRAMID_OFF_TARGET", pytest.approx(0.3), "ratio", ()),
    ]
    assert r.headlines[-1].group == "key"
    assert [said(h) for h in r.headlines] == [
        "¥350 of revenue (TTM) at risk on 2 key accounts with a high risk",
        "2 key accounts with a high risk have no plan: NK1 and NK2",
        "Largest drop: NK1, down ¥100 on the previous quarter",
        "1 agreement up for renewal within 90 days: NK2 (2026-10-20)",
        "Key accounts are 40.0% of customers (target 10%)"]
    zh = compute(portfolio(), "2026Q3", {"language": "zh"}).headlines
    assert [said(h, "zh") for h in zh] == [
        "2 家重点客户有高风险，涉及近12个月销售额 ¥350",
        "2 家有高风险的重点客户没有行动计划：NK1、NK2",
        "降幅最大：NK1，较上季度减少 ¥100",
        "1 份长期协议将在 90 天内到期：NK2（2026年10月20日）",
        "重点客户占客户总数的 40.0%（目标 10%）"]


def test_headlines_key_accounts_lost_first_and_at_most_five():
    d = portfolio()
    # L1's agreement ended on 08-01: key at 06-30, unattractive at 09-30 (no sales). W1 sells 1,000 in
    # September: ABC class A now (top_contributor), nothing at 06-30 -> won
    d = replace(d, customers=d.customers + (Customer("L1", "NL1", L, long_term_agreement=True,
                                                     contract_end=date(2026, 8, 1)),
                                            Customer("W1", "NW1", L)),
                sales=d.sales + (Sale("W1", date(2026, 9, 1), 1000, L),))
    r = compute(d, "2026Q3")
    assert [h.code for h in r.headlines] == [
        "KEY_ACCOUNTS_LOST", "REVENUE_AT_RISK", "NO_ACTION_PLAN", "LARGEST_DROP", "RENEWALS_DUE"]
    assert (r.headlines[0].figure, r.headlines[0].customers, said(r.headlines[0])) == (
        1, ("L1",), "1 key account lost: NL1")
    a = {x.customer_id: x for x in r.accounts}
    every = E.headlines(r.accounts, r.portfolio.movers_down, {"key": 3, "ordinary": 1, "other": 3},
                        {"key": Decimal(120), "ordinary": Decimal(60), "other": Decimal(30)},
                        r.period, r.settings, limit=99)
    won = next(h for h in every if h.code == "KEY_ACCOUNTS_WON")
    assert (a["W1"].tier_prev, a["W1"].tier) == ("unattractive", "key")
    assert (won.figure, won.customers, said(won)) == (1, ("W1",), "1 new key account: NW1")
    # the pyramid: key 3/7 = 42.9 % vs 10 %
    assert said(next(h for h in every if h.code == "PYRAMID_OFF_TARGET")) == \
        "Key accounts are 42.9% of customers (target 10%)"


def test_time_share_off_target_and_names_list():
    r = compute(portfolio(), "2026Q3")
    # key 30 of 300 minutes = 10 % vs 60 %: 50 points under; exactly 10 points off is not "more than"
    [h] = [h for h in E.headlines((), (), {"key": 1, "ordinary": 3, "other": 6},
                                  {"key": Decimal(30), "ordinary": Decimal(90), "other": Decimal(180)},
                                  r.period, r.settings, limit=99)]
    assert (h.code, h.group, h.figure, said(h)) == (
        "TIME_OFF_TARGET", "key", pytest.approx(-0.5), "Key accounts take 10.0% of the time (target 60%)")
    assert E.headlines((), (), {"key": 2, "ordinary": 3, "other": 5},
                       {"key": Decimal(50), "ordinary": Decimal(30), "other": Decimal(20)},
                       r.period, r.settings) == ()       # 20 % vs 10 %, 50 % vs 60 %: exactly 10 points
    named = [f"N{c}" for c in "ABCD"]
    assert sentences.names(named, "en") == "NA, NB, NC and 1 more"
    assert sentences.names(named, "zh") == "NA、NB、NC等"
    assert sentences.names(named[:2], "en") == "NA and NB"
