"""The logistic stage: Newton's method reaches scikit-learn's optimum, from any start."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import Scorecard
from creditfactory.scorecard._stats import gather_stats
from creditfactory.scorecard.fitting import fit_logistic
from creditfactory.scorecard.fitting._logistic import newton_logistic
from creditfactory.scorecard.selection import stepwise_select


def _data(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    logit = -2.0 + x @ np.linspace(1.0, -0.5, p)
    return x, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float64)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("penalty", [0.0, 1.0, 30.0])
def test_newton_reaches_the_penalised_optimum_scikit_learn_finds(seed, penalty):
    x, y = _data(3000, 5, seed)
    beta = newton_logistic(x, y, np.ones(len(y)), penalty)
    c_value = np.inf if penalty == 0 else 1 / penalty
    ref = LogisticRegression(C=c_value, tol=1e-12, max_iter=10_000).fit(x, y)
    np.testing.assert_allclose(beta, np.r_[ref.intercept_, ref.coef_.ravel()], atol=1e-6)


def test_subsampled_cold_start_warm_start_and_plain_start_meet_at_one_optimum():
    x, y = _data(60_000, 4, 3)
    w = np.ones(len(y))
    cold = newton_logistic(x, y, w, 1.0)  # 60,000 rows: starts on every 3rd row
    warm = newton_logistic(x, y, w, 1.0, start=np.r_[cold[0] + 0.5, cold[1:] * 0.5])
    np.testing.assert_allclose(cold, warm, atol=1e-9)


def test_sample_weights_act_as_repeated_rows():
    x, y = _data(400, 3, 4)
    counts = np.random.default_rng(5).integers(0, 3, size=len(y)).astype(float)
    weighted = newton_logistic(x, y, counts, 1.0)
    repeated = newton_logistic(np.repeat(x, counts.astype(int), axis=0),
                               np.repeat(y, counts.astype(int)), np.ones(int(counts.sum())), 1.0)
    np.testing.assert_allclose(weighted, repeated, atol=1e-8)


def test_features_with_a_negative_coefficient_are_dropped_most_negative_first():
    rng = np.random.default_rng(6)
    good = rng.normal(size=2000)
    x = np.column_stack([good, good + 0.3 * rng.normal(size=2000), rng.normal(size=2000)])
    bad = rng.random(2000) < 1 / (1 + np.exp(1.5 + 1.2 * good))
    fit = fit_logistic(x, bad, [0, 1, 2])
    assert all(c > 0 for c in fit.coefficients.values())
    assert set(fit.coefficients) | set(fit.dropped) == {0, 1, 2}
    assert all("would reverse its points" in why for why in fit.dropped.values())


def test_chance_adjustment_subtracts_dof_times_the_noise_gain_per_feature():
    rng = np.random.default_rng(7)
    bins = np.column_stack([rng.integers(0, 2, 3000), rng.integers(0, 8, 3000)])
    bad = rng.random(3000) < np.where(bins[:, 0] == 1, 0.3, 0.1) + 0.005 * bins[:, 1]
    stats = gather_stats(bins, [2, 8], bad)
    unit = 1 / stats.weight_good + 1 / stats.weight_bad

    def gains(**kw):
        _, steps = stepwise_select(stats, [0, 1], -np.inf, **kw)
        return {s.feature: s.contribution for s in steps if s.action == "added"}

    raw = gains(chance_adjusted=False)
    assert gains() == pytest.approx({0: raw[0] - unit, 1: raw[1] - 7 * unit})
    assert gains(dof=[1, 1]) == pytest.approx({0: raw[0] - unit, 1: raw[1] - unit})


def _small_sample(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(700, 3))
    logit = -1.0 + x @ np.array([0.9, 0.4, 0.0])
    return x, (rng.random(700) < 1 / (1 + np.exp(-logit))).astype(int)


def test_chance_dof_leaves_a_divergence_card_alone_and_is_validated():
    x, y = _small_sample(8)
    bins = Scorecard(objective="divergence", chance_dof="bins").fit(x, y)
    coefs = Scorecard(objective="divergence", chance_dof="coefficients").fit(x, y)
    assert bins.features_ == coefs.features_
    with pytest.raises(InvalidArgument, match="chance_dof"):
        Scorecard(chance_dof="rows").fit(x, y)
