"""The table of sign-in sessions: one row per issued token, so a token can be ended early.

A token names its session by id; a request is admitted only while that row is neither revoked
nor expired. The role and bank are those the session was opened with: changing a user's role
ends their sessions, so the row never disagrees with the account. ``key_id`` names the signing
key, so an operator sees when no live session needs a retired key any more.
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import metadata
from creditfactory.store.types import UTCDateTime

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("bank_code", sa.String(32), nullable=True),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("issued_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)
