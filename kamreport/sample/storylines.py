"""Storylines: what happens to each customer of the sample, drawn before its records.

The portfolio is designed against SPEC §3–§4 for period 2026Q3 so that every
tier, ABC class, relationship type and risk code occurs (with about 60
customers or more):

- revenue follows a stratified log-normal (Pareto-like) with one dominant
  customer (> 20 % of revenue: CONCENTRATION), so about 7 % of customers are
  class A; designated, agreement and high-potential accounts add the other
  key accounts (≈ 13–14 % key in all);
- prospects have a wallet but no sales (attractive: tier prospect); the
  unattractive ones are small, shrinking and of little strategic fit; lapsed
  customers (last sale 2025Q3) and new wins (first sale 2026Q3) move tier;
- risk flags are given to a share of customers: sharp decline, low or
  falling satisfaction, neglected contact, an old open complaint, an expiring
  agreement, overdue actions, declining relationship, overdue receivables,
  and one key account without an account manager.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import NormalDist

from .vocab import PRODUCTS


@dataclass
class Storyline:
    """One customer's storyline, drawn before its records."""
    idx: int
    cid: str
    kind: str                      # active | new | lapsed | prospect | unattractive
    base: float = 0.0              # yearly revenue around the TTM
    growth: float = 0.0            # yearly trend
    step_down: bool = False        # lost a site at the start of 2026Q3
    flags: set[str] = field(default_factory=set)
    products: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()
    margin: float = 0.2


def counts(n: int) -> dict[str, int]:
    """Customers per storyline; at least one active customer."""
    def r(x: float) -> int:
        return int(x * n + 0.5)
    c = {"unattractive": r(0.08), "lapsed": r(0.03), "prospect": r(0.25), "new": r(0.02)}
    while sum(c.values()) > n - 1:
        k = max(c, key=lambda k: c[k])
        c[k] -= 1
    c["active"] = n - sum(c.values())
    return c


