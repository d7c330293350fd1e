"""reserved (no change yet)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:30:00.000000
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No schema change."""


def downgrade() -> None:
    """No schema change."""
