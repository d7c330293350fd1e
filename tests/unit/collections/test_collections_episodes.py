"""Delinquency episodes: where they start, and the debt service a business carries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.collections.episodes import HOME_LOAN, OTHER_DEBT_MONTHLY, delinquency_episodes


def _book() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    loans = pd.DataFrame({"loan_id": [1, 2], "application_id": [11, 12], "principal": ["120000", "120000"],
                          "rate": [0.12, 0.12], "term_months": [12, 12], "industry": ["C", "C"], "a_pd": [0.01, 0.02]})
    months = pd.to_datetime(["2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30"])
    monthly = pd.DataFrame({"loan_id": np.repeat([1, 2], 4), "month": np.tile(months, 2),
                            "mob": np.tile([1, 2, 3, 4], 2), "dpd": [0, 12, 0, 5, 0, 0, 40, 70],
                            "principal_outstanding": ["110000"] * 8, "status": ["current"] * 8})
    signals = pd.DataFrame({"loan_id": np.repeat([1, 2], 4), "month": np.tile(months, 2),
                            "account_inflows": [100_000.0] * 8, "bureau_overdue_elsewhere": [False] * 8,
                            "bureau_inquiries": [0] * 8, "bureau_new_loans": [0] * 8,
                            "tax_late": [False] * 8, "utility_late": [False] * 8})
    return loans, monthly, signals


def test_episodes_start_after_being_current_and_carry_their_debt_service() -> None:
    loans, monthly, signals = _book()
    apps = pd.DataFrame({"application_id": [11, 12], "bureau_debt": [200_000.0, HOME_LOAN + 100_000.0],
                         "has_mortgage": [False, True], "declared_monthly_revenue": [50_000.0, 80_000.0]})
    ep = delinquency_episodes(loans, monthly, signals, applications=apps)
    assert ep[["loan_id", "dpd"]].to_numpy().tolist() == [[1, 12], [1, 5], [2, 40]]
    assert ep["prior_episodes"].tolist() == [0, 1, 0]
    inst = float(ep["instalment"].iloc[0])
    assert inst == pytest.approx(120_000 * 0.01 / (1 - 1.01**-12))
    first = (200_000.0 * OTHER_DEBT_MONTHLY + inst)
    assert ep["debt_service_to_revenue"].iloc[0] == pytest.approx(first / 50_000.0)
    assert ep["debt_service_to_inflows"].iloc[0] == pytest.approx(first / 100_000.0)
    # a mortgage holder's home loan is served by the household, not the business
    assert ep["debt_service_to_revenue"].iloc[2] == pytest.approx((100_000.0 * OTHER_DEBT_MONTHLY + inst) / 80_000.0)


def test_without_the_applications_the_debt_service_is_missing() -> None:
    loans, monthly, signals = _book()
    ep = delinquency_episodes(loans, monthly, signals)
    assert ep["debt_service_to_inflows"].isna().all() and ep["debt_service_to_revenue"].isna().all()


def test_ring_linked_says_whether_the_link_was_known_when_the_episode_began() -> None:
    loans, monthly, signals = _book()
    march = int(pd.Timestamp("2020-03-01").timestamp())
    ep = delinquency_episodes(loans, monthly, signals, ring_links=pd.Series([march], index=[11]))
    # loan 1 missed in February (before the link) and again in April; loan 2's application never linked
    assert ep["ring_linked"].tolist() == [0.0, 1.0, 0.0]
    assert delinquency_episodes(loans, monthly, signals)["ring_linked"].isna().all()



def test_the_first_missed_day_is_the_month_end_less_the_days_past_due_however_months_are_labelled() -> None:
    loans, monthly, signals = _book()
    by_last_day = delinquency_episodes(loans, monthly, signals)
    first_of_month = monthly.assign(month=monthly["month"].dt.to_period("M").dt.to_timestamp())
    by_first_day = delinquency_episodes(loans, first_of_month, signals)
    # loan 1 was 12 days past due at the end of February 2020: it first missed on 17 February
    assert by_last_day["start"].tolist() == by_first_day["start"].tolist()
    assert by_last_day["start"].iloc[0] == pd.Timestamp("2020-02-17")
