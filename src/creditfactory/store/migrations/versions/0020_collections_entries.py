"""collections entries: each bucket entry with the C-card's inputs and the day it cured

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# the C-card's inputs as of this revision (``bucket`` is the entry's own column)
_FEATURES = ("a_pd", "instalment", "prior_episodes", "prior_fast_cures", "paid_share",
             "first_payment_default", "inflow_ratio", "overdue_elsewhere", "credit_seeking",
             "late_bills", "industry_change", "instalment_to_inflows",
             "debt_service_to_inflows", "debt_service_to_revenue", "attempts", "reached",
             "reach_rate", "promises", "kept", "broken", "partials", "cures",
             "steps_since_cure")


def upgrade() -> None:
    """``collections_entries`` (``store/tables_collections.py``): the nightly assignment keeps
    every bucket entry with its C-card inputs, the end of the episode back to current labels
    it, and the lender fits its C-card on them."""
    op.create_table(
        "collections_entries",
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("episode_start", sa.Date(), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in _FEATURES),
        sa.Column("cured_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("loan_id", "entered_on",
                                name=op.f("pk_collections_entries")),
    )


def downgrade() -> None:
    """Drop the bucket entries."""
    op.drop_table("collections_entries")
