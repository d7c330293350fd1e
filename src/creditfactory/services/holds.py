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

__all__ = ["hold_case"]


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
