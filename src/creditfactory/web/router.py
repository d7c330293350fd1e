"""All staff pages under ``/ui``, plus their stylesheet."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from creditfactory.web import i18n_switch
from creditfactory.web.pages import (
    auth,
    bank,
    blacklists,
    cases,
    channels,
    collections,
    dashboard,
    intake,
    loans,
    portfolio,
    queue,
    users,
    warning,
)

router = APIRouter(prefix="/ui", include_in_schema=False)
for _module in (auth, queue, cases, channels, bank, blacklists, loans, portfolio,
                warning, i18n_switch, intake, dashboard, users, collections):
    router.include_router(_module.router)


@cache
def _stylesheet() -> str:
    return (resources.files("creditfactory.web") / "static" / "app.css").read_text("utf-8")


@router.get("/static/app.css")
def stylesheet() -> Response:
    return Response(
        _stylesheet(),
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


# last: any other /ui path gets the 404 page (a plain route: the prefix is written out)
router.add_route("/ui/{rest:path}", i18n_switch.not_found, methods=["GET", "HEAD", "POST"],
                 include_in_schema=False)
