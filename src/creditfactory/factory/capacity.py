"""What a capacity simulation of the factory floor runs on: durations, the floor's figures
(tier mix, work times, pass shares, the bank's and the borrower's delays) and the staffing.

Figures come from observations (a store's task, bank and contract times) when there are
enough of them, otherwise from the declared defaults in ``capacity.yaml``; every default
used is named in :attr:`FloorInputs.notes` so a plan never silently rests on a guess.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from creditfactory.errors import InvalidArgument

__all__ = ["Duration", "FloorInputs", "Observations", "floor_inputs", "parse_staff",
           "load_defaults"]


@dataclass(frozen=True)
class Duration:
    """A duration in minutes: ``exponential`` (mean), ``lognormal`` (mean, cv) or
    ``empirical`` (drawn from observed ``samples``)."""

    kind: str
    mean: float
    cv: float = 1.0
    samples: tuple[float, ...] = ()

    @classmethod
    def observed(cls, samples: Sequence[float]) -> Duration:
        return cls("empirical", sum(samples) / len(samples), samples=tuple(samples))

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        """A function drawing one duration with ``rng``."""
        if self.kind == "exponential":
            rate = 1.0 / self.mean
            return lambda: rng.expovariate(rate)
        if self.kind == "empirical":
            samples, n = self.samples, len(self.samples)
            return lambda: samples[int(rng.random() * n)]
        if self.kind == "lognormal":
            sigma = math.sqrt(math.log1p(self.cv**2))
            mu = math.log(self.mean) - sigma**2 / 2
            return lambda: rng.lognormvariate(mu, sigma)
        raise InvalidArgument(f"unknown duration kind {self.kind!r}")

    def describe(self) -> str:
        if self.kind == "empirical":
            return f"observed, n={len(self.samples)}, mean {self.mean:.1f} min"
        return f"{self.kind}, mean {self.mean:.1f} min"


@dataclass(frozen=True)
class FloorInputs:
    """The floor's figures a simulation draws from (durations in minutes)."""

    tier_mix: Mapping[str, float]
    exception_share: float
    service: Mapping[str, Duration]
    pass_share: Mapping[str, float]
    bank_answer: Duration
    bank_approval_share: float
    signature: Duration
    working_hours: tuple[int, int] = (9, 18)
    notes: tuple[str, ...] = ()


@dataclass
class Observations:
    """What a store has seen: cases' tiers, work times (minutes) and outcomes per station,
    the banks' answer delays and approvals, the borrowers' signature delays."""

    tiers: list[str] = field(default_factory=list)
    exceptions: int = 0
    work: dict[str, list[float]] = field(default_factory=dict)
    passed: dict[str, list[bool]] = field(default_factory=dict)
    bank_answers: list[float] = field(default_factory=list)
    bank_approved: list[bool] = field(default_factory=list)
    signatures: list[float] = field(default_factory=list)


@cache
def load_defaults() -> dict[str, Any]:
    """The declared defaults shipped with the package."""
    text = (resources.files("creditfactory.factory") / "capacity.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def _lognormal(raw: Mapping[str, float]) -> Duration:
    return Duration("lognormal", float(raw["mean"]), float(raw.get("cv", 1.0)))


def floor_inputs(seen: Observations | None, stations: Sequence[str],
                 working_hours: tuple[int, int] | None = None) -> FloorInputs:
    """The figures for ``stations`` (the staffed ones): observed where ``seen`` has at least
    ``min_samples`` of a figure, the declared default otherwise (with a note)."""
    d = load_defaults()
    least = int(d["min_samples"])
    seen = seen or Observations()
    notes: list[str] = []

    def enough(values: Sequence[Any], what: str) -> bool:
        if len(values) >= least:
            return True
        notes.append(f"{what}: declared default ({len(values)} observed, {least} needed)")
        return False

    if enough(seen.tiers, "tier mix"):
        mix = {t: seen.tiers.count(t) / len(seen.tiers) for t in sorted(set(seen.tiers))}
        exception = seen.exceptions / len(seen.tiers)
    else:
        mix, exception = dict(d["tier_mix"]), float(d["exception_share"])
    service: dict[str, Duration] = {}
    passes: dict[str, float] = {}
    for station in stations:
        work = seen.work.get(station, [])
        if enough(work, f"{station} work time"):
            service[station] = Duration.observed(work)
            outcomes = seen.passed.get(station, [])
            passes[station] = sum(outcomes) / len(outcomes) if outcomes else 1.0
        else:
            if station not in d["service_minutes"]:
                raise InvalidArgument(f"no declared work time for station {station!r}")
            service[station] = _lognormal(d["service_minutes"][station])
            passes[station] = float(d["pass_share"].get(station, 1.0))
    if enough(seen.bank_answers, "bank answer time"):
        bank = Duration.observed(seen.bank_answers)
        approval = sum(seen.bank_approved) / max(len(seen.bank_approved), 1)
    else:
        bank, approval = _lognormal(d["bank_answer_minutes"]), float(d["bank_approval_share"])
    signature = (Duration.observed(seen.signatures)
                 if enough(seen.signatures, "signature time")
                 else _lognormal(d["signature_minutes"]))
    hours = working_hours or tuple(d["working_hours"])
    return FloorInputs(mix, exception, service, passes, bank, approval, signature,
                       (int(hours[0]), int(hours[1])), tuple(notes))


def parse_staff(text: str) -> dict[str, int]:
    """``station=N,role=M`` as a mapping; a role's staff work all of that role's stations."""
    staff: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, count = part.partition("=")
        if not sep or not count.strip().isdigit():
            raise InvalidArgument(f"--staff wants station=N or role=N, got {part!r}")
        staff[name.strip()] = int(count)
    return staff
