"""Repositories for bank submissions, the per-bank monthly counts, and loans at payout.

A bank's monthly quota counts the packages sent to it in a month (UTC) that it has not
declined. ``bank_month_counts`` keeps that number per bank and month, changed in the same
transaction as the submission or the decline that changes it, so routing reads a handful of
rows rather than counting a month of submissions. Submissions and loans go in and come back
as the domain's entities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.domain.application import ApplicationTerms, RecordedDecision
from creditfactory.domain.bank import BankSubmission, Loan
from creditfactory.domain.case import Case
from creditfactory.store.errors import StoreError
from creditfactory.store.prepared import Prepared
from creditfactory.store.tables_case import (
    applications,
    bank_month_counts,
    bank_submissions,
    cases,
    decisions,
    loans,
)

__all__ = ["SubmissionRepository", "AnswerRows", "month_of"]

_ADD = Prepared(sa.insert(bank_submissions).returning(bank_submissions.c.id))
_ADD_LOAN = Prepared(sa.insert(loans).returning(loans.c.id))
_ANSWER = (
    sa.update(bank_submissions)
    .where(bank_submissions.c.id == sa.bindparam("sub_id"), bank_submissions.c.status == "pending")
    .values(
        status=sa.bindparam("new_status"),
        answered_by=sa.bindparam("by"),
        reason=sa.bindparam("why"),
        answered_at=sa.bindparam("at"),
    )
)
_USED_FROM = (
    sa.select(bank_month_counts.c.bank_code, sa.func.sum(bank_month_counts.c.submitted))
    .where(bank_month_counts.c.month >= sa.bindparam("month"))
    .group_by(bank_month_counts.c.bank_code)
)
# only what routing and payout read of an application (not its sealed personal data)
_APP_COLUMNS = (
    applications.c.application_id,
    applications.c.amount,
    applications.c.term_months,
    applications.c.industry,
    applications.c.branch,
)


def _ids() -> sa.BindParameter[Any]:
    return sa.bindparam("ids", expanding=True)


_SENT_TO = sa.select(bank_submissions.c.case_id, bank_submissions.c.bank_code).where(
    bank_submissions.c.case_id.in_(_ids())
)
_PENDING_LOCKED = (
    sa.select(bank_submissions)
    .where(bank_submissions.c.id.in_(_ids()), bank_submissions.c.status == "pending")
    .order_by(bank_submissions.c.id)
    .with_for_update()
)
_LATER = decisions.alias("later")
# each case (locked) with its application's routing and loan fields and its latest decision
_READ_AHEAD = (
    sa.select(
        cases,
        *[c.label(f"app_{c.name}") for c in _APP_COLUMNS],
        *[c.label(f"dec_{c.name}") for c in decisions.c],
    )
    .join(applications, applications.c.application_id == cases.c.application_id)
    .join(decisions, decisions.c.application_id == cases.c.application_id)
    .where(
        cases.c.id.in_(_ids()),
        ~sa.exists().where(
            _LATER.c.application_id == decisions.c.application_id, _LATER.c.seq > decisions.c.seq
        ),
    )
    .order_by(cases.c.id)
    .with_for_update(of=cases)
)
_PARTS = (
    ("", [c.name for c in cases.c]),
    ("app_", [c.name for c in _APP_COLUMNS]),
    ("dec_", [c.name for c in decisions.c]),
)


_SUBMISSION_COLUMNS = tuple(c.name for c in bank_submissions.c if c.name != "id")
_LOAN_COLUMNS = tuple(c.name for c in loans.c if c.name != "id")


def _split(row: RowMapping) -> tuple[Case, ApplicationTerms, RecordedDecision]:
    case, app, dec = ({name: row[prefix + name] for name in names} for prefix, names in _PARTS)
    return Case(**case), ApplicationTerms(**app), RecordedDecision(**dec)


@cache
def _pending(by_bank: bool, by_due: bool) -> Any:
    q = (
        sa.select(bank_submissions)
        .where(bank_submissions.c.status == "pending")
        .order_by(bank_submissions.c.answer_due_at, bank_submissions.c.id)
        .limit(sa.bindparam("n"))
    )
    if by_bank:
        q = q.where(bank_submissions.c.bank_code.in_(sa.bindparam("codes", expanding=True)))
    if by_due:
        q = q.where(bank_submissions.c.answer_due_at <= sa.bindparam("due"))
    return q


def _counting(insert: Any) -> Any:
    stmt = insert(bank_month_counts)
    return stmt.on_conflict_do_update(
        index_elements=[bank_month_counts.c.bank_code, bank_month_counts.c.month],
        set_={"submitted": bank_month_counts.c.submitted + stmt.excluded.submitted},
    )


# add ``submitted`` to the (bank, month) row, creating it: atomic under concurrent writers
_COUNT = {
    "sqlite": Prepared(_counting(sqlite.insert)),
    "postgresql": Prepared(_counting(postgresql.insert)),
}


def month_of(at: datetime) -> str:
    """The quota month of a moment, ``YYYY-MM`` in UTC (a naive time is UTC, as stored)."""
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


@dataclass(frozen=True, slots=True)
class AnswerRows:
    """What recording a bank's answer on a case reads: the case (locked), the routing and
    loan fields of its application, its latest decision and the banks it was sent to."""

    case: Case
    application: ApplicationTerms
    decision: RecordedDecision
    tried: frozenset[str]


class SubmissionRepository:
    """Recommendation packages sent to partner banks and the loans they pay out."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._read_ahead: dict[int, AnswerRows] = {}
        self._held: Counter[tuple[str, str]] | None = None

    def add(self, sub: BankSubmission) -> int:
        """Send a package; it counts towards its bank's month unless it is already declined.
        Its id (also set on ``sub``)."""
        sub.id = _ADD.scalar(self._c, {k: getattr(sub, k) for k in _SUBMISSION_COLUMNS})
        if sub.counts_for_quota:
            self._count([(sub.bank_code, sub.submitted_at, 1)])
        return sub.id

    def _count(self, changes: Iterable[tuple[str, datetime, int]]) -> None:
        by_month = self._held if self._held is not None else Counter()
        for bank_code, submitted_at, n in changes:
            by_month[(bank_code, month_of(submitted_at))] += n
        if self._held is None:
            self._write_counts(by_month)

    def _write_counts(self, by_month: Counter[tuple[str, str]]) -> None:
        # in key order: transactions that change several rows lock them in one order
        rows = [
            {"bank_code": b, "month": m, "submitted": n}
            for (b, m), n in sorted(by_month.items())
            if n
        ]
        _COUNT[self._c.dialect.name].execute_many(self._c, rows)

    @contextmanager
    def counts_at_end(self) -> Iterator[None]:
        """Hold the count changes made inside and write them together when it ends, in key
        order (one statement; two such transactions never wait on each other's rows)."""
        if self._held is not None:
            yield
            return
        self._held = Counter()
        try:
            yield
            held = self._held
        finally:
            self._held = None
        self._write_counts(held)

    def used_since(self, month: str) -> dict[str, int]:
        """Per bank, the counted submissions of ``month`` (``YYYY-MM``) and later (with the
        changes :meth:`counts_at_end` still holds)."""
        used: Counter[str] = Counter()
        for code, n in self._c.execute(_USED_FROM, {"month": month}):
            used[code] += int(n or 0)
        for (code, m), n in (self._held or {}).items():
            if m >= month:
                used[code] += n
        return {code: n for code, n in used.items() if n}

    def get(self, submission_id: int) -> BankSubmission | None:
        q = sa.select(bank_submissions).where(bank_submissions.c.id == submission_id)
        row = self._c.execute(q).mappings().first()
        return None if row is None else BankSubmission(**row)

    def of_case(self, case_id: int) -> list[BankSubmission]:
        q = (
            sa.select(bank_submissions)
            .where(bank_submissions.c.case_id == case_id)
            .order_by(bank_submissions.c.id)
        )
        return [BankSubmission(**r) for r in self._c.execute(q).mappings()]

    def pending(
        self,
        *,
        bank_codes: list[str] | None,
        due_before: datetime | None,
        limit: int,
    ) -> list[BankSubmission]:
        """Pending packages, earliest due first."""
        q = _pending(bank_codes is not None, due_before is not None)
        params = {"codes": bank_codes, "due": due_before, "n": limit}
        return [BankSubmission(**r) for r in self._c.execute(q, params).mappings()]

    def lock_pending(self, submission_ids: list[int]) -> list[BankSubmission]:
        """Those of the submissions still pending, locked until commit (waiting for a holder)."""
        rows = self._c.execute(_PENDING_LOCKED, {"ids": submission_ids}).mappings()
        return [BankSubmission(**r) for r in rows]

    def answer(self, answered: list[BankSubmission]) -> None:
        """Store the answers of submissions that were pending when the caller locked them; a
        declined package stops counting towards its bank's month."""
        if not answered:
            return
        params = [
            {"sub_id": s.id, "new_status": s.status, "by": s.answered_by, "why": s.reason,
             "at": s.answered_at}
            for s in answered
        ]
        done = self._c.execute(_ANSWER, params).rowcount
        if self._c.dialect.supports_sane_multi_rowcount and done != len(params):
            raise StoreError(f"{len(params) - done} of {len(params)} answered packages were not pending")
        self._count((s.bank_code, s.submitted_at, -1) for s in answered if not s.counts_for_quota)

    def read_ahead(self, case_ids: list[int], *, tried: bool) -> dict[int, AnswerRows]:
        """Lock the cases and read what answering them needs, two statements for any number;
        the rows stay known to :meth:`known` for the rest of the unit of work."""
        if not case_ids:
            return {}
        read = [_split(r) for r in self._c.execute(_READ_AHEAD, {"ids": case_ids}).mappings()]
        sent: dict[int, set[str]] = {case.id: set() for case, _, _ in read}
        if tried:
            for case_id, bank_code in self._c.execute(_SENT_TO, {"ids": list(sent)}):
                sent[case_id].add(bank_code)
        rows = {
            case.id: AnswerRows(case, app, decision, frozenset(sent[case.id]))
            for case, app, decision in read
        }
        self._read_ahead.update({r.case.application_id: r for r in rows.values()})
        return rows

    def known(self, application_id: int) -> AnswerRows | None:
        """Rows :meth:`read_ahead` read for the application's case in this unit of work (its
        routing and loan fields and its latest decision: the bank steps change neither)."""
        return self._read_ahead.get(application_id)

    def add_loan(self, loan: Loan) -> int:
        """Store a paid-out loan; its id (also set on ``loan``)."""
        loan.id = _ADD_LOAN.scalar(self._c, {k: getattr(loan, k) for k in _LOAN_COLUMNS})
        return loan.id

    def loan_of_case(self, case_id: int) -> Loan | None:
        q = sa.select(loans).where(loans.c.case_id == case_id)
        row = self._c.execute(q).mappings().first()
        return None if row is None else Loan(**row)
