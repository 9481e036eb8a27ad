"""Exact arithmetic for the engine (SPEC §3, §4): the decimals users typed
and the fractions the rules compute with.

Money is summed as `Decimal` of each cell's shortest decimal form, so a sum
does not depend on the order of the rows and a cut at exactly 70 % is
exactly 70 %; ratios, pillars and scores are `Fraction`s, so "rounded
half-up to one decimal" rounds the true value (72.25 gives 72.3, never 72.2
because a float happened to be 72.2499…). classify and evaluate both use
these; neither borrows the other's.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from .. import fmt

ZERO = Decimal(0)


def dec(x: float | int | Decimal) -> Decimal:
    """The decimal a user typed: 0.1 -> Decimal('0.1'), not 0.1000000000000000055…"""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


@lru_cache(maxsize=4096)
def _frac_of_float(x: float) -> Fraction:
    return Fraction(Decimal(repr(x)))


def frac(x: float | int | Decimal | Fraction) -> Fraction:
    """Exact fraction of a setting or value as written (0.2 -> 1/5)."""
    if isinstance(x, (Fraction, int)):
        return Fraction(x)
    if isinstance(x, float):
        return _frac_of_float(x)      # settings are compared per customer: cache them
    return Fraction(x)


# Exact half-up rounding (72.25 -> 72.3) is the formats' too: one implementation.
round_half_up = fmt.round_exact


def mean(xs: Iterable[Fraction | None]) -> Fraction | None:
    present = [x for x in xs if x is not None]
    return sum(present, Fraction(0)) / len(present) if present else None


def weighted_mean(parts: Iterable[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    """Mean of the present values, weights renormalised over them. A part
    whose weight is 0 does not count as present (it cannot be renormalised)."""
    present = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum((w for w, _ in present), Fraction(0))
    if not present or total == 0:
        return None
    return sum((w * v for w, v in present), Fraction(0)) / total
