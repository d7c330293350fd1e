"""Each engine's edge cases, through the per-application evaluator."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from creditfactory.strategy import decide_one, load_strategy, parse_strategy
from creditfactory.strategy.loader import shipped_text


@pytest.fixture(scope="module")
def default():  # type: ignore[no-untyped-def]
    return load_strategy("default")


def test_clean_safe_application_is_auto_approved(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app, good_scores)
    assert (r.decision, r.tier, r.grade, r.fraud_band, r.product) == ("approve", "auto_approve", "A", "low", "STANDARD_LOAN")
    assert r.reasons == ()
    assert r.limit is not None and r.limit % 10000 == 0
    assert Decimal(100000) <= r.limit <= Decimal(200000)


def test_policy_knockouts_reject_with_every_hit_code(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    app = good_app | {"age": 19, "inquiries_1m": 7, "industry": "K70"}
    r = decide_one(default, app, good_scores)
    assert r.decision == "reject"
    assert r.reasons == ("P01_AGE_MIN", "P08_INQUIRIES_1M", "P13_EXCLUDED_INDUSTRY")
    assert r.grade is None and r.limit is None


def test_missing_input_follows_if_missing(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app | {"declared_monthly_revenue": None}, good_scores)
    assert r.reasons == ("P19_LOW_REVENUE",)
    r = decide_one(default, good_app | {"age": float("nan")}, good_scores)
    assert r.decision == "approve"


def test_limit_below_minimum_is_a_reject_with_reason(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    app = good_app | {"declared_monthly_revenue": 21000.0, "bureau_debt": 500000.0}
    r = decide_one(default, app, good_scores)
    assert (r.decision, r.reasons) == ("reject", ("LIMIT_BELOW_MINIMUM",))
    assert r.limit is None
    assert r.limit_parts is not None and Decimal(r.limit_parts["capacity"]) < 100000


def test_limit_never_exceeds_amount_asked_and_rounds_down(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app | {"amount": 129999.99, "declared_monthly_revenue": 900000.0}, good_scores)
    assert r.limit == Decimal(120000)


def test_limit_is_capped_by_the_product_table(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    rich = good_app | {"amount": 500000.0, "declared_monthly_revenue": 2_000_000.0}
    assert decide_one(default, rich, good_scores).limit == Decimal(300000)
    insured = rich | {"has_insurance_policy": True, "insurance_annual_premium": 8000.0}
    r = decide_one(default, insured, good_scores)
    assert (r.product, r.limit) == ("INSURANCE_LOAN", Decimal(500000))


def test_riskier_grades_get_smaller_limits_from_the_grade_table(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    rich = good_app | {"amount": 500000.0, "has_mortgage": True, "declared_monthly_revenue": 2_000_000.0}
    by_grade = {}
    for pd_ in (0.005, 0.012, 0.018, 0.024):
        r = decide_one(default, rich, good_scores | {"a_pd": pd_, "challenger_pd": pd_})
        assert r.decision == "approve" and r.limit_parts is not None
        by_grade[r.grade] = (r.limit, r.limit_parts["grade_max_limit"])
    assert by_grade == {
        "A": (Decimal(500000), "500000"),
        "B": (Decimal(400000), "400000"),
        "C": (Decimal(250000), "250000"),
        "D": (Decimal(150000), "150000"),
    }


def test_grade_cap_below_the_minimum_rejects_for_the_limit(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    text = shipped_text("default").replace("limit_factor: 0.8, max_limit: 150000", "limit_factor: 0.8, max_limit: 90000")
    strategy = parse_strategy(text)
    r = decide_one(strategy, good_app, good_scores | {"a_pd": 0.024, "challenger_pd": 0.024})
    assert (r.grade, r.decision, r.reasons) == ("D", "reject", ("LIMIT_BELOW_MINIMUM",))


def test_packaging_risk_cuts_capacity(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    app = good_app | {"amount": 500000.0, "has_mortgage": True, "declared_monthly_revenue": 40000.0}
    clean = decide_one(default, app, good_scores)
    packaged = decide_one(default, app, good_scores | {"packaging_score": 0.9})
    assert packaged.limit is not None and clean.limit is not None and packaged.limit < clean.limit


def test_a_product_nobody_fits_is_a_reject(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    text = shipped_text("default").replace("{field: years_in_business, op: \">=\", value: 1}", "{field: years_in_business, op: \">=\", value: 30}")
    s = parse_strategy(text)
    r = decide_one(s, good_app, good_scores)
    assert (r.decision, r.reasons, r.product) == ("reject", ("NO_PRODUCT",), None)


def test_missing_scorecard_input_sends_to_field_investigation(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app, good_scores | {"a_pd": None})
    assert (r.decision, r.tier, r.grade) == ("approve", "field_investigation", "D")
    assert r.reasons[0] == "SCORE_MISSING"


def test_missing_scorecard_input_can_be_configured_to_reject(good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    s = parse_strategy(shipped_text("default").replace("on_missing: field_investigation", "on_missing: reject"))
    r = decide_one(s, good_app, good_scores | {"a_pd": float("nan")})
    assert (r.decision, r.reasons) == ("reject", ("SCORE_MISSING",))


def test_high_pd_is_rejected_below_cutoff(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app, good_scores | {"a_pd": 0.2, "challenger_pd": 0.2})
    assert (r.decision, r.grade, r.reasons) == ("reject", "E", ("SCORE_BELOW_CUTOFF",))


def test_challenger_disagreement_blocks_auto_approval(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app, good_scores | {"challenger_pd": 0.09})
    assert r.disagreement is True
    assert r.tier == "field_investigation"
    assert "CHALLENGER_DISAGREES" in r.reasons


def test_intermediary_segment_inflates_pd(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    app = good_app | {"channel_type": "intermediary"}
    r = decide_one(default, app, good_scores | {"a_pd": 0.0095, "challenger_pd": 0.0095})
    assert (r.segment, r.grade) == ("intermediary", "B")


def test_fraud_reject_rule_and_band(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    impostor = decide_one(default, good_app, good_scores | {"fraud_rule_hits": "IMP_ID_REUSED,IMP_AGE_MISMATCH"})
    assert (impostor.decision, impostor.reasons) == ("reject", ("IMP_AGE_MISMATCH", "IMP_ID_REUSED"))
    borrowed_id = decide_one(default, good_app, good_scores | {"fraud_rule_hits": "IMP_ID_REUSED"})
    assert (borrowed_id.decision, borrowed_id.reasons) == ("reject", ("IMP_ID_REUSED",))
    very_high = decide_one(default, good_app, good_scores | {"fraud_score": 0.995})
    assert very_high.reasons == ("FRAUD_BAND_VERY_HIGH",)
    soft = decide_one(default, good_app, good_scores | {"fraud_rule_hits": "VELOCITY"})
    assert (soft.fraud_band, soft.tier) == ("medium", "remote_verification")
    assert soft.reasons == ("FRAUD_RULES_HIT",)


@pytest.mark.parametrize("a_pd", [0.001, 0.012, 0.018, 0.024])
def test_price_is_within_bounds_and_parts_add_up(default, good_app, good_scores, a_pd: float) -> None:  # type: ignore[no-untyped-def]
    r = decide_one(default, good_app, good_scores | {"a_pd": a_pd, "challenger_pd": a_pd})
    assert r.rate is not None and r.rate_parts is not None
    assert Decimal("0.18") <= r.rate <= Decimal("0.24")
    parts = sum(Decimal(v) for k, v in r.rate_parts.items() if k != "bounded")
    if r.rate_parts["bounded"] == "False":
        assert parts.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) == r.rate


def test_worse_grade_never_prices_lower(default) -> None:  # type: ignore[no-untyped-def]
    for row in default.prices:
        rates = [p.rate for p in row]
        assert rates == sorted(rates)


def test_large_amount_goes_to_remote_verification(default, good_app, good_scores) -> None:  # type: ignore[no-untyped-def]
    app: dict[str, Any] = good_app | {"amount": 450000.0, "has_mortgage": True, "declared_monthly_revenue": 400000.0}
    r = decide_one(default, app, good_scores)
    assert (r.limit, r.tier) == (Decimal(450000), "remote_verification")


def test_policy_only_investigates_every_pass(good_app) -> None:  # type: ignore[no-untyped-def]
    s = load_strategy("policy_only")
    r = decide_one(s, good_app, {})
    assert (r.decision, r.tier, r.grade, r.reasons) == ("approve", "field_investigation", "U", ("POLICY_PASS_VISIT",))
