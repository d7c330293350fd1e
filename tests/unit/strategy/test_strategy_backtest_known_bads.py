"""An honest back-test: judged only after the models' labels matured, and the fraud graph of
a strategy learns known bads only from the loans it booked -- what the applications it
rejected would have done never reaches its decisions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.strategy import load_strategy
from creditfactory.strategy.backtest_run import backtest_strategies, judged_from

pytest.importorskip("lightgbm")


class _World:
    def __init__(self, base: Any, performance: pd.DataFrame):
        self.applications, self.channels, self.performance = base.applications, base.channels, performance


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(4000, months=36, seed=21)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


def test_judged_window_starts_at_the_maturity_cut(trained: tuple[Any, Any]) -> None:
    world, models = trained
    run = backtest_strategies(world, [load_strategy("default")], models)
    first = pd.Timestamp(world.applications["applied_at"].min()).to_period("M").to_timestamp()
    assert judged_from(world.applications, 12, models.versions()) == first + pd.DateOffset(months=24)
    assert run.train_months == 24
    judged = world.applications.set_index("application_id").loc[run.results[0].decisions["application_id"]]
    assert (judged["applied_at"] >= first + pd.DateOffset(months=24)).all()


def test_rejected_applications_outcomes_never_reach_the_decisions(trained: tuple[Any, Any]) -> None:
    world, models = trained
    default = load_strategy("default")
    run = backtest_strategies(world, [default], models)
    d = run.results[0].decisions
    rejected = d.loc[d["decision"] == "reject", "application_id"].to_numpy()
    perf = world.performance.copy()
    # every rejected application "never pays": were its outcome known, its ring-mates and
    # contacts would carry known-bad links
    hit = perf["application_id"].isin(rejected)
    perf.loc[hit, "dpd"] = np.maximum(perf.loc[hit, "dpd"], 30 * perf.loc[hit, "mob"])
    again = backtest_strategies(_World(world, perf), [default], models).results[0].decisions
    pd.testing.assert_series_equal(d["decision"], again["decision"])
    pd.testing.assert_series_equal(d["tier"], again["tier"])


def test_booked_loans_outcomes_do_reach_later_fraud_scores(trained: tuple[Any, Any]) -> None:
    """The counterpart (so the test above can fail): outcomes of loans the strategy booked
    become known bads that later applications' fraud features see."""
    from creditfactory.fraud.labels import NEVER, known_bad_times

    world, models = trained
    apps = world.applications
    ids = apps["application_id"].to_numpy(np.int64)
    bad = known_bad_times(world.performance, ids)
    assert (bad < NEVER).any()
    with_bads = models.fraud_with_known_bads(apps, bad)
    without = models.fraud_with_known_bads(apps, np.full(len(ids), NEVER))
    changed = (with_bads["fraud_score"] != without["fraud_score"]) | (with_bads["fraud_rule_hits"] != without["fraud_rule_hits"])
    assert changed.any()


class _Rebuilding:
    """The same models without the one-graph re-scoring: each month's graph is rebuilt."""

    def __init__(self, models: Any) -> None:
        self.models = models

    def versions(self) -> dict[str, str]:
        return self.models.versions()

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        return self.models.score_frame(apps)

    def score_record(self, app: Any, fraud: Any = None) -> dict[str, Any]:
        return self.models.score_record(app, fraud)

    def fraud_with_known_bads(self, apps: pd.DataFrame, known_bad: np.ndarray) -> pd.DataFrame:
        return self.models.fraud_with_known_bads(apps, known_bad)


def test_scoring_the_months_on_one_graph_decides_as_rebuilding_it_each_month(trained: tuple[Any, Any]) -> None:
    from creditfactory.strategy.backtest_run import IncrementalRescoring

    world, models = trained
    assert isinstance(models, IncrementalRescoring) and not isinstance(_Rebuilding(models), IncrementalRescoring)
    default = load_strategy("default")
    once = backtest_strategies(world, [default], models).results[0].decisions
    rebuilt = backtest_strategies(world, [default], _Rebuilding(models)).results[0].decisions
    pd.testing.assert_frame_equal(once, rebuilt)
    assert (once["decision"] == "approve").any() and (once["decision"] == "reject").any()
