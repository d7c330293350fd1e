"""Stations and their queues; claiming and completing tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import KEY
from creditfactory.http.schemas.work import StationPublic, TaskComplete, TaskPublic, TasksPublic
from creditfactory.services.tasks import claim_task, complete_task, station_queue

router = APIRouter(tags=["stations"])
TaskId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/stations", response_model=list[StationPublic])
def stations(ctx: CtxDep, user: CurrentUser) -> list[dict[str, object]]:
    return [{"station": s, "role": r} for s, r in ctx.process.stations().items()]


@router.get("/stations/{station}/tasks", response_model=TasksPublic, responses={403: {}, 404: {}})
def queue(
    station: Annotated[str, Path(max_length=40, pattern=KEY)],
    ctx: CtxDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, object]:
    data = station_queue(ctx, user, station, offset, limit)
    return {"data": data, "count": len(data)}


@router.post(
    "/tasks/{task_id}/claim", response_model=TaskPublic, responses={403: {}, 404: {}, 409: {}}
)
def claim(task_id: TaskId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    return claim_task(ctx, user, task_id)


@router.post(
    "/tasks/{task_id}/complete",
    response_model=TaskPublic,
    responses={403: {}, 404: {}, 409: {}, 422: {}},
)
def complete(
    task_id: TaskId, body: TaskComplete, ctx: CtxDep, user: CurrentUser
) -> dict[str, object]:
    return complete_task(ctx, user, task_id, body.model_dump(exclude_none=True))
