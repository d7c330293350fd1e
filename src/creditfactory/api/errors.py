"""Service errors to HTTP statuses, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from creditfactory.errors import InvalidArgument
from creditfactory.services import errors as e

STATUS = (
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.Forbidden, 403),
    (e.AuthenticationFailed, 401),
    (e.TooManyAttempts, 429),
    (e.DecisionUnavailable, 503),
)


def _handle(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, e.InvalidInput):
        detail = [{"loc": ["body", f], "msg": m, "type": "value_error"} for f, m in exc.errors]
        return JSONResponse({"detail": detail}, status_code=422)
    for kind, code in STATUS:
        if isinstance(exc, kind):
            return JSONResponse({"detail": str(exc)}, status_code=code)
    return JSONResponse({"detail": str(exc)}, status_code=422)


def install(app: FastAPI) -> None:
    """Register the mapping on ``app``."""
    app.add_exception_handler(e.ServiceError, _handle)
    app.add_exception_handler(InvalidArgument, _handle)
