"""Traffic-light rules: thresholds, popmon's σ bounds against the trailing window, the minimum
volume, owners and actions, and a rules file that says what is wrong with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring import DEFAULT_RULES, evaluate, load_rules


def _metrics(metric: str, values: dict[str, list[float]], volume: int = 500,
             dimension: str = "branch") -> pd.DataFrame:
    rows = []
    for value, series in values.items():
        months = pd.period_range("2023-01", periods=len(series), freq="M").strftime("%Y-%m")
        rows += [{"month": m, "dimension": dimension, "value": value, "metric": metric,
                  "observed": x, "volume": volume} for m, x in zip(months, series, strict=True)]
    return pd.DataFrame(rows)


def _rules(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return load_rules(path)


THRESHOLD = """
defaults: {min_volume: 100}
rules:
  - name: npl
    metric: npl_ratio
    dimensions: [branch]
    threshold: {amber: 0.02, red: 0.04}
    owner: risk_analyst
    action: {amber: review visit, red: freeze undrawn limit}
"""

SIGMA = """
rules:
  - name: roll
    metric: roll_M0_M1
    dimensions: [branch]
    sigma: {amber: 4, red: 7}
    reference_months: 12
    min_reference: 6
    owner: risk_analyst
    action: {amber: early collections contact, red: early collections contact}
"""


def test_threshold_rule_lights_amber_and_red_with_owner_and_action(tmp_path: Path) -> None:
    rules = _rules(tmp_path, THRESHOLD)
    alerts = evaluate(_metrics("npl_ratio", {"B1": [0.01, 0.02, 0.039, 0.04], "B2": [0.0] * 4}),
                      rules)
    assert alerts[["month", "value", "level", "action"]].values.tolist() == [
        ["2023-04", "B1", "red", "freeze undrawn limit"],
        ["2023-03", "B1", "amber", "review visit"],
        ["2023-02", "B1", "amber", "review visit"],
    ]
    assert set(alerts["owner"]) == {"risk_analyst"} and set(alerts["rule"]) == {"npl"}


def test_groups_below_the_minimum_volume_raise_nothing(tmp_path: Path) -> None:
    rules = _rules(tmp_path, THRESHOLD)
    assert evaluate(_metrics("npl_ratio", {"B1": [0.5, 0.5]}, volume=99), rules).empty
    assert len(evaluate(_metrics("npl_ratio", {"B1": [0.5, 0.5]}, volume=100), rules)) == 2


def test_a_rule_ignores_other_dimensions_and_metrics(tmp_path: Path) -> None:
    rules = _rules(tmp_path, THRESHOLD)
    assert evaluate(_metrics("npl_ratio", {"C18": [0.5]}, dimension="industry"), rules).empty
    assert evaluate(_metrics("dpd30_ratio", {"B1": [0.5]}), rules).empty


def test_sigma_rule_uses_the_trailing_window_mean_and_deviation(tmp_path: Path) -> None:
    rules = _rules(tmp_path, SIGMA)
    base = [0.01, 0.012, 0.011, 0.009, 0.010, 0.011, 0.012, 0.010, 0.009, 0.011, 0.010, 0.012]
    mean, sd = float(np.mean(base)), float(np.std(base, ddof=1))
    amber_value, red_value = mean + 5 * sd, mean + 8 * sd
    alerts = evaluate(_metrics("roll_M0_M1", {"B1": base + [amber_value],
                                              "B2": base + [red_value],
                                              "B3": base + [mean + 3.9 * sd],
                                              "B4": base + [mean - 9 * sd]}), rules)
    got = alerts.set_index("value")
    assert sorted(got.index) == ["B1", "B2"]
    assert got.loc["B1", "level"] == "amber" and got.loc["B2", "level"] == "red"
    assert got.loc["B1", "reference"] == pytest.approx(mean)
    assert got.loc["B1", "bound"] == pytest.approx(mean + 4 * sd)
    assert got.loc["B2", "bound"] == pytest.approx(mean + 7 * sd)
    assert set(got["month"]) == {"2024-01"}  # the first month with a full window


def test_sigma_rule_waits_for_enough_reference_months(tmp_path: Path) -> None:
    rules = _rules(tmp_path, SIGMA)
    assert evaluate(_metrics("roll_M0_M1", {"B1": [0.01, 0.011, 0.01, 0.012, 0.011, 0.9]}),
                    rules).empty


def test_the_shipped_rules_load_and_cover_the_four_actions() -> None:
    rules = load_rules(DEFAULT_RULES)
    actions = {a for r in rules for a in r.action.values()}
    assert {"freeze undrawn limit", "review visit", "early collections contact",
            "stop a channel"} <= actions
    assert {d for r in rules for d in r.dimensions} >= {"branch", "product", "industry",
                                                         "channel", "bank"}


@pytest.mark.parametrize(("text", "message"), [
    ("rules: [{name: a, metric: m, dimensions: [all], owner: o, action: {red: x}}]",
     "either 'threshold' or 'sigma'"),
    ("rules: [{name: a, metric: m, dimensions: [all], owner: o, threshold: {red: 1}, "
     "action: {amber: x}}]", "each with an action"),
    ("rules: [{name: a, metric: m, dimensions: [all], owner: o, threshold: {red: 1}, "
     "action: {red: x}, colour: blue}]", "unknown keys"),
    ("rules: [{metric: m, dimensions: [all], owner: o, threshold: {red: 1}, action: {red: x}}]",
     "'name' is required"),
    ("rules: [\n  - {name: a", "rules file"),
])
def test_a_bad_rules_file_is_refused_with_its_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        _rules(tmp_path, text)
