"""Channels: list, read, suspend and reactivate, deposit movements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.org import (
    ChannelPublic,
    ChannelsPublic,
    ChannelStatusUpdate,
    DepositMovementCreate,
    DepositMovementPublic,
    DepositMovementsPublic,
)
from creditfactory.http.schemas.text import KEY
from creditfactory.services import channels as svc

router = APIRouter(prefix="/channels", tags=["channels"])
ChannelId = Annotated[str, Path(min_length=1, max_length=32, pattern=KEY)]


@router.get("", response_model=ChannelsPublic, responses={403: {}})
def channels(
    ctx: CtxDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, object]:
    data, count = svc.list_channels(ctx, user, status, offset, limit)
    return {"data": data, "count": count}


@router.get("/{channel_id}", response_model=ChannelPublic, responses={403: {}, 404: {}})
def channel(channel_id: ChannelId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    return svc.get_channel(ctx, user, channel_id)


@router.post("/{channel_id}/suspend", response_model=ChannelPublic, responses={403: {}, 404: {}})
def suspend(
    channel_id: ChannelId, body: ChannelStatusUpdate, ctx: CtxDep, user: CurrentUser
) -> dict[str, object]:
    return svc.set_channel_status(ctx, user, channel_id, "suspended", body.reason)


@router.post("/{channel_id}/reactivate", response_model=ChannelPublic, responses={403: {}, 404: {}})
def reactivate(
    channel_id: ChannelId, body: ChannelStatusUpdate, ctx: CtxDep, user: CurrentUser
) -> dict[str, object]:
    return svc.set_channel_status(ctx, user, channel_id, "active", body.reason)


@router.get(
    "/{channel_id}/deposit-movements",
    response_model=DepositMovementsPublic,
    responses={403: {}, 404: {}},
)
def movements(channel_id: ChannelId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    data = svc.deposit_movements(ctx, user, channel_id)
    return {"data": data, "count": len(data)}


@router.post(
    "/{channel_id}/deposit-movements",
    status_code=201,
    response_model=DepositMovementPublic,
    responses={403: {}, 404: {}, 422: {}},
)
def move(
    channel_id: ChannelId, body: DepositMovementCreate, ctx: CtxDep, user: CurrentUser
) -> dict[str, object]:
    return svc.move_deposit(ctx, user, channel_id, body.kind, body.amount, body.reason)
