"""Keeping decisions: the store form of a :class:`Decision`, and reading the latest back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.application import RecordedDecision
from creditfactory.services.ports import Decision
from creditfactory.store import UnitOfWork

__all__ = [
    "store_decision",
    "decision_record",
    "latest_decision",
    "decision_summary",
    "json_safe",
]


_PLAIN = frozenset((str, int, float, bool, type(None)))


def json_safe(value: Any) -> Any:
    """Decimals and times as strings, tuples as lists, recursively."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): json_safe(v) for k, v in value.items()}
    if kind is list:
        return [json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def decision_record(d: Decision) -> dict[str, Any]:
    """The stored record of a decision: what the strategy kept, plus the reasons."""
    return json_safe({**d.record, "reasons": list(d.reasons)})  # type: ignore[no-any-return]


def store_decision(
    uow: UnitOfWork,
    application_id: int,
    seq: int,
    basis: str,
    d: Decision,
    at: datetime,
    *,
    record: dict[str, Any] | None = None,
) -> None:
    """Append decision number ``seq`` for the application (``record``: made beforehand)."""
    if record is None:
        record = decision_record(d)
    uow.applications.add_decision(
        RecordedDecision(
            application_id=application_id,
            seq=seq,
            basis=basis,
            tier=d.tier,
            limit_amount=d.limit,
            rate=d.rate,
            product=d.product,
            score=d.score,
            record=record,
            created_at=at,
        )
    )


def latest_decision(uow: UnitOfWork, application_id: int) -> RecordedDecision:
    """The newest decision of an application."""
    return uow.applications.decisions(application_id)[-1]


def decision_summary(d: RecordedDecision) -> dict[str, Any]:
    """The public part of a decision: tier, limit, rate, product, reasons."""
    return {
        "tier": d.tier,
        "limit": str(d.limit_amount),
        "rate": str(d.rate),
        "product": d.product,
        "reasons": d.reasons,
    }
