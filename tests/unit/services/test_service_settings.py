"""Settings refuse unsafe defaults in production, give the fraud graph its identity key from the
one secret, and route database URLs to the right driver."""

from __future__ import annotations

import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.settings import DEV_SECRET_KEY, load_settings


def test_production_refuses_the_development_secret_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITFACTORY_SECRET_KEY", raising=False)
    monkeypatch.delenv("CREDITFACTORY_ADMIN_PASSWORD", raising=False)
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_SECRET_KEY"):
        load_settings(env="production")
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_ADMIN_PASSWORD"):
        load_settings(env="production", secret_key="p" * 40)
    ok = load_settings(env="production", secret_key="p" * 40, admin_password="a-long-admin-pass")
    assert ok.env == "production"


def test_the_identity_key_is_the_one_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITFACTORY_SECRET_KEY", raising=False)
    monkeypatch.delenv("CREDITFACTORY_ENV", raising=False)
    assert load_settings().identity_key == DEV_SECRET_KEY.encode()
    monkeypatch.setenv("CREDITFACTORY_SECRET_KEY", "s" * 40)
    assert load_settings().identity_key == b"s" * 40


def test_short_secret_keys_are_refused_everywhere() -> None:
    with pytest.raises(InvalidArgument, match="32 characters"):
        load_settings(secret_key="short")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_are_routed_to_psycopg_3_or_sqlite(given: str, used: str) -> None:
    assert load_settings(db_url=given).db_url == used
