"""What a capacity simulation reports: time to payout per tier, queues per station and the
use of each staff pool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CapacityReport", "TierFigures", "StationFigures", "PoolFigures", "StationTally",
           "summarise", "percentile"]


class StationTally:
    """A station's queue over time: its time-weighted area, its longest and its tasks done."""

    __slots__ = ("length", "longest", "area", "since", "served", "marked")

    def __init__(self) -> None:
        self.length = self.longest = self.served = 0
        self.area = self.since = self.marked = 0.0

    def mark(self, now: float) -> None:
        """Keep the area up to ``now`` (the end of arrivals) for the mean queue."""
        self.change(now, 0)
        self.marked = self.area

    def change(self, now: float, by: int) -> None:
        self.area += self.length * (now - self.since)
        self.since = now
        self.length += by
        if self.length > self.longest:
            self.longest = self.length


@dataclass(frozen=True)
class TierFigures:
    """Cases of one tier: how many came, were paid out, declined or still open; hours from
    submission to payout of the paid-out ones."""

    tier: str
    arrived: int
    paid_out: int
    declined: int
    open: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None


@dataclass(frozen=True)
class StationFigures:
    station: str
    pool: str
    mean_queue: float
    longest_queue: int
    queue_at_end: int
    tasks_done: int


@dataclass(frozen=True)
class PoolFigures:
    pool: str
    staff: int
    utilisation: float


@dataclass(frozen=True)
class CapacityReport:
    tiers: tuple[TierFigures, ...]
    stations: tuple[StationFigures, ...]
    pools: tuple[PoolFigures, ...]
    notes: tuple[str, ...]

    def tier(self, name: str) -> TierFigures:
        return next(t for t in self.tiers if t.tier == name)

    @property
    def all_paid_out(self) -> TierFigures:
        """The paid-out cases of every tier together (medians of the pooled times)."""
        return next(t for t in self.tiers if t.tier == "all")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0-1) by linear interpolation; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _tier(name: str, arrived: int, times: Sequence[float], declined: int) -> TierFigures:
    def hours(v: float | None) -> float | None:
        return None if v is None else v / 60.0

    mean = sum(times) / len(times) if times else None
    return TierFigures(name, arrived, len(times), declined, arrived - len(times) - declined,
                       hours(percentile(times, 0.5)), hours(percentile(times, 0.9)), hours(mean))


def summarise(staff: Mapping[str, int], arrived: Mapping[str, int],
              paid: Mapping[str, list[float]], declined: Mapping[str, int],
              tally: Mapping[str, StationTally], busy: Mapping[str, float],
              staff_minutes: Mapping[str, float], active: float,
              pool_of: Mapping[str, str], notes: Sequence[str]) -> CapacityReport:
    """The report from a finished run's counts (times in minutes; queues averaged over the
    ``active`` minutes of arrivals)."""
    tiers = [_tier(t, arrived[t], paid[t], declined[t]) for t in arrived]
    tiers.append(_tier("all", sum(arrived.values()), [x for v in paid.values() for x in v],
                       sum(declined.values())))
    stations = []
    for station, t in tally.items():
        stations.append(StationFigures(station, pool_of[station], t.marked / active, t.longest,
                                       t.length, t.served))
    pools = [PoolFigures(p, staff[p], min(busy[p] / staff_minutes[p], 1.0)) for p in sorted(busy)]
    return CapacityReport(tuple(tiers), tuple(stations), tuple(pools), tuple(notes))
