"""Money is ``Decimal`` rounded half-up to the fen (0.01 CNY); never float.

Every rounding of an amount of money goes through :func:`round_money` (or :func:`to_money`,
which converts first); Python's default context rounds half-even, so a bare ``quantize`` on
money is a defect. Counting whole steps of an amount (a limit is rounded *down* to its
10,000 step, never above what the applicant can carry) is :func:`whole_steps`. Rates are not
money: they keep their own precision where they are computed (``strategy/pricing.py``).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")

__all__ = ["FEN", "round_money", "to_money", "whole_steps"]


def round_money(amount: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``amount`` rounded half-up (away from zero at a half) to the fen, or by ``rounding``
    (a ``decimal`` rounding mode) where a contract says otherwise.

    >>> round_money(Decimal("2.675")), round_money(Decimal("-0.005"))
    (Decimal('2.68'), Decimal('-0.01'))
    """
    return amount.quantize(FEN, rounding=rounding)


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Return ``value`` as CNY rounded half-up to the fen.

    Floats go through ``repr`` so that ``0.1`` becomes ``Decimal('0.10')`` and not its binary
    expansion.

    >>> to_money("2.675")
    Decimal('2.68')
    """
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a finite amount of money: {value!r}")
    return round_money(d)


def whole_steps(amount: Decimal, step: Decimal) -> int:
    """How many whole ``step``\\ s fit in ``amount`` (rounded down: a limit never exceeds it).

    >>> whole_steps(Decimal("129999.99"), Decimal(10000)), whole_steps(Decimal(130000), Decimal(10000))
    (12, 13)
    """
    return int((amount / step).to_integral_value(rounding=ROUND_FLOOR))
