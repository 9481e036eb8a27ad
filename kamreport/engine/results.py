"""What the engine computes (SPEC §2–§4): frozen dataclasses, no logic.

The engine words nothing: a risk, a headline or a health basis carries its
code and the facts it quotes (`params`), and kamreport.texts words them in
the language of the page that prints them.

`classify.py` and `evaluate.py` fill these; `summary.py` serialises them to
summary.json; `views.py` turns them into template contexts. Money is float
(unrounded here; rounding happens on output), ratios are fractions, scores
0–100. `None` wherever the spec says null / undefined.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .settings import Settings


@dataclass(frozen=True)
class Period:
    label: str                 # "2026Q3" or "2026-08"
    kind: str                  # "quarter" | "month"
    as_of: date                # last day of the period
    q: tuple[date, ...]        # the 3 months of Q (first days), oldest first
    pq: tuple[date, ...]
    yq: tuple[date, ...]
    ttm: tuple[date, ...]      # 12 months ending with Q's last month


@dataclass(frozen=True)
class PillarInputs:
    """The numbers behind each pillar, so reports can explain the score."""
    revenue_ttm_pr: float | None = None
    gross_profit_ttm_pr: float | None = None
    headroom: float | None = None
    headroom_pr: float | None = None
    market_growth: float | None = None
    market_growth_pr: float | None = None
    strategic_fit: int | None = None
    industry_position: int | None = None


@dataclass(frozen=True)
class Risk:
    code: str                  # REVENUE_DROP, …
    severity: str              # high | medium
    # What its message and its next step (SPEC §4 "Next step per risk") quote,
    # by name: exact figures (Fraction), days, dates, money, people; worded
    # by texts.sentences.risk_message / next_step.
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthComponent:
    name: str                  # growth | satisfaction | engagement | service | execution
    weight: float
    value: float | None        # 0–100, None when missing
    params: dict[str, Any] = field(default_factory=dict)   # its inputs, worded by texts.sentences.health_basis


@dataclass(frozen=True)
class CareItem:
    customer_id: str
    name: str                  # customer name
    kind: str                  # birthday | contract_end
    date: date
    who: str | None = None     # contact name for a birthday
    days: int = 0              # days after as_of


@dataclass(frozen=True)
class QuarterRevenue:
    label: str                 # "2026Q3"
    revenue: float
    gross_profit: float | None


@dataclass(frozen=True)
class HistoryPoint:
    """One account at the end of one period (SPEC §4 History)."""
    period: str                # "2026Q3" / "2026-08": the period ending at as_of
    as_of: date
    tier: str
    health: float | None
    health_band: str | None
    revenue_q: float


@dataclass(frozen=True)
class PortfolioQuarter:
    """One 3-month window of the portfolio's revenue trend (SPEC §4 History)."""
    label: str                 # "2026Q3"
    revenue: float             # all customers
    revenue_key: float         # the key accounts (tier at as_of)
    target: float | None       # every target value in the window; None when none
    target_key: float | None   # the key accounts' targets in the window


@dataclass(frozen=True)
class Mover:
    customer_id: str
    change: float              # revenue_q − revenue_pq


@dataclass(frozen=True)
class Headline:
    """One computed headline of the executive summary (SPEC §4 Headlines)."""
    code: str                  # KEY_ACCOUNTS_LOST, REVENUE_AT_RISK, …
    figure: float              # its number, in `unit`
    unit: str                  # count | money | ratio (a share's distance from its target, signed)
    customers: tuple[str, ...]  # the customers it names (customer_id), most important first
    params: dict[str, Any] = field(default_factory=dict)   # what its sentence quotes (texts.sentences.headline)
    group: str | None = None   # PYRAMID/TIME_OFF_TARGET: key | ordinary | other


