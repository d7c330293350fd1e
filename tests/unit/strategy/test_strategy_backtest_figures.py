"""Back-test figures on loans whose histories are written out by hand."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from creditfactory.data.outcomes import align_outcomes, loan_outcomes
from creditfactory.strategy import load_strategy
from creditfactory.strategy.backtest import booked_figures, rule_hits


def _perf(rows: list[tuple[int, int, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["application_id", "mob", "dpd", "balance", "paid"])


APPS = pd.DataFrame({"application_id": [1, 2, 3], "amount": [100_000.0, 200_000.0, 300_000.0]})
PERF = _perf([
    (1, 1, 0, 90_000.0, 12_000.0), (1, 2, 0, 80_000.0, 12_000.0),
    (2, 2, 30, 190_000.0, 0.0), (2, 1, 0, 190_000.0, 15_000.0), (2, 3, 60, 190_000.0, 0.0),
    (2, 4, 91, 185_000.0, 5_000.0), (2, 5, 120, 185_000.0, 0.0), (2, 6, 0, 0.0, 60_000.0),
    (3, 14, 95, 250_000.0, 0.0), (3, 13, 20, 250_000.0, 0.0), (3, 15, 0, 0.0, 100_000.0),
])


def test_outcomes_take_the_balance_at_the_first_90_plus_month_and_payments_after_it() -> None:
    out = loan_outcomes(APPS, PERF).set_index("application_id")
    assert out.loc[1, ["npl_balance", "recoveries"]].tolist() == [0.0, 0.0]
    assert out.loc[2, ["npl_balance", "recoveries"]].tolist() == [185_000.0, 60_000.0]
    assert out.loc[3, "npl_balance"] == 250_000.0
    assert out["bad12"].tolist() == [False, True, False]
    assert out["ever90"].tolist() == [False, True, True]
    # opening balances of on-time months before any 90+ event: loan 2 paid mob 1 on time only
    assert out.loc[2, "earning_balance"] == 200_000.0
    assert out.loc[1, "earning_balance"] == 100_000.0 + 90_000.0


def test_applications_without_history_get_empty_outcomes() -> None:
    apps = pd.concat([APPS, pd.DataFrame({"application_id": [4], "amount": [150_000.0]})], ignore_index=True)
    aligned = align_outcomes(apps, loan_outcomes(apps, PERF))
    assert aligned["application_id"].tolist() == [1, 2, 3, 4]
    assert aligned.loc[3, ["npl_balance", "bad12"]].tolist() == [0.0, False]


def test_npl_and_loss_scale_by_limit_over_amount() -> None:
    s = load_strategy("policy_only")
    out = align_outcomes(APPS, loan_outcomes(APPS, PERF))
    frame = out.assign(amount=APPS["amount"], limit=[Decimal(100000), Decimal(100000), None],
                       rate=[Decimal("0.2"), Decimal("0.2"), None])
    figures = booked_figures(frame, np.array([True, True, False]), s)
    # loan 2 booked at half its asked amount: NPL 92,500 of 200,000 booked
    assert figures["npl_rate"] == pytest.approx(92_500 / 200_000)
    assert figures["loss_rate"] == pytest.approx((92_500 - 30_000) / 200_000)
    assert figures["bad_rate"] == pytest.approx(0.5)
    assert figures["profit"] == pytest.approx(figures["interest_income"] - figures["funding_and_operating_cost"] - figures["loss"])


def test_rule_hit_and_unique_hit_rates() -> None:
    s = load_strategy("policy_only")
    frame = pd.DataFrame({"policy_hits": ["P01_AGE_MIN", "P01_AGE_MIN;P03_NOT_LOCAL", "", "P03_NOT_LOCAL"]})
    table = rule_hits(s, frame).set_index("rule")
    assert table.loc["P01_AGE_MIN"].tolist() == [0.5, 0.25]
    assert table.loc["P03_NOT_LOCAL"].tolist() == [0.5, 0.25]
    assert table.loc["P02_AGE_MAX"].tolist() == [0.0, 0.0]
