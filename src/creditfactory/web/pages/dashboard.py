"""The supervisor dashboard: station queues and throughput, SLA breaches, time from
application to payout per tier, approval and tier mix, today and over the last 30 days."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from creditfactory.http.deps import CtxDep
from creditfactory.services.dashboard import TIERS, Dashboard, dashboard
from creditfactory.web import i18n
from creditfactory.web.charts_svg import grouped_bars, stacked_days
from creditfactory.web.formatting import words
from creditfactory.web.rendering import PageRoute, page
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)


def _series(values: dict[str, list[int]], width: int, order: tuple[str, ...] = ()
            ) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """Named series for a chart; the keys of ``order`` first and always (so a tier keeps its
    colour from chart to chart), then any others."""
    keys = [*order, *(k for k in values if k not in order)]
    return tuple((words(k), tuple(float(v) for v in values.get(k, [0] * width))) for k in keys)


def _time_unit(seconds: list[float]) -> tuple[float, str]:
    """Hours, minutes or seconds: the largest unit the longest time fills at least once."""
    longest = max(seconds, default=0.0)
    if longest >= 3600:
        return 3600.0, " " + i18n.gettext("hours")
    if longest >= 60:
        return 60.0, " " + i18n.gettext("minutes")
    return 1.0, " " + i18n.gettext("seconds")


def _charts(board: Dashboard) -> dict[str, Markup]:
    """The dashboard's charts in the page's language (drawn once per language and figures)."""
    _ = i18n.gettext
    days = tuple(board.days)
    stations = board.stations
    times = [t for t in board.payout_times if "period" in t]
    per, unit = _time_unit([t["period"]["p90"] for t in times])
    return {
        "applications": stacked_days(_("Applications per day by tier"), days,
                                     _series(board.applications, len(days), TIERS), "chart-applications"),
        "payouts": stacked_days(_("Loans paid out per day by tier"), days,
                                _series(board.payouts, len(days), TIERS[:3]), "chart-payouts"),
        "throughput": stacked_days(_("Tasks done per day by station"), days,
                                   _series(board.throughput, len(days)), "chart-throughput"),
        "queues": grouped_bars(
            _("Queues now"), tuple(words(s["station"]) for s in stations),
            ((_("waiting"), tuple(float(s["waiting"]) for s in stations)),
             (_("past due"), tuple(float(s["overdue"]) for s in stations)),
             (_("in hand"), tuple(float(s["in_hand"]) for s in stations))),
            "chart-queues"),
        "payout_times": grouped_bars(
            _("Time from application to payout (30 days)"),
            tuple(words(t["tier"]) for t in times),
            ((_("median"), tuple(round(t["period"]["median"] / per, 1) for t in times)),
             (_("90th percentile"), tuple(round(t["period"]["p90"] / per, 1) for t in times))),
            "chart-payout-times", unit),
    }


@router.get("/dashboard")
def supervisor_dashboard(request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    board = dashboard(ctx, actor, i18n.zone_of_branch(None))
    return page(request, "dashboard.html", actor, board=board, charts=lambda: _charts(board))