def storylines(n: int, rng: random.Random) -> list[Storyline]:
    per_kind = counts(n)
    kinds = [k for k in ("active", "new", "lapsed", "prospect", "unattractive") for _ in range(per_kind[k])]
    stories = [Storyline(i, f"C{i + 1:04d}", k) for i, k in enumerate(kinds)]
    rng.shuffle(stories)  # ids are not sorted by storyline
    for i, p in enumerate(stories):
        p.idx = i
        p.cid = f"C{i + 1:04d}"
    actives = [p for p in stories if p.kind == "active"]

    # Pareto-like revenue: stratified log-normal quantiles (stable shares for
    # any n and seed), median ¥600k a year, σ 1.8 so that about the top 8 %
    # hold 70 % of gross profit; then one dominant customer.
    m = len(actives)
    nd = NormalDist()
    ranks = list(range(m))
    rng.shuffle(ranks)
    for p, r in zip(actives, ranks):
        q = 1 - (r + 0.5) / m
        p.base = math.exp(math.log(6.0e5) + 1.8 * nd.inv_cdf(q)) * rng.uniform(0.93, 1.07)
    actives.sort(key=lambda p: -p.base)
    if m >= 3:
        # 0.3 × the others: about 23 % of the portfolio (> 20 %: CONCENTRATION).
        actives[0].base = 0.3 * sum(p.base for p in actives[1:])
        actives[0].flags.add("giant")
    a_zone = max(1, int(0.11 * m + 0.5))      # expected class A and a margin
    for p in actives[:a_zone]:
        p.flags.add("top")

    # Key accounts for other reasons than ABC, from the middle and the tail.
    pool = actives[a_zone:]
    rng.shuffle(pool)

    def take(flag: str, k: int) -> None:
        for p in pool[:k]:
            p.flags.add(flag)
        del pool[:k]

    def r(x: float, lo: int = 0) -> int:
        return max(lo, int(x * n + 0.5)) if m >= 10 else 0

    take("designated", r(0.015, 1))
    take("agreement", r(0.02, 2))            # active agreement, no other reason
    expiring = [p for p in actives if "agreement" in p.flags]
    for j, p in enumerate(expiring[:2]):
        p.flags.add("expiring_30" if j == 0 else "expiring_90")   # CONTRACT_EXPIRING high / medium
    take("high_potential", r(0.015, 1))
    take("agreement_ended_q3", r(0.01, 1))   # key at PQ, ordinary now: a move down
    take("agreement_expired", r(0.03))       # old agreement, long expired
    designated = [p for p in actives if "designated" in p.flags]
    if designated:
        designated[0].flags.add("no_manager")
    prospects = [p for p in stories if p.kind == "prospect"]
    if len(prospects) >= 8:
        prospects[0].flags.add("designated")  # leadership's new target: key without sales

    # Trends. Sharp decline (REVENUE_DROP) for ~12 % of actives, never the giant.
    for p in actives:
        u = rng.random()
        if "giant" in p.flags or "high_potential" in p.flags:
            p.growth = rng.uniform(0.06, 0.15) if "giant" in p.flags else rng.uniform(0.25, 0.45)
        elif u < 0.12:
            p.growth = rng.uniform(-0.55, -0.32)
            p.flags.add("decline")
            p.step_down = rng.random() < 0.4
        elif u < 0.27:
            p.growth = rng.uniform(-0.12, -0.03)
        elif u < 0.62:
            p.growth = rng.uniform(-0.03, 0.05)
        else:
            p.growth = rng.uniform(0.05, 0.30)

    # Risk storylines, independent of tier so every tier shows some.
    def mark(flag: str, share: float, among: list[Storyline], lo: int = 1) -> None:
        k = min(len(among), max(lo, int(share * len(among) + 0.5)))
        for p in rng.sample(among, k):
            p.flags.add(flag)

    plain = [p for p in actives if "giant" not in p.flags]
    keyish = [p for p in plain if p.flags & {"top", "designated", "agreement", "high_potential"}]
    ordinary = [p for p in plain if p not in keyish]
    mark("low_satisfaction", 0.05, plain)
    mark("satisfaction_drop", 0.04, [p for p in plain if "low_satisfaction" not in p.flags])
    mark("neglected", 0.12, keyish)
    mark("neglected", 0.06, ordinary)
    mark("open_complaint", 0.08, plain)
    mark("credit", 0.07, plain)
    credit = [p for p in plain if "credit" in p.flags]
    if credit:
        credit[0].flags.add("credit_high")
    mark("returns", 0.04, ordinary)
    mark("action_overdue", 0.35, keyish)
    # A few troubled accounts where everything goes wrong at once (health red).
    for p in rng.sample(plain, min(len(plain), max(1, int(0.03 * len(plain) + 0.5)))):
        p.flags |= {"troubled", "decline", "low_satisfaction", "neglected", "open_complaint", "stage_bad"}
        p.flags.discard("satisfaction_drop")
        p.growth = rng.uniform(-0.55, -0.40)
    for p in actives:
        if "decline" in p.flags and rng.random() < 0.6:
            p.flags.add("stage_bad")

    # Products and margins.
    for p in stories:
        k = 1 if p.base < 4e5 else 2 if p.base < 2e6 else rng.randint(3, 4)
        if p.kind != "active":
            k = rng.randint(1, 2)
        p.products = tuple(sorted(rng.sample(range(len(PRODUCTS)), k)))
        w = [rng.uniform(0.5, 1.5) for _ in p.products]
        p.weights = tuple(x / sum(w) for x in w)
        p.margin = rng.uniform(0.12, 0.32)
    for p in stories:
        if p.kind == "new":
            p.base = rng.uniform(1.5e5, 6e5)
            p.growth = 0.0
        elif p.kind == "lapsed":
            p.base = rng.uniform(1e5, 4e5)
            p.growth = rng.uniform(-0.3, -0.1)
    return stories
