"""A small world and its portfolio run (policy_only), shared by the portfolio tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from creditfactory.data import load
from creditfactory.evaluation.portfolio import (
    PortfolioBook,
    as_if_last_months,
    book_approved,
    play_portfolio,
)
from creditfactory.strategy import NoScores, load_strategy
from creditfactory.strategy.backtest_run import backtest_strategies
from creditfactory.world import WorldConfig, write_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "world"
    write_world(WorldConfig(2_500, 18, 9, chunk_size=1_000), out, workers=1)
    return out


@pytest.fixture(scope="session")
def booked(world: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's loans and their applications."""
    data = load(world, money="float")
    run = backtest_strategies(data, [load_strategy("policy_only")], NoScores(), train_months=12)
    return book_approved(data.applications, run.results[0].decisions)


@pytest.fixture(scope="session")
def played(world: Path, booked: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, PortfolioBook]:
    loans, apps = booked
    data = load(world, money="float")
    return loans, play_portfolio(loans, apps, data.truth,
                                 as_if_last_months(data.performance, apps["application_id"].to_numpy()),
                                 json.loads((world / "meta.json").read_text()))
