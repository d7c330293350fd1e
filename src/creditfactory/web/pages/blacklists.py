"""Blacklists for risk analysts: the entries (masked), add one, remove one with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.domain.blacklist import KINDS
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.blacklists import BlacklistEntryCreate, BlacklistEntryRemove
from creditfactory.http.schemas.text import KEY
from creditfactory.services import blacklists as svc
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.web.forms import PostedForm, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
EntryId = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 100


def _list_page(request: Request, ctx: ServiceContext, actor: Actor, kind: str | None,
               include_removed: bool, page_no: int, status: int = 200,
               failed: dict[str, Any] | None = None) -> Response:
    rows, total = svc.list_entries(ctx, actor, kind, include_removed, (page_no - 1) * PAGE, PAGE)
    return page(
        request,
        "blacklists.html",
        actor,
        status,
        rows=rows,
        total=total,
        kinds=tuple(KINDS),
        kind_filter=kind or "",
        include_removed=include_removed,
        page_no=page_no,
        more=len(rows) == PAGE,
        can_manage=actor.role in svc.MANAGERS,
        failed=failed or {},
        notice=request.query_params.get("notice", ""),
    )


@router.get("/blacklists")
def blacklists(
    request: Request,
    ctx: CtxDep,
    kind: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    removed: Annotated[str | None, Query(max_length=3, pattern=KEY)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    return _list_page(request, ctx, signed_in(request), kind or None, removed == "yes", page_no)


@router.post("/blacklists")
def add(request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    values = {k: form.get(k, "") for k in ("kind", "value", "reason")}
    try:
        body = validated(BlacklistEntryCreate, values)
        svc.add_entry(ctx, actor, body.kind, body.value, body.reason)
    except InvalidInput as exc:
        values["value"] = ""  # never echo an identifier back into the page
        failed = {"form": "add", "errors": field_errors(exc), "values": values}
        return _list_page(request, ctx, actor, None, False, 1, 422, failed)
    return redirect("/ui/blacklists?notice=added")


@router.post("/blacklists/{entry_id}/remove")
def remove(entry_id: EntryId, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    try:
        body = validated(BlacklistEntryRemove, {"reason": form.get("reason", "")})
        svc.remove_entry(ctx, actor, entry_id, body.reason)
    except InvalidInput as exc:
        failed = {"form": f"remove-{entry_id}", "errors": field_errors(exc), "values": form}
        return _list_page(request, ctx, actor, None, False, 1, 422, failed)
    return redirect("/ui/blacklists?notice=removed")
