"""The industry outlook: the observed 90+ outcome of a loan-month, the forecast from the B-card's
PDs, and the flag when one industry's forecast rises well above its own baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.monitoring import industry_outlook, prepare
from creditfactory.monitoring.outlook import observed_90plus

INDUSTRIES = np.array(["A01", "C18", "E", "F52", "H62"])


def _book(n_loans: int = 1500, n_months: int = 30, industries: np.ndarray = INDUSTRIES
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = np.arange(1, n_loans + 1)
    loans = pd.DataFrame({"loan_id": ids, "booked_on": "2022-01-10", "principal": 1000.0,
                          "branch": "B", "product": "P", "channel_id": "AG", "bank": "X",
                          "industry": industries[(ids - 1) % len(industries)]})
    months = pd.period_range("2022-01", periods=n_months, freq="M").to_timestamp()
    monthly = pd.DataFrame({"loan_id": np.repeat(ids, n_months), "month": np.tile(months, n_loans),
                            "mob": np.tile(np.arange(n_months), n_loans), "dpd": 0,
                            "bucket": "M0", "class5": "normal", "principal_outstanding": 500.0,
                            "status": "current"})
    return loans, monthly


def test_observed_outcome_is_a_first_pass_of_90_dpd_within_six_months() -> None:
    loans, monthly = _book(n_loans=2, n_months=12)
    late = (monthly["loan_id"] == 1) & (monthly["mob"] >= 7)
    monthly.loc[late, ["dpd", "bucket", "class5", "status"]] = [95, "M4", "substandard", "delinquent"]
    book = prepare(loans, monthly)
    rows, months = np.array([0, 0, 0, 0, 1]), np.array([0, 1, 5, 6, 0])
    # loan 1 first passes 90 DPD in month 7: seen from months 1..6; the window of month 6
    # ends after the book's last month (11), so its outcome is not known yet
    np.testing.assert_array_equal(observed_90plus(book, rows, months), [0.0, 1.0, 1.0, np.nan, 0.0])


def test_a_rising_industry_is_flagged_and_the_others_are_not() -> None:
    loans, monthly = _book()
    book = prepare(loans, monthly)
    rng = np.random.default_rng(3)
    scored = monthly[["loan_id", "month"]].copy()
    steady = rng.uniform(0.008, 0.012, len(scored))
    # the whole book drifts up (seasoning), C18 rises five-fold from 2023-09
    drift = 1 + np.arange(len(scored)) % 30 / 30
    c18 = loans.set_index("loan_id").loc[scored["loan_id"], "industry"].to_numpy() == "C18"
    scored["pd"] = steady * drift * np.where(c18 & (scored["month"] >= "2023-09-01"), 5, 1)
    out = industry_outlook(book, scored, min_loans=100, persist=2)
    flagged = out[out["flagged"]]
    assert set(flagged["industry"]) == {"C18"}
    assert flagged["month"].min() == "2023-10"  # the second month running
    last = out[out["month"] == "2024-06"].set_index("industry")
    assert (last["low"] <= last["forecast_90plus_6m"]).all()
    assert (last["forecast_90plus_6m"] <= last["high"]).all()
    # nobody ever defaulted: once windows have closed the calibration pulls the forecast down
    assert last.loc["A01", "forecast_90plus_6m"] < last.loc["A01", "mean_pd"]


def test_the_industry_indicator_moves_the_forecast_only_through_what_it_meant_before() -> None:
    loans, monthly = _book()
    book = prepare(loans, monthly)
    scored = monthly[["loan_id", "month"]].assign(pd=0.01)
    months = pd.period_range("2022-01", periods=30, freq="M").strftime("%Y-%m")
    index = pd.DataFrame({"month": np.tile(months, 2), "industry": np.repeat(["A01", "C18"], 30),
                          "index": np.r_[np.zeros(30), np.linspace(0, -3, 30)]})
    with_index = industry_outlook(book, scored, index)
    without = industry_outlook(book, scored)
    assert with_index["index_change"].notna().any() and without["index_change"].isna().all()
    assert np.isfinite(with_index["forecast_90plus_6m"]).all()


def test_an_industry_whose_indicator_falls_apart_from_the_others_is_flagged() -> None:
    # twelve industries: one of n can lie at most (n - 1) / sqrt(n) deviations from the rest
    many = np.array(["A01", "C13", "C18", "C33", "E", "F51", "F52", "G54", "H61", "H62", "I65",
                     "P"])
    loans, monthly = _book(n_loans=1800, industries=many)
    book = prepare(loans, monthly)
    rng = np.random.default_rng(5)
    scored = monthly[["loan_id", "month"]].copy()
    c18 = loans.set_index("loan_id").loc[scored["loan_id"], "industry"].to_numpy() == "C18"
    late = (scored["month"] >= "2023-09-01").to_numpy()
    # the B-card sees C18 a little worse (1.2 times: below the card's own 1.5 rise)
    scored["pd"] = rng.uniform(0.008, 0.012, len(scored)) * np.where(c18 & late, 1.2, 1.0)
    months = pd.period_range("2022-01", periods=30, freq="M")
    index = pd.DataFrame({"month": np.tile(months.strftime("%Y-%m"), len(many)),
                          "industry": np.repeat(many, len(months)),
                          "index": rng.normal(100, 0.5, len(months) * len(many))})
    falling = (index["industry"] == "C18") & (index["month"] >= "2023-09")
    index.loc[falling, "index"] -= 20
    assert not industry_outlook(book, scored)["flagged"].any()
    out = industry_outlook(book, scored, index)
    flagged = out[out["flagged"]]
    assert set(flagged["industry"]) == {"C18"} and flagged["month"].min() == "2023-10"
