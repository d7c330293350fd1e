"""The limit engine: repayment capacity from declared revenue, corrected for packaging risk,
less existing debt service, under a debt-service cap; rounded down to the step, bounded by the
product, the global range and the amount asked.

The Decimal path is the reference. Money inputs and every money part are rounded half-up to
the fen by ``domain.money`` (the capacity too, before it is counted in whole steps). The
vector path computes in float64: it rounds inputs to the fen the same way (:func:`fen_vector`)
and recomputes with the Decimal path any row whose capacity lands within a fen of a step
boundary, so both give exactly the same limits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from creditfactory.domain.money import round_money, to_money, whole_steps
from creditfactory.strategy.spec import LimitEngine

_TIE = 1e-6
"""How far (in fen) from half a fen a float is trusted to round like its decimal text."""


def to_decimal(value: Any, *, money: bool) -> Decimal | None:
    """An input as Decimal (money half-up to the fen); ``None`` when missing."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value != value:
        return None
    if money:
        return to_money(value)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def fen_vector(values: np.ndarray) -> np.ndarray:
    """Float amounts rounded half-up to the fen exactly as :func:`to_money` rounds each one.

    Away from a half fen the nearest fen is the same in float and in decimal; the rare value
    within a hair of a half fen is rounded by ``to_money`` itself. Missing stays NaN.
    """
    values = np.asarray(values, dtype=float)
    cents = np.abs(values) * 100.0
    whole = np.floor(cents + 0.5)
    out = np.copysign(whole, values) / 100.0
    with np.errstate(invalid="ignore"):
        frac = cents - np.floor(cents)
        tie = np.abs(frac - 0.5) < _TIE + cents * 4e-16
    for i in np.flatnonzero(tie):
        out[i] = float(to_money(float(values[i])))
    return out


def capacity(
    engine: LimitEngine,
    revenue: Decimal,
    packaging: Decimal,
    debt: Decimal,
    annuity: Decimal,
    factor: Decimal,
) -> dict[str, Decimal]:
    """The steps from declared monthly revenue to the principal the applicant can carry,
    each a money amount rounded half-up to the fen."""
    income = revenue * engine.income_margin * (1 - engine.packaging_haircut * packaging)
    existing = debt * engine.existing_debt_monthly_rate
    allowed = max(income * engine.debt_service_cap - existing, Decimal(0))
    principal = allowed * annuity * factor
    return {
        "monthly_income": round_money(income),
        "existing_debt_service": round_money(existing),
        "affordable_instalment": round_money(allowed),
        "capacity": round_money(principal),
    }


def steps_of(value: Decimal, step: Decimal) -> int:
    """How many whole steps fit in ``value`` (floor; see ``domain.money.whole_steps``)."""
    return whole_steps(value, step)


def capacity_steps_vector(
    engine: LimitEngine,
    revenue: np.ndarray,
    packaging: np.ndarray,
    debt: np.ndarray,
    annuity: np.ndarray,
    factor: np.ndarray,
    exact: Callable[[int], int],
    live: np.ndarray,
) -> np.ndarray:
    """Floor(capacity / step) per row; live rows within a fen of a boundary go through
    ``exact(row)`` (the capacity is rounded to the fen before it is floored)."""
    step = float(engine.step)
    income = revenue * float(engine.income_margin) * (1 - float(engine.packaging_haircut) * packaging)
    existing = debt * float(engine.existing_debt_monthly_rate)
    allowed = np.maximum(income * float(engine.debt_service_cap) - existing, 0.0)
    ratio = allowed * annuity * factor / step
    floored = np.floor(ratio)
    frac = ratio - floored
    steps = floored.astype(np.int64)
    near = max(1e-7, 0.02 / step)
    close = live & (((frac < near) & (floored >= 1)) | (frac > 1 - near))
    for row in np.flatnonzero(close):
        steps[row] = exact(int(row))
    return steps
