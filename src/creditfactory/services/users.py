"""Staff accounts: adding users and checking passwords (argon2id)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from creditfactory.factory import ROLES
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import (
    AuthenticationFailed,
    InvalidInput,
    RoleNotAllowed,
    UserExists,
)
from creditfactory.services.ports import Actor

__all__ = ["add_user", "authenticate", "set_password"]

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("timing-equaliser")


def _well_formed(username: str) -> bool:
    return 0 < len(username) <= 64 and username.replace("_", "").replace(".", "").isalnum()


def _check(username: str, password: str, role: str, bank_code: str | None) -> None:
    errors = []
    if not _well_formed(username):
        errors.append(("username", "1-64 letters, digits, '_' or '.'"))
    if len(password) < 8:
        errors.append(("password", "at least 8 characters"))
    if role not in ROLES:
        errors.append(("role", f"must be one of {', '.join(ROLES)}"))
    if role == "bank_officer" and not bank_code:
        errors.append(("bank_code", "a bank officer needs the code of their bank"))
    if errors:
        raise InvalidInput(errors)


def add_user(
    ctx: ServiceContext,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    bank_code: str | None = None,
) -> dict[str, Any]:
    """Create a user; only admins (or the system at setup) may."""
    if actor.role not in ("admin", "system"):
        raise RoleNotAllowed("only an admin adds users")
    _check(username, password, role, bank_code)
    with ctx.uow() as uow:
        if uow.users.by_name(username) is not None:
            raise UserExists(f"user {username!r} exists")
        if bank_code and uow.banks.get(bank_code) is None:
            raise InvalidInput([("bank_code", f"no partner bank {bank_code!r}")])
        uid = uow.users.add(username, _hasher.hash(password), role, bank_code)
        uow.audit.append(
            actor.username, "user.added", "user", username, detail={"role": role, "bank": bank_code}
        )
        uow.commit()
    return {"id": uid, "username": username, "role": role, "bank_code": bank_code}


def set_password(ctx: ServiceContext, actor: Actor, username: str, password: str) -> None:
    """Replace a user's password (setup uses it to keep the admin's in step with the env)."""
    _check(username, password, "admin", None)
    with ctx.uow() as uow:
        uow.users.set_password(username, _hasher.hash(password))
        uow.audit.append(actor.username, "user.password_set", "user", username)
        uow.commit()


def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """The actor for a correct username and password; the same cost whether the user exists."""
    row = None
    if _well_formed(username):
        with ctx.uow(write=False) as uow:
            row = uow.users.by_name(username)
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY, password)
    except (VerificationError, InvalidHashError) as exc:
        raise AuthenticationFailed("wrong username or password") from exc
    if row is None or not row["active"]:
        raise AuthenticationFailed("wrong username or password")
    return Actor(row["username"], row["role"], row["bank_code"])
