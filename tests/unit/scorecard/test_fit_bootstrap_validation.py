"""Bootstrap validation gives out-of-bag intervals that contain a hold-out estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.scorecard import Scorecard
from creditfactory.scorecard.fitting._bootstrap import bootstrap_validate


def test_out_of_bag_intervals_bracket_their_estimate_and_stay_below_in_sample():
    rng = np.random.default_rng(0)
    n = 1500
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (rng.random(n) < 1 / (1 + np.exp(1.5 + x["a"] - 0.5 * x["b"]))).to_numpy().astype(int)
    card = Scorecard(objective="divergence")
    v = bootstrap_validate(card, x, y, n_boot=8, random_state=1)
    assert len(v.replicates) == 8
    assert (v.replicates.oob_rows > 0.3 * n).all()
    for name, ci in v.intervals.items():
        assert ci.low <= ci.estimate <= ci.high, name
    in_sample = -card.fit(x, y).points(x)
    from creditfactory.scorecard import metrics
    assert v.intervals["auc"].estimate <= metrics.auc(y, in_sample) + 0.01
    assert 0.6 < v.intervals["auc"].low
    assert list(v.summary().metric) == ["ks", "auc", "divergence"]
