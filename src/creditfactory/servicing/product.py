"""A product's servicing settings: penalty interest, prepayment fee, write-off threshold.

Penalty interest (罚息) accrues daily on overdue principal at the contract rate times
``penalty_multiplier`` over ``days_in_year``, rounded half-up to the fen each day. Rates keep
at most six decimals and the multiplier three, so the book's integer arithmetic
(:mod:`creditfactory.servicing.book`) computes exactly the same fen.

Each product the strategy offers declares its settings here (:data:`PRODUCTS`, by the
strategy's product code); a loan is booked with its product's settings, which stay on its
account, so changing a product later never changes a loan already lent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from creditfactory.domain.money import round_money

__all__ = ["PRODUCTS", "RATE_QUANTUM", "ServicingProduct", "check_rate", "servicing_product"]

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


PRODUCTS: dict[str, ServicingProduct] = {
    "STANDARD_LOAN": ServicingProduct(),
    "INSURANCE_LOAN": ServicingProduct(prepayment_fee_rate=Decimal("0.01")),
    "MORTGAGE_LOAN": ServicingProduct(prepayment_fee_rate=Decimal("0.01")),
    "REPEAT_LOAN": ServicingProduct(penalty_multiplier=Decimal("1.3"),
                                    prepayment_fee_rate=Decimal("0")),
}
"""The servicing settings of the products in the shipped strategies (``default.yaml``):
the default 1.5x penalty and 2 % prepayment fee for the standard loan; half the fee for the
insurance-policy and mortgage-holder loans, whose borrowers refinance most; a repeat
customer pays no prepayment fee and a lower penalty. Every product writes off at 180 DPD."""


def servicing_product(code: str) -> ServicingProduct:
    """The servicing settings of product ``code`` (the defaults for a product not declared).

    >>> servicing_product("REPEAT_LOAN").penalty_multiplier
    Decimal('1.3')
    >>> servicing_product("ANY") == ServicingProduct()
    True
    """
    return PRODUCTS.get(code, ServicingProduct())
