"""A station's work list in one statement: each queued task with its case's tier and amount."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.domain.task import Task
from creditfactory.store.tables_case import applications, cases, tasks

__all__ = ["WorklistRepository", "WorkItem", "ORDERS"]

_TASK_COLUMNS = tuple(c.name for c in tasks.c)


class WorkItem(NamedTuple):
    """A queued task with what the work list shows of its case (None for a case gone)."""

    task: Task
    application_id: int | None
    tier: str | None
    amount: Decimal | None

ORDERS: dict[str, tuple[sa.ColumnElement[object], ...]] = {
    "due": (tasks.c.due_at,),
    "amount": (applications.c.amount.desc(),),
    "opened": (tasks.c.created_at,),
    "tier": (cases.c.tier, tasks.c.due_at),
}
"""The orders a work list can be read in (largest amount first for ``amount``)."""

# the statuses written out (not bound), so the store sees the partial index's own condition
_QUEUED = tasks.c.status.in_([sa.literal_column("'open'"), sa.literal_column("'claimed'")])
_JOINED = sa.select(tasks, cases.c.application_id, cases.c.tier, applications.c.amount).select_from(
    tasks.outerjoin(cases, cases.c.id == tasks.c.case_id).outerjoin(
        applications, applications.c.application_id == cases.c.application_id
    )
)
_WORKLIST = (
    _JOINED.where(tasks.c.station == sa.bindparam("station"), _QUEUED)
    .order_by(tasks.c.due_at, tasks.c.id)
    .offset(sa.bindparam("offset"))
    .limit(sa.bindparam("limit"))
)
# earliest due first: the page's task ids from the queue's index alone, then their cases
_DUE_PAGE = _JOINED.where(
    tasks.c.id.in_(
        sa.select(tasks.c.id)
        .where(tasks.c.station == sa.bindparam("station"), _QUEUED)
        .order_by(tasks.c.due_at, tasks.c.id)
        .offset(sa.bindparam("offset"))
        .limit(sa.bindparam("limit"))
    )
).order_by(tasks.c.due_at, tasks.c.id)


class WorklistRepository:
    """Reads for the staff pages' station work lists."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def page(self, station: str, *, offset: int, limit: int, assignee: str | None = None,
             order: str = "due") -> list[WorkItem]:
        """Open and claimed tasks at ``station``, earliest due first (as the task queue orders
        them) or in another of ``ORDERS``, each with ``application_id``, ``tier`` and
        ``amount`` of its case; only those claimed by ``assignee`` when given."""
        params = {"station": station, "offset": offset, "limit": limit}
        query = _DUE_PAGE
        if assignee is not None or order != "due":
            query = _WORKLIST.order_by(None).order_by(*ORDERS[order], tasks.c.id)
            if assignee is not None:
                query = query.where(tasks.c.assignee == assignee, tasks.c.status == "claimed")
        return [
            WorkItem(
                Task(**{k: r[k] for k in _TASK_COLUMNS}), r["application_id"], r["tier"], r["amount"]
            )
            for r in self._c.execute(query, params).mappings()
        ]

    def count(self, station: str, *, assignee: str | None = None) -> int:
        """How many tasks :meth:`page` pages through."""
        q = sa.select(sa.func.count()).select_from(tasks).where(tasks.c.station == station,
                                                               _QUEUED)
        if assignee is not None:
            q = q.where(tasks.c.assignee == assignee, tasks.c.status == "claimed")
        return int(self._c.execute(q).scalar_one())
