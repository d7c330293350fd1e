"""What the platform fetched for an application: consent, bureau pulls, registry records, the
data check's findings.

The rows written in this unit of work are also kept in memory, so the steps that read them
back in the same transaction (a submission's walk) cost no round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.prepared import Prepared
from creditfactory.store.tables_data_fetch import (
    bureau_consents,
    bureau_pulls,
    data_checks,
    external_records,
)

__all__ = ["DataFetchRepository"]

_CONSENT = Prepared(sa.insert(bureau_consents))
_PULL = Prepared(sa.insert(bureau_pulls))
_RECORD = Prepared(sa.insert(external_records))
_CHECK = Prepared(sa.insert(data_checks))


class DataFetchRepository:
    """The fetched data of applications; the latest of each kind is what a step reads."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._consent: dict[int, dict[str, Any]] = {}
        self._pull: dict[int, dict[str, Any]] = {}
        self._record: dict[tuple[int, str], dict[str, Any]] = {}
        self._checks: dict[int, list[dict[str, Any]]] = {}

    def add_consent(self, **values: Any) -> None:
        _CONSENT.execute(self._c, values)
        self._consent[values["application_id"]] = values

    def consent(self, application_id: int) -> dict[str, Any] | None:
        if application_id in self._consent:
            return self._consent[application_id]
        q = sa.select(bureau_consents).where(bureau_consents.c.application_id == application_id)
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def add_pull(self, **values: Any) -> None:
        """One bureau pull attempt (``outcome`` report, no_file or unavailable)."""
        _PULL.execute(self._c, values)
        self._pull[values["application_id"]] = values

    def latest_pull(self, application_id: int) -> dict[str, Any] | None:
        if application_id in self._pull:
            return self._pull[application_id]
        q = (sa.select(bureau_pulls).where(bureau_pulls.c.application_id == application_id)
             .order_by(bureau_pulls.c.id.desc()).limit(1))
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def pulls(self, application_id: int) -> list[dict[str, Any]]:
        """Every pull attempt of the application, oldest first."""
        q = (sa.select(bureau_pulls).where(bureau_pulls.c.application_id == application_id)
             .order_by(bureau_pulls.c.id))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def add_record(self, **values: Any) -> None:
        """One external record (``kind`` business_registration, device)."""
        _RECORD.execute(self._c, values)
        self._record[(values["application_id"], values["kind"])] = values

    def latest_record(self, application_id: int, kind: str) -> dict[str, Any] | None:
        if (application_id, kind) in self._record:
            return self._record[(application_id, kind)]
        q = (sa.select(external_records)
             .where(external_records.c.application_id == application_id,
                    external_records.c.kind == kind)
             .order_by(external_records.c.id.desc()).limit(1))
        row = self._c.execute(q).mappings().first()
        return None if row is None else dict(row)

    def records(self, application_id: int, kind: str) -> list[dict[str, Any]]:
        """Every lookup of ``kind`` for the application, oldest first."""
        q = (sa.select(external_records)
             .where(external_records.c.application_id == application_id,
                    external_records.c.kind == kind)
             .order_by(external_records.c.id))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def add_checks(self, rows: Sequence[dict[str, Any]]) -> None:
        """The data check's rows, in one statement."""
        if rows:
            _CHECK.execute_many(self._c, rows)
        for row in rows:
            self._checks.setdefault(row["application_id"], []).append(row)

    def recent_checks(self, application_id: int) -> list[dict[str, Any]]:
        """The checks written in this unit of work (no read)."""
        return self._checks.get(application_id, [])

    def checks(self, application_id: int) -> list[dict[str, Any]]:
        q = (sa.select(data_checks).where(data_checks.c.application_id == application_id)
             .order_by(data_checks.c.id))
        return [dict(r) for r in self._c.execute(q).mappings()]
