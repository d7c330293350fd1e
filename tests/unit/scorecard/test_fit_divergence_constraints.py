"""Divergence fitting on indicator statistics: optimality and score-engineering constraints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard._stats import gather_stats
from creditfactory.scorecard.errors import ConstraintInfeasible, TrainingDataInvalid
from creditfactory.scorecard.fitting._divergence import BlockSpec, Engineering, fit_divergence
from creditfactory.scorecard.selection._contribution import (
    divergence_score,
    marginal_contributions,
    optimal_divergence,
    stepwise_select,
)


def _sample(seed: int, n: int = 3000, sizes: tuple[int, ...] = (4, 3, 5)):
    rng = np.random.default_rng(seed)
    bins = np.column_stack([rng.integers(0, k, n) for k in sizes])
    effects = [rng.normal(0, 0.6, k) for k in sizes]
    logit = -1.5 + sum(e[bins[:, j]] for j, e in enumerate(effects))
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return bins, list(sizes), bad


def test_stats_match_dense_indicator_moments():
    bins, sizes, bad = _sample(0, n=500)
    stats = gather_stats(bins, sizes, bad)
    dense = np.column_stack([(bins[:, j][:, None] == np.arange(k)).astype(float)
                             for j, k in enumerate(sizes)])
    assert np.allclose(stats.mean_bad, dense[bad].mean(axis=0))
    assert np.allclose(stats.pooled_cov,
                       0.5 * (np.cov(dense[bad].T, bias=True) + np.cov(dense[~bad].T, bias=True)))


def test_unconstrained_fit_equals_the_best_divergence_of_any_weights():
    bins, sizes, bad = _sample(1)
    stats = gather_stats(bins, sizes, bad)
    w = fit_divergence(stats, [BlockSpec(k, k) for k in sizes])
    best = optimal_divergence(stats, [0, 1, 2])
    assert stats.divergence(w) == pytest.approx(best, rel=1e-6)
    rng = np.random.default_rng(2)
    for _ in range(20):
        assert stats.divergence(w + rng.normal(0, 0.05, w.size)) <= best + 1e-9


def test_divergence_matches_score_distribution_of_the_rows():
    bins, sizes, bad = _sample(3)
    stats = gather_stats(bins, sizes, bad)
    w = fit_divergence(stats, [BlockSpec(k, k) for k in sizes])
    score = w[bins + np.array([0, 4, 7])].sum(axis=1)
    direct = (score[~bad].mean() - score[bad].mean()) ** 2 / (
        0.5 * (score[~bad].var() + score[bad].var()))
    assert stats.divergence(w) == pytest.approx(direct, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), dirs=st.lists(st.sampled_from([-1, 0, 1]), min_size=3, max_size=3))
def test_monotone_pinned_and_equal_constraints_hold(seed, dirs):
    bins, sizes, bad = _sample(seed, n=1500)
    stats = gather_stats(bins, sizes, bad)
    specs = [BlockSpec(4, 3, tuple(dirs[:2])), BlockSpec(3, 3), BlockSpec(5, 4, (dirs[2],) * 3)]
    eng = Engineering({(1, 2): 0.25, (0, 3): 0.0}, [[(2, 4), (1, 1)]])
    w = fit_divergence(stats, specs, engineering=eng)
    f0, f1, f2 = w[:4], w[4:7], w[7:]
    for d, step in zip(dirs[:2], np.diff(f0[:3]), strict=True):
        assert d * step >= -1e-7
    assert np.all(dirs[2] * np.diff(f2[:4]) >= -1e-7)
    assert f1[2] == pytest.approx(0.25, abs=1e-6)
    assert f0[3] == pytest.approx(0.0, abs=1e-6)
    assert f2[4] == pytest.approx(f1[1], abs=1e-6)
    assert f0[0] == f1[0] == f2[0] == 0.0
    free = fit_divergence(stats, [BlockSpec(k, k) for k in sizes])
    assert stats.divergence(w) <= stats.divergence(free) + 1e-9


def test_contradictory_pins_are_reported():
    bins, sizes, bad = _sample(4)
    stats = gather_stats(bins, sizes, bad)
    eng = Engineering({(0, 1): 1.0, (0, 2): 2.0}, [[(0, 1), (0, 2)]])
    with pytest.raises(ConstraintInfeasible):
        fit_divergence(stats, [BlockSpec(k, k) for k in sizes], engineering=eng)


def test_single_class_sample_is_refused():
    with pytest.raises(TrainingDataInvalid):
        gather_stats(np.zeros((5, 1), dtype=int), [2], np.zeros(5, dtype=bool))


def test_marginal_contribution_is_the_drop_in_divergence_and_noise_is_not_selected():
    rng = np.random.default_rng(5)
    n = 6000
    bins = rng.integers(0, 4, size=(n, 3))
    bad = rng.random(n) < np.array([0.05, 0.1, 0.2, 0.35])[bins[:, 1]]
    stats = gather_stats(bins, [4, 4, 4], bad)
    contrib = marginal_contributions(stats, [0, 1, 2])
    full = optimal_divergence(stats, [0, 1, 2])
    assert contrib[1] == pytest.approx(full - optimal_divergence(stats, [0, 2]))
    assert contrib[1] > 100 * max(contrib[0], contrib[2])
    chosen, steps = stepwise_select(stats, [0, 1, 2], min_contribution=0.001)
    assert chosen == [1]
    assert steps[0].action == "added" and steps[0].feature == 1


def test_divergence_score_of_woe_columns_grows_with_signal():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4000, 2))
    y = rng.random(4000) < 1 / (1 + np.exp(2 + 1.5 * x[:, 0]))
    assert divergence_score(x[:, :1], y) > 10 * divergence_score(x[:, 1:], y)


@pytest.mark.parametrize("sizes", [(4,), (4, 3), (4, 3, 5), (2, 6, 3, 7, 1)])
@pytest.mark.parametrize("weighted", [False, True])
def test_gather_stats_equals_indicator_moments(sizes, weighted):
    rng = np.random.default_rng(len(sizes))
    n = 500
    bins = np.column_stack([rng.integers(0, k, n) for k in sizes])
    bad = rng.random(n) < 0.3
    w = rng.random(n) * 3 if weighted else np.ones(n)
    onehot = np.hstack([np.eye(k)[bins[:, j]] for j, k in enumerate(sizes)])
    stats = gather_stats(bins, sizes, bad, w if weighted else None)
    for cls, second, mean in ((bad, stats.second_bad, stats.mean_bad),
                              (~bad, stats.second_good, stats.mean_good)):
        z, wc = onehot[cls], w[cls]
        np.testing.assert_allclose(second, (z * wc[:, None]).T @ z / wc.sum(), atol=1e-12)
        np.testing.assert_allclose(mean, wc @ z / wc.sum(), atol=1e-12)
