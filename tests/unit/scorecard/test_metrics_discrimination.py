"""AUC, KS, Gini and divergence agree with their reference definitions."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import _gains, _stability, metrics

labelled_scores = st.integers(min_value=2, max_value=300).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda y: 0 < sum(y) < n),
        st.lists(st.integers(-5, 5), min_size=n, max_size=n),  # small range: many ties
        st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n),
    )
)


@settings(max_examples=50, deadline=None)
@given(labelled_scores)
def test_auc_equals_sklearn_roc_auc_with_ties_and_weights(data):
    y, s, w = (np.asarray(v, dtype=float) for v in data)
    assert metrics.auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert metrics.auc(y, s, w) == pytest.approx(roc_auc_score(y, s, sample_weight=w), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(labelled_scores)
def test_ks_equals_two_sample_ks_of_bads_against_goods(data):
    y, s, _ = (np.asarray(v, dtype=float) for v in data)
    expected = ks_2samp(s[y == 1], s[y == 0]).statistic
    assert metrics.ks(y, s) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(labelled_scores)
def test_gini_is_twice_auc_minus_one_and_flips_with_the_score(data):
    y, s, _ = (np.asarray(v, dtype=float) for v in data)
    assert metrics.gini(y, s) == pytest.approx(2 * metrics.auc(y, s) - 1)
    assert metrics.gini(y, -s) == pytest.approx(-metrics.gini(y, s))


def test_roc_curve_area_by_trapezoids_is_the_auc():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 2000)
    s = np.round(y + rng.normal(size=2000), 1)
    fpr, tpr = metrics.roc_curve(y, s)
    assert np.trapezoid(tpr, fpr) == pytest.approx(metrics.auc(y, s), abs=1e-12)


def test_divergence_matches_its_formula_and_ignores_direction():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 5000)
    s = 600 - 40 * y + rng.normal(scale=20, size=5000)
    g, b = s[y == 0], s[y == 1]
    expected = (g.mean() - b.mean()) ** 2 / ((g.var() + b.var()) / 2)
    assert metrics.divergence(y, s) == pytest.approx(expected)
    assert metrics.divergence(y, -s) == pytest.approx(expected)
    assert metrics.divergence(y, s) == pytest.approx(4.0, rel=0.15)


def test_single_class_is_refused_with_a_clear_message():
    with pytest.raises(InvalidArgument, match="both goods and bads"):
        metrics.auc([0, 0, 0], [1, 2, 3])


def test_missing_scores_and_odd_labels_are_refused():
    with pytest.raises(InvalidArgument, match="missing"):
        metrics.ks([0, 1], [np.nan, 1.0])
    with pytest.raises(InvalidArgument, match="only 0"):
        metrics.auc([0, 2], [1.0, 2.0])


def test_bootstrap_interval_brackets_the_estimate_and_narrows_with_more_data():
    rng = np.random.default_rng(3)

    def width(n: int) -> float:
        y = rng.integers(0, 2, n)
        s = y + rng.normal(size=n)
        ci = metrics.bootstrap_ci(metrics.auc, y, s, n_boot=100, random_state=4)
        assert ci.low <= ci.estimate <= ci.high
        return ci.high - ci.low

    assert width(4000) < width(250)


@pytest.mark.parametrize("module", [metrics, _gains, _stability])
def test_docstring_examples_hold(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@settings(max_examples=50, deadline=None)
@given(labelled_scores)
def test_auc_ks_is_auc_and_ks_bit_for_bit(data):
    y, s, w = (np.asarray(v, dtype=float) for v in data)
    assert metrics.auc_ks(y, s) == (metrics.auc(y, s), metrics.ks(y, s))
    assert metrics.auc_ks(y, s, w) == (metrics.auc(y, s, w), metrics.ks(y, s, w))
