"""Station work: queues, claiming a task, completing it with findings, and moving the case on."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.approval import APPROVAL_STEPS
from creditfactory.domain.errors import IllegalTaskMove
from creditfactory.domain.roles import OVERSEERS
from creditfactory.domain.task import Task
from creditfactory.factory import sla_state
from creditfactory.services.approval import apply_verdict, approval_outcome
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import (
    CaseNotFound,
    InvalidInput,
    RoleNotAllowed,
    TaskAlreadyCompleted,
    TaskNotClaimable,
    TaskNotFound,
)
from creditfactory.services.flow import advance, close_case
from creditfactory.services.four_eyes import check_not_by, refusals_audited, works_cases
from creditfactory.services.holds import PEOPLE_QUEUES
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

FINDING_KEYS = (
    "identity_confirmed",
    "business_real",
    "purpose_confirmed",
    "hidden_debt",
    "verified_monthly_revenue",
)
VERDICTS = ("pass", "reject")
APPROVAL_ONLY = ("limit", "rate_percent", "reasons")
"""Fields of an approver's verdict, refused at the other stations."""

__all__ = ["QUEUE_OVERSEERS", "station_queue", "claim_task", "complete_task", "task_view"]


QUEUE_OVERSEERS = OVERSEERS
"""Roles that may read every station's queue besides the role working it."""


def task_view(task: Task, now: datetime) -> dict[str, Any]:
    """A task as the API shows it, with its SLA state."""
    return {
        "task_id": task.id,
        "case_id": task.case_id,
        "step": task.step,
        "station": task.station,
        "role": task.role,
        "status": task.status,
        "assignee": task.assignee,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "sla": sla_state(task.created_at, task.due_at, now, task.completed_at),
        "outcome": task.outcome,
    }


def _may_work(uow: UnitOfWork, ctx: ServiceContext, actor: Actor, task: Task) -> None:
    """The task's role, and not someone the step's four eyes rule bars from this case."""
    works_cases(actor, "work a task")
    if actor.role != task.role:
        raise RoleNotAllowed(f"this task needs the role {task.role}")
    check_not_by(uow, ctx, ctx.process.step(task.step), task.case_id, actor)


def check_queue_reader(ctx: ServiceContext, actor: Actor, station: str) -> None:
    """A known station (the process's, or a people's queue of held cases), read by its own
    role or by one overseeing every queue."""
    roles = {**ctx.process.stations(), **PEOPLE_QUEUES}
    if station not in roles:
        raise CaseNotFound(f"no station {station!r}")
    if actor.role not in (roles[station], *QUEUE_OVERSEERS):
        raise RoleNotAllowed(f"the {station} queue is for {roles[station]}")


