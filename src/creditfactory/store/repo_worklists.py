"""A station's work list in one statement: each queued task with its case's tier and amount."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.domain.task import Task
from creditfactory.store.tables_case import applications, cases, tasks

__all__ = ["WorklistRepository", "WorkItem"]

_TASK_COLUMNS = tuple(c.name for c in tasks.c)


class WorkItem(NamedTuple):
    """A queued task with what the work list shows of its case (None for a case gone)."""

    task: Task
    application_id: int | None
    tier: str | None
    amount: Decimal | None

_WORKLIST = (
    sa.select(tasks, cases.c.application_id, cases.c.tier, applications.c.amount)
    .select_from(
        tasks.outerjoin(cases, cases.c.id == tasks.c.case_id).outerjoin(
            applications, applications.c.application_id == cases.c.application_id
        )
    )
    .where(tasks.c.station == sa.bindparam("station"), tasks.c.status.in_(("open", "claimed")))
    .order_by(tasks.c.due_at, tasks.c.id)
    .offset(sa.bindparam("offset"))
    .limit(sa.bindparam("limit"))
)


class WorklistRepository:
    """Reads for the staff pages' station work lists."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def page(self, station: str, *, offset: int, limit: int) -> list[WorkItem]:
        """Open and claimed tasks at ``station``, earliest due first (as the task queue orders
        them), each with ``application_id``, ``tier`` and ``amount`` of its case."""
        params = {"station": station, "offset": offset, "limit": limit}
        return [
            WorkItem(
                Task(**{k: r[k] for k in _TASK_COLUMNS}), r["application_id"], r["tier"], r["amount"]
            )
            for r in self._c.execute(_WORKLIST, params).mappings()
        ]
