"""The optimal merge is exact (matches brute force) and the fitted WoE respects the trend."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scorecard import Binner
from creditfactory.scorecard.binning._optimal import optimal_merge, segment_tables

TRENDS = [None, "ascending", "descending", "peak", "valley"]


def _shape_ok(rates: list[float], trend: str | None) -> bool:
    d = np.diff(rates)
    if trend is None:
        return True
    if trend in ("ascending", "descending"):
        return bool(np.all(d > 0) if trend == "ascending" else np.all(d < 0))
    d = d if trend == "peak" else -d
    k = 0
    while k < len(d) and d[k] > 0:
        k += 1
    return bool(np.all(d[k:] < 0))


def _brute_force(count, events, trend, max_bins, min_count) -> float:
    p = len(count)
    rate, value, n = segment_tables(count, events, count.sum(), events.sum())
    best = -np.inf
    for m in range(min(max_bins, p)):
        for cuts in itertools.combinations(range(1, p), m):
            bounds = (0, *cuts, p)
            segs = list(zip(bounds[:-1], bounds[1:], strict=True))
            if len(segs) > 1 and any(n[j, i] < min_count for j, i in segs):
                continue
            if _shape_ok([rate[j, i] for j, i in segs], trend):
                best = max(best, sum(value[j, i] for j, i in segs))
    return best


@settings(max_examples=150, deadline=None)
@given(data=st.data(), p=st.integers(1, 7), trend=st.sampled_from(TRENDS),
       max_bins=st.integers(1, 8), min_count=st.integers(0, 60))
def test_merge_reaches_the_brute_force_optimum(data, p, trend, max_bins, min_count):
    count = np.array(data.draw(st.lists(st.integers(1, 50), min_size=p, max_size=p)))
    events = np.array([data.draw(st.integers(0, int(c))) for c in count])
    if events.sum() in (0, count.sum()):
        return
    result = optimal_merge(count, events, total=float(count.sum()),
                           total_event=float(events.sum()), trend=trend, max_bins=max_bins,
                           min_count=float(min_count))
    assert np.isclose(result.iv, _brute_force(count, events, trend, max_bins, min_count),
                      rtol=1e-9, atol=1e-12)
    bounds = result.bounds
    assert bounds[0] == 0 and bounds[-1] == p and list(bounds) == sorted(set(bounds))
    assert len(bounds) - 1 <= max(1, max_bins)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), trend=st.sampled_from(["ascending", "descending"]),
       n=st.integers(200, 3000), slope=st.floats(-2, 2))
def test_woe_is_monotone_under_a_monotone_constraint(seed, trend, n, slope):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.5 + slope * x)))).astype(int)
    if y.min() == y.max():
        return
    binning = Binner(monotonic_trend=trend).fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    woe = binning.woe[: binning.n_regular]
    steps = np.diff(woe)
    assert np.all(steps < 0) if trend == "ascending" else np.all(steps > 0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), shape=st.sampled_from(["peak", "valley"]))
def test_peak_and_valley_change_direction_at_most_once(seed, shape):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=4000)
    y = (rng.uniform(size=4000) < 1 / (1 + np.exp(-(-1.5 + x**2)))).astype(int)
    binning = Binner(monotonic_trend=shape).fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    rate = binning.n_event[: binning.n_regular] / binning.count[: binning.n_regular]
    signs = np.sign(np.diff(rate))
    assert np.all(signs != 0)
    assert np.count_nonzero(np.diff(signs)) <= 1
    if signs.size and shape == "valley":
        assert signs[-1] > 0 or signs[0] < 0


def test_auto_finds_a_valley_for_a_u_shaped_risk():
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, size=20000)
    y = (rng.uniform(size=20000) < 1 / (1 + np.exp(-(-2.5 + 1.5 * x**2)))).astype(int)
    binning = Binner().fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    assert binning.monotonic_trend == "valley"


def test_auto_takes_the_monotone_trend_of_a_monotone_risk():
    rng = np.random.default_rng(4)
    x = rng.normal(size=20000)
    y = (rng.uniform(size=20000) < 1 / (1 + np.exp(-(-2.5 - x)))).astype(int)
    binning = Binner().fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    assert binning.monotonic_trend == "descending"


def test_every_regular_bin_holds_the_minimum_share():
    rng = np.random.default_rng(5)
    x = rng.exponential(size=5000)
    y = (rng.uniform(size=5000) < 0.1 + 0.2 * (x > 1)).astype(int)
    binning = Binner(min_bin_share=0.1).fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    assert binning.count[: binning.n_regular].min() >= 500


def test_max_bins_limits_the_regular_bins():
    rng = np.random.default_rng(6)
    x = rng.normal(size=20000)
    y = (rng.uniform(size=20000) < 1 / (1 + np.exp(-(-2 + 2 * x)))).astype(int)
    binning = Binner(max_bins=4).fit(pd.DataFrame({"x": x}), y).binnings_["x"]
    assert binning.n_regular == 4


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10**6), trend=st.sampled_from(["ascending", "descending", "peak",
                                                          "valley", None]))
def test_refining_cut_points_keeps_the_shape_and_never_loses_iv(seed, trend):
    from creditfactory.scorecard.binning._numeric import BinningSpec, fit_numeric

    rng = np.random.default_rng(seed)
    x = rng.normal(size=60_000)
    y = (rng.uniform(size=60_000) < 1 / (1 + np.exp(-(-1 + 0.8 * x - 0.3 * x**2)))).astype(int)
    spec = BinningSpec(max_bins=50, min_bin_share=0.05, n_prebins=50, trend=trend,
                       special_values=(), user_splits=None)
    coarse = fit_numeric("x", x, y, BinningSpec(**{**spec.__dict__, "refine": False}))
    fine = fit_numeric("x", x, y, spec)
    assert fine.iv >= coarse.iv - 1e-12
    assert len(fine.splits) == len(coarse.splits)
    assert fine.count[: fine.n_regular].min() >= 0.05 * 60_000
    rate = fine.n_event[: fine.n_regular] / fine.count[: fine.n_regular]
    coarse_rate = coarse.n_event[: coarse.n_regular] / coarse.count[: coarse.n_regular]
    if trend is not None:
        np.testing.assert_array_equal(np.sign(np.diff(rate)), np.sign(np.diff(coarse_rate)))
