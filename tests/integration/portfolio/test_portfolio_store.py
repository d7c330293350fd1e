"""The same loans on the store: booked as payout books them, the world's payments sent as the
banks send them (daily files, prepayments posted), every day closed by the store's close of
business -- and each month end's DPD, bucket, class, principal outstanding and status equal
to the batch run's ``monthly`` rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.evaluation.portfolio import PortfolioBook
from creditfactory.evaluation.portfolio_store import compare_monthly, play_on_store
from creditfactory.services.context import ServiceContext
from creditfactory.store import PersonalDataVault, make_engine, upgrade_head


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def ctx(request: pytest.FixtureRequest, fresh_database: Any) -> Iterator[ServiceContext]:
    with fresh_database(request.param, "portfolio") as url:
        engine = make_engine(url)
        upgrade_head(url, engine)
        yield ServiceContext(engine, PersonalDataVault("k" * 40))
        engine.dispose()


def _earliest(rows: pd.DataFrame, when: str, k: int) -> pd.Series:
    """The first ``k`` loans of ``rows`` by the first date ``when`` of each: loan -> date."""
    first = rows.groupby("loan_id")[when].min()
    return first.sort_values(kind="stable").head(k)


def _sample(loans: pd.DataFrame, pb: PortfolioBook) -> tuple[np.ndarray, date, dict[str, int]]:
    """Loans of the first three months of payouts with each kind of life soonest: settled
    early (one on a month end, its due day), missed and cured, written off, recovered; and a
    few that just pay -- played to the month end after the last of those first events (a
    recovery comes some fifteen months after payout at the soonest)."""
    booked = pd.to_datetime(loans["booked_on"])
    early = loans.loc[booked < booked.min() + pd.offsets.MonthBegin(3), "loan_id"]
    t = pb.transactions[pb.transactions["loan_id"].isin(early)].assign(
        on=lambda f: pd.to_datetime(f["posted_on"]))
    m = pb.monthly[pb.monthly["loan_id"].isin(early)].assign(on=lambda f: pd.to_datetime(f["month"]))
    prepaid = t["kind"] == "prepayment"
    late = m[m["dpd"] > 0]
    cured = m[(m["dpd"] == 0) & m["loan_id"].isin(late["loan_id"])
              & (m["on"] > m["loan_id"].map(late.groupby("loan_id")["on"].min()))]
    kinds = {
        "prepaid on a month end": _earliest(t[prepaid & t["on"].dt.is_month_end], "on", 1),
        "prepaid": _earliest(t[prepaid], "on", 2),
        "recovered": _earliest(t[t["kind"] == "recovery"], "on", 1),
        "written off": _earliest(m[m["status"] == 4], "on", 2),
        "late": _earliest(late, "on", 3),
        "cured": _earliest(cured, "on", 2),
    }
    last = max(v.max() for v in kinds.values())
    kinds["paying"] = pd.Series(last, index=early.to_numpy()[:3])
    ids = np.unique(np.concatenate([v.index.to_numpy() for v in kinds.values()]))
    return ids, (last + pd.offsets.MonthEnd(0)).date(), {k: len(v) for k, v in kinds.items()}


def test_the_store_closes_the_sample_to_the_batch_runs_monthly_states(
        ctx: ServiceContext, booked: tuple[pd.DataFrame, pd.DataFrame],
        played: tuple[pd.DataFrame, PortfolioBook]) -> None:
    loans, pb = played
    ids, through, kinds = _sample(loans, pb)
    assert all(kinds.values()), kinds  # every kind of life is in the sample
    store = play_on_store(ctx, loans, booked[1], pb.transactions, ids, through)
    assert set(store["loan_id"]) == set(ids.tolist())
    assert store["month"].max() == np.datetime64(through.replace(day=1))
    batch = pb.monthly[pb.monthly["loan_id"].isin(ids)
                       & (pb.monthly["month"] <= np.datetime64(through))]
    differences = compare_monthly(pb.monthly, store)
    assert differences.empty, differences.head(10).to_string()
    assert len(batch) > 10 * len(ids) and (batch["dpd"] > 90).any() and (batch["status"] == 2).any()
    with ctx.uow(write=False) as uow:
        assert uow.servicing.business_date() == through
        first = loans.set_index("loan_id").loc[ids, "booked_on"].min()
        assert len(uow.servicing.closes()) == (through - first + timedelta(days=1)).days


def test_a_store_already_servicing_is_refused(
        ctx: ServiceContext, booked: tuple[pd.DataFrame, pd.DataFrame],
        played: tuple[pd.DataFrame, PortfolioBook], tmp_path: Path) -> None:
    loans, pb = played
    from creditfactory.services.servicing_close import close_business

    close_business(ctx.engine, date(2020, 1, 1))
    with pytest.raises(ValueError, match="in use"):
        play_on_store(ctx, loans, booked[1], pb.transactions, loans["loan_id"].to_numpy()[:2])


def test_portfolio_run_with_a_store_checks_its_sample(world: Path, tmp_path: Path,
                                                      fresh_database: Any) -> None:
    from typer.testing import CliRunner

    from creditfactory.cli import _register, app

    _register()
    out = tmp_path / "run"
    with fresh_database("sqlite", "portfolio_cli") as url:
        result = CliRunner().invoke(app, [
            "portfolio", "run", str(world), "--strategy", "policy_only", "--out", str(out),
            "--db", url, "--sample", "6", "--through", "2020-06-30"])
    assert result.exit_code == 0, result.output
    check = json.loads((out / "store_check.json").read_text())
    assert check["loans"] == 6 and check["differences"] == 0 and check["month_end_rows"] > 6
    assert check["business_date"] == "2020-06-30"
    store = pd.read_parquet(out / "store_monthly.parquet")
    assert store["loan_id"].nunique() <= 6 and str(store["month"].max().date()) == "2020-06-01"
