"""Live collections: a contact outcome, a promise to pay, a restructure proposal and its
decision. Amounts are decimal strings in whole fen, never floats; the services check the
meaning (the account in collections, the promise's day, a lower instalment)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ContactCreate(BaseModel):
    """What came of an attempt to reach the borrower."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["call", "sms", "visit", "letter"]
    outcome: Literal["reached", "no_answer", "wrong_number", "refused", "promised"]
    note: str = Field(default="", max_length=500)


class PromiseCreate(BaseModel):
    """The borrower's promise to pay ``amount`` by ``due_on`` (within 30 days)."""

    model_config = ConfigDict(extra="forbid")

    amount: str = Field(max_length=20, pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$")
    due_on: str = Field(min_length=10, max_length=10)


class RestructureCreate(BaseModel):
    """The principal outstanding re-amortised over ``term_months`` (a lower instalment)."""

    model_config = ConfigDict(extra="forbid")

    term_months: int = Field(ge=1, le=120)
    reason: str = Field(min_length=1, max_length=500)


class RestructureDecision(BaseModel):
    """A risk analyst's decision on a proposal."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: str = Field(default="", max_length=500)
