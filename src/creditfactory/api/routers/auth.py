"""``POST /auth/token``: OAuth2 password login, rate limited per user and address, opening a
session; ``POST /auth/logout``: end the presenting token's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from creditfactory.api.deps import oauth2
from creditfactory.http.deps import CtxDep, SignerDep
from creditfactory.http.schemas.org import Token
from creditfactory.http.security import InvalidToken
from creditfactory.services.errors import AuthenticationFailed
from creditfactory.services.users import authenticate

router = APIRouter(prefix="/auth", tags=["auth"])


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


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
        raise _unauthorised(str(exc)) from exc
    limiter.succeeded(*keys)
    return Token(access_token=signer.issue(ctx, actor), role=actor.role)


@router.post("/logout", status_code=204, response_class=Response, responses={401: {}})
def logout(token: Annotated[str, Depends(oauth2)], ctx: CtxDep, signer: SignerDep) -> Response:
    """End the session of the presenting token at once (again is harmless: still 204)."""
    try:
        signer.revoke(ctx, token)
    except InvalidToken as exc:
        raise _unauthorised(str(exc)) from exc
    return Response(status_code=204)
