"""Channels for channel managers: volume, approvals, early defaults, packaging score and its
evidence; status and deposit, suspend and reactivate, deposit movements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.org import ChannelStatusUpdate, DepositMovementCreate
from creditfactory.http.schemas.text import KEY
from creditfactory.services import channels as svc
from creditfactory.services.channel_figures import (
    EARLY_DPD,
    EARLY_MONTHS,
    RECENT_DAYS,
    channel_figures,
    packaging_evidence,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.web.forms import PostedForm, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
ChannelId = Annotated[str, Path(min_length=1, max_length=32, pattern=KEY)]
PAGE = 100
KINDS = tuple(svc.MOVEMENTS)


@router.get("/channels")
def channels(
    request: Request,
    ctx: CtxDep,
    status: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    actor = signed_in(request)
    rows, total = svc.list_channels(ctx, actor, status or None, (page_no - 1) * PAGE, PAGE)
    return page(
        request,
        "channels.html",
        actor,
        rows=rows,
        figures=channel_figures(ctx, actor, [r["channel_id"] for r in rows]),
        early=(EARLY_DPD, EARLY_MONTHS),
        recent_days=RECENT_DAYS,
        total=total,
        status_filter=status or "",
        page_no=page_no,
        more=len(rows) == PAGE,
    )


def _channel_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    channel_id: str,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> Response:
    return page(
        request,
        "channel.html",
        actor,
        status,
        channel=svc.get_channel(ctx, actor, channel_id),
        figures=channel_figures(ctx, actor, [channel_id])[channel_id],
        evidence=packaging_evidence(ctx, actor, channel_id),
        early=(EARLY_DPD, EARLY_MONTHS),
        recent_days=RECENT_DAYS,
        movements=svc.deposit_movements(ctx, actor, channel_id),
        kinds=KINDS,
        failed=failed or {},
        notice=request.query_params.get("notice", ""),
    )


@router.get("/channels/{channel_id}")
def channel(channel_id: ChannelId, request: Request, ctx: CtxDep) -> Response:
    return _channel_page(request, ctx, signed_in(request), channel_id)


@router.post("/channels/{channel_id}/status")
def set_status(channel_id: ChannelId, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    target = {"suspend": "suspended", "reactivate": "active"}.get(form.get("action", ""))
    try:
        if target is None:
            raise InvalidInput([("action", "choose suspend or reactivate")])
        body = validated(ChannelStatusUpdate, {"reason": form.get("reason", "")})
        svc.set_channel_status(ctx, actor, channel_id, target, body.reason)
    except InvalidInput as exc:
        failed = {"form": "status", "errors": field_errors(exc), "values": form}
        return _channel_page(request, ctx, actor, channel_id, 422, failed)
    return redirect(f"/ui/channels/{channel_id}?notice={target}")


@router.post("/channels/{channel_id}/deposit")
def move(channel_id: ChannelId, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    values = {k: form.get(k, "") for k in ("kind", "amount", "reason")}
    values["amount"] = values["amount"].replace(",", "")
    try:
        body = validated(DepositMovementCreate, values)
        svc.move_deposit(ctx, actor, channel_id, body.kind, body.amount, body.reason)
    except InvalidInput as exc:
        failed = {"form": "deposit", "errors": field_errors(exc), "values": form}
        return _channel_page(request, ctx, actor, channel_id, 422, failed)
    return redirect(f"/ui/channels/{channel_id}?notice=deposit")
