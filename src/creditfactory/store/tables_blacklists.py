"""The blacklists: one row per entry, the value kept only as a keyed hash and a masked form.

An entry is never deleted: removing it stamps ``removed_at`` (who and why too), so the list
as it stood at any time can be told from the rows. At most one live entry per (kind, hash).
"""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import id_column, metadata
from creditfactory.store.types import UTCDateTime

_LIVE = sa.text("removed_at IS NULL")

blacklist_entries = sa.Table(
    "blacklist_entries",
    metadata,
    id_column(),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value_hash", sa.String(64), nullable=False, index=True),
    sa.Column("value_masked", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("added_at", UTCDateTime(), nullable=False),
    sa.Column("removed_by", sa.String(64), nullable=True),
    sa.Column("removed_at", UTCDateTime(), nullable=True),
    sa.Column("removal_reason", sa.Text, nullable=True),
    sa.Index("uq_blacklist_entries_live", "kind", "value_hash", unique=True,
             sqlite_where=_LIVE, postgresql_where=_LIVE),
)
