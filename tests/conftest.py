"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

import pandas as pd
import pytest

from creditfactory.world import World, generate


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files holding a test marked ``slow`` run first. The suite is shared out file by file
    (``--dist loadfile``): a long file started last keeps one worker busy while the other idles."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def fresh_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, str], AbstractContextManager[str]]:
    """``fresh_database(kind, name)``: the URL of an empty database, ``kind`` ``sqlite`` (a new
    file) or ``postgresql`` (a schema of its own on ``CREDITFACTORY_TEST_PG_URL``, dropped on
    leaving; the test is skipped when the URL is not set)."""
    from creditfactory.store import make_engine

    @contextmanager
    def fresh(kind: str, name: str) -> Iterator[str]:
        if kind == "sqlite":
            yield f"sqlite:///{tmp_path_factory.mktemp(name)}/{name}.db"
            return
        pg_url = os.environ.get("CREDITFACTORY_TEST_PG_URL")
        if not pg_url:
            pytest.skip("CREDITFACTORY_TEST_PG_URL not set")
        schema = f"cf_{name}_{uuid.uuid4().hex[:10]}"
        admin = make_engine(pg_url)
        with admin.begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            yield f"{pg_url}?options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()

    return fresh


@contextmanager
def served(app: Any, **config: Any) -> Iterator[str]:
    """Serve an ASGI ``app`` with uvicorn on a free loopback port in a thread, its lifespan run
    as in production, for the ``with`` block; the base URL. ``config``: more
    ``uvicorn.Config`` arguments (logging by default at warning, no access log)."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    options = {"log_level": "warning", "access_log": False, **config}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve() -> Callable[..., AbstractContextManager[str]]:
    """``with serve(app, **uvicorn_config) as base_url``: the app on loopback (see ``served``)."""
    return served


@pytest.fixture(scope="session")
def small_world() -> World:
    """A 6,000-application world (seed 11): quick, yet with rings, packagers and a downturn."""
    return generate(6_000, 36, seed=11, chunk_size=2_500)


def declared_form(row: Mapping[str, Any], n: int = 0) -> dict[str, Any]:
    """A world row as an account manager submits it (``ApplicationCreate``'s fields only: no
    id, no time, no bureau fields) with a consent reference."""
    from creditfactory.http.schemas.applications import ApplicationCreate

    body = {k: row[k] for k in ApplicationCreate.model_fields if k in row}
    body["bureau_consent_ref"] = f"CONSENT-{n:06d}"
    return ApplicationCreate.model_validate(body).model_dump()


@pytest.fixture(scope="session")
def declared() -> Callable[..., dict[str, Any]]:
    """World row (and a number for its consent) -> the validated body a submission takes."""
    return declared_form


@pytest.fixture
def counterparts() -> Iterator[Callable[..., Any]]:
    """Start the simulated credit bureau and business registry of a world's applications on
    loopback (``faults``: ``BureauFaults`` keyword arguments); the running server, stopped
    after the test. ``wire(ctx, running)`` gives a context their HTTP clients."""
    from creditfactory.world.bureau_server import (
        BureauFaults,
        BureauServer,
        WorldRecords,
        running_bureau,
    )

    with ExitStack() as stack:
        def start(applications: pd.DataFrame, **faults: Any) -> Any:
            server = BureauServer(WorldRecords(applications), BureauFaults(**faults))
            return stack.enter_context(running_bureau(server))

        yield start


@pytest.fixture(scope="session")
def wire() -> Callable[..., Any]:
    """``wire(ctx, running_bureau)``: ``ctx`` with the HTTP clients of that bureau."""
    from creditfactory.services.bootstrap import with_counterparts
    from creditfactory.settings import load_settings

    def wired(ctx: Any, running: Any, **settings: Any) -> Any:
        return with_counterparts(ctx, load_settings(bureau_url=running.url, **settings))

    return wired
