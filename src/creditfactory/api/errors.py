"""Service errors as JSON answers, with the statuses of :mod:`creditfactory.http.errors`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from creditfactory.errors import InvalidArgument
from creditfactory.http.errors import status_of
from creditfactory.services import errors as e


def _handle(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, e.InvalidInput):
        detail = [{"loc": ["body", f], "msg": m, "type": "value_error"} for f, m in exc.errors]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each field and the reason, without echoing the value sent: a refused resident
    ID or phone number must not travel back in clear (nor into a proxy's or client's log)."""
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in err.items() if k not in ("input", "url")} for err in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def install(app: FastAPI) -> None:
    """Register the mapping on ``app``."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(e.ServiceError, _handle)
    app.add_exception_handler(InvalidArgument, _handle)
