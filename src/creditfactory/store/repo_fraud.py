"""Reads for the live fraud graph: applications and findings after an id, oldest first."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, findings

_APPLICATIONS_AFTER = (
    sa.select(
        applications.c.application_id,
        applications.c.applied_at,
        applications.c.phone_enc,
        applications.c.bank_card_enc,
        applications.c.contact_phones_enc,
        applications.c.fields,
        applicants.c.resident_id_enc,
    )
    .join(applicants, applicants.c.id == applications.c.applicant_id)
    .where(applications.c.application_id > sa.bindparam("after"))
    .order_by(applications.c.application_id)
    .limit(sa.bindparam("limit"))
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


class FraudFeedRepository:
    """Kept applications (with their sealed personal values) and findings, by primary key."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def applications_after(self, after: int, limit: int) -> list[RowMapping]:
        return list(self._c.execute(_APPLICATIONS_AFTER, {"after": after, "limit": limit}).mappings())

    def findings_after(self, after: int, limit: int) -> list[RowMapping]:
        return list(self._c.execute(_FINDINGS_AFTER, {"after": after, "limit": limit}).mappings())
