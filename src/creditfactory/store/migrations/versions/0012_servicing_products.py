"""servicing products: each loan account carries its product's servicing settings; the
reversals' index holds only reversals

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import Rate

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Penalty multiplier, prepayment fee rate and write-off threshold per loan (the loans
    booked before keep the defaults they were serviced with). The index finding a
    transaction's reversal becomes partial: a million-row bank file of repayments no longer
    writes a million empty entries into it."""
    with op.batch_alter_table("loan_accounts") as batch:
        batch.add_column(sa.Column("penalty_multiplier", Rate(), nullable=False,
                                   server_default="1.500000"))
        batch.add_column(sa.Column("prepayment_fee_rate", Rate(), nullable=False,
                                   server_default="0.020000"))
        batch.add_column(sa.Column("write_off_dpd", sa.Integer(), nullable=False,
                                   server_default="180"))
    op.drop_index("ix_loan_transactions_bank_reverses", table_name="loan_transactions")
    op.create_index("ix_loan_transactions_bank_reverses", "loan_transactions",
                    ["bank_code", "reverses"], sqlite_where=sa.text("reverses IS NOT NULL"),
                    postgresql_where=sa.text("reverses IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_loan_transactions_bank_reverses", table_name="loan_transactions")
    op.create_index("ix_loan_transactions_bank_reverses", "loan_transactions",
                    ["bank_code", "reverses"])
    with op.batch_alter_table("loan_accounts") as batch:
        for name in ("write_off_dpd", "prepayment_fee_rate", "penalty_multiplier"):
            batch.drop_column(name)
