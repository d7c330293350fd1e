"""sessions: revocable tokens and user status

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import creditfactory.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One row per issued token: a token is honoured only while its row is live.

    Users already carry ``active``; deactivating one ends their sessions here.
    """
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("bank_code", sa.String(length=32), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column(
            "issued_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "revoked_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_username"), ["username"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    """Drop the sessions (every token issued under them stops working)."""
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_sessions_username"))
    op.drop_table("sessions")
