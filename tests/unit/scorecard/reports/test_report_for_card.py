"""A fitted Scorecard feeds the report: its bins, points, scaling and scores."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from creditfactory.scorecard import Scorecard
from creditfactory.scorecard.errors import FeatureMissing, ScorecardNotFitted
from creditfactory.scorecard.report import _card, _data, _excel, _html, report_for_card


@pytest.fixture(scope="module")
def card_and_data(card_kit):
    dev, y_dev = card_kit.make_sample(4000, seed=31)
    new, y_new = card_kit.make_sample(2000, seed=32, shift=0.3)
    card = Scorecard(rounding=True).fit(dev, y_dev)
    return card, dev, y_dev, new, y_new


def test_report_uses_the_cards_points_per_bin_and_its_scores(card_and_data):
    card, dev, _, new, y_new = card_and_data
    r = report_for_card(card, new, y_new, base_data=dev)
    assert [c.name for c in r.characteristics] == card.features_
    for c in r.characteristics:
        expected = card.points_table_.loc[card.points_table_["feature"] == c.name, "points"]
        np.testing.assert_array_equal(c.table["points"], expected.to_numpy())
    points = card.points(new)
    rebuilt = sum(
        c.table["points"].to_numpy()[card.binnings_[c.name].bin_index(new[c.name])]
        for c in r.characteristics
    )
    np.testing.assert_allclose(rebuilt, points)
    assert r.parameters["points to double the odds (PDO)"] == 20.0
    assert r.psi is not None and r.psi > 0


def test_report_names_a_feature_missing_from_the_data_and_refuses_an_unfitted_card(card_and_data):
    card, _, _, new, y_new = card_and_data
    with pytest.raises(FeatureMissing, match="income"):
        report_for_card(card, new.drop(columns="income"), y_new)
    with pytest.raises(ScorecardNotFitted):
        report_for_card(Scorecard(), new, y_new)


@pytest.mark.parametrize("module", [_card, _data, _excel, _html])
def test_docstring_examples_hold(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_report_of_a_frame_with_extra_columns_ignores_them(card_and_data):
    card, _, _, new, y_new = card_and_data
    wider = new.assign(unused=pd.Series(np.arange(len(new))))
    assert report_for_card(card, wider, y_new).summary == report_for_card(card, new, y_new).summary
