"""Monthly repayment schedules to the fen: equal instalment (等额本息), equal principal (等额本金)
and interest first, principal at the end (先息后本).

Each month's interest is the opening balance times the monthly rate (the annual rate over
twelve), rounded to the fen; the principal of each instalment follows from the method, and
the last instalment takes whatever balance is left, so the principal repaid sums to the
amount lent exactly and the rounding of every month ends in the last one. Rounding is
half-up, as everywhere money is rounded (:func:`creditfactory.domain.money.round_money`).

A contract may ask for half-even instead: that is Apache Fineract's progressive (EMI)
calculator for monthly loans counted 30/360 (its default rounding), reproduced to the fen --
its own tests' schedules are ours (``tests/unit/servicing``):

- a month's rate factor is the annual rate times 30/360 in 12 significant digits, kept to 12
  decimals, and interest is the opening balance times it; intermediate products and
  quotients keep 12 significant digits (Fineract's ``MathContext(12)``), which on an exact
  half fen may tip the rounding, as it does there;
- the level instalment is ``P * F / fn`` (``F`` the product of the months' ``1 + factor``,
  ``fn`` their running sum), rounded to the fen;
- when the last instalment ends more than ``floor(n / 2)`` fen away from the others, the level
  instalment moves by that gap spread over the term (at most three times, only while the gap
  shrinks): Fineract's EMI adjustment.

Instalment ``n`` falls due ``n`` months after the start date (the payout), on the same day of
the month or the month's last day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any

from creditfactory.domain.money import round_money

__all__ = ["METHODS", "ROUNDINGS", "Instalment", "Schedule", "add_months", "level_instalment",
           "monthly_factor", "repayment_schedule"]

METHODS = ("equal_instalment", "equal_principal", "interest_first")
"""The repayment methods: 等额本息 (the default), 等额本金, 先息后本."""
ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
"""The roundings a schedule may use, by name."""
MAX_TERM_MONTHS = 360
PRECISION = 12
"""Significant digits of intermediate values (Fineract's ``MathContext`` precision)."""
_ZERO = Decimal("0.00")
_ONE = Decimal(1)
_TWELVE = Decimal(12)
_FACTOR_SCALE = Decimal(1).scaleb(-PRECISION)
_MAX_ADJUSTMENTS = 3
_MC12 = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)
_EXACT = Context(prec=40, rounding=ROUND_HALF_EVEN)


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


