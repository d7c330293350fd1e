"""Applications: submit (idempotent), read (masked), reveal personal data (audited).

A submission waits for the credit bureau and the business registry (the platform fetches
their data itself): it awaits them on the event loop, which serves other requests meanwhile;
its checks, decision and write are short and run on the loop, with no thread hop.
``serve --workers`` gives it more cores.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse

from creditfactory.api.deps import CurrentUser, require
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.applications import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationSubmitted,
    PersonalDataPublic,
)
from creditfactory.http.schemas.text import PRINTABLE
from creditfactory.services.intake import submit_application_async
from creditfactory.services.ports import Actor
from creditfactory.services.queries import application_view, reveal_personal_data

router = APIRouter(prefix="/applications", tags=["applications"])
AppId = Annotated[int, Path(ge=1, le=2**62)]
SUBMITTERS = ("account_manager",)


@router.post(
    "",
    status_code=201,
    response_model=ApplicationSubmitted,
    responses={
        202: {"model": ApplicationSubmitted,
              "description": "Kept, but the credit bureau (or the business registry) did not "
              "answer in time: the case is held at that step (`held`), with no decision "
              "(`decision` null); it is retried in the background and decided when the data "
              "come. The same Idempotency-Key gets this same answer."},
        403: {}, 409: {}, 422: {}, 503: {},
    },
)
async def submit(
    body: ApplicationCreate,
    ctx: CtxDep,
    idempotency_key: Annotated[str, Header(min_length=1, max_length=128)],
    user: Annotated[Actor, require(*SUBMITTERS)],
) -> JSONResponse:
    code, answer, replayed = await submit_application_async(
        ctx, user, body.model_dump(), idempotency_key)
    # the answer is built to the response model's shape (and replayed as stored): sent as is
    return JSONResponse(answer, status_code=code,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/{application_id}", response_model=ApplicationPublic, responses={403: {}, 404: {}})
def read(application_id: AppId, ctx: CtxDep, user: CurrentUser) -> dict[str, object]:
    return application_view(ctx, user, application_id)


@router.get(
    "/{application_id}/personal-data",
    response_model=PersonalDataPublic,
    responses={403: {}, 404: {}},
)
def personal_data(
    application_id: AppId,
    ctx: CtxDep,
    user: CurrentUser,
    purpose: Annotated[str, Query(min_length=1, max_length=200, pattern=PRINTABLE)],
) -> dict[str, str | None]:
    """The clear values a task held or completed on the case needs, with a purpose; audited
    (403 for anyone not assigned the case)."""
    return reveal_personal_data(ctx, user, application_id, purpose)
