"""Cases: list (a bank officer sees only their bank's), read, and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.text import KEY
from creditfactory.http.schemas.work import AuditPublic, CasesPublic
from creditfactory.services.queries import case_audit, case_view, list_cases

router = APIRouter(prefix="/cases", tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=CasesPublic, responses={403: {}})
def cases(
    ctx: CtxDep,
    user: CurrentUser,
    status: Annotated[str | None, Query(max_length=16, pattern=KEY)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, object]:
    data, total = list_cases(ctx, user, status, offset, limit)
    return {"data": data, "count": total}


@router.get("/{case_id}", responses={403: {}, 404: {}})
def case(case_id: CaseId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    return case_view(ctx, user, case_id)


@router.get("/{case_id}/audit", response_model=AuditPublic, responses={403: {}, 404: {}})
def audit(case_id: CaseId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    data = case_audit(ctx, user, case_id)
    return {"data": data, "count": len(data)}
