"""Repositories for bank submissions and loans at payout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables_case import bank_submissions, loans

_ADD = sa.insert(bank_submissions).returning(bank_submissions.c.id)


class SubmissionRepository:
    """Recommendation packages sent to partner banks and the loans they pay out."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, **values: Any) -> int:
        return int(self._c.execute(_ADD, values).scalar_one())

    def get(self, submission_id: int) -> RowMapping | None:
        q = sa.select(bank_submissions).where(bank_submissions.c.id == submission_id)
        return self._c.execute(q).mappings().first()

    def of_case(self, case_id: int) -> list[RowMapping]:
        q = (
            sa.select(bank_submissions)
            .where(bank_submissions.c.case_id == case_id)
            .order_by(bank_submissions.c.id)
        )
        return list(self._c.execute(q).mappings())

    def pending(
        self, *, bank_codes: list[str] | None, due_before: datetime | None, limit: int
    ) -> list[RowMapping]:
        q = (
            sa.select(bank_submissions)
            .where(bank_submissions.c.status == "pending")
            .order_by(bank_submissions.c.answer_due_at, bank_submissions.c.id)
            .limit(limit)
        )
        if bank_codes is not None:
            q = q.where(bank_submissions.c.bank_code.in_(bank_codes))
        if due_before is not None:
            q = q.where(bank_submissions.c.answer_due_at <= due_before)
        return list(self._c.execute(q).mappings())

    def answer(self, submission_id: int, status: str, by: str, reason: str, at: datetime) -> bool:
        """Record the bank's answer once; False when it was already answered."""
        q = (
            sa.update(bank_submissions)
            .where(bank_submissions.c.id == submission_id, bank_submissions.c.status == "pending")
            .values(status=status, answered_by=by, reason=reason, answered_at=at)
        )
        return self._c.execute(q).rowcount == 1

    def add_loan(self, **values: Any) -> int:
        return int(
            self._c.execute(sa.insert(loans).values(**values).returning(loans.c.id)).scalar_one()
        )

    def loan_of_case(self, case_id: int) -> RowMapping | None:
        return (
            self._c.execute(sa.select(loans).where(loans.c.case_id == case_id)).mappings().first()
        )
