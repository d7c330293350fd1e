"""The table of trained model bundles: opaque bytes found by name and content digest."""

from __future__ import annotations

import sqlalchemy as sa

from creditfactory.store.tables import id_column, metadata
from creditfactory.store.types import UTCDateTime

model_artifacts = sa.Table(
    "model_artifacts",
    metadata,
    id_column(),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("name", "digest", name="uq_model_artifacts_name_digest"),
)
