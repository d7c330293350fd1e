"""Live strategies: an atomic release swap, champion/challenger routing, and the decider.

A compiled strategy is immutable, and a decision takes one reference to it at the start, so
releasing a new version never disturbs decisions in flight; old versions stay reachable by
digest for replay.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.decide_one import decide_one
from creditfactory.strategy.errors import StrategyNotFound
from creditfactory.strategy.record import DecisionRecord

_MASK = (1 << 64) - 1


class StrategyRegistry:
    """Named live strategies plus every version ever released, by digest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, CompiledStrategy] = {}
        self._by_digest: dict[str, CompiledStrategy] = {}

    def release(self, strategy: CompiledStrategy, *, as_name: str | None = None) -> None:
        """Make ``strategy`` the live version of its name (one atomic swap)."""
        with self._lock:
            self._by_digest[strategy.digest] = strategy
            live = dict(self._live)
            live[as_name or strategy.name] = strategy
            self._live = live

    def live(self, name: str) -> CompiledStrategy:
        try:
            return self._live[name]
        except KeyError:
            raise StrategyNotFound(f"no live strategy named '{name}'") from None

    def by_digest(self, digest: str) -> CompiledStrategy:
        try:
            return self._by_digest[digest]
        except KeyError:
            raise StrategyNotFound(f"no released strategy with digest '{digest}'") from None


def _salt(text: str) -> int:
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & _MASK
    return h


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@dataclass(frozen=True)
class ChampionChallenger:
    """Send ``share`` of applications, by a stable hash of the id, to the challenger."""

    share: float
    salt: str = "cc-1"

    def is_challenger(self, application_id: int) -> bool:
        h = _mix((application_id & _MASK) ^ _salt(self.salt))
        return (h >> 11) * 2.0**-53 < self.share

    def challenger_mask(self, ids: np.ndarray) -> np.ndarray:
        """The same assignment for an array of ids (uint64 arithmetic wraps like the mask)."""
        with np.errstate(over="ignore"):
            x = ids.astype(np.int64).view(np.uint64) ^ np.uint64(_salt(self.salt))
            x = x + np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
        return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53 < self.share


class Decider:
    """Decide live applications given their scores: route, evaluate, record.

    ``model_versions`` name the models the scores come from; every record keeps them.
    """

    def __init__(
        self,
        registry: StrategyRegistry,
        *,
        champion: str,
        challenger: str | None = None,
        routing: ChampionChallenger | None = None,
        model_versions: Mapping[str, str] | None = None,
    ):
        self.registry = registry
        self.champion = champion
        self.challenger = challenger
        self.routing = routing
        self.model_versions = dict(model_versions or {})

    def decide(self, app: Mapping[str, Any], scores: Mapping[str, Any], *,
               split_key: int | None = None) -> DecisionRecord:
        """The decision record of one application with its ``scores`` (see ``ScoreProvider``).

        The arm follows ``split_key`` (default: the application id); without one (no key, id
        0) the champion decides.
        """
        key = split_key if split_key is not None else int(app.get("application_id") or 0) or None
        arm = "champion"
        if self.challenger and self.routing and key is not None and self.routing.is_challenger(key):
            arm = "challenger"
        strategy = self.registry.live(self.challenger if arm == "challenger" else self.champion)  # type: ignore[arg-type]
        return decide_one(strategy, app, scores, arm=arm, model_versions=self.model_versions)
