"""The append-only audit log and the idempotency-key ledger.

The audit repository offers no update or delete; the database refuses them too (triggers
created by the initial migration). Entries appended in a unit of work are written together,
in order, with one statement when it commits (or before the log is read in it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.prepared import Prepared
from creditfactory.store.tables_case import audit_log, idempotency_keys
from creditfactory.store.types import utcnow

_APPEND = Prepared(sa.insert(audit_log))
_IDEM_GET = sa.select(idempotency_keys).where(
    idempotency_keys.c.scope == sa.bindparam("s"), idempotency_keys.c.key == sa.bindparam("k")
)
_IDEM_ADD = Prepared(sa.insert(idempotency_keys))


class AuditLog:
    """Who did what to which entity, when; append and read only."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._pending: list[dict[str, Any]] = []

    def append(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: object,
        *,
        case_id: int | None = None,
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        self._pending.append(
            {
                "at": at or utcnow(),
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "case_id": case_id,
                "detail": detail or {},
            }
        )

    def flush(self) -> None:
        """Write the entries appended so far (the unit of work calls this before committing)."""
        if self._pending:
            rows, self._pending = self._pending, []
            _APPEND.execute_many(self._c, rows)

    def of_case(self, case_id: int) -> list[RowMapping]:
        self.flush()
        q = sa.select(audit_log).where(audit_log.c.case_id == case_id).order_by(audit_log.c.id)
        return list(self._c.execute(q).mappings())

    def of_entity(self, entity: str, entity_id: object) -> list[RowMapping]:
        self.flush()
        q = (
            sa.select(audit_log)
            .where(audit_log.c.entity == entity, audit_log.c.entity_id == str(entity_id))
            .order_by(audit_log.c.id)
        )
        return list(self._c.execute(q).mappings())


class IdempotencyRepository:
    """Responses already given, by (scope, key), so a retried request gets the same answer.

    A response recorded in a unit of work is written when it commits, with the audit entries
    and the commit itself (one round trip on PostgreSQL); a key already used fails the commit
    with ``IntegrityError``.
    """

    def __init__(self, conn: Connection) -> None:
        self._c = conn
        self._pending: list[dict[str, Any]] = []

    def get(self, scope: str, key: str) -> RowMapping | None:
        self.flush()
        return self._c.execute(_IDEM_GET, {"s": scope, "k": key}).mappings().first()

    def add(
        self, scope: str, key: str, request_hash: str, status_code: int, response: dict[str, Any]
    ) -> None:
        self._pending.append(
            {
                "scope": scope,
                "key": key,
                "request_hash": request_hash,
                "status_code": status_code,
                "response": response,
                "created_at": utcnow(),
            }
        )

    def flush(self) -> None:
        """Write the responses recorded so far (the unit of work calls this when committing)."""
        if self._pending:
            rows, self._pending = self._pending, []
            _IDEM_ADD.execute_many(self._c, rows)
