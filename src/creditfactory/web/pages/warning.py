"""The early-warning dashboard: the monitored months, a month's amber and red alerts with their
owners and suggested actions, and the industry default outlook (risk analysts and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.services.monitoring_store import warning_view
from creditfactory.web.rendering import PageRoute, page
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)


@router.get("/warning")
def warning(
    request: Request,
    ctx: CtxDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
) -> Response:
    actor = signed_in(request)
    view = warning_view(ctx, actor, month)
    red = sum(1 for a in view["alerts"] if a["level"] == "red")
    return page(request, "warning.html", actor, view=view, red=red)
