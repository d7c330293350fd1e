"""Collections pages: my queue by priority, an account (its instalments, history, inferred
reason and C-card reasons) with the collector's forms (a contact outcome, a promise to pay, a
restructure proposal) and the risk analyst's decision on a proposal, and the dashboard of
cure and roll-forward rates by team.

Who may do what is the services' (:mod:`creditfactory.services.collections_roles`); the
borrower is shown masked as the reader's role reads it; every form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.collections import (
    ContactCreate,
    PromiseCreate,
    RestructureCreate,
    RestructureDecision,
)
from creditfactory.services import collections_restructure as restructures
from creditfactory.services import collections_work as work
from creditfactory.services.collections_roles import APPROVERS, WORKERS
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.web.forms import PostedForm, validated
from creditfactory.web.rendering import PageRoute, field_errors, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
Id = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 50


@router.get("/collections")
def queue(
    request: Request,
    ctx: CtxDep,
    team: Annotated[str | None, Query(max_length=16, pattern="^[a-z]*$")] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    actor = signed_in(request)
    view = work.queue_view(ctx, actor, team or None, (page_no - 1) * PAGE, PAGE)
    pending = (restructures.pending_restructures(ctx, actor)
               if actor.role in (*APPROVERS, "admin") else [])
    return page(request, "collections_queue.html", actor, view=view, pending=pending,
                teams=work.TEAM_NAMES, page_no=page_no,
                pages=max(1, -(-view["count"] // PAGE)),
                can_filter=actor.role not in WORKERS)


def _account_page(request: Request, ctx: ServiceContext, actor: Actor, loan_id: int,
                  status: int = 200, failed: dict[str, Any] | None = None) -> Response:
    return page(request, "collections_account.html", actor, status,
                account=work.account_view(ctx, actor, loan_id),
                can_work=actor.role in WORKERS, can_decide=actor.role in APPROVERS,
                channels=work.CHANNELS, outcomes=work.OUTCOMES, failed=failed or {},
                notice=request.query_params.get("notice", ""))


@router.get("/collections/accounts/{loan_id}")
def account(loan_id: Id, request: Request, ctx: CtxDep) -> Response:
    return _account_page(request, ctx, signed_in(request), loan_id)


def _post(request: Request, ctx: ServiceContext, loan_id: int, form_name: str,
          values: dict[str, Any], act: Any) -> Response:
    actor = signed_in(request)
    try:
        act(actor, values)
    except InvalidInput as exc:
        failed = {"form": form_name, "errors": field_errors(exc), "values": values}
        return _account_page(request, ctx, actor, loan_id, 422, failed)
    return redirect(f"/ui/collections/accounts/{loan_id}?notice={form_name}")


@router.post("/collections/accounts/{loan_id}/contacts")
def contact(loan_id: Id, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    values = {k: form.get(k, "") for k in ("channel", "outcome", "note")}

    def act(actor: Actor, v: dict[str, Any]) -> None:
        body = validated(ContactCreate, v)
        work.record_contact(ctx, actor, loan_id, body.channel, body.outcome, body.note)

    return _post(request, ctx, loan_id, "contact", values, act)


@router.post("/collections/accounts/{loan_id}/promises")
def promise(loan_id: Id, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    values = {k: form.get(k, "") for k in ("amount", "due_on")}

    def act(actor: Actor, v: dict[str, Any]) -> None:
        body = validated(PromiseCreate, v)
        work.record_promise(ctx, actor, loan_id, body.amount, body.due_on)

    return _post(request, ctx, loan_id, "promise", values, act)


@router.post("/collections/accounts/{loan_id}/restructures")
def propose(loan_id: Id, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    values = {k: form.get(k, "") for k in ("term_months", "reason")}

    def act(actor: Actor, v: dict[str, Any]) -> None:
        body = validated(RestructureCreate, v)
        restructures.propose_restructure(ctx, actor, loan_id, body.term_months, body.reason)

    return _post(request, ctx, loan_id, "restructure", values, act)


@router.post("/collections/restructures/{restructure_id}/decision")
def decide(restructure_id: Id, request: Request, form: PostedForm, ctx: CtxDep) -> Response:
    values = {"approve": form.get("decision", "") == "approve", "note": form.get("note", "")}
    loan_id = int(form.get("loan_id", "0") or 0)

    def act(actor: Actor, v: dict[str, Any]) -> None:
        body = validated(RestructureDecision, v)
        restructures.decide_restructure(ctx, actor, restructure_id, body.approve, body.note)

    if loan_id < 1:
        act(signed_in(request), values)
        return redirect("/ui/collections?notice=decided")
    return _post(request, ctx, loan_id, "decision", values, act)


@router.get("/collections/dashboard")
def board(request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    return page(request, "collections_dashboard.html", actor, board=work.dashboard(ctx, actor))
