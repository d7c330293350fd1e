"""A score's implied PD and the score-to-odds calibration hold at any score, however extreme:
probabilities stay in [0, 1], fall as the score rises, and no overflow is raised on the way."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.scorecard._points import Scaling
from creditfactory.scorecard.fitting._card import calibrate

scores = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50)


@given(scores)
def test_the_pd_of_any_score_is_a_probability_falling_with_the_score(points: list[float]) -> None:
    scaling = Scaling()
    x = np.sort(np.asarray(points))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd_ = scaling.pd(x)
    assert np.all((pd_ >= 0.0) & (pd_ <= 1.0))
    assert np.all(np.diff(pd_) <= 0.0)


@given(st.floats(-30, 30))
def test_the_pd_of_a_score_is_the_bad_share_of_its_odds(log_odds_good: float) -> None:
    scaling = Scaling()
    pd_ = scaling.pd(scaling.points(log_odds_good))
    assert np.isclose(pd_, 1.0 / (1.0 + np.exp(log_odds_good)), rtol=1e-9, atol=1e-15)


def test_calibrating_a_score_that_separates_goods_from_bads_raises_no_overflow() -> None:
    score = np.r_[np.linspace(-50.0, -1.0, 50), np.linspace(1.0, 50.0, 50)]
    bad = score < 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = calibrate(score, bad)
    assert np.isfinite(a) and np.isfinite(b) and b > 0