@dataclass(frozen=True)
class Account:
    customer_id: str
    name: str
    account_manager: str | None
    executive_sponsor: str | None
    sales_manager: str | None
    industry: str | None
    region: str | None
    # classification (§3)
    tier: str                          # key | ordinary | prospect | unattractive
    tier_prev: str
    move: str                          # up | down | same
    key_reasons: tuple[str, ...]
    abc_class: str                     # A | B | C | N
    abc_basis_value: float | None
    abc_cum_share_before: float | None
    score: float
    pillars: dict[str, float | None]   # value, potential, strategic
    pillar_inputs: PillarInputs
    attractiveness: str                # high | medium | low
    relationship_stage: str | None
    relationship_type: str
    relationship_type_source: str      # input | inferred
    tenure_years: float | None
    share_of_wallet: float | None
    headroom: float | None
    market_size: float | None
    long_term_agreement: bool
    contract_end: date | None
    designated_key: bool
    # money (§3)
    revenue_q: float
    revenue_pq: float
    revenue_yq: float
    revenue_ttm: float
    gross_profit_ttm: float | None
    revenue_by_quarter: tuple[QuarterRevenue, ...]   # 8 quarters (or 3-month windows), oldest first
    # evaluation (§4)
    growth_qoq: float | None
    growth_yoy: float | None
    days_since_touch: int | None
    cadence: int | None
    touches_q: int
    minutes_q: float
    complaints_ttm: int
    resolved_ttm: int
    open_complaints: int
    mean_resolution_days: float | None
    latest_satisfaction: float | None
    prev_satisfaction: float | None
    health: float | None
    health_band: str | None            # green | amber | red | insufficient (coverage < 0.5)
    health_components: tuple[HealthComponent, ...]
    risks: tuple[Risk, ...]
    overdue_actions: int
    care: tuple[CareItem, ...]
    notes: str | None                  # markdown source
    # v1.1 (SPEC §4): defaults so that hand-built Accounts (tests) need not name them
    health_coverage: float | None = None   # sum of the weights of the present components; None unscored
    target_q: float | None = None          # sum of the target values in Q's months; None when none
    attainment_q: float | None = None      # revenue_q / target_q when target_q > 0
    history: tuple[HistoryPoint, ...] = ()  # as_of, then 3, 6, 9 months earlier (newest first)


@dataclass(frozen=True)
class ManagerCard:
    account_manager: str
    key: int
    ordinary: int
    revenue_q: float
    growth_qoq: float | None
    satisfaction: float | None
    cadence_compliance: float | None
    overdue_actions: int
    high_risks: int
    target_q: float | None = None      # over the manager's customers that have a target_q
    attainment_q: float | None = None  # their revenue_q / their target_q


@dataclass(frozen=True)
class Portfolio:
    customers: int
    tiers: dict[str, int]              # key, ordinary, prospect, unattractive
    tier_share: dict[str, float]       # key, ordinary, other (fractions of customers)
    revenue_q: float
    revenue_pq: float
    revenue_yq: float
    revenue_ttm: float
    gross_profit_ttm: float | None
    growth_qoq: float | None
    growth_yoy: float | None
    nps: float | None                  # -100..100
    minutes_q: dict[str, float]        # key, ordinary, other
    time_share: dict[str, float | None]  # key, ordinary, other (fractions)
    migrations: dict[str, dict[str, int]]  # tier_prev -> tier -> count
    abc_counts: dict[str, int]         # A, B, C, N
    # v1.1 (SPEC §4)
    target_q: float | None = None      # over the customers that have a target_q
    attainment_q: float | None = None
    revenue_by_quarter: tuple[PortfolioQuarter, ...] = ()   # 8 windows ending with Q, oldest first
    movers_up: tuple[Mover, ...] = ()     # ≤ 5, largest revenue_q − revenue_pq > 0 first (ties: customer_id)
    movers_down: tuple[Mover, ...] = ()   # ≤ 5, largest decrease first
    revenue_at_risk: float = 0.0          # revenue_ttm of the key accounts with a high risk


@dataclass(frozen=True)
class Result:
    period: Period
    settings: Settings
    accounts: tuple[Account, ...]      # sorted: tier order, score desc, customer_id
    portfolio: Portfolio
    managers: tuple[ManagerCard, ...]
    care: tuple[CareItem, ...]         # portfolio care calendar, by date
    extra: dict = field(default_factory=dict)
    headlines: tuple[Headline, ...] = ()   # ≤ 5, most important first (SPEC §4)
