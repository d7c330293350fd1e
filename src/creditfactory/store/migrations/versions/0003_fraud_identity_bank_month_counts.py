"""kept fraud identities and per-bank monthly submission counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Keep each application's fraud-graph identity (keyed hashes) and count bank submissions."""
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("fraud_identity", sa.LargeBinary(), nullable=True))
    op.create_table(
        "bank_month_counts",
        sa.Column("bank_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_code"], ["partner_banks.code"], name=op.f("fk_bank_month_counts_bank_code_partner_banks")
        ),
        sa.PrimaryKeyConstraint("bank_code", "month", name=op.f("pk_bank_month_counts")),
    )
    _count_existing_submissions()


# the month (UTC) of a stored submission time: SQLite keeps naive UTC text, PostgreSQL a timestamptz
_MONTH_OF_SUBMISSION = {
    "sqlite": "substr(submitted_at, 1, 7)",
    "postgresql": "to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM')",
}


def _count_existing_submissions() -> None:
    """Backfill: per bank and month, the submissions the bank has not declined."""
    month = _MONTH_OF_SUBMISSION[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO bank_month_counts (bank_code, month, submitted) "
        f"SELECT bank_code, {month}, count(*) FROM bank_submissions "
        f"WHERE status <> 'declined' GROUP BY bank_code, {month}"
    )


def downgrade() -> None:
    """Drop the counts and the kept identities."""
    op.drop_table("bank_month_counts")
    # a plain ALTER (SQLite 3.35+ drops a plain column in place): copying the table, as batch
    # mode would on SQLite, fails on the rows that reference applications
    op.drop_column("applications", "fraud_identity")
