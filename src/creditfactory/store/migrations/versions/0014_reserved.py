"""reserved (no change yet)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 22:30:00.000000
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No schema change."""


def downgrade() -> None:
    """No schema change."""
