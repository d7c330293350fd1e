"""The limit engine: repayment capacity from declared revenue, corrected for packaging risk,
less existing debt service, under a debt-service cap; rounded down to the step, bounded by the
product, the global range and the amount asked.

The Decimal path is the reference. The vector path computes in float64 and recomputes with
the Decimal path any row whose capacity lands within a hair of a step boundary, so both give
exactly the same limits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np

from creditfactory.domain.money import FEN
from creditfactory.strategy.spec import LimitEngine

_NEAR = 1e-7


def to_decimal(value: Any, *, money: bool) -> Decimal | None:
    """An input as Decimal (money to the fen); ``None`` when missing."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value != value:
        return None
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return d.quantize(FEN) if money else d


def capacity(
    engine: LimitEngine,
    revenue: Decimal,
    packaging: Decimal,
    debt: Decimal,
    annuity: Decimal,
    factor: Decimal,
) -> dict[str, Decimal]:
    """The steps from declared monthly revenue to the principal the applicant can carry."""
    income = revenue * engine.income_margin * (1 - engine.packaging_haircut * packaging)
    existing = debt * engine.existing_debt_monthly_rate
    allowed = max(income * engine.debt_service_cap - existing, Decimal(0))
    principal = allowed * annuity * factor
    return {
        "monthly_income": income.quantize(FEN),
        "existing_debt_service": existing.quantize(FEN),
        "affordable_instalment": allowed.quantize(FEN),
        "capacity": principal.quantize(FEN),
        "_exact": principal,
    }


def steps_of(value: Decimal, step: Decimal) -> int:
    """How many whole steps fit in ``value`` (floor)."""
    return int((value / step).to_integral_value(rounding=ROUND_FLOOR))


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
    """Floor(capacity / step) per row; live rows near a boundary go through ``exact(row)``."""
    income = revenue * float(engine.income_margin) * (1 - float(engine.packaging_haircut) * packaging)
    existing = debt * float(engine.existing_debt_monthly_rate)
    allowed = np.maximum(income * float(engine.debt_service_cap) - existing, 0.0)
    ratio = allowed * annuity * factor / float(engine.step)
    floored = np.floor(ratio)
    frac = ratio - floored
    steps = floored.astype(np.int64)
    near = np.flatnonzero(live & (((frac < _NEAR) & (floored >= 1)) | (frac > 1 - _NEAR)))
    for row in near:
        steps[row] = exact(int(row))
    return steps
