"""Partner banks are real unless asked otherwise: without ``simulate_banks`` (``serve
--simulate-banks``) no package is answered by itself, and production refuses to simulate."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.errors import InvalidArgument
from creditfactory.server import create_app
from creditfactory.services.context import ServiceContext
from creditfactory.settings import load_settings
from creditfactory.store import PersonalDataVault
from creditfactory.store.tables_case import bank_submissions

from .test_store_bank_answers_batch import BANKS, _due_packages, _setup


def _pending(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as c:
        q = sa.select(sa.func.count()).where(bank_submissions.c.status == "pending")
        return int(c.execute(q).scalar_one())


def _simulators() -> set[threading.Thread]:
    """The simulator threads running (a server of another test may have its own)."""
    return {t for t in threading.enumerate() if t.name == "bank-simulator" and t.is_alive()}


@pytest.fixture
def due(migrated_engine: sa.Engine) -> ServiceContext:
    """Four packages sent to the (simulatable) banks yesterday: their answers are due."""
    _setup(migrated_engine, 1.0)
    _due_packages(migrated_engine, 4)
    return ServiceContext(migrated_engine, PersonalDataVault("k" * 40), None, simulated_banks=BANKS)


def test_without_simulated_banks_nothing_answers_a_package(due: ServiceContext, empty_db_url: str,
                                                           serve: Any) -> None:
    settings = load_settings(db_url=empty_db_url, env="test")
    assert settings.simulate_banks is False
    before = _simulators()
    with serve(create_app(settings, due)):
        assert _simulators() - before == set()
        time.sleep(1.5)  # six rounds of the simulator, were it running
        assert _pending(due) == 4


def test_with_simulated_banks_the_due_packages_are_answered(due: ServiceContext, empty_db_url: str,
                                                            serve: Any) -> None:
    settings = load_settings(db_url=empty_db_url, env="test", simulate_banks=True)
    before = _simulators()
    with serve(create_app(settings, due)):
        assert len(_simulators() - before) == 1
        deadline = time.monotonic() + 20
        while _pending(due) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _pending(due) == 0


def test_production_refuses_to_start_with_simulated_banks(empty_db_url: str) -> None:
    settings = load_settings(db_url=empty_db_url, env="production", secret_key="p" * 40,
                             admin_password="a-long-admin-pass", simulate_banks=True)
    with pytest.raises(InvalidArgument, match="simulate_banks .* refused with CREDITFACTORY_ENV"):
        create_app(settings)


def test_serve_with_simulated_banks_in_production_is_a_clear_error(tmp_path: Path) -> None:
    _register()
    env = {"CREDITFACTORY_ENV": "production", "CREDITFACTORY_SECRET_KEY": "p" * 40,
           "CREDITFACTORY_ADMIN_PASSWORD": "a-long-admin-pass"}
    refused = CliRunner().invoke(app, ["serve", "--simulate-banks", "--db", f"{tmp_path}/x.db"],
                                 env=env)
    assert isinstance(refused.exception, InvalidArgument)
    assert "simulate_banks" in str(refused.exception)
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


def test_serve_simulates_banks_only_with_the_flag(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    import uvicorn

    from creditfactory.cli import service

    for name, value in (("CREDITFACTORY_SIMULATE_BANKS", "true"), ("CREDITFACTORY_DB_URL", ""),
                        ("CREDITFACTORY_SERVE_THREADS", "8"), ("OMP_NUM_THREADS", "1")):
        monkeypatch.setenv(name, value)  # serve sets them for its workers; restored after
    served: list[bool] = []
    monkeypatch.setattr(service, "worker_app", lambda: service._settings(None).simulate_banks)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(app))
    _register()
    for flags in ([], ["--simulate-banks"]):
        result = CliRunner().invoke(app, ["serve", "--db", f"{tmp_path}/x.db", *flags])
        assert result.exit_code == 0, result.output
    assert served == [False, True]  # the environment alone does not turn the simulator on
