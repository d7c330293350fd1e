"""Users: an admin adds, lists, deactivates, reactivates and re-roles staff accounts; anyone
reads who they are. Deactivation and a role change end the user's sessions at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from creditfactory.api.deps import CurrentUser, require
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.org import UserCreate, UserPublic
from creditfactory.http.schemas.text import PRINTABLE
from creditfactory.http.schemas.users import UserChanged, UserRoleUpdate, UsersPublic
from creditfactory.services.ports import Actor
from creditfactory.services.users import (
    add_user,
    change_role,
    deactivate_user,
    list_users,
    reactivate_user,
)

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[Actor, require("admin")]
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]
CHANGES: dict[int | str, dict[str, object]] = {403: {}, 404: {}, 409: {}, 422: {}}


@router.post("", status_code=201, response_model=UserPublic, responses={403: {}, 409: {}, 422: {}})
def create(body: UserCreate, ctx: CtxDep, user: Admin) -> dict[str, object]:
    return add_user(ctx, user, body.username, body.password, body.role, body.bank_code)


@router.get("", response_model=UsersPublic, responses={403: {}})
def index(ctx: CtxDep, user: Admin) -> dict[str, object]:
    accounts = list_users(ctx, user)
    return {"data": accounts, "count": len(accounts)}


@router.get("/me")
def me(user: CurrentUser) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "bank_code": user.bank_code}


@router.post("/{username}/deactivate", response_model=UserChanged, responses=CHANGES)
def deactivate(username: Username, ctx: CtxDep, user: Admin) -> dict[str, object]:
    return deactivate_user(ctx, user, username)


@router.post("/{username}/reactivate", response_model=UserChanged, responses=CHANGES)
def reactivate(username: Username, ctx: CtxDep, user: Admin) -> dict[str, object]:
    return reactivate_user(ctx, user, username)


@router.put("/{username}/role", response_model=UserChanged, responses=CHANGES)
def set_role(
    username: Username, body: UserRoleUpdate, ctx: CtxDep, user: Admin
) -> dict[str, object]:
    return change_role(ctx, user, username, body.role, body.bank_code)
