"""contracts: the document, its digest and the borrower's signature

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from creditfactory.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """A case's contract (canonical document, digest, hashed signing code, signature) and the
    re-checks before payout (evidence, the investigator's clearance)."""
    op.create_table(
        "contracts",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("application_id", _BIG, nullable=False),
        sa.Column("contract_no", sa.String(40), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("signed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("signed_digest", sa.String(64), nullable=True),
        sa.Column("signature_channel", sa.String(24), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_contracts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("case_id", name=op.f("uq_contracts_case_id")),
        sa.UniqueConstraint("contract_no", name=op.f("uq_contracts_contract_no")),
    )
    op.create_index(op.f("ix_contracts_application_id"), "contracts", ["application_id"])
    op.create_table(
        "payout_checks",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("checked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("evidence", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("cleared_by", sa.String(64), nullable=True),
        sa.Column("cleared_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_payout_checks_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_checks")),
    )
    op.create_index(op.f("ix_payout_checks_case_id"), "payout_checks", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payout_checks_case_id"), table_name="payout_checks")
    op.drop_table("payout_checks")
    op.drop_index(op.f("ix_contracts_application_id"), table_name="contracts")
    op.drop_table("contracts")
