"""``creditfactory challenger`` sets and clears the active strategy's challenger, audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from creditfactory.cli import _register, app
from creditfactory.errors import InvalidArgument
from creditfactory.services.context import ServiceContext
from creditfactory.services.setup import setup_service
from creditfactory.store import PersonalDataVault, make_engine
from creditfactory.store.tables_case import audit_log
from creditfactory.strategy import load_strategy
from creditfactory.strategy.loader import shipped_text


@pytest.fixture
def ctx(empty_db_url: str) -> Iterator[ServiceContext]:
    from creditfactory.world import generate

    engine = make_engine(empty_db_url)
    context = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    setup_service(context, empty_db_url, "a-long-admin-password", generate(200, 12, seed=2),
                  train=False)
    yield context
    engine.dispose()


def _cli(*args: str) -> Result:
    _register()
    return CliRunner().invoke(app, list(args))


def _challenger(ctx: ServiceContext) -> Any:
    with ctx.uow(write=False) as uow:
        return uow.strategies.active()["meta"].get("challenger")


def test_the_command_sets_and_clears_the_challenger(ctx: ServiceContext, empty_db_url: str,
                                                   tmp_path: Path) -> None:
    db = ["--db", empty_db_url]
    done = _cli("challenger", "policy_only", "--share", "0.25", *db)
    assert done.exit_code == 0, done.output
    chosen = _challenger(ctx)
    expected = load_strategy("policy_only")
    assert (chosen["name"], chosen["version"], chosen["share"]) == (expected.name, expected.version, 0.25)
    assert chosen["text"] == shipped_text("policy_only")
    edited = tmp_path / "edited.yaml"
    edited.write_text(shipped_text("default").replace('version: "', 'version: "9.', 1), "utf-8")
    assert _cli("challenger", str(edited), "--share", "0.1", "--salt", "s2", *db).exit_code == 0
    assert (_challenger(ctx)["version"], _challenger(ctx)["salt"]) == ("9." + load_strategy("default").version, "s2")
    assert _cli("challenger", "--clear", *db).exit_code == 0
    assert _challenger(ctx) is None
    with ctx.engine.connect() as c:
        actions = [r.action for r in c.execute(sa.select(audit_log.c.action)
                                               .where(audit_log.c.entity == "strategy"))]
    assert actions[-3:] == ["strategy.challenger", "strategy.challenger", "strategy.challenger_cleared"]


@pytest.mark.parametrize("args", [("policy_only", "--share", "1.5"), ("default", "--share", "0.2"),
                                  ("no-such-file.yaml",), ()])
def test_a_bad_challenger_is_refused_and_changes_nothing(ctx: ServiceContext, empty_db_url: str,
                                                        args: tuple[str, ...]) -> None:
    result = _cli("challenger", *args, "--db", empty_db_url)
    assert isinstance(result.exception, InvalidArgument)
    assert _challenger(ctx) is None
