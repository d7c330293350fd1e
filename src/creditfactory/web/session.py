"""Who is signed in to the staff pages, and the CSRF tokens their forms carry.

The session cookie holds the same token the API issues (HttpOnly, SameSite=Strict): it is
honoured only while its session is live in the store, so signing out ends it for good.
A form's CSRF token is an HMAC keyed by a secret only this browser and the server hold: the
session token once signed in, a random login nonce before.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from creditfactory.http.security import InvalidToken, TokenSigner
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor

SESSION_COOKIE = "cf_session"
LOGIN_COOKIE = "cf_login"
COOKIE_PATH = "/ui"
CSRF_FIELD = "csrf_token"

__all__ = [
    "NotSignedIn",
    "CsrfRejected",
    "SESSION_COOKIE",
    "LOGIN_COOKIE",
    "CSRF_FIELD",
    "signed_in",
    "sign_in",
    "sign_out",
    "csrf_for",
    "check_csrf",
    "login_nonce",
    "set_cookie",
    "clear_cookie",
]


class NotSignedIn(Exception):
    """No valid session cookie: the page sends the browser to the login form."""


class CsrfRejected(Exception):
    """A form arrived without the token its page was rendered with."""


def _signer(request: Request) -> TokenSigner:
    return request.app.state.signer  # type: ignore[no-any-return]


def _ctx(request: Request) -> ServiceContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def signed_in(request: Request) -> Actor:
    """The actor of the session cookie; :class:`NotSignedIn` when there is none, it is bad or
    its session has ended."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn("no session")
    try:
        return _signer(request).check(_ctx(request), token)
    except InvalidToken as exc:
        raise NotSignedIn(str(exc)) from exc


def sign_in(request: Request, response: Response, actor: Actor) -> None:
    """Open a session for ``actor`` (already authenticated) and set its cookie."""
    token = _signer(request).issue(_ctx(request), actor)
    set_cookie(request, response, SESSION_COOKIE, token)


def sign_out(request: Request, response: Response) -> None:
    """End the cookie's session in the store (if it is a valid one) and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            _signer(request).revoke(_ctx(request), token)
        except InvalidToken:
            pass  # forged or expired: nothing to end
    clear_cookie(request, response, SESSION_COOKIE)


def csrf_for(secret: str) -> str:
    """The CSRF token bound to ``secret`` (a session token or a login nonce)."""
    return hmac.new(secret.encode(), b"creditfactory/csrf/v1", hashlib.sha256).hexdigest()


def check_csrf(request: Request, submitted: str | None, cookie: str = SESSION_COOKIE) -> None:
    """Accept only a form whose token matches the secret held in ``cookie``."""
    secret = request.cookies.get(cookie)
    if not secret or not submitted or not hmac.compare_digest(csrf_for(secret), submitted):
        raise CsrfRejected("the form has expired or did not come from this site; reload the page")


def login_nonce(request: Request) -> tuple[str, bool]:
    """The browser's login nonce and whether it is new (and so must be set as a cookie)."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if nonce and 20 <= len(nonce) <= 64:
        return nonce, False
    return secrets.token_urlsafe(32), True


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """An HttpOnly, SameSite=Strict cookie for the staff pages (Secure over HTTPS)."""
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
