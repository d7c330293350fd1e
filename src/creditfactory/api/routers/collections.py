"""Live collections: the collector's queue, an account, contact outcomes, promises to pay,
restructure proposals and their approval, and the dashboard by team."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.collections import (
    ContactCreate,
    PromiseCreate,
    RestructureCreate,
    RestructureDecision,
)
from creditfactory.services import collections_restructure as restructures
from creditfactory.services import collections_work as work

router = APIRouter(prefix="/collections", tags=["collections"])
LoanId = Annotated[int, Path(ge=1, le=2**62)]
RestructureId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/queue", responses={403: {}, 422: {}})
def queue(
    ctx: CtxDep,
    user: CurrentUser,
    team: Annotated[str | None, Query(max_length=16)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The last night's assignment: a collector's team's accounts by priority."""
    return work.queue_view(ctx, user, team, offset, limit)


@router.get("/accounts/{loan_id}", responses={403: {}, 404: {}})
def account(loan_id: LoanId, ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    return work.account_view(ctx, user, loan_id)


@router.post("/accounts/{loan_id}/contacts", status_code=201,
             responses={403: {}, 404: {}, 422: {}})
def contact(loan_id: LoanId, body: ContactCreate, ctx: CtxDep,
            user: CurrentUser) -> dict[str, Any]:
    return work.record_contact(ctx, user, loan_id, body.channel, body.outcome, body.note)


@router.post("/accounts/{loan_id}/promises", status_code=201,
             responses={403: {}, 404: {}, 422: {}})
def promise(loan_id: LoanId, body: PromiseCreate, ctx: CtxDep,
            user: CurrentUser) -> dict[str, Any]:
    return work.record_promise(ctx, user, loan_id, body.amount, body.due_on)


@router.post("/accounts/{loan_id}/restructures", status_code=201,
             responses={403: {}, 404: {}, 409: {}, 422: {}})
def propose(loan_id: LoanId, body: RestructureCreate, ctx: CtxDep,
            user: CurrentUser) -> dict[str, Any]:
    return restructures.propose_restructure(ctx, user, loan_id, body.term_months, body.reason)


@router.get("/restructures", responses={403: {}})
def pending(ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    data = restructures.pending_restructures(ctx, user)
    return {"data": data, "count": len(data)}


@router.post("/restructures/{restructure_id}/decision", responses={403: {}, 404: {}, 409: {}})
def decide(restructure_id: RestructureId, body: RestructureDecision, ctx: CtxDep,
           user: CurrentUser) -> dict[str, Any]:
    return restructures.decide_restructure(ctx, user, restructure_id, body.approve, body.note)


@router.get("/dashboard", responses={403: {}})
def dashboard(ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    return work.dashboard(ctx, user)
