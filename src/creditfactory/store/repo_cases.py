"""Repositories for applicants, applications, decisions, cases and tasks.

Applications, decisions, cases and tasks come back as the domain's entities (built from the
row by keyword, nothing validated again) and cases and tasks go in as entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.domain.application import Application, ApplicationTerms, RecordedDecision
from creditfactory.domain.case import Case
from creditfactory.domain.task import Task
from creditfactory.store.prepared import Prepared
from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, cases, decisions, findings, tasks

_APPLICANT_BY_HASH = sa.select(applicants.c.id).where(
    applicants.c.resident_id_hash == sa.bindparam("h")
)
_ADD_APPLICANT = Prepared(sa.insert(applicants).returning(applicants.c.id))
_ADD_APPLICATION = Prepared(sa.insert(applications).returning(applications.c.application_id))
_GET_APPLICATION = sa.select(applications).where(applications.c.application_id == sa.bindparam("i"))
_ADD_DECISION = Prepared(sa.insert(decisions).returning(decisions.c.id))
_DECISIONS = (
    sa.select(decisions)
    .where(decisions.c.application_id == sa.bindparam("i"))
    .order_by(decisions.c.seq)
)
_FINDINGS = (
    sa.select(findings)
    .where(findings.c.application_id == sa.bindparam("i"))
    .order_by(findings.c.id)
)
_SET_STATUS = Prepared(
    sa.update(applications)
    .where(applications.c.application_id == sa.bindparam("i"))
    .values(status=sa.bindparam("st"))
)
_ADD_CASE = Prepared(sa.insert(cases).returning(cases.c.id))
_ADD_TASK = Prepared(sa.insert(tasks).returning(tasks.c.id))
_TERMS = sa.select(
    applications.c.application_id,
    applications.c.amount,
    applications.c.term_months,
    applications.c.industry,
    applications.c.branch,
).where(applications.c.application_id == sa.bindparam("i"))
_APPLICATION_COLUMNS = tuple(c.name for c in applications.c if c.name != "application_id")
_DECISION_COLUMNS = tuple(c.name for c in decisions.c if c.name != "id")
_CASE_MOVED = Prepared(
    sa.update(cases)
    .where(cases.c.id == sa.bindparam("case_id"))
    .values(
        step=sa.bindparam("step"),
        status=sa.bindparam("status"),
        tier=sa.bindparam("tier"),
        exception=sa.bindparam("exception"),
        bank_code=sa.bindparam("bank_code"),
        updated_at=sa.bindparam("updated_at"),
        closed_at=sa.bindparam("closed_at"),
        hold=sa.bindparam("hold"),
        hold_reason=sa.bindparam("hold_reason"),
        held_at=sa.bindparam("held_at"),
    )
)


def _as_stored(table: sa.Table, values: dict[str, Any], dialect: Any) -> dict[str, Any] | None:
    """``values`` as reading the row back would give them; None when only the database knows."""
    row: dict[str, Any] = {}
    for col in table.columns:
        if col.name not in values:
            if col.nullable and col.server_default is None and col.default is None:
                row[col.name] = None
                continue
            return None
        value = values[col.name]
        if value is not None and isinstance(col.type, sa.TypeDecorator):
            value = col.type.process_result_value(
                col.type.process_bind_param(value, dialect), dialect
            )
        row[col.name] = value
    return row


class ApplicationRepository:
    """Applicants (one per resident ID), their applications, decisions and findings.

    An application added in this unit of work, and its decisions, are answered from what was
    written rather than read back (the flow reads them right after the submission writes them).
    """

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._written: dict[int, dict[str, Any]] = {}
        self._written_decisions: dict[int, list[RecordedDecision]] = {}

    def applicant_id(self, resident_id_hash: str) -> int | None:
        return self._c.execute(_APPLICANT_BY_HASH, {"h": resident_id_hash}).scalar_one_or_none()

    def add_applicant(self, **values: Any) -> int:
        return _ADD_APPLICANT.scalar(self._c, values)

    def applicant(self, applicant_id: int) -> RowMapping:
        q = sa.select(applicants).where(applicants.c.id == applicant_id)
        return self._c.execute(q).mappings().one()

    def add(self, app: Application) -> int:
        """Store a new application; its id (also set on ``app``)."""
        # a column left NULL is not named: a store before migration 0003 has no fraud_identity
        values = {k: v for k in _APPLICATION_COLUMNS if (v := getattr(app, k)) is not None}
        app.application_id = app_id = _ADD_APPLICATION.scalar(self._c, values)
        values["application_id"] = app_id
        row = _as_stored(applications, values, self._c.dialect)
        if row is not None:
            self._written[app_id] = row
            self._written_decisions[app_id] = []
        return app_id

    def get(self, application_id: int) -> Application | None:
        written = self._written.get(application_id)
        if written is not None:
            return Application(**written)
        row = self._c.execute(_GET_APPLICATION, {"i": application_id}).mappings().first()
        return None if row is None else Application(**row)

    def terms(self, application_id: int) -> ApplicationTerms:
        """What routing and payout read of the application (from the row written here if any)."""
        w: Mapping[Any, Any] | None = self._written.get(application_id)
        if w is None:
            w = self._c.execute(_TERMS, {"i": application_id}).mappings().one()
        return ApplicationTerms(
            w["application_id"], w["amount"], w["term_months"], w["industry"], w["branch"]
        )

    def set_status(self, application_id: int, status: str) -> None:
        _SET_STATUS.execute(self._c, {"i": application_id, "st": status})
        if application_id in self._written:
            self._written[application_id]["status"] = status

    def set_fields(self, application_id: int, fields: Mapping[str, Any]) -> None:
        """Replace the application's non-personal fields (the bureau's, once pulled)."""
        q = sa.update(applications).where(applications.c.application_id == application_id)
        self._c.execute(q.values(fields=dict(fields)))

    def add_decision(self, d: RecordedDecision) -> int:
        """Store a decision on an application; its id."""
        values = {k: getattr(d, k) for k in _DECISION_COLUMNS}
        decision_id = _ADD_DECISION.scalar(self._c, values)
        known = self._written_decisions.get(d.application_id)
        if known is None:
            return decision_id
        values["id"] = decision_id
        row = _as_stored(decisions, values, self._c.dialect)
        if row is None:
            del self._written_decisions[d.application_id]
        else:
            known.append(RecordedDecision(**row))
            known.sort(key=lambda k: k.seq)
        return decision_id

    def decisions(self, application_id: int) -> list[RecordedDecision]:
        """The application's decisions, by number."""
        known = self._written_decisions.get(application_id)
        if known is not None:
            return list(known)
        rows = self._c.execute(_DECISIONS, {"i": application_id}).mappings()
        return [RecordedDecision(**r) for r in rows]

    def add_finding(self, **values: Any) -> None:
        self._c.execute(sa.insert(findings).values(**values))
        self._written.pop(values["application_id"], None)
        self._written_decisions.pop(values["application_id"], None)

    def findings(self, application_id: int) -> list[RowMapping]:
        if application_id in self._written:
            return []  # added in this unit of work, and no finding since
        return list(self._c.execute(_FINDINGS, {"i": application_id}).mappings())


