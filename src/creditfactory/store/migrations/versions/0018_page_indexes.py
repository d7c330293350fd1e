"""page indexes: an account manager's applications, and each station's queue in due order

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_QUEUED = sa.text("status IN ('open', 'claimed')")


def upgrade() -> None:
    """The account manager's case list and pipeline read their own applications by
    ``created_by``; the station queue reads a page of open and claimed tasks in due order
    (a partial index: done tasks, most of them, stay out of it)."""
    op.create_index("ix_applications_created_by", "applications", ["created_by"])
    op.create_index("ix_tasks_queued_due", "tasks", ["station", "due_at", "id"],
                    sqlite_where=_QUEUED, postgresql_where=_QUEUED)


def downgrade() -> None:
    op.drop_index("ix_tasks_queued_due", table_name="tasks")
    op.drop_index("ix_applications_created_by", table_name="applications")
