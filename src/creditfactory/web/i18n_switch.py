"""The language switch in every page's header, and the site's own 404 page for unknown paths."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from creditfactory.web.i18n import LANG_COOKIE, LANGUAGES
from creditfactory.web.rendering import PageRoute, error_page, redirect
from creditfactory.web.session import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    set_cookie,
)

router = APIRouter(route_class=PageRoute)


def _back(target: str | None) -> str:
    if target and target.startswith("/ui/") and "//" not in target and "\\" not in target:
        return target
    return "/ui/"


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """Remember the chosen language in this browser (a form of the signed-in session, or of
    the login page before it) and go back to the page it was chosen on."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    cookie = SESSION_COOKIE if request.cookies.get(SESSION_COOKIE) else LOGIN_COOKIE
    check_csrf(request, fields.get(CSRF_FIELD), cookie)
    response = redirect(_back(fields.get("next")))
    if fields.get("lang") in LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, fields["lang"])
    return response


async def not_found(request: Request) -> Response:
    """Any other path under /ui: the site's 404 page, not the API's JSON (a plain route, so
    it is no page of its own: nothing to read there)."""
    return error_page(request, 404, "no such page")
