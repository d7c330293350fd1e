"""Blacklists: list the entries (masked), add one, remove one (risk analysts manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.blacklists import (
    BlacklistEntriesPublic,
    BlacklistEntryCreate,
    BlacklistEntryPublic,
    BlacklistEntryRemove,
    Kind,
)
from creditfactory.services import blacklists as svc

router = APIRouter(prefix="/blacklists", tags=["blacklists"])
EntryId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=BlacklistEntriesPublic, responses={403: {}})
def entries(
    ctx: CtxDep,
    user: CurrentUser,
    kind: Kind | None = None,
    include_removed: bool = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, object]:
    data, count = svc.list_entries(ctx, user, kind, include_removed, offset, limit)
    return {"data": data, "count": count}


@router.post("", status_code=201, response_model=BlacklistEntryPublic,
             responses={403: {}, 409: {}, 422: {}})
def add(body: BlacklistEntryCreate, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    return svc.add_entry(ctx, user, body.kind, body.value, body.reason)


@router.post("/{entry_id}/remove", response_model=BlacklistEntryPublic,
             responses={403: {}, 404: {}})
def remove(entry_id: EntryId, body: BlacklistEntryRemove, ctx: CtxDep,
           user: CurrentUser) -> dict[str, object]:
    return svc.remove_entry(ctx, user, entry_id, body.reason)
