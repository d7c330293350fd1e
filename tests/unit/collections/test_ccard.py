"""The C-card: learns the cure chance, explains it, round-trips its model file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.models.ccard import FEATURES, CollectionScorecard, segment_of
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


def _episodes(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Bucket entries as the play makes them: a first M1 entry knows the loan only (no attempt,
    no cure), later entries its history; the loan's signal weighs only on first entries."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    first = rng.random(n) < 0.5
    x["bucket"] = np.where(first, 1.0, rng.integers(1, 5, n))
    x["attempts"] = np.where(first, 0.0, rng.integers(1, 12, n))
    x["cures"] = np.where(first, 0.0, rng.integers(0, 2, n))
    x["reached"] = np.where(first, 0.0, rng.binomial(x["attempts"].astype(int), 0.5))
    logit = np.where(first, 1.5 - 1.2 * x["late_bills"], 0.5 - 0.5 * x["bucket"] + 0.3 * x["reached"])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


def test_a_toolkit_card_blends_its_segment_cards() -> None:
    x, y = _episodes(4000, 4)
    xt, _ = _episodes(1000, 5)
    card = CollectionScorecard(objective="logistic").fit(x, y)
    assert [c is not None for c in card.segments_] == [True, True]
    seg = segment_of(xt)
    assert set(seg) == {0, 1}
    shared = card.model_.decision_function(xt[list(FEATURES)])
    own = np.where(seg == 0, card.segments_[0].decision_function(xt[list(FEATURES)]),
                   card.segments_[1].decision_function(xt[list(FEATURES)]))
    assert np.allclose(card.predict_proba(xt)[:, 1], 1 / (1 + np.exp(0.5 * (shared + own))))
    again = CollectionScorecard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert np.allclose(again.predict_proba(xt)[:, 1], card.predict_proba(xt)[:, 1])
    assert again.reasons(xt.head(20)).tolist() == card.reasons(xt.head(20)).tolist()


def test_a_segment_too_small_for_a_card_is_scored_by_the_shared_card() -> None:
    x, y = _sample(4000, 1)  # no first entries (attempts are never zero)
    card = CollectionScorecard(objective="logistic").fit(x, y)
    assert card.segments_[0] is None
    x.loc[:9, ["bucket", "attempts", "cures"]] = [1.0, 0.0, np.nan]  # first entries, cures unknown
    assert (segment_of(x.head(10)) == 0).all()
    shared = card.model_.predict_proba(x.head(10)[list(FEATURES)])[:, 0]
    assert np.allclose(card.predict_proba(x.head(10))[:, 1], shared)


def test_a_format_1_model_file_still_loads_as_its_single_card() -> None:
    x, y = _episodes(3000, 6)
    card = CollectionScorecard(objective="logistic").fit(x, y)
    old = card._payload(1) | {"version": card._version(1)}
    assert "segments" not in old
    loaded = CollectionScorecard.from_dict(json.loads(json.dumps(old)))
    assert loaded.segments_ == []
    assert np.allclose(loaded.predict_proba(x)[:, 1], card.model_.predict_proba(x[list(FEATURES)])[:, 0])
    with pytest.raises(InvalidArgument, match="version"):
        CollectionScorecard.from_dict(card.to_dict() | {"format_version": 3})
