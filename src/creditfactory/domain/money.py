"""Money is ``Decimal`` rounded half-up to the fen (0.01 CNY); never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")

__all__ = ["FEN", "to_money"]


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
    return d.quantize(FEN, rounding=ROUND_HALF_UP)
