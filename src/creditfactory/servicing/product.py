"""A product's servicing settings: penalty interest, prepayment fee, write-off threshold.

Penalty interest (罚息) accrues daily on overdue principal at the contract rate times
``penalty_multiplier`` over ``days_in_year``, rounded half-up to the fen each day. Rates keep
at most six decimals and the multiplier three, so the book's integer arithmetic
(:mod:`creditfactory.servicing.book`) computes exactly the same fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from creditfactory.domain.money import round_money

__all__ = ["RATE_QUANTUM", "ServicingProduct", "check_rate"]

RATE_QUANTUM = Decimal("0.000001")
"""The finest annual rate a loan may carry (a millionth)."""
_MULTIPLIER_QUANTUM = Decimal("0.001")


def check_rate(annual_rate: Decimal) -> None:
    """Refuse a rate the book cannot carry exactly, naming it."""
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite() or not (
            0 <= annual_rate < 1) or annual_rate.quantize(RATE_QUANTUM) != annual_rate:
        raise ValueError(f"annual_rate must be a Decimal in [0, 1) with at most six decimals, "
                         f"got {annual_rate!r}")


@dataclass(frozen=True, slots=True)
class ServicingProduct:
    """Servicing settings of a product (defaults: 1.5x penalty, 2 % prepayment fee on the
    principal prepaid, written off at 180 days past due, 360-day year)."""

    penalty_multiplier: Decimal = Decimal("1.5")
    prepayment_fee_rate: Decimal = Decimal("0.02")
    write_off_dpd: int = 180
    days_in_year: int = 360

    def __post_init__(self) -> None:
        m = self.penalty_multiplier
        if not isinstance(m, Decimal) or not m.is_finite() or not 0 <= m <= 10 or (
                m.quantize(_MULTIPLIER_QUANTUM) != m):
            raise ValueError(f"penalty_multiplier must be a Decimal in [0, 10] with at most "
                             f"three decimals, got {m!r}")
        f = self.prepayment_fee_rate
        if not isinstance(f, Decimal) or not f.is_finite() or not 0 <= f < 1:
            raise ValueError(f"prepayment_fee_rate must be a Decimal in [0, 1), got {f!r}")
        if isinstance(self.write_off_dpd, bool) or not isinstance(self.write_off_dpd, int) or (
                self.write_off_dpd < 1):
            raise ValueError(f"write_off_dpd must be a positive int, got {self.write_off_dpd!r}")
        if self.days_in_year not in (360, 365):
            raise ValueError(f"days_in_year must be 360 or 365, got {self.days_in_year!r}")

    def daily_penalty(self, overdue_principal: Decimal, annual_rate: Decimal) -> Decimal:
        """One day's penalty interest on ``overdue_principal``, to the fen (half-up).

        >>> ServicingProduct().daily_penalty(Decimal("10000.00"), Decimal("0.18"))
        Decimal('7.50')
        """
        return round_money(overdue_principal * annual_rate * self.penalty_multiplier
                           / self.days_in_year)

    def prepayment_fee(self, principal: Decimal) -> Decimal:
        """The fee on ``principal`` prepaid, to the fen (half-up)."""
        return round_money(principal * self.prepayment_fee_rate)
