"""ring links: the month-end sweep of the fraud graph, and the link kept with each bucket entry

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """``ring_links`` and ``ring_sweeps`` (``store/tables_learning.py``): the applications each
    month-end sweep found sharing two kinds of identity value with another, and how far each
    sweep read; ``collections_entries.ring_linked``: whether the entry's application was so
    linked when the entry was seen (NULL: not known), so the reason model learnt on the book
    weighs it as the night did."""
    op.create_table(
        "ring_links",
        sa.Column("application_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.Column("found_in", sa.String(7), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.application_id"],
                                name=op.f("fk_ring_links_application_id_applications")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_ring_links")),
    )
    op.create_table(
        "ring_sweeps",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("through_application", _BIG, nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("swept_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_ring_sweeps")),
    )
    with op.batch_alter_table("collections_entries") as batch:
        batch.add_column(sa.Column("ring_linked", sa.Float(), nullable=True))


def downgrade() -> None:
    """Drop the column and the two tables."""
    with op.batch_alter_table("collections_entries") as batch:
        batch.drop_column("ring_linked")
    op.drop_table("ring_sweeps")
    op.drop_table("ring_links")
