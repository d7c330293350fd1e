"""Staff accounts as an admin manages them: the account list, a role change, the outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from creditfactory.domain.roles import Role
from creditfactory.http.schemas.text import PRINTABLE


class UserAccount(BaseModel):
    id: int
    username: str
    role: str
    bank_code: str | None
    active: bool
    created_at: datetime


class UserListed(UserAccount):
    live_sessions: int


class UsersPublic(BaseModel):
    data: list[UserListed]
    count: int


class UserChanged(UserAccount):
    sessions_ended: int


class UserRoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    bank_code: Annotated[str, Field(min_length=1, max_length=32, pattern=PRINTABLE)] | None = None
