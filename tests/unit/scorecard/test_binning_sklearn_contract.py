"""Binner and WoETransformer against scikit-learn's estimator checks, and inside a Pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from creditfactory.scorecard import Binner, WoETransformer
from creditfactory.scorecard.errors import TrainingDataInvalid


@parametrize_with_checks([Binner(), WoETransformer()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _data(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    region = rng.choice(list("ABCD"), size=n)
    logit = -1.0 + 1.2 * x + np.where(region == "A", 1.0, 0.0)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x": x, "region": region, "noise": rng.uniform(size=n)}), y


@pytest.mark.parametrize("cls", [Binner, WoETransformer])
def test_fit_returns_self_and_does_not_touch_params(cls):
    X, y = _data()
    est = cls(max_bins=4)
    before = est.get_params()
    assert est.fit(X, y) is est
    assert est.get_params() == before
    assert est.n_features_in_ == 3
    assert list(est.feature_names_in_) == ["x", "region", "noise"]


@pytest.mark.parametrize("cls", [Binner, WoETransformer])
def test_transform_is_row_order_and_subset_invariant(cls):
    X, y = _data()
    est = cls().fit(X, y)
    full = est.transform(X)
    order = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_array_equal(est.transform(X.iloc[order]), full[order])
    np.testing.assert_array_equal(est.transform(X.iloc[:7]), full[:7])


def test_fit_is_independent_of_row_order():
    X, y = _data()
    order = np.random.default_rng(2).permutation(len(X))
    a = Binner().fit(X, y).binnings_
    b = Binner().fit(X.iloc[order], y[order]).binnings_
    assert {k: v.to_dict() for k, v in a.items()} == {k: v.to_dict() for k, v in b.items()}


def test_woe_pipeline_fits_and_cross_validates():
    X, y = _data(2000)
    model = make_pipeline(WoETransformer(), LogisticRegression())
    scores = cross_val_score(model, X, y, cv=3, scoring="roc_auc")
    assert scores.mean() > 0.75


def test_clone_gives_an_unfitted_copy_with_the_same_params():
    est = WoETransformer(max_bins=5, special_values={"x": [-1]}).fit(*_data())
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "binnings_")


def test_pandas_output_keeps_feature_names():
    X, y = _data()
    out = WoETransformer().set_output(transform="pandas").fit(X, y).transform(X)
    assert list(out.columns) == ["x", "region", "noise"]


@pytest.mark.parametrize("y_bad", [[0, 1, 2] * 200, ["good", "bad", "bad"] * 200])
def test_non_binary_target_is_refused_with_a_clear_error(y_bad):
    X, _ = _data()
    with pytest.raises(TrainingDataInvalid, match="binary target coded 0/1"):
        Binner().fit(X, y_bad)


def test_invalid_parameter_gets_sklearn_message():
    X, y = _data()
    with pytest.raises(ValueError, match="The 'max_bins' parameter of Binner must be"):
        Binner(max_bins=0).fit(X, y)
