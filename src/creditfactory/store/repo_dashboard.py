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

    def payouts(self, since: datetime, now: datetime, day_start: datetime
                ) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
        """Loans paid out since ``since``, in one statement (one join of loans and cases):
        per tier, of the period's and of today's, how many and the median and 90th percentile
        (nearest rank) seconds from application (its case's opening) to payout; and (day paid
        out, tier, loans)."""
        c, ln = cases.c, loans.c
        base = (
            sa.select(
                c.tier.label("tier"),
                sa.case((ln.paid_out_at >= day_start, 1), else_=0).label("today"),
                self._day(ln.paid_out_at, now).label("day"),
                self._seconds(c.opened_at, ln.paid_out_at).label("secs"),
            )
            .select_from(loans.join(cases, c.id == ln.case_id))
            .where(ln.paid_out_at >= since)
            .cte("payouts")
        )
        b = base.c
        ranked = sa.select(
            b.tier, b.today, b.secs,
            sa.func.row_number().over(partition_by=b.tier, order_by=b.secs).label("rn"),
            sa.func.count().over(partition_by=b.tier).label("n"),
            sa.func.row_number().over(partition_by=(b.tier, b.today), order_by=b.secs)
            .label("rn_day"),
            sa.func.count().over(partition_by=(b.tier, b.today)).label("n_day"),
        ).cte("ranked")
        r = ranked.c

        def stats(scope: str, rn: Any, n: Any, *where: Any) -> Any:
            return sa.select(
                sa.literal(scope).label("scope"), r.tier, sa.literal("").label("day"),
                sa.func.max(n).label("n"),
                sa.func.max(sa.case((rn == (n + 1) // 2, r.secs))).label("median"),
                sa.func.max(sa.case((rn == (n * 9 + 9) // 10, r.secs))).label("p90"),
            ).where(*where).group_by(r.tier)

        by_day = sa.select(
            sa.literal("day").label("scope"), b.tier, b.day, sa.func.count().label("n"),
            sa.null().label("median"), sa.null().label("p90"),
        ).group_by(b.tier, b.day)
        q = sa.union_all(stats("period", r.rn, r.n), stats("today", r.rn_day, r.n_day,
                                                           r.today == 1), by_day)
        times: dict[str, dict[str, Any]] = {}
        days: list[tuple[str, str, int]] = []
        for scope, tier, day, n, median, p90 in self._c.execute(q):
            if scope == "day":
                days.append((str(day), str(tier), int(n)))
            else:
                times.setdefault(str(tier), {"tier": str(tier)})[scope] = {
                    "n": int(n), "median": float(median), "p90": float(p90)}
        return [times[k] for k in sorted(times)], days
