"""``setup`` checks its inputs before it trains or touches the database; ``users password``
resets a password prompted without echo; ``serve`` says where the pages are."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import typer.testing
from typer.testing import CliRunner, Result

from creditfactory.cli import _register, app
from creditfactory.services.bootstrap import store_context
from creditfactory.services.errors import AuthenticationFailed
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.users import add_user, authenticate
from creditfactory.settings import load_settings
from creditfactory.store.engine import make_engine


def _cli(*args: str, input: str | None = None) -> Result:
    _register()
    return CliRunner().invoke(app, list(args), input=input)


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_setup_refuses_a_short_admin_password_before_training_and_leaves_no_schema(
        empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    trained: list[object] = []
    monkeypatch.setattr("creditfactory.services.setup.train_models",
                        lambda *a, **k: trained.append(a) or None)
    monkeypatch.setenv("CREDITFACTORY_ADMIN_PASSWORD", "short")
    result = _cli("setup", "--db", empty_db_url)
    assert result.exit_code != 0
    assert "password" in str(result.exception) and "at least 8" in str(result.exception)
    assert trained == [] and _tables(empty_db_url) == []


def test_users_password_prompts_without_echo_and_the_old_password_stops_working(
        empty_db_url: str, migrated_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = store_context(load_settings(db_url=empty_db_url, env="test"))
    try:
        add_user(ctx, SYSTEM, "dora", "first-password", "verifier")
        monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
        typed = _cli("users", "password", "dora", "--db", empty_db_url, input="second-password\n" * 2)
        assert typed.exit_code == 0, typed.output
        assert "Password" in typed.output and "second-password" not in typed.output
        assert authenticate(ctx, "dora", "second-password") == Actor("dora", "verifier")
        with pytest.raises(AuthenticationFailed):
            authenticate(ctx, "dora", "first-password")
        monkeypatch.undo()
        short = _cli("users", "password", "dora", "--db", empty_db_url, input="tiny\n")
        assert short.exit_code != 0 and "at least 8" in str(short.exception)
    finally:
        ctx.engine.dispose()


def test_serve_prints_the_address_of_the_pages(monkeypatch: pytest.MonkeyPatch, empty_db_url: str) -> None:
    import uvicorn

    ran: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: ran.append(k))
    monkeypatch.setattr("creditfactory.cli.service.worker_app", lambda: None)
    result = _cli("serve", "--db", empty_db_url, "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/ui/" in result.output and ran and ran[0]["port"] == 8123
