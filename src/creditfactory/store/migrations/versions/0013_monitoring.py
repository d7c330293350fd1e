"""monitoring: loan states at each monitored month-end, alerts, industry outlook, runs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from creditfactory.store.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """The monthly monitoring's tables (``store/tables_monitoring.py``)."""
    op.create_table(
        "monitoring_loan_months",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("loan_id", _BIG, autoincrement=False, nullable=False),
        sa.Column("mob", sa.Integer(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("five_class", sa.String(16), nullable=False),
        sa.Column("principal_outstanding_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("month", "loan_id", name=op.f("pk_monitoring_loan_months")),
    )
    op.create_table(
        "monitoring_alerts",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alerts")),
        sa.UniqueConstraint("month", "rule", "dimension", "value",
                            name="uq_monitoring_alerts_month_rule_group"),
    )
    op.create_index(op.f("ix_monitoring_alerts_month"), "monitoring_alerts", ["month"])
    op.create_table(
        "monitoring_outlook",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("industry", sa.String(16), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("forecast_90plus_6m", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("month", "industry", name=op.f("pk_monitoring_outlook")),
    )
    op.create_table(
        "monitoring_runs",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("red", sa.Integer(), nullable=False),
        sa.Column("ran_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_monitoring_runs")),
    )


def downgrade() -> None:
    """Drop the monitoring tables."""
    op.drop_table("monitoring_runs")
    op.drop_table("monitoring_outlook")
    op.drop_index(op.f("ix_monitoring_alerts_month"), table_name="monitoring_alerts")
    op.drop_table("monitoring_alerts")
    op.drop_table("monitoring_loan_months")
