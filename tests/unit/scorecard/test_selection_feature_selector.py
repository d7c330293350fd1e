"""FeatureSelector: each filter drops what it should, says why, and the hooks work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from creditfactory.scorecard import FeatureSelector, WoETransformer


@parametrize_with_checks([FeatureSelector()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _frame(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b, c, noise = rng.normal(size=(4, n))
    logit = -1.2 + 1.0 * a + 0.6 * b + 0.3 * c
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"a": a, "b": b, "c": c, "noise": noise}), y


def _report(sel: FeatureSelector) -> pd.DataFrame:
    return sel.report_.set_index("feature")


def test_iv_bounds_drop_weak_and_suspiciously_strong_features():
    X, y = _frame()
    X["leak"] = y + 0.001 * np.arange(len(y)) / len(y)
    sel = FeatureSelector(min_iv=0.02, max_iv=2.0, stepwise=None).fit(X, y)
    rep = _report(sel)
    assert rep.loc["noise", "step"] == "iv" and "min_iv" in rep.loc["noise", "reason"]
    assert rep.loc["leak", "step"] == "iv" and "max_iv" in rep.loc["leak", "reason"]
    assert rep.loc["a", "kept"]


def test_correlated_pair_keeps_the_higher_iv_and_names_the_partner():
    X, y = _frame()
    X["a_blur"] = X["a"] + 0.3 * np.random.default_rng(9).normal(size=len(X))
    rep = _report(FeatureSelector(max_corr=0.8, stepwise=None).fit(X, y))
    assert rep.loc["a_blur", "step"] == "correlation"
    assert rep.loc["a_blur", "corr_with"] == "a"
    assert rep.loc["a_blur", "max_corr"] > 0.8
    assert rep.loc["a", "kept"]


def test_vif_drops_a_combination_that_no_pair_reveals():
    rng = np.random.default_rng(1)
    X, y = _frame()
    X["combo"] = (X["a"] + X["b"] + X["c"]) / np.sqrt(3) + 1e-3 * rng.normal(size=len(X))
    sel = FeatureSelector(min_iv=0.0, max_corr=0.9, max_vif=10.0, stepwise=None).fit(X, y)
    rep = _report(sel)
    assert rep["max_corr"].max() < 0.9
    dropped = rep[rep["step"] == "vif"]
    assert len(dropped) == 1 and dropped["vif"].iloc[0] > 10
    assert rep.loc[rep["kept"], "vif"].max() <= 10


def test_forward_aic_adds_signal_in_order_of_strength_and_leaves_noise_out():
    X, y = _frame(8000)
    sel = FeatureSelector(min_iv=0.0, max_corr=None, max_vif=None).fit(X, y)
    rep = _report(sel)
    assert list(rep.sort_values("stepwise_order").index[:3]) == ["a", "b", "c"]
    assert rep.loc["noise", "step"] == "stepwise"
    assert sel.get_feature_names_out().tolist() == ["a", "b", "c"]
    assert (rep.loc[["a", "b", "c"], "contribution"] > 0).all()


def test_backward_auc_removes_only_features_below_tolerance():
    X, y = _frame(8000)
    sel = FeatureSelector(min_iv=0.0, max_corr=None, max_vif=None, stepwise="backward",
                          criterion="auc", tol=0.002).fit(X, y)
    rep = _report(sel)
    assert rep.loc["noise", "step"] == "stepwise" and "removed" in rep.loc["noise", "reason"]
    assert rep.loc[["a", "b"], "kept"].all()


def test_max_features_caps_forward_selection():
    X, y = _frame()
    sel = FeatureSelector(min_iv=0.0, max_features=2).fit(X, y)
    assert sel.get_feature_names_out().tolist() == ["a", "b"]


def test_score_fn_hook_drives_the_stepwise_search():
    X, y = _frame()
    calls: list[int] = []

    def prefers_c(cols: np.ndarray, target: np.ndarray) -> float:
        calls.append(cols.shape[1])
        return float(np.abs(np.corrcoef(cols[:, -1], X["c"].to_numpy())[0, 1])) \
            if cols.shape[1] == 1 else 0.0

    sel = FeatureSelector(min_iv=0.0, score_fn=prefers_c, max_features=1).fit(X, y)
    assert sel.get_feature_names_out().tolist() == ["c"]
    assert calls[:4] == [1, 1, 1, 1]
    assert "score_fn" in _report(sel).loc["a", "reason"]


def test_report_has_one_row_per_feature_and_kept_matches_support():
    X, y = _frame()
    sel = FeatureSelector().fit(X, y)
    assert list(sel.report_["feature"]) == list(X.columns)
    np.testing.assert_array_equal(sel.report_["kept"].to_numpy(), sel.get_support())
    assert (sel.report_.loc[~sel.report_["kept"], "reason"] != "").all()


def test_constant_column_is_dropped_even_without_iv_bound():
    X, y = _frame()
    X["flat"] = 1.0
    rep = _report(FeatureSelector(min_iv=None, stepwise=None).fit(X, y))
    assert rep.loc["flat", "reason"] == "constant column"


def test_in_a_pipeline_after_woe():
    X, y = _frame()
    model = make_pipeline(WoETransformer(), FeatureSelector(), LogisticRegression())
    model.fit(X, y)
    assert model.predict_proba(X.head(3)).shape == (3, 2)
    assert "noise" not in model[1].get_feature_names_out(list(X.columns))


def test_bad_target_is_refused():
    X, _ = _frame(100)
    with pytest.raises(ValueError, match="binary target"):
        FeatureSelector().fit(X, np.arange(100) % 3)
