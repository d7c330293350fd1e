"""model artifacts: trained model bundles kept in the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import creditfactory.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the table that holds trained model bundles by name and content digest."""
    op.create_table(
        "model_artifacts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", creditfactory.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_artifacts")),
        sa.UniqueConstraint("name", "digest", name="uq_model_artifacts_name_digest"),
    )


def downgrade() -> None:
    """Drop the model artifacts table."""
    op.drop_table("model_artifacts")