def monthly_factor(annual_rate: Decimal, days: int) -> Decimal:
    """Fineract's rate factor of a month: ``annual_rate * 30 / 360`` in 12 significant digits,
    through the period's ``days`` (actual over calculated days: they cancel but for the last
    digit), to 12 decimals (half-even).

    >>> monthly_factor(Decimal("0.094822"), 31)
    Decimal('0.007901833333')
    """
    d = Decimal(days)
    fraction = _MC12.divide(Decimal(30), Decimal(360))
    factor = _MC12.divide(_MC12.multiply(_MC12.multiply(_MC12.plus(annual_rate), fraction), d), d)
    return factor.quantize(_FACTOR_SCALE, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class _Arithmetic:
    """How a schedule computes: exactly (the platform: a month's interest is the balance
    times the annual rate over twelve, rounded once), or as Fineract does."""

    mode: str
    fineract: bool

    def factors(self, annual_rate: Decimal, days: list[int]) -> list[Decimal]:
        if self.fineract:
            return [monthly_factor(annual_rate, d) for d in days]
        return [annual_rate] * len(days)

    def interest(self, balance: Decimal, factor: Decimal, days: int) -> Decimal:
        if not self.fineract:
            return round_money(_EXACT.divide(_EXACT.multiply(balance, factor), _TWELVE),
                               self.mode)
        d = Decimal(days)
        return round_money(_MC12.multiply(_MC12.divide(_MC12.multiply(balance, factor), d), d),
                           self.mode)

    def level_instalment(self, amount: Decimal, factors: list[Decimal]) -> Decimal:
        """The annuity; Fineract's as ``F * amount / fn`` in 12 digits."""
        if not self.fineract:
            m, n = _EXACT.divide(factors[0], _TWELVE), len(factors)
            if m == 0:
                return round_money(_EXACT.divide(amount, Decimal(n)), self.mode)
            annuity = _EXACT.divide(_EXACT.multiply(amount, m),
                                    _EXACT.subtract(_ONE, _EXACT.power(_ONE + m, -n)))
            return round_money(annuity, self.mode)
        product, fn = _ONE, _ONE
        for i, f in enumerate(factors):
            product = _MC12.multiply(product, _ONE + f)
            if i:
                fn = _MC12.add(_ONE, _MC12.multiply(fn, _ONE + f))
        return round_money(_MC12.divide(_MC12.multiply(product, amount), fn), self.mode)


def level_instalment(amount: Decimal, annual_rate: Decimal, term_months: int,
                     rounding: str = ROUND_HALF_UP) -> Decimal:
    """The equal monthly instalment (annuity) repaying ``amount`` over ``term_months`` at
    ``annual_rate``, in the platform's exact arithmetic, rounded to the fen by ``rounding``."""
    return _Arithmetic(rounding, fineract=False).level_instalment(
        amount, [annual_rate] * term_months)


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
    arith = _Arithmetic(ROUNDINGS[rounding], fineract=rounding == "half_even")
    dues = [add_months(start, n) for n in range(term_months + 1)]
    days = [(b - a).days for a, b in zip(dues, dues[1:], strict=False)]
    plan = _Plan(amount, arith.factors(annual_rate, days), days, dues, arith)
    if method == "equal_instalment":
        level = arith.level_instalment(amount, plan.factors)
        rows = plan.project(level)
        if arith.fineract:
            rows = plan.adjust(level, rows)
    else:
        step = _ZERO if method == "interest_first" else round_money(amount / term_months,
                                                                    arith.mode)
        rows = plan.project(step, level_principal=True)
    return Schedule(method, amount, annual_rate, term_months, start, rounding, tuple(rows))


@dataclass(frozen=True, slots=True)
class _Plan:
    """A loan's months (factors, days, due dates) to project instalments over."""

    amount: Decimal
    factors: list[Decimal]
    days: list[int]
    dues: list[date]
    arith: _Arithmetic

    def project(self, level: Decimal, *, level_principal: bool = False) -> list[Instalment]:
        """The instalments for a level instalment (or a level principal when
        ``level_principal``); the last one takes the balance left."""
        rows: list[Instalment] = []
        balance = self.amount
        last = len(self.factors) - 1
        for n, (factor, d) in enumerate(zip(self.factors, self.days, strict=True)):
            interest = self.arith.interest(balance, factor, d)
            if n == last:
                principal = balance
            elif level_principal:
                principal = min(level, balance)
            else:
                principal = min(max(level - interest, _ZERO), balance)
            closing = balance - principal
            rows.append(Instalment(n + 1, self.dues[n + 1], principal, interest,
                                   principal + interest, balance, closing))
            balance = closing
        return rows

    def adjust(self, level: Decimal, rows: list[Instalment]) -> list[Instalment]:
        """Fineract's EMI adjustment: move the level instalment by the last one's gap spread
        over the term while the gap exceeds ``floor(n / 2)`` fen and shrinks (three times at
        most)."""
        n = len(rows)
        half = n // 2
        for _ in range(_MAX_ADJUSTMENTS):
            if half == 0:
                break
            gap = rows[-1].total - rows[-2].total
            if gap == 0 or abs(gap) * 100 <= half:
                break
            adjusted = level + round_money(_MC12.divide(gap, Decimal(n)), self.arith.mode)
            if adjusted == level:
                break
            trial = self.project(adjusted)
            if not abs(trial[-1].total - trial[-2].total) < abs(gap):
                break
            level, rows = adjusted, trial
        return rows
