"""The supervisor dashboard: how the factory is doing today and over the last weeks.

Every figure is an SQL aggregate (``store/repo_dashboard.py``), so the cost does not grow with
the Python work per application; the result is kept ``FRESH_SECONDS`` per store and zone, so a
dashboard reloaded by several supervisors reads the store once (a payout shows within that).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from creditfactory.domain.roles import OVERSEERS
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.store.repo_dashboard import DashboardQueries
from creditfactory.store.types import utcnow

__all__ = ["READERS", "DAYS", "FRESH_SECONDS", "Dashboard", "dashboard", "forget"]

READERS: tuple[str, ...] = (*OVERSEERS, "approver")
"""Who supervises: the overseers and the approvers (who lead the middle office)."""
DAYS = 30
FRESH_SECONDS = 5.0
TIERS = ("auto_approve", "remote_verification", "field_investigation", "reject", "pending")
REFUSED = ("rejected", "declined", "no_bank")


@dataclass(frozen=True)
class Dashboard:
    """The figures of one dashboard, as of ``as_of`` in ``zone``'s days."""

    as_of: datetime
    days: list[str]
    stations: list[dict[str, Any]]
    throughput: dict[str, list[int]]
    """Tasks done per station, one count per day of ``days``."""
    applications: dict[str, list[int]]
    """Applications per tier, one count per day of ``days`` (by the day applied)."""
    payouts: dict[str, list[int]]
    """Loans paid out per tier, one count per day of ``days``."""
    payout_times: list[dict[str, Any]]
    mix_today: dict[str, Any]
    mix_period: dict[str, Any]
    breaches: dict[str, int] = field(default_factory=dict)


def _mix(rows: list[tuple[str, str, str, int]]) -> dict[str, Any]:
    tiers = dict.fromkeys(TIERS, 0)
    refused_later = paid = 0
    for _day, tier, status, n in rows:
        tiers[tier] = tiers.get(tier, 0) + n
        if tier not in ("reject", "pending") and status in REFUSED:
            refused_later += n
        if status == "done":
            paid += n
    total = sum(tiers.values())
    decided = total - tiers.get("pending", 0)
    approved = decided - tiers.get("reject", 0)
    return {
        "total": total,
        "decided": decided,
        "tiers": tiers,
        "approved": approved,
        "approval_rate": approved / decided if decided else None,
        "refused_later": refused_later,
        "done": paid,
    }


def _series(rows: list[tuple[Any, ...]], days: list[str]) -> dict[str, list[int]]:
    index = {d: i for i, d in enumerate(days)}
    out: dict[str, list[int]] = {}
    for day, key, *rest in rows:
        if day in index:
            out.setdefault(key, [0] * len(days))[index[day]] += rest[-1]
    return dict(sorted(out.items()))


def compute(conn: Any, zone: ZoneInfo, now: datetime, days: int = DAYS) -> Dashboard:
    """The dashboard of the store behind ``conn`` at ``now`` (tests call it directly)."""
    local_today = now.astimezone(zone).date()
    day_start = datetime.combine(local_today, datetime.min.time(), zone)
    since = day_start - timedelta(days=days - 1)
    day_list = [(local_today - timedelta(days=k)).isoformat() for k in range(days - 1, -1, -1)]
    q = DashboardQueries(conn, zone)
    stations = q.stations(now, day_start)
    mix_rows = q.tiers_by_day(since, now)
    payout_times, payouts_by_day = q.payouts(since, now, day_start)
    today = local_today.isoformat()
    return Dashboard(
        as_of=now,
        days=day_list,
        stations=stations,
        throughput=_series(q.throughput_by_day(since, now), day_list),
        applications=_series([(d, t, n) for d, t, _s, n in mix_rows], day_list),
        payouts=_series(payouts_by_day, day_list),
        payout_times=payout_times,
        mix_today=_mix([r for r in mix_rows if r[0] == today]),
        mix_period=_mix(mix_rows),
        breaches={
            "overdue_now": sum(s["overdue"] for s in stations),
            "late_today": sum(s["late_today"] for s in stations),
        },
    )


_cache: dict[tuple[int, str], tuple[float, Dashboard]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop the kept dashboards (a test that changes the store and reads again at once)."""
    with _lock:
        _cache.clear()


def dashboard(ctx: ServiceContext, actor: Actor, zone: ZoneInfo) -> Dashboard:
    """The supervisor dashboard for ``actor`` (supervising roles only), at most
    ``FRESH_SECONDS`` old."""
    if actor.role not in READERS:
        raise RoleNotAllowed(f"needs one of the roles {', '.join(READERS)}")
    key = (id(ctx.engine), zone.key)
    with _lock:
        kept = _cache.get(key)
    if kept is not None and time.monotonic() - kept[0] < FRESH_SECONDS:
        return kept[1]
    with ctx.uow(write=False) as uow:
        board = compute(uow.conn, zone, utcnow())
    with _lock:
        _cache[key] = (time.monotonic(), board)
    return board
