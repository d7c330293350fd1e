"""Trained model bundles, kept as bytes under a name and the sha256 digest of those bytes."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from creditfactory.store.tables_models import model_artifacts
from creditfactory.store.types import utcnow

__all__ = ["ModelArtifactRepository"]


class ModelArtifactRepository:
    """Write-once model bundles: a (name, digest) pair always means the same bytes."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def put(self, name: str, digest: str, content: bytes, created_by: str) -> bool:
        """Keep ``content`` under ``name``/``digest``; ``False`` when it was already kept."""
        if self.has(name, digest):
            return False
        self._c.execute(
            sa.insert(model_artifacts).values(
                name=name,
                digest=digest,
                size=len(content),
                content=content,
                created_at=utcnow(),
                created_by=created_by,
            )
        )
        return True

    def keep(self, name: str, content: bytes, created_by: str) -> str:
        """Keep ``content`` under ``name`` and the sha256 digest of its bytes; the digest."""
        digest = hashlib.sha256(content).hexdigest()
        self.put(name, digest, content, created_by)
        return digest

    def latest(self, name: str) -> tuple[str, bytes] | None:
        """The newest bundle kept under ``name`` (digest, bytes), or ``None``."""
        m = model_artifacts.c
        row = self._c.execute(sa.select(m.digest, m.content).where(m.name == name)
                              .order_by(m.id.desc()).limit(1)).first()
        return None if row is None else (row[0], bytes(row[1]))

    def has(self, name: str, digest: str) -> bool:
        """Whether that bundle is kept (without reading its bytes)."""
        row = self._c.execute(
            sa.select(model_artifacts.c.id).where(
                model_artifacts.c.name == name, model_artifacts.c.digest == digest
            )
        ).first()
        return row is not None

    def get(self, name: str, digest: str) -> bytes | None:
        """The bytes kept under ``name``/``digest``, or ``None``."""
        content = self._c.execute(
            sa.select(model_artifacts.c.content).where(
                model_artifacts.c.name == name, model_artifacts.c.digest == digest
            )
        ).scalar()
        return None if content is None else bytes(content)
