"""``POST /auth/token``: OAuth2 password login, rate limited per user and address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from creditfactory.http.deps import CtxDep, SignerDep
from creditfactory.http.schemas.org import Token
from creditfactory.services.errors import AuthenticationFailed
from creditfactory.services.users import authenticate

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses={401: {}, 429: {}})
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    ctx: CtxDep,
    signer: SignerDep,
    request: Request,
) -> Token:
    limiter = request.app.state.limiter
    keys = (f"user:{form.username}", f"addr:{request.client.host if request.client else '-'}")
    wait = limiter.retry_after(*keys)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed logins",
            headers={"Retry-After": str(wait)},
        )
    try:
        actor = authenticate(ctx, form.username, form.password)
    except AuthenticationFailed as exc:
        limiter.failed(*keys)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    limiter.succeeded(*keys)
    return Token(access_token=signer.issue(actor), role=actor.role)
