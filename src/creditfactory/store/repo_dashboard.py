"""The supervisor dashboard's figures, each one SQL aggregate over the store (no row read into
Python): station queues and throughput, SLA breaches, time from referral to payout per tier
(median and 90th percentile by nearest rank), and the tier mix of applications by day.

Days are calendar days of the branch's time zone, computed in the database: SQLite shifts the
stored UTC text by the zone's fixed offset, PostgreSQL converts with the zone's name.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables_case import bank_submissions, cases, loans, tasks

__all__ = ["DashboardQueries"]


class DashboardQueries:
    """Read-only aggregates for one dashboard, in ``zone``'s calendar days."""

    def __init__(self, conn: Connection, zone: ZoneInfo) -> None:
        self._c = conn
        self._zone = zone
        self._sqlite = conn.dialect.name == "sqlite"

    def _day(self, column: Any, now: datetime) -> Any:
        if self._sqlite:
            offset = now.astimezone(self._zone).utcoffset() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            return sa.func.date(column, f"{minutes:+d} minutes")
        return sa.func.to_char(sa.func.timezone(self._zone.key, column), "YYYY-MM-DD")

    def _seconds(self, start: Any, end: Any) -> Any:
        if self._sqlite:
            return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
        return sa.extract("epoch", end - start)

    def stations(self, now: datetime, day_start: datetime) -> list[dict[str, Any]]:
        """Per station with tasks: ``waiting`` (open), ``in_hand`` (claimed), ``overdue``
        (not done and past due), ``done_today`` and ``late_today`` (done today after due)."""
        t = tasks.c
        waiting = sa.select(
            t.station,
            sa.func.sum(sa.case((t.status == "open", 1), else_=0)).label("waiting"),
            sa.func.sum(sa.case((t.status == "claimed", 1), else_=0)).label("in_hand"),
            sa.func.sum(sa.case((t.due_at < now, 1), else_=0)).label("overdue"),
        ).where(t.status.in_(("open", "claimed"))).group_by(t.station)
        done = sa.select(
            t.station,
            sa.func.count().label("done_today"),
            sa.func.sum(sa.case((t.completed_at > t.due_at, 1), else_=0)).label("late_today"),
        ).where(t.status == "done", t.completed_at >= day_start).group_by(t.station)
        out: dict[str, dict[str, Any]] = {}
        zero = {"waiting": 0, "in_hand": 0, "overdue": 0, "done_today": 0, "late_today": 0}
        for row in self._c.execute(waiting).mappings():
            out.setdefault(row["station"], dict(zero)).update(
                {k: int(row[k] or 0) for k in ("waiting", "in_hand", "overdue")})
        for row in self._c.execute(done).mappings():
            out.setdefault(row["station"], dict(zero)).update(
                {k: int(row[k] or 0) for k in ("done_today", "late_today")})
        b = bank_submissions.c
        bank = self._c.execute(
            sa.select(sa.func.count(), sa.func.sum(sa.case((b.answer_due_at < now, 1), else_=0)))
            .where(b.status == "pending")
        ).one()
        bank_done = self._c.execute(
            sa.select(sa.func.count(),
                      sa.func.sum(sa.case((b.answered_at > b.answer_due_at, 1), else_=0)))
            .where(b.answered_at >= day_start)
        ).one()
        if bank[0] or bank_done[0]:
            out["bank"] = {**zero, "waiting": int(bank[0] or 0), "overdue": int(bank[1] or 0),
                           "done_today": int(bank_done[0] or 0),
                           "late_today": int(bank_done[1] or 0)}
        return [{"station": k, **v} for k, v in sorted(out.items())]

    def throughput_by_day(self, since: datetime, now: datetime) -> list[tuple[str, str, int]]:
        """(day, station, tasks done) for each day since ``since`` with work done."""
        t = tasks.c
        day = self._day(t.completed_at, now).label("day")
        q = (
            sa.select(day, t.station, sa.func.count())
            .where(t.status == "done", t.completed_at >= since)
            .group_by(day, t.station)
        )
        return [(str(d), str(s), int(n)) for d, s, n in self._c.execute(q)]

    def tiers_by_day(self, since: datetime, now: datetime) -> list[tuple[str, str, str, int]]:
        """(day applied, tier, case status, applications) since ``since``; a case opens when
        its application arrives, so the narrow cases table is read alone."""
        c = cases.c
        day = self._day(c.opened_at, now).label("day")
        q = (
            sa.select(day, c.tier, c.status, sa.func.count())
            .where(c.opened_at >= since)
            .group_by(day, c.tier, c.status)
        )
        return [(str(d), str(t), str(s), int(n)) for d, t, s, n in self._c.execute(q)]

    def payout_times(self, since: datetime, now: datetime, day_start: datetime
                     ) -> list[dict[str, Any]]:
        """Per tier, of loans paid out since ``since`` and of today's: how many, and the median
        and 90th percentile (nearest rank) seconds from application to payout."""
        c, ln = cases.c, loans.c
        base = (
            sa.select(
                c.tier.label("tier"),
                sa.case((ln.paid_out_at >= day_start, 1), else_=0).label("today"),
                self._seconds(c.opened_at, ln.paid_out_at).label("secs"),
            )
            .select_from(loans.join(cases, c.id == ln.case_id))
            .where(ln.paid_out_at >= since)
            .cte("payouts")
        )
        out: dict[str, dict[str, Any]] = {}
        for scope, where in (("period", sa.true()), ("today", base.c.today == 1)):
            ranked = sa.select(
                base.c.tier,
                base.c.secs,
                sa.func.row_number().over(partition_by=base.c.tier, order_by=base.c.secs)
                .label("rn"),
                sa.func.count().over(partition_by=base.c.tier).label("n"),
            ).where(where).subquery()
            r = ranked.c
            q = sa.select(
                r.tier,
                sa.func.max(r.n),
                sa.func.max(sa.case((r.rn == (r.n + 1) // 2, r.secs))),
                sa.func.max(sa.case((r.rn == (r.n * 9 + 9) // 10, r.secs))),
            ).group_by(r.tier)
            for tier, n, median, p90 in self._c.execute(q):
                out.setdefault(str(tier), {"tier": str(tier)})[scope] = {
                    "n": int(n), "median": float(median), "p90": float(p90)}
        return [out[k] for k in sorted(out)]

    def payouts_by_day(self, since: datetime, now: datetime) -> list[tuple[str, str, int]]:
        """(day paid out, tier, loans) since ``since``."""
        c, ln = cases.c, loans.c
        day = self._day(ln.paid_out_at, now).label("day")
        q = (
            sa.select(day, c.tier, sa.func.count())
            .select_from(loans.join(cases, c.id == ln.case_id))
            .where(ln.paid_out_at >= since)
            .group_by(day, c.tier)
        )
        return [(str(d), str(t), int(n)) for d, t, n in self._c.execute(q)]
