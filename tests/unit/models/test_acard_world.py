"""The A-card's modelling table follows its bad definition; the world experiments run end to end."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from creditfactory.evaluation.models import acard_against_truth, reject_inference_against_truth
from creditfactory.models.acard import (
    CATEGORICAL,
    NUMERIC,
    RAW_NUMERIC,
    acard_experiment,
    modelling_table,
    split_out_of_time,
)
from creditfactory.models.reject_experiment import booking_policy, reject_inference_experiment

FAST_CARD = {"max_features": 6, "penalty": 1.0}  # a fixed ridge: no cross-validation


def _tiny_world() -> SimpleNamespace:
    """Four applications: bad at MOB 12, bad only at MOB 13, 90 DPD exactly, and immature."""
    n = 4
    apps = pd.DataFrame({
        "application_id": np.arange(1, n + 1),
        "applied_at": pd.to_datetime(["2019-01-05", "2019-01-06", "2019-01-07", "2019-12-20"]),
        "channel_id": ["AG1"] * n, "city": ["广州"] * n, "product_requested": ["p"] * n,
        "purpose": ["stock"] * n, "education": ["college"] * n, "marital_status": ["married"] * n,
        "home_ownership": ["own"] * n, "industry": ["F52"] * n, "premises": ["rented"] * n,
        "amount": [200_000.0] * n, "term_months": [36] * n, "declared_monthly_revenue": [50_000.0] * n,
        "bureau_debt": [120_000.0] * n, "insurance_annual_premium": [0.0] * n, "gender": ["F"] * n,
    })
    for name in RAW_NUMERIC:
        if name not in apps:
            apps[name] = 1
    rows = []
    for app_id, bad_mob, dpd in ((1, 12, 95), (2, 13, 120), (3, 5, 90), (4, 2, 150)):
        start = pd.Timestamp("2019-02-01") if app_id < 4 else pd.Timestamp("2020-01-01")
        for mob in range(1, 16):
            rows.append({"application_id": app_id, "mob": mob,
                         "month": start + pd.DateOffset(months=mob - 1),
                         "dpd": dpd if mob >= bad_mob else 0})
    perf = pd.DataFrame(rows)
    channels = pd.DataFrame({"channel_id": ["AG1"], "channel_type": ["agent_app"]})
    return SimpleNamespace(applications=apps, performance=perf, channels=channels)


def test_bad_is_more_than_90_dpd_within_12_months_and_immature_loans_are_left_out():
    table = modelling_table(_tiny_world(), as_of="2020-06-01")
    assert table["application_id"].tolist() == [1, 2, 3]
    assert table["bad"].tolist() == [1, 0, 0]
    assert modelling_table(_tiny_world(), as_of="2021-06-01")["bad"].tolist() == [1, 0, 0, 1]


def test_features_are_application_time_fields_and_ratios_only():
    table = modelling_table(_tiny_world(), as_of="2020-06-01")
    assert set(NUMERIC) | set(CATEGORICAL) <= set(table.columns)
    for leaked in ("pd", "is_fraud", "gender", "resident_id", "phone", "channel_id"):
        assert leaked not in table.columns
    assert table["loan_to_annual_revenue"].iloc[0] == pytest.approx(200_000 / 600_000)
    assert table["debt_to_annual_revenue"].iloc[0] == pytest.approx(0.2)
    assert table["channel_type"].iloc[0] == "agent_app"
    assert table["industry_section"].iloc[0] == "F"


@pytest.fixture(scope="module")
def world():
    from creditfactory.world import generate

    return generate(n_applications=5000, months=30, seed=4)


def test_acard_is_validated_out_of_time_below_the_true_pd_ceiling(world):
    table = modelling_table(world)
    first = world.performance.loc[world.performance["mob"] == 1].set_index("application_id")
    months = pd.to_datetime(first.loc[table["application_id"], "month"])
    performance_end = pd.to_datetime(world.performance["month"]).max() + pd.DateOffset(months=1)
    assert (months + pd.DateOffset(months=11) < performance_end).all()
    out = acard_against_truth(world, world.truth, card_params=FAST_CARD).set_index(["model", "sample"])
    assert set(out.index.get_level_values("model")) == {
        "A-card (logistic)", "A-card (divergence)", "true pd (ceiling)"}
    assert set(out.index.get_level_values("sample")) == {
        "development", "out-of-time", "out-of-time non-fraud"}
    fraud = world.truth.set_index("application_id")["is_fraud"]
    oot_rows = out.loc[("A-card (logistic)", "out-of-time"), "rows"]
    non_fraud_rows = out.loc[("A-card (logistic)", "out-of-time non-fraud"), "rows"]
    _, oot = split_out_of_time(table, None)
    assert oot_rows - non_fraud_rows == int(fraud.reindex(oot["application_id"]).sum()) > 0
    ceiling = out.loc[("true pd (ceiling)", "out-of-time"), "auc"]
    for objective in ("logistic", "divergence"):
        oot = out.loc[(f"A-card ({objective})", "out-of-time")]
        assert 0.55 < oot["auc"] < ceiling
        assert 0 < oot["features"] <= FAST_CARD["max_features"]
    dev_rows = out.loc[("A-card (logistic)", "development"), "rows"]
    first = pd.Timestamp(table["applied_at"].min()).to_period("M").to_timestamp()
    between = table["applied_at"].between(first + pd.DateOffset(months=12), first + pd.DateOffset(months=24),
                                          inclusive="left")
    assert dev_rows + out.loc[("A-card (logistic)", "out-of-time"), "rows"] == len(table) - between.sum()
    _, oot = split_out_of_time(table, None)
    assert oot["applied_at"].min() >= first + pd.DateOffset(months=24)


def test_reject_inference_experiment_compares_booked_augmented_and_everyone(world):
    out = reject_inference_against_truth(world, world.truth, methods=("parcelling", "fuzzy"),
                                         reject_bad_factors=(2.0,), card_params=FAST_CARD)
    assert out["model"].tolist() == [
        "booked only", "booked + parcelling (rejects ×2 bad)", "booked + fuzzy (rejects ×2 bad)",
        "everyone (world only)", "true pd (ceiling)"]
    booked = booking_policy(modelling_table(world))
    assert 0.5 < booked.mean() < 0.9
    assert out["train_rows"].iloc[0] < out["train_rows"].iloc[3]
    gap = out["auc_all"].iloc[3] - out["auc_all"].iloc[0]
    expected = (out["auc_all"].iloc[:4] - out["auc_all"].iloc[0]) / gap if gap > 0 else np.nan
    np.testing.assert_allclose(out["recovered"].iloc[:4], expected)
    assert np.isnan(out["recovered"].iloc[4])
    assert (out["auc_all"].iloc[:4] < out["auc_all"].iloc[4]).all()


def test_without_truth_the_experiments_leave_out_the_ceiling_and_the_non_fraud_sample(world):
    lending = SimpleNamespace(applications=world.applications, performance=world.performance,
                              channels=world.channels)
    cards = acard_experiment(lending, objectives=("logistic",), card_params=FAST_CARD)
    assert cards["model"].unique().tolist() == ["A-card (logistic)"]
    assert cards["sample"].tolist() == ["development", "out-of-time"]
    with_truth = acard_against_truth(world, world.truth, objectives=("logistic",), card_params=FAST_CARD)
    pd.testing.assert_frame_equal(cards, with_truth[with_truth["sample"].isin(cards["sample"])
                                                    & (with_truth["model"] == "A-card (logistic)")
                                                    ].reset_index(drop=True))
    rejects = reject_inference_experiment(lending, methods=("parcelling",), reject_bad_factors=(2.0,),
                                          card_params=FAST_CARD)
    assert rejects["model"].tolist() == [
        "booked only", "booked + parcelling (rejects ×2 bad)", "everyone (world only)"]
