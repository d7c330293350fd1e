"""The batch evaluator gives exactly the decisions of the per-application evaluator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.strategy import (
    DECISION_COLUMNS,
    decide_frame,
    decide_one,
    derive_fields,
    load_strategy,
)
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores

_DEFAULT = load_strategy("default")


def one_by_one_frame(strategy, apps: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = [decide_one(strategy, a, s).outcome() for a, s in zip(apps.to_dict("records"), scores.to_dict("records"), strict=True)]
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in DECISION_COLUMNS})


def assert_same_decisions(batch: pd.DataFrame, single: pd.DataFrame) -> None:
    batch = batch[list(DECISION_COLUMNS)]
    assert list(batch.columns) == list(single.columns)
    for col in batch.columns:
        left = [None if pd.isna(v) else v for v in batch[col].astype(object)]
        right = [None if v is None or (isinstance(v, float) and v != v) else v for v in single[col].astype(object)]
        diffs = [i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b or type(a) is not type(b) and str(a) != str(b)]
        assert not diffs, f"{col} differs at rows {diffs[:5]}: {[(left[i], right[i]) for i in diffs[:3]]}"


@pytest.mark.parametrize("name", ["default", "policy_only"])
def test_batch_equals_per_application_on_synthetic_rows(name: str) -> None:
    n = 10_000
    apps = derive_fields(synthetic_applications(n, seed=7))
    scores = synthetic_scores(n, seed=8)
    strategy = load_strategy(name)
    batch = decide_frame(strategy, apps, scores)
    assert_same_decisions(batch, one_by_one_frame(strategy, apps, scores))
    assert batch["tier"].nunique() >= 2
    if strategy.spec.scoring.enabled:
        records = [decide_one(strategy, a, s) for a, s in zip(apps.head(2000).to_dict("records"), scores.head(2000).to_dict("records"), strict=True)]
        expected = np.array([np.nan if r.adjusted_pd is None or r.grade is None or r.decision == "reject" and r.reasons == ("SCORE_MISSING",) else r.adjusted_pd for r in records])
        assert np.array_equal(batch["adjusted_pd"].to_numpy()[:2000], expected, equal_nan=True)


def test_limits_and_rates_are_exact_decimals() -> None:
    apps = derive_fields(synthetic_applications(3_000, seed=3))
    batch = decide_frame(load_strategy("default"), apps, synthetic_scores(3_000, seed=4))
    approved = batch[batch["decision"] == "approve"]
    assert len(approved) > 0
    assert all(type(v).__name__ == "Decimal" for v in approved["limit"])
    assert all(type(v).__name__ == "Decimal" for v in approved["rate"])


@settings(max_examples=25, deadline=None)
@given(
    revenue=st.floats(10_000, 3_000_000),
    debt=st.floats(0, 2_000_000),
    packaging=st.floats(0, 1),
    a_pd=st.floats(0, 0.06),
    amount=st.sampled_from([100_000.0, 150_000.0, 237_500.55, 300_000.0, 500_000.0]),
)
def test_limit_boundaries_agree(revenue: float, debt: float, packaging: float, a_pd: float, amount: float) -> None:
    apps = derive_fields(synthetic_applications(1, seed=1))
    apps.loc[0, ["declared_monthly_revenue", "bureau_debt", "amount"]] = [round(revenue, 2), round(debt, 2), amount]
    apps.loc[0, ["age", "years_in_city", "years_in_business", "term_months", "bureau_utilisation", "max_dpd_ever"]] = [30, 5, 5, 36, 0.2, 0]
    apps.loc[0, ["overdue_count_6m", "overdue_count_12m", "inquiries_1m", "inquiries_3m", "bureau_loans"]] = [0, 0, 0, 0, 1]
    apps.loc[0, "industry"] = "F52"
    scores = synthetic_scores(1, seed=2)
    scores.loc[0, ["a_pd", "challenger_pd", "fraud_score", "packaging_score"]] = [a_pd, a_pd, 0.1, packaging]
    scores.loc[0, "fraud_rule_hits"] = ""
    strategy = _DEFAULT
    assert_same_decisions(decide_frame(strategy, apps, scores), one_by_one_frame(strategy, apps, scores))


def test_capacity_on_an_exact_step_boundary_agrees() -> None:
    strategy = load_strategy("default")
    apps = derive_fields(synthetic_applications(200, seed=11))
    scores = synthetic_scores(200, seed=12)
    apps["amount"] = 500_000.0
    apps["bureau_debt"] = 0.0
    scores["packaging_score"] = 0.0
    # revenue such that capacity lands on multiples of the step for grade A (factor 1)
    annuity = float(strategy.annuity[(3, 0, 36)])
    apps["declared_monthly_revenue"] = np.round(150_000 / (annuity * 0.25 * 0.5), 2)
    assert_same_decisions(decide_frame(strategy, apps, scores), one_by_one_frame(strategy, apps, scores))