def station_queue(
    ctx: ServiceContext, actor: Actor, station: str, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Open and claimed tasks at ``station``, earliest due first."""
    check_queue_reader(ctx, actor, station)
    now = utcnow()
    with ctx.uow(write=False) as uow:
        return [task_view(r, now) for r in uow.cases.queue(station, offset=offset, limit=limit)]


def _task(uow: UnitOfWork, task_id: int) -> Task:
    task = uow.cases.task(task_id)
    if task is None:
        raise TaskNotFound(f"no task {task_id}")
    return task


def _claim(uow: UnitOfWork, task: Task, actor: Actor, at: datetime, taken: str) -> None:
    """Claim ``task`` for ``actor`` and store it; ``taken`` ends the message when it is not
    open or someone else stored a claim first."""
    try:
        task.claim(actor.username, at)
    except IllegalTaskMove as exc:
        raise TaskNotClaimable(f"task {task.id} {taken}") from exc
    if not uow.cases.claim(task):
        raise TaskNotClaimable(f"task {task.id} {taken}")


def claim_task(ctx: ServiceContext, actor: Actor, task_id: int) -> dict[str, Any]:
    """Take an open task into the caller's hands."""
    now = utcnow()
    with (refusals_audited(ctx, actor, "task.claim", "task", task_id) as attempt,
          ctx.uow() as uow):
        task = _task(uow, task_id)
        attempt.case_id = task.case_id
        _may_work(uow, ctx, actor, task)
        if task.status == "done":
            raise TaskAlreadyCompleted(f"task {task_id} is already completed")
        if task.held_by(actor.username):
            return task_view(task, now)
        _claim(uow, task, actor, now, f"is held by {task.assignee}")
        uow.audit.append(
            actor.username, "task.claimed", "task", task_id, case_id=task.case_id, at=now
        )
        view = task_view(_task(uow, task_id), now)
        uow.commit()
        return view


def _findings(outcome: dict[str, Any]) -> dict[str, Any]:
    found = {k: outcome.get(k) for k in FINDING_KEYS if outcome.get(k) is not None}
    for key in ("hidden_debt", "verified_monthly_revenue"):
        if key in found:
            found[key] = Decimal(str(found[key]))
    return found


def complete_task(
    ctx: ServiceContext, actor: Actor, task_id: int, outcome: dict[str, Any]
) -> dict[str, Any]:
    """Finish a task (claiming it first if open); record findings; move the case on.

    At an approval step (``investigation_review``, ``committee_approval``) the outcome is a
    verdict (``services/approval.py``): approve, approve with changed terms, decline with
    reasons, or refer to the committee; a checklist ``pass``/``reject`` reads as approve/decline.
    """
    now = utcnow()
    with (refusals_audited(ctx, actor, "task.complete", "task", task_id) as attempt,
          ctx.uow() as uow):
        task = _task(uow, task_id)
        attempt.case_id = task.case_id
        _may_work(uow, ctx, actor, task)
        if task.status == "done":
            raise TaskAlreadyCompleted(f"task {task_id} is already completed")
        if task.step in APPROVAL_STEPS:
            seen = uow.cases.get(task.case_id)
            assert seen is not None
            outcome = approval_outcome(uow, seen, task.step, outcome)
        elif outcome.get("verdict", "pass") not in VERDICTS:
            raise InvalidInput([("verdict", f"must be one of {VERDICTS}")])
        elif refused := [f for f in APPROVAL_ONLY if outcome.get(f) is not None]:
            raise InvalidInput([(f, f"only an approver sets it, at {', '.join(APPROVAL_STEPS)}")
                                for f in refused])
        held_by = task.assignee
        if task.status == "open":
            _claim(uow, task, actor, now, "was just taken")
        try:
            task.complete(actor.username, now, _jsonable(outcome))
        except IllegalTaskMove as exc:
            raise TaskNotClaimable(f"task {task_id} is held by {held_by}") from exc
        if not uow.cases.complete(task):
            raise TaskNotClaimable(f"task {task_id} is held by {held_by}")
        case = uow.cases.get(task.case_id, for_update=True)
        assert case is not None
        app = uow.applications.get(case.application_id)
        assert app is not None
        found = _findings(outcome)
        if found:
            uow.applications.add_finding(
                application_id=app.application_id,
                channel_id=app.channel_id,
                step=task.step,
                note=outcome.get("note"),
                recorded_by=actor.username,
                recorded_at=now,
                **found,
            )
        uow.audit.append(
            actor.username,
            "task.completed",
            "task",
            task_id,
            case_id=case.id,
            detail={"step": task.step, "outcome": _jsonable(outcome)},
            at=now,
        )
        goes_on = (apply_verdict(uow, case, task.step, outcome, actor.username, now)
                   if task.step in APPROVAL_STEPS else outcome.get("verdict") != "reject")
        if not goes_on:
            close_case(uow, case, "rejected", "rejected", now)
            case.updated_at = now
            uow.cases.save(case)
        else:
            case = advance(uow, ctx, case, task.step, actor, now)
        view = task_view(_task(uow, task_id), now)
        view["case_status"], view["case_step"] = case.status, case.step
        uow.commit()
        return view


def _jsonable(outcome: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in outcome.items()}
