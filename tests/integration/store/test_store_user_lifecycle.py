"""The user lifecycle on both stores: an admin (or the command line) lists, deactivates,
reactivates and re-roles accounts; each change is audited and ends the user's sessions in the
same transaction; the factory always keeps one active admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import typer.testing
from typer.testing import CliRunner, Result

from creditfactory.cli import _register, app
from creditfactory.services.bootstrap import store_context
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.services.sessions import open_session, session_actor
from creditfactory.services.users import (
    add_user,
    authenticate,
    change_role,
    deactivate_user,
    list_users,
    reactivate_user,
    set_password,
)
from creditfactory.settings import load_settings

PASSWORD = "a-long-password"
BANK = "CMB_GZ"


@pytest.fixture
def ctx(empty_db_url: str, migrated_engine: sa.Engine) -> Iterator[ServiceContext]:
    context = store_context(load_settings(db_url=empty_db_url, env="test"))
    with context.uow() as uow:
        uow.banks.upsert(BANK, "China Merchants Bank Guangzhou", {})
        uow.commit()
    add_user(context, SYSTEM, "root", PASSWORD, "admin")
    add_user(context, SYSTEM, "alice", PASSWORD, "verifier")
    yield context
    context.engine.dispose()


def _live(ctx: ServiceContext, session_id: str, username: str) -> bool:
    return session_actor(ctx, session_id, username) is not None


def _actions(ctx: ServiceContext) -> list[tuple[str, str, str]]:
    with ctx.engine.connect() as c:
        q = sa.text("SELECT actor, action, entity_id FROM audit_log WHERE action LIKE 'user.%' ORDER BY id")
        return [(r[0], r[1], r[2]) for r in c.execute(q)]


def test_deactivation_ends_all_sessions_and_refuses_the_password(ctx: ServiceContext) -> None:
    root = Actor("root", "admin")
    grants = [open_session(ctx, Actor("alice", "verifier"), key_id="k", minutes=5) for _ in range(3)]
    assert all(_live(ctx, g.id, "alice") for g in grants)
    assert not _live(ctx, grants[0].id, "root")  # a session belongs to its user only
    assert deactivate_user(ctx, root, "alice")["sessions_ended"] == 3
    assert not any(_live(ctx, g.id, "alice") for g in grants)
    with pytest.raises(AuthenticationFailed):
        authenticate(ctx, "alice", PASSWORD)
    reactivate_user(ctx, root, "alice")
    assert authenticate(ctx, "alice", PASSWORD) == Actor("alice", "verifier")
    assert not _live(ctx, grants[1].id, "alice")
    assert _actions(ctx)[-2:] == [("root", "user.deactivated", "alice"), ("root", "user.reactivated", "alice")]


def test_a_role_change_is_checked_then_ends_sessions(ctx: ServiceContext) -> None:
    root = Actor("root", "admin")
    grant = open_session(ctx, Actor("alice", "verifier"), key_id="k", minutes=5)
    for role, bank in (("bank_officer", None), ("approver", BANK), ("bank_officer", "NOPE"),
                       ("overlord", None)):
        with pytest.raises(InvalidInput):
            change_role(ctx, root, "alice", role, bank)
    assert _live(ctx, grant.id, "alice")
    changed = change_role(ctx, root, "alice", "bank_officer", BANK)
    assert (changed["role"], changed["bank_code"], changed["sessions_ended"]) == ("bank_officer", BANK, 1)
    assert not _live(ctx, grant.id, "alice")
    assert authenticate(ctx, "alice", PASSWORD) == Actor("alice", "bank_officer", BANK)


def test_only_admins_act_and_one_active_admin_always_remains(ctx: ServiceContext) -> None:
    root = Actor("root", "admin")
    with pytest.raises(Conflict):
        deactivate_user(ctx, root, "root")
    with pytest.raises(Conflict, match="last active admin"):
        change_role(ctx, root, "root", "verifier")
    with pytest.raises(Conflict, match="last active admin"):
        deactivate_user(ctx, SYSTEM, "root")
    with pytest.raises(NotFound):
        deactivate_user(ctx, root, "nobody")
    for action in (lambda a: list_users(ctx, a), lambda a: deactivate_user(ctx, a, "root"),
                   lambda a: change_role(ctx, a, "alice", "admin")):
        with pytest.raises(Exception, match="only an admin"):
            action(Actor("alice", "verifier"))
    change_role(ctx, root, "alice", "admin")
    assert deactivate_user(ctx, Actor("alice", "admin"), "root")["active"] is False
    assert {u["username"]: u["active"] for u in list_users(ctx, SYSTEM)} == {"alice": True, "root": False}


def test_a_new_password_ends_the_sessions_the_same_one_again_does_not(ctx: ServiceContext) -> None:
    grant = open_session(ctx, Actor("alice", "verifier"), key_id="k", minutes=5)
    set_password(ctx, SYSTEM, "alice", PASSWORD)  # setup re-applying the configured password
    assert _live(ctx, grant.id, "alice")
    set_password(ctx, SYSTEM, "alice", "another-long-password")
    assert not _live(ctx, grant.id, "alice")
    with pytest.raises(AuthenticationFailed):
        authenticate(ctx, "alice", PASSWORD)
    assert _actions(ctx)[-1] == ("system", "user.password_set", "alice")


def _cli(*args: str, input: str | None = None) -> Result:
    _register()
    return CliRunner().invoke(app, list(args), input=input)


def test_the_users_commands(ctx: ServiceContext, empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = ["--db", empty_db_url]
    piped = _cli("users", "add", "bob", "--role", "verifier", *db, input=PASSWORD + "\n")
    assert piped.exit_code == 0, piped.output
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)  # a terminal
    typed = _cli("users", "add", "carol", "--role", "approver", *db, input="carol-password\n" * 2)
    assert typed.exit_code == 0, typed.output
    assert "Password" in typed.output and "carol-password" not in typed.output  # not echoed
    monkeypatch.undo()
    assert authenticate(ctx, "carol", "carol-password") == Actor("carol", "approver")
    open_session(ctx, Actor("bob", "verifier"), key_id="k", minutes=5)
    assert "1 session(s) ended" in _cli("users", "disable", "bob", *db).output
    listed = _cli("users", "list", *db).output
    assert "bob" in listed and "deactivated" in listed and "carol" in listed
    assert "live sessions" in listed
    assert _cli("users", "enable", "bob", *db).exit_code == 0
    moved = _cli("users", "role", "bob", "bank_officer", "--bank", BANK, *db)
    assert moved.exit_code == 0 and f"bank_officer at {BANK}" in moved.output
    refused = _cli("users", "role", "bob", "bank_officer", *db)
    assert refused.exit_code != 0 and "bank_code" in str(refused.exception)
    assert [a[1] for a in _actions(ctx) if a[2] == "bob"] == [
        "user.added", "user.deactivated", "user.reactivated", "user.role_changed"]
