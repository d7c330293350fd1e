"""drop the decisions index that the (application, seq) unique index already serves

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 18:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Every decision insert kept two indexes on ``application_id``; reads by application use
    the unique index on ``(application_id, seq)``, which leads with it."""
    op.drop_index("ix_decisions_application_id", table_name="decisions")


def downgrade() -> None:
    op.create_index("ix_decisions_application_id", "decisions", ["application_id"], unique=False)
