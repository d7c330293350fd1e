"""Settings read from ``CREDITFACTORY_*`` environment variables: the one place that reads them.

Development gets convenient defaults built on one development secret, ``DEV_SECRET_KEY`` (the
service secret and the first admin's password); ``CREDITFACTORY_ENV=production`` refuses to
start while it is used anywhere, because a public key would let anyone decrypt personal data,
recompute the fraud graph's link keys and sign tokens. The engines never read the environment:
the wiring hands them what they need from here (the identity key).

Tokens are signed with their own keys (``CREDITFACTORY_TOKEN_KEYS``), so they rotate without
touching the secret that keys the stored personal data.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from creditfactory.errors import InvalidArgument

DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789"
SECRET_KEY_TOKEN_KEY = "sk"
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")

__all__ = [
    "Settings",
    "DEV_SECRET_KEY",
    "SECRET_KEY_TOKEN_KEY",
    "normalise_db_url",
    "load_settings",
]


def normalise_db_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3 and bare file paths to SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def _token_secrets(spec: str, secret_key: str) -> tuple[tuple[str, str], ...]:
    """``kid:secret,kid:secret,...`` as (key id, secret) pairs; a bare ``sk`` (or an empty
    spec) is the key derived from the service secret."""
    found: list[tuple[str, str]] = []
    for item in (part.strip() for part in (spec or SECRET_KEY_TOKEN_KEY).split(",")):
        kid, sep, secret = item.partition(":")
        if not sep and kid == SECRET_KEY_TOKEN_KEY:
            secret = secret_key
        elif not sep:
            raise InvalidArgument(
                f"CREDITFACTORY_TOKEN_KEYS: {kid!r} is neither KEY_ID:SECRET nor "
                f"{SECRET_KEY_TOKEN_KEY!r} (the key derived from CREDITFACTORY_SECRET_KEY)"
            )
        if not _KEY_ID.fullmatch(kid):
            raise InvalidArgument(
                "CREDITFACTORY_TOKEN_KEYS: a key id is 1-32 letters, digits, '.', '_' or '-'"
            )
        if len(secret) < 32:
            raise InvalidArgument(f"CREDITFACTORY_TOKEN_KEYS: key {kid!r} needs 32+ characters")
        if any(kid == seen for seen, _ in found):
            raise InvalidArgument(f"CREDITFACTORY_TOKEN_KEYS: key id {kid!r} is given twice")
        found.append((kid, secret))
    return tuple(found)


class Settings(BaseSettings):
    """Where the database is, how tokens are signed and data encrypted, and the first admin."""

    model_config = SettingsConfigDict(env_prefix="CREDITFACTORY_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    db_url: str = "sqlite:///creditfactory.db"
    secret_key: str = DEV_SECRET_KEY
    admin_password: str = DEV_SECRET_KEY
    token_keys: str = Field(
        default="",
        description="Token keys as KEY_ID:SECRET, comma-separated: the first signs new tokens, "
        "the others still verify tokens issued under them (keep a retired key until its last "
        "token expires). 'sk' stands for a key derived from the secret key; empty means 'sk'.",
    )
    token_minutes: int = Field(default=480, ge=1, le=24 * 60)
    login_attempts_per_minute: int = 10
    simulate_banks: bool = False
    bureau_url: str | None = Field(
        default=None,
        description="The credit bureau's base URL; without one every submission waits at "
        "bureau_pull (nothing is decided on bureau data the platform did not fetch).",
    )
    external_data_url: str | None = Field(
        default=None, description="The business registry's base URL (default: the bureau's)."
    )
    fetch_budget_ms: int = Field(
        default=300, ge=20, le=5_000,
        description="Time a submission waits for a counterpart, retries included.",
    )
    fetch_timeout_ms: int = Field(default=120, ge=5, le=5_000,
                                  description="Time one call to a counterpart may take.")

    @property
    def identity_key(self) -> bytes:
        """The HMAC key that turns phones, IDs and addresses into the fraud graph's link keys
        (the models keep a check of it: they must be served with the key they were trained
        with)."""
        return self.secret_key.encode()

    @property
    def token_secrets(self) -> tuple[tuple[str, str], ...]:
        """The token keys as (key id, secret), the signing key first."""
        return _token_secrets(self.token_keys, self.secret_key)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        self.db_url = normalise_db_url(self.db_url)
        if len(self.secret_key) < 32:
            raise InvalidArgument("CREDITFACTORY_SECRET_KEY must be at least 32 characters")
        token_secrets = self.token_secrets
        if self.env == "production":
            if self.secret_key == DEV_SECRET_KEY:
                raise InvalidArgument(
                    "set CREDITFACTORY_SECRET_KEY: the default is for development"
                )
            if self.admin_password == DEV_SECRET_KEY or len(self.admin_password) < 12:
                raise InvalidArgument(
                    "set CREDITFACTORY_ADMIN_PASSWORD to 12+ characters in production"
                )
            if any(secret == DEV_SECRET_KEY for _, secret in token_secrets):
                raise InvalidArgument(
                    "CREDITFACTORY_TOKEN_KEYS: the development secret is not a production key"
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
