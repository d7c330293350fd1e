"""Learning from the book: the scorecards' figures against matured outcomes (equal to an
independent computation, point in time) and the promotion rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring.frame import month_number
from creditfactory.monitoring.learning import (
    PromotionRule,
    book_performance,
    decide_promotion,
    load_promotion_rule,
    matured_outcomes,
)


def _book(n_loans: int = 600, months: int = 30, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loans paid out over the first 18 months; a loan's risk drives 90+ DPD (held from the
    month it starts until the book ends), some loans pay off early."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2024-01-01")
    payout = rng.integers(0, 18, n_loans)
    risk = rng.uniform(0.01, 0.4, n_loans)
    loans = pd.DataFrame({"loan_id": np.arange(1, n_loans + 1), "a_pd": risk,
                          "booked_on": [first + pd.DateOffset(months=int(p), days=3) for p in payout]})
    rows = []
    for i in range(n_loans):
        default_at = payout[i] + 1 + rng.integers(0, 20) if rng.random() < risk[i] else None
        paid_at = payout[i] + 1 + rng.integers(6, 30) if rng.random() < 0.3 else None
        for k in range(payout[i] + 1, months):
            mob = k - payout[i]
            dpd = 0 if default_at is None or k < default_at else 30 * (k - default_at) + 10
            status = "delinquent" if dpd else "current"
            if paid_at is not None and k >= paid_at and dpd == 0:
                status = "paid_off"
            rows.append((i + 1, first + pd.DateOffset(months=k), mob, dpd, status))
            if status == "paid_off":
                break
    monthly = pd.DataFrame(rows, columns=["loan_id", "month", "mob", "dpd", "status"])
    return loans, monthly


def _naive_bad12(loans: pd.DataFrame, monthly: pd.DataFrame, loan_id: int) -> tuple[int, int]:
    """Bad (over 90 DPD in MOB 1..12) and the month its cohort's window closed, row by row."""
    start = int(month_number(loans.loc[loans["loan_id"] == loan_id, "booked_on"])[0])
    rows = monthly[monthly["loan_id"] == loan_id]
    for m, dpd in zip(month_number(rows["month"]), rows["dpd"], strict=True):
        if m > start + 12:
            break
        if dpd > 90:
            return 1, start + 12
    return 0, start + 12


def test_matured_outcomes_equal_a_row_by_row_reading() -> None:
    loans, monthly = _book(200)
    as_of = int(month_number(pd.Series([pd.Timestamp("2025-09-01")]))[0])
    out = matured_outcomes(monthly, loans["loan_id"].to_numpy(), month_number(loans["booked_on"]),
                           window=12, as_of=as_of)
    for r in out.itertuples():
        bad, known = _naive_bad12(loans, monthly, r.loan_id)
        assert r.matured == (known <= as_of)
        if r.matured:
            assert (r.bad, r.known) == (bad, known)
    assert out["bad"][out["matured"]].sum() > 10 and (~out["matured"]).sum() > 10


def test_monthly_auc_and_ks_equal_sklearn_on_the_matured_window() -> None:
    loans, monthly = _book()
    perf, cal = book_performance(loans, monthly)
    a = perf[perf["model"] == "a_card"].dropna(subset=["auc"])
    assert len(a) >= 10
    payout = month_number(loans["booked_on"])
    for row in a.itertuples():
        m = int(month_number(pd.Series([pd.Timestamp(row.month + "-01")]))[0])
        known = np.array([_naive_bad12(loans, monthly, i) for i in loans["loan_id"]])
        inside = (known[:, 1] <= m) & (known[:, 1] > m - 3)
        y, p = known[inside, 0], loans["a_pd"].to_numpy()[inside]
        assert row.n == inside.sum() and row.bads == y.sum()
        assert row.auc == pytest.approx(roc_auc_score(y, p), abs=1e-12)
        fpr = np.array([((p >= t) & (y == 0)).sum() / (y == 0).sum() for t in np.unique(p)])
        tpr = np.array([((p >= t) & (y == 1)).sum() / (y == 1).sum() for t in np.unique(p)])
        assert row.ks == pytest.approx(np.max(np.abs(tpr - fpr)), abs=1e-12)
        band = cal[(cal["model"] == "a_card") & (cal["month"] == row.month)]
        assert band["n"].sum() == row.n
        assert (band["observed"] * band["n"]).sum() == pytest.approx(row.bads)
        assert (band["predicted"] * band["n"]).sum() == pytest.approx(p.sum())
        break  # one month fully checked row by row; the others share the code path
    assert payout.min() >= 0


