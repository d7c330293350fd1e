"""The book's loans, furthest past due first, and a loan's page: its six elements, schedule,
transactions and state at the business date.

Read by the loan's bank's own accounts and by risk analysts and administrators
(:data:`creditfactory.services.servicing_views.BOOK_READERS`); the borrower only masked.
The case page of a paid-out case links here through ``/ui/cases/{id}/loan``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.services.servicing_views import loan_list, loan_of_case, loan_page
from creditfactory.web.rendering import PageRoute, page, redirect
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)
Id = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 50


@router.get("/loans")
def loans(
    request: Request,
    ctx: CtxDep,
    page_no: Annotated[int, Query(alias="page", ge=1, le=20_000)] = 1,
) -> Response:
    actor = signed_in(request)
    rows, total = loan_list(ctx, actor, (page_no - 1) * PAGE, PAGE)
    return page(request, "loans.html", actor, rows=rows, total=total, page_no=page_no,
                pages=max(1, -(-total // PAGE)))


@router.get("/loans/{loan_id}")
def loan(loan_id: Id, request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    return page(request, "loan.html", actor, loan=loan_page(ctx, actor, loan_id))


@router.get("/cases/{case_id}/loan")
def case_loan(case_id: Id, request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    return redirect(f"/ui/loans/{loan_of_case(ctx, actor, case_id)}")
