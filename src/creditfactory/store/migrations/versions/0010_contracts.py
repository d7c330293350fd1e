"""contracts: the document, its digest and the borrower's signature

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

from alembic import op  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
