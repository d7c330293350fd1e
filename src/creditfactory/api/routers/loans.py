"""Loans in servicing: a bank posts repayments on its own loans; a loan with its schedule,
transactions, DPD and class."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.loans import RepaymentCreate, TransactionPublic
from creditfactory.services.servicing_book import loan_view, post_repayment

router = APIRouter(prefix="/loans", tags=["loans"])
LoanId = Annotated[int, Path(ge=1, le=2**62)]


@router.post("/{loan_id}/repayments", response_model=TransactionPublic, status_code=201,
             responses={403: {}, 404: {}, 409: {}})
def post(loan_id: LoanId, body: RepaymentCreate, ctx: CtxDep, user: CurrentUser) -> object:
    """Idempotent by the bank's reference: the same body answers as the first time."""
    return post_repayment(ctx, user, loan_id, body.model_dump())


@router.get("/{loan_id}", responses={403: {}, 404: {}})
def read(loan_id: LoanId, ctx: CtxDep, user: CurrentUser) -> object:
    return loan_view(ctx, user, loan_id)
