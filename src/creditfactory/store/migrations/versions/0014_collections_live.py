"""collections live work: assignments, contacts, promises, restructure proposals

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import Money, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """The live collections' tables (``store/tables_collections.py``)."""
    op.create_table(
        "collections_accounts",
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("episode_start", sa.Date(), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("fast_cures", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("bucket_since", sa.Date(), nullable=False),
        sa.Column("max_dpd", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("promises", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Integer(), nullable=False),
        sa.Column("broken_in_bucket", sa.Integer(), nullable=False),
        sa.Column("partials", sa.Integer(), nullable=False),
        sa.Column("received_fen", sa.BigInteger(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("cured_on", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("loan_id",
                                name=op.f("pk_collections_accounts")),
    )
    op.create_table(
        "collections_runs",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("score_source", sa.String(80), nullable=False),
        sa.Column("strategy", sa.String(80), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("ran_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_date",
                                name=op.f("pk_collections_runs")),
    )
    op.create_table(
        "collections_assignments",
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("cure_probability", sa.Float(), nullable=False),
        sa.Column("score_source", sa.String(80), nullable=False),
        sa.Column("score_reasons", sa.String(200), nullable=False),
        sa.Column("band", sa.String(1), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("p_oversight", sa.Float(), nullable=False),
        sa.Column("p_shortfall", sa.Float(), nullable=False),
        sa.Column("p_business_failure", sa.Float(), nullable=False),
        sa.Column("p_strategic", sa.Float(), nullable=False),
        sa.Column("p_fraud", sa.Float(), nullable=False),
        sa.Column("strategy_treatment", sa.String(16), nullable=False),
        sa.Column("treatment", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(16), nullable=False),
        sa.Column("collector", sa.String(64), nullable=True),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("loan_id", "business_date",
                                name=op.f("pk_collections_assignments")),
    )
    op.create_index("ix_collections_assignments_date_team_rank", "collections_assignments",
                    ["business_date", "team", "rank"])
    op.create_table(
        "collections_collectors",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("team", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("username",
                                name=op.f("pk_collections_collectors")),
    )
    op.create_table(
        "collections_contacts",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("collector", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id",
                                name=op.f("pk_collections_contacts")),
    )
    op.create_index(op.f("ix_collections_contacts_loan_id"), "collections_contacts",
                    ["loan_id"])
    op.create_table(
        "collections_promises",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("received_fen_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("collector", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id",
                                name=op.f("pk_collections_promises")),
    )
    op.create_index(op.f("ix_collections_promises_loan_id"), "collections_promises",
                    ["loan_id"])
    op.create_index(op.f("ix_collections_promises_status"), "collections_promises",
                    ["status"])
    op.create_table(
        "collections_restructures",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("principal", Money(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("instalment", Money(), nullable=False),
        sa.Column("old_instalment", Money(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id",
                                name=op.f("pk_collections_restructures")),
    )
    op.create_index(op.f("ix_collections_restructures_loan_id"), "collections_restructures",
                    ["loan_id"])
    op.create_table(
        "collections_history",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id",
                                name=op.f("pk_collections_history")),
    )
    op.create_index(op.f("ix_collections_history_loan_id"), "collections_history",
                    ["loan_id"])


def downgrade() -> None:
    """Drop the live collections' tables."""
    op.drop_index(op.f("ix_collections_history_loan_id"), table_name="collections_history")
    op.drop_table("collections_history")
    op.drop_index(op.f("ix_collections_restructures_loan_id"), table_name="collections_restructures")
    op.drop_table("collections_restructures")
    op.drop_index(op.f("ix_collections_promises_loan_id"), table_name="collections_promises")
    op.drop_index(op.f("ix_collections_promises_status"), table_name="collections_promises")
    op.drop_table("collections_promises")
    op.drop_index(op.f("ix_collections_contacts_loan_id"), table_name="collections_contacts")
    op.drop_table("collections_contacts")
    op.drop_table("collections_collectors")
    op.drop_index("ix_collections_assignments_date_team_rank", table_name="collections_assignments")
    op.drop_table("collections_assignments")
    op.drop_table("collections_runs")
    op.drop_table("collections_accounts")
