"""blacklists as managed data

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import creditfactory.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_LIVE = sa.text("removed_at IS NULL")


def upgrade() -> None:
    """Blacklist entries: kind, keyed hash and mask of the value, who added (and removed) it
    and why; at most one live entry per kind and hash."""
    op.create_table(
        "blacklist_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("value_masked", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column("removed_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_entries")),
    )
    with op.batch_alter_table("blacklist_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blacklist_entries_value_hash"), ["value_hash"],
                              unique=False)
        batch_op.create_index("uq_blacklist_entries_live", ["kind", "value_hash"], unique=True,
                              sqlite_where=_LIVE, postgresql_where=_LIVE)


def downgrade() -> None:
    """Drop the blacklists (the strategy's blacklist rule then matches nothing)."""
    with op.batch_alter_table("blacklist_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_blacklist_entries_live")
        batch_op.drop_index(batch_op.f("ix_blacklist_entries_value_hash"))
    op.drop_table("blacklist_entries")
