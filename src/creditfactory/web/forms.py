"""Reading posted forms: CSRF first, then the same schema the API validates its bodies with.

A schema failure becomes :class:`InvalidInput` naming each bad field, the same error the
services raise, so a page shows both kinds of mistakes the same way.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from creditfactory.services.errors import InvalidInput
from creditfactory.web.session import CSRF_FIELD, LOGIN_COOKIE, SESSION_COOKIE, check_csrf

M = TypeVar("M", bound=BaseModel)

__all__ = ["PostedForm", "LoginForm", "validated", "optional_bool", "blank_to_none"]


async def _fields(request: Request, cookie: str) -> dict[str, str]:
    form = await request.form()
    data = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, data.pop(CSRF_FIELD, None), cookie)
    return data


async def posted_form(request: Request) -> dict[str, str]:
    """A signed-in user's form fields, once its CSRF token checks out."""
    return await _fields(request, SESSION_COOKIE)


async def login_form(request: Request) -> dict[str, str]:
    """The login form's fields, once its CSRF token matches the login nonce."""
    return await _fields(request, LOGIN_COOKIE)


PostedForm = Annotated[dict[str, str], Depends(posted_form)]
LoginForm = Annotated[dict[str, str], Depends(login_form)]


def validated(schema: type[M], values: dict[str, Any]) -> M:
    """``values`` checked by ``schema``; :class:`InvalidInput` names every bad field."""
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(
            [(str(e["loc"][0]) if e["loc"] else "form", str(e["msg"])) for e in exc.errors()]
        ) from None


def blank_to_none(value: str | None) -> str | None:
    """An empty field means "not given"."""
    return value if value else None


def optional_bool(value: str | None) -> bool | str | None:
    """``yes``/``no`` from a three-way choice; blank is "not looked at"; anything else is
    passed on for the schema to reject by name."""
    return {"": None, None: None, "yes": True, "no": False}.get(value, value)
