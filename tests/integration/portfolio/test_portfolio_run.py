"""A portfolio run end to end on a small world: the files and their columns, the book
reconciled with the payments and the schedules, the per-loan statement agreeing with the book,
and the same seed giving the same run."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.data import load
from creditfactory.evaluation.portfolio import (
    LOAN_COLUMNS,
    PortfolioBook,
    as_if_last_months,
    play_portfolio,
)
from creditfactory.servicing.allocation import Transaction, statement
from creditfactory.servicing.schedules import repayment_schedule

FILES = {
    "loans": list(LOAN_COLUMNS),
    "schedules": ["loan_id", "instalment", "due_on", "principal_due", "interest_due"],
    "transactions": ["loan_id", "posted_on", "kind", "amount", "principal", "interest", "penalty",
                     "reference"],
    "monthly": ["loan_id", "month", "mob", "dpd", "bucket", "class5", "principal_outstanding", "status"],
}


def test_portfolio_run_writes_every_file_with_its_columns(world: Path, tmp_path: Path) -> None:
    _register()
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["portfolio", "run", str(world), "--strategy", "policy_only",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name, columns in FILES.items():
        assert pq.read_schema(out / f"{name}.parquet").names == columns
    summary = json.loads((out / "summary.json").read_text())
    loans = pq.read_table(out / "loans.parquet").to_pandas()
    assert summary["booked_loans"] == len(loans) > 100
    assert summary["booked_principal"] == pytest.approx(float(loans["principal"].astype(float).sum()))
    assert 0 < summary["net_loss_rate"] < summary["cumulative_npl_rate"] < 0.5
    assert summary["vintages_30plus"] and len(summary["roll_rates"]) == 7
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 3 and "cumulative NPL" in html


def test_disbursed_is_principal_repaid_plus_outstanding(played: tuple[pd.DataFrame, PortfolioBook]) -> None:
    loans, pb = played
    repaid = pb.transactions.groupby("loan_id")["principal"].sum().reindex(loans["loan_id"], fill_value=0)
    outstanding = pb.principal_outstanding
    assert (pb.disbursed == repaid.to_numpy() + outstanding).all()
    scheduled = pb.schedules.groupby("loan_id")["principal_due"].sum().to_numpy()
    assert (scheduled == pb.disbursed).all()
    wo = pb.written_off_on >= 0
    assert wo.any() and (outstanding[wo] <= pb.written_off_principal[wo]).all()
    assert (outstanding[~wo] == 0).all()  # every loan not written off is paid or settled
    by_txn = pb.transactions[["principal", "interest", "penalty"]].sum(axis=1)
    assert (by_txn <= pb.transactions["amount"]).all()


def test_a_loan_paid_off_without_penalty_paid_its_schedule_exactly(
        played: tuple[pd.DataFrame, PortfolioBook]) -> None:
    loans, pb = played
    last = pb.monthly.groupby("loan_id")["status"].last()
    by_loan = pb.transactions.groupby("loan_id")[["principal", "interest", "penalty"]].sum()
    clean = by_loan.index[(by_loan["penalty"] == 0) & by_loan.index.isin(last.index[last == 3])]
    assert len(clean) > 50
    t = by_loan.loc[clean]
    s = pb.schedules[pb.schedules["loan_id"].isin(clean)].groupby("loan_id")[["principal_due", "interest_due"]].sum()
    assert (t["principal"] == s["principal_due"]).all() and (t["interest"] == s["interest_due"]).all()


def test_the_statement_of_each_loan_agrees_with_the_book(played: tuple[pd.DataFrame, PortfolioBook]) -> None:
    loans, pb = played
    as_of = pb.as_of
    troubled = pb.transactions.loc[pb.transactions["kind"] != "repayment", "loan_id"].unique()[:15]
    late = pb.monthly.loc[pb.monthly["dpd"] > 0, "loan_id"].unique()[:15]
    for loan_id in np.unique(np.concatenate([troubled, late])):
        row = loans.set_index("loan_id").loc[loan_id]
        sched = repayment_schedule(Decimal(str(row["principal"])), Decimal(str(row["rate"])),
                                   int(row["term_months"]), start=row["booked_on"])
        txns = pb.transactions[pb.transactions["loan_id"] == loan_id]
        st = statement(sched, [
            Transaction(r.reference, "prepayment" if r.kind == "prepayment" else "repayment",
                        pd.Timestamp(r.posted_on).date(), Decimal(int(r.amount)) / 100)
            for r in txns.itertuples()], as_of)
        i = int(loan_id) - 1
        assert st.principal_outstanding * 100 == int(pb.principal_outstanding[i])
        assert st.penalty_accrued * 100 == int(pb.penalty_accrued[i])
        assert st.npl_principal * 100 == int(pb.npl_principal[i])
        assert (st.written_off_on is not None) == (pb.written_off_on[i] >= 0)


def test_the_same_seed_plays_the_same_portfolio(world: Path, played: tuple[pd.DataFrame, PortfolioBook]) -> None:
    loans, pb = played
    data = load(world, money="float")
    apps = data.applications.set_index("application_id").loc[loans["application_id"]].reset_index()
    again = play_portfolio(loans, apps, data.truth, as_if_last_months(data.performance, apps["application_id"].to_numpy()), json.loads((world / "meta.json").read_text()))
    pd.testing.assert_frame_equal(again.transactions, pb.transactions)
    other = play_portfolio(loans, apps, data.truth, as_if_last_months(data.performance, apps["application_id"].to_numpy()), json.loads((world / "meta.json").read_text()), seed=99)
    assert not other.transactions["amount"].equals(pb.transactions["amount"])
