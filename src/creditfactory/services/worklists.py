"""Station work lists for the staff pages: each queued task with its case's tier and amount."""

from __future__ import annotations

from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import QUEUE_OVERSEERS, station_queue

__all__ = ["staffed_stations", "station_worklist"]


def staffed_stations(ctx: ServiceContext, actor: Actor) -> list[str]:
    """The staffed stations whose queues ``actor`` works or oversees, in process order."""
    return list(
        dict.fromkeys(
            s.station
            for s in ctx.process.steps
            if s.mode == "staffed" and actor.role in (s.role, *QUEUE_OVERSEERS)
        )
    )


def station_worklist(
    ctx: ServiceContext, actor: Actor, station: str, offset: int, limit: int
) -> list[dict[str, Any]]:
    """The station's open and claimed tasks (as :func:`station_queue` checks and orders them),
    each with ``application_id``, ``tier`` and ``amount`` of its case."""
    tasks = station_queue(ctx, actor, station, offset, limit)
    with ctx.uow(write=False) as uow:
        for task in tasks:
            case = uow.cases.get(task["case_id"])
            app = uow.applications.get(case["application_id"]) if case is not None else None
            task["application_id"] = case["application_id"] if case is not None else None
            task["tier"] = case["tier"] if case is not None else None
            task["amount"] = app["amount"] if app is not None else None
    return tasks
