"""learning from the book: model monitoring, challenger promotions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved: filled by the change that needs it."""


def downgrade() -> None:
    """Reserved: filled by the change that needs it."""
