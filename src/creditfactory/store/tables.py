"""The schema: every table the credit factory keeps, as SQLAlchemy Core tables.

Personal data (every field of ``domain.personal.PERSONAL_FIELDS``: name, resident ID, phone,
bank card, contact phones, home and business address, device id, IP) is kept three ways: a
keyed hash to find and link, a masked form to show, and an authenticated ciphertext that only
the one assigned the case may open (and that opening is audited). No column and no JSON
field holds one in clear.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from creditfactory.store.types import Money, UTCDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def id_column() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


branches = sa.Table(
    "branches",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("city", sa.String(64), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
)

channels = sa.Table(
    "channels",
    metadata,
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("channel_type", sa.String(16), nullable=False),
    sa.Column("branch", sa.String(32), nullable=False),
    sa.Column("city", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("status_reason", sa.Text, nullable=True),
    sa.Column("deposit", Money(), nullable=False),
    sa.Column("onboarded_at", UTCDateTime(), nullable=False),
)

deposit_movements = sa.Table(
    "deposit_movements",
    metadata,
    id_column(),
    sa.Column("channel_id", sa.ForeignKey("channels.channel_id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount", Money(), nullable=False),
    sa.Column("balance_after", Money(), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    id_column(),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("bank_code", sa.String(32), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("language", sa.String(8), nullable=True),  # the pages' language; None: browser's
)

partner_banks = sa.Table(
    "partner_banks",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("policy", JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

strategies = sa.Table(
    "strategies",
    metadata,
    id_column(),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("meta", JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("name", "version", name="uq_strategies_name_version"),
)

applicants = sa.Table(
    "applicants",
    metadata,
    id_column(),
    sa.Column("resident_id_hash", sa.String(32), nullable=False, unique=True),
    sa.Column("resident_id_masked", sa.String(24), nullable=False),
    sa.Column("resident_id_enc", sa.Text, nullable=False),
    # sealed since migration 0008 (NULL only until start-up seals a row kept before it)
    sa.Column("name_hash", sa.String(32), nullable=True),
    sa.Column("name_masked", sa.Text, nullable=True),
    sa.Column("name_enc", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
