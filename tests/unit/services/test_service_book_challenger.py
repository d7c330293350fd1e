"""The challenger A-card refitted on a book: it learns only from loans paid out before the
judging window (with the declined applications of those months by reject inference), is judged
on the latest matured window by the declared rule, and the record holds every figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from creditfactory.monitoring.learning import PromotionRule
from creditfactory.services.monitoring_learning import judge_challenger
from creditfactory.world import generate


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A world's applications, 70 % of them booked (the rest declined), their performance as
    the book's month-end rows and a noisy champion PD."""
    world = generate(4000, 30, seed=3)
    apps = world.applications
    rng = np.random.default_rng(0)
    booked_ids = set(apps["application_id"][rng.random(len(apps)) < 0.7].tolist())
    perf = world.performance[world.performance["application_id"].isin(booked_ids)]
    has_perf = apps["application_id"].isin(set(perf["application_id"]))
    loans = pd.DataFrame({"loan_id": apps["application_id"][has_perf].to_numpy(),
                          "application_id": apps["application_id"][has_perf].to_numpy(),
                          "booked_on": pd.to_datetime(apps["applied_at"][has_perf]).dt.normalize()})
    bad = perf.groupby("application_id")["dpd"].max().reindex(loans["loan_id"]) > 90
    loans["a_pd"] = np.clip(0.02 + 0.05 * bad.to_numpy() + rng.normal(0, 0.04, len(loans)),
                            0.001, 0.9)
    monthly = perf.rename(columns={"application_id": "loan_id"})[
        ["loan_id", "month", "mob", "dpd", "status"]]
    return loans, monthly, apps, world.channels


def test_the_challenger_learns_before_its_window_and_is_judged_on_it(book) -> None:
    loans, monthly, apps, channels = book
    rule = PromotionRule(auc_margin=0.01, psi_max=0.5, min_bads=5, window_months=6)
    record, challenger = judge_challenger(loans, monthly, apps, channels, rule)
    assert record["trained_on"].split(" to ")[1] < record["window_from"]
    assert record["booked_rows"] > 500 and record["rejected_rows"] > 200
    assert record["method"] == "parcelling" and record["rule"]["min_bads"] == 5
    window = loans[(loans["booked_on"].dt.strftime("%Y-%m") >= record["window_from"])
                   & (loans["booked_on"].dt.strftime("%Y-%m") <= record["window_to"])]
    assert record["n"] == len(window)
    bad = (monthly[monthly["mob"] <= 12].groupby("loan_id")["dpd"].max() > 90).reindex(
        window["loan_id"]).fillna(False).to_numpy()
    assert record["bads"] == bad.sum()
    assert record["champion_auc"] == pytest.approx(roc_auc_score(bad, window["a_pd"]))
    window_apps = apps.set_index("application_id").loc[window["application_id"]].reset_index()
    assert record["challenger_auc"] == pytest.approx(
        roc_auc_score(bad, challenger.predict_pd(window_apps)))
    assert record["promoted"] == (not [r for r in record["reasons"] if "not" in r or "few" in r])
