"""The portfolio page: the loan book by bank, branch, product, M-bucket and five-category
class, with its NPL figures and the loans furthest past due.

A bank's own accounts see their bank's book; risk analysts and administrators the whole of it
(:data:`creditfactory.services.servicing_views.BOOK_READERS`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from creditfactory.http.deps import CtxDep
from creditfactory.services.servicing_views import portfolio_view
from creditfactory.web.rendering import PageRoute, page
from creditfactory.web.session import signed_in

router = APIRouter(route_class=PageRoute)


@router.get("/portfolio")
def portfolio(request: Request, ctx: CtxDep) -> Response:
    actor = signed_in(request)
    return page(request, "portfolio.html", actor, book=portfolio_view(ctx, actor))
