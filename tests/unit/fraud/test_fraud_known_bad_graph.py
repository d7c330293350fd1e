"""A history's graph built once and re-read month by month gives each month's rows the same
features and rule hits as the graph rebuilt over the history up to that month, whatever the
known bads."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud import IdentityGraph, identity_table
from creditfactory.fraud.incremental.known_bads import KnownBadGraph
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.fraud.rules import rule_hits
from creditfactory.settings import DEV_SECRET_KEY


@pytest.fixture(scope="module")
def history() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    from creditfactory.world import generate

    world = generate(6000, months=18, seed=17)
    apps = world.applications.sort_values("applied_at", kind="stable", ignore_index=True)
    identity = identity_table(apps, DEV_SECRET_KEY.encode())
    ids = apps["application_id"].to_numpy(np.int64)
    rng = np.random.default_rng(3)
    bad = known_bad_times(world.performance, ids, booked=rng.random(len(ids)) < 0.7)
    # more known bads than the world's few: a random tenth, known one to ninety days later
    t = identity["applied_at"].to_numpy(np.int64)
    extra = np.where(rng.random(len(t)) < 0.1, t + rng.integers(1, 90, len(t)) * 86_400, NEVER)
    return apps, identity, np.minimum(bad, extra)


def _months(identity: pd.DataFrame) -> np.ndarray:
    return identity["applied_at"].to_numpy(np.int64).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


@pytest.mark.parametrize("month_index", [2, 6, 11, 17])
def test_a_months_rows_equal_the_rebuilt_graphs(history: tuple[Any, Any, np.ndarray], month_index: int) -> None:
    apps, identity, bad = history
    months = _months(identity)
    month = np.unique(months)[month_index]
    lo, hi = np.searchsorted(months, [month, month + 1])
    once = KnownBadGraph(identity, apps)

    rebuilt = IdentityGraph.build(identity.iloc[:hi], bad[:hi])
    expected = rebuilt.features.drop(columns="application_id").iloc[lo:hi].reset_index(drop=True)
    got = once.features(lo, hi, bad[:hi])
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_exact=True)
    assert expected["n_bad_1hop"].sum() > 0 and expected["propagated_risk"].max() > 0

    hits = rule_hits(rebuilt, apps.iloc[:hi])
    expected_hits = hits[hits["row"] >= lo].reset_index(drop=True)
    pd.testing.assert_frame_equal(once.rule_hits(lo, hi, bad[:hi]), expected_hits, check_dtype=False)
    assert {"BLACKLIST", "CONTACT_KNOWN_BAD"} & set(expected_hits["code"])


def test_the_known_bads_of_later_rows_change_nothing(history: tuple[Any, Any, np.ndarray]) -> None:
    apps, identity, bad = history
    months = _months(identity)
    lo, hi = np.searchsorted(months, [np.unique(months)[9]] * 2 + np.array([0, 1]))
    once = KnownBadGraph(identity, apps)
    later = bad.copy()
    later[hi:] = identity["applied_at"].to_numpy(np.int64)[hi:] + 1
    pd.testing.assert_frame_equal(once.features(lo, hi, bad), once.features(lo, hi, later))
    pd.testing.assert_frame_equal(once.rule_hits(lo, hi, bad), once.rule_hits(lo, hi, later), check_dtype=False)
