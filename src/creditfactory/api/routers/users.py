"""Users: an admin adds staff accounts; anyone reads who they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from creditfactory.api.deps import CurrentUser, require
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.org import UserCreate, UserPublic
from creditfactory.services.ports import Actor
from creditfactory.services.users import add_user

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=201, response_model=UserPublic, responses={403: {}, 409: {}, 422: {}})
def create(
    body: UserCreate, ctx: CtxDep, user: Annotated[Actor, require("admin")]
) -> dict[str, object]:
    return add_user(ctx, user, body.username, body.password, body.role, body.bank_code)


@router.get("/me")
def me(user: CurrentUser) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "bank_code": user.bank_code}
