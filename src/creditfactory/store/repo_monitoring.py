"""The monthly monitoring's repository: the book's loans with their dimensions, each loan's
state at each monitored month-end, and the month's alerts, outlook and run record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables_case import applications, decisions, loans
from creditfactory.store.tables_monitoring import (
    monitoring_alerts,
    monitoring_loan_months,
    monitoring_outlook,
    monitoring_runs,
)
from creditfactory.store.tables_servicing import loan_accounts

__all__ = ["MonitoringRepository"]

_CHUNK = 5_000


class MonitoringRepository:
    """Reads and writes of the monitoring tables inside one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def book(self) -> list[dict[str, Any]]:
        """Every loan of the book: its elements, state now, the application's branch, industry
        and channel, and the A-card PD its latest decision recorded (``a_pd``)."""
        latest = (sa.select(decisions.c.application_id, sa.func.max(decisions.c.seq).label("seq"))
                  .group_by(decisions.c.application_id).subquery())
        a = loan_accounts.c
        q = (sa.select(a.loan_id, a.bank_code.label("bank"), a.principal, a.rate, a.term_months,
                       a.product, a.start_date, a.status, a.dpd, a.bucket, a.five_class,
                       a.principal_outstanding_fen, applications.c.branch,
                       applications.c.industry, applications.c.channel_id,
                       loans.c.application_id,
                       decisions.c.record["scores"]["a_pd"].as_float().label("a_pd"))
             .select_from(loan_accounts.join(loans, loans.c.id == a.loan_id)
                          .join(applications,
                                applications.c.application_id == loans.c.application_id)
                          .outerjoin(latest, latest.c.application_id == loans.c.application_id)
                          .outerjoin(decisions,
                                     (decisions.c.application_id == latest.c.application_id)
                                     & (decisions.c.seq == latest.c.seq)))
             .order_by(a.loan_id))
        return [dict(r._mapping) for r in self._c.execute(q)]

    def save_states(self, month: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Each loan's state at ``month``'s end (a rerun of the month replaces it)."""
        t = monitoring_loan_months
        self._c.execute(sa.delete(t).where(t.c.month == month))
        for i in range(0, len(rows), _CHUNK):
            self._c.execute(sa.insert(t), [dict(r, month=month) for r in rows[i:i + _CHUNK]])

    def states(self, until: str) -> list[dict[str, Any]]:
        """Every stored month-end state up to ``until``, by loan and month."""
        t = monitoring_loan_months
        q = sa.select(t).where(t.c.month <= until).order_by(t.c.loan_id, t.c.month)
        return [dict(r._mapping) for r in self._c.execute(q)]

    def book_trend(self, since: str, until: str) -> list[dict[str, Any]]:
        """The book at each recorded month-end from ``since`` to ``until``, in whole fen: the
        on-book balance (current and delinquent loans), its non-performing part (substandard,
        doubtful, loss) and its part more than 30 days past due."""
        t = monitoring_loan_months
        fen = t.c.principal_outstanding_fen
        on_book = t.c.status.in_(("current", "delinquent"))

        def total(when: sa.ColumnElement[bool], label: str) -> sa.Label[Any]:
            return sa.func.sum(sa.case((when, fen), else_=0)).label(label)

        q = (sa.select(t.c.month, total(on_book, "on_book_fen"),
                       total(on_book & t.c.five_class.in_(("substandard", "doubtful", "loss")),
                             "npl_fen"),
                       total(on_book & (t.c.dpd > 30), "dpd30_fen"))
             .where(t.c.month >= since, t.c.month <= until)
             .group_by(t.c.month).order_by(t.c.month))
        return [{"month": r.month, "on_book_fen": int(r.on_book_fen or 0),
                 "npl_fen": int(r.npl_fen or 0), "dpd30_fen": int(r.dpd30_fen or 0)}
                for r in self._c.execute(q)]

    def replace_results(self, month: str, alerts: Sequence[Mapping[str, Any]],
                        outlook: Sequence[Mapping[str, Any]], run: Mapping[str, Any]) -> None:
        """The month's alerts, outlook and run record (a rerun replaces them)."""
        for table in (monitoring_alerts, monitoring_outlook, monitoring_runs):
            self._c.execute(sa.delete(table).where(table.c.month == month))
        if alerts:
            self._c.execute(sa.insert(monitoring_alerts), [dict(r, month=month) for r in alerts])
        if outlook:
            self._c.execute(sa.insert(monitoring_outlook), [dict(r, month=month) for r in outlook])
        self._c.execute(sa.insert(monitoring_runs), [dict(run, month=month)])

    def runs(self) -> list[dict[str, Any]]:
        """The monitored months, latest first."""
        t = monitoring_runs
        return [dict(r._mapping) for r in self._c.execute(sa.select(t).order_by(t.c.month.desc()))]

    def alerts(self, month: str | None = None, level: str | None = None,
               dimension: str | None = None, offset: int = 0, limit: int = 100
               ) -> tuple[list[dict[str, Any]], int]:
        """Stored alerts, red first, with the count of all that match."""
        t = monitoring_alerts
        where = [c for c in (t.c.month == month if month else None,
                             t.c.level == level if level else None,
                             t.c.dimension == dimension if dimension else None) if c is not None]
        count = self._c.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one()
        q = (sa.select(t).where(*where)
             .order_by(t.c.month.desc(), (t.c.level == "red").desc(), t.c.rule, t.c.dimension,
                       t.c.value)
             .offset(offset).limit(limit))
        return [dict(r._mapping) for r in self._c.execute(q)], int(count)

    def outlook(self, month: str) -> list[dict[str, Any]]:
        """The industry outlook of ``month``, highest forecast first."""
        t = monitoring_outlook
        q = sa.select(t).where(t.c.month == month).order_by(t.c.forecast_90plus_6m.desc())
        return [dict(r._mapping) for r in self._c.execute(q)]
