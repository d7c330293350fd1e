"""Capacity planning on a store's own figures: the tier mix, each station's work times and
verdicts, the banks' and the borrowers' delays as the store has seen them, handed to the
factory's simulation (declared defaults for whatever the store has too few of)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from creditfactory.factory.capacity import FloorInputs, Observations, floor_inputs
from creditfactory.factory.process import Process
from creditfactory.store.repo_capacity import CapacityReads

__all__ = ["observe", "store_inputs"]


def _minutes(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 60.0, 0.0)


def observe(engine: Engine) -> Observations:
    """What the store at ``engine`` has seen, as the simulation's observations."""
    seen = Observations()
    with engine.connect() as conn:
        reads = CapacityReads(conn)
        for tier, exception in reads.tiers():
            seen.tiers.append(tier)
            seen.exceptions += exception
        for station, claimed, completed, outcome in reads.work():
            seen.work.setdefault(station, []).append(_minutes(claimed, completed))
            verdict = (outcome or {}).get("verdict", "pass") if isinstance(outcome, dict) else "pass"
            seen.passed.setdefault(station, []).append(verdict != "reject")
        for submitted, answered, status in reads.bank_answers():
            seen.bank_answers.append(_minutes(submitted, answered))
            seen.bank_approved.append(status == "approved")
        seen.signatures.extend(_minutes(w, s) for w, s in reads.signatures())
    return seen


def store_inputs(process: Process, engine: Engine | None,
                 working_hours: tuple[int, int] | None = None) -> FloorInputs:
    """The floor's figures from the store at ``engine`` (``None``: the declared defaults)."""
    stations: Sequence[str] = list(dict.fromkeys(
        s.station for s in process.steps if s.mode == "staffed"))
    seen = observe(engine) if engine is not None else None
    return floor_inputs(seen, stations, working_hours)
