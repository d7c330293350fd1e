"""Turning page data into HTML responses, and service errors into error pages.

Every page route goes through :class:`PageRoute`: a missing session sends the browser to the
login form, a forged form gets 403, and a service error becomes a page with the same status
the API would answer with.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape

from creditfactory.domain.roles import OVERSEERS
from creditfactory.errors import InvalidArgument
from creditfactory.http.errors import status_of
from creditfactory.services import blacklists as blacklist_rules
from creditfactory.services import channels as channel_rules
from creditfactory.services import collections_roles
from creditfactory.services import dashboard as dashboard_rules
from creditfactory.services.errors import InvalidInput, ServiceError
from creditfactory.services.ports import Actor
from creditfactory.services.queries import CASE_READERS
from creditfactory.services.worklists import staffed_stations
from creditfactory.web import i18n
from creditfactory.web.formatting import money, number, rate, when, words
from creditfactory.web.i18n_terms import action, feature, findings, reason
from creditfactory.web.session import (
    SESSION_COOKIE,
    CsrfRejected,
    NotSignedIn,
    clear_cookie,
    csrf_for,
    signed_in,
)

BANK_READERS = ("bank_officer", "admin", "risk_analyst")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

__all__ = ["PageRoute", "page", "redirect", "field_errors", "error_page"]


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("creditfactory.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
    env.filters.update(money=money, when=when, words=words, rate=rate, number=number,
                       tr=i18n.gettext, reason=reason, action=action, findings=findings,
                       feature=feature)
    return env


def _nav(request: Request, actor: Actor | None) -> list[tuple[str, str]]:
    if actor is None:
        return []
    works_a_station = staffed_stations(request.app.state.ctx, actor)
    links = [
        ("/ui/intake", "Intake", tuple(request.app.state.ctx.process.roles_of("intake"))),
        ("/ui/queue", "Queue", (actor.role,) if works_a_station else ()),
        ("/ui/cases", "Cases", CASE_READERS),
        ("/ui/channels", "Channels", channel_rules.READERS),
        ("/ui/blacklists", "Blacklists", blacklist_rules.READERS),
        ("/ui/bank", "Bank", BANK_READERS),
        ("/ui/warning", "Early warning", OVERSEERS),
        ("/ui/dashboard", "Dashboard", dashboard_rules.READERS),
        ("/ui/collections", "Collections", collections_roles.READERS),
        ("/ui/users", "Users", ("admin",)),
        ("/ui/me", "My settings", (actor.role,)),
    ]
    return [(href, label) for href, label, roles in links if actor.role in roles]


def _secured(response: Response) -> Response:
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def page(
    request: Request, template: str, actor: Actor | None, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``template`` for ``actor`` (with the navigation and the forms' CSRF token), in
    the user's language, times in the zone of ``values["branch"]`` (China time without one)."""
    session = request.cookies.get(SESSION_COOKIE)
    locale = i18n.negotiate(request.headers.get("accept-language"),
                            request.cookies.get(i18n.LANG_COOKIE))
    with i18n.reading(i18n.reader_for(locale, values.pop("branch", None))) as reader:
        html = _templates().get_template(template).render(
            actor=actor,
            nav=_nav(request, actor),
            path=request.url.path,
            csrf=values.pop("csrf", None) or (csrf_for(session) if session and actor else ""),
            lang=reader.html_lang,
            locale=reader.locale,
            languages=i18n.LANGUAGES,
            **values,
        )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = reader.html_lang
    return response


def redirect(url: str) -> RedirectResponse:
    """See-other after a form, so a reload does not post it again."""
    return RedirectResponse(url, status_code=303)


def field_errors(exc: InvalidInput) -> dict[str, str]:
    """The service's per-field messages keyed by field."""
    return {field: message for field, message in exc.errors}


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    try:
        actor: Actor | None = signed_in(request)
    except NotSignedIn:
        actor = None
    return page(request, "error.html", actor, status, code=status, message=message)


def error_page(request: Request, status: int, message: str) -> Response:
    """The site's error page with ``status`` (and the pages' security headers)."""
    return _secured(_error_page(request, status, message))


def _to_login(request: Request) -> Response:
    target = request.url.path if request.method == "GET" else "/ui/"
    response = redirect(f"/ui/login?next={quote(target)}")
    clear_cookie(request, response, SESSION_COOKIE)
    return response


class PageRoute(APIRoute):
    """A route answering in HTML whatever happens."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except NotSignedIn:
                response = _to_login(request)
            except CsrfRejected as exc:
                response = _error_page(request, 403, str(exc))
            except RequestValidationError:
                response = _error_page(request, 404, "no such page")
            except (ServiceError, InvalidArgument) as exc:
                response = _error_page(request, status_of(exc), str(exc))
            return _secured(response)

        return guarded
