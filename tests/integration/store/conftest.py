"""A fresh, empty database per test on SQLite, and on PostgreSQL (own schema, dropped after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.setup import setup_service
from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.store import PersonalDataVault, make_engine, upgrade_head

PG_URL = os.environ.get("CREDITFACTORY_TEST_PG_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    if not PG_URL:
        pytest.skip("CREDITFACTORY_TEST_PG_URL not set")
    schema = f"cf_store_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


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
