"""WoETransformer: every value becomes the WoE of its bin; the WoE orders risk."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from creditfactory.scorecard import Binner, WoETransformer


def _data(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[:60] = np.nan
    r = rng.choice(list("ABCDE"), size=n)
    logit = -1.5 + x.clip(-3, 3) * np.isfinite(x) + (r == "A") * 1.2 - (r == "E") * 0.8
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-np.nan_to_num(logit)))).astype(int)
    return pd.DataFrame({"x": x, "r": r}), y


def test_woe_equals_the_woe_of_each_value_bin():
    X, y = _data()
    woe = WoETransformer().fit(X, y)
    bins = Binner().fit(X, y).transform(X)
    out = woe.transform(X)
    for j, name in enumerate(["x", "r"]):
        np.testing.assert_array_equal(out[:, j], woe.binnings_[name].woe[bins[:, j]])


def test_woe_is_log_of_good_share_over_bad_share():
    X, y = _data()
    b = WoETransformer().fit(X, y).binnings_["r"]
    goods, bads = b.count - b.n_event, b.n_event
    filled = b.count > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.log((goods / goods.sum()) / (bads / bads.sum()))
    np.testing.assert_allclose(b.woe[filled], expected[filled], rtol=1e-12)
    assert math.isclose(b.iv, float(np.sum(((goods / goods.sum()) - bads / bads.sum())
                                           [filled] * expected[filled])), rel_tol=1e-12)


def test_higher_woe_means_safer_so_minus_woe_ranks_bads():
    X, y = _data()
    out = WoETransformer().fit(X, y).transform(X)
    assert roc_auc_score(y, -out[:, 0]) > 0.65
    assert roc_auc_score(y, -out[:, 1]) > 0.55


def test_unseen_level_and_missing_value_take_their_bins_woe():
    X, y = _data()
    woe = WoETransformer().fit(X, y)
    out = woe.transform(pd.DataFrame({"x": [np.nan], "r": ["Z"]}))
    bx, br = woe.binnings_["x"], woe.binnings_["r"]
    assert out[0, 0] == bx.woe[bx.missing_bin]
    assert out[0, 1] == br.woe[br.unseen_bin]


def test_woe_output_is_finite_float64():
    X, y = _data()
    out = WoETransformer().fit(X, y).transform(X)
    assert out.dtype == np.float64 and np.isfinite(out).all()
