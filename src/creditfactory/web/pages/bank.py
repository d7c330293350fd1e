"""The bank page: a bank officer's pending packages with the platform's score, recommendation and
the verification findings, and cases (their bank's only); answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.work import BankDecision
from creditfactory.services.bank_answers import answer
from creditfactory.services.bank_view import pending_with_findings
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.services.queries import list_cases
from creditfactory.web.forms import PostedForm, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
PAGE = 50


def _bank_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    page_no: int = 1,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> Response:
    pending = pending_with_findings(ctx, actor, 200)
    rows, total = list_cases(ctx, actor, None, (page_no - 1) * PAGE, PAGE)
    return page(
        request,
        "bank.html",
        actor,
        status,
        pending=pending,
        rows=rows,
        total=total,
        page_no=page_no,
        pages=max(1, -(-total // PAGE)),
        failed=failed or {},
        notice=request.query_params.get("notice", ""),
    )


@router.get("/bank")
def bank(
    request: Request,
    ctx: CtxDep,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    return _bank_page(request, ctx, signed_in(request), page_no)


@router.post("/bank/submissions/{submission_id}/answer")
def decide(
    submission_id: Annotated[int, Path(ge=1, le=2**62)],
    request: Request,
    form: PostedForm,
    ctx: CtxDep,
) -> Response:
    actor = signed_in(request)
    approve = {"approve": True, "decline": False}.get(form.get("decision", ""))
    try:
        if approve is None:
            raise InvalidInput([("decision", "choose approve or decline")])
        body = validated(BankDecision, {"approve": approve, "reason": form.get("reason", "")})
        answer(ctx, actor, submission_id, body.approve, body.reason)
    except InvalidInput as exc:
        failed = {"submission_id": submission_id, "errors": field_errors(exc), "values": form}
        return _bank_page(request, ctx, actor, 1, 422, failed)
    return redirect(f"/ui/bank?notice={'approved' if approve else 'declined'}")
