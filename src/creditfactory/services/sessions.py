"""Sign-in sessions: every token names one, so logging out or an admin's action ends it at once.

Checking a session is one primary-key read per request and no cache, so a session ended in one
server process is refused by every other process from its next request on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.store.types import utcnow

__all__ = ["SessionGrant", "open_session", "session_actor", "end_session"]


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """A session just opened: its id (a token's ``jti``) and its lifetime."""

    id: str
    issued_at: datetime
    expires_at: datetime


def open_session(ctx: ServiceContext, actor: Actor, *, key_id: str, minutes: int) -> SessionGrant:
    """Open a session for ``actor`` (already authenticated) lasting ``minutes``; audited.

    Sessions that expired are dropped here: they admit no one, and the audit log keeps the
    record of each sign-in.
    """
    now = utcnow()
    grant = SessionGrant(secrets.token_urlsafe(16), now, now + timedelta(minutes=minutes))
    with ctx.uow() as uow:
        uow.sessions.purge(expired_before=now)
        uow.sessions.open(
            id=grant.id,
            username=actor.username,
            role=actor.role,
            bank_code=actor.bank_code,
            key_id=key_id,
            issued_at=grant.issued_at,
            expires_at=grant.expires_at,
            revoked_at=None,
        )
        uow.audit.append(
            actor.username,
            "session.opened",
            "user",
            actor.username,
            detail={"key_id": key_id, "expires_at": grant.expires_at.isoformat()},
            at=now,
        )
        uow.commit()
    return grant


def session_actor(ctx: ServiceContext, session_id: str, username: str) -> Actor | None:
    """Who the live session ``session_id`` of ``username`` acts as; ``None`` when it is
    unknown, ended or expired."""
    with ctx.uow(write=False) as uow:
        row = uow.sessions.get(session_id)
    if (
        row is None
        or row["username"] != username
        or row["revoked_at"] is not None
        or row["expires_at"] <= utcnow()
    ):
        return None
    return Actor(row["username"], row["role"], row["bank_code"])


def end_session(ctx: ServiceContext, session_id: str, username: str) -> bool:
    """End the session ``session_id`` of ``username`` (logging out); audited. False when it
    had already ended."""
    with ctx.uow() as uow:
        row = uow.sessions.get(session_id)
        if row is None or row["username"] != username:
            return False
        now = utcnow()
        ended = uow.sessions.revoke(session_id, now)
        if ended:
            uow.audit.append(username, "session.ended", "user", username, at=now)
        uow.commit()
    return ended
