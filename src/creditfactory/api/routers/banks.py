"""Partner banks: pending recommendation packages and the bank's approve/decline answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import KEY
from creditfactory.http.schemas.work import BankDecision, BankDecisionPublic, SubmissionsPublic
from creditfactory.services.bank_answers import answer, bank_queue

router = APIRouter(prefix="/bank-submissions", tags=["banks"])


@router.get("", response_model=SubmissionsPublic, responses={403: {}})
def pending(
    ctx: CtxDep,
    user: CurrentUser,
    bank_code: Annotated[str | None, Query(max_length=32, pattern=KEY)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, object]:
    data = bank_queue(ctx, user, bank_code, limit)
    return {"data": data, "count": len(data)}


@router.post(
    "/{submission_id}/decision",
    response_model=BankDecisionPublic,
    responses={403: {}, 404: {}, 409: {}},
)
def decide(
    submission_id: Annotated[int, Path(ge=1, le=2**62)],
    body: BankDecision,
    ctx: CtxDep,
    user: CurrentUser,
) -> dict[str, object]:
    return answer(ctx, user, submission_id, body.approve, body.reason)
