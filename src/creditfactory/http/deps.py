"""Request dependencies declared once: the service context and the token signer of the app.

They are ``async`` because they only read app state: a plain ``def`` dependency would cost a
hop to the thread pool (and back) on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from creditfactory.http.security import TokenSigner
from creditfactory.services.context import ServiceContext

__all__ = ["CtxDep", "SignerDep", "get_ctx", "get_signer"]


async def get_ctx(request: Request) -> ServiceContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def get_signer(request: Request) -> TokenSigner:
    return request.app.state.signer  # type: ignore[no-any-return]


CtxDep = Annotated[ServiceContext, Depends(get_ctx)]
SignerDep = Annotated[TokenSigner, Depends(get_signer)]
