"""The statistics behind selection agree with independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from creditfactory.scorecard import WoETransformer
from creditfactory.scorecard.selection._statistics import abs_correlation, column_iv, logit_fit, vif


def _xy(n: int = 3000, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X @ np.linspace(1, -0.5, k) - 1)))).astype(int)
    return X, y


def test_logit_fit_reaches_the_unpenalised_maximum_likelihood():
    X, y = _xy()
    fit = logit_fit(X, y)
    ref = LogisticRegression(C=1e12, tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(fit.beta, np.r_[ref.intercept_, ref.coef_[0]], atol=1e-4)
    p = ref.predict_proba(X)[:, 1]
    assert fit.loglik == pytest.approx(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), abs=1e-6)
    assert fit.aic == pytest.approx(2 * 5 - 2 * fit.loglik)


def test_warm_start_reaches_the_same_fit():
    X, y = _xy()
    cold = logit_fit(X, y)
    warm = logit_fit(X, y, start=np.r_[cold.beta[:-1], 0.0])
    assert warm.loglik == pytest.approx(cold.loglik, abs=1e-5)


def test_vif_is_one_over_one_minus_r_squared():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 3))
    X[:, 2] += 0.8 * X[:, 0]
    r2 = LinearRegression().fit(X[:, :2], X[:, 2]).score(X[:, :2], X[:, 2])
    assert vif(X)[2] == pytest.approx(1 / (1 - r2), rel=1e-8)


def test_vif_is_infinite_for_an_exact_combination():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 2))
    X = np.column_stack((X, X[:, 0] - X[:, 1]))
    assert np.isinf(vif(X)).all()


def test_abs_correlation_matches_numpy_and_zeroes_constants():
    X, _ = _xy()
    X = np.column_stack((X, np.ones(len(X))))
    corr = abs_correlation(X)
    np.testing.assert_allclose(corr[:4, :4], np.abs(np.corrcoef(X[:, :4].T)), atol=1e-12)
    assert (corr[4] == 0).all() and (corr[:, 4] == 0).all()


def test_iv_of_a_woe_column_equals_the_binning_iv():
    X, y = _xy()
    frame = pd.DataFrame(X, columns=list("abcd"))
    woe = WoETransformer().fit(frame, y)
    out = woe.transform(frame)
    for j, name in enumerate("abcd"):
        binning = woe.binnings_[name]
        assert len(np.unique(out[:, j])) == np.count_nonzero(binning.count)
        assert column_iv(out[:, j], y) == pytest.approx(binning.iv, rel=1e-9)
