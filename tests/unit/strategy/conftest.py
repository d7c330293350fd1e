"""Shared inputs for the strategy tests: a clean application and clean scores."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def good_app() -> dict[str, Any]:
    """An application that passes every knock-out of the shipped policy."""
    return {
        "application_id": 42,
        "channel_id": "AG0001",
        "channel_type": "agent_app",
        "amount": 200000.0,
        "term_months": 36,
        "resident_id": "110101199001011234",
        "phone": "13912345678",
        "age": 35,
        "years_in_city": 8,
        "industry": "F52",
        "years_in_business": 5,
        "declared_monthly_revenue": 150000.0,
        "bureau_utilisation": 0.3,
        "bureau_loans": 2,
        "bureau_debt": 50000.0,
        "overdue_count_6m": 0,
        "overdue_count_12m": 0,
        "overdue_count_24m": 1,
        "max_dpd_ever": 0,
        "inquiries_1m": 0,
        "inquiries_3m": 1,
        "inquiries_6m": 2,
        "has_mortgage": False,
        "has_car_loan": False,
        "has_insurance_policy": False,
        "insurance_annual_premium": 0.0,
        "repeat_customer": False,
    }


@pytest.fixture
def good_scores() -> dict[str, Any]:
    """Scores of a safe applicant with no fraud signal and an agreeing challenger."""
    return {
        "a_score": 700.0,
        "a_pd": 0.005,
        "challenger_pd": 0.007,
        "fraud_score": 0.05,
        "fraud_rule_hits": "",
        "packaging_score": 0.1,
    }
