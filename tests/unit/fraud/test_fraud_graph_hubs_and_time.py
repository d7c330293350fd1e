"""Hub capping and point-in-time correctness of the identity graph's features."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.fraud import GraphConfig, IdentityGraph
from creditfactory.fraud.identity import HASH_COLUMNS

NEVER = np.iinfo(np.int64).max
DAY = 86_400
T0 = 1_577_836_800  # 2020-01-01


def frame(n: int, days: list[int] | None = None) -> pd.DataFrame:
    """n applications with all-distinct values, one per day unless ``days`` says otherwise."""
    t = T0 + DAY * np.asarray(days if days is not None else range(n), np.int64)
    f = pd.DataFrame({"application_id": np.arange(1, n + 1), "applied_at": t, "channel_id": ""})
    for k, column in enumerate(HASH_COLUMNS):
        f[column] = (np.arange(n, dtype=np.uint64) + 1) * np.uint64(1000) + np.uint64(k)
    return f


def test_a_value_past_its_cap_links_nobody_new_and_is_reported() -> None:
    f = frame(8)
    f["business_address"] = np.uint64(42)  # a market: everyone trades at the same address
    g = IdentityGraph.build(f, config=GraphConfig(caps={"business_address": 3}))
    linked = g.features["n_link_business_address"].tolist()
    assert linked == [0, 1, 2, 0, 0, 0, 0, 0]
    assert g.features["component_size"].max() == 3
    hub = g.hubs.iloc[0]
    assert (hub["value_hash"], hub["kind"], hub["n_applications"]) == (42, "business_address", 8)
    assert hub["hub_since"] == np.datetime64(T0 + 3 * DAY, "s")


def test_channel_counts_but_does_not_link() -> None:
    f = frame(4)
    f["channel"] = np.uint64(7)
    g = IdentityGraph.build(f)
    assert g.features["n_link_channel"].tolist() == [0, 1, 2, 3]
    assert g.features["n_linked_1hop"].sum() == 0
    assert len(g.links.pi) == 0


def test_applications_at_the_same_second_do_not_see_each_other() -> None:
    f = frame(3, days=[0, 1, 1])
    f["device"] = np.uint64(5)
    g = IdentityGraph.build(f)
    assert g.features["n_linked_1hop"].tolist() == [0, 1, 1]
    assert g.features["component_size"].tolist() == [1, 2, 2]


def test_a_bad_label_counts_only_once_it_was_known() -> None:
    f = frame(3)
    f["device"] = np.uint64(5)
    bad = np.array([T0 + DAY * 2, NEVER, NEVER])  # app 1 known bad exactly when app 3 applies
    g = IdentityGraph.build(f, bad)
    assert g.features["n_bad_1hop"].tolist() == [0, 0, 0]
    bad[0] = T0 + DAY * 2 - 1
    assert IdentityGraph.build(f, bad).features["n_bad_1hop"].tolist() == [0, 0, 1]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(1, 60))
def test_features_ignore_everything_after_the_application(seed: int, cut: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    f = frame(n, days=sorted(rng.integers(0, 40, n).tolist()))
    for column in HASH_COLUMNS:
        f[column] = rng.integers(1, 6, n).astype(np.uint64) * np.uint64(97) + np.uint64(
            hash(column) % 89)
    bad = np.where(rng.random(n) < 0.3, f["applied_at"] + rng.integers(1, 20, n) * DAY, NEVER)
    config = GraphConfig(caps={"device": 4})
    other_future = bad.copy()
    other_future[cut:] = np.where(bad[cut:] == NEVER, f["applied_at"].to_numpy()[cut:] + 1, NEVER)
    prefix = IdentityGraph.build(f.iloc[:cut], bad[:cut], config).features
    for labels in (bad, other_future):
        full = IdentityGraph.build(f, labels, config).features
        pd.testing.assert_frame_equal(full.iloc[:cut], prefix)


def test_strongly_linked_since_is_when_two_kinds_are_first_shared_with_anyone() -> None:
    f = frame(5)
    f.loc[3, ["device", "home_address"]] = f.loc[0, ["device", "home_address"]].to_numpy()  # 4 joins 1
    f.loc[4, "phone"] = f.loc[1, "phone"]  # 5 shares one kind with 2: a weak link
    g = IdentityGraph.build(f)
    since = g.strongly_linked_since()
    t = f["applied_at"].to_numpy()
    assert since.tolist() == [t[3], NEVER, NEVER, t[3], NEVER]
    assert g.strongly_linked_since(min_kinds=1).tolist() == [t[3], t[4], NEVER, t[3], t[4]]
