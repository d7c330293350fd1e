"""Signing in and out of the staff pages (each sign-in is a session in the store)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.services.errors import AuthenticationFailed
from creditfactory.services.ports import Actor
from creditfactory.services.users import authenticate, language_of
from creditfactory.web.forms import LoginForm, PostedForm
from creditfactory.web.i18n import LANG_COOKIE
from creditfactory.web.rendering import PageRoute, page, redirect
from creditfactory.web.session import (
    LOGIN_COOKIE,
    NotSignedIn,
    clear_cookie,
    csrf_for,
    login_nonce,
    set_cookie,
    sign_in,
    sign_out,
    signed_in,
)

router = APIRouter(route_class=PageRoute)

HOME = {
    "account_manager": "/ui/intake",
    "verifier": "/ui/queue",
    "investigator": "/ui/queue",
    "approver": "/ui/queue",
    "channel_manager": "/ui/channels",
    "bank_officer": "/ui/bank",
    "collector": "/ui/collections",
}


def home_of(actor: Actor) -> str:
    """The page a user starts from."""
    return HOME.get(actor.role, "/ui/cases")


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/ui/") and "//" not in target and "\\" not in target:
        return target
    return None


def _login_page(
    request: Request, next_url: str | None, status: int = 200, message: str = "", username: str = ""
) -> Response:
    nonce, new = login_nonce(request)
    response = page(
        request,
        "login.html",
        None,
        status,
        csrf=csrf_for(nonce),
        next_url=_safe_next(next_url) or "",
        message=message,
        username=username,
    )
    if new:
        set_cookie(request, response, LOGIN_COOKIE, nonce)
    return response


@router.get("/")
def start(request: Request) -> Response:
    return redirect(home_of(signed_in(request)))


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    try:
        actor = signed_in(request)
    except NotSignedIn:
        return _login_page(request, next)
    return redirect(_safe_next(next) or home_of(actor))


@router.post("/login")
def login(request: Request, form: LoginForm, ctx: CtxDep) -> Response:
    username, password = form.get("username", ""), form.get("password", "")
    next_url = form.get("next")
    if not username or not password:
        missing = "username" if not username else "password"
        return _login_page(request, next_url, 422, f"{missing}: please fill it in", username)
    limiter = request.app.state.limiter
    keys = (f"user:{username}", f"addr:{request.client.host if request.client else '-'}")
    wait = limiter.retry_after(*keys)
    if wait:
        message = f"too many failed logins; try again in {wait} seconds"
        return _login_page(request, next_url, 429, message, username)
    try:
        actor = authenticate(ctx, username, password)
    except AuthenticationFailed as exc:
        limiter.failed(*keys)
        return _login_page(request, next_url, 401, str(exc), username)
    limiter.succeeded(*keys)
    response = redirect(_safe_next(next_url) or home_of(actor))
    sign_in(request, response, actor)
    clear_cookie(request, response, LOGIN_COOKIE)
    chosen = language_of(ctx, actor.username)
    if chosen:  # the user's own setting beats the browser's; the switch may change it after
        set_cookie(request, response, LANG_COOKIE, chosen)
    return response


@router.post("/logout")
def logout(request: Request, form: PostedForm) -> Response:
    """Sign out: the session ends in the store, so a copy of the cookie no longer works."""
    response = redirect("/ui/login")
    sign_out(request, response)
    return response
