"""P18 means what its YAML says: the declared threshold, in the field's unit, and its reason."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from creditfactory.strategy import decide_frame, decide_one, load_strategy
from creditfactory.strategy.spec import PolicyRule

MONTHS_PER = {"years": 12, "months": 1}
WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "eighteen": 18}


def _rule(name: str) -> PolicyRule:
    return next(r for r in load_strategy(name).spec.policy if r.code == "P18_YOUNG_BUSINESS")


def _threshold_months(rule: PolicyRule) -> int:
    """The age in months below which the rule knocks out, read from its condition."""
    (cond,) = rule.when
    assert cond.op == "<"
    unit = cond.field.split("_")[0]  # years_in_business: whole years
    months = float(cond.value) * MONTHS_PER[unit]  # type: ignore[arg-type]
    assert months == int(months) and float(cond.value) == int(cond.value), (
        f"{cond.field} counts whole {unit}: a threshold of {cond.value} cannot be told apart"
    )
    return int(months)


def _stated_months(reason: str) -> int:
    found = re.search(r"younger than (\w+) (year|month)s?", reason)
    assert found, reason
    return WORDS[found.group(1)] * MONTHS_PER[found.group(2) + "s"]


def _aged(app: dict[str, Any], months: int) -> dict[str, Any]:
    """The applicant with a business ``months`` old, as the data counts it (whole years)."""
    return {**app, "years_in_business": months // 12}


@pytest.mark.parametrize("name", ["default", "policy_only"])
def test_the_reason_states_the_age_the_condition_tests(name: str) -> None:
    rule = _rule(name)
    assert _stated_months(rule.reason) == _threshold_months(rule)


@pytest.mark.parametrize("name", ["default", "policy_only"])
def test_a_business_just_younger_than_the_threshold_is_knocked_out_and_one_just_older_is_not(
    name: str, good_app: dict[str, Any], good_scores: dict[str, Any]
) -> None:
    strategy, rule = load_strategy(name), _rule(name)
    limit = _threshold_months(rule)
    inside = decide_one(strategy, _aged(good_app, limit - 1), good_scores)
    outside = decide_one(strategy, _aged(good_app, limit), good_scores)
    assert rule.code in inside.policy_hits and inside.decision == "reject"
    assert rule.code not in outside.policy_hits


@pytest.mark.parametrize("name", ["default", "policy_only"])
def test_every_age_in_months_is_judged_by_the_declared_threshold_in_both_evaluators(
    name: str, good_app: dict[str, Any], good_scores: dict[str, Any]
) -> None:
    strategy, rule = load_strategy(name), _rule(name)
    limit = _threshold_months(rule)
    ages = list(range(0, 4 * 12))
    apps = pd.DataFrame([_aged(good_app, m) for m in ages])
    scores = pd.DataFrame([good_scores] * len(ages))
    batch = decide_frame(strategy, apps, scores)
    for m, hits in zip(ages, batch["policy_hits"], strict=True):
        one = decide_one(strategy, _aged(good_app, m), good_scores)
        assert (rule.code in one.policy_hits) == (m < limit), m
        assert (rule.code in str(hits).split(";")) == (m < limit), m
