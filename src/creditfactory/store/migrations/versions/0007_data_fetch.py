"""data fetched by the platform: bureau and external-data pulls

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

from alembic import op  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
