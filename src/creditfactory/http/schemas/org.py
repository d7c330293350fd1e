"""Channels and their deposits; users; tokens."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from creditfactory.domain.roles import Role
from creditfactory.http.schemas.text import PRINTABLE


class ChannelPublic(BaseModel):
    channel_id: str
    channel_type: str
    branch: str
    city: str
    status: str
    status_reason: str | None
    deposit: Decimal
    onboarded_at: datetime


class ChannelsPublic(BaseModel):
    data: list[ChannelPublic]
    count: int


class ChannelStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class DepositMovementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["post", "top_up", "refund", "deduct"]
    amount: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class DepositMovementPublic(BaseModel):
    movement_id: int
    channel_id: str
    kind: str
    amount: Decimal
    balance_after: Decimal
    reason: str
    created_at: datetime


class DepositMovementsPublic(BaseModel):
    data: list[DepositMovementPublic]
    count: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]
    password: Annotated[str, Field(min_length=8, max_length=256, pattern=PRINTABLE)]
    role: Role
    bank_code: Annotated[str, Field(max_length=32, pattern=PRINTABLE)] | None = None


class UserPublic(BaseModel):
    id: int
    username: str
    role: str
    bank_code: str | None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
