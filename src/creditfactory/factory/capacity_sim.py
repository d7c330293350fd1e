"""A discrete-event simulation (SimPy) of the factory floor: applications arrive in working
hours with the tier mix, wait at each staffed station of their tier's route for a person of
the station's pool, then for the bank and the borrower's signature, and are paid out.

Staff work only in working hours: a task's work is counted in working minutes, so a task
left at closing time is finished the next morning; the bank and the borrower answer in
calendar time. Time runs in minutes from midnight of day 0.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import simpy

from creditfactory.errors import InvalidArgument
from creditfactory.factory.capacity import FloorInputs
from creditfactory.factory.capacity_report import CapacityReport, StationTally, summarise
from creditfactory.factory.process import Process, Step

__all__ = ["Plan", "simulate", "routes", "pools_of"]

DAY = 1440.0


@dataclass(frozen=True)
class Plan:
    """What to simulate: arrivals a day, staff per station or role, days, drain and seed."""

    arrivals_per_day: float
    staff: Mapping[str, int]
    days: int
    drain_days: int = 7
    seed: int = 0


def routes(process: Process) -> dict[tuple[str, bool], tuple[Step, ...]]:
    """The waiting steps a case of each tier (and exception or not) stops at, in order."""
    out: dict[tuple[str, bool], tuple[Step, ...]] = {}
    for tier in ("auto_approve", "remote_verification", "field_investigation"):
        for exception in (False, True):
            stops, after = [], None
            while True:
                _, stop = process.next_stop(after, tier, exception)
                if stop is None:
                    break
                stops.append(stop)
                after = stop.id
            out[tier, exception] = tuple(stops)
    return out


def pools_of(process: Process, staff: Mapping[str, int]) -> dict[str, str]:
    """Each staffed station's pool: its own name in ``staff``, else its role's."""
    pools: dict[str, str] = {}
    for step in process.steps:
        if step.mode != "staffed":
            continue
        if step.station in staff:
            pools[step.station] = step.station
        elif step.role in staff:
            pools[step.station] = str(step.role)
        else:
            raise InvalidArgument(f"no staff for station {step.station!r} (role {step.role}): "
                                  f"give --staff {step.station}=N or {step.role}=N")
    unknown = set(staff) - set(pools) - set(pools.values())
    if unknown:
        raise InvalidArgument(f"--staff names no staffed station or role: {sorted(unknown)}")
    return pools


def _working(hours: tuple[int, int]) -> Any:
    open_, close = hours[0] * 60.0, hours[1] * 60.0
    if not 0 <= open_ < close <= DAY:
        raise InvalidArgument(f"working hours must be 0 <= start < end <= 24, got {hours}")

    def finish(t: float, work: float) -> float:
        """When ``work`` working minutes started (or queued) at ``t`` are done."""
        while True:
            day, minute = divmod(t, DAY)
            if minute < open_:
                t, minute = day * DAY + open_, open_
            elif minute >= close:
                t = (day + 1) * DAY + open_
                continue
            left = close - minute
            if work <= left:
                return t + work
            work -= left
            t = (day + 1) * DAY + open_

    return finish, open_, close - open_


def simulate(process: Process, inputs: FloorInputs, plan: Plan) -> CapacityReport:
    """Run ``plan`` on the floor ``inputs`` describe; the report of times, queues and use."""
    if plan.arrivals_per_day <= 0 or plan.days <= 0:
        raise InvalidArgument("arrivals per day and days must be positive")
    rng = random.Random(plan.seed)
    env = simpy.Environment()
    finish, open_, length = _working(inputs.working_hours)
    pool_of = pools_of(process, plan.staff)
    if any(n < 1 for n in plan.staff.values()):
        raise InvalidArgument(f"every pool needs at least one person, got {dict(plan.staff)}")
    active = plan.days * DAY
    resources = {p: simpy.Resource(env, capacity=plan.staff[p])
                 for p in set(pool_of.values())}
    tally = {s: StationTally() for s in pool_of}
    busy = dict.fromkeys(resources, 0.0)
    work = {s: inputs.service[s].sampler(rng) for s in pool_of}
    bank, sign = inputs.bank_answer.sampler(rng), inputs.signature.sampler(rng)
    route = routes(process)
    tiers = list(inputs.tier_mix)
    weights = [inputs.tier_mix[t] for t in tiers]
    arrived: dict[str, int] = dict.fromkeys(tiers, 0)
    paid: dict[str, list[float]] = {t: [] for t in tiers}
    declined: dict[str, int] = dict.fromkeys(tiers, 0)

    def case(tier: str, exception: bool) -> Any:
        start = env.now
        for stop in route[tier, exception]:
            if stop.mode == "staffed":
                station = stop.station
                pool, t = pool_of[station], tally[station]
                t.change(env.now, +1)
                with resources[pool].request() as req:
                    yield req
                    t.change(env.now, -1)
                    minutes = work[station]()
                    if env.now < active:
                        busy[pool] += minutes
                    yield env.timeout(finish(env.now, minutes) - env.now)
                t.served += 1
                if rng.random() >= inputs.pass_share[station]:
                    declined[tier] += 1
                    return
            else:
                yield env.timeout(bank())
                if rng.random() >= inputs.bank_approval_share:
                    declined[tier] += 1
                    return
                yield env.timeout(sign())
        paid[tier].append(env.now - start)

    def arrivals() -> Any:
        rate = plan.arrivals_per_day / length
        worked = rng.expovariate(rate)
        while worked < plan.days * length:
            day, into = divmod(worked, length)
            at = day * DAY + open_ + into
            yield env.timeout(at - env.now)
            tier = rng.choices(tiers, weights)[0]
            arrived[tier] += 1
            if tier == "reject":
                declined[tier] += 1
            else:
                env.process(case(tier, rng.random() < inputs.exception_share))
            worked += rng.expovariate(rate)

    def close_of_arrivals() -> Any:
        yield env.timeout(active)
        for t in tally.values():
            t.mark(env.now)

    env.process(arrivals())
    env.process(close_of_arrivals())
    horizon = (plan.days + plan.drain_days) * DAY
    env.run(until=horizon)
    staff_minutes = {p: plan.staff[p] * length * plan.days for p in resources}
    return summarise(plan.staff, arrived, paid, declined, tally, busy, staff_minutes, active,
                     pool_of, inputs.notes)
