"""Money in the strategy rounds half-up to the fen through one helper, in both evaluators."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.domain.money import round_money, to_money, whole_steps
from creditfactory.strategy import decide_frame, decide_one, derive_fields, load_strategy
from creditfactory.strategy.limits import capacity, capacity_steps_vector, fen_vector, steps_of
from creditfactory.strategy.synthetic import synthetic_applications, synthetic_scores

_DEFAULT = load_strategy("default")
_ENGINE = _DEFAULT.spec.limit
half_fen_amounts = st.integers(0, 10**10).map(lambda m: (10 * m + 5) / 1000)  # x.xx5 as floats


@given(cents=st.integers(-10**12, 10**12))
def test_a_half_fen_always_rounds_away_from_zero(cents: int) -> None:
    half = Decimal(cents) / 100 + Decimal("0.005") * (1 if cents >= 0 else -1)
    expected = (Decimal(cents) + (1 if cents >= 0 else -1)) / 100
    assert round_money(half) == expected
    assert to_money(str(half)) == expected
    assert round_money(half).as_tuple().exponent == -2


@given(amount=half_fen_amounts)
def test_floats_written_with_a_half_fen_round_up_like_their_text(amount: float) -> None:
    assert to_money(amount) == round_money(Decimal(repr(amount)))
    assert to_money(amount) > Decimal(repr(amount))


@given(values=st.lists(st.one_of(half_fen_amounts, st.floats(-1e9, 1e9), st.just(float("nan"))),
                       min_size=1, max_size=50))
def test_vector_fen_rounding_gives_the_same_fen_as_the_decimal_helper(values: list[float]) -> None:
    got = fen_vector(np.array(values))
    for v, g in zip(values, got, strict=True):
        if v != v:
            assert g != g
        else:
            assert Decimal(repr(float(g))) == to_money(v), v


def test_capacity_parts_are_decimals_rounded_half_up() -> None:
    parts = capacity(_ENGINE, Decimal("1000.01"), Decimal("0.5"), Decimal("12345.625"),
                     Decimal("30.1234567891"), Decimal("1.4"))
    for value in parts.values():
        assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
    # 12345.625 x 0.008 = 98.765: half-even would keep 98.76
    assert parts["existing_debt_service"] == Decimal("98.77")


def test_a_capacity_a_hair_under_a_step_rounds_to_the_fen_before_it_is_floored() -> None:
    revenue, annuity = Decimal("1000.00"), Decimal("99999.997") / Decimal("275")
    exact = capacity(_ENGINE, revenue, Decimal(0), Decimal(0), annuity, Decimal(1))
    assert exact["capacity"] == Decimal("100000.00")
    assert steps_of(exact["capacity"], _ENGINE.step) == 10 == whole_steps(Decimal("100000.00"), _ENGINE.step)
    steps = capacity_steps_vector(
        _ENGINE, np.array([1000.0]), np.array([0.0]), np.array([0.0]), np.array([float(annuity)]),
        np.array([1.0]), lambda row: steps_of(exact["capacity"], _ENGINE.step), np.array([True]),
    )
    assert steps.tolist() == [10]
    assert int(1000.0 * 0.275 * float(annuity) // 10_000) == 9  # what a bare float floor gives


@settings(max_examples=30, deadline=None)
@given(revenue=half_fen_amounts.filter(lambda v: 20_000 <= v <= 2_000_000),
       debt=half_fen_amounts.filter(lambda v: v <= 1_000_000),
       amount=st.integers(10_000_000, 50_000_000).map(lambda c: (10 * c + 5) / 1000))
def test_batch_and_per_application_limits_agree_on_half_fen_inputs(
    revenue: float, debt: float, amount: float
) -> None:
    apps = derive_fields(synthetic_applications(1, seed=1))
    apps.loc[0, ["declared_monthly_revenue", "bureau_debt", "amount"]] = [revenue, debt, amount]
    apps.loc[0, ["age", "years_in_city", "years_in_business", "term_months", "bureau_utilisation"]] = [30, 5, 5, 36, 0.2]
    apps.loc[0, ["max_dpd_ever", "overdue_count_6m", "overdue_count_12m", "inquiries_1m", "bureau_loans"]] = [0, 0, 0, 0, 1]
    apps.loc[0, "industry"] = "F52"
    scores = synthetic_scores(1, seed=2)
    scores.loc[0, ["a_pd", "challenger_pd", "fraud_score", "packaging_score"]] = [0.004, 0.004, 0.1, 0.0]
    scores.loc[0, "fraud_rule_hits"] = ""
    batch = decide_frame(_DEFAULT, apps, scores).iloc[0]
    one = decide_one(_DEFAULT, apps.iloc[0].to_dict(), scores.iloc[0].to_dict())
    assert batch["tier"] == one.tier
    assert batch["limit"] == one.limit
    if one.limit_parts is not None:
        assert Decimal(one.limit_parts["capacity"]).as_tuple().exponent == -2
