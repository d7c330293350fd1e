"""Tables of learning from the book: each monitored month's scorecard performance against
matured outcomes, the B-card's scores of the month's active loans, every challenger promotion
decision with its figures, the known bads the book establishes for the fraud graph, and the
applications the month-end sweep of the fraud graph found strongly linked to another.

A month is ``YYYY-MM`` text. A book known bad is an application whose loan defaulted early
(over 90 DPD within its first six months on book) or was written off without a payment: the
fraud graph marks it bad from ``known_at`` (the end of the month it was observed), so later
applications linked to it score higher and earlier ones never see it.

A ring link is an application that shared two kinds of identity value (a device and an address,
say) with another kept application; ``linked_at`` is when the later of the two arrived, which
no later application can make earlier, so a link once found stays as it is. Each month-end sweep
(``ring_sweeps``) reads every kept identity record of an application made before the month's end
(the highest id it read: ``through_application``): such an application not in ``ring_links``
was not linked by that month's end.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import JSON, metadata
from creditfactory.store.types import UTCDateTime

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

model_performance = sa.Table(
    "model_performance",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("model", sa.String(16), primary_key=True),
    sa.Column("window_from", sa.String(7), nullable=False),
    sa.Column("window_to", sa.String(7), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("bads", sa.Integer, nullable=False),
    sa.Column("bad_rate", sa.Float, nullable=True),
    sa.Column("mean_pd", sa.Float, nullable=True),
    sa.Column("auc", sa.Float, nullable=True),
    sa.Column("ks", sa.Float, nullable=True),
    sa.Column("psi", sa.Float, nullable=True),
    sa.Column("calibration_ratio", sa.Float, nullable=True),
    sa.Column("max_band_gap", sa.Float, nullable=True),
)

model_promotions = sa.Table(
    "model_promotions",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("decided_at", UTCDateTime(), nullable=False),
    sa.Column("as_of", sa.String(7), nullable=False),
    sa.Column("model", sa.String(16), nullable=False),
    sa.Column("champion", sa.String(160), nullable=False),
    sa.Column("challenger", sa.String(160), nullable=False),
    sa.Column("promoted", sa.Boolean, nullable=False),
    sa.Column("champion_auc", sa.Float, nullable=True),
    sa.Column("challenger_auc", sa.Float, nullable=True),
    sa.Column("psi", sa.Float, nullable=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("bads", sa.Integer, nullable=False),
    sa.Column("window_from", sa.String(7), nullable=False),
    sa.Column("window_to", sa.String(7), nullable=False),
    sa.Column("rule", JSON, nullable=False),
    sa.Column("reasons", JSON, nullable=False),
    sa.Column("figures", JSON, nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=False),
)

book_known_bads = sa.Table(
    "book_known_bads",
    metadata,
    sa.Column("id", _BIG, primary_key=True),
    sa.Column("application_id", sa.ForeignKey("applications.application_id"), nullable=False,
              unique=True),
    sa.Column("loan_id", _BIG, nullable=False),
    sa.Column("reason", sa.String(24), nullable=False),
    sa.Column("known_at", UTCDateTime(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
)

bcard_scores = sa.Table(
    "bcard_scores",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("loan_id", _BIG, primary_key=True, autoincrement=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("pd", sa.Float, nullable=False),
    sa.Column("reasons", sa.String(200), nullable=False),
)

ring_links = sa.Table(
    "ring_links",
    metadata,
    sa.Column("application_id", sa.ForeignKey("applications.application_id"), primary_key=True,
              autoincrement=False),
    sa.Column("linked_at", UTCDateTime(), nullable=False),
    sa.Column("found_in", sa.String(7), nullable=False),
)

ring_sweeps = sa.Table(
    "ring_sweeps",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("through_application", _BIG, nullable=False),
    sa.Column("applications", sa.Integer, nullable=False),
    sa.Column("linked", sa.Integer, nullable=False),
    sa.Column("swept_at", UTCDateTime(), nullable=False),
)
