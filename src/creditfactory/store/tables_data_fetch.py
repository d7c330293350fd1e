"""Tables of the data the platform fetched itself: consents, bureau pulls, registry records and
the data check's findings.

Every attempt is kept with its time and source, the failed ones too (``outcome``
``unavailable`` with the error), so an auditor sees what the decision was made on, when it was
pulled and from whom, and how often a counterpart failed before it answered.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import JSON, id_column, metadata
from creditfactory.store.types import UTCDateTime

_APP = "applications.application_id"

bureau_consents = sa.Table(
    "bureau_consents",
    metadata,
    sa.Column("application_id", sa.ForeignKey(_APP), primary_key=True),
    sa.Column("consent_ref", sa.String(64), nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
)

bureau_pulls = sa.Table(
    "bureau_pulls",
    metadata,
    id_column(),
    sa.Column("application_id", sa.ForeignKey(_APP), nullable=False, index=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("as_of", UTCDateTime(), nullable=False),
    sa.Column("pulled_at", UTCDateTime(), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # report | no_file | unavailable
    sa.Column("report_id", sa.String(64), nullable=True),
    sa.Column("report", JSON, nullable=True),
    sa.Column("error", sa.String(300), nullable=True),
)

external_records = sa.Table(
    "external_records",
    metadata,
    id_column(),
    sa.Column("application_id", sa.ForeignKey(_APP), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),  # business_registration | device
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("fetched_at", UTCDateTime(), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # found | not_found | unavailable
    sa.Column("record", JSON, nullable=True),
    sa.Column("error", sa.String(300), nullable=True),
)

data_checks = sa.Table(
    "data_checks",
    metadata,
    id_column(),
    sa.Column("application_id", sa.ForeignKey(_APP), nullable=False, index=True),
    sa.Column("check_name", sa.String(40), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # match | mismatch | missing
    sa.Column("detail", JSON, nullable=False),
    sa.Column("checked_at", UTCDateTime(), nullable=False),
)
