"""Holding a case at a step it could not do, in a named queue with its reason, and resuming it.

A step is held rather than guessed at: data the platform could not fetch, a model that failed
to score, a fraud hit found before payout. The hold names the queue (what is wrong), the reason
(why, for the person or job that clears it) and, when people must act, opens a task at that
queue's station for a role. Resuming ends the hold and does the held step again
(:func:`creditfactory.services.flow.advance` with the held step).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from creditfactory.domain.case import Case
from creditfactory.domain.task import Task
from creditfactory.store import UnitOfWork

__all__ = ["hold_case", "PEOPLE_QUEUES", "DATA_EXCEPTIONS", "SCORING_ERRORS",
           "PAYOUT_FRAUD_REVIEW"]

DATA_EXCEPTIONS = "data_exceptions"
SCORING_ERRORS = "scoring_errors"
PAYOUT_FRAUD_REVIEW = "payout_fraud_review"
PEOPLE_QUEUES: dict[str, str] = {
    DATA_EXCEPTIONS: "risk_analyst",
    SCORING_ERRORS: "risk_analyst",
    PAYOUT_FRAUD_REVIEW: "investigator",
}
"""The queues where people clear held cases, with the role that works each: their stations
besides the process's (a hold for a role names one of these)."""


def hold_case(
    uow: UnitOfWork,
    case: Case,
    queue: str,
    reason: str,
    at: datetime,
    *,
    role: str | None = None,
    due_in: timedelta | None = None,
    actor: str = "system",
    evidence: dict[str, Any] | None = None,
) -> Task | None:
    """Put ``case`` on hold at its step in ``queue``; with ``role``, a task for that role at the
    queue's station (due ``due_in`` from now, a day by default). Audited with ``evidence``."""
    if role is not None and PEOPLE_QUEUES.get(queue) != role:
        raise ValueError(f"{queue!r} is not a people's queue for {role!r}")
    case.put_on_hold(queue, reason, at)
    task = None
    if role is not None:
        task = Task.open(case.id, case.step, queue, role, at, at + (due_in or timedelta(days=1)))
        uow.cases.add_task(task)
    uow.audit.append(
        actor,
        "case.held",
        "case",
        case.id,
        case_id=case.id,
        detail={
            "step": case.step,
            "queue": queue,
            "reason": reason,
            "task_id": None if task is None else task.id,
            **(evidence or {}),
        },
        at=at,
    )
    return task
