"""Processes sharing a store see every kept application and every confirmed fraud."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import identity_table, record_identity
from creditfactory.fraud.labels import known_bad_times
from creditfactory.fraud.live import CatchUp, IdCursor, KeptApplication, KnownBad, LiveFraud
from creditfactory.world import World

KEY = b"test-identity-key"
WEIGHTS = np.random.default_rng(0).random(len(FEATURES))


class FakeStore:
    """Applications and findings kept in id order, read as the services read the store."""

    def __init__(self) -> None:
        self.apps: list[dict[str, int]] = []
        self.findings: list[tuple[int, int, bool, int]] = []
        self.reads = 0

    def keep(self, app: dict[str, Any]) -> int:
        self.apps.append(record_identity(app, KEY))
        return len(self.apps)

    def find(self, application_id: int, fraud: bool, at: int) -> None:
        self.findings.append((len(self.findings) + 1, application_id, fraud, at))

    def read(self, after_app: int, after_finding: int) -> CatchUp:
        self.reads += 1
        new = [f for f in self.findings if f[0] > after_finding]
        return CatchUp(
            applications=[KeptApplication(i, a) for i, a in enumerate(self.apps, 1) if i > after_app],
            known_bads=[KnownBad(f, a, at) for f, a, bad, at in new if bad],
            finding_ids=[f[0] for f in new],
        )


@pytest.fixture(scope="module")
def history(small_world: World) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    apps = small_world.applications.sort_values(["applied_at", "application_id"],
                                                ignore_index=True)
    identity = identity_table(apps, KEY)
    bad = known_bad_times(small_world.performance, apps["application_id"].to_numpy())
    return apps, identity, bad


def scorer(history: tuple[pd.DataFrame, pd.DataFrame, np.ndarray], n_seed: int) -> LiveFraud:
    _, identity, bad = history
    live = LiveFraud(lambda row: float(np.dot(row, WEIGHTS)), FEATURES, np.linspace(0, 40, 400),
                     KEY).seed(identity.iloc[:n_seed], bad[:n_seed])
    live.background_refresh = False
    return live


def live_rows(history: tuple[pd.DataFrame, pd.DataFrame, np.ndarray], n_seed: int,
              n: int) -> list[dict[str, Any]]:
    return history[0].iloc[n_seed:n_seed + n].to_dict("records")


def test_a_restarted_process_catches_up_and_scores_like_the_one_that_ran(history: Any,
                                                                         served: Any) -> None:
    store = FakeStore()
    first = served(scorer(history, 5000), store.read)
    rows = live_rows(history, 5000, 250)
    for app in rows[:200]:
        first.score(app)
        store.keep(app)
    restarted = served(scorer(history, 5000), store.read)
    assert restarted.catch_up() == 200
    assert len(first) == len(restarted) == 5200  # the first process gave its own kept ids
    for app in rows[200:]:
        expected = first.score(app)
        store.keep(app)
        assert restarted.score(app) == expected


def test_processes_taking_turns_score_as_one_process_would(history: Any, served: Any) -> None:
    store = FakeStore()
    one = scorer(history, 5000)
    turns = [served(scorer(history, 5000), store.read), served(scorer(history, 5000), store.read)]
    got, expected = [], []
    for n, app in enumerate(live_rows(history, 5000, 300)):
        expected.append(one.score(app))
        got.append(turns[n % 2].score(app))
        store.keep(app)
    assert got == expected
    assert sum(codes != "" for _, codes in got) >= 3
    assert len(turns[0]) == len(turns[1]) - 1 == 5299  # the last one is not read back yet


def test_a_rescored_application_keeps_its_first_score_and_adds_no_node(history: Any,
                                                                        served: Any) -> None:
    store = FakeStore()
    live = served(scorer(history, 5000), store.read)
    app, other = live_rows(history, 5000, 2)
    first = live.score(app)
    store.keep(app)
    live.score(other)
    assert live.score(app) == first
    assert len(live) == 5002


def _fresh(row: dict[str, Any], n: int, applied_at: str) -> dict[str, Any]:
    return {**row, "applied_at": applied_at, "resident_id": f"44030119800101{n:04d}", "age": 40,
            "phone": f"1990000{n:04d}", "contact_phones": f"1991000{n:04d}",
            "device_id": f"dev-{n}", "ip": f"10.9.{n // 250}.{n % 250}",
            "bank_card": f"62229900{n:08d}", "home_address": f"home {n}",
            "business_address": f"shop {n}", "uscc": f"USCC{n:06d}",
            "business_name": f"Trading {n}"}


def test_a_confirmed_fraud_finding_blacklists_its_device_in_every_process(history: Any,
                                                                          served: Any) -> None:
    store = FakeStore()
    deciding = served(scorer(history, 6000), store.read)
    other = served(scorer(history, 6000), store.read)
    base = history[0].iloc[-1].to_dict()
    fraud = _fresh(base, 1, "2031-01-10T10:00:00")
    deciding.score(fraud)
    kept = store.keep(fraud)
    before = {**_fresh(base, 2, "2031-01-11T10:00:00"), "device_id": fraud["device_id"]}
    assert "BLACKLIST" not in deciding.score(before)[1]
    store.keep(before)
    store.find(kept, fraud=False, at=1_924_000_000)  # e.g. revenue verified: no fraud
    store.find(kept, fraud=True, at=1_924_000_000)
    for n, live in enumerate((deciding, other)):
        later = {**_fresh(base, 3 + n, "2031-01-12T10:00:00"), "device_id": fraud["device_id"]}
        codes = live.score(later)[1].split(",")
        assert "BLACKLIST" in codes
        store.keep(later)
    reasons = dict(other.assess({**_fresh(base, 9, "2031-01-13T10:00:00"),
                                 "device_id": fraud["device_id"]}).hits)
    assert reasons["BLACKLIST"] == f"device shared with 1 known-bad application(s), e.g. #{kept}"


def test_an_application_committed_late_is_still_read_once() -> None:
    cursor = IdCursor(grace=60)
    assert cursor.take(1, now=0) and cursor.take(3, now=0)
    assert cursor.after(now=1) == 1  # 2 is still open: read again from there
    assert not cursor.take(3, now=1)
    assert cursor.take(2, now=2) and not cursor.take(2, now=3)
    assert cursor.after(now=3) == 3
    cursor.take(6, now=10)
    assert cursor.after(now=100) == 6  # 4 and 5 never came: given up after the grace


def test_the_case_neighbourhood_names_kept_applications_and_shows_no_values(history: Any,
                                                                           served: Any) -> None:
    store = FakeStore()
    live = served(scorer(history, 6000), store.read)
    base = history[0].iloc[-1].to_dict()
    a = _fresh(base, 11, "2031-02-01T10:00:00")
    b = {**_fresh(base, 12, "2031-02-02T10:00:00"), "device_id": a["device_id"],
         "phone": a["phone"]}
    for app in (a, b):
        live.score(app)
        store.keep(app)
    store.find(1, fraud=True, at=1_924_000_000)
    found = live.neighbourhood(2)
    assert found is not None and found["center"] == "store:2"
    nodes = {n["key"]: n for n in found["nodes"]}
    assert set(nodes) == {"store:1", "store:2"}
    assert nodes["store:1"]["known_bad_since"] is not None and nodes["store:1"]["hop"] == 1
    assert found["links"] == [{"source": "store:2", "target": "store:1",
                               "kinds": ["phone", "device"]}]
    text = repr(found)
    assert a["phone"] not in text and str(record_identity(a, KEY)["phone"]) not in text
    assert live.neighbourhood(99) is None
