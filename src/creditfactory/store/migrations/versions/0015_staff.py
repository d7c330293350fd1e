"""staff: user language, approval decisions, committee

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Each user's chosen language for the staff pages (none: the browser's)."""
    op.add_column("users", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("language")
