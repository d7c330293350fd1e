"""The scan's retrospective flags: strong links, and single links inside a channel's burst."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud import IdentityGraph
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.scan import _spread

DAY = 86_400


def graph() -> IdentityGraph:
    days = [0, 1, 2, 3, 60]
    f = pd.DataFrame({"application_id": [1, 2, 3, 4, 5],
                      "applied_at": 1_600_000_000 + DAY * np.asarray(days), "channel_id": ""})
    for k, column in enumerate(HASH_COLUMNS):
        f[column] = np.arange(1, 6, dtype=np.uint64) * np.uint64(100) + np.uint64(k)
    f["channel"] = np.array([7, 7, 7, 8, 7], np.uint64)
    f.loc[[1, 2], ["device", "home_address"]] = np.uint64(1)  # 3 shares two kinds with 2
    f.loc[[0, 1], "ip"] = np.uint64(2)  # 2 shares one kind with 1, same channel, next day
    f.loc[[1, 3], "bank_card"] = np.uint64(3)  # 4 shares one kind with 2, other channel
    f.loc[[1, 4], "uscc"] = np.uint64(4)  # 5 shares one kind with 2, same channel, 59 days on
    return IdentityGraph.build(f)


def test_strong_links_and_same_channel_bursts_spread_a_ring_flag() -> None:
    p = np.array([0.1, 0.9, 0.2, 0.1, 0.1])
    decided = np.array([False, True, False, False, False])
    window = np.ones(5, bool)
    score, flagged, linked = _spread(graph(), p, decided, window, strong_kinds=2,
                                     burst_days=30)
    assert flagged.tolist() == [True, True, True, False, False]
    assert linked[2] == (1, "device, home_address")
    assert linked[0] == (1, "ip in the same burst and channel")
    np.testing.assert_allclose(score, [0.9, 0.9, 0.9, 0.1, 0.1])


def test_without_burst_spreading_only_strong_links_count() -> None:
    p = np.array([0.1, 0.9, 0.2, 0.1, 0.1])
    decided = np.array([False, True, False, False, False])
    _, flagged, _ = _spread(graph(), p, decided, np.ones(5, bool), strong_kinds=2)
    assert flagged.tolist() == [False, True, True, False, False]


def test_only_window_applications_are_flagged_retrospectively() -> None:
    p = np.array([0.1, 0.9, 0.2, 0.1, 0.1])
    decided = np.array([False, True, False, False, False])
    window = np.array([False, True, False, True, True])
    _, flagged, _ = _spread(graph(), p, decided, window, strong_kinds=2, burst_days=30)
    assert flagged.tolist() == [False, True, False, False, False]


def test_a_borderline_source_spreads_through_strong_links_but_not_bursts() -> None:
    p = np.array([0.1, 0.15, 0.2, 0.1, 0.1])
    decided = np.array([False, True, False, False, False])
    _, flagged, linked = _spread(graph(), p, decided, np.ones(5, bool), strong_kinds=2,
                                 burst_days=30, burst_min_score=0.2)
    assert flagged.tolist() == [False, True, True, False, False]
    assert set(linked) == {2}
