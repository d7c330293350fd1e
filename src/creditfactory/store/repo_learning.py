"""Learning from the book's repository: the scorecards' monthly performance, the challenger
promotion decisions and the known bads the loan book establishes for the fraud graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables import channels
from creditfactory.store.tables_case import applications, loans
from creditfactory.store.tables_learning import (
    bcard_scores,
    book_known_bads,
    model_performance,
    model_promotions,
    ring_links,
    ring_sweeps,
)
from creditfactory.store.tables_monitoring import monitoring_loan_months
from creditfactory.store.tables_servicing import loan_accounts

__all__ = ["LearningRepository"]


class LearningRepository:
    """Reads and writes of the learning tables inside one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def replace_performance(self, month: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """The month's performance rows, one per model (a rerun replaces them)."""
        t = model_performance
        self._c.execute(sa.delete(t).where(t.c.month == month))
        if rows:
            self._c.execute(sa.insert(t), [dict(r, month=month) for r in rows])

    def performance(self, until: str | None = None) -> list[dict[str, Any]]:
        """Every stored performance row up to ``until``, by month then model."""
        t = model_performance
        q = sa.select(t).order_by(t.c.month, t.c.model)
        if until is not None:
            q = q.where(t.c.month <= until)
        return [dict(r._mapping) for r in self._c.execute(q)]

    def replace_bcard(self, month: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """The B-card's scores of the month's active loans (a rerun replaces them)."""
        t = bcard_scores
        self._c.execute(sa.delete(t).where(t.c.month == month))
        for i in range(0, len(rows), 5_000):
            self._c.execute(sa.insert(t), [dict(r, month=month) for r in rows[i:i + 5_000]])

    def bcard(self, month: str, limit: int = 20) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The month's B-card figures (``loans``, ``mean_pd``, ``high``: PD of 10 % or more)
        and its ``limit`` riskiest loans, highest PD first."""
        t = bcard_scores
        figures = self._c.execute(
            sa.select(sa.func.count().label("loans"), sa.func.avg(t.c.pd).label("mean_pd"),
                      sa.func.sum(sa.case((t.c.pd >= 0.1, 1), else_=0)).label("high"))
            .where(t.c.month == month)).mappings().one()
        q = sa.select(t).where(t.c.month == month).order_by(t.c.pd.desc(), t.c.loan_id).limit(limit)
        return dict(figures), [dict(r._mapping) for r in self._c.execute(q)]

    def add_promotion(self, row: Mapping[str, Any]) -> int:
        """Record a promotion decision; its id."""
        result = self._c.execute(sa.insert(model_promotions).values(**row)
                                 .returning(model_promotions.c.id))
        return int(result.scalar_one())

    def promotions(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest promotion decisions first."""
        t = model_promotions
        q = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        return [dict(r._mapping) for r in self._c.execute(q)]

    def early_defaults(self, until: str, max_mob: int, dpd: int) -> list[dict[str, Any]]:
        """Loans whose recorded month-end state up to ``until`` was over ``dpd`` days past due
        at ``max_mob`` months on book or fewer, not yet recorded as book known bads:
        ``loan_id``, ``application_id``, ``month`` (the first such month)."""
        s = monitoring_loan_months.c
        q = (sa.select(s.loan_id, loans.c.application_id, sa.func.min(s.month).label("month"))
             .select_from(monitoring_loan_months.join(loans, loans.c.id == s.loan_id))
             .where(s.month <= until, s.mob <= max_mob, s.dpd > dpd,
                    ~loans.c.application_id.in_(sa.select(book_known_bads.c.application_id)))
             .group_by(s.loan_id, loans.c.application_id)
             .order_by(s.loan_id))
        return [dict(r._mapping) for r in self._c.execute(q)]

    def unpaid_write_offs(self) -> list[dict[str, Any]]:
        """Loans written off without a payment received, not yet recorded as book known bads:
        ``loan_id``, ``application_id``, ``written_off_on``."""
        a = loan_accounts.c
        q = (sa.select(a.loan_id, loans.c.application_id, a.written_off_on)
             .select_from(loan_accounts.join(loans, loans.c.id == a.loan_id))
             .where(a.status == "written_off", a.received_fen == 0,
                    ~loans.c.application_id.in_(sa.select(book_known_bads.c.application_id)))
             .order_by(a.loan_id))
        return [dict(r._mapping) for r in self._c.execute(q)]

    def add_known_bads(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record book known bads (``application_id``, ``loan_id``, ``reason``, ``known_at``,
        ``recorded_at``)."""
        if rows:
            self._c.execute(sa.insert(book_known_bads), [dict(r) for r in rows])

    def known_bads(self) -> list[dict[str, Any]]:
        """Every book known bad, in the order recorded."""
        t = book_known_bads
        return [dict(r._mapping) for r in self._c.execute(sa.select(t).order_by(t.c.id))]

    def applications(self) -> list[dict[str, Any]]:
        """Every kept application's id, time, channel (and its type) and declared fields (what
        the A-card reads)."""
        a = applications.c
        q = (sa.select(a.application_id, a.applied_at, a.channel_id, a.fields,
                       channels.c.channel_type)
             .select_from(applications.outerjoin(channels,
                                                 channels.c.channel_id == a.channel_id))
             .order_by(a.application_id))
        return [dict(r._mapping) for r in self._c.execute(q)]

    def ring_linked_ids(self) -> set[int]:
        """The applications already found strongly linked."""
        return {int(r[0]) for r in self._c.execute(sa.select(ring_links.c.application_id))}

    def record_ring_sweep(self, sweep: Mapping[str, Any], links: Sequence[Mapping[str, Any]]) -> None:
        """Keep a month-end sweep (``month``, ``through_application``, ``applications``,
        ``linked``, ``swept_at``; a rerun of the month replaces it) and the links it found that
        were not known (``application_id``, ``linked_at``, ``found_in``)."""
        self._c.execute(sa.delete(ring_sweeps).where(ring_sweeps.c.month == sweep["month"]))
        self._c.execute(sa.insert(ring_sweeps), [dict(sweep)])
        if links:
            self._c.execute(sa.insert(ring_links), [dict(r) for r in links])

    def last_ring_sweep(self) -> dict[str, Any] | None:
        """The latest month's sweep, or None before the first."""
        q = sa.select(ring_sweeps).order_by(ring_sweeps.c.month.desc()).limit(1)
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)
