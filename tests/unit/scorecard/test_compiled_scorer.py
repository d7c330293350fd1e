"""The compiled scorer agrees with the binnings, row by row and record by record."""

from __future__ import annotations

import timeit

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard import FeatureBinning
from creditfactory.scorecard._compiled import CompiledFeature, CompiledScorer
from creditfactory.scorecard._points import Scaling
from creditfactory.scorecard.errors import FeatureMissing

AGE = FeatureBinning.from_counts(
    "age", "numeric", splits=(25.0, 40.0, 60.0), special_values=(-1.0, 999.0),
    count=[10, 20, 30, 10, 5, 5, 3], n_event=[4, 5, 4, 1, 2, 1, 1], monotonic_trend="descending")
REGION = FeatureBinning.from_counts(
    "region", "categorical", categories=(("N", "E"), ("S",), ("W", "other")),
    special_values=("unknown",), count=[30, 20, 10, 4, 2], n_event=[3, 6, 4, 1, 1])
AGE_POINTS = [10.0, 20.0, 30.0, 40.0, -5.0, 7.0, 1.0]
REGION_POINTS = [50.0, 15.0, 25.0, 3.0, 8.0]


def _scorer() -> CompiledScorer:
    return CompiledScorer([CompiledFeature.build(AGE, AGE_POINTS),
                           CompiledFeature.build(REGION, REGION_POINTS)], Scaling(), 0.0)


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.sampled_from([-1.0, 999.0, 25.0, 40.0, 60.0]), st.integers(-5, 100))
levels = st.one_of(st.sampled_from(["N", "E", "S", "W", "other", "unknown", "Z", "zz"]),
                   st.none())


@settings(max_examples=80, deadline=None)
@given(ages=st.lists(numbers, min_size=1, max_size=30), regions=st.data())
def test_block_and_record_scores_match_the_binnings(ages, regions):
    region = regions.draw(st.lists(levels, min_size=len(ages), max_size=len(ages)))
    frame = pd.DataFrame({"age": pd.Series(ages, dtype="float64"),
                          "region": pd.Series(region, dtype=object)})
    expected = (np.asarray(AGE_POINTS)[AGE.bin_index(frame["age"])]
                + np.asarray(REGION_POINTS)[REGION.bin_index(frame["region"])])
    scorer = _scorer()
    assert np.array_equal(scorer.score(frame), expected)
    for row, want in zip(frame.to_dict("records"), expected, strict=True):
        assert scorer.score_record(row) == want


def test_special_missing_and_unseen_values_take_their_bins():
    scorer = _scorer()
    rec = scorer.score_record
    assert rec({"age": -1, "region": "unknown"}) == -5.0 + 3.0
    assert rec({"age": None, "region": None}) == 1.0 + 8.0
    assert rec({"age": float("nan"), "region": "Mars"}) == 1.0 + REGION_POINTS[REGION.unseen_bin]
    assert rec({"age": 25, "region": "S"}) == 20.0 + 15.0
    assert rec({"age": "not a number", "region": "W"}) == 1.0 + 25.0


def test_a_numpy_block_follows_the_cards_feature_order():
    scorer = _scorer()
    block = np.array([[30.0, "N"], [70.0, "Z"]], dtype=object)
    assert scorer.score(block).tolist() == [20.0 + 50.0, 40.0 + REGION_POINTS[REGION.unseen_bin]]


def test_a_feature_missing_from_the_data_is_named():
    scorer = _scorer()
    with pytest.raises(FeatureMissing, match="'region'"):
        scorer.score(pd.DataFrame({"age": [30]}))
    with pytest.raises(FeatureMissing, match="'region'"):
        scorer.score_record({"age": 30})


def test_one_record_scores_in_microseconds():
    rng = np.random.default_rng(0)
    feats = []
    record = {}
    for j in range(12):
        splits = tuple(np.sort(rng.normal(size=6)))
        b = FeatureBinning.from_counts(f"n{j}", "numeric", splits=splits, special_values=(-99.0,),
                                       count=[10] * 9, n_event=[2] * 9)
        feats.append(CompiledFeature.build(b, rng.normal(size=9) * 10))
        record[f"n{j}"] = float(rng.normal())
    for j in range(3):
        b = FeatureBinning.from_counts(f"c{j}", "categorical",
                                       categories=tuple((f"l{k}",) for k in range(8)),
                                       count=[10] * 9, n_event=[2] * 9)
        feats.append(CompiledFeature.build(b, rng.normal(size=9) * 10))
        record[f"c{j}"] = "l3"
    scorer = CompiledScorer(feats, Scaling())
    runs = timeit.repeat(lambda: scorer.score_record(record), number=200, repeat=15)
    median_us = sorted(runs)[len(runs) // 2] / 200 * 1e6
    assert median_us < 50.0


def test_reason_codes_of_a_record_match_those_of_its_row():
    scorer = _scorer()
    frame = pd.DataFrame({"age": [20.0, 70.0, None, 50.0], "region": ["S", "N", "Z", None]})
    block = scorer.reason_codes(frame, n=2)
    for i, row in enumerate(frame.to_dict("records")):
        got = scorer.reason_codes_record(row, n=2)
        want = [v for v in block.iloc[i].tolist() if v is not None]
        assert got == want
    assert block.iloc[1].tolist() == [None, None]  # best bins in both features
    assert block.iloc[0].tolist() == ["region", "age"]  # 35 points short on region, 20 on age


def test_long_columns_score_the_same_across_chunk_boundaries():
    rng = np.random.default_rng(3)
    n = 150_001
    age = rng.choice([-1.0, 999.0, np.nan, 25.0, 40.0], n)
    age = np.where(rng.random(n) < 0.7, rng.uniform(0, 90, n), age)
    region = rng.choice(["N", "E", "S", "W", "other", "unknown", "Z"], n).astype(object)
    region[rng.random(n) < 0.05] = None
    frame = pd.DataFrame({"age": age, "region": region})
    expected = (np.asarray(AGE_POINTS)[AGE.bin_index(frame["age"])]
                + np.asarray(REGION_POINTS)[REGION.bin_index(frame["region"])])
    assert np.array_equal(_scorer().score(frame), expected)
    assert np.array_equal(_scorer().features[0].bins(frame["age"]), AGE.bin_index(frame["age"]))
