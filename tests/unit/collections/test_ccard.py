"""The C-card: learns the cure chance, explains it, round-trips its model file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.models.ccard import FEATURES, CollectionScorecard
from creditfactory.scorecard import metrics


def _sample(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    x["bucket"] = rng.integers(1, 7, n).astype(float)
    x["broken"] = rng.poisson(0.5, n).astype(float)
    x["prior_fast_cures"] = rng.poisson(0.5, n).astype(float)
    logit = 1.0 - 0.6 * x["bucket"] - 0.8 * x["broken"] + 0.9 * x["prior_fast_cures"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


@pytest.mark.parametrize("objective", ["logistic", "lightgbm"])
def test_the_card_ranks_cures_and_round_trips(objective: str) -> None:
    x, y = _sample(4000, 1)
    xt, yt = _sample(2000, 2)
    card = CollectionScorecard(objective=objective).fit(x, y, recovered=y * 0.8)
    p = card.predict_proba(xt)[:, 1]
    assert metrics.auc(yt, p) > 0.75
    again = CollectionScorecard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert np.allclose(again.predict_proba(xt)[:, 1], p)
    rec = card.expected_recovery(xt)
    assert ((rec >= 0) & (rec <= 1)).all()
    assert rec[p > np.quantile(p, 0.9)].mean() > rec[p < np.quantile(p, 0.1)].mean()
    codes = card.reasons(xt.head(5))
    assert all(isinstance(c, str) for c in codes) and any(codes)


def test_the_card_needs_both_outcomes() -> None:
    x, _ = _sample(100, 3)
    with pytest.raises(InvalidArgument):
        CollectionScorecard().fit(x, np.ones(100, int))
