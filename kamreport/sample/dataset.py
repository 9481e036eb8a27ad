"""The sample portfolio as reader records, one function per sheet.

`sample_dataset()` draws the storylines from `random.Random(seed)` (never the
wall clock), then each customer's records from a generator of its own, sheet
by sheet: customer, contacts, sales, activities, surveys, action plans,
competitors. Numbers do not depend on the language: names come from a second
generator that draws the same indices in both (see `vocab`), so the zh and en
samples of one seed hold the same figures.

The order of the draws is the sample: calling the sheet functions in another
order, or drawing once more or less in one of them, changes every later
record of that customer (`tests/test_sample.py` compares the committed
sample workbooks with a fresh one cell by cell).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..errors import KamError
from ..inputs import schema
from ..model import Activity, Birthday, Competitor, Contact, Customer, Dataset, Loc, Plan, Sale, Staff, Survey, \
    TargetRow
from .storylines import Storyline, storylines
from .vocab import (ACTIONS, ACTIVITY_WEIGHTS, CITIES, COMPETITORS, CONCERNS, INDUSTRIES, MINUTES, OBJECTIVES,
                    PRODUCTS, REGIONS, STRENGTHS, SUMMARIES, SURVEY_COMMENTS, TITLES, WEAKNESSES, Names, pick)

AS_OF = date(2026, 9, 30)
MONTHS = tuple(date(2024 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(24))  # 2024-10 … 2026-09
FIRST_DAY = MONTHS[0]
SAMPLE_FILE = "sample"
MAX_CUSTOMERS = 2500

# Header row (1-based) per sheet: a title row (and a note) above some tables,
# as in real exports; the reader finds the header among the first 10 rows.
HEADER_ROW = {"Customers": 3, "Sales": 2}

# Seasonality of facility-services revenue: Spring Festival dip in February,
# summer cooling (energy management) and year-end project work in December.
SEASON = {1: 0.97, 2: 0.88, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.03, 7: 1.06, 8: 1.06,
          9: 1.02, 10: 0.98, 11: 1.0, 12: 1.12}

KEY_FLAGS = frozenset({"top", "designated", "agreement", "high_potential", "giant"})


@dataclass(frozen=True)
class Team:
    """Our side of the portfolio: the people the customers' records name."""
    managers: tuple[tuple[str, str], ...]    # account managers: (name, e-mail local part)
    sponsors: tuple[str, ...]                # executive sponsors of key accounts
    sales: tuple[tuple[str, str], ...]       # sales managers, one per group of regions
    engineers: tuple[str, ...]               # owners of service and complaint activities


@dataclass(frozen=True)
class Account:
    """One customer as every one of its sheets sees it, drawn before them."""
    story: Storyline
    lang: str
    key: bool                   # key for some reason (ABC, designated, agreement, potential)
    industry: int               # index into INDUSTRIES
    name: str
    domain: str                 # its contacts' e-mail domain
    city: int                   # index into CITIES
    manager: str | None         # account manager
    sales_manager: str

    @property
    def cid(self) -> str:
        return self.story.cid

    @property
    def flags(self) -> set[str]:
        return self.story.flags

    @property
    def kind(self) -> str:
        return self.story.kind

    def text(self, pair: tuple[str, str]) -> str:
        return pick(self.lang, pair)


def _loc(sheet: str, i: int) -> Loc:
    """Where the i-th record of a sheet is written."""
    return Loc(SAMPLE_FILE, sheet, HEADER_ROW.get(sheet, 1) + 1 + i)


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _money(x: float) -> float:
    """Monthly fees are quoted in hundreds of yuan."""
    return float(round(x / 100) * 100)


def _check(lang: str, customers: int) -> None:
    if lang not in ("zh", "en"):
        raise KamError("init.lang", value=lang)
    if customers < 1:
        raise KamError("init.customers_min", n=customers).stamp(lang)
    if customers > MAX_CUSTOMERS:
        # ≈ 340 activities per customer: more would overflow the Activities
        # sheet (Excel holds 1,048,576 rows per sheet).
        raise KamError("init.customers_max", n=customers, limit=MAX_CUSTOMERS).stamp(lang)


