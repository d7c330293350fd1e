"""Contracts: staff read the document (JSON, text, HTML); the borrower signs with no account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, PlainTextResponse

from creditfactory.api.deps import CurrentUser
from creditfactory.http.deps import CtxDep
from creditfactory.http.schemas.contracts import (
    ContractPublic,
    SignatureCreate,
    SignaturePublic,
    SigningCodePublic,
)
from creditfactory.services.contract_signing import (
    case_contract,
    contract_view,
    send_signing_code,
    sign_contract,
)

router = APIRouter(prefix="/contracts", tags=["contracts"])
ContractId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=ContractPublic, responses={403: {}, 404: {}})
def of_case(case_id: Annotated[int, Query(ge=1, le=2**62)], ctx: CtxDep,
            user: CurrentUser) -> object:
    return case_contract(ctx, user, case_id)


@router.get("/{contract_id}", response_model=ContractPublic, responses={403: {}, 404: {}})
def read(contract_id: ContractId, ctx: CtxDep, user: CurrentUser) -> object:
    return contract_view(ctx, user, contract_id)


@router.get("/{contract_id}/text", response_class=PlainTextResponse,
            responses={403: {}, 404: {}})
def text(contract_id: ContractId, ctx: CtxDep, user: CurrentUser) -> object:
    return contract_view(ctx, user, contract_id, "text")


@router.get("/{contract_id}/html", response_class=HTMLResponse, responses={403: {}, 404: {}})
def page(contract_id: ContractId, ctx: CtxDep, user: CurrentUser) -> object:
    return contract_view(ctx, user, contract_id, "html")


@router.post("/{contract_id}/signature", response_model=SignaturePublic, status_code=201,
             responses={403: {}, 404: {}, 409: {}, 429: {}})
def sign(contract_id: ContractId, body: SignatureCreate, ctx: CtxDep) -> object:
    """The borrower's signature: no staff account signs for a borrower; the one-time code
    sent to the borrower is what admits it."""
    return sign_contract(ctx, contract_id, body.digest, body.code, body.channel)


@router.post("/{contract_id}/signing-code", response_model=SigningCodePublic,
             responses={403: {}, 404: {}, 409: {}})
def new_code(contract_id: ContractId, ctx: CtxDep, user: CurrentUser) -> object:
    return send_signing_code(ctx, user, contract_id)
