"""Parcelling and fuzzy augmentation give the rejected outcomes the accepted card implies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard.reject_inference import RejectInference


def _population(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(2.5 - 1.2 * X["x"]))).to_numpy().astype(int)
    accepted = (X["x"] + 0.3 * rng.normal(size=n) < 0.6).to_numpy()
    return X, y, accepted


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 3.0), st.floats(0.2, 2.0))
def test_fuzzy_splits_every_reject_into_a_bad_and_a_good_whose_weights_add_up(seed, factor, w):
    X, y, acc = _population(600, seed)
    ri = RejectInference("fuzzy", estimator=LogisticRegression(), reject_bad_factor=factor,
                         reject_weight=w)
    s = ri.fit_augment(X[acc], y[acc], X[~acc])
    n_acc, n_rej = int(acc.sum()), int((~acc).sum())
    assert len(s.X) == len(s.y) == len(s.sample_weight) == n_acc + 2 * n_rej
    np.testing.assert_array_equal(s.y[:n_acc], y[acc])
    assert (s.sample_weight[:n_acc] == 1).all() and not s.inferred[:n_acc].any()
    as_bad, as_good = s.sample_weight[n_acc : n_acc + n_rej], s.sample_weight[n_acc + n_rej :]
    np.testing.assert_allclose(as_bad + as_good, w)
    assert (s.y[n_acc : n_acc + n_rej] == 1).all() and (s.y[n_acc + n_rej :] == 0).all()
    assert ((ri.reject_pd_ >= 0) & (ri.reject_pd_ <= 1)).all()
    pd.testing.assert_frame_equal(s.X.iloc[n_acc : n_acc + n_rej].reset_index(drop=True),
                                  X[~acc].reset_index(drop=True))


def test_parcelling_labels_each_band_at_the_accepted_bad_rate_times_the_factor():
    X, y, acc = _population(40_000, 1)
    for factor in (1.0, 2.0):
        ri = RejectInference("parcelling", estimator=LogisticRegression(),
                             reject_bad_factor=factor, random_state=3)
        s = ri.fit_augment(X[acc], y[acc], X[~acc])
        inferred_bads = s.y[s.inferred]
        expected = np.minimum(ri.reject_pd_, 1).mean()
        assert inferred_bads.mean() == pytest.approx(expected, abs=0.01)
        assert set(np.round(ri.reject_pd_ / factor, 12)) <= set(np.round(ri.band_bad_rate_, 12))
    assert len(s.y) == len(X)


def test_parcelling_infers_the_rejected_as_riskier_than_the_accepted():
    X, y, acc = _population(20_000, 2)
    s = RejectInference("parcelling", estimator=LogisticRegression()).fit_augment(
        X[acc], y[acc], X[~acc])
    assert s.y[s.inferred].mean() > y[acc].mean()


def test_parcelling_is_reproducible_with_a_seed():
    X, y, acc = _population(3000, 4)
    a = RejectInference("parcelling", estimator=LogisticRegression(), random_state=9)
    b = RejectInference("parcelling", estimator=LogisticRegression(), random_state=9)
    np.testing.assert_array_equal(a.fit_augment(X[acc], y[acc], X[~acc]).y,
                                  b.fit_augment(X[acc], y[acc], X[~acc]).y)


def test_unknown_method_and_mismatched_columns_are_refused():
    X, y, acc = _population(500, 5)
    with pytest.raises(InvalidArgument, match="method"):
        RejectInference("hard").fit(X[acc], y[acc], X[~acc])
    with pytest.raises(InvalidArgument, match="same columns"):
        RejectInference(estimator=LogisticRegression()).fit(X[acc], y[acc], X[~acc][["z"]])
    with pytest.raises(InvalidArgument, match="0/1"):
        RejectInference(estimator=LogisticRegression()).fit(X[acc], y[acc] + 1, X[~acc])


def test_fixed_binner_keeps_the_accepted_bins_when_a_card_is_fitted_on_augmented_rows():
    from creditfactory.scorecard import Binner, Scorecard
    from creditfactory.scorecard.reject_inference import FixedBinner

    X, y, acc = _population(4000, 6)
    bins = Binner().fit(X[acc], y[acc]).binnings_
    s = RejectInference("fuzzy", estimator=LogisticRegression(), reject_bad_factor=2.0
                        ).fit_augment(X[acc], y[acc], X[~acc])
    card = Scorecard(binner=FixedBinner(bins), penalty=1.0).fit(s.X, s.y, s.sample_weight)
    for name in card.features_:
        assert card.binnings_[name].splits == bins[name].splits
        np.testing.assert_array_equal(card.binnings_[name].woe, bins[name].woe)
    with pytest.raises(InvalidArgument, match="x"):
        FixedBinner(bins).fit(X[["z"]])
