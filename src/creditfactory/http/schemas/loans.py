"""Loans in servicing: a bank's transaction on its loan, the transaction as posted."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RepaymentCreate(BaseModel):
    """Money the bank received for a loan, under its own reference (or the reversal of an
    earlier reference). Amounts are decimal strings in whole fen, never floats."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=64)
    kind: Literal["repayment", "prepayment", "reversal"] = "repayment"
    value_date: str = Field(min_length=10, max_length=10)
    amount: str | None = Field(default=None, max_length=20, pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$")
    reverses: str | None = Field(default=None, min_length=1, max_length=64)


class TransactionPublic(BaseModel):
    id: int
    loan_id: int
    reference: str
    kind: str
    value_date: str
    amount: str
    reverses: str | None
    source: str
    posted_at: str
