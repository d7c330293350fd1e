"""The Scorecard estimator: both objectives, points, reason codes, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import Binner, Scorecard, card_from_dict, card_to_dict
from creditfactory.scorecard._stats import gather_stats
from creditfactory.scorecard.errors import TrainingDataInvalid


def _data(seed: int = 0, n: int = 4000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({
        "income": rng.normal(size=n),
        "debt": rng.normal(size=n),
        "noise": rng.normal(size=n),
        "region": rng.choice(["N", "S", "E", "W"], n),
    })
    x.loc[rng.random(n) < 0.05, "debt"] = np.nan
    logit = -2 - 1.2 * x["income"] + 0.8 * x["debt"].fillna(1.5) + x["region"].map(
        {"N": 0.0, "S": 0.6, "E": -0.4, "W": 0.2})
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).to_numpy().astype(int)
    return x, y


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.mark.parametrize("objective", ["logistic", "divergence"])
def test_card_ranks_risk_and_keeps_points_in_step_with_woe(data, objective):
    x, y = data
    card = Scorecard(objective=objective, binner=Binner(max_bins=5)).fit(x, y)
    assert {"income", "debt", "region"} <= set(card.features_)
    assert roc_auc_score(y, card.predict_proba(x)[:, 1]) > 0.75
    table = card.points_table_
    for feature in ("income", "debt"):
        rows = table[table.feature == feature]
        reg = rows.iloc[: card.binnings_[feature].n_regular]
        assert np.all(np.sign(np.diff(reg.points)) * np.sign(np.diff(reg.woe)) >= 0)
    assert list(table.columns) == ["feature", "bin_index", "bin", "woe", "weight", "points"]


@pytest.mark.parametrize("objective", ["logistic", "divergence"])
def test_pd_follows_points_on_the_stated_scale(data, objective):
    x, y = data
    card = Scorecard(objective=objective, pdo=20, base_score=600, base_odds=50).fit(x, y)
    pts = card.points(x)
    pd_bad = card.predict_proba(x)[:, 1]
    odds = (1 - pd_bad) / pd_bad
    assert np.allclose(pts, 600 + 20 / np.log(2) * np.log(odds / 50))
    assert abs(pd_bad.mean() - y.mean()) < 0.01
    assert np.array_equal(card.score(x), pts)
    assert np.allclose(card.decision_function(x), np.log(pd_bad / (1 - pd_bad)))


def test_rounded_card_has_integer_points(data):
    x, y = data
    card = Scorecard(rounding=True).fit(x, y)
    assert np.all(card.points_table_.points == np.round(card.points_table_.points))
    assert np.all(card.points(x) == np.round(card.points(x)))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000))
def test_divergence_card_reaches_the_logistic_cards_divergence_on_the_same_bins(seed):
    x, y = _data(seed, n=1500)
    binner = Binner(max_bins=4)
    common = dict(binner=binner, selection="none", penalty=0.0)
    logit = Scorecard(objective="logistic", **common).fit(x, y)
    div = Scorecard(objective="divergence", **common).fit(x, y)
    feats = logit.features_
    binnings = [logit.binnings_[f] for f in feats]
    bins = np.column_stack([b.bin_index(x[f]) for f, b in zip(feats, binnings, strict=True)])
    stats = gather_stats(bins, [b.n_bins for b in binnings], y == 1)
    d_logit = stats.divergence(np.concatenate([logit.weights_[f] for f in feats]))
    d_div = stats.divergence(np.concatenate([div.weights_.get(f, 0 * logit.weights_[f])
                                             for f in feats]))
    assert d_div >= d_logit * (1 - 1e-6)


def test_divergence_card_honours_pinned_and_equal_weights(data):
    x, y = data
    card = Scorecard(
        objective="divergence", selection="none",
        pinned_weights={"debt": {"missing": -0.5}},
        equal_weights=[[("region", 0), ("region", 1)]],
    ).fit(x, y)
    w = card.weights_
    assert w["debt"][-1] - w["debt"][0] == pytest.approx(-0.5, abs=1e-6)
    assert w["region"][0] == pytest.approx(w["region"][1], abs=1e-6)


def test_reason_codes_name_the_features_that_cost_most_points(data):
    x, y = data
    card = Scorecard(objective="divergence").fit(x, y)
    codes = card.reason_codes(x, n=2)
    matrix = card.scorer_.points_matrix(x)
    short = matrix.max(axis=0) * 0 + np.array(
        [card.points_table_[card.points_table_.feature == f].points.max()
         for f in card.features_]) - matrix
    worst = np.asarray(card.features_)[short.argmax(axis=1)]
    has_short = short.max(axis=1) > 1e-12
    assert list(codes.columns) == ["reason_1", "reason_2"]
    assert np.array_equal(codes.reason_1.to_numpy()[has_short], worst[has_short])
    assert codes.reason_1[~has_short].isna().all()


def test_uninformative_and_degenerate_features_stay_off_the_card(data):
    x, y = data
    x = x.assign(constant=1.0, empty=np.nan)
    card = Scorecard(objective="divergence").fit(x, y)
    assert "constant" not in card.features_ and "empty" not in card.features_
    assert set(card.selection_.feature) == set(x.columns)
    assert card.selection_.set_index("feature").loc["constant", "status"] == "dropped"


def test_single_class_target_is_refused(data):
    x, _ = data
    with pytest.raises(TrainingDataInvalid, match="one class"):
        Scorecard().fit(x, np.zeros(len(x), dtype=int))


def test_unknown_objective_is_refused(data):
    x, y = data
    with pytest.raises(InvalidArgument, match="objective"):
        Scorecard(objective="gini").fit(x, y)


def test_bagged_card_averages_bootstrap_cards(data):
    x, y = data
    one = Scorecard(objective="divergence", selection="none").fit(x, y)
    bag = Scorecard(objective="divergence", selection="none", n_bags=5, random_state=0).fit(x, y)
    assert bag.features_ == one.features_
    a1 = roc_auc_score(y, one.predict_proba(x)[:, 1])
    ab = roc_auc_score(y, bag.predict_proba(x)[:, 1])
    assert abs(a1 - ab) < 0.01
    assert not np.allclose(bag.points(x), one.points(x))


def test_card_works_as_the_last_step_of_a_pipeline(data):
    x, y = data
    pipe = make_pipeline(FunctionTransformer(lambda f: f.drop(columns="noise")), Scorecard())
    pipe.fit(x, y)
    assert pipe.predict_proba(x).shape == (len(x), 2)
    assert set(pipe.predict(x)) <= {0, 1}


def test_a_feature_selector_with_the_divergence_score_chooses_the_cards_features(data):
    from creditfactory.scorecard import FeatureSelector
    from creditfactory.scorecard.selection._contribution import divergence_score

    x, y = data
    selector = FeatureSelector(score_fn=divergence_score, min_iv=0.02)
    card = Scorecard(objective="divergence", selection=selector).fit(x, y)
    assert {"income", "debt", "region"} <= set(card.features_)
    assert "noise" not in card.features_
    assert card.selection_.set_index("feature").loc["noise", "status"] == "dropped"


def test_card_reports_its_divergence_and_each_features_contribution(data):
    from creditfactory.scorecard import metrics

    x, y = data
    card = Scorecard(objective="divergence").fit(x, y)
    assert card.divergence_ == pytest.approx(metrics.divergence(y, card.points(x)), rel=1e-6)
    assert set(card.contributions_) == set(card.features_)
    assert max(card.contributions_, key=card.contributions_.get) == "income"


@pytest.fixture(scope="module")
def numeric_card(data):
    X, y = data
    x = X[["income", "debt", "noise"]]
    return x, Scorecard().fit(x, y)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(*[st.one_of(st.floats(-1e6, 1e6), st.just(float("nan")))] * 3),
                     min_size=1, max_size=30))
def test_a_numeric_block_scores_as_the_frame_of_it(numeric_card, rows):
    x, card = numeric_card
    block = np.array(rows, dtype=np.float64)
    np.testing.assert_array_equal(card.points(block), card.points(pd.DataFrame(block, columns=x.columns)))
    stored = card_from_dict(card_to_dict(card))  # knows only the features on the card, in its order
    own = pd.DataFrame(block, columns=x.columns)[list(stored.feature_names_in_)]
    np.testing.assert_array_equal(stored.points(own.to_numpy()), card.points(block))


def test_a_block_of_the_wrong_width_is_refused_by_count(numeric_card):
    x, card = numeric_card
    with pytest.raises(ValueError, match="X has 2 features, but Scorecard is expecting 3"):
        card.points(x.to_numpy(np.float64)[:, :2])
