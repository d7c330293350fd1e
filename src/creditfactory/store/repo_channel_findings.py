"""Verification and investigation findings by channel, with what the application declared.

Read-only: what re-scoring channels with their findings needs, in the order they were
recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.tables_case import applications, findings

__all__ = ["ChannelFindings"]

_ALL = (
    sa.select(
        findings.c.id,
        findings.c.application_id,
        findings.c.channel_id,
        findings.c.identity_confirmed,
        findings.c.business_real,
        findings.c.verified_monthly_revenue,
        applications.c.fields,
    )
    .join(applications, applications.c.application_id == findings.c.application_id)
    .order_by(findings.c.id)
)


class ChannelFindings:
    """Every finding with its application's channel and declared fields."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def all(self) -> list[RowMapping]:
        """Each finding row (``identity_confirmed``, ``business_real``,
        ``verified_monthly_revenue``) with ``application_id``, ``channel_id`` and the
        application's stored ``fields``, oldest first."""
        return list(self._c.execute(_ALL).mappings())
