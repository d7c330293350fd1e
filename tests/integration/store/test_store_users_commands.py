"""``users list | disable | reset-password | set-role``: an admin's commands on the accounts; the
new password is prompted twice without echo, and every change ends the user's sessions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import typer.testing
from typer.testing import CliRunner, Result

from creditfactory.cli import _register, app
from creditfactory.services.bootstrap import store_context
from creditfactory.services.errors import AuthenticationFailed
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.sessions import open_session, session_actor
from creditfactory.services.users import add_user, authenticate
from creditfactory.settings import load_settings


def _cli(*args: str, input: str | None = None) -> Result:
    _register()
    return CliRunner().invoke(app, list(args), input=input)


def test_reset_password_prompts_twice_without_echo_and_ends_the_sessions(
        empty_db_url: str, migrated_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = store_context(load_settings(db_url=empty_db_url, env="test"))
    try:
        add_user(ctx, SYSTEM, "erin", "first-password", "verifier")
        grant = open_session(ctx, Actor("erin", "verifier"), key_id="sk", minutes=30)
        monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
        differ = _cli("users", "reset-password", "erin", "--db", empty_db_url,
                      input="second-password\nsecond-passw0rd\nsecond-password\nsecond-password\n")
        assert differ.exit_code == 0, differ.output
        assert differ.output.count("Password") >= 2 and "do not match" in differ.output.lower()
        assert "second-password" not in differ.output and "second-passw0rd" not in differ.output
        assert authenticate(ctx, "erin", "second-password") == Actor("erin", "verifier")
        with pytest.raises(AuthenticationFailed):
            authenticate(ctx, "erin", "first-password")
        assert session_actor(ctx, grant.id, "erin") is None
    finally:
        ctx.engine.dispose()


def test_list_disable_and_set_role_change_the_accounts_and_end_their_sessions(
        empty_db_url: str, migrated_engine: sa.Engine) -> None:
    ctx = store_context(load_settings(db_url=empty_db_url, env="test"))
    try:
        add_user(ctx, SYSTEM, "fay", "a-password-1", "verifier")
        add_user(ctx, SYSTEM, "gus", "a-password-2", "verifier")
        fay = open_session(ctx, Actor("fay", "verifier"), key_id="sk", minutes=30)
        gus = open_session(ctx, Actor("gus", "verifier"), key_id="sk", minutes=30)
        listed = _cli("users", "list", "--db", empty_db_url)
        assert listed.exit_code == 0 and "fay" in listed.output and "gus" in listed.output
        assert "a-password" not in listed.output
        off = _cli("users", "disable", "fay", "--db", empty_db_url)
        assert off.exit_code == 0 and "1 session(s) ended" in off.output
        assert session_actor(ctx, fay.id, "fay") is None
        with pytest.raises(AuthenticationFailed):
            authenticate(ctx, "fay", "a-password-1")
        moved = _cli("users", "set-role", "gus", "investigator", "--db", empty_db_url)
        assert moved.exit_code == 0 and "now investigator" in moved.output
        assert session_actor(ctx, gus.id, "gus") is None
        assert authenticate(ctx, "gus", "a-password-2") == Actor("gus", "investigator")
        bad = _cli("users", "set-role", "gus", "wizard", "--db", empty_db_url)
        assert bad.exit_code != 0
    finally:
        ctx.engine.dispose()
