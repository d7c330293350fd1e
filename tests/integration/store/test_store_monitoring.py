"""The monthly monitoring on the store's loan book: each monitored month records the loans'
month-end states, the job reads the recorded history (roll rates between months), the month's
alerts are kept (a rerun replaces them) and read by overseers only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from creditfactory.errors import InvalidArgument
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput, RoleNotAllowed
from creditfactory.services.monitoring_store import list_alerts, monitor_store, warning_view
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.store.tables_monitoring import monitoring_loan_months

from .servicing_seed import seed_loans, service_context

ctx = pytest.fixture(name="ctx")(service_context)
BANK = Actor("b01-sys", "bank_system", "B01")
ANALYST = Actor("ra", "risk_analyst")
RULES = """
rules:
  - name: thirty_plus
    metric: dpd30_ratio
    dimensions: [all, bank]
    threshold: {amber: 0.2, red: 0.4}
    min_volume: 1
    owner: risk_analyst
    action: {amber: early collections contact, red: freeze undrawn limit}
"""


def test_monitoring_months_on_the_store_keep_history_and_alerts(ctx: ServiceContext,
                                                               tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("120000.00")] * 10, start=date(2026, 1, 10))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    close_business(ctx.engine, date(2026, 1, 31))
    monitor_store(ctx.engine, "2026-01", tmp_path / "m1", rules=rules)
    for i in ids[:6]:  # six pay their first instalment, four never pay
        post_repayment(ctx, BANK, i, {"reference": f"R{i}", "amount": "12000.00",
                                      "value_date": "2026-02-10"})
    close_business(ctx.engine, date(2026, 2, 28))
    monitor_store(ctx.engine, "2026-02", tmp_path / "m2", rules=rules)
    close_business(ctx.engine, date(2026, 3, 31))
    run = monitor_store(ctx.engine, "2026-03", tmp_path / "m3", rules=rules)

    with ctx.engine.connect() as c:
        months = c.execute(sa.select(monitoring_loan_months.c.month,
                                     sa.func.count()).group_by(monitoring_loan_months.c.month)
                           ).all()
    assert sorted(months) == [("2026-01", 10), ("2026-02", 10), ("2026-03", 10)]
    rolls = pd.read_parquet(tmp_path / "m3" / "roll_rates.parquet")
    feb = rolls[(rolls["kind"] == "roll") & (rolls["dimension"] == "all")
                & (rolls["month"] == "2026-02") & (rolls["source"] == "M0")]
    assert feb["rate"].iloc[0] == pytest.approx(0.4)  # four of ten equal loans fell behind
    mar = rolls[(rolls["kind"] == "roll") & (rolls["dimension"] == "all")
                & (rolls["month"] == "2026-03") & (rolls["source"] == "M1")]
    assert mar["rate"].iloc[0] == pytest.approx(1.0)
    assert {"alerts.parquet", "vintages.parquet", "report.html", "report.xlsx"} <= set(run.files)

    data, count = list_alerts(ctx, ANALYST, month="2026-03")
    assert count == 2 and {a["value"] for a in data} == {"all", "B01"}
    assert {a["level"] for a in data} == {"red"} and data[0]["action"] == "freeze undrawn limit"
    assert list_alerts(ctx, ANALYST, month="2026-02", level="amber")[1] == 0
    monitor_store(ctx.engine, "2026-03", tmp_path / "again", rules=rules)
    assert list_alerts(ctx, ANALYST)[1] == count + list_alerts(ctx, ANALYST, month="2026-02")[1]
    view = warning_view(ctx, Actor("admin", "admin"))
    assert view["month"] == "2026-03" and [r["month"] for r in view["runs"]] == [
        "2026-03", "2026-02", "2026-01"]
    with ctx.engine.connect() as c:  # the book's trend, computed again row by row
        states = c.execute(sa.select(monitoring_loan_months)).mappings().all()
    for point in view["trend"]:
        rows = [r for r in states if r["month"] == point["month"]
                and r["status"] in ("current", "delinquent")]
        on_book = sum(r["principal_outstanding_fen"] for r in rows)
        npl = sum(r["principal_outstanding_fen"] for r in rows
                  if r["five_class"] in ("substandard", "doubtful", "loss"))
        late = sum(r["principal_outstanding_fen"] for r in rows if r["dpd"] > 30)
        assert (point["on_book_fen"], point["npl_ratio"], point["dpd30_ratio"]) == pytest.approx(
            (on_book, npl / on_book, late / on_book))
    assert [p["month"] for p in view["trend"]] == ["2026-01", "2026-02", "2026-03"]
    assert view["trend"][-1]["dpd30_ratio"] > 0  # four loans a month and more behind
    assert [p["month"] for p in warning_view(ctx, ANALYST, "2026-02")["trend"]] == [
        "2026-01", "2026-02"]
    with pytest.raises(RoleNotAllowed):
        list_alerts(ctx, Actor("v", "verifier"))
    with pytest.raises(InvalidInput):
        list_alerts(ctx, ANALYST, month="March")
    with pytest.raises(InvalidInput):
        monitor_store(ctx.engine, "2025-12", tmp_path / "none", rules=rules)


def test_the_monitor_command_runs_on_the_store(empty_db_url: str, ctx: ServiceContext,
                                               tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from creditfactory.cli import _register, app

    seed_loans(ctx.engine, [Decimal("100000.00")] * 3, start=date(2026, 1, 10))
    close_business(ctx.engine, date(2026, 1, 31))
    _register()
    out = tmp_path / "m"
    result = CliRunner().invoke(app, ["monitor", "--db", empty_db_url, "--month", "2026-01",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "alerts.parquet").exists() and (out / "report.html").exists()
    assert "recorded month(s)" in result.output
    result = CliRunner().invoke(app, ["monitor", "--db", empty_db_url, "--out", str(out)])
    assert isinstance(result.exception, InvalidArgument) and "--month" in str(result.exception)
