"""How the pages write money, rates, times and codes: as people read them, in the page's
language and the branch's time zone (see :mod:`creditfactory.web.i18n`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal

from creditfactory.domain.money import to_money
from creditfactory.web.i18n import current, gettext

__all__ = ["money", "rate", "number", "when", "words"]

_HUNDRED = Decimal(100)


def _babel_locale() -> str:
    return current().locale


def money(value: Any) -> str:
    """``1234567.5`` as ``1,234,567.50`` (half-up to the fen); empty for nothing."""
    if value is None or value == "":
        return ""
    return format_decimal(to_money(value), format="#,##0.00", locale=_babel_locale())


def number(value: Any, places: int = 0) -> str:
    """A count or score with thousands separators and ``places`` decimals (half-up)."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(d, format=pattern, locale=_babel_locale())


def rate(value: Any, places: int = 2) -> str:
    """An annual fraction as a percentage: ``0.193800`` as ``19.38 %`` (``19.38%`` in Chinese)."""
    if value is None or value == "":
        return ""
    try:
        pct = (Decimal(str(value)) * _HUNDRED).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sep = "" if _babel_locale().startswith("zh") else " "
    return f"{pct}{sep}%"


def when(value: Any) -> str:
    """A time to the minute in the page's time zone (stored times are UTC), with the zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return value.isoformat() if isinstance(value, date) else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    zone = current().zone
    local = value.astimezone(zone)
    if zone.key == "Asia/Shanghai":
        label = gettext("Beijing time")
    else:
        label = local.strftime("UTC%z")
    return f"{local:%Y-%m-%d %H:%M} {label}"


def words(value: Any) -> str:
    """``phone_verification`` as ``phone verification`` (in the page's language)."""
    text = str(value or "").replace("_", " ")
    return gettext(text) if text else ""
