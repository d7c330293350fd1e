"""Loan contracts and the checks before payout.

``contracts``: one per case, the document in its canonical JSON text (the borrower only
masked and by keyed hash, as everywhere) with its SHA-256 digest; the one-time signing code
only as a hash, with its expiry and the attempts used; the borrower's signature (when, on
which digest, through which channel). ``payout_checks``: each re-check of a case in the live
fraud graph before payout, with its evidence, and the investigator's clearance of a hold.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import JSON, id_column, metadata
from creditfactory.store.types import UTCDateTime

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

contracts = sa.Table(
    "contracts",
    metadata,
    id_column(),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, unique=True),
    sa.Column("application_id", _BIG, nullable=False, index=True),
    sa.Column("contract_no", sa.String(40), nullable=False, unique=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=True),
    sa.Column("code_sent_at", UTCDateTime(), nullable=True),
    sa.Column("code_expires_at", UTCDateTime(), nullable=True),
    sa.Column("code_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("signed_at", UTCDateTime(), nullable=True),
    sa.Column("signed_digest", sa.String(64), nullable=True),
    sa.Column("signature_channel", sa.String(24), nullable=True),
)

payout_checks = sa.Table(
    "payout_checks",
    metadata,
    id_column(),
    sa.Column("case_id", sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("checked_at", UTCDateTime(), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("evidence", JSON, nullable=False),
    sa.Column("cleared_by", sa.String(64), nullable=True),
    sa.Column("cleared_at", UTCDateTime(), nullable=True),
)
