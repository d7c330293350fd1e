"""staff: user language, approval decisions, committee

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved: filled by the change that needs it."""


def downgrade() -> None:
    """Reserved: filled by the change that needs it."""
