"""The smallest staff of one pool that brings a tier's median time to payout within a target.

More people never lengthen the median in expectation, so the search doubles the pool until
the target is met and then bisects; every run uses the plan's seed, so the runs compared
differ only in the staff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from creditfactory.errors import InvalidArgument
from creditfactory.factory.capacity import FloorInputs
from creditfactory.factory.capacity_report import CapacityReport
from creditfactory.factory.capacity_sim import Plan, simulate
from creditfactory.factory.process import Process

__all__ = ["StaffingAnswer", "smallest_staff"]


@dataclass(frozen=True)
class StaffingAnswer:
    """The smallest staff found (``None``: not reachable by staff alone, ``floor_hours`` is
    the median with ample staff), its report and the runs it took."""

    pool: str
    staff: int | None
    report: CapacityReport
    floor_hours: float | None
    runs: int


def _median(report: CapacityReport, tier: str) -> float:
    figures = report.all_paid_out if tier == "all" else report.tier(tier)
    if figures.median_hours is None or figures.open > 0.01 * max(figures.arrived, 1):
        return float("inf")  # nothing paid out, or a queue still growing at the end
    return figures.median_hours


def smallest_staff(process: Process, inputs: FloorInputs, plan: Plan, pool: str, tier: str,
                   target_hours: float, most: int = 1000) -> StaffingAnswer:
    """Search ``pool``'s staff in ``plan`` for ``tier``'s median ≤ ``target_hours``."""
    if pool not in plan.staff:
        raise InvalidArgument(f"--search names {pool!r}, which --staff does not staff")
    runs = 0

    def run(n: int) -> CapacityReport:
        nonlocal runs
        runs += 1
        return simulate(process, inputs, replace(plan, staff={**plan.staff, pool: n}))

    ample = run(most)
    floor = _median(ample, tier)
    if floor > target_hours:
        return StaffingAnswer(pool, None, ample, None if floor == float("inf") else floor, runs)
    lo, hi, best = 0, 1, None
    while hi < most:
        report = run(hi)
        if _median(report, tier) <= target_hours:
            best = report
            break
        lo, hi = hi, min(hi * 2, most)
    if best is None:
        hi, best = most, ample
    while hi - lo > 1:
        mid = (lo + hi) // 2
        report = run(mid)
        if _median(report, tier) <= target_hours:
            hi, best = mid, report
        else:
            lo = mid
    return StaffingAnswer(pool, hi, best, floor, runs)
