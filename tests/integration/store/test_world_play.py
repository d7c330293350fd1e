"""``world play``: a world's months through the factory's services in simulated time, on both
stores -- loans booked at the world's dates, the borrowers' payments posted from the banks'
files, every day closed, every loan reconciled, and the same seed giving the same book."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.cli._play_platform import play_on_store
from creditfactory.data import load
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor, Decision
from creditfactory.services.servicing_files import reconcile
from creditfactory.services.servicing_views import (
    amounts_due,
    book_figures,
    loan_page,
    portfolio_view,
)
from creditfactory.services.setup import setup_service
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.play import PlayConfig

ANALYST = Actor("ana", "risk_analyst")


class AutoApprove:
    """Auto-approves what a bank would take: up to 300,000 with 20,000 of monthly revenue."""

    version = "auto@1"

    def decide(self, app: Mapping[str, Any], scores: Mapping[str, Any]) -> Decision:
        amount = Decimal(str(app["amount"]))
        if Decimal(str(app["declared_monthly_revenue"])) < 20000 or amount > 300000:
            return Decision("reject", Decimal("0.00"), Decimal("0.2"), "none", ("LOW",), 500.0)
        return Decision("auto_approve", amount, Decimal("0.195"), "STANDARD", (), 640.0,
                        {"inputs": {}, "versions": {"strategy": self.version}})


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("play-world")
    write_world(WorldConfig(1500, 6, seed=5), out)
    return out


def _played(url: str, world_dir: Path, files: Path) -> tuple[ServiceContext, Any]:
    engine = make_engine(url)
    ctx = ServiceContext(engine, PersonalDataVault("k" * 40), None)
    setup_service(ctx, url, "a-long-admin-password", load(world_dir), train=False)
    ctx = replace(ctx, strategy=AutoApprove())
    return ctx, play_on_store(ctx, world_dir, PlayConfig(months=3, per_month=12, seed=2), files)


def _book(engine: sa.Engine) -> list[tuple[Any, ...]]:
    q = sa.text("SELECT a.contract_no, t.reference, t.kind, t.value_date, t.amount "
                "FROM loan_transactions t JOIN loan_accounts a ON a.loan_id = t.loan_id "
                "ORDER BY t.reference")
    with engine.connect() as c:
        return [tuple(str(v) for v in r) for r in c.execute(q)]


def test_played_months_book_loans_at_world_dates_and_reconcile(
        empty_db_url: str, world_dir: Path, tmp_path: Path, fresh_database: Any) -> None:
    ctx, done = _played(empty_db_url, world_dir, tmp_path / "files")
    try:
        assert (done.first_day, done.last_day) == (date(2019, 1, 1), date(2019, 3, 31))
        assert done.submitted == 36 and done.refused == 0 and done.loans > 10
        assert done.payments > done.loans and done.files > 0 and done.rows_refused == 0
        with UnitOfWork(ctx.engine, write=False) as uow:
            assert uow.servicing.business_date() == done.last_day
            rows = uow.servicing.loan_rows(limit=None)
            banks = {r["bank_code"] for r in rows}
            sources = {s for (s,) in uow.conn.execute(
                sa.text("SELECT DISTINCT source FROM loan_transactions"))}
        assert len(rows) == done.loans
        # the case time is the world's: every loan paid out in the months played
        assert all(date(2019, 1, 1) <= r["start_date"] <= done.last_day for r in rows)
        assert all(s.startswith("file:") or s == "api" for s in sources)
        for bank in banks:  # every loan reconciles with its bank at the business date
            n, ok = reconcile(ctx.engine, bank, done.last_day, tmp_path / f"{bank}.csv")
            assert n == ok > 0
        figures = book_figures(ctx, ANALYST)
        assert figures.loans == done.loans and figures.as_of == done.last_day
        assert sum(figures.buckets.values()) == figures.on_book
        assert figures.paid_out == sum((r["principal"] for r in rows), Decimal("0.00"))

        view = portfolio_view(ctx, ANALYST)
        by_bank = dict((k, rows_) for k, _, rows_ in view["breakdowns"])["bank_code"]
        assert sum(r["loans"] for r in by_bank) == done.loans
        bank = sorted(banks)[0]
        officer = Actor("o", "bank_officer", bank)
        own = portfolio_view(ctx, officer)
        own_banks = dict((k, r) for k, _, r in own["breakdowns"])["bank_code"]
        assert [r["name"] for r in own_banks] == [bank]
        assert all(r["bank_code"] == bank for r in own["worst"])
        with pytest.raises(RoleNotAllowed):
            portfolio_view(ctx, Actor("v", "verifier"))
        theirs = [r["loan_id"] for r in rows if r["bank_code"] != bank]
        assert amounts_due(ctx, officer, theirs, done.last_day) == {}
        page = loan_page(ctx, ANALYST, rows[0]["loan_id"])
        assert len(page["schedule"]) == rows[0]["term_months"]
        assert page["borrower"] and "*" in page["borrower"]
    finally:
        ctx.engine.dispose()
    # the same seed plays the same book on a new store of the same kind
    kind = "sqlite" if empty_db_url.startswith("sqlite") else "postgresql"
    with fresh_database(kind, "replay") as url:
        again, _ = _played(url, world_dir, tmp_path / "files-again")
        try:
            assert _book(again.engine) == _book(make_engine(empty_db_url))
        finally:
            again.engine.dispose()


def test_world_play_command_plays_a_set_up_store_and_prints_the_book(
        world_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from creditfactory.cli import _register, app

    _register()
    url = f"sqlite:///{tmp_path / 'f.db'}"
    engine = make_engine(url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault("k" * 40), None)
        setup_service(ctx, url, "a-long-admin-password", load(world_dir), train=False)
    finally:
        engine.dispose()
    args = ["world", "play", "--db", url, "--world", str(world_dir), "--months", "1",
            "--per-month", "8", "--out", str(tmp_path / "files")]
    result = CliRunner().invoke(app, args, env={"CREDITFACTORY_SECRET_KEY": "k" * 40})
    assert result.exit_code == 0, result.output
    assert "2019-01-01 to 2019-01-31: 8 applications (0 refused)" in result.output
    assert "on the book at 2019-01-31" in result.output
