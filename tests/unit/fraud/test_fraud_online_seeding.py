"""An online graph seeded in one pass answers exactly as one that replayed the same history."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.errors import InvalidArgument
from creditfactory.fraud import GraphConfig, IdentityGraph, OnlineGraph
from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import identity_table
from creditfactory.fraud.labels import NEVER, known_bad_times
from creditfactory.fraud.live import LiveFraud
from creditfactory.fraud.neighbourhood import online_neighbourhood
from creditfactory.fraud.rules import judge, online_one_evidence
from creditfactory.world import World

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

KEY = b"test-identity-key"
WEIGHTS = np.random.default_rng(3).random(len(FEATURES))


def _sibling(name: str) -> ModuleType:
    """A neighbouring test module, for its history generators."""
    spec = importlib.util.spec_from_file_location(f"_seeding_{name}",
                                                  Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_property = _sibling("test_fraud_online_equals_batch_property")
_prepared = _sibling("test_fraud_risk_prepared_ahead")
histories: Callable[[], Any] = _property.histories
identities: Callable[[int, int], tuple[pd.DataFrame, np.ndarray]] = _prepared.identities


def records(identity: pd.DataFrame) -> list[dict[str, int]]:
    hashed = identity.drop(columns="channel_id", errors="ignore")
    return [{str(k): int(v) for k, v in row.items()} for row in hashed.to_dict("records")]


def replay(graph: OnlineGraph, identity: pd.DataFrame, bad: np.ndarray) -> OnlineGraph:
    """Mark the known bads, then add every row in order: the way seeding must look."""
    for app_id, known in zip(identity["application_id"], bad, strict=True):
        if known < NEVER:
            graph.mark_bad(int(app_id), int(known))
    for row in records(identity):
        graph.add(row)
    return graph


def both_ways(identity: pd.DataFrame, bad: np.ndarray,
              config: GraphConfig) -> tuple[OnlineGraph, OnlineGraph]:
    seeded = OnlineGraph(config)
    seeded.seed(identity.reset_index(drop=True), bad)
    return replay(OnlineGraph(config), identity, bad), seeded


def hits(graph: OnlineGraph, row: int, feats: dict[str, float]) -> list[tuple[str, list[str]]]:
    return [(code, texts) for rows, code, texts in judge(online_one_evidence(graph, row, feats).table(row))
            if len(rows)]


def name(graph_id: int) -> dict[str, Any]:
    return {"key": str(graph_id)}


def neighbourhoods(graph: OnlineGraph) -> list[dict[str, Any]]:
    return [online_neighbourhood(graph, row, name, 2, 60) for row in range(len(graph))]


def test_seeding_and_adding_through_new_months_and_late_bads_matches_replay() -> None:
    """One history: seeded in a single pass (one snapshot computed), then months more added."""
    identity, bad = identities(900, 2)
    split = 600
    split_time = identity["applied_at"].iloc[split - 1]
    at_seed = np.where(bad[:split] <= split_time, bad[:split], NEVER)
    replayed, seeded = both_ways(identity.iloc[:split], at_seed, GraphConfig())
    assert neighbourhoods(seeded) == neighbourhoods(replayed)
    assert replayed.full_refreshes > 1 and seeded.full_refreshes == 1
    later = sorted((int(bad[j]), j) for j in range(len(bad)) if bad[j] < NEVER
                   and (j >= split or bad[j] > split_time))
    t = identity["applied_at"].to_numpy()
    got, want = [], []
    for i, row in enumerate(records(identity.iloc[split:]), split):
        while later and later[0][0] < t[i]:
            known, j = later.pop(0)
            for graph in (replayed, seeded):
                graph.mark_bad(j + 1, known)
        a, b = replayed.add(row), seeded.add(row)
        assert hits(seeded, i, b) == hits(replayed, i, a)
        got.append(b)
        want.append(a)
    assert got == want
    assert seeded.next_boundary == replayed.next_boundary > t[split]
    assert neighbourhoods(seeded) == neighbourhoods(replayed)
    batch = IdentityGraph.build(identity, bad, GraphConfig()).features
    columns = [c for c in batch.columns if c != "application_id"]
    np.testing.assert_array_equal(pd.DataFrame(got)[columns].to_numpy(),
                                  batch[columns].iloc[split:].to_numpy())
    assert (batch["propagated_risk"].iloc[split:] > 0).sum() > 10


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), split=st.floats(0, 1), prepare=st.lists(st.booleans(), min_size=45,
                                                                       max_size=45))
def test_a_seeded_graph_is_indistinguishable_from_a_replayed_one(
    history: Any, split: float, prepare: list[bool]
) -> None:
    identity, bad, config = history
    n = len(identity)
    k = int(split * n)
    t = identity["applied_at"].to_numpy()
    seen_by = t[k - 1] if k else t[0] - 1
    at_seed = np.where(bad[:k] <= seen_by, bad[:k], NEVER)
    replayed, seeded = both_ways(identity.iloc[:k], at_seed, config)
    assert neighbourhoods(seeded) == neighbourhoods(replayed)
    waiting = sorted(j for j in range(n) if bad[j] < NEVER and (j >= k or bad[j] > seen_by))
    waiting.sort(key=lambda j: bad[j])
    got = []
    for i, row in enumerate(records(identity.iloc[k:]), k):
        while waiting and bad[waiting[0]] < t[i]:
            j = waiting.pop(0)
            for graph in (replayed, seeded):
                graph.mark_bad(j + 1, int(bad[j]))
        if prepare[i] and len(seeded):
            for graph in (replayed, seeded):
                graph.prepare_risk(graph.risk_mark())
        a, b = replayed.add(row), seeded.add(row)
        assert b == a
        assert hits(seeded, i, b) == hits(replayed, i, a)
        got.append(b)
    assert neighbourhoods(seeded) == neighbourhoods(replayed)
    if got:
        batch = IdentityGraph.build(identity, bad, config).features.drop(columns="application_id")
        expected = batch.iloc[k:].reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.DataFrame(got)[list(expected.columns)], expected,
                                      check_dtype=False, check_exact=True)


def test_only_a_sorted_history_seeds_only_an_empty_graph() -> None:
    identity, bad = identities(50, 0)
    with pytest.raises(InvalidArgument):
        OnlineGraph().seed(identity.iloc[::-1].reset_index(drop=True), bad[::-1])
    graph = OnlineGraph()
    graph.add(records(identity)[0])
    with pytest.raises(InvalidArgument):
        graph.seed(identity, bad)
    empty = OnlineGraph()
    empty.seed(identity.iloc[:0], bad[:0])
    assert len(empty) == 0
    assert empty.add(records(identity)[0]) == OnlineGraph().add(records(identity)[0])


@pytest.fixture(scope="module")
def history(small_world: World) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    apps = small_world.applications.sort_values(["applied_at", "application_id"],
                                                ignore_index=True)
    identity = identity_table(apps, KEY)
    bad = known_bad_times(small_world.performance, apps["application_id"].to_numpy())
    return apps, identity, bad


def live() -> LiveFraud:
    scorer = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES,
                       np.linspace(0, 40, 400), KEY)
    scorer.background_refresh = False
    return scorer


def test_live_scores_and_hits_after_seeding_equal_those_after_replay(history: Any) -> None:
    apps, identity, bad = history
    split = len(apps) - 700
    split_time = int(identity["applied_at"].iloc[split - 1])
    at_seed = np.where(bad[:split] <= split_time, bad[:split], NEVER)
    seeded = live().seed_on_first_use(identity.iloc[:split], at_seed)
    replayed = live()
    replay(replayed.graph, identity.iloc[:split], at_seed)
    assert len(seeded) == len(replayed) == split
    late = [j for j in range(split) if split_time < bad[j] < NEVER][:40]
    assert late
    got, want = [], []
    for n, row in enumerate(apps.iloc[split:].to_dict("records")):
        if n == 300:
            for scorer in (seeded, replayed):
                for j in late:
                    scorer.graph.mark_bad(int(identity["application_id"].iloc[j]), int(bad[j]))
        got.append(seeded.assess(row))
        want.append(replayed.assess(row))
    assert got == want
    assert sum(bool(a.hits) for a in got) >= 3 and len({a.fraud_score for a in got}) > 30
    rows = range(0, len(apps), 7)
    assert ([online_neighbourhood(seeded.graph, r, name, 2, 200) for r in rows]
            == [online_neighbourhood(replayed.graph, r, name, 2, 200) for r in rows])


def test_seeding_a_graph_in_two_parts_equals_seeding_it_at_once(history: Any) -> None:
    apps, identity, bad = history
    head, rest = identity.iloc[:4000], identity.iloc[4000:5500]
    whole, parts = live().seed(identity.iloc[:5500], bad[:5500]), live()
    parts.seed(head, bad[:4000]).seed(rest, bad[4000:5500])
    rows = apps.iloc[5500:5800].to_dict("records")
    assert [whole.assess(r) for r in rows] == [parts.assess(r) for r in rows]
