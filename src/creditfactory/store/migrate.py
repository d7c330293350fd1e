"""Run the packaged Alembic migrations against a database URL."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from creditfactory.store.engine import make_engine

__all__ = ["migrate", "upgrade_head", "current_revision", "head_revision", "alembic_config"]


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside this package."""
    location = resources.files("creditfactory.store") / "migrations"
    cfg = Config(str(location / "alembic.ini"))
    cfg.set_main_option("script_location", str(location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str, engine: Engine | None = None, *, down: bool = False) -> str:
    """Move the schema at ``url`` up (or ``down``) to ``revision``; return where it is now."""
    own = engine is None
    engine = engine or make_engine(url)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
        return current_revision(engine) or ""
    finally:
        if own:
            engine.dispose()


def upgrade_head(url: str, engine: Engine | None = None) -> str:
    """Bring the schema at ``url`` to the newest revision; return that revision."""
    return migrate(url, "head", engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision the code ships."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""
