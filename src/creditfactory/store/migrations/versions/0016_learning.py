"""learning from the book: model monitoring, B-card scores, challenger promotions, book known bads

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.tables import JSON
from creditfactory.store.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Learning from the book's tables (``store/tables_learning.py``)."""
    op.create_table(
        "model_performance",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("model", sa.String(16), nullable=False),
        sa.Column("window_from", sa.String(7), nullable=False),
        sa.Column("window_to", sa.String(7), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("bads", sa.Integer(), nullable=False),
        sa.Column("bad_rate", sa.Float(), nullable=True),
        sa.Column("mean_pd", sa.Float(), nullable=True),
        sa.Column("auc", sa.Float(), nullable=True),
        sa.Column("ks", sa.Float(), nullable=True),
        sa.Column("psi", sa.Float(), nullable=True),
        sa.Column("calibration_ratio", sa.Float(), nullable=True),
        sa.Column("max_band_gap", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("month", "model", name=op.f("pk_model_performance")),
    )
    op.create_table(
        "model_promotions",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("as_of", sa.String(7), nullable=False),
        sa.Column("model", sa.String(16), nullable=False),
        sa.Column("champion", sa.String(160), nullable=False),
        sa.Column("challenger", sa.String(160), nullable=False),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("champion_auc", sa.Float(), nullable=True),
        sa.Column("challenger_auc", sa.Float(), nullable=True),
        sa.Column("psi", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("bads", sa.Integer(), nullable=False),
        sa.Column("window_from", sa.String(7), nullable=False),
        sa.Column("window_to", sa.String(7), nullable=False),
        sa.Column("rule", JSON, nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("figures", JSON, nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_promotions")),
    )
    op.create_table(
        "book_known_bads",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("application_id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("known_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.application_id"],
                                name=op.f("fk_book_known_bads_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_known_bads")),
        sa.UniqueConstraint("application_id", name=op.f("uq_book_known_bads_application_id")),
    )
    op.create_table(
        "bcard_scores",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("pd", sa.Float(), nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("month", "loan_id", name=op.f("pk_bcard_scores")),
    )


def downgrade() -> None:
    """Drop the learning tables."""
    op.drop_table("bcard_scores")
    op.drop_table("book_known_bads")
    op.drop_table("model_promotions")
    op.drop_table("model_performance")
