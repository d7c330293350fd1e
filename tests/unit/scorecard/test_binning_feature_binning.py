"""FeatureBinning, the shared contract: layout, bin_index, labels, table, JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard import FeatureBinning

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _numeric(splits, specials=()):
    n = len(splits) + 1 + len(specials) + 1
    return FeatureBinning.from_counts(
        "x", "numeric", splits=tuple(splits), special_values=tuple(specials),
        count=[10] * n, n_event=[1 + i % 3 for i in range(n)])


def _slow_numeric_bin(b: FeatureBinning, v: float) -> int:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return b.missing_bin
    for k, s in enumerate(b.special_values):
        if v == s:
            return b.n_regular + k
    edges = [-math.inf, *b.splits, math.inf]
    hits = [i for i in range(b.n_regular) if edges[i] <= v < edges[i + 1]
            or (i == b.n_regular - 1 and v == math.inf)]
    assert len(hits) == 1, (v, hits)
    return hits[0]


@settings(max_examples=60, deadline=None)
@given(splits=st.lists(finite, max_size=8, unique=True).map(sorted),
       values=st.lists(st.one_of(finite, st.just(math.nan), st.just(math.inf),
                                 st.just(-math.inf), st.just(999.0)), min_size=1, max_size=50))
def test_numeric_bin_index_agrees_with_slow_reference_and_covers_line_once(splits, values):
    binning = _numeric(splits, specials=(999.0,))
    got = binning.bin_index(np.array(values, dtype=np.float64))
    assert got.dtype == np.int32
    assert got.tolist() == [_slow_numeric_bin(binning, v) for v in values]


@settings(max_examples=40, deadline=None)
@given(splits=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6, unique=True).map(sorted))
def test_split_points_fall_in_the_bin_to_their_right(splits):
    binning = _numeric(splits)
    assert binning.bin_index(np.array(splits)).tolist() == list(range(1, len(splits) + 1))


def test_layout_regular_then_specials_then_missing():
    binning = _numeric([1.0, 2.0], specials=(-1.0, 999.0))
    assert (binning.n_regular, binning.n_bins, binning.missing_bin) == (3, 6, 5)
    assert binning.labels() == ["[-inf, 1.0)", "[1.0, 2.0)", "[2.0, inf)", "special -1",
                                "special 999", "missing"]


def test_categorical_bin_index_maps_levels_specials_missing_and_unseen():
    binning = FeatureBinning.from_counts(
        "region", "categorical", categories=(("A", "B"), ("C",)), special_values=("UNK",),
        count=[50, 30, 5, 15], n_event=[5, 9, 1, 3], unseen_bin=1)
    values = pd.Series(["A", "C", "B", "UNK", None, "Z", np.nan], dtype=object)
    assert binning.bin_index(values).tolist() == [0, 1, 0, 2, 3, 1, 3]
    assert binning.bin_index(values.astype("category")).tolist() == [0, 1, 0, 2, 3, 1, 3]
    assert binning.labels() == ["{A, B}", "{C}", "special UNK", "missing"]


def test_categorical_levels_match_by_string_form():
    binning = FeatureBinning.from_counts(
        "code", "categorical", categories=((1, 2), (3,)), count=[5, 5, 0], n_event=[1, 2, 0])
    assert binning.categories == (("1", "2"), ("3",))
    assert binning.bin_index(np.array([1, 3.0, "2"], dtype=object)).tolist() == [0, 1, 0]


def test_table_columns_and_totals():
    binning = _numeric([0.5])
    table = binning.table()
    assert list(table.columns) == ["bin", "count", "count_share", "goods", "bads",
                                   "event_rate", "woe", "iv"]
    assert table["count"].sum() == binning.count.sum()
    assert math.isclose(table["iv"].sum(), binning.iv, rel_tol=1e-12)
    assert (table["goods"] + table["bads"] == table["count"]).all()


def test_woe_is_positive_for_safer_bins_and_zero_when_empty():
    binning = FeatureBinning.from_counts("x", "numeric", splits=(1.0,), count=[100, 100, 0],
                                         n_event=[5, 30, 0])
    assert binning.woe[0] > 0 > binning.woe[1]
    assert binning.woe[2] == 0.0


def test_woe_finite_when_a_bin_has_no_bads_or_no_goods():
    binning = FeatureBinning.from_counts("x", "numeric", splits=(1.0,), count=[100, 20, 0],
                                         n_event=[0, 20, 0])
    assert np.isfinite(binning.woe).all() and np.isfinite(binning.iv)


_special = st.one_of(finite.map(float), st.text(min_size=1, max_size=4))


@settings(max_examples=60, deadline=None)
@given(splits=st.lists(st.one_of(finite, st.just(math.inf)), max_size=6, unique=True).map(sorted),
       specials=st.lists(_special, max_size=3, unique=True),
       data=st.data())
def test_to_dict_round_trip_is_exact_through_json(splits, specials, data):
    n = len(splits) + 1 + len(specials) + 1
    count = data.draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n))
    events = [data.draw(st.integers(0, c)) for c in count]
    original = FeatureBinning.from_counts("f", "numeric", splits=tuple(splits),
                                          special_values=tuple(specials), count=count,
                                          n_event=events, monotonic_trend="peak")
    back = FeatureBinning.from_dict(json.loads(json.dumps(original.to_dict())))
    assert back.splits == original.splits
    assert back.special_values == original.special_values
    assert [type(v) for v in back.special_values] == [type(v) for v in original.special_values]
    assert back.woe.tobytes() == original.woe.tobytes()
    assert back.iv == original.iv
    np.testing.assert_array_equal(back.count, original.count)
    np.testing.assert_array_equal(back.n_event, original.n_event)
    assert (back.name, back.kind, back.unseen_bin, back.monotonic_trend) == (
        original.name, original.kind, original.unseen_bin, original.monotonic_trend)


def test_categorical_round_trip_keeps_groups_and_unseen_bin():
    original = FeatureBinning.from_counts(
        "r", "categorical", categories=(("a", "b"), ("c",)), special_values=("?",),
        count=[3, 4, 1, 0], n_event=[1, 2, 0, 0], unseen_bin=0)
    back = FeatureBinning.from_dict(json.loads(json.dumps(original.to_dict())))
    assert back.to_dict() == original.to_dict()
    assert back.categories == (("a", "b"), ("c",))
