"""Contracts: the document staff read, the borrower's signature, a new signing code."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ContractPublic(BaseModel):
    contract_id: int
    case_id: int
    contract_no: str
    status: str
    digest: str
    document: dict[str, Any]
    created_at: datetime
    signed_at: datetime | None
    signature_channel: str | None


class SignatureCreate(BaseModel):
    """The borrower's signature: the digest of the document they were shown and their code."""

    model_config = ConfigDict(extra="forbid")

    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    code: str = Field(pattern=r"^[0-9]{6}$")
    channel: Literal["app", "sms_link", "branch_tablet"] = "app"


class SignaturePublic(BaseModel):
    contract_id: int
    status: str
    signed_at: datetime
    case_id: int
    case_status: str
    case_step: str
    case_hold: str | None


class SigningCodePublic(BaseModel):
    contract_id: int
    code_sent_at: datetime
    code_expires_at: datetime
