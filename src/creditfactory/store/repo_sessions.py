"""Sign-in sessions: opened at login, read on every request, ended at logout or by an admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.prepared import Prepared
from creditfactory.store.tables_sessions import sessions

__all__ = ["SessionRepository"]

_OPEN = Prepared(sa.insert(sessions))
_GET = Prepared(
    sa.select(
        sessions.c.username,
        sessions.c.role,
        sessions.c.bank_code,
        sessions.c.expires_at,
        sessions.c.revoked_at,
    ).where(sessions.c.id == sa.bindparam("id"))
)


class SessionRepository:
    """One row per issued token; the per-request read is one primary-key lookup."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def open(self, **values: Any) -> None:
        _OPEN.execute(self._c, values)

    def get(self, session_id: str) -> dict[str, Any] | None:
        """The session's user, role, bank, expiry and revocation time; ``None`` if unknown."""
        try:
            return _GET.one(self._c, {"id": session_id})
        except sa.exc.NoResultFound:
            return None

    def revoke(self, session_id: str, at: datetime) -> bool:
        """End one session; False when it was already ended (or never existed)."""
        q = (
            sa.update(sessions)
            .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(self._c.execute(q).rowcount)

    def revoke_user(self, username: str, at: datetime) -> int:
        """End every live session of ``username``; how many were ended."""
        q = (
            sa.update(sessions)
            .where(
                sessions.c.username == username,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > at,
            )
            .values(revoked_at=at)
        )
        return int(self._c.execute(q).rowcount)

    def live_counts(self, at: datetime) -> dict[str, int]:
        """Per user, the sessions neither ended nor expired at ``at`` (users with none left out)."""
        q = (
            sa.select(sessions.c.username, sa.func.count())
            .where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > at)
            .group_by(sessions.c.username)
        )
        return {name: int(n) for name, n in self._c.execute(q)}

    def purge(self, expired_before: datetime) -> int:
        """Drop sessions that expired before ``expired_before`` (they can admit no one)."""
        q = sa.delete(sessions).where(sessions.c.expires_at < expired_before)
        return int(self._c.execute(q).rowcount)
