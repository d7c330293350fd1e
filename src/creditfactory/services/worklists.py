"""Station work lists for the staff pages: each queued task with its case's tier and amount."""

from __future__ import annotations

from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import QUEUE_OVERSEERS, check_queue_reader, task_view
from creditfactory.store.types import utcnow

__all__ = ["staffed_stations", "station_worklist", "station_worklist_count"]


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
    ctx: ServiceContext, actor: Actor, station: str, offset: int, limit: int,
    *, mine: bool = False, order: str = "due",
) -> list[dict[str, Any]]:
    """The station's open and claimed tasks (checked and ordered as the task queue does, or
    by ``order``: due, amount, opened, tier), each with ``application_id``, ``tier`` and
    ``amount`` of its case, in one read; ``mine``: only the tasks the actor has claimed."""
    check_queue_reader(ctx, actor, station)
    now = utcnow()
    with ctx.uow(write=False) as uow:
        rows = uow.worklists.page(station, offset=offset, limit=limit,
                                  assignee=actor.username if mine else None, order=order)
    return [
        {**task_view(w.task, now), "application_id": w.application_id, "tier": w.tier,
         "amount": w.amount}
        for w in rows
    ]


def station_worklist_count(ctx: ServiceContext, actor: Actor, station: str, *,
                           mine: bool = False) -> int:
    """How many tasks :func:`station_worklist` pages through."""
    check_queue_reader(ctx, actor, station)
    with ctx.uow(write=False) as uow:
        return uow.worklists.count(station, assignee=actor.username if mine else None)
