"""collections live work: assignments, contacts, promises, restructure proposals

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved: filled by the change that needs it."""


def downgrade() -> None:
    """Reserved: filled by the change that needs it."""
