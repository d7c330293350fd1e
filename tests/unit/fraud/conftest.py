"""The live fraud graph as the service layer runs it, for tests of the graph on its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from creditfactory.fraud.live import Assessment, CatchUp, LiveFraud

Read = Callable[[int, int], CatchUp]


class Served:
    """A live graph with a store to read from: before a score (when due) and before drawing a
    neighbourhood, what the store kept since the last read is read and handed to the graph."""

    def __init__(self, live: LiveFraud, read: Read | None = None) -> None:
        self.live = live
        self.read = read

    def __len__(self) -> int:
        return len(self.live)

    @property
    def graph(self) -> Any:
        return self.live.graph

    def identity_of(self, app: Mapping[str, Any]) -> dict[str, int]:
        return self.live.identity_of(app)

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool:
        return self.live.kept(identity, application_id)

    def catch_up(self) -> int:
        if self.read is None:
            return 0
        added = 0
        while True:
            batch = self.read(*self.live.catch_up_position())
            added += self.live.take(batch)
            if not batch.more:
                return added

    def assess(self, app: Mapping[str, Any],
               identity: Mapping[str, int] | None = None) -> Assessment:
        if self.live.catch_up_due():
            self.catch_up()
        return self.live.assess(app, identity)

    def score(self, app: Mapping[str, Any]) -> tuple[float, str]:
        found = self.assess(app)
        return found.fraud_score, found.codes

    def neighbourhood(self, application_id: int) -> dict[str, Any] | None:
        self.catch_up()
        return self.live.neighbourhood(application_id)


@pytest.fixture
def served() -> type[Served]:
    """:class:`Served`: ``served(live, store.read)``."""
    return Served