def _case_filter(q: Any, status: str | None, bank_code: str | None,
                 created_by: str | None = None) -> Any:
    if status:
        q = q.where(cases.c.status == status)
    if bank_code:
        q = q.where(cases.c.bank_code == bank_code)
    if created_by:
        q = q.where(cases.c.application_id.in_(
            sa.select(applications.c.application_id).where(applications.c.created_by == created_by)))
    return q


_CASE_COLUMNS = tuple(c.name for c in cases.c if c.name != "id")
_TASK_COLUMNS = tuple(c.name for c in tasks.c if c.name != "id")


class CaseRepository:
    """Cases moving through the process and the staffed tasks they wait on."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, case: Case) -> int:
        """Store a new case; its id (also set on ``case``)."""
        case.id = _ADD_CASE.scalar(self._c, {k: getattr(case, k) for k in _CASE_COLUMNS})
        return case.id

    def get(self, case_id: int, *, for_update: bool = False) -> Case | None:
        q = sa.select(cases).where(cases.c.id == case_id)
        if for_update:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return None if row is None else Case(**row)

    def by_application(self, application_id: int) -> Case | None:
        q = sa.select(cases).where(cases.c.application_id == application_id)
        row = self._c.execute(q).mappings().first()
        return None if row is None else Case(**row)

    def save(self, case: Case) -> None:
        """Write every moving part of a case at once (the hot path of ``advance``)."""
        _CASE_MOVED.execute(
            self._c,
            {
                "case_id": case.id,
                "step": case.step,
                "status": case.status,
                "tier": case.tier,
                "exception": case.exception,
                "bank_code": case.bank_code,
                "updated_at": case.updated_at,
                "closed_at": case.closed_at,
                "hold": case.hold,
                "hold_reason": case.hold_reason,
                "held_at": case.held_at,
            },
        )

    def update(self, case_id: int, **values: Any) -> None:
        """Set columns of a case directly (set-up and repair; the flow uses :meth:`save`)."""
        self._c.execute(sa.update(cases).where(cases.c.id == case_id).values(**values))

    def find(
        self, *, status: str | None, bank_code: str | None, offset: int, limit: int,
        created_by: str | None = None,
    ) -> list[Case]:
        """Newest first; ``created_by``: only cases of applications that user submitted."""
        q = _case_filter(sa.select(cases), status, bank_code, created_by)
        q = q.order_by(cases.c.id.desc()).offset(offset).limit(limit)
        return [Case(**r) for r in self._c.execute(q).mappings()]

    def held(self, queue: str, *, limit: int, held_before: datetime | None = None) -> list[Case]:
        """Open cases on hold in ``queue``, longest held first."""
        q = sa.select(cases).where(cases.c.hold == queue, cases.c.status == "open")
        if held_before is not None:
            q = q.where(cases.c.held_at < held_before)
        q = q.order_by(cases.c.held_at, cases.c.id).limit(limit)
        return [Case(**r) for r in self._c.execute(q).mappings()]

    def count(self, *, status: str | None, bank_code: str | None,
              created_by: str | None = None) -> int:
        q = _case_filter(sa.select(sa.func.count()).select_from(cases), status, bank_code,
                         created_by)
        return int(self._c.execute(q).scalar_one())

    def add_task(self, task: Task) -> int:
        """Store a new task; its id (also set on ``task``)."""
        task.id = _ADD_TASK.scalar(self._c, {k: getattr(task, k) for k in _TASK_COLUMNS})
        return task.id

    def task(self, task_id: int) -> Task | None:
        row = self._c.execute(sa.select(tasks).where(tasks.c.id == task_id)).mappings().first()
        return None if row is None else Task(**row)

    def tasks_of(self, case_id: int) -> list[Task]:
        q = sa.select(tasks).where(tasks.c.case_id == case_id).order_by(tasks.c.id)
        return [Task(**r) for r in self._c.execute(q).mappings()]

    def queue(self, station: str, *, offset: int, limit: int) -> list[Task]:
        q = (
            sa.select(tasks)
            .where(tasks.c.station == station, tasks.c.status.in_(("open", "claimed")))
            .order_by(tasks.c.due_at, tasks.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [Task(**r) for r in self._c.execute(q).mappings()]

    def claim(self, task: Task) -> bool:
        """Store the claim of a task that was open; False when someone else got there first."""
        q = (
            sa.update(tasks)
            .where(tasks.c.id == task.id, tasks.c.status == "open")
            .values(status=task.status, assignee=task.assignee, claimed_at=task.claimed_at)
        )
        return self._c.execute(q).rowcount == 1

    def complete(self, task: Task) -> bool:
        """Store the completion of a task its assignee held; False when it was not theirs or
        already done."""
        q = (
            sa.update(tasks)
            .where(
                tasks.c.id == task.id, tasks.c.status == "claimed", tasks.c.assignee == task.assignee
            )
            .values(status=task.status, completed_at=task.completed_at, outcome=task.outcome)
        )
        return self._c.execute(q).rowcount == 1
