"""Pricing by risk grade: expected loss + cost of funds + operating cost + margin, within bounds.

Every (product, grade) rate is computed once at compile time, with its parts, as Decimals.
Rates are not money and keep their own precision: an annual rate is rounded half-up to the
basis point (0.0001), an annuity factor (principal per unit of monthly instalment) half-up to
1e-10, so that a limit computed from it is exact to far below a fen. Amounts of money are
rounded only by ``domain.money``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from creditfactory.strategy.spec import Grade, Pricing, Product

BASIS_POINT = Decimal("0.0001")
ANNUITY_QUANTUM = Decimal("1e-10")


@dataclass(frozen=True, slots=True)
class Price:
    """An annual rate and the parts it was built from (all annual fractions)."""

    rate: Decimal
    expected_loss: Decimal
    cost_of_funds: Decimal
    operating_cost: Decimal
    margin: Decimal
    product_adjustment: Decimal
    bounded: bool

    def parts(self) -> dict[str, str]:
        """The parts as strings, for a decision record."""
        return {
            "expected_loss": str(self.expected_loss),
            "cost_of_funds": str(self.cost_of_funds),
            "operating_cost": str(self.operating_cost),
            "margin": str(self.margin),
            "product_adjustment": str(self.product_adjustment),
            "bounded": str(self.bounded),
        }


def price(pricing: Pricing, grade: Grade, product: Product) -> Price:
    """The rate for one grade and product, rounded half-up to the basis point.

    >>> from creditfactory.strategy.spec import Pricing, Grade, Product
    >>> p = Pricing(lgd="0.8", cost_of_funds="0.05", operating_cost="0.06", margin="0.04")
    >>> g = Grade(name="B", max_pd="0.03", pricing_pd="0.02")
    >>> prod = Product(code="STD", name="s", min_limit=1, max_limit=2, min_term=1, max_term=36)
    >>> price(p, g, prod).rate
    Decimal('0.1800')
    """
    el = grade.pricing_pd * pricing.lgd
    raw = el + pricing.cost_of_funds + pricing.operating_cost + pricing.margin
    raw += product.rate_adjustment
    bounded = min(max(raw, pricing.floor), pricing.cap)
    return Price(
        rate=bounded.quantize(BASIS_POINT, rounding=ROUND_HALF_UP),
        expected_loss=el,
        cost_of_funds=pricing.cost_of_funds,
        operating_cost=pricing.operating_cost,
        margin=pricing.margin,
        product_adjustment=product.rate_adjustment,
        bounded=bounded != raw,
    )


def annuity_factor(rate: Decimal, term_months: int) -> Decimal:
    """Principal repaid by an instalment of 1 a month over ``term_months`` at annual ``rate``.

    >>> annuity_factor(Decimal("0.12"), 12)
    Decimal('11.2550774735')
    """
    if rate == 0:
        return Decimal(term_months)
    i = rate / 12
    factor = (1 - (1 + i) ** -term_months) / i
    return factor.quantize(ANNUITY_QUANTUM, rounding=ROUND_HALF_UP)
