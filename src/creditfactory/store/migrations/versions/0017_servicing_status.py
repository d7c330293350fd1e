"""servicing status: a loan's status kept equal to its account's (active, paid_off, written_off)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_FROM_ACCOUNT = ("(SELECT CASE a.status WHEN 'closed' THEN 'paid_off' ELSE a.status END "
                 "FROM loan_accounts a WHERE a.loan_id = loans.id)")


def upgrade() -> None:
    """Loans whose account is open take its status (booking and every state write keep it
    so from now on); a loan not yet booked for servicing stays "booked"."""
    op.execute(f"UPDATE loans SET servicing_status = {_FROM_ACCOUNT} "
               "WHERE id IN (SELECT loan_id FROM loan_accounts)")


def downgrade() -> None:
    """Back to the status written at payout."""
    op.execute("UPDATE loans SET servicing_status = 'booked'")
