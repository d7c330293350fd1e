"""The B-card: features point in time, the six-month label, the cards and their model files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from creditfactory.errors import InvalidArgument
from creditfactory.models.bcard import (
    FEATURES,
    BehaviourScorecard,
    build_features,
    fit_bcard,
    label_bad,
    score_book,
)

MONTH0 = np.datetime64("2021-01", "M")


def synthetic_book(n: int = 120, months: int = 30, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Loans booked over the first year; a third of them fall behind and roll to write-off,
    their signals rising before; the rest pay, a few prepay."""
    rng = np.random.default_rng(seed)
    booked = MONTH0 + rng.integers(0, 12, n)
    term = rng.choice([12, 24, 36], n)
    principal = rng.integers(10, 50, n) * 10_000.0
    falls = np.where(rng.random(n) < 0.35, rng.integers(4, 20, n), 10_000)
    prepay = np.where(rng.random(n) < 0.1, rng.integers(3, 12, n), 10_000)
    rows, txns, sigs = [], [], []
    for i in range(n):
        for k in range(0, months):
            month = booked[i] + k
            if month >= MONTH0 + months or k > term[i]:
                break
            behind = max(0, k - falls[i] + 1)
            dpd = min(30 * behind, 400)
            status = "current" if dpd == 0 else ("delinquent" if dpd <= 180 else "written_off")
            if k == prepay[i] and dpd == 0:
                status = "prepaid"
            left = principal[i] * (1 - min(k, falls[i]) / term[i])
            rows.append((i + 1, month, k, dpd, left, status))
            if dpd == 0 and k >= 1:
                txns.append((i + 1, month.astype("datetime64[D]") + 14, "repayment",
                             round(principal[i] / term[i] * 1.1, 2), 0.0))
            near = np.exp(-max(falls[i] - k, 0) / 4.0) if falls[i] < 1000 else 0.0
            sigs.append((i + 1, month, rng.poisson(0.3 * np.exp(1.5 * near)), rng.poisson(0.05),
                         rng.random() < 0.02 + 0.3 * near, 50_000 * np.exp(-0.4 * near + 0.2 * rng.normal()),
                         rng.random() < 0.03 + 0.3 * near, rng.random() < 0.03 + 0.2 * near))
            if status == "prepaid":
                break
    monthly = pd.DataFrame(rows, columns=["loan_id", "month", "mob", "dpd", "principal_outstanding", "status"])
    monthly["month"] = pd.to_datetime(monthly["month"].astype(str))
    monthly["bucket"] = np.where(monthly["dpd"] > 0, "M1", "M0")
    transactions = pd.DataFrame(txns, columns=["loan_id", "posted_on", "kind", "amount", "penalty"])
    transactions["posted_on"] = pd.to_datetime(transactions["posted_on"].astype(str))
    signals = pd.DataFrame(sigs, columns=["loan_id", "month", "bureau_inquiries", "bureau_new_loans",
                                          "bureau_overdue_elsewhere", "account_inflows", "tax_late",
                                          "utility_late"])
    signals["month"] = pd.to_datetime(signals["month"].astype(str))
    loans = pd.DataFrame({"loan_id": np.arange(1, n + 1), "booked_on": booked.astype("datetime64[D]"),
                          "principal": principal, "rate": 0.18, "term_months": term,
                          "industry": rng.choice(["C18", "F52"], n), "a_pd": rng.uniform(0.002, 0.05, n)})
    index_months = (MONTH0 + np.arange(months)).astype("datetime64[D]")
    index = pd.DataFrame({"month": np.tile(index_months, 2), "industry": np.repeat(["C18", "F52"], months),
                          "index": 100 + rng.normal(0, 3, 2 * months)})
    return {"loans": loans, "monthly": monthly, "transactions": transactions, "signals": signals,
            "index": index}


def _until(book: dict[str, pd.DataFrame], last: np.datetime64) -> dict[str, pd.DataFrame]:
    """The book as it stood at the end of month ``last``."""
    end = (last + 1).astype("datetime64[D]")
    return {"loans": book["loans"],
            "monthly": book["monthly"][book["monthly"]["month"] < end],
            "transactions": book["transactions"][book["transactions"]["posted_on"] < end],
            "signals": book["signals"][book["signals"]["month"] < end],
            "index": book["index"][book["index"]["month"] < end]}


