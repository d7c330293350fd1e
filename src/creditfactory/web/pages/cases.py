"""Cases: the list a role may see, and one case with its application, decision, steps and trail."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from creditfactory.domain.approval import DECLINE_REASONS
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import KEY
from creditfactory.services.approval import case_work
from creditfactory.services.context import ServiceContext
from creditfactory.services.decision_explain import decision_explained
from creditfactory.services.errors import InvalidInput, ServiceError
from creditfactory.services.ports import Actor
from creditfactory.services.queries import (
    AUDIT_READERS,
    application_view,
    case_audit,
    case_view,
    list_cases,
)
from creditfactory.services.tasks import complete_task
from creditfactory.web.forms import PostedForm, blank_to_none
from creditfactory.web.neighbourhood_layout import layout
from creditfactory.web.neighbourhood_svg import to_svg
from creditfactory.web.pages.queue import AMOUNTS, CHECKS, LABELS, findings_outcome
from creditfactory.web.process_track import step_track
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

log = logging.getLogger(__name__)
router = APIRouter(route_class=PageRoute)
CaseId = Annotated[int, Path(ge=1, le=2**62)]
TaskId = Annotated[int, Path(ge=1, le=2**62)]
APPROVAL_LABELS = {  # message ids (web/i18n_terms.py marks them)
    **LABELS,
    "limit": "Limit (CNY)",
    "rate_percent": "Yearly rate (per cent)",
    "reasons": "Reasons to decline",
}
PAGE = 50
SUMMARY_FIELDS = (  # field, its label (a message id of web/i18n_terms.py)
    ("amount", "Amount"),
    ("term_months", "Term"),
    ("industry", "Industry"),
    ("channel_id", "Channel"),
    ("branch", "Branch"),
    ("declared_monthly_revenue", "Declared monthly revenue"),
    ("applied_at", "Applied"),
)

PERSONAL_LABELS = (
    ("name", "Name"),
    ("resident_id", "Resident ID"),
    ("phone", "Phone"),
    ("bank_card", "Bank card"),
    ("contact_phones", "Contact phones"),
    ("home_address", "Home address"),
    ("business_address", "Business address"),
    ("device_id", "Device"),
    ("ip", "IP"),
)


def neighbourhood_picture(ctx: ServiceContext, application_id: int) -> Markup | None:
    """The fraud neighbourhood as SVG; None when there is no live fraud graph to ask."""
    try:
        from creditfactory.services.fraud_graph import case_neighbourhood
    except ImportError:
        return None
    try:
        nbh = case_neighbourhood(ctx, application_id)
    except ServiceError:
        return None
    except Exception:  # the case page stays useful without its picture
        log.exception("drawing the neighbourhood of application %s failed", application_id)
        return None
    return to_svg(layout(nbh)) if nbh else None


@router.get("/cases")
def cases(
    request: Request,
    ctx: CtxDep,
    status: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    actor = signed_in(request)
    rows, total = list_cases(ctx, actor, status or None, (page_no - 1) * PAGE, PAGE)
    return page(
        request,
        "cases.html",
        actor,
        rows=rows,
        total=total,
        status_filter=status or "",
        page_no=page_no,
        pages=max(1, -(-total // PAGE)),
    )


@router.get("/cases/{case_id}")
def case(case_id: CaseId, request: Request, ctx: CtxDep) -> Response:
    return _case_page(request, ctx, signed_in(request), case_id)


def _case_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    case_id: int,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> Response:
    body = case_view(ctx, actor, case_id)
    app = application_view(ctx, actor, body["application_id"])
    audit = case_audit(ctx, actor, case_id) if actor.role in AUDIT_READERS else None
    return page(
        request,
        "case.html",
        actor,
        status,
        case=body,
        app=app,
        summary=[(k, label, app["fields"].get(k)) for k, label in SUMMARY_FIELDS],
        branch=app["fields"].get("branch"),
        personal_labels=PERSONAL_LABELS,
        track=step_track(ctx.process, body),
        explained=decision_explained(ctx, actor, body["application_id"]),
        notice=request.query_params.get("notice", ""),
        audit=audit,
        audit_readers=AUDIT_READERS,
        neighbourhood=neighbourhood_picture(ctx, body["application_id"]),
        work=case_work(ctx, actor, case_id),
        labels=APPROVAL_LABELS,
        checks=CHECKS,
        amounts=AMOUNTS,
        failed=failed or {},
    )


def approval_values(form: dict[str, str]) -> dict[str, Any]:
    """The approval form's fields as a verdict's values (reasons are ticked one by one)."""
    return {
        "verdict": form.get("verdict", ""),
        "limit": form.get("limit", "").replace(",", ""),
        "rate_percent": form.get("rate_percent", "").replace("%", "").strip(),
        "reasons": [r for r in DECLINE_REASONS if form.get(f"reason_{r}") == "yes"],
        "note": blank_to_none(form.get("note")),
    }


@router.post("/cases/{case_id}/tasks/{task_id}")
def work_task(
    case_id: CaseId, task_id: TaskId, request: Request, form: PostedForm, ctx: CtxDep
) -> Response:
    """Complete the task of the actor's station from the case page: an approval verdict at
    the approval steps, findings at the others; a refusal comes back on the case page."""
    actor = signed_in(request)
    work = case_work(ctx, actor, case_id)
    if work is None or work["task"]["task_id"] != task_id:
        return redirect(f"/ui/cases/{case_id}?notice=task_gone")
    try:
        outcome = (findings_outcome(form) if work["kind"] == "findings"
                   else approval_values(form))
        done = complete_task(ctx, actor, task_id, outcome)
    except InvalidInput as exc:
        failed = {"task_id": task_id, "errors": field_errors(exc), "values": form}
        return _case_page(request, ctx, actor, case_id, 422, failed)
    notice = "decided" if work["kind"] != "findings" else "completed"
    return redirect(f"/ui/cases/{done['case_id']}?notice={notice}#case-status")
