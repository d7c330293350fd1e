"""An application as kept (personal values sealed) and the decisions recorded on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["Application", "ApplicationTerms", "RecordedDecision"]


@dataclass(slots=True)
class Application:
    """A submitted application; personal values only as hash, mask and ciphertext (the
    ``<field>_hash``, ``_masked`` and ``_enc`` of each field of
    :data:`~creditfactory.domain.personal.APPLICATION_FIELDS`), ``fields`` holds the rest.
    ``application_id`` is 0 until the store has it."""

    applicant_id: int
    channel_id: str
    branch: str
    industry: str
    amount: Decimal
    term_months: int
    applied_at: datetime
    status: str
    phone_hash: str
    phone_masked: str
    phone_enc: str
    bank_card_hash: str
    bank_card_masked: str
    bank_card_enc: str
    contact_phones_masked: str
    contact_phones_enc: str
    fields: dict[str, Any]
    created_by: str
    created_at: datetime
    fraud_identity: bytes | None = None
    # sealed since migration 0008 (None only on a row kept before it, until start-up seals it)
    contact_phones_hash: str | None = None
    home_address_hash: str | None = None
    home_address_masked: str | None = None
    home_address_enc: str | None = None
    business_address_hash: str | None = None
    business_address_masked: str | None = None
    business_address_enc: str | None = None
    device_id_hash: str | None = None
    device_id_masked: str | None = None
    device_id_enc: str | None = None
    ip_hash: str | None = None
    ip_masked: str | None = None
    ip_enc: str | None = None
    application_id: int = 0

    @property
    def terms(self) -> ApplicationTerms:
        return ApplicationTerms(
            self.application_id, self.amount, self.term_months, self.industry, self.branch
        )


@dataclass(frozen=True, slots=True)
class ApplicationTerms:
    """What bank routing and payout read of an application (nothing personal)."""

    application_id: int
    amount: Decimal
    term_months: int
    industry: str
    branch: str


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """Decision number ``seq`` on an application: on intake, or re-made with findings."""

    application_id: int
    seq: int
    basis: str
    tier: str
    limit_amount: Decimal
    rate: Decimal
    product: str
    score: float | None
    record: dict[str, Any]
    created_at: datetime
    id: int = 0

    @property
    def reasons(self) -> list[Any]:
        return list(self.record.get("reasons", []))

    def loan_amount(self, terms: ApplicationTerms) -> Decimal:
        """The amount a bank is offered and pays out: the limit, at most what was asked."""
        return min(self.limit_amount, terms.amount)
