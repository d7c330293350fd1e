"""How the pages write money, times and identifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditfactory.domain.money import to_money

__all__ = ["money", "when", "words"]


def money(value: Any) -> str:
    """``1234567.5`` as ``1,234,567.50`` (half-up to the fen); empty for nothing."""
    if value is None or value == "":
        return ""
    return f"{to_money(value):,.2f}"


def when(value: Any) -> str:
    """A time to the minute, in UTC."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M} UTC"


def words(value: Any) -> str:
    """``phone_verification`` as ``phone verification``."""
    return str(value or "").replace("_", " ")
