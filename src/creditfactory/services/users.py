"""Staff accounts: adding, listing, deactivating and re-roling users, checking passwords
(argon2id).

Deactivating a user or changing their role ends all their sessions in the same transaction, so
no token issued before the change admits another request; each change is audited.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from creditfactory.domain.roles import BANK_ROLES
from creditfactory.factory import ROLES
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
    UserExists,
)
from creditfactory.services.ports import Actor
from creditfactory.store.types import utcnow

__all__ = [
    "add_user",
    "authenticate",
    "set_password",
    "list_users",
    "deactivate_user",
    "reactivate_user",
    "change_role",
    "check_account",
    "get_user",
    "set_language",
    "language_of",
]

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
    if role in BANK_ROLES and not bank_code:
        errors.append(("bank_code", f"a {role} account needs the code of its bank"))
    if errors:
        raise InvalidInput(errors)


def check_account(username: str, password: str, role: str, bank_code: str | None = None) -> None:
    """Refuse (InvalidInput, per field) an account that could not be added, before anything
    is written: ``setup`` checks its admin this way before it trains or migrates."""
    _check(username, password, role, bank_code)


def _must_be_admin(actor: Actor, what: str) -> None:
    if actor.role not in ("admin", "system"):
        raise RoleNotAllowed(f"only an admin {what}")


def _public(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "username", "role", "bank_code", "active", "created_at")}


LANGUAGES = ("en", "zh_CN")
"""The languages a user may choose for the pages (the catalogues shipped)."""


def add_user(
    ctx: ServiceContext,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    bank_code: str | None = None,
) -> dict[str, Any]:
    """Create a user; only admins (or the system at setup) may."""
    _must_be_admin(actor, "adds users")
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


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(ctx: ServiceContext, actor: Actor, username: str, password: str) -> None:
    """Replace a user's password (setup uses it to keep the admin's in step with the env).

    A new password ends the user's sessions (whoever knew the old one may hold a token); the
    same password again changes nothing.
    """
    _must_be_admin(actor, "sets passwords")
    _check(username, password, "admin", None)
    with ctx.uow() as uow:
        row = _existing(uow, username)
        if _matches(row["password_hash"], password):
            return
        now = utcnow()
        uow.users.set_password(username, _hasher.hash(password))
        ended = uow.sessions.revoke_user(username, now)
        uow.audit.append(
            actor.username, "user.password_set", "user", username,
            detail={"sessions_ended": ended}, at=now,
        )
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


def list_users(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """Every account with its role, bank, whether it may sign in and its live sessions
    (admins only)."""
    _must_be_admin(actor, "lists users")
    with ctx.uow(write=False) as uow:
        live = uow.sessions.live_counts(utcnow())
        return [
            {**_public(row), "language": row["language"],
             "live_sessions": live.get(row["username"], 0)}
            for row in uow.users.all()
        ]


def _existing(uow: Any, username: str) -> Any:
    row = uow.users.by_name(username) if _well_formed(username) else None
    if row is None:
        raise NotFound(f"no user {username!r}")
    return row


def _keeps_an_admin(uow: Any, row: Any) -> None:
    if row["role"] == "admin" and row["active"] and uow.users.active_admins() <= 1:
        raise Conflict(f"{row['username']!r} is the last active admin")


def deactivate_user(ctx: ServiceContext, actor: Actor, username: str) -> dict[str, Any]:
    """Stop ``username`` signing in and end all their sessions at once; audited."""
    _must_be_admin(actor, "deactivates users")
    if username == actor.username:
        raise Conflict("an admin cannot deactivate their own account")
    with ctx.uow() as uow:
        row = _existing(uow, username)
        _keeps_an_admin(uow, row)
        now = utcnow()
        uow.users.set_active(username, False)
        ended = uow.sessions.revoke_user(username, now)
        uow.audit.append(
            actor.username, "user.deactivated", "user", username,
            detail={"sessions_ended": ended}, at=now,
        )
        uow.commit()
    return {**_public(row), "active": False, "sessions_ended": ended}


def reactivate_user(ctx: ServiceContext, actor: Actor, username: str) -> dict[str, Any]:
    """Let a deactivated user sign in again (their old sessions stay ended); audited."""
    _must_be_admin(actor, "reactivates users")
    with ctx.uow() as uow:
        row = _existing(uow, username)
        uow.users.set_active(username, True)
        uow.audit.append(actor.username, "user.reactivated", "user", username)
        uow.commit()
    return {**_public(row), "active": True, "sessions_ended": 0}


def change_role(
    ctx: ServiceContext, actor: Actor, username: str, role: str, bank_code: str | None = None
) -> dict[str, Any]:
    """Give ``username`` another role (bank roles: and bank), ending their sessions so the
    next request is made under the new role; audited."""
    _must_be_admin(actor, "changes roles")
    errors = []
    if role not in ROLES:
        errors.append(("role", f"must be one of {', '.join(ROLES)}"))
    elif role in BANK_ROLES and not bank_code:
        errors.append(("bank_code", f"a {role} account needs the code of its bank"))
    elif role not in BANK_ROLES and bank_code:
        errors.append(("bank_code", f"only {' and '.join(BANK_ROLES)} accounts belong to a bank"))
    if errors:
        raise InvalidInput(errors)
    with ctx.uow() as uow:
        row = _existing(uow, username)
        if bank_code and uow.banks.get(bank_code) is None:
            raise InvalidInput([("bank_code", f"no partner bank {bank_code!r}")])
        if role != "admin":
            _keeps_an_admin(uow, row)
        now = utcnow()
        uow.users.set_role(username, role, bank_code)
        ended = uow.sessions.revoke_user(username, now)
        uow.audit.append(
            actor.username, "user.role_changed", "user", username,
            detail={"from": [row["role"], row["bank_code"]], "to": [role, bank_code],
                    "sessions_ended": ended},
            at=now,
        )
        uow.commit()
    return {**_public(row), "role": role, "bank_code": bank_code, "sessions_ended": ended}


def get_user(ctx: ServiceContext, actor: Actor, username: str) -> dict[str, Any]:
    """One account with its language and live sessions: admins read any, a user their own."""
    if actor.username != username:
        _must_be_admin(actor, "reads other users")
    with ctx.uow(write=False) as uow:
        row = _existing(uow, username)
        live = uow.sessions.live_counts(utcnow())
    return {**_public(row), "language": row["language"],
            "live_sessions": live.get(row["username"], 0)}


def set_language(ctx: ServiceContext, actor: Actor, username: str, language: str | None
                 ) -> None:
    """Set the language the pages use for ``username`` (``None``: their browser's); a user
    sets their own, an admin anyone's; audited."""
    if actor.username != username:
        _must_be_admin(actor, "sets other users' language")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput([("language", f"must be one of {', '.join(LANGUAGES)}")])
    with ctx.uow() as uow:
        row = _existing(uow, username)
        if row["language"] == language:
            return
        uow.users.set_language(username, language)
        uow.audit.append(actor.username, "user.language_set", "user", username,
                         detail={"language": language})
        uow.commit()


def language_of(ctx: ServiceContext, username: str) -> str | None:
    """The language ``username`` chose for the pages, ``None`` when they chose none."""
    with ctx.uow(write=False) as uow:
        row = uow.users.by_name(username) if _well_formed(username) else None
    return None if row is None else row["language"]
