"""Monthly repayment schedules to the fen: equal instalment (等额本息), equal principal (等额本金)
and interest first, principal at the end (先息后本).

Each month's interest is the opening balance times the monthly rate (the annual rate over
twelve), rounded to the fen; the principal of each instalment follows from the method, and
the last instalment takes whatever balance is left, so the principal repaid sums to the
amount lent exactly and the rounding of every month ends in the last one. Rounding is
half-up, as everywhere money is rounded (:func:`creditfactory.domain.money.round_money`),
unless a contract asks for half-even. Instalment ``n`` falls due ``n`` months after the
start date (the payout), on the same day of the month or the month's last day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from creditfactory.domain.money import round_money

__all__ = ["METHODS", "ROUNDINGS", "Instalment", "Schedule", "repayment_schedule"]

METHODS = ("equal_instalment", "equal_principal", "interest_first")
"""The repayment methods: 等额本息 (the default), 等额本金, 先息后本."""
ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
"""The roundings a schedule may use, by name."""
MAX_TERM_MONTHS = 360
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Instalment:
    """One month of a schedule: what falls due and the balance before and after it."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    total: Decimal
    opening_balance: Decimal
    closing_balance: Decimal

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: the date in ISO form, amounts as strings with two decimals."""
        return {"number": self.number, "due_date": self.due_date.isoformat(),
                "principal": str(self.principal), "interest": str(self.interest),
                "total": str(self.total), "opening_balance": str(self.opening_balance),
                "closing_balance": str(self.closing_balance)}


@dataclass(frozen=True, slots=True)
class Schedule:
    """A loan's instalments, with the terms they were computed from."""

    method: str
    amount: Decimal
    annual_rate: Decimal
    term_months: int
    start: date
    rounding: str
    instalments: tuple[Instalment, ...]

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.instalments), _ZERO)

    @property
    def total_repaid(self) -> Decimal:
        return sum((i.total for i in self.instalments), _ZERO)

    def as_dict(self) -> dict[str, Any]:
        """The schedule in JSON-safe form (what a contract document carries)."""
        return {"method": self.method, "amount": str(self.amount),
                "annual_rate": str(self.annual_rate), "term_months": self.term_months,
                "start": self.start.isoformat(), "rounding": self.rounding,
                "total_interest": str(self.total_interest),
                "total_repaid": str(self.total_repaid),
                "instalments": [i.as_dict() for i in self.instalments]}


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` calendar months on, the day kept or the month's last day.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 12, 15), 3)
    (datetime.date(2026, 2, 28), datetime.date(2027, 3, 15))
    """
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _check(amount: Decimal, annual_rate: Decimal, term_months: int, method: str,
           rounding: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be a positive Decimal amount of money, got {amount!r}")
    if round_money(amount) != amount:
        raise ValueError(f"amount must be whole fen, got {amount}")
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite() or not (
            0 <= annual_rate < 1):
        raise ValueError(f"annual_rate must be a Decimal in [0, 1), got {annual_rate!r}")
    if isinstance(term_months, bool) or not isinstance(term_months, int) or not (
            1 <= term_months <= MAX_TERM_MONTHS):
        raise ValueError(f"term_months must be an int in [1, {MAX_TERM_MONTHS}], "
                         f"got {term_months!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {tuple(ROUNDINGS)}, got {rounding!r}")


def repayment_schedule(amount: Decimal, annual_rate: Decimal, term_months: int,
                       method: str = "equal_instalment", *, start: date,
                       rounding: str = "half_up") -> Schedule:
    """The monthly schedule of a loan of ``amount`` at ``annual_rate`` over ``term_months``.

    Raises ``ValueError`` naming the argument for anything out of range.

    >>> s = repayment_schedule(Decimal("100000.00"), Decimal("0.18"), 12, start=date(2026, 1, 15))
    >>> s.instalments[0].total, s.instalments[0].interest, s.instalments[-1].closing_balance
    (Decimal('9168.00'), Decimal('1500.00'), Decimal('0.00'))
    >>> sum(i.principal for i in s.instalments)
    Decimal('100000.00')
    """
    _check(amount, annual_rate, term_months, method, rounding)
    mode = ROUNDINGS[rounding]
    with localcontext() as ctx:
        ctx.prec = 40
        monthly = annual_rate / 12
        level = _level_principal(amount, monthly, term_months, method, mode)
        rows: list[Instalment] = []
        balance = amount
        for n in range(1, term_months + 1):
            interest = round_money(balance * monthly, mode)
            if n == term_months:
                principal = balance
            elif method == "equal_instalment":
                principal = min(level - interest, balance)
            else:
                principal = min(level, balance)
            closing = balance - principal
            rows.append(Instalment(n, add_months(start, n), principal, interest,
                                   principal + interest, balance, closing))
            balance = closing
    return Schedule(method, amount, annual_rate, term_months, start, rounding, tuple(rows))


def _level_principal(amount: Decimal, monthly: Decimal, n: int, method: str,
                     mode: str) -> Decimal:
    """The level amount of the method: the instalment (equal instalment), the principal
    (equal principal) or no principal (interest first) of each month before the last."""
    if method == "interest_first":
        return _ZERO
    if method == "equal_principal" or monthly == 0:
        return round_money(amount / n, mode)
    return round_money(amount * monthly / (1 - (1 + monthly) ** -n), mode)
