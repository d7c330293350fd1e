"""The models learn only outcomes a lender had seen at the maturity cut: whatever happens to
the loans afterwards, or to loans whose window had not closed, leaves them unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.data.outcomes import mature, maturity_cut, observed_performance
from creditfactory.settings import DEV_SECRET_KEY

pytest.importorskip("lightgbm")

KEY = DEV_SECRET_KEY.encode()


def test_maturity_cut_is_twelve_months_after_the_development_period() -> None:
    assert maturity_cut(pd.Timestamp("2020-01-01")) == pd.Timestamp("2021-01-01")
    assert maturity_cut("2020-01-17", window=3) == pd.Timestamp("2020-04-01")


def test_a_loan_is_mature_once_its_twelfth_month_on_book_is_observed() -> None:
    apps = pd.DataFrame({"applied_at": pd.to_datetime(["2020-01-31", "2020-02-01", "2020-12-15"])})
    # MOB 12 of a January application is January 2021: seen from 1 February 2021 on
    assert mature(apps, "2021-01-31").tolist() == [False, False, False]
    assert mature(apps, "2021-02-01").tolist() == [True, False, False]
    assert mature(apps, "2021-12-31").tolist() == [True, True, False]
    assert mature(apps, "2022-01-01").all()
    assert mature(apps, None).all()


def test_observed_performance_keeps_the_months_before_the_date() -> None:
    perf = pd.DataFrame({"month": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]), "dpd": [0, 1, 2]})
    assert observed_performance(perf, "2020-03-01")["dpd"].tolist() == [0, 1]
    assert len(observed_performance(perf, None)) == 3


class _World:
    def __init__(self, base: Any, performance: pd.DataFrame):
        self.applications = base.applications
        self.channels = base.channels
        self.performance = performance


def _fingerprint(models: Any, apps: pd.DataFrame) -> dict[str, Any]:
    scores = models.score_frame(apps)
    return {
        "a_pd": scores["a_pd"].to_numpy(float),
        "challenger": scores["challenger_pd"].to_numpy(float),
        "packaging": dict(models.packaging),
        "fraud_ranks": np.asarray(models.fraud_model.ranks),
        "versions": models.versions(),
    }


@pytest.fixture(scope="module")
def world() -> Any:
    from creditfactory.world import generate

    return generate(3000, months=30, seed=12)


def test_outcomes_after_the_cut_do_not_reach_the_models(world: Any) -> None:
    from creditfactory.models.training import dev_end, train_lending_models

    models = train_lending_models(world, key=KEY)
    cut = maturity_cut(dev_end(world.applications, 12))
    assert models.labels_as_of() == cut
    perf = world.performance.copy()
    later = pd.to_datetime(perf["month"]) >= cut
    assert later.any()
    perf.loc[later, "dpd"] = 400  # every loan defaults after the cut
    perf.loc[later, "paid"] = 0.0
    again = train_lending_models(_World(world, perf), key=KEY)
    a, b = _fingerprint(models, world.applications), _fingerprint(again, world.applications)
    np.testing.assert_array_equal(a["a_pd"], b["a_pd"])
    np.testing.assert_array_equal(a["challenger"], b["challenger"])
    np.testing.assert_array_equal(a["fraud_ranks"], b["fraud_ranks"])
    assert a["packaging"] == b["packaging"] and a["versions"] == b["versions"]


def test_an_earlier_cut_learns_from_fewer_outcomes(world: Any) -> None:
    """The guard itself: a cut before the development loans matured leaves the immature ones
    out of the A-card's sample, so changing their later outcomes changes nothing either."""
    from creditfactory.models.training import train_lending_models

    cut = pd.Timestamp(world.applications["applied_at"].min()).to_period("M").to_timestamp() + pd.DateOffset(months=18)
    models = train_lending_models(world, key=KEY, as_of=cut)
    full = train_lending_models(world, key=KEY)
    n_early = int(models.versions()["a_card"].rsplit("dev", 1)[1])
    n_full = int(full.versions()["a_card"].rsplit("dev", 1)[1])
    assert 0 < n_early < n_full
    assert models.labels_as_of() == cut


def test_an_application_without_a_repayment_record_is_no_training_row(world: Any) -> None:
    """A rejected application has no performance: its outcome is unknown, not good."""
    from creditfactory.models.training import train_lending_models

    full = train_lending_models(world, key=KEY)
    first = world.applications["application_id"].iloc[:300]
    perf = world.performance[~world.performance["application_id"].isin(first)]
    fewer = train_lending_models(_World(world, perf), key=KEY)
    n_full = int(full.versions()["a_card"].rsplit("dev", 1)[1])
    n_fewer = int(fewer.versions()["a_card"].rsplit("dev", 1)[1])
    assert n_full - 300 <= n_fewer < n_full
