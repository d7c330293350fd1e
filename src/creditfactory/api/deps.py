"""The API's own dependencies: the bearer token's user and role guards (the context and the
signer come from :mod:`creditfactory.http.deps`).

They are ``async``: checking a token is a signature and one primary-key read of its session,
cheaper on the event loop than a hop to the thread pool and back on every request. Only a
refused role pays one, to audit it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from creditfactory.http.deps import CtxDep, SignerDep
from creditfactory.http.security import InvalidToken
from creditfactory.services.four_eyes import record_refusal
from creditfactory.services.ports import Actor

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


async def current_user(
    token: Annotated[str, Depends(oauth2)], ctx: CtxDep, signer: SignerDep
) -> Actor:
    try:
        return signer.check(ctx, token)
    except InvalidToken as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentUser = Annotated[Actor, Depends(current_user)]


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency admitting only ``roles`` (403 otherwise, the refused attempt audited)."""

    async def guard(user: CurrentUser, ctx: CtxDep, request: Request) -> Actor:
        if user.role not in roles:
            reason = f"needs one of the roles: {', '.join(roles)}"
            where = f"{request.method} {request.url.path}"
            await run_in_threadpool(record_refusal, ctx, user, where, "endpoint", where, reason)
            raise HTTPException(status.HTTP_403_FORBIDDEN, reason)
        return user

    return Depends(guard)
