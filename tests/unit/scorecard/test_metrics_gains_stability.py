"""Gains tables add up; PSI and CSI are non-negative and vanish on identical samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.errors import InvalidArgument
from creditfactory.scorecard import metrics

scored = st.integers(min_value=2, max_value=400).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.floats(300, 900, allow_nan=False), min_size=n, max_size=n),
        st.integers(1, 12),
    )
)


@settings(max_examples=40, deadline=None)
@given(scored)
def test_gains_table_counts_sum_to_the_sample_and_capture_ends_at_one(data):
    y, s, n_bands = np.asarray(data[0]), np.asarray(data[1]), data[2]
    table = metrics.gains_table(y, s, n_bands=n_bands)
    assert table["count"].sum() == y.size
    assert table["bads"].sum() == y.sum()
    assert (table["goods"] + table["bads"] == table["count"]).all()
    assert table["cum_pct_count"].iloc[-1] == pytest.approx(1.0)
    if 0 < y.sum() < y.size:
        assert table["cum_bad_capture"].iloc[-1] == pytest.approx(1.0)
        assert table["ks"].max() <= metrics.ks(y, -s) + 1e-12
    assert len(table) <= n_bands


def test_gains_table_puts_the_riskiest_band_first_in_either_direction():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 3000)
    points = 600 - 50 * y + rng.normal(scale=30, size=3000)
    by_points = metrics.gains_table(y, points)
    by_pd = metrics.gains_table(y, -points, higher_is_safer=False)
    assert by_points["bad_rate"].iloc[0] > by_points["bad_rate"].iloc[-1]
    np.testing.assert_allclose(by_points["bad_rate"], by_pd["bad_rate"])
    assert by_points["lift"].iloc[0] > 1.5


def test_gains_table_on_fixed_edges_keeps_empty_bands():
    table = metrics.gains_table([0, 1, 0], [500, 510, 520], edges=[400, 450, 600])
    assert table["count"].tolist() == [0, 0, 3, 0]
    assert table["bads"].tolist() == [0, 0, 1, 0]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300),
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300),
    st.integers(1, 20),
)
def test_psi_is_never_negative_and_zero_against_itself(expected, actual, n_bands):
    assert metrics.psi(expected, actual, n_bands=n_bands) >= 0.0
    assert metrics.psi(expected, expected, n_bands=n_bands) == 0.0


def test_psi_grows_with_the_shift_and_labels_follow_the_thresholds():
    rng = np.random.default_rng(6)
    base = rng.normal(600, 50, 20_000)
    values = [metrics.psi(base, rng.normal(600 + shift, 50, 20_000)) for shift in (0, 10, 40)]
    assert values[0] < values[1] < values[2]
    assert metrics.psi_label(values[0]) == "stable"
    assert metrics.psi_label(values[2]) == "act"


def test_psi_counts_missing_values_in_a_band_of_their_own():
    table = metrics.psi_table([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, np.nan, np.nan], n_bands=2)
    assert table["band"].tolist() == ["1", "2", "missing"]
    assert table["actual_count"].tolist() == [2, 0, 2]
    assert table["psi"].iloc[-1] > 0


def test_csi_ranks_the_drifting_feature_first_and_refuses_unknown_features():
    rng = np.random.default_rng(7)
    base = pd.DataFrame({"a": rng.integers(0, 5, 5000), "b": rng.integers(0, 5, 5000)})
    new = pd.DataFrame({"a": rng.integers(0, 5, 5000), "b": rng.integers(0, 3, 5000)})
    out = metrics.csi(base, new)
    assert out["feature"].tolist() == ["b", "a"]
    assert out.loc[0, "label"] == "act"
    assert out.loc[1, "label"] == "stable"
    with pytest.raises(InvalidArgument, match="zzz"):
        metrics.csi(base, new, features=["zzz"])


def test_score_distribution_counts_every_score_once():
    rng = np.random.default_rng(8)
    s = rng.normal(600, 50, 1000)
    y = rng.integers(0, 2, 1000)
    d = metrics.score_distribution(s, y, bins=15)
    assert d["count"].sum() == 1000
    assert d["bads"].sum() == y.sum()
    assert d["share"].sum() == pytest.approx(1.0)
