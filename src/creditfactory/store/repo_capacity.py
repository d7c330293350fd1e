"""What capacity planning reads from a store: the latest cases' tiers, the work times and
verdicts of completed tasks, the banks' answer times and the borrowers' signature times.

Read-only, the most recent rows of each (``limit``), times as stored (UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables_case import bank_submissions, cases, tasks
from creditfactory.store.tables_contracts import contracts

__all__ = ["CapacityReads"]


class CapacityReads:
    """The observations behind a capacity simulation."""

    def __init__(self, conn: Connection, limit: int = 20000) -> None:
        self._c = conn
        self._limit = limit

    def tiers(self) -> list[tuple[str, bool]]:
        """(tier, exception) of the latest cases."""
        q = (sa.select(cases.c.tier, cases.c.exception)
             .order_by(cases.c.id.desc()).limit(self._limit))
        return [(r.tier, bool(r.exception)) for r in self._c.execute(q)]

    def work(self) -> list[tuple[str, datetime, datetime, Any]]:
        """(station, claimed, completed, outcome) of the latest completed tasks."""
        q = (sa.select(tasks.c.station, tasks.c.claimed_at, tasks.c.completed_at,
                       tasks.c.outcome)
             .where(tasks.c.completed_at.is_not(None), tasks.c.claimed_at.is_not(None))
             .order_by(tasks.c.id.desc()).limit(self._limit))
        return [tuple(r) for r in self._c.execute(q)]  # type: ignore[misc]

    def bank_answers(self) -> list[tuple[datetime, datetime, str]]:
        """(submitted, answered, status) of the latest answered bank submissions."""
        q = (sa.select(bank_submissions.c.submitted_at, bank_submissions.c.answered_at,
                       bank_submissions.c.status)
             .where(bank_submissions.c.answered_at.is_not(None))
             .order_by(bank_submissions.c.id.desc()).limit(self._limit))
        return [tuple(r) for r in self._c.execute(q)]  # type: ignore[misc]

    def signatures(self) -> list[tuple[datetime, datetime]]:
        """(written, signed) of the latest signed contracts."""
        q = (sa.select(contracts.c.created_at, contracts.c.signed_at)
             .where(contracts.c.signed_at.is_not(None))
             .order_by(contracts.c.id.desc()).limit(self._limit))
        return [tuple(r) for r in self._c.execute(q)]  # type: ignore[misc]
