"""Blacklist entries: what a risk analyst adds or removes, and what is shown (masked only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from creditfactory.http.schemas.text import PRINTABLE

Kind = Literal["phone", "resident_id", "bank_card", "device", "ip", "uscc"]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class BlacklistEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    value: Annotated[str, Field(min_length=1, max_length=128, pattern=PRINTABLE)]
    reason: Reason


class BlacklistEntryRemove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class BlacklistEntryPublic(BaseModel):
    id: int
    kind: str
    value_masked: str
    reason: str
    added_by: str
    added_at: datetime
    removed_by: str | None
    removed_at: datetime | None
    removal_reason: str | None
    live: bool


class BlacklistEntriesPublic(BaseModel):
    data: list[BlacklistEntryPublic]
    count: int