def sample_dataset(lang: str = "zh", customers: int = 150, seed: int = 1) -> Dataset:
    """The sample portfolio as reader records (canonical values, no messy text)."""
    _check(lang, customers)
    stories = storylines(customers, random.Random(seed))
    names = Names(lang, random.Random(f"kamreport-names-{seed}"))
    team = _team(names, customers)
    masters: list[Customer] = []
    contacts: list[Contact] = []
    sales: list[Sale] = []
    activities: list[Activity] = []
    surveys: list[Survey] = []
    plans: list[Plan] = []
    competitors: list[Competitor] = []
    for story in stories:
        prng = random.Random(seed * 1_000_003 + story.idx)   # per customer: independent streams
        a = _account(story, lang, prng, names, team)
        masters.append(_customer(a, prng, team, len(masters)))
        people = _contacts(a, prng, names, len(contacts))
        contacts += people
        sales += _sales(a, prng, len(sales))
        activities += _activities(a, prng, team, [c.name for c in people], len(activities))
        surveys += _surveys(a, prng, len(surveys))
        plans += _action_plans(a, prng, len(plans))
        competitors += _competitors(a, prng, len(competitors))
    return Dataset(
        inputs=(), customers=tuple(masters), sales=tuple(sales), activities=tuple(activities),
        contacts=tuple(contacts), surveys=tuple(surveys), plans=tuple(plans),
        competitors=tuple(competitors), staff=_staff(team, lang),
        settings=tuple((k, v, _loc("Settings", i)) for i, (k, v) in enumerate(_settings(lang))),
        has_gross_profit=True, language=lang)