def test_a_month_reads_only_outcomes_matured_by_then() -> None:
    loans, monthly = _book()
    full, _ = book_performance(loans, monthly)
    cut = pd.Timestamp("2025-06-01")
    early, _ = book_performance(loans, monthly[monthly["month"] <= cut])
    shared = early["month"].unique()
    assert len(shared) >= 6
    a = full[full["month"].isin(shared)].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, early.reset_index(drop=True))


def test_b_card_is_judged_on_the_next_six_months() -> None:
    loans, monthly = _book()
    rng = np.random.default_rng(0)
    active = monthly[monthly["dpd"] <= 90]
    bscore = pd.DataFrame({"loan_id": active["loan_id"], "month": active["month"],
                           "pd": rng.random(len(active))})
    perf, _ = book_performance(loans, monthly, bscore, bcard_reference_months={"2024-03"})
    b = perf[perf["model"] == "b_card"].dropna(subset=["auc"])
    assert not b.empty and b["psi"].notna().all()
    row = b.iloc[len(b) // 2]
    m = int(month_number(pd.Series([pd.Timestamp(row["month"] + "-01")]))[0])
    out = matured_outcomes(monthly, bscore["loan_id"].to_numpy(), month_number(bscore["month"]),
                           window=6)
    inside = out["known"].to_numpy() == m
    assert row["n"] == inside.sum()
    assert row["auc"] == pytest.approx(roc_auc_score(out["bad"][inside], bscore["pd"][inside]))


def _window(n: int, bads: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    y[rng.choice(n, bads, replace=False)] = 1
    signal = y + rng.normal(0, 1.2, n)
    return y, 1 / (1 + np.exp(-(signal - 3)))


RULE = PromotionRule(auc_margin=0.01, psi_max=0.1, min_bads=50, window_months=6)


def test_promotes_a_better_and_stable_challenger_and_says_why() -> None:
    y, good = _window(5000, 300)
    rng = np.random.default_rng(1)
    weak = good + rng.normal(0, 0.05, len(y))  # the champion: the same signal, blurred
    ref = np.random.default_rng(2).choice(good, 2000)
    d = decide_promotion(y, weak, good, ref, RULE, window_from="2025-01", window_to="2025-06")
    assert d.promoted
    assert d.challenger_auc > d.champion_auc + 0.01 and d.psi < 0.1 and d.bads == 300
    assert d.as_dict()["rule"]["auc_margin"] == 0.01 and d.reasons


def test_refuses_a_worse_challenger() -> None:
    y, good = _window(5000, 300)
    worse = good + np.random.default_rng(1).normal(0, 0.05, len(y))
    d = decide_promotion(y, good, worse, good, RULE)
    assert not d.promoted and any("AUC" in r for r in d.reasons)


def test_refuses_when_the_psi_gate_fails_even_if_better() -> None:
    y, good = _window(5000, 300)
    weak = good + np.random.default_rng(1).normal(0, 0.05, len(y))
    shifted_reference = good / 4  # the champion's development PDs far lower
    d = decide_promotion(y, weak, good, shifted_reference, RULE)
    assert not d.promoted and d.psi > 0.1
    assert [r for r in d.reasons if "PSI" in r] and not [r for r in d.reasons if "AUC" in r]


def test_refuses_with_too_few_bads() -> None:
    y, good = _window(3000, 30)
    weak = good + np.random.default_rng(1).normal(0, 0.05, len(y))
    d = decide_promotion(y, weak, good, good, RULE)
    assert not d.promoted and d.bads == 30 and any("too few bads" in r for r in d.reasons)


def test_the_rule_file_is_declared_and_checked(tmp_path) -> None:
    shipped = load_promotion_rule()
    assert (shipped.auc_margin, shipped.psi_max, shipped.min_bads) == (0.01, 0.10, 50)
    f = tmp_path / "rule.yaml"
    f.write_text("auc_margin: 0.02\npsi_max: 0.2\nmin_bads: 10\nwindow_months: 3\n")
    assert load_promotion_rule(f) == PromotionRule(0.02, 0.2, 10, 3, str(f))
    f.write_text("auc_margin: 0.02\nmargin_typo: 1\n")
    with pytest.raises(InvalidArgument, match="margin_typo"):
        load_promotion_rule(f)