def _features(b: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return build_features(b["loans"], b["monthly"], b["transactions"], b["signals"], b["index"])


@pytest.fixture(scope="module")
def book() -> dict[str, pd.DataFrame]:
    return synthetic_book()


@pytest.mark.parametrize("last", [MONTH0 + 3, MONTH0 + 11, MONTH0 + 20])
def test_a_months_features_never_change_when_later_months_are_appended(book, last) -> None:
    full = _features(book)
    then = _features(_until(book, last))
    early = full[full["month"].to_numpy().astype("datetime64[M]") <= last].reset_index(drop=True)
    assert len(then) > 50
    pd.testing.assert_frame_equal(then, early)


def test_features_are_one_row_per_active_loan_month_not_yet_past_90(book) -> None:
    X = _features(book)
    assert list(X.columns) == ["loan_id", "month", *FEATURES]
    m = book["monthly"]
    active = m[m["status"].isin(["current", "delinquent"]) & (m["dpd"] <= 90)]
    assert len(X) == len(active)
    assert not X.duplicated(["loan_id", "month"]).any()
    assert X["dpd"].max() <= 90


def test_the_label_is_90_plus_within_six_months_known_only_once_observed() -> None:
    months = (MONTH0 + np.arange(10)).astype("datetime64[D]")
    monthly = pd.DataFrame({"loan_id": 1, "month": months, "status": "current",
                            "dpd": [0, 0, 0, 0, 0, 30, 60, 91, 121, 151]})
    y = label_bad(monthly, monthly)
    assert y.tolist()[:7] == [0, 1, 1, 1, 1, 1, 1]  # month 0: months 1-6, the month before 91
    known_at_5 = label_bad(monthly, monthly.iloc[:1], as_of=str(months[5]))
    assert np.isnan(known_at_5).all()  # month 0's window runs to month 6, not yet seen
    paid = pd.DataFrame({"loan_id": 2, "month": months[:3], "status": ["current", "current", "paid_off"],
                         "dpd": 0})
    assert label_bad(paid, paid, as_of=str(months[4])).tolist() == [0, 0, 0]  # closed: observed


@pytest.mark.parametrize("objective", ["logistic", "divergence", "lightgbm"])
def test_each_card_ranks_ahead_of_chance_explains_and_round_trips(book, objective) -> None:
    X = _features(book)
    y = label_bad(book["monthly"], X)
    ok = np.isfinite(y)
    X, y = X[ok].reset_index(drop=True), y[ok].astype(int)
    card = BehaviourScorecard(objective).fit(X, y)
    p = card.predict_proba(X)[:, 1]
    from creditfactory.scorecard import metrics

    assert metrics.auc(y, p) > 0.8
    score = card.score(X)
    assert np.corrcoef(score, p)[0, 1] < -0.5  # points: higher is safer
    reasons = card.reasons(X, 3)
    named = [r for r in reasons if r]
    assert named and all(set(r.split(";")) <= set(FEATURES) and len(r.split(";")) <= 3 for r in named)
    assert card.version_.startswith(f"bcard-{objective}-")
    again = BehaviourScorecard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert again.version_ == card.version_
    np.testing.assert_allclose(again.predict_proba(X), card.predict_proba(X), rtol=1e-9)
    assert again.reasons(X, 3).equals(reasons)
    out = score_book(card, X)
    assert list(out.columns) == ["loan_id", "month", "score", "pd", "reasons"]
    assert clone(card).get_params() == card.get_params()


def test_a_card_fitted_at_a_date_is_the_same_whatever_came_later(book) -> None:
    cut = MONTH0 + 18
    args = ("transactions", "signals", "index")
    now = fit_bcard(book["loans"], book["monthly"], *(book[a] for a in args), str(cut))
    then = _until(book, cut)
    before = fit_bcard(then["loans"], then["monthly"], *(then[a] for a in args), str(cut))
    assert now.version_ == before.version_


def test_a_model_file_of_another_kind_or_edited_is_refused(book) -> None:
    X = _features(book)
    y = label_bad(book["monthly"], X)
    ok = np.isfinite(y)
    card = BehaviourScorecard("logistic").fit(X[ok], y[ok].astype(int))
    with pytest.raises(InvalidArgument):
        BehaviourScorecard.from_dict({"format": "something else"})
    edited = card.to_dict() | {"params": card.get_params() | {"pdo": 40.0}}
    with pytest.raises(InvalidArgument):
        BehaviourScorecard.from_dict(edited)
    with pytest.raises(InvalidArgument):
        BehaviourScorecard("neural").fit(X[ok], y[ok].astype(int))


def test_the_scorecards_are_split_by_arrears_and_fall_back_to_one_card(book) -> None:
    X = _features(book)
    y = label_bad(book["monthly"], X)
    ok = np.isfinite(y)
    X, y = X[ok].reset_index(drop=True), y[ok].astype(int)
    card = BehaviourScorecard("logistic").fit(X, y)
    assert set(card.model_.cards) == {"current", "arrears"}
    behind = X["dpd"].to_numpy() > 0
    arrears_only = card.model_.cards["arrears"].predict_proba(X[list(FEATURES)][behind])[:, 1]
    np.testing.assert_allclose(card.predict_proba(X)[behind, 1], arrears_only)
    y_flat = np.where(behind, 1, y)  # every loan in arrears bad: nothing to learn there
    assert set(BehaviourScorecard("logistic").fit(X, y_flat).model_.cards) == {"all"}
