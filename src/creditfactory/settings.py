"""Settings read from ``CREDITFACTORY_*`` environment variables: the one place that reads them.

Development gets convenient defaults; ``CREDITFACTORY_ENV=production`` refuses to start with
the development secret key or admin password, because a leaked default key would let anyone
forge tokens, decrypt personal data and recompute the fraud graph's link keys. The engines never
read the environment: the wiring hands them what they need from here (the identity key).
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from creditfactory.errors import InvalidArgument

DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789"
DEV_ADMIN_PASSWORD = "admin"

__all__ = ["Settings", "DEV_SECRET_KEY", "DEV_ADMIN_PASSWORD", "normalise_db_url", "load_settings"]


def normalise_db_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3 and bare file paths to SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


class Settings(BaseSettings):
    """Where the database is, how tokens are signed and data encrypted, and the first admin."""

    model_config = SettingsConfigDict(env_prefix="CREDITFACTORY_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    db_url: str = "sqlite:///creditfactory.db"
    secret_key: str = DEV_SECRET_KEY
    admin_password: str = DEV_ADMIN_PASSWORD
    token_minutes: int = 480
    login_attempts_per_minute: int = 10
    simulate_banks: bool = True

    @property
    def identity_key(self) -> bytes:
        """The HMAC key that turns phones, IDs and addresses into the fraud graph's link keys
        (the models keep a check of it: they must be served with the key they were trained
        with)."""
        return self.secret_key.encode()

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        self.db_url = normalise_db_url(self.db_url)
        if len(self.secret_key) < 32:
            raise InvalidArgument("CREDITFACTORY_SECRET_KEY must be at least 32 characters")
        if self.env == "production":
            if self.secret_key == DEV_SECRET_KEY:
                raise InvalidArgument(
                    "set CREDITFACTORY_SECRET_KEY: the default is for development"
                )
            if self.admin_password == DEV_ADMIN_PASSWORD or len(self.admin_password) < 12:
                raise InvalidArgument(
                    "set CREDITFACTORY_ADMIN_PASSWORD to 12+ characters in production"
                )
        return self


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus ``overrides``; bad values raise ``InvalidArgument``."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise InvalidArgument(f"{where}: {first['msg'].removeprefix('Value error, ')}") from exc
