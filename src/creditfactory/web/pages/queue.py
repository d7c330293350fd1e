"""Station queues: the user's open and claimed tasks; claiming and completing with findings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.work import TaskComplete
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import FINDING_KEYS, claim_task, complete_task
from creditfactory.services.worklists import (
    staffed_stations,
    station_worklist,
    station_worklist_count,
)
from creditfactory.web.forms import PostedForm, blank_to_none, optional_bool, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
TaskId = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 50
ORDERS = ("due", "amount", "opened", "tier")
AMOUNTS = ("hidden_debt", "verified_monthly_revenue")
CHECKS = tuple(k for k in FINDING_KEYS if k not in AMOUNTS)
LABELS = {  # message ids (web/i18n_terms.py marks them)
    "verdict": "Verdict",
    "identity_confirmed": "Identity confirmed",
    "business_real": "Business is real",
    "purpose_confirmed": "Purpose confirmed",
    "hidden_debt": "Hidden debt (CNY)",
    "verified_monthly_revenue": "Verified monthly revenue (CNY)",
    "note": "Note",
}


def _queue_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> Response:
    stations = staffed_stations(ctx, actor)
    if not stations:
        raise RoleNotAllowed(f"no station queue is worked by the role {actor.role}")
    view = _view(request)
    queues = []
    for s in stations:
        total = station_worklist_count(ctx, actor, s, mine=view["mine"])
        pages = max(1, -(-total // PAGE))
        page_no = min(view["page"], pages)
        rows = station_worklist(ctx, actor, s, (page_no - 1) * PAGE, PAGE,
                                mine=view["mine"], order=view["order"])
        queues.append({"station": s, "tasks": rows, "total": total, "page_no": page_no,
                       "pages": pages, "first": (page_no - 1) * PAGE + 1 if rows else 0,
                       "last": (page_no - 1) * PAGE + len(rows)})
    return page(
        request,
        "queue.html",
        actor,
        status,
        queues=queues,
        view=view,
        orders=ORDERS,
        page_size=PAGE,
        labels=LABELS,
        checks=CHECKS,
        amounts=AMOUNTS,
        failed=failed or {},
        notice=request.query_params.get("notice", ""),
        notice_case=request.query_params.get("case", ""),
    )


def _view(request: Request) -> dict[str, Any]:
    """Mine or all, the order and the page, from the query (bad values fall back)."""
    q = request.query_params
    order = q.get("order", "due")
    try:
        page_no = max(1, min(int(q.get("page", "1")), 20_000))
    except ValueError:
        page_no = 1
    return {"mine": q.get("mine") == "1", "order": order if order in ORDERS else "due",
            "page": page_no}


@router.get("/queue")
def queue(
    request: Request,
    ctx: CtxDep,
    mine: Annotated[str | None, Query(pattern="^[01]?$")] = None,
    order: Annotated[str | None, Query(max_length=16)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    """The user's station queues: all open and claimed tasks or only theirs, in pages."""
    return _queue_page(request, ctx, signed_in(request))


@router.post("/tasks/{task_id}/claim")
def claim(task_id: TaskId, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    claim_task(ctx, signed_in(request), task_id)
    return redirect(f"/ui/queue?notice=claimed#task-{task_id}")


def findings_outcome(form: dict[str, str]) -> dict[str, Any]:
    """The findings form's fields checked by the API's own schema."""
    values: dict[str, Any] = {"verdict": form.get("verdict", "pass")}
    values.update({k: optional_bool(form.get(k)) for k in CHECKS})
    values.update({k: blank_to_none(form.get(k, "").replace(",", "")) for k in AMOUNTS})
    values["note"] = blank_to_none(form.get("note"))
    return validated(TaskComplete, values).model_dump(exclude_none=True)


@router.post("/tasks/{task_id}/complete")
def complete(task_id: TaskId, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    try:
        done = complete_task(ctx, actor, task_id, findings_outcome(form))
    except InvalidInput as exc:
        failed = {"task_id": task_id, "errors": field_errors(exc), "values": form}
        return _queue_page(request, ctx, actor, 422, failed)
    return redirect(f"/ui/queue?notice=completed&case={done['case_id']}")
