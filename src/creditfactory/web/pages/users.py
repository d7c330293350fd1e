"""User administration for admins (list, disable and enable, reset a password, change the role,
set the language) and each user's own page (their language for the pages)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from creditfactory.domain.roles import ROLES
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import PRINTABLE
from creditfactory.services import users as svc
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.web.forms import PostedForm, blank_to_none
from creditfactory.web.i18n import LANG_COOKIE
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import set_cookie, signed_in

router = APIRouter(route_class=PageRoute)
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]


@router.get("/users")
def users(request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    rows = svc.list_users(ctx, actor)
    return page(request, "users.html", actor, rows=rows,
                notice=request.query_params.get("notice", ""))


def _user_page(request: Request, ctx: ServiceContext, actor: Actor, username: str,
               status: int = 200, failed: dict[str, Any] | None = None) -> Response:
    return page(request, "user.html", actor, status, user=svc.get_user(ctx, actor, username),
                own=actor.username == username, roles=ROLES, failed=failed or {},
                notice=request.query_params.get("notice", ""))


@router.get("/users/{username}")
def user(username: Username, request: Request, ctx: CtxDep) -> Response:
    return _user_page(request, ctx, signed_in(request), username)


@router.get("/me")
def me(request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    return _user_page(request, ctx, actor, actor.username)


def _back(actor: Actor, username: str, notice: str) -> Response:
    target = "/ui/me" if actor.username == username else f"/ui/users/{username}"
    return redirect(f"{target}?notice={notice}")


@router.post("/users/{username}/active")
def set_active(username: Username, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    action = form.get("action", "")
    if action == "disable":
        svc.deactivate_user(ctx, actor, username)
    elif action == "enable":
        svc.reactivate_user(ctx, actor, username)
    else:
        failed = {"form": "active", "errors": {"action": "choose disable or enable"}}
        return _user_page(request, ctx, actor, username, 422, failed)
    return _back(actor, username, action + "d")


@router.post("/users/{username}/password")
def reset_password(username: Username, request: Request, form: PostedForm, ctx: CtxDep
                   ) -> Response:
    actor = signed_in(request)
    password, again = form.get("password", ""), form.get("confirm", "")
    try:
        if password != again:
            raise InvalidInput([("confirm", "the two passwords differ")])
        svc.set_password(ctx, actor, username, password)
    except InvalidInput as exc:
        failed = {"form": "password", "errors": field_errors(exc)}
        return _user_page(request, ctx, actor, username, 422, failed)
    return _back(actor, username, "password")


@router.post("/users/{username}/role")
def set_role(username: Username, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    try:
        svc.change_role(ctx, actor, username, form.get("role", ""),
                        blank_to_none(form.get("bank_code")))
    except InvalidInput as exc:
        failed = {"form": "role", "errors": field_errors(exc), "values": form}
        return _user_page(request, ctx, actor, username, 422, failed)
    return _back(actor, username, "role")


@router.post("/users/{username}/language")
def set_language(username: Username, request: Request, form: PostedForm, ctx: CtxDep
                 ) -> Response:
    actor = signed_in(request)
    chosen = blank_to_none(form.get("language"))
    try:
        svc.set_language(ctx, actor, username, chosen)
    except InvalidInput as exc:
        failed = {"form": "language", "errors": field_errors(exc)}
        return _user_page(request, ctx, actor, username, 422, failed)
    response = _back(actor, username, "language")
    if actor.username == username and chosen:
        set_cookie(request, response, LANG_COOKIE, chosen)
    return response