def _team(names: Names, customers: int) -> Team:
    n_managers = min(10, max(6, customers // 18))
    managers = tuple(names.person() for _ in range(n_managers))
    sponsors = tuple(names.person()[0] for _ in range(4))
    sales = tuple(names.person() for _ in range(3))
    engineers = tuple(names.person()[0] for _ in range(6))
    return Team(managers, sponsors, sales, engineers)


def _account(p: Storyline, lang: str, prng: random.Random, names: Names, team: Team) -> Account:
    ind = prng.randrange(len(INDUSTRIES))
    if "giant" in p.flags:
        ind = 0   # the dominant customer of a facility-services firm: a developer
    name, domain, ci = names.company(ind)
    am = None if "no_manager" in p.flags else team.managers[prng.randrange(len(team.managers))][0]
    if p.kind == "prospect" and prng.random() < 0.3:
        am = None
    sm = team.sales[CITIES[ci][2] % 3][0]
    return Account(p, lang, bool(p.flags & KEY_FLAGS), ind, name, domain, ci, am, sm)


# --------------------------------------------------------------------------
# Customers

def _customer(a: Account, prng: random.Random, team: Team, row: int) -> Customer:
    since, lta, cend = _since_and_agreement(a, prng)
    market, growth, fit, pos = _potential(a, prng)
    stage, rtype = _relationship(a, prng)
    notes = _notes(a, prng, since)
    ind_pair = INDUSTRIES[a.industry][:2]
    return Customer(
        customer_id=a.cid, name=a.name, loc=_loc("Customers", row),
        industry=a.text(ind_pair), region=a.text(REGIONS[CITIES[a.city][2]]), account_manager=a.manager,
        executive_sponsor=team.sponsors[prng.randrange(len(team.sponsors))] if a.key else None,
        sales_manager=a.sales_manager if a.kind != "unattractive" else None,
        since=since, long_term_agreement=lta, contract_end=cend, designated_key="designated" in a.flags,
        market_size=market, market_growth=growth, strategic_fit=fit, industry_position=pos,
        relationship_stage=stage, relationship_type=rtype, notes=notes)


def _since_and_agreement(a: Account, prng: random.Random) -> tuple[date | None, bool, date | None]:
    """Customer since; long-term agreement and its end (CONTRACT_EXPIRING, key by agreement)."""
    flags = a.flags
    since = None
    if a.kind in ("active", "lapsed"):
        since = _day_in(prng, date(2012, 1, 1), date(2024, 6, 30))
        if "top" in flags or a.key:
            since = _day_in(prng, date(2010, 1, 1), date(2021, 12, 31))
    elif a.kind == "new":
        since = _day_in(prng, date(2026, 6, 1), date(2026, 7, 20))
    lta, cend = False, None
    if "agreement" in flags or ("top" in flags and prng.random() < 0.6) or "giant" in flags:
        lta = True
        cend = _day_in(prng, date(2027, 1, 1), date(2029, 12, 31))
        if prng.random() < 0.15:
            cend = None   # open-ended agreement
    if "expiring_30" in flags:
        cend = AS_OF + timedelta(days=prng.randint(8, 30))
    if "expiring_90" in flags:
        cend = AS_OF + timedelta(days=prng.randint(31, 90))
    if "agreement_ended_q3" in flags:
        lta, cend = True, _day_in(prng, date(2026, 7, 10), date(2026, 9, 20))
    if "agreement_expired" in flags:
        lta, cend = True, _day_in(prng, date(2024, 6, 1), date(2026, 3, 31))
    return since, lta, cend


def _potential(a: Account, prng: random.Random) -> tuple[float | None, float | None, int | None, int]:
    """Market size, market growth, strategic fit and industry position (attractiveness)."""
    p = a.story
    if p.kind in ("active", "new", "lapsed"):
        sow = prng.uniform(0.15, 0.75)
        if "high_potential" in p.flags:
            sow = prng.uniform(0.04, 0.08)
        market = p.base / sow
        growth = prng.uniform(-0.05, 0.10)
        if "decline" in p.flags:
            growth = prng.uniform(-0.08, 0.02)
        if "high_potential" in p.flags:
            growth = prng.uniform(0.22, 0.35)
        if p.kind == "lapsed":
            market, growth = prng.uniform(2e5, 6e5), prng.uniform(-0.10, -0.02)
        fit, pos = prng.randint(2, 5), prng.randint(2, 5)
        if p.kind == "lapsed":
            fit, pos = 1, prng.randint(1, 2)
    elif p.kind == "prospect":
        market = math.exp(math.log(3e6) + 0.8 * prng.gauss(0.0, 1.0))
        growth = prng.uniform(0.04, 0.20)
        fit, pos = prng.randint(3, 5), prng.randint(2, 5)
    else:
        market = prng.uniform(5e4, 3e5)
        growth = prng.uniform(-0.08, 0.01)
        fit, pos = prng.randint(1, 2), prng.randint(1, 2)
    market_size: float | None = float(round(market / 10000) * 10000)
    market_growth: float | None = round(growth, 3)
    strategic_fit: int | None = fit
    if prng.random() < 0.08 and not p.flags & {"high_potential", "giant"}:
        market_size = None
    if prng.random() < 0.06 and not p.flags & {"high_potential"}:
        market_growth = None
    if prng.random() < 0.05 and p.kind != "unattractive":
        strategic_fit = None
    return market_size, market_growth, strategic_fit, pos


def _relationship(a: Account, prng: random.Random) -> tuple[str | None, str | None]:
    """Relationship stage and type."""
    kind, flags = a.kind, a.flags
    if kind == "prospect":
        stage = prng.choice(("developing", "limited", None))
    elif kind in ("unattractive", "lapsed"):
        stage = prng.choice(("limited", "declining", None)) if kind == "lapsed" else prng.choice(("limited", None))
    elif "stage_bad" in flags:
        stage = prng.choice(("defensive", "declining"))
    elif a.key:
        stage = prng.choice(("very_strong", "good", "good", "developing"))
    else:
        stage = prng.choice(("good", "developing", "developing", "limited", None))
    rtype = None
    if "giant" in flags or ("top" in flags and prng.random() < 0.2):
        rtype = "strategic_alliance"
    elif prng.random() < 0.3 and kind in ("active", "new"):
        rtype = prng.choice(("vendor", "preferred_supplier", "partner")) if a.key else \
            prng.choice(("vendor", "vendor", "preferred_supplier"))
    return stage, rtype


def _notes(a: Account, prng: random.Random, since: date | None) -> str | None:
    """A short Markdown note: industry, services bought, what the customer cares about."""
    ind_pair = INDUSTRIES[a.industry][:2]
    concern = prng.choice(CONCERNS)
    products = a.story.products
    if a.lang == "zh":
        prods = "、".join(PRODUCTS[i][0] for i in products)
        notes = f"**{ind_pair[0]}**客户。\n\n- 主要服务：{prods}\n- 关注点：{concern[0]}"
        if since:
            notes = f"**{ind_pair[0]}**客户，{since.year}年开始合作。\n\n- 主要服务：{prods}\n- 关注点：{concern[0]}"
    else:
        prods = ", ".join(PRODUCTS[i][1] for i in products)
        notes = f"**{ind_pair[1]}** client.\n\n- Services: {prods}\n- Cares about: {concern[1]}"
        if since:
            notes = f"**{ind_pair[1]}** client since {since.year}.\n\n- Services: {prods}\n- Cares about: {concern[1]}"
    if prng.random() < 0.25:
        return None
    return notes


# --------------------------------------------------------------------------
# Contacts

def _contacts(a: Account, prng: random.Random, names: Names, first: int) -> list[Contact]:
    key, kind = a.key, a.kind
    nc = prng.randint(4, 8) if key else prng.randint(2, 4) if kind in ("active", "new") else \
        prng.randint(1, 3) if kind in ("prospect", "lapsed") else prng.randint(0, 1)
    titles = prng.sample(range(len(TITLES)), min(nc, len(TITLES)))
    if key and not {0, 1, 2} & set(titles):
        titles[-1] = prng.choice((0, 2))   # a key account's map shows a decision maker
    out = []
    for j, t in enumerate(titles):
        nm, local = names.person()
        title = TITLES[t]
        role = title[2] if prng.random() < 0.75 else prng.choice(schema.CONTACT_ROLE.keys)
        att = prng.choices(("supporter", "neutral", "opponent"), (5, 4, 1))[0]
        if "stage_bad" in a.flags and j == 0:
            att = "opponent"
        infl = max(1, min(5, title[3] + prng.choice((-1, 0, 0, 1))))
        y = prng.randint(1965, 1998) if prng.random() < 0.5 else None
        mo, d = prng.randint(1, 12), prng.randint(1, 28)
        if key and j == 0:
            # the first contact of a key account: a birthday in October–December
            mo, d = prng.choice(((10, prng.randint(1, 31)), (11, prng.randint(1, 30)), (12, prng.randint(1, 28))))
        bday = Birthday(mo, d, y) if prng.random() < 0.85 else None
        out.append(Contact(
            customer_id=a.cid, name=nm, loc=_loc("Contacts", first + j), title=a.text(title[:2]),
            role=role, attitude=att, influence=infl, birthday=bday,
            email=f"{local}@{a.domain}" if prng.random() < 0.9 else None,
            phone=f"+86 1{prng.choice('3578')}{prng.randint(0, 9)} {prng.randint(1000, 9999)} {prng.randint(1000, 9999)}"))
    if "giant" in a.flags and out:
        # a leap-day birthday (care calendar: 28 Feb in other years)
        out[-1] = replace(out[-1], birthday=Birthday(2, 29, 1988))
    return out


# --------------------------------------------------------------------------
# Sales

def _sales(a: Account, prng: random.Random, first: int) -> list[Sale]:
    """Monthly revenue per product: trend, season, noise; returns and overdue receivables."""
    p = a.story
    months = range(24)
    if p.kind == "new":
        months = range(21, 24)
    elif p.kind == "lapsed":
        months = range(0, prng.randint(9, 11) + 1)
    elif p.kind in ("prospect", "unattractive"):
        months = range(0)
    out: list[Sale] = []
    ttm_rev = 0.0
    last_month = None
    for mi in months:
        mo = MONTHS[mi]
        level = p.base / 12 * (1 + p.growth) ** ((mi - 17.5) / 12) * SEASON[mo.month]
        if p.step_down and mi >= 21:
            level *= 0.55
        if p.kind == "new":
            level *= (0.5, 0.8, 1.0)[mi - 21]
        level *= prng.uniform(0.92, 1.08)
        rows = []
        for prod, w in zip(p.products, p.weights):
            rev = _money(level * w)
            gp = float(round(rev * p.margin * prng.uniform(0.9, 1.1)))
            rows.append([rev, gp, prod, None])
        if "returns" in p.flags and mi == 14:
            # a credit note larger than the month's fees: a negative month
            ret = -_money(level * 1.4)
            rows.append([ret, float(round(ret * p.margin)), p.products[0], None])
        if mi >= 12:
            ttm_rev += sum(r[0] for r in rows)
        if prng.random() < 0.08 and mi < 23:
            rows[0][3] = _money(level * prng.uniform(0.2, 0.6))
        if mi == 23:
            last_month = rows
        for rev, gp, prod, od in rows:
            out.append(Sale(p.cid, mo, rev, _loc("Sales", first + len(out)), gp, a.text(PRODUCTS[prod]), od))
    if last_month is not None and "credit" in p.flags:
        share = 0.15 if "credit_high" in p.flags else prng.uniform(0.01, 0.05)
        i0 = len(out) - len(last_month)
        out[i0] = out[i0]._replace(overdue_amount=_money(max(ttm_rev, 1e4) * share))
    return out


# --------------------------------------------------------------------------
# Activities (complaints and service work included)

def _activity_days(a: Account, prng: random.Random) -> list[tuple[date, str]]:
    """(date, type) of every activity in date order; "complaint!" is one still open."""
    p, key = a.story, a.key
    if key:
        na = int(1200 * prng.uniform(0.7, 1.3))
        start = FIRST_DAY
    elif p.kind == "active":
        na = int(480 * prng.uniform(0.6, 1.4) * min(1.0, 0.5 + p.base / 1.5e6))
        start = FIRST_DAY
    elif p.kind == "new":
        na, start = prng.randint(30, 60), date(2026, 4, 1)
    elif p.kind == "lapsed":
        na, start = prng.randint(20, 60), FIRST_DAY
    elif p.kind == "prospect":
        na, start = (prng.randint(0, 30) if prng.random() < 0.7 else 0), FIRST_DAY
    else:
        na, start = prng.randint(0, 6), FIRST_DAY
    if "designated" in p.flags and p.kind == "prospect":
        na = prng.randint(40, 80)
    end = AS_OF if p.kind != "lapsed" else date(2025, 10, 31)
    touch_end = end
    if "neglected" in p.flags:
        # key cadence 30 days, ordinary 90: 45–75 / 100–200 days without a touch
        touch_end = AS_OF - timedelta(days=prng.randint(45, 75) if key else prng.randint(100, 200))
        if "troubled" in p.flags:   # beyond 3 × cadence: engagement 0
            touch_end = AS_OF - timedelta(days=prng.randint(95, 120) if key else prng.randint(280, 330))
    span = (end - start).days
    types = [t for t, _ in ACTIVITY_WEIGHTS]
    tweights = [w for _, w in ACTIVITY_WEIGHTS]
    days = []
    for _ in range(na):
        t = prng.choices(types, tweights)[0]
        d = start + timedelta(days=prng.randint(0, span))
        if t in schema.TOUCH_TYPES and d > touch_end:
            t = "email" if prng.random() < 0.5 else "service"
        days.append((d, t))
    if "open_complaint" in p.flags:
        days.append((AS_OF - timedelta(days=prng.randint(20, 60)), "complaint!"))
    days.sort(key=lambda day: day[0])
    return days


def _activities(a: Account, prng: random.Random, team: Team, people: list[str], first: int) -> list[Activity]:
    out = []
    for d, t in _activity_days(a, prng):
        still_open = t == "complaint!"
        t = t.rstrip("!")
        resolved = None
        if t == "complaint" and not still_open:
            resolved = d + timedelta(days=prng.randint(0, 12))   # within 14 days: not OPEN_COMPLAINT
        elif t == "service":
            resolved = d + timedelta(days=prng.choice((0, 0, 1, 2, 5, 20)))
        if resolved is not None and resolved > AS_OF:
            resolved = None   # exported at as_of: not resolved yet
        lo, hi = MINUTES[t]
        minutes = float(prng.randint(lo, hi)) if prng.random() < 0.95 else 0.0
        owner = team.engineers[prng.randrange(len(team.engineers))] if t in ("service", "complaint") else \
            (a.manager if a.manager and prng.random() < 0.8 else a.sales_manager)
        contact = prng.choice(people) if people and prng.random() < 0.85 else None
        tmpl = prng.choice(SUMMARIES[t])
        summ = a.text(tmpl).format(p=a.text(PRODUCTS[prng.choice(a.story.products)]),
                                   c=contact or a.text(("客户", "the client")))
        out.append(Activity(a.cid, d, t, _loc("Activities", first + len(out)), owner, contact,
                            minutes, resolved, summ))
    return out


# --------------------------------------------------------------------------
# Surveys: key accounts every quarter (often two respondents), ordinary
# customers twice a year.

def _surveys(a: Account, prng: random.Random, first: int) -> list[Survey]:
    p, key = a.story, a.key
    if p.kind not in ("active", "new"):
        return []
    out: list[Survey] = []
    step = 3 if key else 6
    sat = prng.uniform(6.8, 9.4)
    survey_months = [mi for mi in range(2, 24, step)] if p.kind == "active" else [23]
    for k, mi in enumerate(survey_months):
        last = k == len(survey_months) - 1
        score = sat + prng.uniform(-0.5, 0.5)
        if "low_satisfaction" in p.flags and last:
            score = prng.uniform(4.0, 5.8)
        if "satisfaction_drop" in p.flags:
            score = prng.uniform(8.6, 9.4) if not last else prng.uniform(6.0, 6.5)
        d = MONTHS[mi] + timedelta(days=prng.randint(9, 24))
        for _ in range(2 if key and prng.random() < 0.4 else 1):
            s = round(max(0.0, min(10.0, score + prng.uniform(-0.1, 0.1))), 1)
            if "satisfaction_drop" in p.flags and not last:
                s = max(s, 8.6)
            nps = max(0, min(10, round(s + prng.uniform(-1.5, 1.0)))) if prng.random() < 0.9 else None
            comment = a.text(prng.choice(SURVEY_COMMENTS)) if prng.random() < 0.3 else None
            out.append(Survey(p.cid, d, s, _loc("Surveys", first + len(out)), nps, comment))
    return out


# --------------------------------------------------------------------------
# Action plans

def _first_objective(flags: set[str]) -> int | None:
    """The objective (index into OBJECTIVES) that answers the customer's storyline, if any."""
    if "credit" in flags:
        return 6
    if flags & {"expiring_30", "expiring_90", "agreement_ended_q3"}:
        return 0
    if flags & {"low_satisfaction", "satisfaction_drop"}:
        return 1
    if "open_complaint" in flags:
        return 4
    if "high_potential" in flags:
        return 2
    return None


def _action_plans(a: Account, prng: random.Random, first: int) -> list[Plan]:
    p, key = a.story, a.key
    n_plans = prng.randint(3, 6) if key else (prng.randint(1, 2) if p.kind == "active" and prng.random() < 0.4 else 0)
    overdue_left = 1 if "action_overdue" in p.flags else 0
    answer = _first_objective(p.flags)
    owner = a.manager or a.sales_manager
    out = []
    for j in range(n_plans):
        obj, acts_for = OBJECTIVES[answer] if j == 0 and answer is not None else prng.choice(OBJECTIVES)
        act = ACTIONS[prng.choice(acts_for)]
        due = _day_in(prng, date(2025, 10, 1), date(2027, 3, 31))
        done = None
        if overdue_left and j == 0:
            due = _day_in(prng, date(2026, 5, 1), date(2026, 9, 15))
            status = "open"
            overdue_left = 0
        elif due < AS_OF:
            u = prng.random()
            if u < 0.12:
                status = "cancelled"
            else:
                status = "done"
                late = prng.random() < 0.25
                done = due + timedelta(days=prng.randint(3, 40)) if late else due - timedelta(days=prng.randint(0, 20))
                if done > AS_OF:
                    done = AS_OF - timedelta(days=prng.randint(0, 5))
        else:
            status = "done" if prng.random() < 0.1 else "open"
            if status == "done":
                done = AS_OF - timedelta(days=prng.randint(0, 60))
        out.append(Plan(p.cid, a.text(obj), a.text(act), _loc("Plans", first + j), owner, due, status, done))
    return out


# --------------------------------------------------------------------------
# Competitors

def _competitors(a: Account, prng: random.Random, first: int) -> list[Competitor]:
    ncomp = prng.randint(1, 3) if a.key else (prng.randint(0, 2) if a.kind in ("active", "prospect") else 0)
    out = []
    for j, ci in enumerate(prng.sample(range(len(COMPETITORS)), ncomp)):
        share = round(prng.uniform(0.05, 0.35), 2) if prng.random() < 0.9 else None
        out.append(Competitor(a.cid, a.text(COMPETITORS[ci]), _loc("Competitors", first + j), share,
                              a.text(prng.choice(STRENGTHS)), a.text(prng.choice(WEAKNESSES))))
    return out


# --------------------------------------------------------------------------
# Targets, Staff, Settings

def target_rows(data: Dataset) -> list[TargetRow]:
    """Quarterly targets for the customers that buy most (as a sales team sets
    them): the quarter's revenue times a factor from 0.85 to 1.25, rounded to
    thousands, for the last two quarters of the sample (deterministic)."""
    by_quarter: dict[tuple[str, str], float] = {}
    for s_ in data.sales:
        q = f"{s_.month.year}Q{(s_.month.month - 1) // 3 + 1}"
        by_quarter[(s_.customer_id, q)] = by_quarter.get((s_.customer_id, q), 0.0) + s_.revenue
    quarters = sorted({q for _, q in by_quarter})[-2:]
    ttm: dict[str, float] = {}
    for (cid, q), v in by_quarter.items():
        if q in quarters:
            ttm[cid] = ttm.get(cid, 0.0) + v
    top = sorted((c for c in ttm if ttm[c] > 0), key=lambda c: (-ttm[c], c))[:max(1, len(ttm) // 4)]
    rows = []
    for cid in sorted(top):
        for q in quarters:
            v = by_quarter.get((cid, q), 0.0)
            factor = 0.85 + (sum(map(ord, cid + q)) % 41) / 100
            rows.append(TargetRow(cid, q, float(max(1000, round(v * factor, -3))), Loc("", "", 0)))
    return rows


def _staff(team: Team, lang: str) -> tuple[Staff, ...]:
    """The team list (SPEC §6 "Manager packs"): the sales managers lead the
    regions; each account manager works in the region of the manager listed
    beside them (a team name, not a rule of the sample's data)."""
    suffix = "大客户部" if lang == "zh" else " key accounts"
    return tuple(Staff(name, _loc("Staff", i), f"{local}@huaxin-fm.example.com", pick(lang, REGIONS[i % 3]) + suffix)
                 for i, (name, local) in enumerate(team.sales + team.managers))


def _settings(lang: str) -> list[tuple[str, str]]:
    if lang == "zh":
        return [("company", "华信物业服务集团"), ("report_title", "重点客户季度经营回顾"),
                ("language", "zh"), ("currency", "CNY"), ("brand_color", "#1f4e79"),
                ("mail_to", "kam-leaders@example.com"), ("mail_subject", "重点客户季度回顾")]
    return [("company", "Huaxin Property Services Group"), ("report_title", "Key Account Quarterly Review"),
            ("language", "en"), ("currency", "CNY"), ("brand_color", "#1f4e79"),
            ("mail_to", "kam-leaders@example.com"), ("mail_subject", "Key account quarterly review")]
