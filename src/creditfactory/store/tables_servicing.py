"""Tables of the loan book: each loan's account (its six elements and its state at the
business date), its booked schedule, the bank's transactions, and the business calendar.

A loan's state is kept the way the vectorised close of business
(:mod:`creditfactory.servicing.book`) carries it: balances in integer fen (``*_fen``, exact,
never float) and the instalments' unpaid principal and interest as packed ``int32`` arrays
(``dues`` day numbers since 1970-01-01, ``principal_left``, ``interest_left``), so a close
loads a million loans as a million rows, not thirty-six million. The schedule as booked is
kept row by row (``loan_schedule``, Decimal money) for people and for the per-loan replay.
Transactions are never edited: a reversal is a new row naming the reference it reverses.
Each account carries its product's servicing settings as booked (penalty multiplier,
prepayment fee rate, write-off threshold). ``start_date`` is the payout date, which the
schedule runs from: the term and interest of a loan run from the money paid out (the
drawdown, 借据), not from the day the contract was signed.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import metadata
from creditfactory.store.types import Money, Rate, UTCDateTime

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_FEN = ("principal_outstanding", "overdue_principal", "penalty_accrued", "penalty_paid",
        "credit", "received", "recovered", "written_off_principal", "npl_principal")

servicing_calendar = sa.Table(
    "servicing_calendar",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("business_date", sa.Date, nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

close_runs = sa.Table(
    "close_runs",
    metadata,
    sa.Column("business_date", sa.Date, primary_key=True),
    sa.Column("loans", sa.Integer, nullable=False),
    sa.Column("payments", sa.Integer, nullable=False),
    sa.Column("changed", sa.Integer, nullable=False),
    sa.Column("written_off", sa.Integer, nullable=False),
    sa.Column("closed_at", UTCDateTime(), nullable=False),
)

loan_accounts = sa.Table(
    "loan_accounts",
    metadata,
    sa.Column("loan_id", sa.ForeignKey("loans.id"), primary_key=True, autoincrement=False),
    sa.Column("bank_code", sa.String(32), nullable=False, index=True),
    sa.Column("contract_no", sa.String(40), nullable=False, unique=True),
    sa.Column("applicant_id", _BIG, nullable=False),
    sa.Column("purpose", sa.String(64), nullable=True),
    sa.Column("principal", Money(), nullable=False),
    sa.Column("rate", Rate(), nullable=False),
    sa.Column("term_months", sa.Integer, nullable=False),
    sa.Column("repayment_method", sa.String(24), nullable=False),
    sa.Column("rounding", sa.String(16), nullable=False),
    sa.Column("product", sa.String(64), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("booked_at", UTCDateTime(), nullable=False),
    sa.Column("penalty_multiplier", Rate(), nullable=False, server_default="1.500000"),
    sa.Column("prepayment_fee_rate", Rate(), nullable=False, server_default="0.020000"),
    sa.Column("write_off_dpd", sa.Integer, nullable=False, server_default="180"),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.Column("bucket", sa.String(4), nullable=False),
    sa.Column("five_class", sa.String(16), nullable=False),
    *(sa.Column(f"{name}_fen", sa.BigInteger, nullable=False) for name in _FEN),
    sa.Column("written_off_on", sa.Date, nullable=True),
    sa.Column("first_npl_on", sa.Date, nullable=True),
    sa.Column("dues", sa.LargeBinary, nullable=False),
    sa.Column("principal_left", sa.LargeBinary, nullable=False),
    sa.Column("interest_left", sa.LargeBinary, nullable=False),
)

loan_schedule = sa.Table(
    "loan_schedule",
    metadata,
    sa.Column("loan_id", sa.ForeignKey("loan_accounts.loan_id"), primary_key=True,
              autoincrement=False),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("principal", Money(), nullable=False),
    sa.Column("interest", Money(), nullable=False),
    sa.Column("total", Money(), nullable=False),
    sa.Column("opening_balance", Money(), nullable=False),
    sa.Column("closing_balance", Money(), nullable=False),
)

loan_transactions = sa.Table(
    "loan_transactions",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("loan_id", sa.ForeignKey("loan_accounts.loan_id"), nullable=False, index=True),
    sa.Column("bank_code", sa.String(32), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value_date", sa.Date, nullable=False, index=True),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("reverses", sa.String(64), nullable=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("source", sa.String(80), nullable=False),
    sa.Column("posted_by", sa.String(64), nullable=False),
    sa.Column("posted_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("bank_code", "reference", name="uq_loan_transactions_bank_reference"),
    sa.Index("ix_loan_transactions_bank_reverses", "bank_code", "reverses",
             sqlite_where=sa.text("reverses IS NOT NULL"),
             postgresql_where=sa.text("reverses IS NOT NULL")),
)
