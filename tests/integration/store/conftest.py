"""A fresh, empty database per test on SQLite, and on PostgreSQL (own schema, dropped after)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine, upgrade_head


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_db_url(request: pytest.FixtureRequest, fresh_database: Any) -> Iterator[str]:
    with fresh_database(request.param, "store") as url:
        yield url


@pytest.fixture
def empty_engine(empty_db_url: str) -> Iterator[sa.Engine]:
    """An engine on the empty database, no schema yet (migration tests move it themselves)."""
    eng = make_engine(empty_db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def migrated_engine(empty_db_url: str, empty_engine: sa.Engine) -> sa.Engine:
    """An engine on the empty database with the schema at the newest migration."""
    upgrade_head(empty_db_url, empty_engine)
    return empty_engine


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    """A small world and the models trained on it (once per test module)."""
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(2000, months=18, seed=3)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


@pytest.fixture
def trained_ctx(empty_db_url: str, trained: tuple[Any, Any]) -> Iterator[ServiceContext]:
    """A context on a database set up with that world and its models."""
    world, models = trained
    engine = make_engine(empty_db_url)
    context = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    setup_service(context, empty_db_url, "a-long-admin-password", world, models=models)
    yield context
    engine.dispose()
