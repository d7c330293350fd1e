"""The early-warning dashboard: the monitored months, a month's amber and red alerts with their
owners and suggested actions, and the industry default outlook (risk analysts and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from creditfactory.http.deps import CtxDep
from creditfactory.services.monitoring_store import warning_view
from creditfactory.web.charts_svg import grouped_bars
from creditfactory.web.i18n import gettext
from creditfactory.web.rendering import PageRoute, page
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)


def _trend_chart(trend: list[dict[str, Any]]) -> Markup | None:
    """The book's NPL and 30+ DPD shares by month-end, in the page's language (called while
    the page renders)."""
    if not trend:
        return None
    return grouped_bars(
        gettext("The book at each month-end: non-performing and 30+ DPD share of the balance"),
        tuple(r["month"] for r in trend),
        ((gettext("NPL ratio"), tuple(round(r["npl_ratio"] * 100, 2) for r in trend)),
         (gettext("30+ DPD"), tuple(round(r["dpd30_ratio"] * 100, 2) for r in trend))),
        "book-trend", " %")


@router.get("/warning")
def warning(
    request: Request,
    ctx: CtxDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
) -> Response:
    actor = signed_in(request)
    view = warning_view(ctx, actor, month)
    red = sum(1 for a in view["alerts"] if a["level"] == "red")
    return page(request, "warning.html", actor, view=view, red=red,
                trend_chart=lambda: _trend_chart(view["trend"]))
