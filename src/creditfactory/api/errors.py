"""Service errors as JSON answers, with the statuses of :mod:`creditfactory.http.errors`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from creditfactory.errors import InvalidArgument
from creditfactory.http.errors import status_of
from creditfactory.services import errors as e


def _handle(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, e.InvalidInput):
        detail = [{"loc": ["body", f], "msg": m, "type": "value_error"} for f, m in exc.errors]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


def install(app: FastAPI) -> None:
    """Register the mapping on ``app``."""
    app.add_exception_handler(e.ServiceError, _handle)
    app.add_exception_handler(InvalidArgument, _handle)
