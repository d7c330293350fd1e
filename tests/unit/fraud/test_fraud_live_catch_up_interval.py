"""A busy scorer reads the store at most once per interval, and still sees others."""

from __future__ import annotations

from typing import Any

import numpy as np

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import identity_table, record_identity
from creditfactory.fraud.live import CatchUp, KeptApplication, LiveFraud
from creditfactory.world import World

KEY = b"interval-identity-key"
WEIGHTS = np.random.default_rng(1).random(len(FEATURES))


class CountingSource:
    """Applications other processes kept, read as the services read the store."""

    def __init__(self) -> None:
        self.kept: list[dict[str, int]] = []
        self.reads = 0

    def __call__(self, after_app: int, after_finding: int) -> CatchUp:
        self.reads += 1
        return CatchUp(applications=[KeptApplication(i, a) for i, a in enumerate(self.kept, 1)
                                     if i > after_app])


def test_scores_read_once_per_interval_and_then_see_other_processes(small_world: World,
                                                                     served: Any) -> None:
    apps = small_world.applications.sort_values(["applied_at", "application_id"],
                                                ignore_index=True)
    seeded = identity_table(apps.iloc[:300], KEY)
    rows: list[dict[str, Any]] = apps.iloc[300:310].to_dict("records")
    now = [100.0]
    source = CountingSource()
    graph = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES, np.linspace(0, 40, 400),
                      KEY, clock=lambda: now[0])
    graph.seed(seeded, np.full(len(seeded), np.iinfo(np.int64).max))
    graph.background_refresh = False
    graph.catch_up_every = 0.5
    live = served(graph, source)

    for row in rows[:3]:
        live.score(row)
    assert source.reads == 1
    source.kept.append(record_identity(rows[5], KEY))  # kept by another process
    live.score(rows[3])
    assert source.reads == 1 and len(live) == 300 + 4

    now[0] += 0.5
    live.score(rows[4])
    assert source.reads == 2 and len(live) == 300 + 6
    assert live.catch_up() == 0 and source.reads == 3


def test_without_an_interval_every_score_reads(small_world: World, served: Any) -> None:
    apps = small_world.applications.sort_values(["applied_at", "application_id"],
                                                ignore_index=True)
    source = CountingSource()
    graph = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES, np.linspace(0, 40, 400),
                      KEY, clock=lambda: 0.0)
    graph.seed(identity_table(apps.iloc[:200], KEY), np.full(200, np.iinfo(np.int64).max))
    graph.background_refresh = False
    live = served(graph, source)
    for row in apps.iloc[200:204].to_dict("records"):
        live.score(row)
    assert source.reads == 4
