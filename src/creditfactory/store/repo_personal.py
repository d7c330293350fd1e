"""Personal values awaiting sealing (left by migration 0008) and the columns they seal into."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications
from creditfactory.store.tables_personal import unsealed_personal

__all__ = ["UnsealedPersonal"]

_TABLES = {"applicants": (applicants, applicants.c.id),
           "applications": (applications, applications.c.application_id)}


class UnsealedPersonal:
    """The waiting values, oldest first, and the sealed columns of their rows."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def exists(self) -> bool:
        """Whether the schema has the table (migration 0008 or later)."""
        return sa.inspect(self._c).has_table(unsealed_personal.name)

    def page(self, limit: int) -> list[RowMapping]:
        q = sa.select(unsealed_personal).order_by(unsealed_personal.c.id).limit(limit)
        return list(self._c.execute(q).mappings())

    def columns_of(self, table_name: str) -> frozenset[str]:
        return frozenset(c.name for c in _TABLES[table_name][0].c)

    def contact_phones(self, application_id: int) -> RowMapping:
        """The sealed contact phones of an application and their hash (NULL if not made)."""
        q = sa.select(applications.c.contact_phones_enc, applications.c.contact_phones_hash)
        q = q.where(applications.c.application_id == application_id)
        return self._c.execute(q).mappings().one()

    def seal(self, table_name: str, row_id: int, columns: dict[str, Any]) -> None:
        table, key = _TABLES[table_name]
        self._c.execute(sa.update(table).where(key == row_id).values(**columns))

    def done(self, ids: list[int]) -> None:
        self._c.execute(sa.delete(unsealed_personal).where(unsealed_personal.c.id.in_(ids)))
