"""Tables of the monthly monitoring on the store: each loan's state at each monitored
month-end (the history roll rates and vintages need, since the loan book keeps only today's
state), the alerts of each month, the industry outlook and the record of each run.

A month is ``YYYY-MM`` text; balances are integer fen (exact); the figures the rules compared
(observed value, bound) are floats: they are ratios, nothing is posted from them.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import metadata
from creditfactory.store.types import UTCDateTime

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

monitoring_loan_months = sa.Table(
    "monitoring_loan_months",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("loan_id", _BIG, primary_key=True, autoincrement=False),
    sa.Column("mob", sa.Integer, nullable=False),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.Column("bucket", sa.String(4), nullable=False),
    sa.Column("five_class", sa.String(16), nullable=False),
    sa.Column("principal_outstanding_fen", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)

monitoring_alerts = sa.Table(
    "monitoring_alerts",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("month", sa.String(7), nullable=False, index=True),
    sa.Column("dimension", sa.String(16), nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    sa.Column("metric", sa.String(32), nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("owner", sa.String(32), nullable=False),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("observed", sa.Float, nullable=False),
    sa.Column("bound", sa.Float, nullable=True),
    sa.Column("volume", sa.Integer, nullable=False),
    sa.UniqueConstraint("month", "rule", "dimension", "value",
                        name="uq_monitoring_alerts_month_rule_group"),
)

monitoring_outlook = sa.Table(
    "monitoring_outlook",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("industry", sa.String(16), primary_key=True),
    sa.Column("loans", sa.Integer, nullable=False),
    sa.Column("forecast_90plus_6m", sa.Float, nullable=False),
    sa.Column("low", sa.Float, nullable=False),
    sa.Column("high", sa.Float, nullable=False),
    sa.Column("flagged", sa.Boolean, nullable=False),
)

monitoring_runs = sa.Table(
    "monitoring_runs",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("loans", sa.Integer, nullable=False),
    sa.Column("alerts", sa.Integer, nullable=False),
    sa.Column("red", sa.Integer, nullable=False),
    sa.Column("ran_at", UTCDateTime(), nullable=False),
)
