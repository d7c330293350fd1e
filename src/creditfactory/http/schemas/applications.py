"""Applications: what an account manager submits and what comes back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from creditfactory.http.schemas.text import PRINTABLE


def _fen_float(value: Any) -> Any:
    """A JSON number that is a whole number of fen up to float noise becomes that exact amount."""
    if isinstance(value, float) and value == value and abs(value) < 1e12:
        cents = round(value * 100)
        if abs(value * 100 - cents) < 1e-4:
            return Decimal(cents) / 100
    return value


Money = Annotated[
    Decimal, BeforeValidator(_fen_float), Field(ge=0, max_digits=14, decimal_places=2)
]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE)]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=PRINTABLE)]


class ApplicationCreate(BaseModel):
    """One application as the applicant declares it: the world's ``applications`` columns less
    ``application_id``, ``applied_at`` (the server's clock stamps it) and the credit-bureau
    fields (the platform pulls the report itself, with ``bureau_consent_ref``: the reference
    of the authorisation the applicant signed at the ``bureau_consent`` step). A body carrying
    any of those is refused (422, the field named)."""

    model_config = ConfigDict(extra="forbid")

    bureau_consent_ref: Annotated[str, Field(min_length=4, max_length=64, pattern=PRINTABLE)]
    channel_id: Code
    branch: Code
    city: Text
    product_requested: Code
    amount: Annotated[
        Decimal, BeforeValidator(_fen_float), Field(gt=0, max_digits=14, decimal_places=2)
    ]
    term_months: Annotated[int, Field(ge=1, le=120)]
    purpose: Text
    resident_id: Annotated[str, Field(min_length=18, max_length=18, pattern=PRINTABLE)]
    name: Text
    phone: Annotated[str, Field(min_length=11, max_length=11, pattern=PRINTABLE)]
    age: Annotated[int, Field(ge=16, le=100)]
    gender: Literal["M", "F"]
    education: Text
    marital_status: Text
    years_in_city: Annotated[int, Field(ge=0, le=100)]
    home_ownership: Text
    business_name: Text
    uscc: Annotated[str, Field(min_length=18, max_length=18, pattern=PRINTABLE)]
    industry: Annotated[str, Field(min_length=1, max_length=8, pattern=PRINTABLE)]
    years_in_business: Annotated[int, Field(ge=0, le=100)]
    employees: Annotated[int, Field(ge=0, le=100_000)]
    premises: Text
    declared_monthly_revenue: Money
    device_id: Text
    ip: Annotated[str, Field(min_length=3, max_length=64, pattern=PRINTABLE)]
    contact_phones: Annotated[str, Field(min_length=11, max_length=120, pattern=PRINTABLE)]
    bank_card: Annotated[str, Field(min_length=12, max_length=19, pattern=PRINTABLE)]
    home_address: Text
    business_address: Text


class DecisionPublic(BaseModel):
    tier: Literal["auto_approve", "remote_verification", "field_investigation", "reject"]
    limit: Decimal
    rate: Decimal
    product: str
    reasons: list[str]


class HoldPublic(BaseModel):
    queue: str
    reason: str


class ApplicationSubmitted(BaseModel):
    """201: decided and on its way; 202: kept, its case held (``held``) at a step whose data
    could not be fetched yet, ``decision`` null until the report is pulled."""

    application_id: int
    status: str
    case_id: int
    step: str
    decision: DecisionPublic | None
    held: HoldPublic | None = None


class _PersonalFields(BaseModel):
    name: str | None = None
    resident_id: str | None = None
    phone: str | None = None
    bank_card: str | None = None
    contact_phones: str | None = None
    home_address: str | None = None
    business_address: str | None = None
    device_id: str | None = None
    ip: str | None = None


class PersonalMasked(_PersonalFields):
    """The personal fields in masked form; ``None`` where the reader's role does not need it
    (``domain.personal.MASKED_FOR``)."""


class DecisionHistory(DecisionPublic):
    seq: int
    basis: str
    score: float | None


class ApplicationPublic(BaseModel):
    """An application as a case reader sees it: ``fields`` holds nothing personal, ``personal``
    the masked fields the reader's role needs."""

    application_id: int
    status: str
    applied_at: datetime
    fields: dict[str, Any]
    personal: PersonalMasked
    decision: DecisionPublic | None
    decisions: list[DecisionHistory]
    case: dict[str, Any] | None


class PersonalDataPublic(_PersonalFields):
    """The clear values the revealer's task needs (``domain.personal.REVEALED_FOR``); ``None``
    for every other field."""
