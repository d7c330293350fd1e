"""case holds: a case held at its step in a named queue with its reason

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """A case whose step could not be done (data not fetched, a scoring error, a fraud hit
    before payout) waits at that step in a named queue, with the reason and since when."""
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("hold", sa.String(40), nullable=True))
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("held_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_cases_hold"), ["hold"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_hold"))
        batch.drop_column("held_at")
        batch.drop_column("hold_reason")
        batch.drop_column("hold")
