"""Blacklist entries: added, removed (stamped, never deleted), listed, and read as a set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables_blacklists import blacklist_entries as t

__all__ = ["BlacklistRepository"]


class BlacklistRepository:
    """The entries of every blacklist, in one table keyed by kind and keyed hash."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, **values: Any) -> int:
        """Insert one entry; its id."""
        key = self._c.execute(sa.insert(t).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def get(self, entry_id: int) -> RowMapping | None:
        return self._c.execute(sa.select(t).where(t.c.id == entry_id)).mappings().first()

    def live(self, kind: str, value_hash: str) -> RowMapping | None:
        """The live entry for this identifier, if any."""
        q = sa.select(t).where(t.c.kind == kind, t.c.value_hash == value_hash,
                               t.c.removed_at.is_(None))
        return self._c.execute(q).mappings().first()

    def remove(self, entry_id: int, by: str, at: datetime, reason: str) -> bool:
        """Stamp a live entry removed; False when it was not live."""
        q = (
            sa.update(t)
            .where(t.c.id == entry_id, t.c.removed_at.is_(None))
            .values(removed_by=by, removed_at=at, removal_reason=reason)
        )
        return bool(self._c.execute(q).rowcount)

    def _where(self, kind: str | None, include_removed: bool) -> list[Any]:
        where: list[Any] = []
        if kind is not None:
            where.append(t.c.kind == kind)
        if not include_removed:
            where.append(t.c.removed_at.is_(None))
        return where

    def find(self, *, kind: str | None = None, include_removed: bool = False,
             offset: int = 0, limit: int = 100) -> list[RowMapping]:
        """Entries newest first."""
        q = (sa.select(t).where(*self._where(kind, include_removed))
             .order_by(t.c.id.desc()).offset(offset).limit(limit))
        return list(self._c.execute(q).mappings())

    def count(self, *, kind: str | None = None, include_removed: bool = False) -> int:
        q = sa.select(sa.func.count()).select_from(t).where(*self._where(kind, include_removed))
        return int(self._c.execute(q).scalar_one())

    def version(self) -> tuple[int, int, str]:
        """Changes whenever an entry is added or removed: (live entries, last id, last removal)."""
        q = sa.select(sa.func.count(t.c.id).filter(t.c.removed_at.is_(None)), sa.func.max(t.c.id),
                      sa.func.max(t.c.removed_at))
        live, last_id, last_removed = self._c.execute(q).one()
        return int(live or 0), int(last_id or 0), str(last_removed)

    def live_pairs(self) -> frozenset[tuple[str, str]]:
        """``(kind, keyed hash)`` of every live entry."""
        q = sa.select(t.c.kind, t.c.value_hash).where(t.c.removed_at.is_(None))
        return frozenset((r.kind, r.value_hash) for r in self._c.execute(q))
