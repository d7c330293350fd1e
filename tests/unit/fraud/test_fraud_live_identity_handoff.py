"""The identity record is computed once per submission and the kept id reaches the graph at once.

The submission hands the graph the record it computed (and keeps packed with the application);
once the write commits it tells the graph the kept id, and reading the row back is then free.
A write that never commits leaves the provisional node to be recognised when (if ever) the
application comes back, and other processes add it from the kept bytes.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import identity_table, pack_identity, record_identity
from creditfactory.fraud.live import CatchUp, KeptApplication, LiveFraud, assessment
from creditfactory.world import World

KEY = b"handoff-identity-key"
WEIGHTS = np.random.default_rng(5).random(len(FEATURES))
N_SEED = 4000


class PackedStore:
    """Applications kept with their packed identity record, read as the services read the store."""

    def __init__(self) -> None:
        self.kept: list[bytes] = []

    def keep(self, identity: dict[str, int]) -> int:
        self.kept.append(pack_identity(identity))
        return len(self.kept)

    def read(self, after_app: int, after_finding: int) -> CatchUp:
        return CatchUp(applications=[KeptApplication(i, packed=data)
                                     for i, data in enumerate(self.kept, 1) if i > after_app])


class Unopenable(KeptApplication):
    """A kept application whose record must not be needed."""

    @property
    def identity(self) -> dict[str, int]:
        raise AssertionError(f"the record of {self.application_id} was opened")


@pytest.fixture(scope="module")
def history(small_world: World) -> tuple[pd.DataFrame, list[dict[Any, Any]]]:
    apps = small_world.applications.sort_values(["applied_at", "application_id"],
                                                ignore_index=True)
    rows = apps.iloc[N_SEED:N_SEED + 60].drop(columns="application_id").to_dict("records")
    return identity_table(apps.iloc[:N_SEED], KEY), rows


def scorer(identity: pd.DataFrame) -> LiveFraud:
    live = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES, np.linspace(0, 40, 400),
                     KEY)
    live.seed(identity, np.full(len(identity), np.iinfo(np.int64).max))
    live.background_refresh = False
    return live


def test_a_record_handed_in_is_used_as_is_and_scores_the_same(history: Any,
                                                             monkeypatch: Any) -> None:
    identity, rows = history
    computing, handed = scorer(identity), scorer(identity)
    expected = [computing.assess(row) for row in rows]
    records = [handed.identity_of(row) for row in rows]

    def no_hashing(*args: Any) -> dict[str, int]:
        raise AssertionError("the identity record was computed again")

    monkeypatch.setattr(assessment, "record_identity", no_hashing)
    got = [handed.assess(row, record)
           for row, record in zip(rows, records, strict=True)]
    assert got == expected
    assert records[0] == record_identity(rows[0], KEY)  # not changed by scoring


def test_a_kept_application_is_relabelled_at_once_and_read_back_unopened(history: Any,
                                                                          served: Any) -> None:
    identity, rows = history
    live = scorer(identity)
    record = live.identity_of(rows[0])
    live.assess(rows[0], record)
    assert live.kept(record, 41)
    assert live.graph.row_of(-41) == N_SEED
    assert not live.kept(record, 41)  # told twice: nothing left to relabel

    reading = served(live, lambda a, f: CatchUp(applications=[Unopenable(41, packed=b"")]))
    assert reading.catch_up() == 0
    assert len(live) == N_SEED + 1
    assert live.neighbourhood(41) is not None


def test_an_application_whose_write_failed_is_recognised_when_it_is_kept(history: Any,
                                                                          served: Any) -> None:
    identity, rows = history
    store = PackedStore()
    live = served(scorer(identity), store.read)
    first = live.identity_of(rows[0])
    failed = live.assess(rows[0], first)  # its write rolled back
    kept_other = store.keep(live.identity_of(rows[1]))  # kept by another process
    retried = live.assess(rows[0], live.identity_of(rows[0]))
    kept_retry = store.keep(first)  # the retry committed, but its notice was lost
    live.catch_up()
    assert retried == failed
    assert len(live) == N_SEED + 2
    assert live.graph.row_of(-kept_retry) == N_SEED  # the provisional node, not a new one
    assert live.graph.row_of(-kept_other) == N_SEED + 1


def test_every_process_holds_what_each_kept_and_scores_alike(history: Any, served: Any) -> None:
    identity, rows = history
    store = PackedStore()
    alone = scorer(identity)
    turns = [served(scorer(identity), store.read), served(scorer(identity), store.read)]
    for n, row in enumerate(rows):
        expected = alone.assess(row)
        live = turns[n % 2]
        record = live.identity_of(row)
        assert live.assess(row, record) == expected
        assert live.kept(record, store.keep(record))
    for live in turns:
        live.catch_up()
        assert len(live) == N_SEED + len(rows)
        assert all(live.graph.row_of(-i) is not None for i in range(1, len(rows) + 1))


def test_submissions_on_several_threads_each_get_their_own_node(history: Any,
                                                                served: Any) -> None:
    identity, rows = history
    store = PackedStore()
    live = served(scorer(identity), store.read)
    lock = threading.Lock()
    ids: list[int] = []

    def submit(row: dict[str, Any]) -> None:
        record = live.identity_of(row)
        live.assess(row, record)
        with lock:  # the store hands out ids in commit order
            kept = store.keep(record)
            ids.append(kept)
        live.kept(record, kept)

    threads = [threading.Thread(target=submit, args=(row,)) for row in rows[:20]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert live.catch_up() == 0
    assert len(live) == N_SEED + 20
    assert sorted(-live.graph.ids[r] for r in range(N_SEED, N_SEED + 20)) == sorted(ids)
