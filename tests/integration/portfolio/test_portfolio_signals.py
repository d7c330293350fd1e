"""The portfolio run publishes the world's signals for every active loan-month, by seed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from creditfactory.data import load
from creditfactory.evaluation.portfolio import (
    PortfolioBook,
    as_if_last_months,
    portfolio_signals,
    write_signals,
)
from creditfactory.world.signals import SIGNAL_COLUMNS


def test_signals_cover_the_active_loan_months_and_repeat(world: Path, booked: tuple[pd.DataFrame, pd.DataFrame],
                                                         played: tuple[pd.DataFrame, PortfolioBook],
                                                         tmp_path: Path) -> None:
    loans, apps = booked
    _, pb = played
    data = load(world, money="float")
    last = as_if_last_months(data.performance, apps["application_id"].to_numpy())
    meta = json.loads((world / "meta.json").read_text())
    signals, index = portfolio_signals(loans, apps, data.truth, last, meta, pb)
    active = pb.monthly[pb.monthly["status"].isin((0, 1))]
    assert len(signals) == len(active) > 1000
    assert list(signals.columns) == ["loan_id", "month", *SIGNAL_COLUMNS]
    assert index["month"].max() == pd.Timestamp(pb.monthly["month"].max())
    write_signals(signals, index, tmp_path)
    again = pd.read_parquet(tmp_path / "signals.parquet")
    pd.testing.assert_frame_equal(again, portfolio_signals(loans, apps, data.truth, last, meta, pb)[0],
                                  check_dtype=False)
    assert list(pd.read_parquet(tmp_path / "industry_index.parquet").columns) == ["month", "industry", "index"]
