"""Station work lists for the staff pages: each queued task with its case's tier and amount."""

from __future__ import annotations

from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import QUEUE_OVERSEERS, check_queue_reader, task_view
from creditfactory.store.types import utcnow

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
    """The station's open and claimed tasks (checked and ordered as the task queue does),
    each with ``application_id``, ``tier`` and ``amount`` of its case, in one read."""
    check_queue_reader(ctx, actor, station)
    now = utcnow()
    with ctx.uow(write=False) as uow:
        rows = uow.worklists.page(station, offset=offset, limit=limit)
    return [
        {**task_view(w.task, now), "application_id": w.application_id, "tier": w.tier,
         "amount": w.amount}
        for w in rows
    ]
