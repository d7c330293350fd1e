"""A decision record explained: the limit built up to the stored limit, the price to the rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditfactory.services.decision_explain import explain_record
from creditfactory.strategy import decide_one, load_strategy

APP: dict[str, Any] = {
    "application_id": 7, "age": 40, "years_in_city": 10, "years_in_business": 6, "amount": 480000.0,
    "term_months": 36, "declared_monthly_revenue": 183500.0, "bureau_debt": 1968555.03,
    "bureau_loans": 2, "bureau_utilisation": 0.3, "inquiries_1m": 0, "inquiries_3m": 1,
    "inquiries_6m": 1, "overdue_count_6m": 0, "overdue_count_12m": 0, "overdue_count_24m": 0,
    "max_dpd_ever": 0, "industry": "F52", "resident_id": "x", "channel_type": "agent",
    "has_insurance_policy": False, "has_mortgage": False, "repeat_customer": False,
    "insurance_annual_premium": 0.0, "blacklisted": False,
}
SCORES = {"a_score": 612.3, "a_pd": 0.011, "a_reasons": "years_in_business;bureau_utilisation",
          "challenger_pd": 0.07, "fraud_score": 0.5, "fraud_rule_hits": "", "packaging_score": 0.2}


@pytest.fixture(scope="module")
def strategy() -> Any:
    return load_strategy("default")


def test_the_limit_is_built_up_to_the_stored_limit_and_names_what_bound_it(strategy: Any) -> None:
    rec = decide_one(strategy, APP, SCORES).to_plain()
    x = explain_record(rec, strategy.spec)
    steps = {s["key"]: s for s in x["limit"]["steps"]}
    assert list(steps) == ["revenue", "income_margin", "packaging", "existing_debt", "debt_service_cap",
                           "capacity", "rounding"]
    assert steps["revenue"]["amount"] == Decimal("183500.00")
    assert steps["income_margin"]["amount"] == Decimal("91750.00")
    assert steps["packaging"]["amount"] == Decimal(rec["limit_parts"]["monthly_income"])
    assert steps["debt_service_cap"]["rate"] == Decimal("0.55")
    assert steps["rounding"]["amount"] == x["limit"]["limit"] == Decimal(rec["limit"]["$decimal"])
    binding = dict(x["limit"]["caps"])[x["limit"]["binding"]]
    assert binding == min(v for _, v in x["limit"]["caps"])


def test_the_price_parts_sum_to_the_rate_unless_held_by_the_bounds(strategy: Any) -> None:
    rec = decide_one(strategy, APP, SCORES).to_plain()
    price = explain_record(rec, strategy.spec)["price"]
    parts = {s["key"]: s["rate"] for s in price["steps"]}
    assert parts["expected_loss"] == Decimal(str(price["steps"][0]["pd"])) * Decimal("0.85")
    rate = Decimal(rec["rate"]["$decimal"])
    if price["bounded"]:
        assert rate in (price["floor"], price["cap"])
    else:
        assert price["sum"].quantize(Decimal("0.0001")) == rate


def test_the_tier_rows_end_at_the_one_that_matched_and_say_what_the_others_missed(strategy: Any) -> None:
    rec = decide_one(strategy, APP, SCORES).to_plain()
    x = explain_record(rec, strategy.spec)
    rows = x["tier_rows"]
    assert rows[-1]["tier"] == rec["tier"] and rows[-1]["misses"] == []
    assert all(r["misses"] for r in rows[:-1])
    assert {"key": "disagreement", "want": False, "have": True} in rows[0]["misses"]
    assert x["challenger"]["disagrees"] and x["challenger"]["margin"] == pytest.approx(0.05)
    assert x["score"]["top_reasons"] == ["years_in_business", "bureau_utilisation"]


def test_a_record_without_parts_or_strategy_still_explains_what_it_has() -> None:
    x = explain_record({"tier": "reject", "reasons": ["P19_LOW_REVENUE"], "policy_hits": ["P19_LOW_REVENUE"]}, None)
    assert x["limit"] is None and x["price"] is None and x["tier_rows"] is None
    assert x["policy_hits"] == ["P19_LOW_REVENUE"] and x["challenger"] is None
