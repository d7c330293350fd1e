"""Online and batch identity graphs agree exactly, feature by feature, on any history."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.fraud import GraphConfig, IdentityGraph, OnlineGraph
from creditfactory.fraud.graph_config import KINDS
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.propagation import month_starts

NEVER = np.iinfo(np.int64).max
DAY = 86_400
T0 = 1_546_300_800  # 2019-01-01, so months start on days 0, 31, 59, 90

History = tuple[pd.DataFrame, np.ndarray, GraphConfig]


@st.composite
def histories(draw: Callable[..., object]) -> History:
    """Small dense histories: shared values, same-second ties, times and known-bad times on
    and around month starts, bads known at or before the application, hubs, returning
    customers."""
    n = draw(st.integers(1, 45))
    pool = draw(st.integers(1, 12))
    column = st.lists(st.integers(0, pool), min_size=n, max_size=n)
    days = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    seconds = draw(st.lists(st.sampled_from([0, 0, 1, DAY - 1]), min_size=n, max_size=n))
    t = np.sort(T0 + DAY * np.asarray(days, np.int64) + np.asarray(seconds, np.int64))
    identity = pd.DataFrame({"application_id": np.arange(1, n + 1), "applied_at": t})
    for k, name in enumerate(HASH_COLUMNS):
        values = np.asarray(draw(column), np.uint64)
        identity[name] = np.where(values > 0, values * np.uint64(7919) + np.uint64(k), 0)
    bad = np.full(n, NEVER, np.int64)
    for i in range(n):
        how = draw(st.sampled_from(["never", "never", "same", "days", "month"]))
        if how == "same":
            bad[i] = t[i]
        elif how == "days":
            bad[i] = t[i] + draw(st.integers(-3, 60)) * DAY + draw(st.sampled_from([-1, 0, 1]))
        elif how == "month":
            later = month_starts(np.array([t[i] + draw(st.integers(0, 70)) * DAY]))[0]
            bad[i] = later + draw(st.sampled_from([-1, 0, 1]))
    caps = {kind: draw(st.integers(1, 6)) for kind in draw(st.sets(st.sampled_from(KINDS)))}
    structural = frozenset(k for k in KINDS if k != "channel" or draw(st.booleans()))
    alpha = draw(st.sampled_from([0.3, 0.5, 0.85]))
    return identity, bad, GraphConfig(caps=caps, structural=structural, alpha=alpha)


def batch_features(identity: pd.DataFrame, bad: np.ndarray, config: GraphConfig) -> pd.DataFrame:
    return IdentityGraph.build(identity, bad, config).features.drop(columns="application_id")


def replayed(rows: list[dict[str, int]], online: OnlineGraph, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([online.add(row) for row in rows])[columns]


def records(identity: pd.DataFrame) -> list[dict[str, int]]:
    return [{k: int(v) for k, v in row.items()} for row in identity.to_dict("records")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_online_replay_equals_the_batch_build_exactly(history: History) -> None:
    identity, bad, config = history
    batch = batch_features(identity, bad, config)
    online = OnlineGraph(config)
    for app_id, known in zip(identity["application_id"], bad, strict=True):
        if known != NEVER:
            online.mark_bad(int(app_id), int(known))
    got = replayed(records(identity), online, list(batch.columns))
    pd.testing.assert_frame_equal(got, batch, check_dtype=False, check_exact=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), prepare=st.lists(st.booleans(), min_size=45, max_size=45))
def test_bads_learnt_just_in_time_and_snapshots_prepared_ahead_equal_the_batch(
    history: History, prepare: list[bool]
) -> None:
    identity, bad, config = history
    batch = batch_features(identity, bad, config)
    online = OnlineGraph(config)
    t = identity["applied_at"].to_numpy()
    waiting = sorted(range(len(bad)), key=lambda j: bad[j])
    got = []
    for i, row in enumerate(records(identity)):
        while waiting and bad[waiting[0]] < t[i]:
            j = waiting.pop(0)
            online.mark_bad(j + 1, int(bad[j]))
        if prepare[i] and len(online):
            online.prepare_risk(online.risk_mark())
        got.append(online.add(row))
    frame = pd.DataFrame(got)[list(batch.columns)]
    pd.testing.assert_frame_equal(frame, batch, check_dtype=False, check_exact=True)


def two_applications(second_day: int) -> pd.DataFrame:
    """Two applications sharing only a device; the first on day 4, the second later."""
    identity = pd.DataFrame(
        {"application_id": [1, 2], "applied_at": [T0 + 4 * DAY, T0 + second_day * DAY]}
    )
    for k, name in enumerate(HASH_COLUMNS):
        identity[name] = np.array([100 + k, 200 + k], np.uint64)
    identity["device"] = np.uint64(5)
    return identity


def test_a_known_bad_without_links_at_the_month_start_still_carries_its_risk() -> None:
    identity = two_applications(second_day=33)  # February 3rd: first linked after the snapshot
    bad = np.array([T0 + 9 * DAY, NEVER])
    config = GraphConfig()
    expected = config.alpha * (1 - config.alpha)
    assert batch_features(identity, bad, config)["propagated_risk"].tolist() == [0.0, expected]
    online = OnlineGraph(config)
    online.mark_bad(1, int(bad[0]))
    assert [online.add(row)["propagated_risk"] for row in records(identity)] == [0.0, expected]


def test_a_prepared_snapshot_keeps_the_risk_of_a_bad_marked_after_the_preparation() -> None:
    identity = two_applications(second_day=33)
    rows = records(identity)
    config = GraphConfig()
    online = OnlineGraph(config)
    online.add(rows[0])
    online.prepare_risk(online.risk_mark())
    online.mark_bad(1, T0 + 9 * DAY)
    assert online.add(rows[1])["propagated_risk"] == config.alpha * (1 - config.alpha)
    assert online.full_refreshes == 1
