"""Cut-offs and limits from the risk appetite: the candidate tables, the choice on the
development window, and the choice kept with the strategy text the live service reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from creditfactory.settings import DEV_SECRET_KEY
from creditfactory.strategy import load_strategy, parse_strategy
from creditfactory.strategy.appetite import (
    calibrate,
    candidate_grades,
    candidate_product_limits,
    needs_calibration,
    with_calibration,
)
from creditfactory.strategy.loader import shipped_text
from creditfactory.strategy.spec import Calibration

D = Decimal


def test_a_cut_off_inside_the_table_declines_the_grades_above_it() -> None:
    spec = load_strategy("default").spec
    grades = candidate_grades(spec, D("0.012"), D(1))
    accepted = [g for g in grades if not g.decline]
    assert [g.name for g in accepted] == ["A", "B"]
    assert accepted[-1].max_pd == D("0.012") and accepted[0].max_pd == D("0.008")
    assert {g.name for g in grades} == {g.name for g in spec.grades}
    assert all(b.max_pd >= a.max_pd for a, b in zip(grades, grades[1:], strict=False))


def test_a_cut_off_past_the_table_stretches_the_last_grade_and_scales_limits() -> None:
    spec = load_strategy("default").spec
    grades = candidate_grades(spec, D("0.05"), D("1.5"))
    by = {g.name: g for g in grades}
    assert by["D"].max_pd == D("0.05") and not by["D"].decline
    assert (by["D"].limit_factor, by["D"].max_limit) == (D("0.8"), D(150000))  # the marginal grade
    assert by["E"].decline and by["E"].max_pd == D(1)
    assert by["C"].max_limit == D(370000) and by["C"].limit_factor == D("1.5")
    assert by["A"].limit_factor == D(2)  # 1.4 x 1.5 within the file's bound of 2
    caps = candidate_product_limits(spec, D("1.5"))
    assert caps["STANDARD_LOAN"] == D(450000) and caps["INSURANCE_LOAN"] == D(500000)


def test_the_calibration_section_decides_and_round_trips() -> None:
    spec = load_strategy("default").spec
    assert needs_calibration(load_strategy("default"))
    cal = Calibration(cutoff_pd=D("0.03"), limit_scale=D("1.2"), grades=candidate_grades(spec, D("0.03"), D("1.2")),
                      product_max_limits=candidate_product_limits(spec, D("1.2")),
                      window={"development_from": "2019-01-01"}, figures={"projected_npl_rate": 0.019})
    text = with_calibration(shipped_text("default"), cal)
    s = parse_strategy(text)
    assert not needs_calibration(s)
    assert s.spec.calibration == cal
    assert [g.max_pd for g in s.spec.grades] == [g.max_pd for g in cal.grades]
    assert {p.code: p.max_limit for p in s.spec.products}["STANDARD_LOAN"] == D(360000)
    again = with_calibration(text, cal)  # a second calibration replaces the first
    assert again.count("calibration:") == text.count("calibration:") and parse_strategy(again).digest == s.digest


pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(4000, months=36, seed=21)
    return world, train_lending_models(world, key=DEV_SECRET_KEY.encode())


def _calibrated(world: Any, models: Any, target: str, approval: str | None = None) -> Any:
    wanted = f"  target_approval: {approval}\n" if approval else ""
    text = shipped_text("default").replace("  target_approval: 0.62\n  target_npl: 0.02",
                                           f"{wanted}  target_npl: {target}")
    assert f"target_npl: {target}" in text
    as_of = models.labels_as_of()
    return calibrate(parse_strategy(text), world, models, train_months=12, as_of=as_of)


def test_the_appetite_picks_within_its_npl_on_the_development_window(trained: tuple[Any, Any]) -> None:
    world, models = trained
    strict, loose = _calibrated(world, models, "0.01"), _calibrated(world, models, "0.04")
    for s, target in ((strict, 0.01), (loose, 0.04)):
        cal = s.spec.calibration
        assert cal is not None and cal.models == models.versions()
        assert cal.window == {"development_from": "2019-01-01", "development_to": "2020-01-01",
                              "outcomes_as_of": str(models.labels_as_of().date())}
        assert cal.figures["projected_npl_rate"] <= target or cal.cutoff_pd == min(s.spec.appetite.cutoff_grid)
    assert strict.spec.calibration.figures["projected_approval_rate"] <= loose.spec.calibration.figures["projected_approval_rate"]
    assert strict.spec.calibration.figures["projected_profit"] <= loose.spec.calibration.figures["projected_profit"]


def test_a_target_approval_sets_the_cut_off_and_the_limits_chase_profit(trained: tuple[Any, Any]) -> None:
    world, models = trained
    low, high = _calibrated(world, models, "0.05", "0.73"), _calibrated(world, models, "0.05", "0.745")
    for s, target in ((low, 0.73), (high, 0.745)):
        figures = s.spec.calibration.figures
        assert target <= figures["projected_approval_rate"] < target + 0.01
    assert low.spec.calibration.cutoff_pd < high.spec.calibration.cutoff_pd


def test_the_choice_uses_no_outcome_after_the_maturity_cut(trained: tuple[Any, Any]) -> None:
    world, models = trained
    first = _calibrated(world, models, "0.02", "0.62").spec.calibration
    perf = world.performance.copy()
    later = pd.to_datetime(perf["month"]) >= models.labels_as_of()
    perf.loc[later, "dpd"] = 400

    class Later:
        applications, channels, performance = world.applications, world.channels, perf

    text = _calibrated(world, models, "0.02", "0.62").source_text.split("\n# calibration:")[0]
    again = calibrate(parse_strategy(text), Later(), models, train_months=12, as_of=models.labels_as_of())
    assert again.spec.calibration == first


def test_the_back_test_decides_with_the_calibrated_strategy(trained: tuple[Any, Any]) -> None:
    from creditfactory.strategy.backtest_run import backtest_strategies

    world, models = trained
    run = backtest_strategies(world, [load_strategy("default"), load_strategy("policy_only")], models)
    chosen = run.results[0].strategy
    assert chosen.spec.calibration is not None
    assert chosen.source_text == _calibrated(world, models, "0.02", "0.62").source_text
    s = run.summary["default"]
    parts = s["interest_income"] - s["funding_cost"] - s["operating_cost"] - s["loss"] - s["process_cost"]
    assert s["profit"] == pytest.approx(parts, abs=1.0)
    assert sum(s["process_cost_by_tier"].values()) == pytest.approx(s["process_cost"])


def _npl_month_by_month(o: Any, weight: Any, chosen: Any) -> float:
    """The chain ladder written out month by month: the reference for the table-based one."""
    import numpy as np

    emerged = np.where((o.first90 > 0) & chosen, weight * o.npl, 0.0)
    top, low = int(o.horizon[chosen].max(initial=0)), int(o.horizon[chosen].min(initial=0))
    factor = np.ones(top + 2)
    for k in range(max(low, 1), top):
        old = chosen & (o.horizon >= k + 1)
        before = emerged[old & (o.first90 <= k)].sum()
        after = emerged[old & (o.first90 <= k + 1)].sum()
        factor[k] = after / before if before > 0 else 1.0
    develop = np.cumprod(factor[::-1])[::-1]
    return float(np.sum(emerged * develop[np.minimum(o.horizon, top + 1)]))


@pytest.mark.parametrize("seed", range(6))
def test_the_projected_npl_develops_each_month_as_the_chain_ladder_does(seed: int) -> None:
    import numpy as np

    from creditfactory.strategy.appetite import _Observed, _projected_npl

    rng = np.random.default_rng(seed)
    n = 3000
    horizon = rng.integers(0, 30, n)
    first90 = np.where(rng.random(n) < 0.15, np.minimum(rng.integers(1, 31, n), horizon + 1), 0)
    ones = np.ones(n)
    o = _Observed(ones, rng.random(n) * 1e5, ones, ones, ones, first90, horizon, ones)
    chosen = rng.random(n) < 0.7
    weight = np.where(chosen, rng.random(n) * 2, 0.0)
    expected = _npl_month_by_month(o, weight, chosen)
    assert expected > float((weight * o.npl * (first90 > 0) * chosen).sum())  # the ladder develops
    assert _projected_npl(o, weight, chosen) == pytest.approx(expected, rel=1e-12)
