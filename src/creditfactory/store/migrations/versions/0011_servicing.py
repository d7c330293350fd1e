"""servicing: loan accounts, booked schedules, bank transactions, the business calendar

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import Money, Rate, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_FEN = ("principal_outstanding", "overdue_principal", "penalty_accrued", "penalty_paid",
        "credit", "received", "recovered", "written_off_principal", "npl_principal")


def upgrade() -> None:
    """The loan book: each loan's account and state, its schedule as booked, the banks'
    transactions (never edited), the business date and the record of each day closed."""
    op.create_table(
        "servicing_calendar",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_servicing_calendar")),
    )
    op.create_table(
        "close_runs",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("written_off", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_close_runs")),
    )
    op.create_table(
        "loan_accounts",
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("contract_no", sa.String(40), nullable=False),
        sa.Column("applicant_id", _BIG, nullable=False),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("principal", Money(), nullable=False),
        sa.Column("rate", Rate(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("repayment_method", sa.String(24), nullable=False),
        sa.Column("rounding", sa.String(16), nullable=False),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("booked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("five_class", sa.String(16), nullable=False),
        *(sa.Column(f"{name}_fen", sa.BigInteger(), nullable=False) for name in _FEN),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("first_npl_on", sa.Date(), nullable=True),
        sa.Column("dues", sa.LargeBinary(), nullable=False),
        sa.Column("principal_left", sa.LargeBinary(), nullable=False),
        sa.Column("interest_left", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"],
                                name=op.f("fk_loan_accounts_loan_id_loans")),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_accounts")),
        sa.UniqueConstraint("contract_no", name=op.f("uq_loan_accounts_contract_no")),
    )
    op.create_index(op.f("ix_loan_accounts_bank_code"), "loan_accounts", ["bank_code"])
    op.create_index(op.f("ix_loan_accounts_status"), "loan_accounts", ["status"])
    op.create_table(
        "loan_schedule",
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        *(sa.Column(name, Money(), nullable=False) for name in (
            "principal", "interest", "total", "opening_balance", "closing_balance")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan_accounts.loan_id"],
                                name=op.f("fk_loan_schedule_loan_id_loan_accounts")),
        sa.PrimaryKeyConstraint("loan_id", "number", name=op.f("pk_loan_schedule")),
    )
    op.create_table(
        "loan_transactions",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("loan_id", _BIG, nullable=False),
        sa.Column("bank_code", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("reverses", sa.String(64), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("posted_by", sa.String(64), nullable=False),
        sa.Column("posted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loan_accounts.loan_id"],
                                name=op.f("fk_loan_transactions_loan_id_loan_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_transactions")),
        sa.UniqueConstraint("bank_code", "reference", name="uq_loan_transactions_bank_reference"),
    )
    op.create_index(op.f("ix_loan_transactions_loan_id"), "loan_transactions", ["loan_id"])
    op.create_index(op.f("ix_loan_transactions_value_date"), "loan_transactions",
                    ["value_date"])
    op.create_index("ix_loan_transactions_bank_reverses", "loan_transactions",
                    ["bank_code", "reverses"])


def downgrade() -> None:
    op.drop_index("ix_loan_transactions_bank_reverses", table_name="loan_transactions")
    op.drop_index(op.f("ix_loan_transactions_value_date"), table_name="loan_transactions")
    op.drop_index(op.f("ix_loan_transactions_loan_id"), table_name="loan_transactions")
    op.drop_table("loan_transactions")
    op.drop_table("loan_schedule")
    op.drop_index(op.f("ix_loan_accounts_status"), table_name="loan_accounts")
    op.drop_index(op.f("ix_loan_accounts_bank_code"), table_name="loan_accounts")
    op.drop_table("loan_accounts")
    op.drop_table("close_runs")
    op.drop_table("servicing_calendar")
