"""Reads for the live fraud graph: applications, findings and the loan book's known bads after
an id, oldest first.

Applications are read with their kept identity record (keyed hashes, no personal value);
only applications kept without one (before the record was kept) are read again with their
sealed personal values, for the graph to hash.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, findings
from creditfactory.store.tables_learning import book_known_bads

_APPLICATIONS_AFTER = (
    sa.select(applications.c.application_id, applications.c.fraud_identity)
    .where(applications.c.application_id > sa.bindparam("after"))
    .order_by(applications.c.application_id)
    .limit(sa.bindparam("limit"))
)
_SEALED = (
    sa.select(
        applications.c.application_id,
        applications.c.applied_at,
        applications.c.fields,
        *(c for c in applications.c if c.name.endswith("_enc")),
        applicants.c.resident_id_enc,
        applicants.c.name_enc,
    )
    .join(applicants, applicants.c.id == applications.c.applicant_id)
    .where(applications.c.application_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(applications.c.application_id)
)
_FINDINGS_AFTER = (
    sa.select(
        findings.c.id,
        findings.c.application_id,
        findings.c.identity_confirmed,
        findings.c.business_real,
        findings.c.recorded_at,
    )
    .where(findings.c.id > sa.bindparam("after"))
    .order_by(findings.c.id)
    .limit(sa.bindparam("limit"))
)

_BOOK_BADS_AFTER = (
    sa.select(book_known_bads.c.id, book_known_bads.c.application_id, book_known_bads.c.known_at)
    .where(book_known_bads.c.id > sa.bindparam("after"))
    .order_by(book_known_bads.c.id)
    .limit(sa.bindparam("limit"))
)


class FraudFeedRepository:
    """Kept applications (their identity records, or sealed values) and findings, by key."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def applications_after(self, after: int, limit: int) -> list[RowMapping]:
        """``application_id`` and ``fraud_identity`` (None if kept without one), in id order."""
        return list(self._c.execute(_APPLICATIONS_AFTER, {"after": after, "limit": limit}).mappings())

    def identities(self) -> tuple[list[int], list[bytes]]:
        """Every kept identity record (applications kept without one left out), in id order."""
        q = (sa.select(applications.c.application_id, applications.c.fraud_identity)
             .where(applications.c.fraud_identity.is_not(None))
             .order_by(applications.c.application_id))
        rows = self._c.execute(q).all()
        return [int(r[0]) for r in rows], [bytes(r[1]) for r in rows]

    def sealed(self, application_ids: list[int]) -> list[RowMapping]:
        """What the identity record is computed from: time, fields and sealed values."""
        if not application_ids:
            return []
        return list(self._c.execute(_SEALED, {"ids": application_ids}).mappings())

    def findings_after(self, after: int, limit: int) -> list[RowMapping]:
        return list(self._c.execute(_FINDINGS_AFTER, {"after": after, "limit": limit}).mappings())

    def book_bads_after(self, after: int, limit: int) -> list[RowMapping]:
        """The loan book's known bads (``id``, ``application_id``, ``known_at``) after ``after``."""
        return list(self._c.execute(_BOOK_BADS_AFTER, {"after": after, "limit": limit}).mappings())
